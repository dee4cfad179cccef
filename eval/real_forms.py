"""Score xxgk on what the real tools make of a report: every tool form of ``xxgk.generate.tools.TOOLS``.

Each generated report (2019, 2021 and hybrid records in turn) is printed once as a saved page whose habits are
drawn per report (``draw_page_style``: Word's markup or a site's, spans per run, word or character, fixed
widths, Word's hidden row), with table 4 in each of its layouts and each zero habit in turn (every zero
printed; zeros of tables 3 and 4 blank; zeros of all tables blank). Every tool is run on the page or on the
file made from it (Chromium and LibreOffice PDFs, LibreOffice's Word file and its text), the current extractor
reads each output, and ``xxgk.evaluate`` scores it against the record::

    .venv/bin/python eval/real_forms.py                     # 40 reports, seed 0, every tool form
    .venv/bin/python eval/real_forms.py --n 9 --tools w3m,lynx,pdftotext@chromium
    .venv/bin/python eval/real_forms.py --keep /tmp/rf      # keep pages, files and outputs; a rerun reuses them
    .venv/bin/python eval/real_forms.py --keep /tmp/rf --show lynx   # every wrong cell of lynx's form

The tables printed are per tool form (reports, field and non-zero accuracy, perfect reports, silent and
flagged wrong cells), then field accuracy and silent errors split by table-4 layout, by zero habit and by
whether tables 3 and 4 are wider than the page (Chromium's print cuts them at the paper's edge).
Results go to eval/real_forms.json (with every report's page habits, so a case can be rebuilt).
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import random
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from xxgk.evaluate import evaluate
from xxgk.generate import gold_of, random_record, render_report
from xxgk.generate.document import APPEALS_LAYOUTS, ZERO_HABITS
from xxgk.generate.forms import draw_page_style
from xxgk.generate.tools import DROPS_BLANKS, LOSES_TABLES, PAGE, TOOLS, ToolMissing, make_files

EVAL_DIR = Path(__file__).resolve().parent
KINDS = ("2019", "2021", "hybrid")
NOISE = 0.0          # label noise off by default: the figure measures the tools, not label reading
WRONG_KEPT = 40      # wrong cells kept per tool form in the JSON (silent ones first)
SPLITS = {           # manifest field -> how its values are named in the split tables
    "layout": "table-4 layout", "zeros": "zero habit", "kind": "template", "wide": "wide tables",
    "cell_paragraphs": "cells in <p>", "shell": "page shell",
}


def extractor():
    """The extractor measured: (text -> record, file -> record). The one place to re-point when it moves."""
    from xxgk.pipeline import extract_file, extract_text
    return extract_text, extract_file

# ------------------------------------------------------------------------------------------------ reports


def plan(n: int, seed: int, noise: float, *, wide: bool = True) -> list[dict]:
    """The reports: record, page habits and the page's markup. Layout, zero habit and template rotate so that
    every combination comes up evenly; the other habits are drawn (``wide=False``: no table wider than A4)."""
    reports = []
    for i in range(n):
        rng = random.Random(f"xxgk-real-forms:{seed}:{i}")
        layout = APPEALS_LAYOUTS[i % len(APPEALS_LAYOUTS)]
        zeros = ZERO_HABITS[(i // len(APPEALS_LAYOUTS)) % len(ZERO_HABITS)]
        kind = KINDS[(i // (len(APPEALS_LAYOUTS) * len(ZERO_HABITS))) % len(KINDS)]
        record = random_record("2021" if kind == "hybrid" else kind, rng, hybrid=kind == "hybrid")
        # The pages are handed to the tools as UTF-8 (pandoc reads nothing else), as a scraper saves them.
        style = draw_page_style(rng, appeals_layout=layout, zeros=zeros, charset="utf-8")
        if not wide:
            style = replace(style, wide=False)
        rendering = render_report(record, "html", rng, noise=noise, page=style)
        name = f"rf{i:03d}-{kind}-{layout}-{zeros}"
        reports.append({"name": name, "kind": kind, "record": record, "markup": rendering.text,
                        **rendering.page, "layout": layout, "noise": rendering.noise})
    return reports


def write_pages(reports: list[dict], work: Path) -> dict[str, Path]:
    """Each page under work/page; a page whose markup changed since a kept run loses its derived files."""
    folder = work / "page"
    folder.mkdir(parents=True, exist_ok=True)
    pages = {}
    for report in reports:
        path = folder / f"{report['name']}.html"
        if path.exists() and path.read_text(encoding="utf-8") != report["markup"]:
            for stale in work.glob(f"*/{report['name']}.*"):
                stale.unlink()
            for stale in (work / "out").glob(f"*/{report['name']}.txt"):
                stale.unlink()
        if not path.exists():
            path.write_text(report["markup"], encoding="utf-8")
        pages[report["name"]] = path
    return pages

# ------------------------------------------------------------------------------------------------ tools


def selected_tools(spec: str | None) -> list[str]:
    if not spec:
        return list(TOOLS)
    names = []
    for pattern in spec.split(","):
        matched = [t for t in TOOLS if fnmatch.fnmatchcase(t, pattern.strip())]
        if not matched:
            raise SystemExit(f"no tool form matches {pattern!r}; tool forms: {', '.join(TOOLS)}")
        names += [t for t in matched if t not in names]
    return names


def run_tools(tools: list[str], pages: dict[str, Path], work: Path, jobs: int) -> tuple[dict, dict, dict]:
    """Every tool's output per report: text (cached under work/out/TOOL/NAME.txt) or the file itself; the
    failures; the seconds each tool took."""
    outputs: dict[str, dict[str, str | Path]] = {t: {} for t in tools}
    failures: dict[str, dict[str, str]] = {t: {} for t in tools}
    seconds: dict[str, float] = {}
    kinds = {TOOLS[t].reads for t in tools} - {PAGE}
    started = time.perf_counter()
    try:
        files = make_files(pages, work, kinds, jobs=jobs) if kinds else {}
    except ToolMissing as exc:
        print(f"files not made: {exc}", file=sys.stderr)
        files = {}
    seconds["(files)"] = time.perf_counter() - started
    for tool in tools:
        spec = TOOLS[tool]
        sources = pages if spec.reads == PAGE else files.get(spec.reads)
        if sources is None:
            failures[tool] = {name: f"{spec.reads} not made" for name in pages}
            continue
        if spec.is_file:
            outputs[tool] = dict(sources)
            continue
        cache = work / "out" / tool
        cache.mkdir(parents=True, exist_ok=True)

        def one(name: str, tool=tool, spec=spec, sources=sources, cache=cache):
            path = cache / f"{name}.txt"
            if path.exists():
                return name, path.read_text(encoding="utf-8"), None
            try:
                text = spec.function(sources[name])
            except ToolMissing:
                raise
            except Exception as exc:     # a tool failing on one report costs that report, not the run
                return name, None, f"{type(exc).__name__}: {exc}"
            path.write_text(text, encoding="utf-8")
            return name, text, None

        started = time.perf_counter()
        try:
            with ThreadPoolExecutor(max(1, jobs)) as pool:
                for name, text, error in pool.map(one, list(pages)):
                    if error:
                        failures[tool][name] = error
                    else:
                        outputs[tool][name] = text
        except ToolMissing as exc:
            print(f"{tool}: {exc}", file=sys.stderr)
            failures[tool] = {name: str(exc) for name in pages}
        seconds[tool] = time.perf_counter() - started
    return outputs, failures, seconds


def extract_outputs(outputs: dict[str, str | Path]) -> tuple[dict[str, dict], dict[str, str]]:
    extract_text, extract_file = extractor()
    pred, failures = {}, {}
    for name, output in outputs.items():
        try:
            pred[name] = extract_file(output) if isinstance(output, Path) else extract_text(output, name)
        except Exception as exc:  # an extractor crash costs this report, not the run
            where = traceback.extract_tb(exc.__traceback__)[-1]
            failures[name] = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
    return pred, failures

# ------------------------------------------------------------------------------------------------ scoring


def summary(result: dict) -> dict:
    flagged_right = result.get("right_flagged") or {}
    return {"reports": result["reports"], "fields": result["fields"]["accuracy"],
            "nonzero": result["nonzero"]["accuracy"], "perfect": result["perfect"]["correct"],
            "silent": result["silent_errors"], "flagged": result["flagged_errors"],
            "right_flagged": flagged_right.get("accuracy")}


def score(gold: dict[str, dict], pred: dict[str, dict], manifest: dict[str, dict]) -> tuple[dict, dict]:
    result = evaluate(gold, pred)
    per_report = {name: {"fields": r["accuracy"], "silent": r["silent"], "wrong": r["total"] - r["correct"],
                         "by_table": {}} for name, r in result["per_report"].items()}
    for wrong in result["wrong"]:
        table = per_report[wrong["report"]]["by_table"].setdefault(
            wrong["key"].split(".", 1)[0], {"wrong": 0, "unread": 0, "silent": 0})
        table["wrong"] += 1
        table["unread"] += wrong["read"] is None
        table["silent"] += not wrong["flagged"]
    out = {"summary": summary(result), "splits": {}, "per_report": per_report, "wrong": result["wrong"][:WRONG_KEPT]}
    for field in SPLITS:
        groups: dict[str, list[str]] = {}
        for name in gold:
            groups.setdefault(str(manifest[name][field]), []).append(name)
        out["splits"][field] = {value: summary(evaluate({n: gold[n] for n in names},
                                                        {n: pred[n] for n in names if n in pred}))
                                for value, names in sorted(groups.items())}
    return out, result


def _acc(value: float | None) -> str:
    return "  n/a " if value is None else f"{value:.4f}"


def print_tables(results: dict, tools: list[str]) -> None:
    print("| tool form | keeps | reports | field acc | non-zero acc | perfect | silent | flagged | failed |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for tool in tools:
        r = results[tool]
        s = r["summary"]
        keeps = {DROPS_BLANKS: "drops blanks", LOSES_TABLES: "loses tables"}.get(TOOLS[tool].keeps, "every cell")
        print(f"| {tool} | {keeps} | {s['reports']} | {_acc(s['fields'])} | {_acc(s['nonzero'])} | "
              f"{s['perfect']}/{s['reports']} | {s['silent']} | {s['flagged']} | {len(r['failures'])} |")
    for field in ("layout", "zeros", "wide"):
        values = sorted({v for tool in tools for v in results[tool]["splits"][field]})
        print(f"\nfield accuracy (silent wrong cells) by {SPLITS[field]}\n")
        print("| tool form | " + " | ".join(values) + " |")
        print("|---|" + "---:|" * len(values))
        for tool in tools:
            split = results[tool]["splits"][field]
            cells = [f"{_acc(split[v]['fields'])} ({split[v]['silent']})" if v in split else "" for v in values]
            print(f"| {tool} | " + " | ".join(cells) + " |")


def show_wrong(tool: str, result: dict, manifest: dict[str, dict], work: Path) -> None:
    """Every wrong cell of one tool form, by report, with the report's page habits and its output's path."""
    by_report: dict[str, list[dict]] = {}
    for wrong in result["wrong"]:
        by_report.setdefault(wrong["report"], []).append(wrong)
    for name, wrongs in sorted(by_report.items()):
        m = manifest[name]
        habits = ", ".join(f"{k}={m[k]}" for k in ("shell", "spans", "cell_paragraphs", "blank", "wide",
                                                   "misaligned_row"))
        print(f"\n{name} ({habits}) {len(wrongs)} wrong; output {work / 'out' / tool / (name + '.txt')}")
        for w in wrongs:
            print(f"  {'flagged' if w['flagged'] else 'SILENT '} {w['key']:<52} gold {w['gold']!s:<8} "
                  f"read {w['read']!s:<8} raw {w['raw']!r} kind {w['kind']}")

# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="reports, each rendered by every tool form (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tools", help="comma-separated tool forms or patterns (w3m*,*@chromium); default all")
    parser.add_argument("--keep", type=Path, help="keep pages, files and tool outputs here; a rerun reuses them")
    parser.add_argument("--jobs", type=int, default=2, help="tool runs (and Chromium prints) at a time")
    parser.add_argument("--noise", type=float, default=NOISE, help="label and value noise of the pages (default 0)")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "real_forms.json")
    parser.add_argument("--show", help="print every wrong cell of these tool forms (comma-separated)")
    parser.add_argument("--details", action="store_true",
                        help="also write each report's habits and per-table wrong counts into the JSON")
    parser.add_argument("--no-wide", action="store_true",
                        help="no table wider than A4 (Chromium and LibreOffice cut those at the paper's edge)")
    args = parser.parse_args(argv)
    tools = selected_tools(args.tools)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)    # pdfplumber's font warnings, one per glyph run

    reports = plan(args.n, args.seed, args.noise, wide=not args.no_wide)
    gold = {r["name"]: gold_of(r["record"]) for r in reports}
    manifest = {r["name"]: {k: v for k, v in r.items() if k not in ("record", "markup")} for r in reports}
    temporary = None if args.keep else tempfile.mkdtemp(prefix="xxgk-real-forms-")
    work = args.keep or Path(temporary)
    try:
        pages = write_pages(reports, work)
        (work / "gold").mkdir(exist_ok=True)
        for name, record in gold.items():
            (work / "gold" / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
        outputs, failures, seconds = run_tools(tools, pages, work, args.jobs)
        results, full = {}, {}
        for tool in tools:
            started = time.perf_counter()
            pred, extract_failures = extract_outputs(outputs[tool])
            results[tool], full[tool] = score(gold, pred, manifest)
            results[tool].update(keeps=TOOLS[tool].keeps, reads=TOOLS[tool].reads,
                                 failures={**failures[tool], **extract_failures},
                                 tool_seconds=seconds.get(tool), extract_seconds=time.perf_counter() - started)
        print(f"{len(reports)} reports (seed {args.seed}, noise {args.noise}), {len(tools)} tool forms\n")
        print_tables(results, tools)
        for tool in (args.show.split(",") if args.show else []):
            show_wrong(tool, full[tool], manifest, work)
        for tool in tools:
            for name, reason in results[tool]["failures"].items():
                print(f"{tool} {name}: {reason}", file=sys.stderr)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
    if not args.details:
        for r in results.values():
            r.pop("per_report", None)
    args.json.write_text(json.dumps({"n": args.n, "seed": args.seed, "noise": args.noise,
                                     "wide": not args.no_wide, "tools": results,
                                     **({"reports": manifest} if args.details else {})},
                                    ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
