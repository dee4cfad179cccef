"""Tables drawn in text by the tools scrapers use (w3m, pandoc, html2text) are read back as the page's grids.

Every page here is the generator's saved web page, put through the real program; the tools are installed by
scripts/setup.sh, so a missing one fails the test rather than skipping it.
"""
from __future__ import annotations

import random
import re
import subprocess

import pytest

from xxgk.generate import gold_of, random_record, render_report
from xxgk.pipeline import extract_bytes
from xxgk.readers.html import html_tables
from xxgk.readers.textgrid import display_width, text_grids


def _page(seed: int, blank_zeros: bool) -> tuple[str, dict]:
    rng = random.Random(f"textgrid-test:{seed}")
    record = random_record(rng.choice(["2019", "2021"]), rng)
    page = render_report(record, "html", rng, noise=0.0).text
    page = re.sub(r"charset=gbk", "charset=utf-8", page)
    if blank_zeros:
        # A source that prints nothing for zero: the cell stays, empty.
        page = re.sub(r"(<span[^>]*>)0(</span>)", r"\1&nbsp;\2", page)
    return page, gold_of(record)


def _run(command: list[str], page: str) -> str:
    return subprocess.run(command, input=page.encode("utf-8"), capture_output=True, check=True,
                          timeout=60).stdout.decode("utf-8")


