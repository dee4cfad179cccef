"""Readers: HTML, PDF, DOCX/DOC and Markdown reports read back into the same record as their source.

The PDF and Word files are made at test time from generated labelled records by the programs that make
them in the wild (Chromium, LibreOffice, WeasyPrint, python-docx); CI installs them (scripts/setup.sh).
A missing program fails its tests with a message naming it.
"""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk.readers import pdf as pdf_reader
from xxgk import schema
from xxgk.cli import app
from xxgk.pipeline import extract_bytes, extract_file, read_report
from xxgk.generate import gold_of, random_record, render, render_report
from xxgk.readers.html import html_blocks, html_to_text
from xxgk.generate.producers import ProducerMissing, chromium_pdf, libreoffice_convert, python_docx, weasyprint_pdf
from xxgk.readers import NeedsOCR, ReadError, read_bytes, read_file, sniff
from xxgk.tables.judge import TemplateJudge
from xxgk.text import fold_lookalikes


def _needs(program: str) -> None:
    if shutil.which(program) is None:
        pytest.fail(f"{program} is not installed: run scripts/setup.sh (APT_READERS)")


def render_free_markup(page: Path) -> str:
    """The saved page's markup (written in GB18030 when it declares GBK)."""
    data = page.read_bytes()
    return data.decode("gb18030" if b"charset=gbk" in data else "utf-8")


