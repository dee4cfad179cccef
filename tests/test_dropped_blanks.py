"""Texts that leave blank cells out without a trace (issue 26): real tools' output of generated reports
(tests/fixtures/forms), whose rows print only their non-blank values; the template's sums place them."""
from __future__ import annotations

import json
from pathlib import Path

from xxgk.evaluate import evaluate
from xxgk.pipeline import extract_text

FIXTURES = Path(__file__).parent / "fixtures" / "forms"


def _read(name: str, table: str) -> tuple[dict, list, list]:
    """The fixture's record, its wrong cells in ``table`` and all its wrong cells, against its gold."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name.split('-')[0]}.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, name)
    result = evaluate({"r": gold}, {"r": record})
    return record, [w for w in result["wrong"] if w["key"].startswith(table + ".")], result["wrong"]


def _wrong(name: str, table: str) -> tuple[list, list]:
    return _read(name, table)[1:]


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


def test_labels_wrapped_over_many_lines_are_read_whole():
    # BeautifulSoup's get_text(strip=True) of a page that sets every word in a span of its own: a cell's label
    # comes one word a line, 一、本年 / 新收政 / 府信息 / 公开申请 / 数量 and 5.要求行 / 政机 / 关确认 / 或重 / 新出具 /
    # 已获取 / 信息, blank cells left out. Only two lines were joined, so row one's label went unread, the prose's
    # 年共收到政府信息公开申请 took its place before table 2, and table 2 and table 3 were lost (185 cells).
    wrong, every = _wrong("rf012-bs4-strip.txt", "requests")
    assert len(wrong) <= 6
    assert not [w for w in every if w["key"].startswith("disclosure.")]
    assert all(w["flagged"] for w in every)


def test_a_label_opening_with_none_on_its_own_line_is_no_blank_mark():
    # get_text(strip=True), a word a line: 4. / 无 / 正当理由 / 大量反复申请. The 无 was read as a blank cell's mark,
    # so table 3 seemed to mark its blank cells and each of its rows, printing only its values, was short of
    # cells: table 3 was lost (161 cells, s41rf008).
    wrong, every = _wrong("s41rf008-bs4-strip.txt", "requests")
    assert wrong == []
    assert all(w["flagged"] for w in every)


def test_a_section_heading_wrapped_over_lines_ends_table_4():
    # get_text(strip=True) again, table 4 three rows of five, 行政复议 1 1 and the suits blank, its names wrapped
    # (未经复议直接 / 起诉 / 复议 / 后起诉) and the next heading too (五、 / 存在 / 的主要问题及改进情况): unread, the
    # heading left table 4 running on into the prose and its dates, whose numbers no group could take; table 4 was
    # lost (15 cells). The names are not joined past a name's end (the four pieces read two groups).
    wrong, every = _wrong("rf013-bs4-strip.txt", "appeals")
    assert wrong == []
    assert all(w["flagged"] for w in every)


def test_a_numbering_alone_on_its_line_opens_the_row_wrapped_around_the_values():
    # pdftotext -layout of Chromium's PDF, zeros blank: 3. 要求提供 / 公开出 / 版物, then 无正当理 / 4. / 由大  4  4 /
    # 量反复申请: the 4 4 stand inside row 4's label, after its numbering; the bare 4. was no row's start, so they
    # went to row 3 (read surely once its three-line label was read whole).
    record, wrong, every = _read("rf013-pdftotext-layout-chromium.txt", "requests")
    assert record["fields"]["requests.rejected_publication.total"] == 0
    assert record["fields"]["requests.rejected_excessive.total"] == 4
    assert all(w["flagged"] for w in every)


def test_a_label_wrapped_around_its_values_is_read_whole():
    # pdfplumber's page text of Chromium's PDF: 1.申请人无正 / 当理由逾期不 / 补正、行政机 / 0 0 0 0 0 0 0 / 关不再处理其 /
    # 政府信息公开 / 申请, a row's values centred in its height amid its six-line label. Unread, the row was lost.
    record, wrong, every = _read("rf038-pdfplumber-chromium.txt", "requests")
    assert record["cells"]["requests.other_no_correction.total"]["kind"] != "missing"
    assert wrong == []
    assert all(w["flagged"] for w in every)


def test_a_numbering_alone_in_its_own_rows_label_opens_no_other_row():
    # pdftotext -layout of Chromium's PDF (seed 0): 其他法律行政法规禁止 / 2. / 公开  2  2, the row's number set on the
    # middle line of its own wrapped label. Read as another row's start, it gave the 2 2 to 3.危及“三安全一稳定”
    # (read surely). A bare numbering opens another row only when it is not the number of the row before it.
    record, wrong, every = _read("s0rf034-pdftotext-layout-chromium.txt", "requests")
    assert record["fields"]["requests.denied_prohibited_by_law.total"] == 2
    assert record["fields"]["requests.denied_security_stability.total"] == 0
    assert all(w["flagged"] for w in every)


def test_a_numbering_at_a_label_pieces_end_stays_the_pieces():
    # pdftotext -layout of Chromium's PDF (seed 0), zeros printed: （四）无 / 没有现成信息需要另行制 / 法提供  2. / 作  3 0 0 0 0
    # 0 3, the row's number at the end of the group cell's line. Only a numbering alone on its line opens a row; taken
    # for one there too, it cost the row its cells (7). And a page's form feed ends a wrapped label: joined to
    # 2.其他法律行政法规禁止公 / 开, it changed nothing read but is no piece of it.
    record, wrong, every = _read("s0rf029-pdftotext-layout-chromium.txt", "requests")
    assert record["fields"]["requests.unavailable_needs_creation.total"] == 3
    assert wrong == []
