"""Texts real tools made of generated reports (tests/fixtures/forms): nothing in them is read wrong unflagged."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk.evaluate import evaluate
from xxgk.pipeline import extract_text

FIXTURES = Path(__file__).parent / "fixtures" / "forms"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_a_real_tools_text_has_no_silent_wrong_cell(name):
    # rf036 (pdftotext -layout): 5.属于三类内部 / its values / 事务信息 swapped two rows' 1s at confidence 1;
    # rf035 (pymupdf4llm): the review row's values set around the next table's name became that group's;
    # rf036 (plain pdftotext): the three groups' names printed before all fifteen numbers, the last group took the
    # first five;
    # rf014, rf020 (plain pdftotext): a table's labels stacked, its numbers after them; the number after the
    # last label was that row's at confidence 1, the rows above it unread;
    # rf022 (get_text strip): 新收政府信息公开申请数量, the wrapped half of 一、本年, was read again as the missing
    # 二、上年结转 and took row one's values, row one left "nothing printed" at 0.95.
    text = (FIXTURES / name).read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name.split('-')[0]}.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, name)
    result = evaluate({"r": gold}, {"r": record})
    assert [(w["key"], w["gold"], w["read"]) for w in result["wrong"] if not w["flagged"]] == []


def _read(name: str) -> tuple[dict, dict]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name.split('-')[0]}.gold.json").read_text(encoding="utf-8"))
    return gold["fields"], extract_text(text, name)["fields"]


@pytest.mark.parametrize("name", [
    # get_text of a page whose cells are paragraphs: two empty lines between a row's cells, four between rows
    "rf004-bs4-raw.txt",
    # LibreOffice's text of three small tables: a cell per line, the heads' line right before the values'
    "rf017-libreoffice-txt.txt",
    # plain pdftotext of three small tables: one group's row after its name, the others' among their heads
    "rf029-pdftotext-chromium.txt",
    # blank cells printed as empty lines: one per blank in LibreOffice's text, three in get_text's
    "rf035-libreoffice-txt.txt",
    "rf007-bs4-raw.txt",
])
def test_table_4_read_whole_from_a_cell_per_line(name):
    gold, fields = _read(name)
    keys = [k for k in gold if k.startswith("appeals.")]
    assert len(keys) == 15
    assert {k: fields.get(k) for k in keys} == {k: gold[k] for k in keys}


def test_blank_cells_at_a_pipe_rows_end_are_cells():
    # pymupdf4llm writes an empty cell as nothing between two pipes: |二、上年结转…|||||||| is a row of seven blank
    # cells, not a label alone (table 3 of rf024 was unread, row after row "fewer cells than the template").
    text = (FIXTURES / "rf024-pymupdf4llm-libreoffice.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / "rf024.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, "rf024")
    rows = ("carried_over", "partially_granted", "denied_state_secret", "denied_third_party", "denied_admin_query")
    keys = [k for k in gold["fields"] if k.split(".")[0] == "requests" and k.split(".")[1] in rows]
    assert len(keys) == 35
    assert {k: record["fields"][k] for k in keys} == {k: gold["fields"][k] for k in keys}


def test_a_table_piece_that_lost_its_blank_columns_is_placed_by_the_sums():
    # pymupdf4llm leaves out a column blank all down one page's piece of a table: rf007's table 3 goes on over a
    # page with six cells a row where the template has seven, its blank cells marked in columns nobody can name.
    # Those rows (every one as wide as the others) are placed by the template's sums, as a text without blank marks.
    text = (FIXTURES / "rf007-pymupdf4llm-libreoffice.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / "rf007.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, "rf007")
    result = evaluate({"r": gold}, {"r": {**record, "fields": {k: v for k, v in record["fields"].items()
                                                               if k.startswith("requests.")}}})
    wrong = [w["key"] for w in result["wrong"] if w["key"].startswith("requests.")]
    assert wrong == []
