"""Markdown (pipe tables, as converters and some sites write reports): the text, with what converters put
inside a cell that is not the cell's text taken out. The pipe rows themselves are read by the table recovery."""
from __future__ import annotations

import re

from ..datamodel import TableJudge
from .base import Source


def clean_markdown(text: str) -> str:
    """What converters put inside pipe cells that is not the cell's text: <br>, bold marks, escaped pipes."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            line = re.sub(r"<br\s*/?>", "", line, flags=re.I).replace("\\|", "｜").replace("&nbsp;", " ")
            line = re.sub(r"\*\*(.*?)\*\*|__(.*?)__", lambda m: m.group(1) or m.group(2) or "", line)
        lines.append(line)
    return "\n".join(lines)


def read_markdown(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    return clean_markdown(source.text), []
