"""Texts that leave blank cells out without a trace (issue 26): real tools' output of generated reports
(tests/fixtures/forms), whose rows print only their non-blank values; the template's sums place them."""
from __future__ import annotations

import json
from pathlib import Path

from xxgk.evaluate import evaluate
from xxgk.pipeline import extract_text

FIXTURES = Path(__file__).parent / "fixtures" / "forms"


def _wrong(name: str, table: str) -> tuple[list, list]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name.split('-')[0]}.gold.json").read_text(encoding="utf-8"))
    result = evaluate({"r": gold}, {"r": extract_text(text, name)})
    return [w for w in result["wrong"] if w["key"].startswith(table + ".")], result["wrong"]


def test_whole_rows_one_space_apart_are_no_grid():
    # pdfplumber's page text of Chromium's PDF, table 3 with its zeros blank: 一、本年新收… / 30 30, …, 3.其他 1 1,
    # （七）总计 31 31. Two whole rows lined up by their labels' widths were taken for an unruled table's columns,
    # and the forty lines between them for its rows of blank cells: blank cells marked that the text never printed,
    # the rows short of cells were no longer placed by the sums and table 3 was lost (169 cells).
    wrong, every = _wrong("rf017-pdfplumber-chromium.txt", "requests")
    assert wrong == []
    assert all(w["flagged"] for w in every)


def test_a_row_read_whole_against_its_own_total_is_placed_with_the_others():
    # pdfplumber's page text of Chromium's PDF (seed 23), table 3 with its zeros blank: 开 2.其他法律行政法规 /
    # 律行政法规 3 1 2 6 / 3.危及“三 11 7 18, the next row's label piece unread: seven numbers of two rows, read whole
    # as 2.其他法律行政法规禁止公开's though its total fails (3+1+2+6+11+7 ≠ 18), were kept as read, and no placement
    # of the other rows could then satisfy the column sums: table 3 was lost (114 cells). Now every row is placed
    # by the sums, the cells the sums leave open flagged.
    wrong, every = _wrong("s23rf025-pdfplumber-chromium.txt", "requests")
    assert len(wrong) <= 10
    assert all(w["flagged"] for w in every)
