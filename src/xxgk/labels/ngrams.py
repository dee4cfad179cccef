"""The character n-gram classifier of the label classifier: a linear model over a label's characters.

Trained on the same corpus as the transformer (``corpus/labels``), it reads the string the way the
dictionary does not: every 1-, 2- and 3-character run, weighted by how telling it was in training, so
an OCR slip or a dropped character costs a few features, not the match. It answers in microseconds,
settles what it is sure of, and is averaged with the transformer for the rest (the two err on
different strings).

The committed model is one small ``.npz`` (vocabulary, idf weights, float16 coefficients): scikit-learn
fits it (``xxgk.training.ngrams``, run by ``xxgk train-labels``), plain numpy runs it (here), so loading
needs neither sklearn nor torch.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from ..text import normalize_chars, to_simplified
from .files import ModelFile

FILE = "ngrams.npz"      # beside the transformer's head, in files.model_dir()
NGRAM_RANGE = (1, 3)

_WHITESPACE = re.compile(r"\s+")


def prepared(text: str) -> str:
    """What the n-grams are cut from: compatibility forms folded, simplified characters, no whitespace
    (a scrape breaks and spaces labels anywhere); numbering and punctuation stay (they tell a label
    from a sentence)."""
    return _WHITESPACE.sub("", to_simplified(normalize_chars(text)))


def ngrams(text: str) -> list[str]:
    low, high = NGRAM_RANGE
    return [text[i:i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


class NgramClassifier:
    """Calibrated class probabilities from sublinear tf-idf character n-grams and a logistic regression
    (the arithmetic of scikit-learn's ``TfidfVectorizer`` + ``LogisticRegression.predict_proba``)."""

    def __init__(self, path: Path):
        with np.load(path, allow_pickle=False) as data:
            self.labels: list[str] = [str(x) for x in data["labels"]]
            self.vocabulary = {str(gram): i for i, gram in enumerate(data["vocabulary"])}
            self.idf = data["idf"].astype(np.float32)
            self.weights = data["weights"].astype(np.float32)      # features × classes
            self.intercept = data["intercept"].astype(np.float32)

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in ngrams(prepared(text)):
            index = self.vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = np.array([1.0 + math.log(n) for n in counts.values()], dtype=np.float32) * self.idf[columns]
        norm = float(np.sqrt(values @ values))
        return columns, values / norm if norm else values

    def probabilities(self, texts: list[str]) -> np.ndarray:
        logits = np.tile(self.intercept, (len(texts), 1))
        for row, text in enumerate(texts):
            columns, values = self.features(text)
            if len(columns):
                logits[row] += values @ self.weights[columns]
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


MODEL_FILE = ModelFile(FILE, NgramClassifier)
# The classifier in a directory (default: the committed one, or ``$XXGK_LABEL_MODEL``), or None when none has
# been trained there (the other stages carry on); ``use`` makes another the process-wide one.
load, use, use_committed, forget = MODEL_FILE.load, MODEL_FILE.use, MODEL_FILE.use_committed, MODEL_FILE.forget
