"""The character n-gram classifier: numpy inference equals scikit-learn's, and it reads noisy labels."""
from __future__ import annotations

import random

import numpy as np
import pytest

from xxgk import schema
from xxgk.labels import ngrams as label_ngrams, stages as label_stages
from xxgk.training import corpus as label_training, ngrams as ngram_training


@pytest.fixture(scope="module")
def small_fit(tmp_path_factory):
    examples = random.Random(5).sample(label_training.load_split("train"), 1500)
    names = sorted(schema.categories())
    vectorizer, model = ngram_training.fit([e["text"] for e in examples], [e["category"] for e in examples], names)
    path = ngram_training.save(vectorizer, model, names, tmp_path_factory.mktemp("ngrams"))
    return vectorizer, model, names, label_ngrams.NgramClassifier(path)


def test_numpy_inference_gives_scikit_learns_probabilities(small_fit):
    vectorizer, model, names, saved = small_fit
    texts = [e["text"] for e in random.Random(6).sample(label_training.load_split("heldout"), 300)]
    texts += ["", "   ", "12345", "从未见过的字串"]   # no known n-gram at all: the intercepts alone
    reference = np.zeros((len(texts), len(names)))
    reference[:, model.classes_] = model.predict_proba(vectorizer.transform(texts))
    got = saved.probabilities(texts)
    assert got.shape == reference.shape
    assert np.allclose(got.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(got - reference).max() < 2e-3          # float16 weights
    assert (got.argmax(axis=1) == reference.argmax(axis=1)).mean() >= 0.995


def test_spacing_width_and_traditional_forms_are_read_alike():
    assert label_ngrams.prepared("３.屬 於 國家\t秘密") == label_ngrams.prepared("3.属于国家秘密") == "3.属于国家秘密"


def test_committed_classifier_reads_ocr_slips_and_rejects_prose():
    ngrams = label_ngrams.load()
    assert ngrams is not None and ngrams.labels == sorted(schema.categories())
    cases = {"3.属于国冢秘密": "requests.denied_state_secret", "不掌握相关倍息": "requests.unavailable_not_held",
             "（一）自然人": "column.natural_person",
             "本机关坚持以公开为常态、不公开为例外，及时回应社会关切。": "none"}
    probs = ngrams.probabilities(list(cases))
    assert [ngrams.labels[int(p.argmax())] for p in probs] == list(cases.values())


def test_what_the_ngram_classifier_settles_alone_is_right_on_the_heldout_split():
    ngrams = label_ngrams.load()
    examples = label_training.load_split("heldout")
    probs = ngrams.probabilities([label_stages.model_form(e["text"]) for e in examples])
    sure = probs.max(axis=1) >= label_stages.NGRAMS_SETTLE
    picks = [ngrams.labels[int(p.argmax())] for p in probs[sure]]
    truth = [e["category"] for e, s in zip(examples, sure) if s]
    assert sure.mean() > 0.3
    assert sum(p == t for p, t in zip(picks, truth)) / len(truth) >= 0.998
