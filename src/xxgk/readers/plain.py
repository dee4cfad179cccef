"""Plain text: the decoded text, with the tables drawn in it (box rules, pipes, dash rules, aligned columns) read
back as grids by ``textgrid``; the table recovery undoes the rest of the flattening."""
from __future__ import annotations

from ..datamodel import TableJudge
from .base import Source
from .html import inline_tables
from .textgrid import text_grids


def read_text(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    text, html_meta = inline_tables(source.text)
    text, drawn = text_grids(text)
    return text, html_meta + drawn
