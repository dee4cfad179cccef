"""The student of the label classifier: a small character CNN that learned the whole classifier's answers.

The transformer is the classifier's costliest stage (milliseconds a string). Most of what the n-gram
classifier leaves it is page text inside the tables (titles, dates, issuer names, ICP lines) and label
fragments cut by line breaks, which the transformer calls with near certainty. The student is trained on
the corpus's training split and on the strings of generated report batches labelled by the whole
classifier (dictionary, n-grams, transformer), so it answers those in microseconds; it settles a string
only where it is sure and the n-gram classifier picks the same category (two models that read the
characters differently), and the transformer still decides the rest.

One embedding per character, two width-3 convolutions, max- and mean-pooling, a linear layer. Torch
trains it (``xxgk train-labels``); the committed ``student.npz`` (a few hundred kB) runs in plain numpy.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .model import ModelFile
from .ngrams import prepared

FILE = "student.npz"
MAX_CHARS = 48          # a label is shorter; a longer run is prose, told by its start
EMBEDDING = 48
CHANNELS = 128
WIDTH = 3
PAD, UNKNOWN = 0, 1


def encode(texts: list[str], vocabulary: dict[str, int]) -> list[list[int]]:
    return [[vocabulary.get(ch, UNKNOWN) for ch in prepared(t)[:MAX_CHARS]] or [UNKNOWN] for t in texts]


def _padded(ids: list[list[int]]) -> np.ndarray:
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
            x = p["embedding"][_padded([ids[i] for i in rows])]
            h = _conv(_conv(x, p["conv1.weight"], p["conv1.bias"]), p["conv2.weight"], p["conv2.bias"])
            seen = np.arange(h.shape[1])[None, :] < np.array([len(ids[i]) for i in rows])[:, None]
            pooled = np.concatenate([np.where(seen[..., None], h, -np.inf).max(axis=1),
                                     (h * seen[..., None]).sum(axis=1) / seen.sum(axis=1, keepdims=True)], axis=1)
            logits = (pooled @ p["out.weight"] + p["out.bias"]) / self.temperature
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            out[rows] = exp / exp.sum(axis=1, keepdims=True)
        return out


_file = ModelFile(FILE, Student)
# The student in a directory (default: the committed one), or None when none was trained there; ``use``
# makes another the process-wide one (None: no student, as for the classifier it learns from).
load, use, use_committed = _file.load, _file.use, _file.use_committed


# --- training (torch) -------------------------------------------------------------------------------------

EPOCHS = 10
BATCH = 128
LEARNING_RATE = 2e-3


def _network(vocabulary_size: int, classes: int):
    import torch
    from torch import nn

    class CharCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocabulary_size, EMBEDDING, padding_idx=PAD)
            self.conv1 = nn.Conv1d(EMBEDDING, CHANNELS, WIDTH)
            self.conv2 = nn.Conv1d(CHANNELS, CHANNELS, WIDTH)
            self.dropout = nn.Dropout(0.2)
            self.out = nn.Linear(2 * CHANNELS, classes)

        def forward(self, padded, lengths):
            h = torch.relu(self.conv1(self.embedding(padded).transpose(1, 2)))
            h = torch.relu(self.conv2(h)).transpose(1, 2)
            seen = (torch.arange(h.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1)
            pooled = torch.cat([h.masked_fill(~seen, float("-inf")).max(dim=1).values,
                                (h * seen).sum(dim=1) / seen.sum(dim=1)], dim=1)
            return self.out(self.dropout(pooled))
    return CharCNN()


def _logits(net, ids: list[list[int]], batch: int = 512):
    import torch
    net.eval()
    with torch.no_grad():
        return torch.cat([net(torch.from_numpy(_padded(ids[i:i + batch])),
                              torch.tensor([len(s) for s in ids[i:i + batch]])) for i in range(0, len(ids), batch)])


def fit(texts: list[str], targets: list[int], labels: list[str], calibration: tuple[list[str], list[int]],
        seed: int, epochs: int = EPOCHS) -> dict:
    """Train on (text, class index) pairs; the temperature is fitted on the calibration pairs. Returns the
    arrays ``save`` writes."""
    import random

    import torch

    from ..training.corpus import fit_temperature

    torch.manual_seed(seed)
    rng = random.Random(seed)
    characters = sorted({ch for t in texts for ch in prepared(t)})
    vocabulary = {ch: i + 2 for i, ch in enumerate(characters)}
    ids = encode(texts, vocabulary)
    target = torch.tensor(targets)
    net = _network(len(characters) + 2, len(labels))
    optimizer = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=1e-4)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    chunks = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE, total_steps=epochs * len(chunks))
    for epoch in range(epochs):
        net.train()
        rng.shuffle(chunks)
        total = 0.0
        for chunk in chunks:
            rows = [ids[i] for i in chunk]
            loss = torch.nn.functional.cross_entropy(
                net(torch.from_numpy(_padded(rows)), torch.tensor([len(r) for r in rows])), target[chunk])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(chunk)
        print(f"student epoch {epoch + 1}: loss {total / len(ids):.4f}", flush=True)
    calibration_logits = _logits(net, encode(calibration[0], vocabulary))
    temperature = fit_temperature(calibration_logits, torch.tensor(calibration[1]))
    state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    params = {"embedding": state["embedding.weight"], "out.weight": state["out.weight"].T, "out.bias": state["out.bias"]}
    for conv in ("conv1", "conv2"):
        weight = state[f"{conv}.weight"]                     # (out, in, width) -> (width * in, out)
        params[f"{conv}.weight"] = weight.transpose(2, 1, 0).reshape(-1, weight.shape[0])
        params[f"{conv}.bias"] = state[f"{conv}.bias"]
    return {"labels": np.array(labels), "vocabulary": np.array(characters), "temperature": np.float32(temperature),
            **params}


def save(arrays: dict, settles: float, out_dir: Path) -> Path:
    """Write ``student.npz`` (weights in float16) with the probability at which it settles a string."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE
    small = {k: (v.astype(np.float16) if isinstance(v, np.ndarray) and v.dtype == np.float32 and v.ndim > 1 else v)
             for k, v in arrays.items()}
    np.savez_compressed(path, settles=np.float32(settles), **small)
    _file.forget(out_dir)
    return path
