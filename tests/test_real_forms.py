"""Real forms: the generator's saved pages are made as Word and site editors make them, and each tool's output
(made by running the tool) has the shape that tool gives a table.

The fast tools run on three pages; Chromium prints one page and LibreOffice converts one page, once each.
A missing program or package fails with the one-line error naming it (scripts/setup.sh installs them all).
"""
from __future__ import annotations

import importlib.util
import itertools
import json
import random
import re
import sys
from pathlib import Path

import pytest
from lxml import etree

from xxgk import schema
from xxgk.generate import random_record, render_report
from xxgk.generate import tools as tools_module
from xxgk.generate.document import APPEALS_LAYOUTS, ZERO_HABITS
from xxgk.generate.forms import A4_TEXT_WIDTH_PT, draw_page_style
from xxgk.generate.tools import (
    DOCX_LIBREOFFICE,
    DROPS_BLANKS,
    KEEPS_EVERY_CELL,
    LOSES_TABLES,
    PDF_CHROMIUM,
    TOOLS,
    ToolMissing,
    make_files,
    run_tool,
)

REPO = Path(__file__).resolve().parent.parent
A4_PAPER_PT = 595.3
ROW = "（七）总计"          # a label of table 3 short enough never to wrap or be broken by hand
BOX = set("┌┐└┘├┤┬┴┼│─")


def _record() -> dict:
    """A 2021 record whose total row of table 3 mixes numbers and zeros and whose table 4 is not all zero."""
    for seed in range(500):
        record = random_record("2021", random.Random(f"test-real-forms:{seed}"))
        row = _row(record, "total")
        if sum(v > 0 for v in row) >= 3 and 0 in row[:-1] and record["fields"]["appeals.review.total"] \
                and record["fields"]["disclosure.rules.in_force"] == 0:
            return record
    raise AssertionError("no record of the wanted shape in 500 draws")


def _row(record: dict, row: str) -> list:
    return [record["fields"][f"requests.{row}.{c}"] for c in schema.APPLICANT_COLUMNS]


# name: page habits fixed for the test (the others drawn)
PAGES = {
    "word": dict(shell="word", spans="char", cell_paragraphs=True, blank="o:p nbsp", wide=False, misaligned_row=True,
                 label_breaks=1.0, line_break="p", zeros="printed", appeals_layout="template"),
    "site": dict(shell="site", spans="word", cell_paragraphs=False, blank="nbsp", wide=False, misaligned_row=False,
                 label_breaks=0.0, zeros="blank", appeals_layout="grid_3x5"),
    "wide": dict(shell="site", spans="run", cell_paragraphs=False, blank="empty", wide=True, misaligned_row=False,
                 label_breaks=0.0, zeros="blank_all", appeals_layout="split"),
}


@pytest.fixture(scope="module")
def record():
    return _record()


