"""Extraction speed per report, each figure beside a floor pass timed in the same run (issue 25).

The floor pass is the least any reader of these files does: read the file's bytes, decode them, one
``re.findall(r"\\d+")``. It is timed on the same files as xxgk, file by file, alternating with xxgk, so both
meet the same machine: the ratio of xxgk's time to the floor's is the figure that can be compared across
machines and loads, and the load average (``os.getloadavg``) before and after says how far to trust the
milliseconds (the machine is shared; CPU time inflates when the cores are).

Per report: the CPU time (``time.process_time``: this process's, all its threads) of ``xxgk.extract_file`` —
the file read, decoded, extracted, checked and made into its record — in a warm process (a warm-up on other
reports first: jieba's dictionary and the label tables load once per process, see ``bench_commands.py``).

Sets:

- ``generated``: ``--n`` reports over the generator's text forms (seed ``--seed``), after ``--warm`` others;
- ``long runs``: ``--long`` one-line pages whose table rows ran together into runs of up to ``--digits``
  digits (``xxgk.generate.longruns``): every run-together row must read as printed (a unique split);
- ``real``: the real text reports of ``corpus/`` (seeds, examples, the real PDFs' ``pdftotext`` text), and the
  real PDFs apart (reading a PDF — pdfplumber and camelot — is most of their time).

    .venv/bin/python eval/bench_extract.py                  # 300 generated, 20 long-run pages, the real ones
    .venv/bin/python eval/bench_extract.py --n 60 --long 5
    .venv/bin/python eval/bench_extract.py --readme         # the table into docs/speed.md

Writes ``eval/bench.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from xxgk.generate import FORMS, generate_set
from xxgk.generate.longruns import long_run_report
from xxgk.pipeline import extract_file

from readme_section import replace_section

EVAL_DIR = Path(__file__).resolve().parent
REPO = EVAL_DIR.parent
TEXT_FORMS = [form for form in FORMS if form != "html"]
REAL_TEXT = [REPO / "corpus/seeds/raw", REPO / "corpus/examples/raw", REPO / "corpus/real/raw"]
TEXT_SUFFIXES = (".txt", ".html", ".htm", ".md")

# Issue 25's targets: a text report's median in a warm process, the ratio of that median to the floor's
# (what travels across machines), and no report over 50 ms.
TARGET_MEDIAN_MS = 4.0
TARGET_FLOOR_RATIO = 60.0
TARGET_MAX_MS = 50.0

_NUMBERS = re.compile(r"\d+")


def floor_pass(path: Path) -> None:
    """Read the bytes, decode, one regex pass: the least any reader of the file does."""
    _NUMBERS.findall(path.read_bytes().decode("utf-8", "replace"))


def _cpu_ms(work, *args) -> tuple[float, object]:
    started = time.process_time_ns()
    try:
        out = work(*args)
    except Exception as exc:      # a report that raises is counted, not timed as a success
        out = exc
    return (time.process_time_ns() - started) / 1e6, out


def time_files(paths: list[Path], keep: bool = False) -> list[dict]:
    """xxgk and the floor on each file in turn: CPU ms of each, and what xxgk gave (the record itself only
    when ``keep``; else whether it raised)."""
    rows = []
    for path in paths:
        floor_ms, _ = _cpu_ms(floor_pass, path)
        ms, record = _cpu_ms(extract_file, path)
        rows.append({"file": path.name, "ms": ms, "floor_ms": floor_ms,
                     "record": record if keep or isinstance(record, Exception) else None})
    return rows


def stats(rows: list[dict]) -> dict:
    ms = sorted(r["ms"] for r in rows)
    floor = statistics.median(r["floor_ms"] for r in rows)
    median = statistics.median(ms)
    p90 = statistics.quantiles(ms, n=10, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return {"reports": len(ms), "median_ms": round(median, 3), "p90_ms": round(p90, 3), "max_ms": round(ms[-1], 2),
            "mean_ms": round(statistics.fmean(ms), 3), "floor_median_ms": round(floor, 4),
            "floor_ratio": round(median / floor, 1),
            "slowest": max(rows, key=lambda r: r["ms"])["file"],
            "failed": [r["file"] for r in rows if isinstance(r["record"], Exception)]}


def long_run_rows(count: int, digits: int, workdir: Path) -> tuple[list[dict], dict]:
    """Time the long-run pages; count the run-together rows that read as printed."""
    pages = []
    for k in range(count):
        text, record, glued = long_run_report(random.Random(f"long:{k}"), digits)
        path = workdir / f"long-{k:03d}.txt"
        path.write_text(text, encoding="utf-8")
        pages.append((path, record, glued))
    rows = time_files([p for p, _, _ in pages], keep=True)
    glued = read = 0
    longest = 0
    for row, (path, record, rows_glued) in zip(rows, pages):
        longest = max([longest] + [len(w) for w in re.findall(r"\d+", path.read_text(encoding="utf-8"))])
        got = row["record"]
        for name in rows_glued:
            glued += 1
            keys = [k for k in record["fields"] if k.startswith(name + ".")]
            read += not isinstance(got, Exception) and all(
                got["fields"].get(k) == record["fields"][k] and got["cells"][k]["kind"] not in ("ambiguous", "missing")
                for k in keys)
    return rows, {"rows_run_together": glued, "read_as_printed": read, "longest_run_digits": longest}


def generated_paths(workdir: Path, n: int, seed: int) -> tuple[list[Path], dict[str, str]]:
    generate_set(workdir, n, seed=seed, forms=TEXT_FORMS)
    forms = {}
    with (workdir / "manifest.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                entry = json.loads(line)
                forms[Path(entry["file"]).name] = entry["form"]
    return sorted((workdir / "raw").iterdir()), forms


def markdown(result: dict) -> str:
    load = result["load_average"]
    lines = ["| reports | n | median CPU | p90 | max | floor pass (median) | median ÷ floor |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in result["sets"].items():
        lines.append(f"| {name} | {s['reports']} | {s['median_ms']:.2f} ms | {s['p90_ms']:.2f} ms | {s['max_ms']:.1f} ms | "
                     f"{s['floor_median_ms'] * 1000:.0f} µs | {s['floor_ratio']:.0f}× |")
    long = result.get("long_runs")
    lines.append("")
    if long:
        lines.append(f"Long runs: {long['read_as_printed']} of {long['rows_run_together']} rows that ran together "
                     f"(runs of up to {long['longest_run_digits']} digits) read as printed, each split found by the sums.")
    lines.append(f"Measured by `python eval/bench_extract.py`: CPU time of `xxgk.extract_file` per report in a warm "
                 f"process, the floor pass (read, decode, one `re.findall(r\"\\d+\")`) on the same files in the same "
                 f"run; load average {load['before'][0]:.1f} before, {load['after'][0]:.1f} after, on "
                 f"{os.cpu_count()} cores.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="generated text reports timed (default 300)")
    parser.add_argument("--warm", type=int, default=60, help="other generated reports extracted first (default 60)")
    parser.add_argument("--long", type=int, default=20, help="one-line pages with long digit runs (default 20)")
    parser.add_argument("--digits", type=int, default=100, help="the longest run of those pages (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-real", action="store_true", help="leave out the real reports of corpus/")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "bench.json", help="results file")
    parser.add_argument("--readme", action="store_true", help="write the table into docs/speed.md")
    args = parser.parse_args(argv)

    before = os.getloadavg()
    sets: dict[str, dict] = {}
    per_form: dict[str, dict] = {}
    long_result = None
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        tmp = Path(tmp)
        warm, _ = generated_paths(tmp / "warm", args.warm, args.seed + 1000)
        for path in warm:
            _cpu_ms(extract_file, path)
        paths, forms = generated_paths(tmp / "gen", args.n, args.seed)
        rows = time_files(paths)
        sets["generated, every text form"] = stats(rows)
        for form in TEXT_FORMS:
            mine = [r for r in rows if forms.get(r["file"]) == form]
            if mine:
                per_form[form] = stats(mine)
        if args.long:
            (tmp / "long").mkdir()
            long_rows, long_result = long_run_rows(args.long, args.digits, tmp / "long")
            sets[f"one-line pages, runs of up to {args.digits} digits"] = stats(long_rows)
        if not args.no_real:
            real = [p for folder in REAL_TEXT if folder.is_dir() for p in sorted(folder.iterdir())]
            text = [p for p in real if p.suffix.lower() in TEXT_SUFFIXES]
            pdfs = [p for p in real if p.suffix.lower() == ".pdf"]
            if text:
                sets["real text reports (corpus/)"] = stats(time_files(text))
            if pdfs:
                sets["real PDFs (corpus/real), reading included"] = stats(time_files(pdfs))
    after = os.getloadavg()

    result = {"config": {"n": args.n, "warm": args.warm, "long": args.long, "digits": args.digits, "seed": args.seed,
                         "forms": TEXT_FORMS, "cores": os.cpu_count()},
              "load_average": {"before": before, "after": after},
              "targets": {"median_ms": TARGET_MEDIAN_MS, "floor_ratio": TARGET_FLOOR_RATIO, "max_ms": TARGET_MAX_MS},
              "sets": sets, "per_form": per_form, "long_runs": long_result}
    generated = sets["generated, every text form"]
    text_sets = [s for name, s in sets.items() if "PDF" not in name]
    result["met"] = {"median_ms": generated["median_ms"] <= TARGET_MEDIAN_MS,
                     "floor_ratio": generated["floor_ratio"] <= TARGET_FLOOR_RATIO,
                     "max_ms": all(s["max_ms"] <= TARGET_MAX_MS for s in text_sets),
                     "long_runs_read": long_result is None or
                     long_result["read_as_printed"] == long_result["rows_run_together"]}
    table = markdown(result)
    print(table)
    print("per form:", {form: (s["median_ms"], s["max_ms"]) for form, s in per_form.items()})
    print("targets:", ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in result["met"].items()))
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")
    if args.readme:
        replace_section("speed-figures", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
