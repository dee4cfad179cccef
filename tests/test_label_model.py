"""The transformer stage of the label classifier: encoder rebuild, corpus, committed head on held-out data."""
from __future__ import annotations

import json
import random
import re
import struct

import numpy as np
import pytest

from xxgk import schema
from xxgk.labels import encoder
from xxgk.labels.files import MODEL_DIR
from xxgk.training import corpus as label_training


# --- pieces that need no model ---------------------------------------------------------------

def quantize_block(values: np.ndarray) -> bytes:
    scale = np.float16(np.abs(values).max() / 7)
    codes = np.clip(np.round(values / np.float32(scale)) + 8, 0, 15).astype(np.uint8)
    return struct.pack("<e", scale) + bytes(codes[:16] | (codes[16:] << 4))


def test_q4_0_blocks_dequantize_to_their_values():
    rng = np.random.default_rng(0)
    values = rng.uniform(-1, 1, size=(2, 64)).astype(np.float32)
    raw = b"".join(quantize_block(row[i:i + 32]) for row in values for i in (0, 32))
    restored = encoder.dequantize_q4_0(raw, rows=2, cols=64)
    assert restored.shape == (2, 64)
    assert np.abs(restored - values).max() <= np.abs(values).max() / 7  # at most one 4-bit step off


def test_vocabulary_trim_keeps_cjk_ascii_punctuation_and_specials():
    spec = {
        "model": {"type": "Unigram", "unk_id": 3, "vocab": [
            ["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["▁政府", -5.0], ["ção", -6.0],
            ["，", -4.0], ["▁the", -3.0], ["Привет", -7.0], ["<mask>", 0.0]]},
        "added_tokens": [{"id": i, "content": c} for i, c in ((0, "<s>"), (1, "<pad>"), (2, "</s>"), (3, "<unk>"),
                                                               (9, "<mask>"))],
        "post_processor": {"special_tokens": {"<s>": {"ids": [0]}, "</s>": {"ids": [2]}}},
    }
    trimmed, kept = encoder.trim_tokenizer(spec)
    assert kept == [0, 1, 2, 3, 4, 6, 7, 9]
    assert [p for p, _ in trimmed["model"]["vocab"]][-1] == "<mask>"
    assert trimmed["added_tokens"][-1]["id"] == 7
    assert spec["model"]["vocab"][5][0] == "ção"  # the input spec is left alone


def test_corpus_splits_are_disjoint_and_cover_every_category():
    splits = {s: label_training.load_split(s) for s in label_training.SPLITS}
    keys = {s: {label_training.key(ex["text"]) for ex in examples} for s, examples in splits.items()}
    assert not keys["train"] & keys["heldout"]
    assert not keys["calibration"] & keys["heldout"]
    assert {ex["category"] for ex in splits["train"]} == set(schema.categories())
    assert {ex["kind"] for ex in splits["heldout"]} == {"fresh-draw", "heldout-family"}


@pytest.fixture()
def noise():
    pytest.importorskip("opencc")
    return label_training.Noise(random.Random(1), {"信": ["倍"]}, ["第{page}页"],
                                {"requests.denied_state_secret": ["（三）不予公开"]})


def test_distortions_keep_the_wording_that_decides_the_category(noise):
    for _ in range(50):
        assert noise.renumber("1.属于国家秘密", "requests.denied_state_secret").endswith("属于国家秘密")
        assert "属于国家秘密" in noise.glue_numbers("属于国家秘密")
        assert "属于国家秘密" in noise.glue_furniture("属于国家秘密")
        short = noise.abbreviate("5.要求提供公开出版物")
        assert len(short) >= 5 and (short in "5.要求提供公开出版物" or short[2:] in "要求提供公开出版物")
    glued = noise.glue_parent("1.属于国家秘密", "requests.denied_state_secret")
    assert glued.startswith("（三）不予公开") and glued.endswith("1.属于国家秘密")
    assert noise.glue_parent(glued, "requests.denied_state_secret") == glued  # never glued twice


def test_column_headers_are_never_given_numbering(noise):
    assert {noise.renumber("其他", "column.other_org") for _ in range(100)} == {"其他"}


def test_negatives_keep_their_text_and_get_nothing_glued_on(noise):
    sentence = "严格按照相关法律法规，关注社会热点，回应群众关心问题。"
    for _ in range(100):
        drawn, _ = noise.draw(sentence, "none")
        assert not re.search(r"第\d+页|^\d|\d$", drawn)
        assert len(label_training.key(drawn)) >= 0.7 * len(label_training.key(sentence))


def test_draws_that_become_another_category_or_repeat_an_earlier_split_are_dropped():
    owners = {label_training.key("其他"): "column.other_org"}

    def ex(text, category, core=None):
        return {"text": text, "core": core or text, "category": category}
    splits = {
        "train": [ex("其 他 0 0", "requests.other_misc", core="其 他"), ex("3.其他", "requests.other_misc"),
                  ex("项目数量 0", "column.previous", core="项目数量")],
        "heldout": [ex("3．其他", "requests.other_misc"), ex("项目数量", "column.projects"),
                    ex("1、其他", "requests.other_misc")],
    }
    kept = label_training.deduplicate(splits, owners)
    assert [e["text"] for e in kept["train"]] == ["3.其他"]
    assert [e["text"] for e in kept["heldout"]] == ["1、其他"]


# --- the model ---------------------------------------------------------------------------------

def heldout_sample(n: int) -> list[dict]:
    examples = label_training.load_split("heldout")
    return random.Random(7).sample(examples, min(n, len(examples)))


def test_heldout_sample_accuracy_and_none_precision(model):
    sample = heldout_sample(400)
    predicted = model.predict([ex["text"] for ex in sample])
    correct = sum(p[0] == ex["category"] for p, ex in zip(predicted, sample))
    said_none = [ex["category"] for p, ex in zip(predicted, sample) if p[0] == "none"]
    assert correct / len(sample) >= 0.985
    assert said_none and said_none.count("none") / len(said_none) >= 0.98


def test_predict_keeps_order_and_gives_probabilities(model):
    texts = ["四、结转下年度继续办理", "版权所有：某某市人民政府办公室", "1.屬於國家秘密", "-3-", "本机关不掌握相关信息"]
    result = model.predict(texts)
    assert [c for c, _ in result] == ["requests.carried_forward", "none", "requests.denied_state_secret", "none",
                                      "requests.unavailable_not_held"]
    assert all(0.0 < p <= 1.0 for _, p in result)
    assert model.predict([]) == []


def test_confidence_is_lower_on_errors_than_on_hits(model):
    sample = heldout_sample(400)
    predicted = model.predict([ex["text"] for ex in sample])
    hits = [p for (c, p), ex in zip(predicted, sample) if c == ex["category"]]
    misses = [p for (c, p), ex in zip(predicted, sample) if c != ex["category"]]
    assert np.mean(hits) > 0.9
    assert not misses or np.mean(misses) < np.mean(hits)


def test_nearest_labels_explain_with_official_wording(model):
    nearest = model.nearest_labels("没有现成信息需另行制作", k=3)
    assert len(nearest) == 3
    assert nearest[0][:2] == ("requests.unavailable_needs_creation", "2.没有现成信息需要另行制作")
    assert nearest[0][2] >= nearest[1][2] >= nearest[2][2]


def committed_metrics() -> dict:
    return json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))


