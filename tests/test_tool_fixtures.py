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
    # rf022 (get_text strip): 新收政府信息公开申请数量, the wrapped half of 一、本年, was read again as the missing
    # 二、上年结转 and took row one's values, row one left "nothing printed" at 0.95; s5rf035 (inscriptis): a
    # label's broken half (信息) under its row, read as a row of blank cells, took 6.属于四类过程性's place.
    text = (FIXTURES / name).read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name.split('-')[0]}.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, name)
    result = evaluate({"r": gold}, {"r": record})
    assert [(w["key"], w["gold"], w["read"]) for w in result["wrong"] if not w["flagged"]] == []


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


def test_libreoffice_text_of_the_split_table_4_is_read():
    # LibreOffice's text export sets each cell on a line of its own: no row end parts a small table's column
    # heads from its row, whose five cells follow the last head (结果维持 … 总计, then 1 and 1 among blanks).
    text = (FIXTURES / "rf023-libreoffice-txt.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / "rf023.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, "rf023-libreoffice-txt.txt")
    appeals = {k: v for k, v in gold["fields"].items() if k.startswith("appeals.")}
    assert {k: record["fields"].get(k) for k in appeals} == appeals


def test_beautifulsoups_text_of_the_grid_table_4_is_read():
    # BeautifulSoup's get_text() parts every cell from the next by empty lines: a row end after each cell, so
    # a group's five cells are the single cells between its name and the next (1, three blanks, 1).
    text = (FIXTURES / "rf022-bs4-raw.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / "rf022.gold.json").read_text(encoding="utf-8"))
    record = extract_text(text, "rf022-bs4-raw.txt")
    appeals = {k: v for k, v in gold["fields"].items() if k.startswith("appeals.")}
    assert {k: record["fields"].get(k) for k in appeals} == appeals
