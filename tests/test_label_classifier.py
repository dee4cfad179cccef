"""The label classifier as users and the extractor meet it: stages, cache, context, CLI, extraction."""
from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from xxgk import schema
from xxgk.evaluate import evaluate
from xxgk.labels import dictionary as labels, stages as label_stages
from xxgk.labels.files import MODEL_DIR
from xxgk.options import Options
from xxgk.pipeline import extract_file
from xxgk.generate import FORMS, generate_set

TEXT_FORMS = [form for form in FORMS if form != "html"]


@pytest.fixture()
def fresh_cache():
    label_stages.reset_caches()
    yield
    label_stages.reset_caches()


class CountingModel:
    """Stands in for ``label_stages.model_probabilities`` (the transformer) and counts the strings it is asked about."""

    def __init__(self):
        self.inner, self.asked = label_stages.model_probabilities, []

    def __call__(self, texts, allowed=None):
        self.asked.extend(texts)
        return self.inner(texts, allowed)


@pytest.fixture()
def counting(model, monkeypatch, fresh_cache):
    spy = CountingModel()
    monkeypatch.setattr(label_stages, "model_probabilities", spy)
    return spy


def test_official_labels_of_both_templates_map_to_their_category_without_the_transformer(counting):
    pairs = [(name, label) for name, cat in schema.categories().items() if name != "none" for label in cat.labels]
    got = label_stages.classify_labels([label for _, label in pairs])
    wrong = [(label, name, cat) for (name, label), (cat, _) in zip(pairs, got) if cat != name]
    # 总计 / 其他 alone name a row and a column alike: the dictionary leaves them to the transformer
    ambiguous = ("总计", "其他")
    assert all(labels.normalize_label(label) in ambiguous for label, _, _ in wrong), wrong
    assert not [t for t in counting.asked if labels.normalize_label(t) not in ambiguous]


def test_noisy_labels_the_dictionary_cannot_read_go_to_the_learned_stages_once_per_form(counting, monkeypatch):
    from xxgk.labels import ngrams as label_ngrams
    ngrams = label_ngrams.load()
    read = []
    monkeypatch.setattr(ngrams, "probabilities", lambda texts, inner=ngrams.probabilities: read.extend(texts)
                        or inner(texts))
    noisy = ["（三）不予公开 5.属於國家秘蜜", "3.属于国冢秘密", "3.属于国冢秘密 ", "３.属于国冢秘密", "3.属 于 国 冢 秘 密",
             "不掌握相关倍息", "谁公开、谁审查，"]
    got = label_stages.classify_labels(noisy)
    assert [c for c, _ in got[:6]] == ["requests.denied_state_secret"] * 5 + ["requests.unavailable_not_held"]
    assert got[6][0] == "none"
    # spacing, full-width and traditional forms are one question; numbering and punctuation stay
    assert sorted(read) == sorted(set(read)) and read.count("3.属于国冢秘密") == 1
    assert not {"３.属于国冢秘密", "3.属 于 国 冢 秘 密"} & set(read)
    assert set(counting.asked) <= set(read)   # the transformer only sees what the n-grams left
    again = label_stages.classify_labels(noisy)
    assert again == got and len(read) == len(set(read))   # the second batch is free
    assert all(0.0 < p <= 1.0 for _, p in got)


def test_the_transformer_is_asked_only_where_the_ngrams_and_the_student_are_unsure(counting):
    from xxgk.labels import ngrams as label_ngrams, student as label_student
    texts = [ex["text"] for ex in label_training_sample(300)]
    results = label_stages.classify_detailed(texts)
    learned = {label_stages.model_form(t): r for t, r in zip(texts, results) if r.stage in label_stages.LEARNED_STAGES}
    forms = sorted(learned)
    grams = label_ngrams.load().probabilities(forms)
    student = label_student.load()
    taught = student.probabilities(forms)
    sure = {f for f, p in zip(forms, grams) if p.max() >= label_stages.NGRAMS_SETTLE}
    agreed = {f for f, p, q in zip(forms, grams, taught)
              if f not in sure and q.max() >= student.settles and q.argmax() == p.argmax()}
    none = label_ngrams.load().labels.index("none")
    headings = {f for f, p in zip(forms, grams) if f not in sure | agreed and p.argmax() == none
                and p[none] >= label_stages.HEADING_NOT_A_LABEL
                and label_stages.reads_as_heading(labels.match_label(f), labels.normalize_label(f))}
    assert set(counting.asked) == set(forms) - sure - agreed - headings
    assert {r.stage for r in results} >= {"ngrams", "student", "model"}
    assert all(learned[f].stage == "ngrams" for f in sure | headings)
    assert all(learned[f].stage == "student" for f in agreed)


