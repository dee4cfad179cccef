"""Markdown (pipe tables, as converters and some sites write reports): the text, with what converters put
inside a cell that is not the cell's text taken out, raw HTML tables and drawn (grid) tables read as grids. The
pipe rows themselves are read by the table recovery."""
from __future__ import annotations

import re

from ..datamodel import TableJudge
from .base import Source
from .html import html_tables, inline_tables
from .textgrid import text_grids

# Markup left inside the Markdown (pandoc's gfm writer keeps Word's spans, divs and any table with merged cells
# as raw HTML): such a text is rendered to HTML whole (markdown-it) and read by the HTML reader.
_RAW_MARKUP = re.compile(r"<(?:span|div|table|p|font)\b", re.I)


_COMMENT = re.compile(r"<!--.*?-->")
_BREAKS = re.compile(r"(?:\s*<br\s*/?>\s*)+", re.I)


def clean_markdown(text: str) -> str:
    """What converters put inside pipe cells that is not the cell's text (<br>, bold marks, escaped pipes), and
    the comments and line breaks they wrap a picture's text in."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            line = re.sub(r"<br\s*/?>", "", line, flags=re.I).replace("\\|", "｜").replace("&nbsp;", " ")
            line = re.sub(r"\*\*(.*?)\*\*|__(.*?)__", lambda m: m.group(1) or m.group(2) or "", line)
        elif "<" in line:
            # A PDF converter's text of a picture or a text box: its lines joined by <br> inside HTML comments
            # (pymupdf4llm). Each line is a cell of its own (a tab keeps the record's line numbers those of the
            # file): 行政处罚<br>行政强制 117 is two rows, not one label 行政处罚行政强制.
            line = _BREAKS.sub("\t", _COMMENT.sub("", line))
        lines.append(line)
    return "\n".join(lines)


def read_markdown(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    """The Markdown's raw HTML tables and its drawn tables (pandoc's grid tables, html2text's) as tab rows; its
    pipe rows cleaned, for the recovery to read."""
    if _RAW_MARKUP.search(source.text):
        from markdown_it import MarkdownIt
        return html_tables(MarkdownIt("commonmark").enable("table").render(source.text))
    text, html_meta = inline_tables(source.text)
    text, drawn = text_grids(text)
    return clean_markdown(text), html_meta + drawn