@pytest.fixture(scope="module")
def pages(record, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name, habits in PAGES.items():
        rng = random.Random(f"test-real-forms-page:{name}")
        style = draw_page_style(rng, charset="utf-8", **habits)
        rendering = render_report(record, "html", rng, noise=0.0, page=style)
        assert rendering.page == {**rendering.page, **habits}
        path = folder / f"{name}.html"
        path.write_text(rendering.text, encoding="utf-8")
        out[name] = path
    return out


def _tables(page: Path) -> list:
    return etree.HTML(page.read_text(encoding="utf-8")).findall(".//table")


def _grid(table) -> list[list[str]]:
    """A table's rows with merged cells placed (a merged cell's text in its first slot, '' in the others);
    Word's zero-height row for misaligned columns left out."""
    rows = [tr for tr in table.iter("tr") if tr.get("height") != "0"]
    taken: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.findall("td"):
            while (r, c) in taken:
                c += 1
            text = re.sub(r"\s", "", "".join(td.itertext()))
            for dr in range(int(td.get("rowspan", 1))):
                for dc in range(int(td.get("colspan", 1))):
                    taken[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += int(td.get("colspan", 1))
    width = max(c for _, c in taken) + 1
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _number(text: str) -> int:
    return int(text) if text else 0

# ------------------------------------------------------------------------------------------------ the pages


def test_word_page_has_words_markup(pages, record):
    page = pages["word"].read_text(encoding="utf-8")
    assert 'name=ProgId content=Word.Document' in page and "@page WordSection1" in page
    assert "<p class=MsoNormal" in page and "<o:p>&nbsp;</o:p>" in page
    # a span per character: the label's characters each in their own span
    assert re.search(r">信</span><span[^>]*>息</span><span[^>]*>内</span>", page)
    assert "<![if !supportMisalignedColumns]>" in page
    # a hand-broken label is two paragraphs in its cell
    assert re.search(r"</p>\s*<p class=MsoNormal align=center[^>]*><span[^>]*>", page)
    site = pages["site"].read_text(encoding="utf-8")
    assert "ProgId" not in site and 'class="TRS_Editor"' in site and "<td" in site
    assert not re.search(r"<td[^>]*>\s*<p", site)        # the editor left the cells bare


def test_fixed_widths_make_wide_tables_wider_than_the_page(pages):
    def widths(page):
        return [float(re.search(r"width:([\d.]+)pt", t.get("style")).group(1)) for t in _tables(page)]
    assert all(w <= A4_TEXT_WIDTH_PT for w in widths(pages["word"]))
    disclosure, requests, *appeals = widths(pages["wide"])
    assert disclosure <= A4_TEXT_WIDTH_PT
    assert requests > A4_PAPER_PT and all(w > A4_PAPER_PT for w in appeals)


@pytest.mark.parametrize("page", list(PAGES))
def test_table4_layouts_hold_the_records_values(pages, record, page):
    layout = PAGES[page]["appeals_layout"]
    tables = _tables(pages[page])
    expected = [[record["fields"][k] for k in spec.keys] for spec in schema.template("2021").rows_of("appeals")]
    if layout == "template":
        assert len(tables) == 3
        grid = _grid(tables[2])
        assert len(grid[0]) == 15 and len(grid) == 4
        assert [_number(v) for v in grid[-1]] == [v for group in expected for v in group]
    elif layout == "grid_3x5":
        assert len(tables) == 3
        grid = _grid(tables[2])
        assert len(grid) == 4 and grid[0][-5:] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
        assert [[_number(v) for v in row[-5:]] for row in grid[1:]] == expected
        assert "行政复议" in grid[1] and any("复议后起诉" in cell for cell in grid[3])
    else:
        assert len(tables) == 5
        for table, values in zip(tables[2:], expected):
            assert [_number(v) for v in _grid(table)[-1]] == values
    assert set(APPEALS_LAYOUTS) == {PAGES[p]["appeals_layout"] for p in PAGES}


@pytest.mark.parametrize("page", list(PAGES))
def test_zero_habit_is_kept_through_the_report(pages, record, page):
    zeros = PAGES[page]["zeros"]
    disclosure, requests = (_grid(t) for t in _tables(pages[page])[:2])
    new = next(row for row in requests if ROW in row)[-7:]
    assert [_number(v) for v in new] == _row(record, "total")
    assert ("" in new) == (zeros != "printed") and ("0" in new) == (zeros == "printed")
    rules = next(row for row in disclosure if row[0] == "规章")       # 现行有效件数 is 0 in this record
    assert rules[-1] == ("" if zeros == "blank_all" else "0")
    assert set(ZERO_HABITS) == {PAGES[p]["zeros"] for p in PAGES}

# ------------------------------------------------------------------------------------------------ the tools


def _line_with(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if label in line)


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.])", text)]


def test_w3m_draws_tables_as_box_grids(pages, record):
    for name in ("w3m", "w3m-wide"):
        text = run_tool(name, pages["word"])
        line = _line_with(text, ROW)
        cells = [c.strip() for c in line.split("│")[-8:-1]]
        assert set(line) & BOX and cells == [str(v) for v in _row(record, "total")], name
    wide = run_tool("w3m-wide", pages["site"])
    blank_row = [c.strip() for c in _line_with(wide, ROW).split("│")[-8:-1]]
    assert [_number(c) for c in blank_row] == _row(record, "total") and "" in blank_row   # blank cells kept


