"""The files a command is pointed at: files named, and every file under folders named."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

# Files under a folder that are never reports: records, datasets, code.
SKIP_SUFFIXES = frozenset({".json", ".jsonl", ".py", ".pyc", ".parquet", ".duckdb"})


def iter_inputs(paths: Iterable[Path], skip: Iterable[str] = SKIP_SUFFIXES) -> Iterator[Path]:
    """Files named, and every file under folders named (recursively, hidden files skipped), sorted."""
    for path in paths:
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not any(p.startswith(".") for p in f.relative_to(path).parts) \
                        and f.suffix.lower() not in skip:
                    yield f
        else:
            yield path
