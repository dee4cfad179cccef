"""Where the label classifier's committed models live, and the small ones read once per directory.

``xxgk/models/labels`` (or ``$XXGK_LABEL_MODEL``) holds the transformer's adapter, head and settings, the n-gram
classifier (``ngrams.npz``) and the student (``student.npz``).
"""
from __future__ import annotations

import os
from pathlib import Path

# Inside the package (package data): a wheel carries the trained model, and training writes it here.
MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "labels"


def model_dir() -> Path:
    return Path(os.environ.get("XXGK_LABEL_MODEL") or MODEL_DIR)


def cache_root() -> Path:
    """Where xxgk keeps what it builds on first use (the label classifier's encoder and its ONNX runtime,
    jieba's dictionary cache): ``$XXGK_CACHE``, else ``~/.cache/xxgk`` (docs/cli.md)."""
    return Path(os.environ.get("XXGK_CACHE") or Path.home() / ".cache" / "xxgk")


def jieba_cache_dir() -> Path:
    """jieba's dictionary cache, under the xxgk cache rather than in the shared /tmp."""
    path = cache_root() / "jieba"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ModelFile:
    """A small model file of ``models/labels`` (the n-gram classifier, the student): read once per directory,
    None where none was trained; ``use`` swaps in another process-wide (measuring a fresh one before it is
    committed; None: none at all)."""

    def __init__(self, name: str, reader):
        self.name, self.reader = name, reader
        self.cache: dict[Path, object] = {}
        self.in_use: list = []

    def load(self, directory: Path | None = None):
        if directory is None and self.in_use:
            return self.in_use[0]
        directory = directory or model_dir()
        if directory not in self.cache:
            path = directory / self.name
            self.cache[directory] = self.reader(path) if path.is_file() else None
        return self.cache[directory]

    def use(self, model) -> None:
        self.in_use[:] = [model]

    def use_committed(self) -> None:
        self.in_use.clear()

    def forget(self, directory: Path) -> None:
        self.cache.pop(directory, None)
