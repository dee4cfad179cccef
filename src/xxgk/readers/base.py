"""What every reader is handed and gives back, and how it refuses a file.

A reader is handed a ``Source`` (the bytes, the path, and for text formats the decoded text) and gives the
report's text: prose one paragraph per line and each table as lines of tab-separated cells (``tab_rows``),
which the table recovery reads cell for cell, with one entry per table for the record's source. Anything that
cannot be read raises ``ReadError`` naming the file and the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ..datamodel import TableJudge
from ..text import join_lines


class ReadError(Exception):
    """A file that cannot be read as a report; the message names the file and why."""

    def __init__(self, path: str | Path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


class NeedsOCR(ReadError):
    """A scanned document: pages without a text layer. Reading it needs OCR first."""


class MissingExtra(ReadError):
    """A format whose reader needs an optional part of xxgk that is not installed (the reason names it)."""


@dataclass(frozen=True)
class Source:
    """A file as a reader is handed it."""
    data: bytes
    path: Path
    text: str = ""              # the decoded text (text formats; binary ones decode themselves)
    encoding: str = "binary"


# (source, judge) -> (text, one entry per table found), or with a third part, how sure the reader is of its lines
# (``Document.line_confidence``: line -> each tab cell's confidence), for a reader that is not sure of all it read
# (OCR). The judge scores candidate tables (PDF); others ignore it.
Reader = Callable[[Source, Optional[TableJudge]], "tuple[str, list[dict]] | tuple[str, list[dict], dict]"]


def tab_rows(rows: list[list[str]], width: int | None = None) -> list[str]:
    """A table grid as the recovery reads it best: one line per row, cells between tabs, blanks kept.

    Rows blank throughout are kept (a row of blank zeros is data); trailing columns blank in every row go,
    unless ``width`` says how wide the table is (the rest of a table continued from the page before).
    """
    rows = [[_one_line(c) for c in row] for row in rows]
    if width is None:
        width = max((i + 1 for row in rows for i, c in enumerate(row) if c), default=0)
    return ["\t".join(row[:width] + [""] * (width - len(row))) for row in rows]


def _one_line(cell: str | None) -> str:
    return join_lines(cell.split("\n")) if cell else ""
