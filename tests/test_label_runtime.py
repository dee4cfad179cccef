"""The label classifier's runtime built without torch (``xxgk.labels.runtime``) is the trained model: the same
answer as the torch model for every held-out and calibration label, and it builds with torch absent."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from xxgk.labels import model as label_model, runtime

ROOT = Path(__file__).resolve().parents[1]
TORCH_LIBRARIES = ("torch", "transformers", "sentence_transformers", "peft")


def _texts(split: str) -> list[str]:
    lines = (ROOT / "corpus" / "labels" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines]


# The runtime's matrix products are 8-bit (as the torch export's are): a label the torch model itself places
# between two categories by less than this margin of probability may tip to the other.
NEAR_TIE = 0.1


def test_the_runtime_answers_as_the_torch_model_for_every_held_out_label(model):
    pytest.importorskip("torch", reason="the reference is the torch model ([train] extra)")
    assert model.backend == "onnx"
    reference = label_model.LabelModel(backend="sentence-transformers")
    for split in ("heldout", "calibration"):
        texts = _texts(split)
        ours, theirs = model.embed(texts), reference.embed(texts)
        cosine = (ours * theirs).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
        assert cosine.min() > 0.995, split          # the 8-bit weights (as the torch export has them)
        probabilities, _ = reference.probabilities(texts)
        top_two = np.sort(probabilities, axis=1)[:, -2:]
        ours_, theirs_ = model.predict(texts), reference.predict(texts)
        differ = [i for i, (a, b) in enumerate(zip(ours_, theirs_)) if a[0] != b[0]]
        assert all(top_two[i, 1] - top_two[i, 0] < NEAR_TIE for i in differ), [texts[i] for i in differ]
        assert len(differ) <= len(texts) // 1000, split


def test_the_runtime_builds_and_answers_with_torch_absent(tmp_path):
    hide = "".join(f"sys.modules[{name!r}] = None; " for name in TORCH_LIBRARIES)
    program = (f"import sys; {hide}"
               "from xxgk.labels import model; m = model.LabelModel(); "
               "print(m.backend, *m.predict(['本机关不掌握相关信息'])[0])")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "XXGK_CACHE": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    backend, category, confidence = done.stdout.split()
    assert (backend, category) == ("onnx", "requests.unavailable_not_held") and float(confidence) > 0.9
    assert "building the label classifier's encoder once" in done.stderr       # the progress line
    built = runtime.runtime_dir()
    assert (tmp_path / built.name / runtime.GRAPH).is_file()
