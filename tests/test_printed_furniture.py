"""What printing and table finders add to a report's text is no cell: a browser's footer link, a number cut at a
column border."""
from __future__ import annotations

from xxgk.datamodel import VALUE
from xxgk.tables.tokens import tokenize


def test_a_footer_link_holds_no_number():
    # Chromium's print footer (pdftotext, PyMuPDF, pymupdf4llm all keep it): its digits are the file name's.
    for footer in ("file:///tmp/rf40/page/rf007-2019-grid_3x5-blank_all.html                    2/4",
                   "https://www.gov.cn/zhengce/2021-05/12/content_5606.htm 3/5"):
        assert [t for t in tokenize(footer) if t.kind == VALUE] == []


def test_a_decimal_cut_at_a_column_border_is_one_number():
    # pymupdf4llm draws a column border through 222.2976: |222|.2976|
    tokens = tokenize("|政府集中采购|44|222|.2976|")
    assert [t.text for t in tokens if t.kind == VALUE] == ["44", "222.2976"]
    # ... or through 2505.31 after its decimal point: |2505.|31| (s0rf000, seed 0, Chromium's PDF)
    tokens = tokenize("|政府集中采购|44|2505.|31|")
    assert [t.text for t in tokens if t.kind == VALUE] == ["44", "2505.31"]
