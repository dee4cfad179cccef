"""The transformer stage of the label classifier: the e5 encoder, a committed LoRA adapter and head.

``predict`` maps label strings to a category of ``categories.tsv`` (or ``none``) with a calibrated
confidence; ``nearest_labels`` explains a mapping by the official labels nearest in embedding space;
``label_likeness`` is the sentence-transformers similarity behind the "not a label" decision.
The encoder is rebuilt from pinned wheels into a cache (see ``xxgk.encoder``); only the adapter, head
and settings live in ``models/labels``. If neither can be had, ``LabelModelUnavailable`` is raised
and the caller falls back to the cheap stages.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from xxgk import encoder, schema

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "labels"
PREFIX = "query: "
NONE = "none"
BATCH = 64


class LabelModelUnavailable(RuntimeError):
    """The encoder cache or the committed head cannot be loaded here."""


def model_dir() -> Path:
    return Path(os.environ.get("XXGK_LABEL_MODEL") or MODEL_DIR)


def official_labels() -> list[tuple[str, str]]:
    """(category, label) for every official label; these anchor the nearest-label explanations."""
    return [(name, label) for name, cat in schema.categories().items() if name != NONE for label in cat.labels]


def normalized(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class LabelModel:
    """Encoder with the adapter merged in, a linear head, a temperature and the label-likeness gate."""

    def __init__(self, directory: Path | None = None):
        import torch
        from safetensors.torch import load_file

        directory = directory or model_dir()
        config_path = directory / "config.json"
        if not config_path.is_file():
            raise LabelModelUnavailable(f"no trained label model in {directory} (run `xxgk train-labels`)")
        self.config = json.loads(config_path.read_text(encoding="utf-8"))
        try:
            self.st = encoder.load_encoder()
        except (encoder.EncoderUnavailable, ImportError, OSError) as exc:
            raise LabelModelUnavailable(f"the e5 encoder cannot be loaded or built: {exc}") from exc
        built = encoder.manifest()["pieces_digest"]
        if built != self.config["encoder_pieces_digest"]:
            raise LabelModelUnavailable(f"the cached encoder (vocabulary {built}) is not the one the head was "
                                        f"trained on ({self.config['encoder_pieces_digest']}); rebuild it")
        self.st.max_seq_length = self.config["max_seq_length"]
        merge_adapter(self.st, directory / "adapter")
        head = load_file(str(directory / "head.safetensors"))
        self.weight = head["weight"].numpy().astype(np.float32)
        self.bias = head["bias"].numpy().astype(np.float32)
        self.labels: list[str] = self.config["labels"]
        self.temperature = float(self.config["temperature"])
        self.likeness_floor = float(self.config["likeness_floor"])
        self.st.eval()
        anchors = official_labels()
        self.anchor_categories = [c for c, _ in anchors]
        self.anchor_texts = [t for _, t in anchors]
        self.anchor_vectors = normalized(self.embed(self.anchor_texts))

    def embed(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled embeddings (not normalized) of the fine-tuned encoder."""
        if not texts:
            return np.zeros((0, self.weight.shape[1]), dtype=np.float32)
        return self.st.encode([PREFIX + t for t in texts], batch_size=BATCH, convert_to_numpy=True,
                              show_progress_bar=False)

    def scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated class probabilities and the label-likeness of each text."""
        vectors = self.embed(texts)
        probs = softmax((vectors @ self.weight.T + self.bias) / self.temperature)
        likeness = (normalized(vectors) @ self.anchor_vectors.T).max(axis=1) if len(texts) else np.zeros(0)
        return probs, likeness

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        probs, likeness = self.scores(texts)
        out = []
        for p, like in zip(probs, likeness):
            best = int(p.argmax())
            category, confidence = self.labels[best], float(p[best])
            if category != NONE and like < self.likeness_floor:
                # far from every official label in embedding space: not a label, whatever the head says
                category, confidence = NONE, float(max(p[self.labels.index(NONE)], 1.0 - confidence))
            out.append((category, confidence))
        return out

    def nearest_labels(self, text: str, k: int = 3) -> list[tuple[str, str, float]]:
        """The ``k`` official labels nearest to ``text``: (category, label, cosine similarity)."""
        similarity = normalized(self.embed([text]))[0] @ self.anchor_vectors.T
        order = np.argsort(-similarity)[:k]
        return [(self.anchor_categories[i], self.anchor_texts[i], float(similarity[i])) for i in order]

    def label_likeness(self, texts: list[str]) -> np.ndarray:
        """Cosine similarity of each text to its nearest official label."""
        return self.scores(texts)[1]


def merge_adapter(st, adapter_dir: Path) -> None:
    """Fold the committed LoRA adapter into the encoder's weights (no adapter cost at inference)."""
    if not (adapter_dir / "adapter_config.json").is_file():
        return
    from peft import PeftModel
    transformer = st[0]
    transformer.model = PeftModel.from_pretrained(transformer.model, str(adapter_dir)).merge_and_unload()


@lru_cache(maxsize=1)
def load() -> LabelModel:
    return LabelModel()


def available() -> bool:
    try:
        load()
        return True
    except LabelModelUnavailable:
        return False


def predict(texts: list[str]) -> list[tuple[str, float]]:
    """Category and calibrated confidence for each text, in order. Raises LabelModelUnavailable."""
    return load().predict(list(texts))


def nearest_labels(text: str, k: int = 3) -> list[tuple[str, str, float]]:
    return load().nearest_labels(text, k)
