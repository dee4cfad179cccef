"""Plain text: the decoded text as it is (the table recovery undoes the flattening of its tables)."""
from __future__ import annotations

from ..datamodel import TableJudge
from .base import Source


def read_text(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    return source.text, []
