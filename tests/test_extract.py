"""The text → record path on the hand-labelled corpus, on hand-made variants, and on bad input."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk import schema
from xxgk.cli import app
from xxgk.pipeline import NotAReport, extract_file, extract_text
from xxgk.meta import read_meta
from xxgk.readers import ReadError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def labelled(set_name: str):
    for raw in sorted((CORPUS / set_name / "raw").iterdir()):
        yield pytest.param(raw, CORPUS / set_name / "gold" / f"{raw.stem}.json", id=raw.stem)


@pytest.mark.parametrize("raw,gold", [*labelled("seeds"), *labelled("examples")])
def test_corpus_reports_match_their_gold(raw, gold):
    expected = json.loads(gold.read_text(encoding="utf-8"))
    record = extract_file(raw)
    assert record["template"] == expected["template"]
    assert record["year"] == expected["year"]
    assert record["issuer"] == expected["issuer"]
    assert list(record["fields"]) == list(schema.template(expected["template"]).keys)
    wrong = {k: (v, record["fields"][k]) for k, v in expected["fields"].items() if record["fields"][k] != v}
    assert wrong == {}


def test_total_row_printed_as_zeros_is_kept_flagged_and_repaired():
    record = extract_file(CORPUS / "seeds/raw/000_0c72068bbf924833.txt")
    assert record["fields"]["requests.total.natural_person"] == 0          # the document's value
    assert record["verdict"] == "inconsistent"
    failing = {c["rule"] for c in record["checks"] if c["ok"] is False}
    assert "requests.outcomes.natural_person" in failing
    assert record["repairs"]["requests.total.natural_person"]["value"] == 14
    assert record["repairs"]["requests.total.total"]["value"] == 14


def test_cell_detail_tells_blank_from_written_zero():
    record = extract_file(CORPUS / "seeds/raw/004_ffb7cb016be5db93.txt")
    blank = record["cells"]["requests.granted.business"]
    assert (blank["value"], blank["kind"]) == (0, "blank")
    written = record["cells"]["requests.new.natural_person"]
    assert (written["value"], written["kind"], written["raw"]) == (47, "number", "47")
    assert isinstance(written["line"], int) and written["confidence"] == 1.0


def _table3_rows(values: dict[str, list[int]], sep: str) -> str:
    labels = {r.row: r.label.split(" ")[-1] for r in schema.template("2019").rows_of("requests")}
    return "\n".join(labels[row] + sep + sep.join(str(v) for v in cells) for row, cells in values.items())


def _consistent_table3(new: list[int]) -> dict[str, list[int]]:
    rows = {r.row: [0] * 7 for r in schema.template("2019").rows_of("requests")}
    rows["new"] = new
    rows["granted"] = new
    rows["total"] = new
    return rows


def test_values_before_their_labels_are_read_as_pdf_order():
    rows = _consistent_table3([3, 1, 0, 0, 0, 2, 6])
    labels = {r.row: r.label.split(" ")[-1] for r in schema.template("2019").rows_of("requests")}
    body = "\n".join("\n".join(str(v) for v in cells) + "\n" + labels[row] for row, cells in rows.items())
    text = "某县2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + body + "\n五、存在的主要问题及改进情况\n无"
    record = extract_text(text)
    assert record["tables"]["requests"]["orientation"] == "before"
    assert [record["fields"][f"requests.granted.{c}"] for c in schema.APPLICANT_COLUMNS] == [3, 1, 0, 0, 0, 2, 6]
    assert record["fields"]["requests.carried_forward.total"] == 0


def test_pdf_label_wrapped_around_its_values_after_a_blank_line_keeps_only_its_own_cells():
    # PDF text: 二、上年 / (blank line) / its values / 结转政府信息公开申请数量, then two rows whose values come
    # before their labels. The blank line ends the label's first line; it does not divide the run of cells
    # the wrapped row shares with the next (which would give the wrapped row none and shift the next rows).
    rows = _consistent_table3([2, 1, 0, 0, 0, 1, 4])
    rows["carried_over"] = [1, 0, 0, 0, 0, 0, 1]
    rows["granted"] = rows["total"] = [3, 1, 0, 0, 0, 1, 5]
    labels = {r.row: r.label.split(" ")[-1] for r in schema.template("2019").rows_of("requests")}
    printed = {row: "\n".join(str(v) for v in cells) for row, cells in rows.items()}
    body = []
    for row in rows:
        if row == "carried_over":
            body.append(f"{labels[row][:4]}\n\n{printed[row]}\n{labels[row][4:]}")
        elif row in ("granted", "partially_granted"):
            body.append(f"{printed[row]}\n{labels[row]}")
        else:
            body.append(f"{labels[row]}\n{printed[row]}")
    text = ("某县2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + "\n".join(body)
            + "\n五、存在的主要问题及改进情况\n无")
    record = extract_text(text)
    for row in ("new", "carried_over", "granted", "partially_granted", "denied_state_secret"):
        assert [record["fields"][f"requests.{row}.{c}"] for c in schema.APPLICANT_COLUMNS] == rows[row], row


def test_wrapped_table2_label_is_not_read_as_a_table3_row():
    # 其他对外管理服务事项 printed as 其他 / 对外管理服务 with the values before the labels (PDF order): 其他
    # alone is table 3's row name, but between table 2's rows it must not cut 对外管理服务 off from its values,
    # which 行政许可 would then take in place of its own.
    text = "\n".join([
        "某区2020年政府信息公开工作年度报告", "二、主动公开政府信息情况",
        "第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
        "规章", "0", "0", "0", "规范性文件", "2", "2", "9",
        "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
        "3", "1", "5", "行政许可", "17", "-2", "40", "其他", "对外管理服务",
        "第二十条第（六）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
        "行政处罚", "33", "5", "38", "行政强制", "14", "2", "12",
        "第二十条第（八）项", "信息内容", "上一年项目数量", "本年增/减", "行政事业性收费", "0", "0",
        "三、收到和处理政府信息公开申请情况"])
    record = extract_text(text)
    columns = ("previous", "change", "decisions")
    assert [record["fields"][f"disclosure.licensing.{c}"] for c in columns] == [3, 1, 5]
    assert [record["fields"][f"disclosure.other_services.{c}"] for c in columns] == [17, -2, 40]
    assert [record["fields"][f"disclosure.penalties.{c}"] for c in columns] == [33, 5, 38]


def test_digits_run_together_are_split_by_the_sums_and_say_so():
    rows = _consistent_table3([64, 0, 0, 2, 0, 4, 70])
    text = "某市2021年政府信息公开工作年度报告 " + _table3_rows(rows, "").replace("\n", "") + " 五、存在的主要问题及改进情况"
    record = extract_text(text)
    assert [record["fields"][f"requests.new.{c}"] for c in schema.APPLICANT_COLUMNS] == [64, 0, 0, 2, 0, 4, 70]
    cell = record["cells"]["requests.new.natural_person"]
    assert cell["confidence"] < 1.0 and "split" in cell["note"]


def test_undecidable_digit_run_is_flagged_not_guessed():
    # Table 2 has no identity to split by: "123 4" for three cells reads 1|23|4 or 12|3|4.
    text = ("某区2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
            "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
            "规章 0 0 0 规范性文件 123 4\n第二十条第（五）项\n三、收到和处理政府信息公开申请情况\n")
    record = extract_text(text)
    made, published, total = (record["cells"][f"disclosure.normative_documents.{c}"] for c in ("made", "published", "total"))
    assert made["kind"] == published["kind"] == "ambiguous"
    assert made["value"] is None and sorted(made["candidates"]) == [1, 12]
    assert total["value"] == 4 and total["confidence"] < 1.0
    assert record["fields"]["disclosure.rules.made"] == 0


def test_table2_units_signs_and_money():
    text = ("XX县2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
            "第二十条第（五）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t390\t+72\t10624\n"
            "第二十条第（八）项\n信息内容\t上一年项目数量\t本年增/减\n行政事业性收费\t45\t-2\n"
            "第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额\n政府集中采购\t8\t251000元\n"
            "三、收到和处理政府信息公开申请情况\n")
    f = extract_text(text)["fields"]
    assert (f["disclosure.licensing.change"], f["disclosure.fees.change"]) == (72, -2)
    assert f["disclosure.procurement.amount_wan"] == pytest.approx(25.1)


def _table2_rows(record: dict, template: str) -> dict[str, list]:
    """Table 2 of a record, row by row: {row: [its fields in the template's column order]}."""
    return {r.row: [record["fields"][key] for key in r.keys] for r in schema.template(template).rows_of("disclosure")}


def test_slash_marks_glued_to_labels_and_numbers_are_blank_cells():
    # A one-line scrape of table 2 whose blank cells print "/", glued to the labels and numbers beside them.
    text = ("XX县2020年政府信息公开工作年度报告 发布时间：2021/01/25 二、主动公开政府信息情况第二十条第（一）项信息内容 "
            "本年新制作数量 本年新公开数量 对外公开总数量 规章 /0/规范性文件//3第二十条第（五）项信息内容 上一年项目数量 "
            "本年增/减 本年处理决定数量 行政许可 0/1119其他对外管理服务事项0/38 第二十条第（六）项信息内容 上一年项目数量 "
            "本年增/减 本年处理决定数量行政处罚5 12 545行政强制 /0 7第二十条第（八）项信息内容 上一年项目数量本年增/减"
            "行政事业性收费 / 0第二十条第（九）项 信息内容 采购项目数量 采购总金额（万元） 政府集中采购 6 289.3 "
            "三、收到和处理政府信息公开申请情况")
    read = _table2_rows(extract_text(text), "2019")
    assert {row: read[row] for row in ("rules", "normative_documents", "licensing", "other_services", "penalties",
                                       "coercive_measures")} == {"rules": [0, 0, 0], "normative_documents": [0, 0, 3], "licensing": [0, 0, 1119],
                    "other_services": [0, 0, 38], "penalties": [5, 12, 545], "coercive_measures": [0, 0, 7]}


def test_blank_marks_of_a_glued_row_set_off_from_its_label_are_cells():
    # One-line scrapes whose row bodies run together but stand a space apart from their labels: a "/" between
    # two numbers (许可 0/5469) and "-" marks glued to the next row's label (许可 -第二十条…) are blank cells.
    text_2019 = ("XX县2019年政府信息公开工作年度报告 二、主动公开政府信息情况第二十条第（一）项信息内容 本年新制作数量 "
                 "本年新公开数量 对外公开总数量 规章 0 / /规范性文件 / / 246 第二十条第（五）项 信息内容上一年项目数量 "
                 "本年增/减处理决定数量行政许 可 0/5469其他对外管理服务事项 55 1 482第二十条第（六）项 信息内容上一年项目数量 "
                 "本年增/减 处理决定数量 行政处罚 / 0 / 行政强制 / / / 三、收到和处理政府信息公开申请情况")
    f = extract_text(text_2019)["fields"]
    assert [f[f"disclosure.licensing.{c}"] for c in ("previous", "change", "decisions")] == [0, 0, 5469]
    assert [f[f"disclosure.other_services.{c}"] for c in ("previous", "change", "decisions")] == [55, 1, 482]
    text_2021 = ("XX县2021年政府信息公开工作年度报告 二、主动公开政府信息情况 第二十条第(一)项 信息内容 本年制发件数 "
                 "本年废止件数 现行有效件数 规章0--行政规范性文件 - - 8第二十条第(五)项 信息内容 本年处理决定数量 行政许可 -"
                 "第二十条第(六)项 信息内容 本年处理决定数量 行政处罚 171 行政强制 -第二十条第(八)项 信息内容 本年收费金额 "
                 "行政事业性收费 192.235万元 三、收到和处理政府信息公开申请情况")
    f = extract_text(text_2021)["fields"]
    assert [f["disclosure.rules.issued"], f["disclosure.rules.repealed"], f["disclosure.rules.in_force"]] == [0, 0, 0]
    assert [f[f"disclosure.{row}.decisions"] for row in ("licensing", "penalties", "coercive_measures")] == [0, 171, 0]


def test_values_after_a_run_of_headings_belong_to_the_row_named_last():
    # One-line scrape: 规章 printed without its cells, then 规范性文件 garbled (规性文仵), then its values.
    # The run holds 规章 whole, but the values that follow it are the row's named last in it.
    text = ("XX县2020年政府信息公开工作年度报告 二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年新制作数量 "
            "本年新公开数量 对外公开总数量规章 规性文仵 10 10 57 第二十条第（五）项 信息内容 上一年项目数量 "
            "本年增/减 本年处理决定数量 行政许可 0 0 1814 其他对外管理服务事项 886 11 1035 第二十条第（六）项 信息内容 "
            "上一年项目数量 本年增/减 本年处理决定数量 行政处罚 20 6 89 行政强制 0 0 396 三、收到和处理政府信息公开申请情况")
    read = _table2_rows(extract_text(text), "2019")
    assert read["normative_documents"] == [10, 10, 57]
    assert read["rules"] == [None, None, None]
    # Its blank cells printed as 无 and run together are its cells, not part of the run of headings.
    read = _table2_rows(extract_text(text.replace("规章 规性文仵", "规章 无无无 规性文仵")), "2019")
    assert read["normative_documents"] == [10, 10, 57]
    assert read["rules"] == [0, 0, 0]
    # What follows the row inside the run may be no label at all: the row stays the run's.
    read = _table2_rows(extract_text(text.replace("规性文仵 10 10 57", "单位：件 0 0 0")), "2019")
    assert read["rules"] == [0, 0, 0]


def test_full_width_digits_and_page_furniture_inside_a_table():
    rows = _consistent_table3([1, 0, 0, 0, 0, 0, 1])
    lines = _table3_rows(rows, "\n").split("\n")
    lines.insert(40, "— 5 —")
    text = "某镇2020年政府信息公开工作年度报告\n" + "\n".join(lines).replace("1", "１")
    f = extract_text(text)["fields"]
    assert f["requests.new.natural_person"] == 1 and f["requests.total.total"] == 1



PROSE = ("本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
         "如对本报告有疑问，请与{office}联系。{year}年，{body}深入贯彻落实条例。")


@pytest.mark.parametrize("page,issuer,year", [
    ("当前位置: 首页 > 政务公开 > 年度报告 【字体：大 中 小】 政府信息公开工作年度报告 遵义市汇川区人民政府 "
     "2022年12月31日 " + PROSE.format(office="遵义市汇川区人民政府办公室", year=2022, body="本机关"),
     "遵义市汇川区人民政府", 2022),
    ("您当前的位置：首页 » 政务公开 » 年度报告湄潭县2020年政府信息公开工作年度报告发布时间:2021-01-18 10:20 "
     + PROSE.format(office="湄潭县人民政府办公室", year=2020, body="湄潭县人民政府"), "湄潭县人民政府", 2020),
    ("首页 > 政务公开 > 政府信息公开年报 【打印】【关闭】政府信息公开工作年度报告汉中市人民政府办公室 2021年1月28日 "
     + PROSE.format(office="汉中市人民政府办公室", year=2020, body="我办"), "汉中市人民政府办公室", 2020),
    ("法定主动公开内容 » 政府信息公开工作年度报告字号：大 中 小2021年安康市财政局政府信息公开工作年度报告 "
     + PROSE.format(office="安康市财政局办公室", year=2021, body="我局"), "安康市财政局", 2021),
    ("宁波市海曙区人民政府2020年政府信息公开工作年度报告 "
     + PROSE.format(office="海曙区人民政府办公室", year=2020, body="海曙区人民政府"), "宁波市海曙区人民政府", 2020),
])
def test_issuer_is_read_past_page_widgets_and_breadcrumbs_glued_to_the_title(page, issuer, year):
    meta = read_meta(page)
    assert (meta.issuer, meta.year) == (issuer, year)


# ---------------------------------------------------------------------------------------------- bad input

def test_encodings_are_detected(tmp_path):
    text = (CORPUS / "seeds/raw/003_717827ae4ea6615a.txt").read_text(encoding="utf-8")
    expected = extract_text(text)["fields"]
    for encoding in ("gb18030", "gbk", "utf-16", "utf-16-le", "utf-8-sig"):
        path = tmp_path / f"r-{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        record = extract_file(path)
        assert record["fields"] == expected, encoding
        assert record["issuer"] == "紫阳县人民政府"


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (bytes(range(256)) * 20, "binary"),
])
def test_unreadable_files_raise_a_clear_error(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError) as err:
        extract_file(path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_a_page_that_is_not_a_report_is_refused(tmp_path):
    path = tmp_path / "news.txt"
    path.write_text("市政府召开常务会议\n会议研究了2021年重点工作，强调要抓好落实。\n责任编辑：张三", encoding="utf-8")
    with pytest.raises(NotAReport) as err:
        extract_file(path)
    assert "news.txt" in str(err.value)


def test_truncated_report_keeps_what_it_has_and_says_what_is_missing():
    text = (CORPUS / "seeds/raw/001_bbae7e2c4812eba4.txt").read_text(encoding="utf-8")
    cut = text[: text.index("三、收到和处理政府信息公开申请情况")]
    record = extract_text(cut)
    assert record["fields"]["disclosure.normative_documents.total"] == 30
    assert record["fields"]["requests.new.total"] is None
    assert record["cells"]["requests.new.total"]["kind"] == "missing"
    assert record["verdict"] == "incomplete"
    assert any("requests" in w for w in record["warnings"])


def test_cli_batch_goes_on_past_bad_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text((CORPUS / "seeds/raw/002_d3ddc9c30ed8506a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "blob.txt").write_bytes(bytes(range(256)) * 10)
    (src / "gbk.txt").write_bytes((CORPUS / "seeds/raw/003_717827ae4ea6615a.txt").read_text(encoding="utf-8").encode("gbk"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(src), "-o", str(out)])
    assert result.exit_code == 1            # the good ones are written; the status says some files failed
    assert sorted(p.name for p in out.glob("*.json")) == ["a.json", "gbk.json"]
    assert "empty.txt: empty file" in result.output and "blob.txt" in result.output
    nothing = CliRunner().invoke(app, ["extract", str(src / "empty.txt"), "-o", str(tmp_path / "o2")])
    assert nothing.exit_code == 1


def test_cli_reads_stdin_and_writes_stdout():
    data = (CORPUS / "examples/raw/188_pingtan-jsp-2021.txt").read_bytes()
    result = CliRunner().invoke(app, ["extract", "-"], input=data)
    assert result.exit_code == 0
    record = json.loads(result.output)
    assert record["template"] == "2021" and record["fields"]["requests.new.total"] == 8


def test_a_lost_row_on_a_one_line_page_leaves_the_rows_after_it_their_own_values():
    # 行政许可 garbled and fused with the column heads before it: its values (3 0 415) print clean between that
    # heading and the next label, while the rows after it run theirs together. Every value after a label on
    # this one line is that label's; none may take the lost row's.
    text = ("XX区2019年政府信息公开工作年度报告 二、主动公开政府信息情况第二十条第（一）项信息内容 本年新制作数量 "
            "本年新公开数量 对外公开总数量规章 0 0 0 规范性文件 2 2 268 第二十条第（五）项 信息内容上一年项目数量 "
            "本年增（减） 本年处理决定数量政许可 3 0 415 其他对外管理服务事项 00 0 第二十条第（六）项信息内容上一年项目数量 "
            "本年增（减） 本年处理决定数量行政处罚 86 -12 0 行政强制 21 05 第二十条第（八）项信息内容 上一年项目数量 "
            "本年增（减） 行政事业性收费 00 第二十条（九）项信息内容采购项目数量采购总金额（万元） 政府集中采购 00 "
            "三、收到和处理政府信息公开申请情况")
    record = extract_text(text)
    read = _table2_rows(record, "2019")
    assert {row: read[row] for row in ("other_services", "penalties", "coercive_measures", "fees")} == {"other_services": [0, 0, 0], "penalties": [86, -12, 0], "coercive_measures": [21, 0, 5],
                    "fees": [0, 0]}
    assert all(record["cells"][f"disclosure.licensing.{c}"]["value"] is None
               or record["cells"][f"disclosure.licensing.{c}"]["confidence"] < 0.9
               for c in ("previous", "change", "decisions"))


@pytest.mark.parametrize("head, issuer", [
    # a PDF's title block: the body on its own line above the year's title, the prose under it
    ("淮安市人民政府\n2024 年政府信息公开工作年度报告\n\n本报告由淮安市人民政府办公室根据《中华人民共和国政府\n信息公开条例》编制。",
     "淮安市人民政府"),
    # the same without the city, which the prose gives after 由
    ("洪泽区人民政府\n2023 年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室根据《中华人民共和\n国政府信息公开条例》要求编制此报告。",
     "淮安市洪泽区人民政府"),
])
def test_the_issuer_above_a_years_title_and_not_the_prose_below(head, issuer):
    from xxgk.meta import read_meta

    meta = read_meta(head + "\n一、总体情况\n")
    assert (meta.year, meta.issuer) == (int(re.search(r"(20\d\d) 年", head).group(1)), issuer)
