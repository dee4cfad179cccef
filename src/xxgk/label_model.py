"""The transformer stage of the label classifier: the e5 encoder, a committed LoRA adapter and head.

``predict`` maps label strings to a category of ``categories.tsv`` (or ``none``) with a calibrated
confidence; ``nearest_labels`` explains a mapping by the official labels nearest in embedding space;
``not_a_label`` is the sentence-transformers embedding decision (similarity to the nearest official
label below a floor set on the calibration split).
The encoder is rebuilt from pinned wheels into a cache (see ``xxgk.encoder``); only the adapter, head
and settings live in ``models/labels``. If neither can be had, ``LabelModelUnavailable`` is raised
and the caller falls back to the cheap stages.
"""
from __future__ import annotations

import json
import os
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
        try:
            from safetensors.torch import load_file
        except ImportError as exc:
            raise LabelModelUnavailable(f"the transformer stage needs torch and safetensors: {exc}") from exc
        directory = directory or model_dir()
        config_path = directory / "config.json"
        if not config_path.is_file():
            raise LabelModelUnavailable(f"no trained label model in {directory} (run `xxgk train-labels`)")
        self.config = json.loads(config_path.read_text(encoding="utf-8"))
        if set(self.config["labels"]) != set(schema.categories()):
            raise LabelModelUnavailable("the label categories changed since the head was trained; retrain it")
        try:
            self.st = encoder.load_encoder()
        except (encoder.EncoderUnavailable, ImportError, OSError) as exc:  # no wheels, no disk, no torch
            raise LabelModelUnavailable(f"the e5 encoder cannot be loaded or built: {exc}") from exc
        built = encoder.manifest()["pieces_digest"]
        if built != self.config["encoder_pieces_digest"]:
            raise LabelModelUnavailable(f"the cached encoder (vocabulary {built}) is not the one the head was "
                                        f"trained on ({self.config['encoder_pieces_digest']}); rebuild it")
        self.st.max_seq_length = self.config["max_seq_length"]
        try:
            merge_adapter(self.st, directory / "adapter")
        except ImportError as exc:
            raise LabelModelUnavailable(f"the committed adapter needs peft: {exc}") from exc
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
        """The head's calibrated pick. (Overruling it with the embedding gate below cost accuracy on the
        held-out set, see ``metrics.json``, so the two are kept apart.)"""
        probs, _ = self.scores(texts)
        return [(self.labels[int(p.argmax())], float(p.max())) for p in probs]

    def not_a_label(self, texts: list[str]) -> list[bool]:
        """The embedding decision: True when a text is farther from every official label than any
        calibration label was (sentence-transformers cosine below ``likeness_floor``)."""
        return [bool(like < self.likeness_floor) for like in self.scores(texts)[1]]

    def nearest_labels(self, text: str, k: int = 3) -> list[tuple[str, str, float]]:
        """The ``k`` official labels nearest to ``text``: (category, label, cosine similarity)."""
        similarity = normalized(self.embed([text]))[0] @ self.anchor_vectors.T
        order = np.argsort(-similarity)[:k]
        return [(self.anchor_categories[i], self.anchor_texts[i], float(similarity[i])) for i in order]

    def label_likeness(self, texts: list[str]) -> np.ndarray:
        """Cosine similarity of each text to its nearest official label."""
        return self.scores(texts)[1]


def decide(labels: list[str], probs: np.ndarray, likeness: np.ndarray | None = None,
           floor: float = -1.0) -> list[tuple[str, float]]:
    """Head picks, optionally overruled to ``none`` where the likeness is below ``floor`` (for measuring)."""
    none = labels.index(NONE)
    out = []
    for i, p in enumerate(probs):
        best = int(p.argmax())
        if likeness is not None and best != none and likeness[i] < floor:
            out.append((NONE, float(max(p[none], 1.0 - p[best]))))
        else:
            out.append((labels[best], float(p[best])))
    return out


def merge_adapter(st, adapter_dir: Path) -> None:
    """Fold the committed LoRA adapter into the encoder's weights (no adapter cost at inference)."""
    if not (adapter_dir / "adapter_config.json").is_file():
        return
    from peft import PeftModel
    transformer = st[0]
    transformer.model = PeftModel.from_pretrained(transformer.model, str(adapter_dir)).merge_and_unload()


_loaded: LabelModel | LabelModelUnavailable | None = None


def load() -> LabelModel:
    """The process-wide model; a failure is remembered, so a missing encoder costs one attempt."""
    global _loaded
    if _loaded is None:
        try:
            _loaded = LabelModel()
        except LabelModelUnavailable as exc:
            _loaded = exc
    if isinstance(_loaded, LabelModelUnavailable):
        raise _loaded
    return _loaded


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
