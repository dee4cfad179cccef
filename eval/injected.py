"""The injected-error set (issue 20): each way a number goes wrong put into generated reports, and whether the
record flags it.

Kinds, each on reports of several forms (both templates and hybrids; noise 0, so that only the injected error
can go wrong):

- ``misread-part``: one table-3 part printed as another number (+7), as a misread or a slip of the pen leaves it;
  the gold keeps the true value, so the cell is wrong and must be flagged;
- ``misread-total``: the same for a row's 总计;
- ``row-as-zeros``: a table-3 row's figures printed on the next row's line instead of their own (a layout that
  detached them), its own cells left blank: a reading that writes zeros there must not be sure;
- ``yuan-apart``: table 2's money printed in 元 with the unit set apart from the figure (the next line, after a
  space); the gold is in 万元: read right or flagged, never 10,000 times too large and sure;
- ``two-reports``: two reports in one file: two records (NAME#1, NAME#2), each its own, never one mixing them.

A case is *caught* when no cell of its records is wrong and sure. The script prints one row per kind and writes
eval/injected.json.

    .venv/bin/python eval/injected.py [--n 40] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from xxgk import schema
from xxgk.evaluate import evaluate
from xxgk.generate import gold_of, random_record, render_report
from xxgk.pipeline import ReadError, extract_reports

EVAL_DIR = Path(__file__).resolve().parent
FORMS = ("tab_rows", "cells_tabbed", "cells_plain", "one_line_spaced", "markdown", "pdf_scrambled")
MISPRINT = 7


def _record(rng: random.Random, template: str | None = None) -> dict:
    kind = template or rng.choice(["2019", "2021", "hybrid"])
    return random_record("2021" if kind == "hybrid" else kind, rng, hybrid=kind == "hybrid")


def _tab_line(text: str, label: str) -> str | None:
    lines = [line for line in text.split("\n") if label in line and "\t" in line]
    return lines[0] if len(lines) == 1 else None


def misread(rng: random.Random, column: str) -> tuple[str, dict] | None:
    """A tab-row report with one table-3 cell of ``column`` (a part or the total) printed +7."""
    record = _record(rng)
    text = render_report(record, "tab_rows", rng, noise=0.0).text
    rows = list(schema.template(record["template"]).rows_of("requests"))
    rng.shuffle(rows)
    for row in rows:
        key = f"requests.{row.row}.{column}"
        value = record["fields"].get(key)
        line = _tab_line(text, row.label.split(" ")[-1])
        if not isinstance(value, int) or value < 1 or line is None or str(value) not in line.split("\t"):
            continue
        cells = line.split("\t")
        at = len(cells) - 1 - cells[::-1].index(str(value)) if column == "total" else cells.index(str(value))
        cells[at] = str(value + MISPRINT)
        return text.replace(line, "\t".join(cells), 1), gold_of(record)
    return None


def row_as_zeros(rng: random.Random) -> tuple[str, dict] | None:
    """A table-3 row with figures whose cells are left blank and whose figures stand on the next row's line."""
    record = _record(rng)
    text = render_report(record, "tab_rows", rng, noise=0.0).text
    rows = list(schema.template(record["template"]).rows_of("requests"))
    for row, after in zip(rows, rows[1:]):
        if not record["fields"].get(f"requests.{row.row}.total"):
            continue
        line, next_line = _tab_line(text, row.label.split(" ")[-1]), _tab_line(text, after.label.split(" ")[-1])
        if not line or not next_line:
            continue
        cells = line.split("\t")
        figures = [c for c in cells if c.strip().lstrip("+-").isdigit()]
        if len(figures) < len(schema.APPLICANT_COLUMNS):
            continue
        blanked = "\t".join("" if c in figures else c for c in cells)
        moved = next_line + "\t" + "\t".join(figures)
        return text.replace(line, blanked, 1).replace(next_line, moved, 1), gold_of(record)
    return None


def yuan_apart(rng: random.Random) -> tuple[str, dict] | None:
    """Table 2's money printed in 元, the unit on the next line or after a space."""
    record = _record(rng, "2019")
    key = "disclosure.procurement.amount_wan"
    record["fields"]["disclosure.procurement.projects"] = max(1, record["fields"]["disclosure.procurement.projects"])
    wan = round(rng.uniform(5, 5000), 2)
    record["fields"][key] = wan
    form = rng.choice(["cells_plain", "cells_tabbed", "pdf_scrambled", "one_line_spaced"])
    text = render_report(record, form, rng, noise=0.0).text
    printed = f"{wan:g}"
    if printed not in text:
        return None
    yuan = f"{round(wan * 10000):d}"
    apart = f"{yuan} 元" if form.startswith("one_line") else f"{yuan}\n元"
    return text.replace(printed, apart, 1), gold_of(record)


def two_reports(rng: random.Random) -> tuple[str, list[dict]]:
    form = rng.choice(FORMS)
    records = [_record(rng) for _ in range(2)]
    return "\n\n".join(render_report(r, form, rng, noise=0.0).text for r in records), [gold_of(r) for r in records]


KINDS = ("misread-part", "misread-total", "row-as-zeros", "yuan-apart", "two-reports")


def make(kind: str, rng: random.Random):
    if kind == "misread-part":
        return misread(rng, "natural_person")
    if kind == "misread-total":
        return misread(rng, "total")
    if kind == "row-as-zeros":
        return row_as_zeros(rng)
    if kind == "yuan-apart":
        return yuan_apart(rng)
    return two_reports(rng)


def run(n: int, seed: int, workdir: Path) -> dict:
    results = {}
    for kind in KINDS:
        gold, pred, failures, made = {}, {}, {}, 0
        for i in range(n * 5):
            if made == n:
                break
            case = make(kind, random.Random(f"xxgk-injected:{seed}:{kind}:{i}"))
            if case is None:
                continue
            text, golds = case
            golds = golds if isinstance(golds, list) else [golds]
            made += 1
            name = f"{kind}-{made:03d}"
            path = workdir / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            names = [name] if len(golds) == 1 else [f"{name}#{k}" for k in range(1, len(golds) + 1)]
            gold.update(zip(names, golds))
            try:
                for record in extract_reports(path):
                    pred[record["source"]["name"]] = record
            except ReadError as exc:
                failures[name] = str(exc)
        result = evaluate(gold, pred)
        caught = sum(1 for r in result["per_report"].values() if r["predicted"] and r["silent"] == 0)
        results[kind] = {"cases": made, "records": len(gold), "caught": caught, "silent_errors": result["silent_errors"],
                         "flagged_errors": result["flagged_errors"], "field_accuracy": result["fields"]["accuracy"],
                         "failures": failures, "silent": [w for w in result["wrong"] if not w["flagged"]][:20]}
    return results


def table(results: dict) -> str:
    lines = ["| injected error | cases | records | caught (no silent wrong cell) | silent wrong cells | flagged cells |",
             "|---|---:|---:|---:|---:|---:|"]
    for kind, r in results.items():
        lines.append(f"| {kind} | {r['cases']} | {r['records']} | {r['caught']}/{r['records']} | {r['silent_errors']} "
                     f"| {r['flagged_errors']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="cases per kind (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "injected.json")
    parser.add_argument("--readme", action="store_true", help="write the table into docs (the injected markers)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xxgk-injected-") as tmp:
        results = run(args.n, args.seed, Path(tmp))
    print(table(results))
    args.json.write_text(json.dumps({"config": {"n": args.n, "seed": args.seed}, "kinds": results},
                                    ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.readme:
        from readme_section import replace_section
        print("wrote", replace_section("injected", table(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
