"""Table 4 in every layout real pages print it in, read from what the real tools make of the page.

The pages are the generator's saved pages with table 4 as the template's one row of fifteen, as three rows of
five with the groups down the side, and as three small tables; each is run through the tool (markdownify,
html2text, trafilatura, w3m, inscriptis) and read back. A table 4 that is not there must leave its cells
unread, never take table 3's last row (四、结转下年度继续办理) for its own.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from lxml import etree, html

from xxgk import schema
from xxgk.generate import random_record, render_report
from xxgk.generate.forms import draw_page_style
from xxgk.generate.tools import run_tool
from xxgk.pipeline import extract_text
from xxgk.tables import appeals
from xxgk.tables.rowlabels import classify_tokens
from xxgk.tables.tokens import tokenize
from xxgk.options import DEFAULT_OPTIONS

APPEAL_KEYS = [f"appeals.{g}.{c}" for g in schema.APPEAL_GROUPS for c in schema.APPEAL_COLUMNS]
SURE = 0.9
TOOLS = ("markdownify", "html2text", "trafilatura-txt", "w3m")


# Table 4's cells, every group holding cases (records drawn at random seldom do: most bodies have no suit).
APPEALS = {"review": [3, 1, 0, 2, 6], "litigation_direct": [1, 0, 2, 0, 3], "litigation_after_review": [0, 2, 1, 1, 4]}


def _record(template: str = "2021") -> dict:
    """A record whose table 3 carries cases forward, with every group of table 4 holding cases."""
    for seed in range(200):
        record = random_record(template, random.Random(f"test-appeals:{seed}"))
        if record["fields"]["requests.carried_forward.total"] > 0:
            for group, values in APPEALS.items():
                record["fields"].update(zip((f"appeals.{group}.{c}" for c in schema.APPEAL_COLUMNS), values))
            return record
    raise AssertionError("no record of the wanted shape")


@pytest.fixture(scope="module")
def record():
    return _record()


def _page(record: dict, tmp_path, name: str, variant=None, **habits) -> Path:
    """The record's saved page with these habits (the others drawn); with ``variant``, the first page drawn
    whose table-4 tables (lxml elements) it accepts."""
    for attempt in range(50):
        rng = random.Random(f"test-appeals-page:{name}:{attempt}")
        style = draw_page_style(rng, charset="utf-8", wide=False, **habits)
        rendering = render_report(record, "html", rng, noise=0.0, page=style)
        if variant is None or variant(html.fromstring(rendering.text).findall(".//table")[2:]):
            path = tmp_path / f"{name}.html"
            path.write_text(rendering.text, encoding="utf-8")
            return path
    raise AssertionError(f"no page of the variant {name}")


def _grouped(tables) -> bool:
    """行政诉讼 merged over its two kinds of suit (a rowspan), in the 3x5 layout."""
    return "rowspan" in etree.tostring(tables[0], encoding="unicode")


def _named_inside(tables) -> bool:
    """Each small table names its group in its first row (three rows), not in a line above it."""
    return all(len(t.findall(".//tr")) == 3 for t in tables)


def _read_right(got: dict, record: dict) -> list[str]:
    """The table-4 keys not read as the record has them, or read with doubt."""
    return [k for k in APPEAL_KEYS
            if got["fields"][k] != record["fields"][k] or got["cells"][k]["confidence"] < SURE]


# Both variants of each layout the generator draws: 行政诉讼 merged over its two suits or each suit named alone
# (grid_3x5), each small table named in its first row or in a line above it (split); cells in <p> or bare.
LAYOUT_PAGES = {
    "grid_3x5-grouped": dict(variant=_grouped, appeals_layout="grid_3x5", shell="word", zeros="printed",
                             misaligned_row=True),
    "grid_3x5-alone": dict(variant=lambda t: not _grouped(t), appeals_layout="grid_3x5", shell="site",
                           zeros="blank", cell_paragraphs=False),
    "split-inside": dict(variant=_named_inside, appeals_layout="split", shell="word", zeros="blank_all"),
    "split-caption": dict(variant=lambda t: not _named_inside(t), appeals_layout="split", shell="site",
                          zeros="printed", cell_paragraphs=False),
    "template": dict(appeals_layout="template", shell="word", zeros="blank"),
}


@pytest.mark.parametrize("page", list(LAYOUT_PAGES))
@pytest.mark.parametrize("tool", TOOLS)
def test_table4_is_read_in_every_layout(record, tmp_path, page, tool):
    path = _page(record, tmp_path, page, **LAYOUT_PAGES[page])
    got = extract_text(run_tool(tool, path), page)
    assert _read_right(got, record) == [], (tool, page)
    assert got["tables"]["appeals"]["found"]


def test_a_group_name_wrapped_around_its_values_holds_them(record, tmp_path):
    # A name the author broke in two (行政诉<br>讼未经复议直接起诉): inscriptis centres the row's values on the
    # middle line of the cell, between the name's two lines: 行政诉 / 0 0 0 0 0 / 讼未经复议直接起诉.
    path = _page(record, tmp_path, "broken", variant=lambda t: not _grouped(t), appeals_layout="grid_3x5",
                 shell="word", spans="run", zeros="printed", label_breaks=1.0, line_break="p")
    text = run_tool("inscriptis", path)
    table4 = text[text.index("行政复议、行政诉讼情况"):]
    lines = [line for line in table4.splitlines() if line.strip()]
    wrapped = [k for k in range(1, len(lines) - 1) if re.fullmatch(r"[\s\d]+", lines[k])
               and not re.search(r"\d", lines[k - 1]) and not re.search(r"\d", lines[k + 1])]
    assert wrapped, "\n".join(lines[:12])             # the shape this test is about
    got = extract_text(text, "broken")
    assert _read_right(got, record) == []


def _without_table4(path) -> str:
    """The page with table 4's tables taken out: its heading stays, followed by a sentence."""
    tree = html.fromstring(path.read_text(encoding="utf-8"))
    for table in tree.findall(".//table")[2:]:
        table.getparent().remove(table)
    return html.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("tool", ("html2text", "markdownify", "w3m"))
