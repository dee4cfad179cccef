"""The cheap stages of the label classifier: normalisation, dictionary, n-grams and character alignment."""
from __future__ import annotations

import pytest

from xxgk.labels import classify_labels, match_label, normalize_label
from xxgk.text import normalize_chars


@pytest.mark.parametrize("raw", ["1.属于国家秘密", "1、属于国家秘密", "（1）属于国家秘密", "(一)属于国家秘密", "一、属于国家秘密",
                                 "1． 属于国家秘密", "属于 国家 秘密", "屬於國家秘密"])
def test_numbering_spacing_and_traditional_forms_normalise_alike(raw):
    assert normalize_label(raw) == "属于国家秘密"


def test_compatibility_characters_fold():
    assert normalize_chars("１２\u3000⽂件") == "12 文件"         # full-width digits, ideographic space, Kangxi radical


@pytest.mark.parametrize("raw,category", [
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "requests.partially_granted"),
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "requests.partially_granted"),
    ("2.其他法律法规禁止公开", "requests.denied_prohibited_by_law"),
    ("本机关不掌握相关信息", "requests.unavailable_not_held"),
    ("规范性文件", "disclosure.normative_documents"),
    ("行政规范性文件", "disclosure.normative_documents"),
    ("五、存在的主要问题及改进情况", "section.problems"),
    ("本年增/减", "column.change"),
])
def test_official_wording_and_known_variants(raw, category):
    assert match_label(raw).category == category


@pytest.mark.parametrize("raw,category", [
    ("2.重复中请", "requests.rejected_duplicate"),                 # 申 → 中
    ("属于国家秘蜜", "requests.denied_state_secret"),                # 密 → 蜜
    ("本机关不掌握相关政府信忌", "requests.unavailable_not_held"),
    ("其他对外管理服务亊项", "disclosure.other_services"),
    ("行政处楚", "disclosure.penalties"),
])
def test_ocr_slips_still_map(raw, category):
    m = match_label(raw)
    assert m.category == category and 0.5 <= m.confidence < 1.0


@pytest.mark.parametrize("raw", ["对我局发布、清理的规范性文件进行再梳理、再核对", "-4-", "2020年12月31日", "12345",
                                 "版权所有：某市人民政府"])
def test_prose_numbers_and_furniture_are_not_labels(raw):
    assert match_label(raw).category == "none"


def test_labels_glued_to_their_neighbours_read_as_the_most_specific_row():
    assert match_label("（三）不予公开 1.属于国家秘密").category == "requests.denied_state_secret"
    assert match_label("第二十条第（一）项信息内容 本年制发件数 本年废止件数 现行有效件数 规章").category == "disclosure.rules"
    assert match_label("结果纠正其他结果").category != "requests.other_misc"


def test_ambiguous_words_take_context():
    # 其他 is an applicant column in table 3's header and a row under （六）其他处理 in the 2021 template.
    assert match_label("其他").confidence == 0.5
    assert classify_labels(["总计"], context={"table": "appeals"}) == [("column.total", 1.0)]
    assert classify_labels(["（三）不予公开", "补正后申请内容仍不明确"]) == [("none", 1.0), ("requests.unavailable_unclear", 1.0)]
