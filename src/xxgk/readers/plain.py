"""Plain text: the decoded text, with the tables drawn in it (box rules, pipes, dash rules, aligned columns) read
back as grids by ``textgrid``; the table recovery undoes the rest of the flattening."""
from __future__ import annotations

from ..datamodel import TableJudge
from .base import Source
from .textgrid import text_grids


def read_text(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    return text_grids(source.text)
