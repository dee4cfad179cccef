"""Plain text: the decoded text, with the tables drawn in it (box rules, pipes, dash rules, aligned columns) read
back as grids by ``textgrid``; the table recovery undoes the rest of the flattening."""
from __future__ import annotations

import re

from ..datamodel import TableJudge
from .base import Source
from .html import inline_tables
from .textgrid import UNSURE_ROW, text_grids


# A page's running header takes its first line, and the lines of numbers alone right under it: at most this many
# lines (a browser's print header: the date and the page's title, the title's year set on a line of its own when
# its digits sit on another baseline).
RUNNING_HEADER_LINES = 2
_NUMBERS_ONLY = re.compile(r"^[\d\s.,:/\-]+$")
# Plain pdftotext sets a browser's print header a line each, an empty line between: the title, the date and time,
# the title's year. Past the lines above, the header goes on over empty lines through these, at most this many.
PRINT_STAMP_LINES = 2
# How far down a page the running header's lines are looked for when they are not on top.
PAGE_TOP_LINES = 8
_PRINT_STAMP = re.compile(r"^(?:\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}(?: ?[AP]M)?|(?:19|20)\d\d)$")


def drop_running_headers(text: str) -> str:
    """The text with its pages' running header blanked: the first line of a page (the text's start, or a form
    feed), the lines of numbers alone under it and, past empty lines, a print date and a year alone (plain
    pdftotext of a browser's print), when the same words open two pages or more, in whatever lines
    (2019 on the title's line on one page, on a line of its own on the next). Its numbers (the title's year) are
    no table's cells, yet they stand among the rows of a table that runs on over the page break. The lines stay,
    empty, so that line numbers still point into the text."""
    if "\f" not in text:
        return text
    lines = text.split("\n")
    heads: dict[tuple[str, ...], list[list[int]]] = {}
    for start in [0] + [k for k, line in enumerate(lines) if line.startswith("\f")]:
        block = [start]
        while (len(block) < RUNNING_HEADER_LINES and block[-1] + 1 < len(lines)
               and _NUMBERS_ONLY.match(lines[block[-1] + 1].strip() or "-")):
            block.append(block[-1] + 1)
        k, stamps = block[-1] + 1, 0
        while stamps < PRINT_STAMP_LINES and k < len(lines) and (not lines[k].strip()
                                                                 or _PRINT_STAMP.match(lines[k].strip())):
            if lines[k].strip():
                block.append(k)
                stamps += 1
            k += 1
        words = tuple(sorted(w for k in block for w in lines[k].replace("\f", " ").split()))
        if words and not _cells_alone(lines, block):
            heads.setdefault(words, []).append(block)
    drop = {k for blocks in heads.values() if len(blocks) >= 2 for block in blocks for k in block}
    if not drop:
        return text
    drop |= _header_lines_set_lower(lines, drop)
    return "\n".join(("\f" if lines[k].startswith("\f") else "") if k in drop else lines[k]
                     for k in range(len(lines)))


def _cells_alone(lines: list[str], block: list[int]) -> bool:
    """Whether a page's opening lines are numbers alone and none a date or a year: a table's cells run on over the
    page break (LibreOffice's PDF, with no running header, opens two pages with a row's 1), not a header."""
    texts = [lines[k].replace("\f", "").strip() for k in block]
    return all(_NUMBERS_ONLY.match(t or "-") for t in texts) and not any(_PRINT_STAMP.match(t) for t in texts)


def _header_lines_set_lower(lines: list[str], drop: set[int]) -> set[int]:
    """The running header's lines of words found a few lines down a page rather than on top (plain pdftotext
    prints the print date first, a label's last piece, then the title and the year under it), within
    PAGE_TOP_LINES of the page's start; under such a title, a year or a date alone (past empty lines) with it."""
    starts = [0] + [k for k, line in enumerate(lines) if line.startswith("\f")]
    texts = ({lines[k].replace("\f", "").strip() for k in drop} | _page_openers_on_other_tops(lines, starts)) - {""}
    stamps = _on_two_tops(lines, starts)
    out: set[int] = set()
    for start in starts:
        for k in range(start, min(len(lines), start + PAGE_TOP_LINES)):
            text = lines[k].replace("\f", "").strip()
            if k in drop or text not in texts or _NUMBERS_ONLY.match(text):
                continue
            out.add(k)
            j = k + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and lines[j].strip() in texts | stamps and _PRINT_STAMP.match(lines[j].strip()):
                out.add(j)
    return out


def _on_two_tops(lines: list[str], starts: list[int]) -> set[str]:
    """The texts found within the top PAGE_TOP_LINES of two pages or more."""
    seen: dict[str, set[int]] = {}
    for page, start in enumerate(starts):
        for k in range(start, min(len(lines), start + PAGE_TOP_LINES)):
            seen.setdefault(lines[k].replace("\f", "").strip(), set()).add(page)
    return {text for text, pages in seen.items() if len(pages) >= 2} - {""}


def _page_openers_on_other_tops(lines: list[str], starts: list[int]) -> set[str]:
    """The words that open a page (its first line with words, not numbers alone) and stand near the top of
    another page too: the print header's title, which Chromium sets first on the first page and under the print
    date on the next ones (12/7/26, 6:26 PM / title / 2019), so that the pages' first lines differ and only the
    date was taken; its year, set on a line of its own, then stood among a table's numbers."""
    openers = set()
    for start in starts:
        k = start
        while k < len(lines) and k < start + PAGE_TOP_LINES and not lines[k].replace("\f", "").strip():
            k += 1
        if k < len(lines):
            text = lines[k].replace("\f", "").strip()
            if text and not _NUMBERS_ONLY.match(text):
                openers.add(text)
    return openers & _on_two_tops(lines, starts)


def read_text(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict], dict[int, list[float]]]:
    """The text, the tables found, and how sure the reading is of the lines of a drawn table whose rows the
    text does not tell (``Document.line_confidence``)."""
    text, html_meta = inline_tables(drop_running_headers(source.text))
    text, drawn = text_grids(text)
    unsure = {line: [UNSURE_ROW] for table in drawn for line in table.get("unsure_lines", ())}
    return text, html_meta + drawn, unsure
