"""Saved web pages to text (part of stage 1): the report body as lines, each table as a grid of tab rows.

The page furniture (navigation, headers, footers, share bars, scripts) is dropped; every ``<table>`` that
holds data becomes a grid with its rowspan/colspan honoured: the text sits in the merged cell's first
position and the positions it covers are blank, so each value keeps its column. ``&nbsp;`` cells stay
as blank cells. A table used for page layout (one whose cells hold other tables) is walked like any
other container, so its inner tables become grids of their own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from ..datamodel import TableJudge
from ..text import join_lines, squeeze
from .base import Source, tab_rows

BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "main",
          "title", "table", "tr", "blockquote", "pre", "center", "dd", "dt", "dl", "hr"}
SKIP = {"script", "style", "noscript", "head", "nav", "footer", "aside", "form", "button", "select",
        "iframe", "object", "svg", "template"}
# class/id words of site furniture; an element so named is dropped unless it holds a table.
FURNITURE = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|position|location|footer|foot|"
                       r"copyright|share|sidebar|side|toolbar|topbar|banner|search|login|related|print)(?:$|[\s_-])",
                       re.I)


@dataclass
class GridCell:
    text: str
    row: int
    column: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Grid:
    """A table as its cells with their positions; ``rows()`` expands it to a full grid of strings."""
    cells: list[GridCell] = field(default_factory=list)

    @property
    def height(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def width(self) -> int:
        return max((c.column + c.colspan for c in self.cells), default=0)

    def rows(self) -> list[list[str]]:
        grid = [[""] * self.width for _ in range(self.height)]
        for c in self.cells:
            grid[c.row][c.column] = c.text
        return grid


def read_html(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    return html_tables(source.text)


_TABLE_BLOCK = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


def inline_tables(text: str) -> tuple[str, list[dict]]:
    """Raw HTML tables inside a text (Markdown writers keep a table with merged cells as markup) read as grids,
    each in the place of its markup: tab rows, then empty lines for the markup's other lines, so that the line
    numbers of the text around them stay as they were."""
    meta: list[dict] = []

    def grid(m: re.Match) -> str:
        rows = [line for line in html_tables(m.group())[0].split("\n") if line.strip()]
        meta.append({"strategy": "grid", "rows": len(rows), "line": text.count("\n", 0, m.start()) + 1})
        return "\n".join(rows + [""] * max(0, m.group().count("\n") + 1 - len(rows)))
    return _TABLE_BLOCK.sub(grid, text), meta


def html_to_text(markup: str) -> str:
    return html_tables(markup)[0]


def html_tables(markup: str) -> tuple[str, list[dict]]:
    """The page as text (tables as tab rows) and one entry per table for the record's source."""
    lines: list[str] = []
    meta: list[dict] = []
    for block in html_blocks(markup):
        if isinstance(block, Grid):
            rows = tab_rows(block.rows())
            if rows:
                meta.append({"strategy": "grid", "rows": len(rows), "cols": block.width, "line": len(lines) + 1})
            lines.extend(rows)
        else:
            lines.append(block)
    return "\n".join(lines), meta


def html_blocks(markup: str) -> list[str | Grid]:
    """The page's title, then its body in reading order: text lines and table grids."""
    root = _parse(markup)
    if root is None:
        return [line for line in markup.splitlines() if line.strip()]
    title = squeeze(root.findtext(".//title") or "")
    blocks: list[str | Grid] = [title] if title else []
    body = root.find(".//body")
    _Walker(blocks).walk(body if body is not None else root)
    return blocks


def _parse(markup: str):
    # lxml refuses a str that carries its own encoding declaration; the text is decoded already.
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    try:
        return lxml.html.fromstring(markup)
    except (ValueError, etree.ParserError):
        return None


class _Walker:
    def __init__(self, blocks: list):
        self.blocks = blocks
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = squeeze("".join(self.buffer))
        if text:
            self.blocks.append(text)
        self.buffer.clear()

    def walk(self, el) -> None:
        self._walk(el)
        self.flush()

    def _walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in SKIP or (tag and _is_furniture(el)):
            return
        if tag == "header" and not el.xpath("ancestor::article | ancestor::main"):
            return     # the site's header; an article's own header holds its title
        if tag == "table" and not el.xpath(".//td//table | .//th//table"):
            self.flush()
            grid = table_grid(el)
            if grid.cells:
                self.blocks.append(grid)
            return
        block = tag in BLOCKS or tag in ("td", "th")
        if block:
            self.flush()
        if el.text and tag not in ("table", "tbody", "thead", "tfoot", "tr"):
            self.buffer.append(el.text)
        for child in el:
            self._walk(child)
            if child.tail:
                self.buffer.append(child.tail)
        if block:
            self.flush()


def _is_furniture(el) -> bool:
    names = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(names.strip()) and bool(FURNITURE.search(names)) and not el.xpath(".//table")


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def table_grid(table) -> Grid:
    """The cells of one ``<table>`` placed on its grid (rowspan/colspan honoured, ``rowspan=0`` to the end)."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    taken: set[tuple[int, int]] = set()
    grid = Grid()
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td | ./th"):
            while (r, c) in taken:
                c += 1
            colspan = _span(td.get("colspan"))
            rowspan = len(rows) - r if td.get("rowspan", "").strip() == "0" else _span(td.get("rowspan"))
            rowspan = min(rowspan, len(rows) - r)
            taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            grid.cells.append(GridCell(cell_text(td), r, c, rowspan, colspan))
            c += colspan
    return grid


def cell_text(td) -> str:
    """A cell's text with its line breaks and paragraphs joined (科研<br>机构 → 科研机构); &nbsp; is blank."""
    pieces: list[str] = []

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            return
        if tag in BLOCKS:
            pieces.append("\n")
        if el.text:
            pieces.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                pieces.append(child.tail)
        if tag in BLOCKS:
            pieces.append("\n")

    walk(td)    # a cell is neither a block nor script, so this is its text and its children's, in order
    return join_lines("".join(pieces).split("\n"))
