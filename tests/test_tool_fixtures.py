"""Texts real tools made of generated reports (tests/fixtures/forms): nothing in them is read wrong unflagged."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk.evaluate import evaluate
from xxgk.pipeline import extract_text
from xxgk.readers.textgrid import text_grids

FIXTURES = Path(__file__).parent / "fixtures" / "forms"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_a_real_tools_text_has_no_silent_wrong_cell(name):
    # rf036 (pdftotext -layout): 5.属于三类内部 / its values / 事务信息 swapped two rows' 1s at confidence 1;
    # rf035 (pymupdf4llm): the review row's values set around the next table's name became that group's;
    # rf036 (plain pdftotext): the three groups' names printed before all fifteen numbers, the last group took the
    # first five;
    # rf014, rf020 (plain pdftotext): a table's labels stacked, its numbers after them; the number after the
    # last label was that row's at confidence 1, the rows above it unread;
    # s0rf009 (plain pdftotext, seed 0): table 4's last group printed 0 1 0 0 1 for 1 0 0 0 1 under stacked heads,
    # read in order at 0.9 because its total holds whichever column the 1 stands in;
    # rf022 (get_text strip): 新收政府信息公开申请数量, the wrapped half of 一、本年, was read again as the missing
    # 二、上年结转 and took row one's values, row one left "nothing printed" at 0.95; s5rf035 (inscriptis): a
    # label's broken half (信息) under its row, read as a row of blank cells, took 6.属于四类过程性's place.
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
    # LibreOffice's text: no row end between a small table's heads and its row (1 and 1 among blanks)
    "rf023-libreoffice-txt.txt",
    # get_text(): a row end after each cell; a group's five cells are the single cells up to the next name
    "rf022-bs4-raw.txt",
    # lynx's paragraph cells: a value and an empty line each, a blank cell one more empty line; a group's name
    # wrapped (未经复议直接 / 起诉)
    "rf013-lynx.txt",
])
def test_table_4_read_whole_from_a_cell_per_line(name):
    gold, fields = _read(name)
    keys = [k for k in gold if k.startswith("appeals.")]
    assert len(keys) == 15
    assert {k: fields.get(k) for k in keys} == {k: gold[k] for k in keys}


@pytest.mark.parametrize("name", ["rf003-inscriptis.txt", "rf014-inscriptis.txt", "rf027-inscriptis.txt"])
def test_inscriptis_tables_laid_out_by_cell_index_are_read_cell_by_cell(name):
    # inscriptis sets each row's cells at the table's stops by their index, not under their column: a row with
    # two label cells has its values a stop further right, a blank cell keeps only its two spaces. Read by
    # position, blank cells put values under the wrong heads; every cell must be read, none flagged.
    text = (FIXTURES / name).read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name.split('-')[0]}.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, name)
    result = evaluate({"r": gold}, {"r": record})
    assert [(w["key"], w["gold"], w["read"]) for w in result["wrong"]] == []
    assert any(t["strategy"] == "index" for t in text_grids(text)[1])


def test_a_pdfs_layout_text_is_not_read_by_cell_index():
    # pdftotext -layout ends each line at its last word; a short block of it once passed the stops' test by
    # chance and its rows were read by index (rf023: 15 wrong cells became 164).
    text = (FIXTURES / "rf023-pdftotext-layout-chromium.txt").read_text(encoding="utf-8")
    assert not [t for t in text_grids(text)[1] if t["strategy"] == "index"]

