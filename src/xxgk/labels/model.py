"""The transformer stage of the label classifier: the e5 encoder, a committed LoRA adapter and head.

``predict`` maps label strings to a category of ``categories.tsv`` (or ``none``) with a calibrated
confidence; ``nearest_labels`` explains a mapping by the official labels nearest in embedding space;
``not_a_label`` is the sentence-transformers embedding decision (similarity to the nearest official
label below a floor set on the calibration split).
The encoder is rebuilt from pinned wheels into a cache (see ``encoder``); only the adapter, head
and settings live in ``xxgk/models/labels``. If neither can be had, ``LabelModelUnavailable`` is raised
and the caller falls back to the cheap stages.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np

from .. import schema
from . import encoder, runtime
from .files import model_dir

PREFIX = "query: "
NONE = "none"
BATCH = 64


class LabelModelUnavailable(RuntimeError):
    """The encoder cache or the committed head cannot be loaded here."""


def official_labels() -> list[tuple[str, str]]:
    """(category, label) for every official label; these anchor the nearest-label explanations."""
    return [(name, label) for name, cat in schema.categories().items() if name != NONE for label in cat.labels]


def normalized(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class LabelModel:
    """Encoder with the adapter merged in, a linear head, a temperature and the label-likeness gate.

    ``backend="onnx"`` (the default) runs the fine-tuned sentence-transformers model exported once to
    ONNX in the cache: it loads in well under a second without torch, which is what lets a batch's
    worker processes ask it about a label at all. ``backend="sentence-transformers"`` runs the same
    model through sentence-transformers (training, measuring, and the export itself)."""

    def __init__(self, directory: Path | None = None, backend: str = "onnx"):
        directory = directory or model_dir()
        config_path = directory / "config.json"
        if not config_path.is_file():
            raise LabelModelUnavailable(f"no trained label model in {directory} (run `xxgk train-labels`)")
        self.directory = directory
        self.config = json.loads(config_path.read_text(encoding="utf-8"))
        if set(self.config["labels"]) != set(schema.categories()):
            raise LabelModelUnavailable("the label categories changed since the head was trained; retrain it")
        try:
            from safetensors.numpy import load_file
        except ImportError as exc:
            raise LabelModelUnavailable(f"the label model needs safetensors: {exc}") from exc
        head = load_file(str(directory / "head.safetensors"))
        self.weight = head["weight"].astype(np.float32)
        self.bias = head["bias"].astype(np.float32)
        self.labels: list[str] = self.config["labels"]
        self.temperature = float(self.config["temperature"])
        self.likeness_floor = float(self.config["likeness_floor"])
        self.backend = backend
        if backend == "onnx":
            try:
                self._embed = self._onnx_embedder()
            except LabelModelUnavailable as exc:
                warnings.warn(f"label model: ONNX runtime unavailable ({exc}); using sentence-transformers",
                              stacklevel=2)
                self.backend = "sentence-transformers"
        if self.backend != "onnx":
            self._embed = self._st_embedder()
        anchors = official_labels()
        self.anchor_categories = [c for c, _ in anchors]
        self.anchor_texts = [t for _, t in anchors]
        self._anchor_vectors: np.ndarray | None = None

    @property
    def anchor_vectors(self) -> np.ndarray:
        """Embeddings of the official labels (made on first use: the extractor's questions never need them)."""
        if self._anchor_vectors is None:
            self._anchor_vectors = normalized(self.embed(self.anchor_texts))
        return self._anchor_vectors

    def _checked_encoder(self) -> Path:
        try:
            path = encoder.ensure_encoder()
        except (encoder.EncoderUnavailable, ImportError, OSError) as exc:  # no wheels, no disk, no torch
            raise LabelModelUnavailable(f"the e5 encoder cannot be loaded or built: {exc}") from exc
        built = encoder.manifest(path)["pieces_digest"]
        if built != self.config["encoder_pieces_digest"]:
            raise LabelModelUnavailable(f"the cached encoder (vocabulary {built}) is not the one the head was "
                                        f"trained on ({self.config['encoder_pieces_digest']}); rebuild it")
        return path

    def _st_embedder(self):
        self._checked_encoder()
        try:
            with warnings.catch_warnings():  # transformers' deprecation notices are not the user's business
                warnings.simplefilter("ignore", FutureWarning)
                self.st = encoder.load_encoder()
                self.st.max_seq_length = self.config["max_seq_length"]
                merge_adapter(self.st, self.directory / "adapter")
        except (ImportError, OSError) as exc:
            raise LabelModelUnavailable(f"the sentence-transformers backend cannot be loaded: {exc}") from exc
        self.st.eval()
        return lambda texts: self.st.encode(texts, batch_size=BATCH, convert_to_numpy=True, show_progress_bar=False)

    def _onnx_embedder(self):
        # Built without torch from the pinned wheels on first use (``runtime``): what a core install runs.
        try:
            folder = runtime.ensure_runtime(self.directory)
        except runtime.RuntimeUnavailable as exc:
            raise LabelModelUnavailable(f"the label classifier's encoder cannot be built: {exc}") from exc
        graph, tokenizer_file = folder / runtime.GRAPH, folder / runtime.TOKENIZER
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise LabelModelUnavailable(f"the ONNX backend needs onnxruntime and tokenizers: {exc}") from exc
        options = onnxruntime.SessionOptions()
        # A batch worker is told its share of the cores through OMP_NUM_THREADS (one each); alone, a
        # process (xxgk label, a notebook) uses them all (0: onnxruntime's default).
        options.intra_op_num_threads = int(os.environ.get("OMP_NUM_THREADS") or 0)
        options.log_severity_level = 3
        # Its threads wait asleep, not spinning: the extractor asks about one label at a time, and a spinning
        # thread between those calls burns a core that another process (or the next report) needs. On 2 loaded
        # cores: 13 -> 8 ms of CPU and 31 -> 15 ms of wall per label, and 512 labels at once no slower; the
        # answers are the same.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.enable_truncation(max_length=self.config["max_seq_length"])
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("<pad>"), pad_token="<pad>")

        def embed(texts: list[str]) -> np.ndarray:
            # Batches of texts of like length: padding a label to a sentence's length costs more than the label.
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            out = np.zeros((len(texts), self.weight.shape[1]), dtype=np.float32)
            for i in range(0, len(order), BATCH):
                chunk = order[i:i + BATCH]
                encoded = tokenizer.encode_batch([texts[j] for j in chunk])
                ids = np.array([e.ids for e in encoded], dtype=np.int64)
                mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
                hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
                weights = mask[..., None].astype(np.float32)
                out[chunk] = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            return out
        return embed

    def embed(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled embeddings (not normalized) of the fine-tuned encoder."""
        if not texts:
            return np.zeros((0, self.weight.shape[1]), dtype=np.float32)
        return self._embed([PREFIX + t for t in texts])

    def probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated class probabilities, and the embeddings they came from."""
        vectors = self.embed(texts)
        return softmax((vectors @ self.weight.T + self.bias) / self.temperature), vectors

    def scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated class probabilities and the label-likeness of each text."""
        probs, vectors = self.probabilities(texts)
        likeness = (normalized(vectors) @ self.anchor_vectors.T).max(axis=1) if len(texts) else np.zeros(0)
        return probs, likeness

    def predict(self, texts: list[str], allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """The head's calibrated pick, among ``allowed`` categories when given (renormalised). (Overruling
        it with the embedding gate below cost accuracy on the held-out set, see ``metrics.json``, so the
        two are kept apart.)"""
        probs, _ = self.probabilities(texts)
        if allowed is not None:
            mask = np.array([label in allowed for label in self.labels])
            probs = probs * mask
            probs = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
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


def runtime_path(directory: Path | None = None) -> Path:
    """The ONNX export of encoder + adapter, in the cache, named by what it was made from: the graph in
    ``model.onnx``, its weights beside it in one file that onnxruntime maps into memory instead of parsing
    them out of the graph (a batch worker's session loads in half the time, and the workers share the pages)."""
    directory = directory or model_dir()
    digest = hashlib.sha256(RUNTIME_RECIPE.encode())
    for name in ("config.json", "adapter/adapter_model.safetensors", "adapter/adapter_config.json"):
        if (directory / name).is_file():
            digest.update((directory / name).read_bytes())
    return encoder.cache_dir().parent / f"labels-{digest.hexdigest()[:16]}" / RUNTIME_GRAPH


RUNTIME_GRAPH, RUNTIME_WEIGHTS = "model.onnx", "weights.bin"
RUNTIME_RECIPE = "matmul-weights-8-bit-blocks-32"   # part of the cache name: a new recipe builds a new runtime


def build_runtime(directory: Path | None = None) -> Path:
    """Export the fine-tuned sentence-transformers encoder (adapter merged) to ONNX, atomically (the whole
    directory appears at once)."""
    directory = directory or model_dir()
    target = runtime_path(directory)
    try:
        import torch
    except ImportError as exc:
        raise LabelModelUnavailable(f"building the ONNX runtime needs torch: {exc}") from exc
    model = LabelModel(directory, backend="sentence-transformers")
    bert = model.st[0].model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    sample = model.st.tokenizer(["query: 本机关不掌握相关信息", "query: 其他"], padding=True, return_tensors="pt")
    partial = target.parent.with_name(f"{target.parent.name}.{os.getpid()}.partial")
    partial.mkdir(parents=True, exist_ok=True)
    exported = partial / "export.onnx"
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "last_hidden_state": {0: "batch", 1: "tokens"}}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shapes the export fixes; checked by the tests
            torch.onnx.export(LastHiddenState(bert), (sample["input_ids"], sample["attention_mask"]), str(exported),
                              input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                              dynamic_axes=axes, opset_version=17, dynamo=False)
        import onnx
        onnx.save_model(runtime.weights_in_8_bits(onnx.load(str(exported))), str(partial / target.name),
                        save_as_external_data=True, all_tensors_to_one_file=True, location=RUNTIME_WEIGHTS,
                        size_threshold=1024)
        exported.unlink()
    except Exception as exc:  # no onnx package, an exporter change: the sentence-transformers backend still works
        shutil.rmtree(partial, ignore_errors=True)
        raise LabelModelUnavailable(f"cannot export the label model to ONNX: {exc}") from exc
    try:
        os.replace(partial, target.parent)
    except OSError:  # another process built it first
        shutil.rmtree(partial, ignore_errors=True)
        if not target.is_file():
            raise
    return target


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


def use(model: LabelModel) -> None:
    """Make ``model`` the process-wide one (measuring a freshly trained head before it is committed)."""
    global _loaded
    _loaded = model


def available() -> bool:
    try:
        load()
        return True
    except LabelModelUnavailable:
        return False


def predict(texts: list[str], allowed: set[str] | None = None) -> list[tuple[str, float]]:
    """Category and calibrated confidence for each text, in order. Raises LabelModelUnavailable."""
    return load().predict(list(texts), allowed)


def nearest_labels(text: str, k: int = 3) -> list[tuple[str, str, float]]:
    return load().nearest_labels(text, k)