def _wrong_fields(record: dict, gold: dict) -> dict:
    assert record["template"] == gold["template"]
    assert list(record["fields"]) == list(schema.template(gold["template"]).keys)
    return {k: (v, record["fields"][k]) for k, v in gold["fields"].items() if record["fields"][k] != v}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Two labelled reports (a 2019 one and a 2021 hybrid) as saved pages, with their gold."""
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name, template, hybrid in (("r2019", "2019", False), ("r2021h", "2021", True)):
        rng = random.Random(f"test-readers:{name}")
        record = random_record(template, rng, hybrid=hybrid)
        rendering = render_report(record, "html", rng, noise=0.3)
        page = folder / f"{name}.html"
        page.write_bytes(rendering.text.encode("gb18030" if rendering.charset == "gbk" else "utf-8"))
        out[name] = (page, gold_of(record))
    return out


@pytest.fixture(scope="module")
def pdfs(reports, tmp_path_factory):
    """Every report printed to PDF by Chromium, LibreOffice and WeasyPrint."""
    _needs("chromium")
    _needs("soffice")
    folder = tmp_path_factory.mktemp("pdf")
    pages = {name: page for name, (page, _) in reports.items()}
    made = {}
    libreoffice = libreoffice_convert(list(pages.values()), folder / "libreoffice", "pdf")
    for (name, page), lo in zip(pages.items(), libreoffice):
        made[(name, "libreoffice")] = lo
        made[(name, "chromium")] = chromium_pdf(page, folder / f"{name}-chromium.pdf")
        made[(name, "weasyprint")] = weasyprint_pdf(page, folder / f"{name}-weasyprint.pdf")
    return made

# ------------------------------------------------------------------------------------------------ HTML


def test_html_table_spans_become_a_grid_with_blank_cells_in_place():
    page = """<html><body><div class="nav"><p>首页 | 政务公开</p></div>
    <table><tr><td rowspan="2">信息内容</td><td colspan="3">第二十条第（一）项</td></tr>
    <tr><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
    <tr><td>规章</td><td>&nbsp;</td><td>0</td><td><p>1</p><p>2</p></td></tr></table>
    <div class="footer">版权所有</div></body></html>"""
    text = html_to_text(page)
    assert text.split("\n") == ["信息内容\t第二十条第（一）项\t\t", "\t本年制发件数\t本年废止件数\t现行有效件数",
                                "规章\t\t0\t1 2"]


def test_html_layout_table_is_walked_and_its_inner_table_kept():
    page = """<html><body><table><tr><td><p>标题</p>
    <table><tr><td>科研<br>机构</td><td>5</td></tr></table></td><td>侧栏</td></tr></table></body></html>"""
    blocks = html_blocks(page)
    grids = [b for b in blocks if not isinstance(b, str)]
    assert len(grids) == 1 and grids[0].rows() == [["科研机构", "5"]]
    assert "标题" in blocks and "侧栏" in blocks


@pytest.mark.parametrize("declared,encoding", [("utf-8", "gb18030"), ("gbk", "utf-8"), ("gb2312", "gb18030")])
def test_html_charset_is_read_from_the_bytes_not_the_meta(declared, encoding):
    record = random_record("2019", random.Random(3))
    page = render(record, "html", random.Random(4))
    page = page.replace("charset=gbk", f"charset={declared}").replace("charset=utf-8", f"charset={declared}")
    result = extract_bytes(page.encode(encoding), "page.html")
    assert result["issuer"] == record["issuer"]
    assert _wrong_fields(result, gold_of(record)) == {}


def test_saved_pages_read_back_exactly(reports):
    for page, gold in reports.values():
        record = extract_file(page)
        assert record["source"]["reader"] == "html"
        assert [t["strategy"] for t in record["source"]["tables"]] == ["grid"] * 3
        assert (record["year"], record["issuer"]) == (gold["year"], gold["issuer"])
        assert _wrong_fields(record, gold) == {}

# ------------------------------------------------------------------------------------------------ PDF


@pytest.mark.parametrize("producer", ["chromium", "libreoffice", "weasyprint"])
def test_pdf_reports_read_back_exactly(pdfs, reports, producer):
    for name, (_, gold) in reports.items():
        record = extract_file(pdfs[(name, producer)])
        assert record["source"]["reader"] == "pdf"
        assert (record["year"], record["issuer"]) == (gold["year"], gold["issuer"])
        assert _wrong_fields(record, gold) == {}, f"{name} by {producer}"
        tables = record["source"]["tables"]
        assert tables and all(t["strategy"] in ("pdfplumber", "lattice", "stream") for t in tables)
        assert all(t["page"] >= 1 and t["rows"] > 0 and t["cols"] > 0 and "score" in t for t in tables)


def test_pdf_tables_across_page_breaks_are_stitched(pdfs):
    continued = [t for path in pdfs.values() for t in read_report(path).tables_meta if "continues_from_page" in t]
    assert continued, "table 3 runs over a page break in these renderings"
    assert all(t["continues_from_page"] == t["page"] - 1 for t in continued)


def test_chromium_header_footer_and_radical_lookalikes_are_gone(pdfs, reports):
    doc = read_report(pdfs[("r2019", "chromium")])
    page, _ = reports["r2019"]
    assert "file://" not in doc.text and page.name not in doc.text        # the footer's URL
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in doc.text)
    assert not any(line.strip() in ("1/4", "2/4", "1/5", "2/5") for line in doc.text.split("\n"))


def test_lookalike_characters_are_normalised():
    assert fold_lookalikes("⽂件 ⾏政 人⺠ 首⻚ \uf900") == "文件 行政 人民 首页 \u8c48"


# Ordinary characters as some producers print them: a Kangxi radical (⽂ 文, ⾏ 行, ⼈ 人) or a supplement radical
# (⺠ 民, ⻚ 页).
LOOKALIKE_SPELLINGS = {"文": "⽂", "行": "⾏", "人": "⼈", "民": "⺠", "页": "⻚"}


@pytest.mark.parametrize("form", ["html", "tab_rows", "markdown", "docx"])
def test_lookalike_characters_read_as_ordinary_ones_in_every_format(form, tmp_path):
    # Folded by the readers, not by the PDF reader alone: a web page, a Word file or a text that prints 人⺠政府 or
    # ⽂件 gives the same text, issuer and cells as one that prints 人民政府 and 文件.
    for seed in range(100):
        rng = random.Random(seed)
        record = random_record("2021", rng)
        if "人民政府" in record["issuer"]:
            break
    page = render(record, "html" if form == "docx" else form, rng, noise=0.0)
    disguised = page.translate(str.maketrans(LOOKALIKE_SPELLINGS))
    assert disguised != page and "⺠" in disguised
    if form == "docx":
        data = python_docx(disguised, tmp_path / "report.docx").read_bytes()
    else:
        data = disguised.encode("utf-8")
    doc = read_bytes(data, tmp_path / "report")
    assert doc.reader == {"tab_rows": "text"}.get(form, form)
    assert not set(LOOKALIKE_SPELLINGS.values()) & set(doc.text)
    got = extract_bytes(data, "report")
    assert got["issuer"] == record["issuer"]
    assert _wrong_fields(got, gold_of(record)) == {}


def test_a_scanned_pdf_needs_ocr_and_the_message_names_the_extra(tmp_path, monkeypatch):
    from PIL import Image, ImageDraw

    from xxgk.readers import ocr

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 300), outline="black", width=3)
    path = tmp_path / "scan.pdf"
    image.save(path, "PDF")
    monkeypatch.setattr(ocr, "available", lambda: False)      # the extra not installed
    with pytest.raises(NeedsOCR, match=r"needs OCR.*xxgk\[ocr\]"):
        read_file(path)
    assert issubclass(NeedsOCR, ReadError)


def test_a_broken_pdf_is_a_read_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF")
    with pytest.raises(ReadError, match="broken.pdf"):
        read_file(path)


def test_a_row_cut_by_the_page_break_is_joined_but_a_new_row_is_not():
    judge = TemplateJudge()
    last = ["", "（二）部分公开（区分处理的，只计这一", "", "", ""]
    assert pdf_reader._cut_row(last, ["", "情形，不计其他情形）", "3", "0", "3"], judge)
    blank_row = ["", "1.属于国家秘密", "", "", ""]
    assert not pdf_reader._cut_row(blank_row, ["", "2.其他法律行政法规禁止公开", "0", "1", "1"], judge)
    assert not pdf_reader._cut_row(["", "（一）予以公开", "1", "0", "1"], ["", "部分", "2", "0", "2"], judge)
    assert not pdf_reader._cut_row(last, ["", "情形，不计其他情形）", "3", "0", "3"], None)   # no judge, no join


def test_a_row_cut_by_the_page_break_with_its_groups_name_is_joined():
    # s67rf015 (LibreOffice's PDF of a report, seed 67, every zero blank): the page break cut 2.其他法律行 / 政法规禁止
    # 公开 and its group's merged name （三）不予公 / 开 together; the continuation's 开 stood in a column where the
    # row above the break holds nothing (the group's name is printed rows higher), so the row was not joined,
    # and its 3 3 went to 1.属于国家秘密 at confidence 0.95, 2.其他法律行政法规禁止公开 read blank (four silent cells).
    fixtures = Path(__file__).parent / "fixtures" / "forms"
    gold = json.loads((fixtures / "s67rf015.gold.json").read_text(encoding="utf-8"))["fields"]
    fields = extract_file(fixtures / "s67rf015-libreoffice.pdf")["fields"]
    row = [k for k in gold if k.startswith("requests.denied_")]
    assert len(row) == 56 and [k for k in row if fields.get(k) != gold[k]] == []
    text = read_report(fixtures / "s67rf015-libreoffice.pdf").text
    assert "\t（三）不予公开\t1.属于国家秘密\t" in text and "\t2.其他法律行政法规禁止公开\t3\t" in text
    # the group's name is not taken for a cut when the continuation is a new row of the group
    judge = TemplateJudge()
    before = [["", "（三）不予公", "1.属于国家秘密", "", ""], ["", "", "2.其他法律行政法规禁止公开", "", ""]]
    first = ["", "开", "3.危及“三安全一稳定”", "", ""]
    merged = pdf_reader._merged_from_above(before, first)
    assert merged == {1: 0} and not pdf_reader._cut_row(before[-1], first, judge, merged)


def test_a_row_cut_at_the_page_foot_keeps_its_label_cell_beside_a_merged_column():
    # s89rf003 (Chromium's PDF, seed 89, page 3 of 4): the page break cut table 3's last row, 四、结转下年度继续办理,
    # whose label spans two columns; its bottom ruling was not drawn, and the ruling that closed it reached only
    # the table the finder saw, which left out the merged column of 三、本年度办理结果 (closed at neither end on
    # this page). The row was read with its value cells only, its label printed as text outside: the row was not
    # found and its seven blank cells were missing (flagged).
    import pdfplumber

    fixture = Path(__file__).parent / "fixtures" / "forms" / "s89rf003-chromium-p3.pdf"
    with pdfplumber.open(fixture) as pdf:
        page = pdf_reader._read_page(pdf.pages[0])
    last = page.fragments[-1].rows[-1]
    assert last[0] == "四、结转下年度继续办理" and all(cell == "" for cell in last[3:])
    assert not any("四、" == line.text for line in page.lines)


def test_a_doubtful_table_is_replaced_by_the_candidate_that_fits_the_template(monkeypatch):
    rows = {"一、本年新收政府信息公开申请数量": [3, 0, 0, 0, 0, 1, 4], "二、上年结转政府信息公开申请数量": [1, 0, 0, 0, 0, 0, 1],
            "（七）总计": [4, 0, 0, 0, 0, 1, 5], "四、结转下年度继续办理": [0, 0, 0, 0, 0, 0, 0]}
    labels, values = list(rows), [[str(v) for v in vs] for vs in rows.values()] + [["0"] * 7]
    good = [[label] + v for label, v in zip(labels + [""], values)]
    # Labels one row too low, as camelot's lattice once put them on a LibreOffice PDF.
    shifted = [[label] + v for label, v in zip([""] + labels, values)]
    page = pdf_reader.Page(1, 600, 800, [], [pdf_reader.Fragment(1, (0, 100, 500, 300), shifted, "pdfplumber")])
    judge = TemplateJudge()
    pdf_reader._trial([page], judge)
    assert pdf_reader._doubtful(page.fragments[0])
    monkeypatch.setattr(pdf_reader, "_camelot", lambda data, numbers, flavor: {
        1: [pdf_reader.Fragment(1, (0, 100, 500, 300), good, flavor)]} if flavor == "lattice" else {})
    pdf_reader._second_opinion(b"", [page], judge)
    kept = page.fragments[0]
    assert kept.strategy == "lattice" and kept.rows == good
    assert kept.rejected["pdfplumber"]["sums_failed"] > 0 and kept.score.failed == 0

# ------------------------------------------------------------------------------------------------ Word


def test_docx_merged_cells_are_placed_on_the_grid(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某县人民政府2021年政府信息公开工作年度报告")
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "信息内容"
    table.cell(0, 1).merge(table.cell(0, 3)).text = "第二十条第（一）项"
    for c, text in enumerate(["本年制发件数", "本年废止件数", "现行有效件数"], 1):
        table.cell(1, c).text = text
    for c, text in enumerate(["规章", "", "0", "2"]):
        table.cell(2, c).text = text
    path = tmp_path / "merged.docx"
    document.save(path)
    doc = read_file(path)
    assert doc.reader == "docx" and doc.tables_meta[0]["cols"] == 4
    assert doc.text.split("\n")[1:] == ["信息内容\t第二十条第（一）项\t\t", "\t本年制发件数\t本年废止件数\t现行有效件数",
                                        "规章\t\t0\t2"]


def test_docx_reports_read_back_exactly(reports, tmp_path):
    _needs("soffice")
    pages = [page for page, _ in reports.values()]
    by_libreoffice = libreoffice_convert(pages, tmp_path / "lo", "docx")
    for (page, gold), lo in zip(reports.values(), by_libreoffice):
        built = python_docx(render_free_markup(page), tmp_path / f"{page.stem}.docx")
        for path in (lo, built):
            record = extract_file(path)
            assert record["source"]["reader"] == "docx"
            assert (record["year"], record["issuer"]) == (gold["year"], gold["issuer"])
            assert _wrong_fields(record, gold) == {}, path.name


def test_old_doc_goes_through_libreoffice(reports, tmp_path):
    _needs("soffice")
    page, gold = reports["r2021h"]
    built = python_docx(render_free_markup(page), tmp_path / "report.docx")
    doc_file = libreoffice_convert([built], tmp_path / "doc", "doc")[0]
    record = extract_file(doc_file)
    assert record["source"]["reader"] == "doc"
    assert _wrong_fields(record, gold) == {}


def test_old_doc_without_libreoffice_says_what_to_install(reports, tmp_path, monkeypatch):
    _needs("soffice")
    page, _ = reports["r2019"]
    doc_file = libreoffice_convert([python_docx(render_free_markup(page), tmp_path / "r.docx")], tmp_path, "doc")[0]
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match="LibreOffice"):
        read_file(doc_file)
    with pytest.raises(ProducerMissing, match="chromium"):
        chromium_pdf(page, tmp_path / "x.pdf")

# ------------------------------------------------------------------------------------------------ Markdown


def test_markdown_from_converters_reads_back():
    record = random_record("2021", random.Random(11))
    text = render(record, "markdown", random.Random(12), noise=0.6)
    # what converters add inside cells: bold header cells, <br> line breaks, escaped pipes
    lines = []
    for line in text.split("\n"):
        if line.startswith("| ") and "本年新收" in line:
            line = line.replace("本年新收", "**本年新收**").replace("申请数量", "申请<br>数量")
        lines.append(line)
    result = extract_bytes("\n".join(lines).encode("utf-8"), "converted.md")
    assert result["source"]["reader"] == "markdown"
    assert _wrong_fields(result, gold_of(record)) == {}

# ------------------------------------------------------------------------------------------------ sniffing


def test_format_is_told_by_content_not_name(pdfs, reports, tmp_path):
    renamed = tmp_path / "report.txt"
    renamed.write_bytes(pdfs[("r2019", "libreoffice")].read_bytes())
    assert read_file(renamed).reader == "pdf"
    page, _ = reports["r2019"]
    no_suffix = tmp_path / "page"
    no_suffix.write_bytes(page.read_bytes())
    assert read_file(no_suffix).reader == "html"
    built = python_docx(render_free_markup(page), tmp_path / "w.docx")
    assert sniff(built.read_bytes()) == "docx"
    assert read_bytes(built.read_bytes(), tmp_path / "w.bin").reader == "docx"


def test_a_zip_that_is_not_word_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReadError, match="ZIP"):
        read_file(path)


def test_a_missing_table_is_named_in_the_warnings(reports):
    page, _ = reports["r2019"]
    markup = render_free_markup(page)
    first = markup.index("<table")
    without_table_2 = markup[:first] + markup[markup.index("</table>", first) + len("</table>"):]
    record = extract_bytes(without_table_2.encode("utf-8"), "no-table-2.html")
    assert len(record["source"]["tables"]) == 2
    assert any("disclosure" in w and "not found" in w for w in record["warnings"])
    assert record["verdict"] == "incomplete"


def test_cli_extract_writes_the_reader_and_table_strategies(pdfs, tmp_path):
    result = CliRunner().invoke(app, ["extract", str(pdfs[("r2021h", "libreoffice")]), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    record = json.loads(next((tmp_path / "out").glob("*.json")).read_text(encoding="utf-8"))
    assert record["source"]["reader"] == "pdf"
    assert {t["strategy"] for t in record["source"]["tables"]} <= {"pdfplumber", "lattice", "stream"}
