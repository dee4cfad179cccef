"""The numbers the prose states: read in jieba's words, held against the tables, the rest kept as narrative."""
from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest

from xxgk import generate
from xxgk.checks import narrative
from xxgk.pipeline import extract_text

QUANTITY = re.compile(r"(?<![\d.])(\d+)件")


def generated(template: str, form: str, seed: int, hybrid: bool = False) -> tuple[dict, str]:
    rng = random.Random(f"narrative:{template}:{form}:{seed}")
    record = generate.random_record(template, rng, hybrid=hybrid)
    return record, generate.render(record, form, rng)


def said(text: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for s in narrative.read_statements(text):
        out.setdefault(s.quantity, []).append(s.value)
    return out


@pytest.mark.parametrize("form", [f for f in generate.FORMS if f != "html"])
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_generated_prose_agrees_with_its_tables(template, form):
    for seed in range(3):
        _, text = generated(template, form, seed)
        result = extract_text(text, "r.txt")
        prose = [c for c in result["checks"] if c["kind"] == "prose"]
        assert prose, "the generator's prose always states request or appeal figures"
        assert all(c["ok"] for c in prose), [c for c in prose if not c["ok"]]
        assert result["verdict"] == "consistent"
        assert {n["quantity"] for n in result["narrative"]} >= {"active_disclosure"}


def test_prose_figures_map_to_their_table_cells():
    record, text = generated("2019", "cells_tabbed", 0)
    f = record["fields"]
    text = text.replace("（二）依申请公开。", "（二）依申请公开。全年共收到政府信息公开申请"
                        f"{f['requests.new.total']}件，其中予以公开{f['requests.granted.total']}件。", 1)
    checks = {c["rule"]: c for c in extract_text(text)["checks"] if c["kind"] == "prose"}
    assert checks["prose.requests.received"]["cells"] == ["requests.new.total"]
    assert checks["prose.requests.received"]["printed"] == f["requests.new.total"]
    assert checks["prose.requests.granted"]["expected"] == f["requests.granted.total"]


@pytest.mark.parametrize("seed", range(6))
def test_a_prose_figure_changed_is_flagged(seed):
    _, text = generated(["2019", "2021"][seed % 2], "tab_rows", seed + 10)
    prose_end = text.index(generate.HEADINGS[1][1])
    counts = list(QUANTITY.finditer(text, 0, prose_end))
    assert counts, "the prose of these generated reports states counts"
    m = counts[seed % len(counts)]
    changed = text[:m.start(1)] + str(int(m.group(1)) + 2) + text[m.end(1):]
    result = extract_text(changed)
    wrong = [c for c in result["checks"] if c["kind"] == "prose" and c["ok"] is False]
    assert result["verdict"] == "inconsistent"
    assert len(wrong) == 1 and wrong[0]["severity"] == "error" and wrong[0]["printed"] == int(m.group(1)) + 2
    # the table's numbers stay the document's; the cells the prose disputes are marked unsure, and only they
    original = extract_text(text)
    assert result["fields"] == original["fields"]
    disputed_rows = {k.rsplit(".", 1)[0] for k in wrong[0]["cells"]}
    unsure = {k for k, c in result["cells"].items() if c["confidence"] < 0.9 and c["value"] is not None}
    assert unsure == {k for k, c in original["cells"].items()
                      if (k.rsplit(".", 1)[0] in disputed_rows or c["confidence"] < 0.9) and c["value"] is not None}
    assert all("prose says" in result["cells"][k]["note"] for k in wrong[0]["cells"])



def test_cues_take_the_number_of_their_own_clause():
    text = ("一、总体情况\n2023年，全年收到依申请公开14件，其中网上申请7件，当面申请7件；予以公开12件，部分公开1件，"
            "无法提供（本机关不掌握相关政府信息）1件，上年结转2件。全年因政府信息公开被申请行政复议3件、提起行政诉讼1件。"
            "新制作规范性文件4件。\n二、主动公开政府信息情况\n")
    assert said(text) == {"requests.received": [14], "requests.granted": [12], "requests.partially_granted": [1],
                          "requests.unavailable": [1], "requests.carried_over": [2], "appeals.review": [3],
                          "appeals.litigation": [1], "disclosure.normative_documents.issued": [4]}


def test_quantities_without_a_table_counterpart_are_narrative():
    text = ("一、总体情况\n全年主动公开政府信息1234条，通过政务新媒体发布信息56条，发布政策解读7篇，"
            "办理“区长信箱”信件78件，开展业务培训3次，全年网站访问量12000余人次。\n"
            "二、主动公开政府信息情况\n六、其他需要报告的事项\n本年度共收取信息处理费0元。")
    got = said(text)
    assert got == {"active_disclosure": [1234], "new_media_posts": [56], "interpretations": [7], "letters": [78],
                   "trainings": [3], "website_visits": [12000], "fees": [0]}
    assert said(text.replace("六、其他", "收取信息处理费9元。\n六、其他")) == got   # among the tables: not prose
    assert said(text.replace("六、其他", "五、存在的主要问题及改进情况\n无。\n六、其他"))["fees"] == [0]


def test_sentences_that_say_none_state_zero():
    text = ("一、总体情况\n2022年度，本机关未收到政府信息公开申请。全年未发生因政府信息公开引起的行政复议、行政诉讼案件。"
            "二、主动公开政府信息情况")
    statements = narrative.read_statements(text)
    assert {(s.quantity, s.value, s.negated) for s in statements} == {
        ("requests.received", 0, True), ("appeals.review", 0, True), ("appeals.litigation", 0, True)}


def test_several_scopes_agree_when_one_is_the_tables():
    text = ("一、总体情况\n全区共收到政府信息依申请公开175件，区本级收到48件。\n二、主动公开政府信息情况\n")
    statements = narrative.read_statements(text)
    checks, _ = narrative.compare(statements, "2019", {"requests.new.total": 48, "requests.carried_over.total": 0})
    [received] = checks
    assert received.ok and received.expected == 48 and "175" in received.note
    checks, _ = narrative.compare(statements, "2019", {"requests.new.total": 60, "requests.carried_over.total": 0})
    assert checks[0].ok is False and checks[0].severity == "warning"      # unsure: may be another scope


def test_received_may_count_the_carried_over_ones_too():
    statements = narrative.read_statements("一、总体情况\n共受理政府信息公开申请9件。\n二、主动公开政府信息情况")
    checks, _ = narrative.compare(statements, "2021", {"requests.new.total": 7, "requests.carried_over.total": 2})
    assert checks[0].ok and checks[0].cells == ["requests.new.total", "requests.carried_over.total"]


def test_a_disagreement_that_the_repairs_explain_is_an_agreement():
    statements = narrative.read_statements("一、总体情况\n予以公开12件。\n二、主动公开政府信息情况")
    checks, _ = narrative.compare(statements, "2019", {"requests.granted.total": 0},
                                  {"requests.granted.total": {"value": 12}})
    assert checks[0].ok and "repaired" in checks[0].note


def test_numbers_wrapped_across_lines_are_joined():
    text = ("一、总体情况\n（二）依申请公开。2024年共收到政府信息公开申请1\n2件。已按时答复办结，其中予以公开\n"
            "12件。\n二、主动公开政府信息情况\n")
    assert said(text) == {"requests.received": [12], "requests.granted": [12]}


def test_full_width_digits_and_half_width_punctuation():
    text = "一、总体情况\n全年共收到政府信息公开申请１２件,其中予以公开１０件;上年结转２件.\n二、主动公开政府信息情况"
    assert said(text) == {"requests.received": [12], "requests.granted": [10], "requests.carried_over": [2]}


def test_the_segmenter_is_built_once():
    narrative.read_statements("一、总体情况\n收到申请1件。")
    first = narrative._segmenter()
    narrative.read_statements("一、总体情况\n收到申请2件。")
    assert narrative._segmenter() is first


def test_reading_the_prose_loads_one_jieba_dictionary_and_no_spacy():
    # jieba's dictionary is 54 MB and half a second: the private segmenter's is the only one loaded; spaCy (and
    # the torch its thinc imports) would be half a second more, for nothing the words do not give.
    script = ("import sys, jieba\nfrom xxgk.checks import narrative\n"
              "print(narrative.read_statements('一、总体情况\\n共收到申请12件。')[0].value)\n"
              "print(jieba.dt.initialized, narrative._segmenter().segmenter.initialized)\n"
              "print(sorted(m for m in ('spacy', 'thinc', 'torch') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["12.0", "False True", "[]"]