def test_lynx_aligns_bare_cells_and_prints_paragraph_cells_one_per_line(pages, record):
    aligned = run_tool("lynx-wide", pages["site"])
    line = _line_with(aligned, ROW)
    assert _numbers(line.split(ROW)[1]) == [v for v in _row(record, "total") if v]
    assert re.search(r"\d {3,}\d", line)                          # the blank cells left as runs of spaces
    fallback = run_tool("lynx", pages["word"]).splitlines()
    at = next(i for i, line in enumerate(fallback) if ROW in line)
    assert fallback[at].strip() == ROW                         # the label alone on its line,
    following = [line.strip() for line in fallback[at + 1:] if line.strip()][:7]
    assert following == [str(v) for v in _row(record, "total")]      # then each cell on its own line


def test_pandoc_plain_makes_simple_and_grid_tables(pages, record):
    simple = run_tool("pandoc-plain", pages["site"])
    assert re.search(r"^\s+-{5,}( -{3,})+\s*$", simple, re.MULTILINE)       # a simple table's rule line
    assert _numbers(_line_with(simple, ROW).split(ROW)[1]) == [v for v in _row(record, "total") if v]
    grid = run_tool("pandoc-plain-wide", pages["word"])
    assert re.search(r"^\+-+\+", grid, re.MULTILINE) and re.search(r"^\|.*\|$", grid, re.MULTILINE)   # a grid table
    rows = re.split(r"^\+[-+=]+\+$", grid, flags=re.MULTILINE)
    assert any(block.count("\n") > 2 for block in rows)             # a row wrapped over several lines
    # at its default 72 columns, a table it cannot fit is printed as [TABLE]: its cells are gone
    lost = run_tool("pandoc-plain", pages["word"])
    assert "[TABLE]" in lost and ROW not in lost and TOOLS["pandoc-plain"].keeps == LOSES_TABLES


def test_markdown_tools_write_pipe_or_html_tables(pages, record):
    gfm = run_tool("pandoc-gfm", pages["site"])
    assert "<table>" in gfm or re.search(r"^\|.*\|$", gfm, re.MULTILINE)
    for name in ("html2text", "markdownify", "trafilatura-md"):
        text = run_tool(name, pages["word"])
        line = _line_with(text, ROW)
        assert "|" in line and _numbers(line.split(ROW)[1]) == _row(record, "total"), name


def test_text_tools_keep_the_values(pages, record):
    nonzero = [v for v in _row(record, "total") if v]
    for name in ("inscriptis", "trafilatura-txt", "bs4-raw"):
        text = run_tool(name, pages["wide"])
        assert _numbers(text.split(ROW, 1)[1])[:len(nonzero)] == nonzero, name
    line = _line_with(run_tool("inscriptis", pages["wide"]), ROW)
    assert re.search(r"\d {3,}\d", line)                             # inscriptis keeps blank cells as space


def test_per_character_spans_reach_the_text(pages):
    # Word's one span per character: inscriptis pads every inline element with a space, get_text("\n") puts
    # each text node on its own line.
    assert "总 计" in run_tool("inscriptis", pages["word"])
    lines = run_tool("bs4-strip", pages["word"]).splitlines()
    assert any(a == "总" and b == "计" for a, b in itertools.pairwise(lines))


def test_get_text_strip_drops_blank_cells_without_a_trace(pages, record):
    lines = run_tool("bs4-strip", pages["wide"]).splitlines()
    at = lines.index(ROW)
    nonzero = [v for v in _row(record, "total") if v]
    assert [int(x) for x in lines[at + 1:at + 1 + len(nonzero)]] == nonzero
    assert not lines[at + 1 + len(nonzero)].strip().isdigit()       # the next line is the next row's label
    assert TOOLS["bs4-strip"].keeps == DROPS_BLANKS and TOOLS["bs4-raw"].keeps == KEEPS_EVERY_CELL

# ------------------------------------------------------------------------------------------------ files