TOOLS = {
    "w3m": ["w3m", "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8"],
    "w3m-wide": ["w3m", "-dump", "-cols", "200", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8"],
    "pandoc-plain": ["pandoc", "-f", "html", "-t", "plain"],
    "pandoc-plain-wide": ["pandoc", "-f", "html", "-t", "plain", "--columns=200"],
}


def _table_rows(text: str) -> list[str]:
    return [line for line in text.split("\n") if "\t" in line]


@pytest.mark.parametrize("tool", sorted(TOOLS))
@pytest.mark.parametrize("blank_zeros", [False, True])
def test_drawn_tables_read_back_as_the_pages_grids(tool, blank_zeros):
    for seed in range(3):
        page, gold = _page(seed, blank_zeros)
        expected = _table_rows(html_tables(page)[0])
        text, meta = text_grids(_run(TOOLS[tool], page))
        assert meta and _table_rows(text) == expected
        record = extract_bytes(text.encode("utf-8"), f"{tool}-{seed}.txt")
        wrong = {k: (v, record["fields"].get(k)) for k, v in gold["fields"].items() if record["fields"].get(k) != v}
        assert not wrong, wrong


def test_html2text_pipe_tables_keep_blank_cells():
    import html2text

    page, gold = _page(5, blank_zeros=True)
    text = html2text.html2text(page)
    assert re.search(r"^[^|\n]+\|\s+\|", text, re.M), "html2text printed no blank cell between pipes"
    record = extract_bytes(text.encode("utf-8"), "html2text.txt")
    assert record["fields"] == gold["fields"]


def test_ascii_grid_table_dash_inside_a_cell_is_no_rule():
    text = "\n".join([
        "+----------+------+------+",
        "| 信息内容 | 上一 | 本年 |",
        "|          | 年项 | 增/减|",
        "+==========+======+======+",
        "| 行政许可 | 5    | -1   |",
        "+----------+------+------+",
        "| 行政处罚 |      | --   |",
        "+----------+------+------+",
    ])
    out, meta = text_grids(text)
    assert meta[0]["strategy"] == "ascii"
    assert _table_rows(out) == ["信息内容\t上一年项\t本年增/减", "行政许可\t5\t-1", "行政处罚\t\t--"]
    # every row stays on the line it started on
    assert out.split("\n")[4] == "行政许可\t5\t-1"


def test_a_row_drawn_with_no_height_is_a_row_of_blank_cells():
    # w3m gives a table row whose cells hold nothing no line: the rule under the heads stands right over the
    # table's bottom rule. The row is there all the same, its cells blank, on the upper rule's line.
    text = "\n".join([
        "┌──────┬──────┬──────┐",
        "│结果  │其他  │总计  │",
        "├──────┼──────┼──────┤",
        "└──────┴──────┴──────┘",
    ])
    out, _ = text_grids(text)
    assert out.split("\n")[1:3] == ["结果\t其他\t总计", "\t\t"]


def test_box_rules_drawn_two_columns_wide_line_up():
    # A terminal in a CJK locale draws box rules two columns wide; the table is measured that way too.
    rows = [("名称", "数量"), ("规章", "3"), ("规范性文件", "")]
    width = [max(display_width(r[c]) for r in rows) + 2 for c in range(2)]

    def line(cells):
        return "│" + "│".join(c + " " * (w - display_width(c)) for c, w in zip(cells, width)) + "│"

    rule = "├" + "┼".join("─" * (w // 2) for w in width) + "┤"
    text = "\n".join([rule.replace("├", "┌").replace("┼", "┬").replace("┤", "┐"), line(rows[0]), rule,
                      line(rows[1]), rule, line(rows[2]),
                      rule.replace("├", "└").replace("┼", "┴").replace("┤", "┘")])
    out, _ = text_grids(text)
    assert _table_rows(out) == ["名称\t数量", "规章\t3", "规范性文件\t"]


def test_prose_with_pipes_and_dashes_is_left_alone():
    text = "联系我们 | 网站地图 | 网站声明\n\n----------\n\n本年度无行政复议 - 行政诉讼案件。"
    assert text_grids(text) == (text, [])


def test_words_one_space_apart_are_no_columns(tmp_path):
    # pdfplumber's page text of a Chromium PDF joins a row's words by one space each and leaves blank cells out:
    # under 信息内容 上一年项目数量 本年增/减 处理决定数量, "行政处罚 152" says nothing of which column 152 is in.
    # Read as a table aligned by position, 152 went under the first head with confidence 1.
    from xxgk import schema
    from xxgk.evaluate import evaluate
    from xxgk.generate.forms import draw_page_style
    from xxgk.generate.tools import PDF_CHROMIUM, make_files, run_tool
    from xxgk.pipeline import extract_text
    from xxgk.text import fold_lookalikes

    rng = random.Random("one-space-apart")
    record = random_record("2019", rng)
    fields = record["fields"]
    for row in schema.template("2019").rows_of("disclosure"):
        fields.update({key: 0 for key in row.keys if not key.endswith("amount_wan")})
    fields["disclosure.penalties.decisions"] = 152          # one figure, in the row's last column
    page = tmp_path / "page.html"
    style = draw_page_style(rng, charset="utf-8", wide=False, zeros="blank_all", appeals_layout="template",
                            shell="site", spans="run")
    page.write_text(render_report(record, "html", rng, noise=0.0, page=style).text, encoding="utf-8")
    pdf = make_files({"page": page}, tmp_path, {PDF_CHROMIUM})[PDF_CHROMIUM]["page"]
    text = run_tool("pdfplumber@chromium", pdf)
    assert re.search(r"行政处罚 152\n", fold_lookalikes(text))  # the shape this test is about
    got = extract_text(text, "page")
    result = evaluate({"r": gold_of(record)}, {"r": got})
    assert [(w["key"], w["gold"], w["read"]) for w in result["wrong"] if not w["flagged"]] == []


def test_a_pictures_text_in_comments_and_line_breaks_is_read_line_by_line():
    # pymupdf4llm writes the text of a table it took for a picture as one line: <br> between the lines, inside
    # HTML comments. Read as one label (行政处罚<br>行政强制), 行政强制's 117 went to 行政处罚 with confidence 1.
    from xxgk.readers.markdown import clean_markdown

    line = ("<!-- Start of picture text -->\n第二十条第（六）项<br>信息内容 本年处理决定数量<br>行政处罚<br>"
            "行政强制 117<br>第二十条第（八）项<br><!-- End of picture text -->")
    cleaned = clean_markdown(line).split("\n")
    assert len(cleaned) == 2                                     # line numbers stay the file's
    # one pipe row, a cell a line: a table's text whose columns are not the template's, placed by the sums
    assert cleaned[1].split("|")[3:5] == ["行政处罚", "行政强制 117"]
    assert cleaned[1].startswith("|") and cleaned[1].endswith("|") and not cleaned[1].endswith("||")
    assert "<!--" not in cleaned[0] and "<br>" not in cleaned[1]


def test_pymupdf4llm_cells_that_stack_columns_are_parted():
    # pymupdf4llm's table finder misses column borders: a cell stacks a row's values (|10<br>1<br>11|, glued into
    # 10111 before), a label cell takes its row's numbers under its lines, a border cuts a numbering from its label
    # (|3|.危及…|), and the browser's running head (print time, the report's title) lands in a row's cells.
    from xxgk.readers.markdown import drop_running_heads, split_stacked_values

    assert split_stacked_values("|（七）总计|10<br>1<br>11|") == "|（七）总计|10|1|11|"
    assert split_stacked_values("||2.没有现成信息需<br>要另行制作<br>1<br>1|") == "||2.没有现成信息需<br>要另行制作|1|1|"
    assert split_stacked_values("|3|.危及“三安<br>全一稳定”|||") == "||3.危及“三安<br>全一稳定”|||"
    assert split_stacked_values("|规章|0|0|0|||") == "|规章|0|0|0|||"
    title = "12/7/26, 1:21 PM 2019 年平潭综合实验区君山片区管理局政府信息公开工作年度报告"
    rows = ["|5.属于三类内<br>部事务信息<br>201|9年平潭综合实验区君山片区管理局政府信息公开工作年度报告|",
            "|5.要求行政机关确认<br>7/26, 1:20 PM|0|0<br>政府|0<br>信息公开工作|0<br>年度报告|0|",
            "|规章|0<br>1<br>平潭综合实验区君山片区管理局政府信息公|0<br>开工作年度报告|"]
    assert drop_running_heads("\n".join([title] + rows)).split("\n")[1:] == [
        "|5.属于三类内<br>部事务信息||", "|5.要求行政机关确认|0|0|0|0|0|", "|规章|0<br>1|0|"]
    # the title cut inside 年度报告, its year cut from the label's cell
    cut = "|4.保护第三方合法权益<br>2|019年平潭综合实验区君山片区|管理局政府信息公开工作年|度报告|||"
    assert drop_running_heads(title + "\n" + cut).split("\n")[1] == "|4.保护第三方合法权益||||||"
    # a row's own words that only end like the title stay
    assert drop_running_heads(title + "\n|年度报告|1|") == title + "\n|年度报告|1|"
