"""Measured tables written into the documentation, between a ``<!-- name -->`` and a ``<!-- /name -->`` marker.

The benchmark scripts call ``replace_section`` with their ``--readme`` flag; each section lives in the one
file of README.md and docs/*.md that holds its markers. Run alone, this script renders the accuracy figures
from ``eval/results.json`` (written by ``eval/run.py``): the README's summary table and docs/evaluation.md's
full tables.

    .venv/bin/python eval/readme_section.py [--results eval/results.json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCUMENTS = (README, *sorted((REPO / "docs").glob("*.md")))
RESULTS = REPO / "eval" / "results.json"
OCR_RESULTS = REPO / "eval" / "ocr_results.json"       # eval/ocr_eval.py's: the scans' row, when measured
FORMS_RESULTS = REPO / "eval" / "real_forms.json"      # eval/real_forms.py's: the tool forms' table, when measured
FORMS_PER_LINE = 4                                     # tool forms side by side: the README stays short
# The sets the README's one table shows: the real reports, the frozen set, and the generated sets together,
# at the ordinary noise, the heavy noise and with hard label slips.
SUMMARY_SETS = ("seeds", "examples", "real-pdf", "real-pdftotext", "frozen-v1", "all generated", "gen-noisy",
                "gen-garbled-labels")
STAGES = ("exact", "contained", "ngram", "ngrams", "student", "model", "none")
STAGE_HEADS = ("exact", "contained", "dictionary n-grams", "n-gram classifier", "student", "transformer", "none")


def _marked(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- {re.escape(name)} -->\n).*?(<!-- /{re.escape(name)} -->)", re.S)


def replace_section(name: str, table: str, documents: tuple[Path, ...] = DOCUMENTS) -> Path:
    """Write ``table`` between the markers ``name`` in the one document that holds them; return that document."""
    holders = [path for path in documents if path.is_file() and _marked(name).search(path.read_text(encoding="utf-8"))]
    if len(holders) != 1:
        raise SystemExit(f"{len(holders)} documents hold the {name} markers (one expected): {holders}")
    path = holders[0]
    new = _marked(name).sub(lambda m: m.group(1) + table + "\n" + m.group(2), path.read_text(encoding="utf-8"))
    path.write_text(new, encoding="utf-8")
    return path


def fmt_acc(tally: dict) -> str:
    return "n/a" if tally["accuracy"] is None else f"{tally['accuracy']:.4f}"


def flag_share(r: dict) -> str:
    """The share of right cells the record flags as unsure (the cost of caution), or n/a for old results."""
    tally = r.get("right_flagged")
    if not tally or not tally["total"]:
        return "n/a"
    return f"{tally['correct'] / tally['total']:.2%}"


def markdown_table(first_column: str, rows: dict[str, dict]) -> str:
    """Every measure of ``xxgk.evaluate`` per set (or form), as ``eval/run.py`` prints it."""
    lines = [f"| {first_column} | reports | field acc | non-zero acc | perfect | template acc | year / issuer acc "
             "| silent errors | right cells flagged |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['reports']} | {fmt_acc(r['fields'])} | {fmt_acc(r['nonzero'])} "
                     f"| {r['perfect']['correct']}/{r['perfect']['total']} | {fmt_acc(r['template'])} "
                     f"| {fmt_acc(r['year'])} / {fmt_acc(r['issuer'])} | {r['silent_errors']} "
                     f"| {flag_share(r)} |")
    return "\n".join(lines)


def stage_table(stages: dict[str, dict[str, int]]) -> str:
    """Distinct normalised strings met in each set, by the classifier stage that settled them."""
    lines = ["| set | " + " | ".join(STAGE_HEADS) + " |", "|---|" + "---:|" * len(STAGES)]
    for name, counts in stages.items():
        lines.append(f"| {name} | " + " | ".join(str(counts.get(stage, 0)) for stage in STAGES) + " |")
    return "\n".join(lines)


def comparison_table(sets: dict[str, dict]) -> str:
    """Each set extracted with the dictionary alone and with every label stage (``--compare-label-model``)."""
    lines = ["| set | field acc without → with | perfect without → with | silent errors without → with |",
             "|---|---:|---:|---:|"]
    for name, after in sets.items():
        before = after["without_label_model"]
        lines.append(f"| {name} | {fmt_acc(before['fields'])} → {fmt_acc(after['fields'])} "
                     f"| {before['perfect']['correct']} → {after['perfect']['correct']}/{after['perfect']['total']} "
                     f"| {before['silent_errors']} → {after['silent_errors']} |")
    return "\n".join(lines)


def summary_table(results: dict, ocr: dict | None = None) -> str:
    """The README's one table: the sets that say the most, with the measures a user asks first (and the scans'
    row, from ``eval/ocr_eval.py``'s results, when they were measured)."""
    lines = ["| set | reports | field accuracy | non-zero cells | perfect reports | silent errors | right cells flagged |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in SUMMARY_SETS:
        r = results["sets"][name]
        lines.append(f"| {name} | {r['reports']} | {fmt_acc(r['fields'])} | {fmt_acc(r['nonzero'])} "
                     f"| {r['perfect']['correct']}/{r['perfect']['total']} | {r['silent_errors']} | {flag_share(r)} |")
    if ocr:
        o = ocr["overall"]
        lines.append(f"| scans (OCR) | {o['reports']} | {o['fields']:.4f} | {o['nonzero']:.4f} "
                     f"| {o['perfect']}/{o['reports']} | {o['silent']} | |")
    config, garbled = results["config"], results["config"]["garbled_set"]
    notes = [f"Generated sets: {config['n']} reports per form, seed {config['seed']}, noise "
             f"{config['noise']} (gen-noisy {config['noisy_set_noise']}; gen-garbled-labels "
             f"{garbled['noise']} with hard slips in {garbled['garble']:.0%} "
             f"of the label occurrences)."]
    if ocr:
        notes.append(f"Scans: generated reports printed by Chromium, rasterised at 100–200 dpi and damaged (tilt, "
                     f"blur, speckle, JPEG, a red seal, all at once), seed {ocr['seed']}, read offline by the OCR "
                     f"reader (`eval/ocr_eval.py`; per dpi and damage in [docs/ocr.md](docs/ocr.md)).")
    return "\n".join(lines + [""] + [" ".join(notes)])


def forms_table(forms: dict) -> str:
    """The README's table of tool forms (``eval/real_forms.py``): each form's field accuracy and silent errors,
    FORMS_PER_LINE to a line."""
    tools = forms["tools"]
    cells = [f"{name} {t['summary']['fields']:.4f} ({t['summary']['silent']})" for name, t in tools.items()]
    rows = [cells[k:k + FORMS_PER_LINE] for k in range(0, len(cells), FORMS_PER_LINE)]
    lines = ["| " + " | ".join(["tool form: field accuracy (silent errors)"] + [""] * (FORMS_PER_LINE - 1)) + " |",
             "|" + "---|" * FORMS_PER_LINE]
    lines += ["| " + " | ".join(row + [""] * (FORMS_PER_LINE - len(row))) + " |" for row in rows]
    wide = "" if forms.get("wide", True) else ", tables narrow enough for the page"
    return "\n".join(lines + ["", f"{forms['n']} generated reports (seed {forms['seed']}{wide}) as HTML, Word and "
                                   "PDF, through each tool ([docs](docs/evaluation.md#real-tools))."])


def full_tables(results: dict) -> str:
    """docs/evaluation.md's tables: every set, every form, the stages, and with / without the learned stages."""
    sets = results["sets"]
    parts = [markdown_table("set", sets), markdown_table("form (all generated sets)", results["forms"]),
             "**Which stage settled the labels** (distinct normalised label strings met in each set, by the stage "
             "that settled them; `none` = taken for no label: prose, numbers, furniture):",
             stage_table({name: s["label_stages"] for name, s in sets.items() if "label_stages" in s})]
    compared = {name: s for name, s in sets.items() if "without_label_model" in s}
    if compared:
        parts += ["**With and without the learned label stages** (`python eval/run.py --compare-label-model`: every "
                  "set extracted twice, with the dictionary alone (`Options(label_stages=\"dictionary\")`) and with "
                  "every stage):", comparison_table(compared)]
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=RESULTS, help="eval/run.py's results file")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    ocr = json.loads(OCR_RESULTS.read_text(encoding="utf-8")) if OCR_RESULTS.is_file() else None
    print("wrote", replace_section("accuracy", summary_table(results, ocr)))
    if FORMS_RESULTS.is_file():
        forms = json.loads(FORMS_RESULTS.read_text(encoding="utf-8"))
        print("wrote", replace_section("tool-forms", forms_table(forms)))
    print("wrote", replace_section("accuracy-tables", full_tables(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