def test_chromium_pdf_and_the_pdf_text_tools(pages, record, tmp_path):
    files = make_files({"site": pages["site"]}, tmp_path, {PDF_CHROMIUM})
    pdf = files[PDF_CHROMIUM]["site"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    nonzero = [v for v in _row(record, "total") if v]
    layout = run_tool("pdftotext-layout@chromium", pdf)
    line = _line_with(layout, ROW)
    assert _numbers(line.split(ROW)[1]) == nonzero and re.search(r"\d {6,}\d", line)  # blank cells: space
    plain = run_tool("pdftotext@chromium", pdf)
    assert ROW in plain and all(str(v) in plain for v in nonzero)
    assert not re.search(r"\d {3,}\d", plain)                         # reading order: the blank cells are gone
    for name in ("pymupdf@chromium", "pdfplumber@chromium"):
        assert ROW in re.sub(r"\s", "", run_tool(name, pdf)), name
    assert make_files({"site": pages["site"]}, tmp_path, {PDF_CHROMIUM})[PDF_CHROMIUM]["site"].stat().st_mtime \
        == pdf.stat().st_mtime                                        # made once, reused


def test_libreoffice_word_file_holds_the_tables(pages, record, tmp_path):
    import docx
    files = make_files({"word": pages["word"]}, tmp_path, {DOCX_LIBREOFFICE})
    document = docx.Document(str(files[DOCX_LIBREOFFICE]["word"]))
    assert len(document.tables) >= 3
    rows = [[c.text.strip() for c in row.cells] for t in document.tables for row in t.rows]
    new = next(row for row in rows if any(ROW in c for c in row))
    assert [int(v) for v in new[-7:]] == _row(record, "total")

# ------------------------------------------------------------------------------------------------ errors


def test_a_missing_program_is_one_clear_error(pages, monkeypatch):
    monkeypatch.setattr(tools_module.shutil, "which", lambda name: None)
    with pytest.raises(ToolMissing) as error:
        run_tool("w3m", pages["word"])
    message = str(error.value)
    assert "\n" not in message and "w3m is not installed" in message and "scripts/setup.sh" in message
    with pytest.raises(ToolMissing, match="pdftotext is not installed.*poppler-utils"):
        run_tool("pdftotext@chromium", pages["word"])


def test_a_missing_package_is_one_clear_error(pages, monkeypatch):
    monkeypatch.setitem(sys.modules, "html2text", None)
    with pytest.raises(ToolMissing, match=r"^the Python package html2text is not installed \(pip install"):
        run_tool("html2text", pages["word"])


def test_unknown_tool_form_is_refused(pages):
    with pytest.raises(ValueError, match="unknown tool form"):
        run_tool("w4m", pages["word"])

# ------------------------------------------------------------------------------------------------ harness


def _harness():
    spec = importlib.util.spec_from_file_location("real_forms", REPO / "eval" / "real_forms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_harness_rotates_every_layout_zero_habit_and_template():
    reports = _harness().plan(27, seed=3, noise=0.0)
    assert len({(r["layout"], r["zeros"], r["kind"]) for r in reports}) == 27
    assert {r["appeals_layout"] for r in reports} == set(APPEALS_LAYOUTS)


def test_harness_scores_each_tool_form_and_reuses_its_outputs(tmp_path, capsys):
    harness = _harness()
    argv = ["--n", "3", "--seed", "1", "--tools", "w3m,bs4-*", "--keep", str(tmp_path / "work"),
            "--json", str(tmp_path / "out.json"), "--jobs", "1", "--details"]
    assert harness.main(argv) == 0
    printed = capsys.readouterr().out
    assert "| w3m | every cell | 3 |" in printed and "| bs4-strip | drops blanks | 3 |" in printed
    results = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert set(results["tools"]) == {"w3m", "bs4-strip", "bs4-raw"}
    assert set(results["tools"]["w3m"]["splits"]["layout"]) == set(APPEALS_LAYOUTS)
    assert len(results["reports"]) == 3 and all(r["zeros"] == "printed" for r in results["reports"].values())
    output = next((tmp_path / "work" / "out" / "w3m").glob("*.txt"))
    before = output.stat().st_mtime_ns
    assert harness.main(argv) == 0
    assert output.stat().st_mtime_ns == before                      # a kept run's outputs are reused