def test_garbled_table_headings_are_set_aside_without_the_transformer(counting):
    # the dictionary reads them as headings without being sure; the n-gram classifier says "not a label"
    garbled = ["第二十条第（八）顷", "第二十第（九）项", "息内容", "三、本年度办理结杲情况", "（五）予处理"]
    results = label_stages.classify_detailed(garbled)
    assert [(r.category, r.stage) for r in results] == [("none", "ngrams")] * len(garbled)
    assert counting.asked == []
    # a heading glued before a row's label is still the row's: the n-grams are not sure it is no label
    note = "（本列数据的勾稽关系为：第三项加第四项之和，等于第一项加第二项之和）"
    glued = label_stages.classify_detailed([f"{note}  执法案卷"])
    assert glued[0].category == "requests.denied_enforcement_file"
    # nor is a heading with a row's garbled label glued after it (a one-line page), though the n-grams call
    # the whole "not a label" at better than even odds: the transformer reads the row
    [run] = label_stages.classify_detailed(["三、本年度办埋结果 (一) 以仝开"])
    assert (run.category, run.stage) == ("requests.granted", "model")


def test_the_student_is_right_where_it_settles_a_held_out_label():
    from xxgk.labels import ngrams as label_ngrams, student as label_student
    examples = [ex for ex in label_training_sample(1000)]
    forms = [label_stages.model_form(ex["text"]) for ex in examples]
    grams = label_ngrams.load().probabilities(forms)
    student = label_student.load()
    taught = student.probabilities(forms)
    left = [i for i, p in enumerate(grams) if p.max() < label_stages.NGRAMS_SETTLE]
    settled = [i for i in left if taught[i].max() >= student.settles and taught[i].argmax() == grams[i].argmax()]
    assert len(settled) >= len(left) / 2
    right = sum(student.labels[int(taught[i].argmax())] == examples[i]["category"] for i in settled)
    assert right >= 0.995 * len(settled)


def label_training_sample(n: int) -> list[dict]:
    from xxgk.training import corpus as label_training
    return random.Random(3).sample(label_training.load_split("heldout"), n)


def test_context_resolves_labels_ambiguous_alone(model, fresh_cache):
    alone = label_stages.classify_labels(["总计"])[0]
    assert alone[1] < 1.0 or alone[0] != "column.total"   # table 3's row and table 4's column alike
    assert label_stages.classify_labels(["总计"], {"table": "appeals"}) == [("column.total", 1.0)]
    assert label_stages.classify_labels(["（七）总计"], {"table": "requests"})[0][0] == "requests.total"
    assert label_stages.classify_labels(["3.其他"], {"table": "requests"})[0][0] == "requests.other_misc"


def test_unsure_mappings_are_explained_by_the_nearest_official_labels(model, fresh_cache):
    [result] = label_stages.classify_detailed(["逾期未缴纳费用"], explain_below=1.01)
    assert result.nearest and len(result.nearest) == 3
    categories = [c for c, _, _ in result.nearest]
    assert "requests.other_unpaid_fee" in categories
    assert result.nearest[0][2] >= result.nearest[-1][2]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from xxgk.cli import app; app()", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_cli_prints_one_category_and_confidence_per_input_in_order(model):
    inputs = ["四、结转下年度继续办理", "版权所有：某某市人民政府办公室", "1.屬於國家秘密", "自 然 人"]
    proc = run_cli("label", *inputs)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(inputs)
    cats = [line.split("\t")[0] for line in lines]
    assert cats == ["requests.carried_forward", "none", "requests.denied_state_secret", "column.natural_person"]
    assert all(0 < float(line.split("\t")[1]) <= 1 for line in lines)
    piped = run_cli("label", "-", stdin="\n".join(inputs) + "\n")
    assert piped.returncode == 0 and piped.stdout == proc.stdout


def test_cli_rejects_an_unknown_table_context():
    proc = run_cli("label", "--table", "budget", "其他")
    assert proc.returncode == 2 and "--table" in proc.stderr