def test_committed_head_was_measured_on_the_heldout_split_it_ships_with():
    metrics = committed_metrics()
    assert metrics["corpus"]["heldout"] == len(label_training.load_split("heldout"))
    assert metrics["heldout"]["classifier"]["none_precision"] >= 0.99
    assert metrics["heldout"]["classifier"]["n"] == metrics["corpus"]["heldout"]
    assert metrics["heldout"]["classifier"]["expected_calibration_error"] <= 0.02


def test_committed_classifier_meets_the_issue_target():
    metrics = committed_metrics()["heldout"]
    assert metrics["classifier"]["accuracy"] >= 0.995
    assert metrics["classifier"]["none_precision"] >= 0.99


def test_onnx_runtime_gives_the_sentence_transformers_embeddings(model):
    from xxgk.labels import model as label_model
    assert model.backend == "onnx"
    reference = label_model.LabelModel(backend="sentence-transformers")
    texts = [ex["text"] for ex in heldout_sample(120)]
    fast, slow = model.embed(texts), reference.embed(texts)
    cosine = (fast * slow).sum(1) / np.linalg.norm(fast, axis=1) / np.linalg.norm(slow, axis=1)
    assert cosine.min() >= 0.998    # the runtime's matrix weights are 8-bit (label_model.weights_in_8_bits)
    assert [c for c, _ in model.predict(texts)] == [c for c, _ in reference.predict(texts)]
