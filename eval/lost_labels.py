"""Lost row labels: what the extractor does when one table-2 row label is unreadable but its values are printed.

For each of ``--n`` generated reports (both templates, every text form in turn, no other noise), one
table-2 row label is replaced by unreadable glyphs; the report is extracted and its table-2 cells are
compared with the record. Table 2 has no sums that could catch a row's values taken by its neighbour, so
the question is whether such a cell is flagged (missing, ambiguous, or confidence below 0.9) or silent.
Prints silent cells per form and the correct cells that were flagged as unsure on the way.

    .venv/bin/python eval/lost_labels.py [--n 300]
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter

from xxgk.evaluate import CONFIDENT
from xxgk.pipeline import extract_text
from xxgk.generate import FORMS, lost_label_report

TEXT_FORMS = [form for form in FORMS if form != "html"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args(argv)
    reports, silent, flagged_right = Counter(), Counter(), Counter()
    for seed in range(args.n):
        form = TEXT_FORMS[seed % len(TEXT_FORMS)]
        text, record = lost_label_report(seed, form)
        if text is None:
            continue
        reports[form] += 1
        got = extract_text(text, f"lost-label-{seed}")
        for key, value in record["fields"].items():
            if not key.startswith("disclosure."):
                continue
            cell = got["cells"][key]
            unsure = cell["kind"] in ("missing", "ambiguous") or cell["confidence"] < CONFIDENT
            if got["fields"][key] != value and not unsure:
                silent[form] += 1
            elif got["fields"][key] == value and unsure:
                flagged_right[form] += 1
    print("| form | reports | silent wrong cells | correct cells flagged |\n|---|---:|---:|---:|")
    for form in TEXT_FORMS:
        print(f"| {form} | {reports[form]} | {silent[form]} | {flagged_right[form]} |")
    print(f"| all | {sum(reports.values())} | {sum(silent.values())} | {sum(flagged_right.values())} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