def garbled_set(tmp_path, n=18, seed=11):
    out = tmp_path / "garbled"
    generate_set(out, n, seed=seed, forms=TEXT_FORMS, noise=0.5, garble=0.6)
    gold = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / "gold").glob("*.json")}
    return out, gold


def extract_set(folder, with_model: bool) -> dict:
    options = Options(label_stages="all" if with_model else "dictionary")
    label_stages.reset_caches()
    return {p.stem: extract_file(p, options) for p in sorted((folder / "raw").iterdir())}


def test_extraction_with_the_learned_stages_scores_higher_on_garbled_labels(model, tmp_path):
    folder, gold = garbled_set(tmp_path)
    without = evaluate(gold, extract_set(folder, False))
    with_model = evaluate(gold, extract_set(folder, True))
    assert with_model["fields"]["accuracy"] > without["fields"]["accuracy"]
    assert with_model["silent_errors"] <= without["silent_errors"]
    assert label_stages.stage_counts()["model"] + label_stages.stage_counts()["ngrams"] > 0


def test_extraction_of_clean_reports_never_asks_the_transformer(model, tmp_path, monkeypatch, fresh_cache):
    out = tmp_path / "clean"
    generate_set(out, 9, seed=4, forms=TEXT_FORMS, noise=0.0)
    spy = CountingModel()
    monkeypatch.setattr(label_stages, "model_probabilities", spy)
    for p in sorted((out / "raw").iterdir()):
        extract_file(p, Options(label_stages="all"))
    assert spy.asked == []


def test_whole_classifier_meets_the_targets_on_the_heldout_split(model, fresh_cache):
    from xxgk.training import corpus as label_training
    examples = label_training.load_split("heldout")
    results = label_stages.classify_detailed([ex["text"] for ex in examples])
    truth = [ex["category"] for ex in examples]
    accuracy = sum(r.category == t for r, t in zip(results, truth)) / len(truth)
    said_none = [t for r, t in zip(results, truth) if r.category == "none"]
    assert accuracy >= 0.995
    assert said_none.count("none") / len(said_none) >= 0.99
    recorded = json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    assert accuracy == pytest.approx(recorded["heldout"]["classifier"]["accuracy"], abs=1e-9)


def test_a_label_the_dictionary_reads_as_its_neighbour_is_corrected_by_the_learned_stages(model, fresh_cache):
    from xxgk.pipeline import extract_text
    from xxgk.generate import random_record, render

    checked = corrected = 0
    for seed in range(30):
        rng = random.Random(seed)
        record = random_record("2021", rng)
        new, carried = record["fields"]["requests.new.total"], record["fields"]["requests.carried_over.total"]
        text = render(record, TEXT_FORMS[seed % len(TEXT_FORMS)], rng, noise=0.0)
        if new == carried or "本年新收政府信息公开申请数量" not in text:
            continue
        # 本年新收 garbled to 年新: as near 上年结转… as 本年新收… for the dictionary
        text = text.replace("本年新收政府信息公开申请数量", "年新政府信息公开申请数量")
        got = extract_text(text, f"garbled-new-{seed}", Options(label_stages="all"))
        read = (got["fields"]["requests.new.total"], got["fields"]["requests.carried_over.total"])
        if read == (new, carried):
            assert any("年新政府信息公开申请数量" in w and "requests.new" in w for w in got["warnings"])
            corrected += 1
        else:   # on one-line pages the label is glued to the headers before it: then the row is missing, flagged
            assert got["cells"]["requests.new.total"]["kind"] == "missing", (seed, read, (new, carried))
            assert got["fields"]["requests.carried_over.total"] == carried
        checked += 1
    assert checked >= 20 and corrected >= 0.8 * checked


def test_without_the_ngram_classifier_the_transformer_answers_what_the_dictionary_leaves(model, fresh_cache):
    from xxgk.labels import ngrams as label_ngrams
    label_ngrams.use(None)      # a model directory trained before the n-gram stage existed
    try:
        got = label_stages.classify_detailed(["不掌握相关倍息", "第二十条第（八）顷"])
    finally:
        label_ngrams.use_committed()
    assert got[0].category == "requests.unavailable_not_held" and got[0].stage == "model"
    assert got[1].category == "none"
