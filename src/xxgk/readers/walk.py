"""The files a command is pointed at: files named, and every file under folders named.

A folder inside a source that cannot be listed (no permission) is not skipped without a word: ``on_error``
is told its path and why, and the walk goes on with the rest.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Iterator

# Files under a folder that are never reports: records, datasets, code.
SKIP_SUFFIXES = frozenset({".json", ".jsonl", ".py", ".pyc", ".parquet", ".duckdb"})

OnError = Callable[[Path, str], None]


def iter_inputs(paths: Iterable[Path], skip: Iterable[str] = SKIP_SUFFIXES,
                on_error: OnError | None = None) -> Iterator[Path]:
    """Files named, and every regular file under folders named (recursively, hidden files and folders
    skipped), sorted; ``on_error(folder, reason)`` for each folder that cannot be listed."""
    skip = frozenset(skip)
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path, skip, on_error)
        else:
            yield path


def _walk(root: Path, skip: frozenset[str], on_error: OnError | None) -> Iterator[Path]:
    def report(exc: OSError) -> None:
        if on_error is not None:
            on_error(Path(exc.filename or root), f"cannot list the folder: {exc.strerror or exc}")

    found = []
    for folder, subfolders, files in os.walk(root, onerror=report):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() in skip:
                continue
            path = Path(folder, name)
            if path.is_file():       # regular files (and links to them): FIFOs and sockets inside a folder are no reports
                found.append(path)
    yield from sorted(found)