def test_table3s_last_row_is_never_table4(record, tmp_path, tool):
    # Word's misaligned-row habit adds an empty row after table 3's last row (四、结转下年度继续办理), so that its
    # cells and the blanks after them make more than fifteen: read backwards from table 4's heading, they were
    # taken for table 4's (66 as litigation_direct.corrected).
    path = _page(record, tmp_path, "gone", appeals_layout="template", shell="word", zeros="printed",
                 misaligned_row=True)
    path.write_text(_without_table4(path), encoding="utf-8")
    got = extract_text(run_tool(tool, path), "gone")
    assert got["fields"]["requests.carried_forward.total"] == record["fields"]["requests.carried_forward.total"]
    assert [k for k in APPEAL_KEYS if got["cells"][k]["kind"] != "missing"] == []


def test_a_header_run_together_is_no_groups_name():
    """A one-line page's header, every group's name run together with the column heads, is one label: the
    values after it are the fifteen cells or nothing, never one group's five."""
    heads = "结果维持 结果纠正 其他结果 尚未审结 总计"
    text = (f"四、结转下年度继续办理 0 0 0 0 0 0 0 四、政府信息公开行政复议、行政诉讼情况行政复议 行政诉讼{heads} "
            f"未经复议直接起诉复议后起诉{heads}{heads} 0 / 123 / 5 五、存在的主要问题及改进情况")
    tokens = tokenize(text)
    matches = classify_tokens(tokens, DEFAULT_OPTIONS)
    zone = appeals.locate(tokens, matches, 0)
    assert zone is not None
    assert appeals.a_row_per_group(tokens, matches, zone, DEFAULT_OPTIONS) is None


def test_a_group_name_set_among_another_groups_values_holds_none_of_them():
    # pymupdf4llm's Markdown of LibreOffice's PDF of the three-table layout: the review row's values 3 . . 1 4
    # on one line with the next table's name in the third cell. Read after the name, 1 and 4 (and 3) became
    # litigation_direct's with confidence 1; which group they are is not in this line.
    rng = random.Random("among-values")
    record = random_record("2019", rng)
    text = render_report(record, "markdown", rng, noise=0.0).text
    head = text.index("四、政府信息公开行政复议")
    tail = text.index("五、", head)
    table4 = ("四、政府信息公开行政复议、行政诉讼情况\n\n### 行政复议\n\n|结果维持|结果纠正|其他结果|尚未审结|总计|\n"
              "|---|---|---|---|---|\n|3||未经复议直接起诉|1|4|\n|结果维持|结果纠正|其他结果|尚未审结|总计|\n"
              "|||复议后起诉|||\n|结果维持|结果纠正|其他结果|尚未审结|总计|\n\n")
    got = extract_text(text[:head] + table4 + text[tail:], "among")
    for column, value in zip(("upheld", "corrected", "other", "pending", "total"), (3, 0, 0, 1, 4)):
        cell = got["cells"][f"appeals.litigation_direct.{column}"]
        assert cell["kind"] == "missing" or cell["confidence"] < 0.9 or cell["value"] == 0, (column, cell)


@pytest.mark.parametrize("page", [4, 16, 21])
def test_table_4_run_together_is_cut_where_its_group_totals_hold(page):
    """A one-line page whose fifteen cells ran together into long digit runs: cut by the three group totals,
    every cell as printed (listing every cut stopped at the limit before the one that holds, and left them
    unread or in doubt, after a second of work)."""
    from xxgk.generate.longruns import long_run_report

    text, gold, _ = long_run_report(random.Random(f"cmp:{page}"), (30, 60, 100)[page % 3])
    record = extract_text(text)
    assert [record["fields"][k] for k in APPEAL_KEYS] == [gold["fields"][k] for k in APPEAL_KEYS]
    assert all(record["cells"][k]["kind"] not in ("ambiguous", "missing") for k in APPEAL_KEYS)
