"""Count how often each column of the template's tables holds a number other than 0 in the hand-checked reports
of ``corpus/`` (seeds, examples, real), and write ``src/xxgk/data/column_prevalence.tsv``.

The table recovery reads these counts when a text drops its blank cells and the template's identities leave a
row's values more than one place (``xxgk.tables.arrange``): it then gives the cells of the most plausible
placement, flagged, with the others as candidates. Tables 2 and 3 are counted per column over all their rows
(a column, not a row, is what the placement chooses); table 4 per group and column. Table 3's rows are counted
too, as a whole (column ``*``: the row holds any number other than 0), for a text whose blank cells leave open
which of the outcome rows printed a run of numbers (``xxgk.tables.runs``).

    .venv/bin/python scripts/column_prevalence.py
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD = sorted(REPO.glob("corpus/*/gold/*.json"))
OUT = REPO / "src" / "xxgk" / "data" / "column_prevalence.tsv"
POOLED = "*"     # the row of a column counted over every row of its table


def main() -> int:
    nonzero: Counter = Counter()
    cells: Counter = Counter()
    for path in GOLD:
        rows_filled: dict[tuple, bool] = {}
        for key, value in json.loads(path.read_text(encoding="utf-8"))["fields"].items():
            if value is None:
                continue
            table, row, column = key.split(".")
            where = (table, row if table == "appeals" else POOLED, column)
            cells[where] += 1
            nonzero[where] += value != 0
            if table == "requests":
                whole = (table, row, POOLED)
                rows_filled[whole] = rows_filled.get(whole, False) or value != 0
        for whole, filled in rows_filled.items():
            cells[whole] += 1
            nonzero[whole] += filled
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(["table", "row", "column", "nonzero", "cells"])
        for where in sorted(cells):
            out.writerow([*where, nonzero[where], cells[where]])
    print(f"{len(cells)} columns from {len(GOLD)} reports written to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
