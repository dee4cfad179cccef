"""The student of the label classifier: a small character CNN that learned the whole classifier's answers.

The transformer is the classifier's costliest stage (milliseconds a string). Most of what the n-gram
classifier leaves it is page text inside the tables (titles, dates, issuer names, ICP lines) and label
fragments cut by line breaks, which the transformer calls with near certainty. The student is trained on
the corpus's training split and on the strings of generated report batches labelled by the whole
classifier (dictionary, n-grams, transformer), so it answers those in microseconds; it settles a string
only where it is sure and the n-gram classifier picks the same category (two models that read the
characters differently), and the transformer still decides the rest.

One embedding per character, two width-3 convolutions, max- and mean-pooling, a linear layer. Torch
trains it (``xxgk.training.student``, run by ``xxgk train-labels``); the committed ``student.npz`` (a few
hundred kB) runs here in plain numpy.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .files import ModelFile
from .ngrams import prepared

FILE = "student.npz"
MAX_CHARS = 48          # a label is shorter; a longer run is prose, told by its start
WIDTH = 3               # the convolutions' width
PAD, UNKNOWN = 0, 1


def encode(texts: list[str], vocabulary: dict[str, int]) -> list[list[int]]:
    return [[vocabulary.get(ch, UNKNOWN) for ch in prepared(t)[:MAX_CHARS]] or [UNKNOWN] for t in texts]


def padded(ids: list[list[int]]) -> np.ndarray:
    """Rows padded to the longest, with the two convolutions' reach (two characters) on both sides, so that
    the second layer has one position centred on each character."""
    reach = 2 * (WIDTH // 2)
    out = np.zeros((len(ids), max(map(len, ids)) + 2 * reach), dtype=np.int64)
    for row, seq in enumerate(ids):
        out[row, reach:reach + len(seq)] = seq
    return out


def _conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Width-3 convolution without padding: (N, L, C_in) -> (N, L - 2, C_out); weight is (3 * C_in, C_out)."""
    windows = np.concatenate([x[:, k:x.shape[1] - WIDTH + 1 + k] for k in range(WIDTH)], axis=2)
    return np.maximum(windows @ weight + bias, 0.0)


class Student:
    """Calibrated class probabilities from the committed ``student.npz``."""

    def __init__(self, path: Path):
        with np.load(path, allow_pickle=False) as data:
            self.labels: list[str] = [str(x) for x in data["labels"]]
            self.vocabulary = {str(ch): i + 2 for i, ch in enumerate(data["vocabulary"])}
            self.params = {k: data[k].astype(np.float32) for k in data.files if k not in ("labels", "vocabulary")}
        self.settles = float(self.params.pop("settles"))
        self.temperature = float(self.params.pop("temperature"))

    def probabilities(self, texts: list[str], batch: int = 256) -> np.ndarray:
        ids = encode(texts, self.vocabulary)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))   # like lengths together: little padding
        out = np.zeros((len(ids), len(self.labels)), dtype=np.float32)
        p = self.params
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            x = p["embedding"][padded([ids[i] for i in rows])]
            h = _conv(_conv(x, p["conv1.weight"], p["conv1.bias"]), p["conv2.weight"], p["conv2.bias"])
            seen = np.arange(h.shape[1])[None, :] < np.array([len(ids[i]) for i in rows])[:, None]
            pooled = np.concatenate([np.where(seen[..., None], h, -np.inf).max(axis=1),
                                     (h * seen[..., None]).sum(axis=1) / seen.sum(axis=1, keepdims=True)], axis=1)
            logits = (pooled @ p["out.weight"] + p["out.bias"]) / self.temperature
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            out[rows] = exp / exp.sum(axis=1, keepdims=True)
        return out


MODEL_FILE = ModelFile(FILE, Student)
# The student in a directory (default: the committed one), or None when none was trained there; ``use``
# makes another the process-wide one (None: no student, as for the classifier it learns from).
load, use, use_committed, forget = MODEL_FILE.load, MODEL_FILE.use, MODEL_FILE.use_committed, MODEL_FILE.forget
