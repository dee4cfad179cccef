"""Plain text: the decoded text, with the tables drawn in it (box rules, pipes, dash rules, aligned columns) read
back as grids by ``textgrid``; the table recovery undoes the rest of the flattening."""
from __future__ import annotations

from ..datamodel import TableJudge
from .base import Source
from .html import inline_tables
from .textgrid import UNSURE_ROW, text_grids


def read_text(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict], dict[int, list[float]]]:
    """The text, the tables found, and how sure the reading is of the lines of a drawn table whose rows the
    text does not tell (``Document.line_confidence``)."""
    text, html_meta = inline_tables(source.text)
    text, drawn = text_grids(text)
    unsure = {line: [UNSURE_ROW] for table in drawn for line in table.get("unsure_lines", ())}
    return text, html_meta + drawn, unsure
