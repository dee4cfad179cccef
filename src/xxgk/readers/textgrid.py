"""Tables drawn in text, read back as grids (part of stage 1: the text-grid reader).

Scrapers turn a page's tables into text in a few ways, and each keeps the table's geometry in its own form:

- **ruled** tables: box-drawing characters (w3m ``│ ├ ┼ ─``, bold and double lines) or ASCII (``+---+`` with
  ``|``, pandoc grid tables, with ``+===+`` under the header). A cell is a region enclosed by rules, however many
  text lines it takes (a wrapped row, a merged cell): the regions are found by filling the character grid;
- **pipe** tables whose rows do not start with a pipe (html2text: ``a| b| c`` under a ``---|---`` line);
- **aligned** tables: columns kept by spaces alone (lynx, pandoc simple tables under their ``---- ----``
  rules, inscriptis, ``pdftotext -layout``). Columns are found from where the values stand, a blank cell is a
  column with nothing in it on that line.

Positions are display columns, as the tools lay them out: a CJK character takes two. Characters of ambiguous
width (curly quotes, box rules) are measured the way that makes the table's rules line up.

Each table found becomes tab rows (``tab_rows``), blank cells kept in place, in the place of its lines, so that
the recovery reads it cell by cell exactly as it reads an HTML ``<table>``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..html import Grid, GridCell
from ..read import join_lines, tab_rows

# ------------------------------------------------------------------------------------------------ widths

_WIDE = "WF"


# How wide the characters of ambiguous East Asian width are drawn: (other ambiguous characters, box rules).
# A terminal in a Western locale draws both one column wide; in a CJK locale, two. Each table is measured every
# way, and the one whose rules line up is kept.
WIDTHS = ((1, 1), (2, 1), (2, 2), (1, 2))


@lru_cache(maxsize=8192)
def _width(ch: str, widths: tuple[int, int] = (1, 1)) -> int:
    kind = unicodedata.east_asian_width(ch)
    if kind in _WIDE:
        return 2
    if kind == "A":
        return widths[1] if ch in _ALL_RULES else widths[0]
    if unicodedata.combining(ch):
        return 0
    return 1


def display_width(text: str, widths: tuple[int, int] = (1, 1)) -> int:
    return sum(_width(ch, widths) for ch in text)


def cells_of(line: str, widths: tuple[int, int] = (1, 1)) -> list[str]:
    """The line as display cells: a wide character fills its first cell and leaves "" in the next."""
    out: list[str] = []
    for ch in line.expandtabs(8) if "\t" in line else line:
        w = _width(ch, widths)
        if w == 0:
            if out:
                out[-1] += ch
            continue
        out.append(ch)
        if w == 2:
            out.append("")
    return out


# ------------------------------------------------------------------------------------------------ ruled tables

_V_RULES = "│┃║┆┇┊┋╎╏|"
_H_RULES = "─━═┄┅┈┉╌╍-=~"
_JOINTS = "┌┐└┘├┤┬┴┼┏┓┗┛┣┫┳┻╋╔╗╚╝╠╣╦╩╬╒╕╘╛╞╡╤╧╪╓╖╙╜╟╢╥╨╫┍┑┕┙┝┥┯┷┿┎┒┖┚┠┨┰┸╂╭╮╯╰+"
_BOX = set(_V_RULES + _H_RULES + _JOINTS) - set("|-=~+")       # characters that only ever draw a table
_ALL_RULES = frozenset(_V_RULES + _H_RULES + _JOINTS)
# An ASCII table (pandoc grid table, psql, prettytable) opens with a rule of + joints: +----+------+
_ASCII_RULE = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")
_ASCII_WALLS = frozenset("|+")
_ASCII_RULE_CHARS = frozenset("-=:")
_V_RULE_SET = frozenset(_V_RULES)
_H_RULE_SET = frozenset(_H_RULES)
_ASCII_ROW = re.compile(r"^\s*[|+].*[|+]\s*$")


def _is_box_line(line: str) -> bool:
    return any(ch in _BOX for ch in line)


def _ruled_blocks(lines: list[str]) -> list[tuple[int, int, bool]]:
    """(first line, end line, ascii?) of every ruled table: consecutive lines drawn with box characters, or an
    ASCII table from its first + rule to its last."""
    blocks = []
    i = 0
    while i < len(lines):
        if _is_box_line(lines[i]):
            j = i
            while j < len(lines) and _is_box_line(lines[j]):
                j += 1
            if j - i >= 2:
                blocks.append((i, j, False))
            i = j
        elif _ASCII_RULE.match(lines[i]):
            j, last_rule = i + 1, i
            while j < len(lines) and _ASCII_ROW.match(lines[j]):
                if _ASCII_RULE.match(lines[j]):
                    last_rule = j
                j += 1
            if last_rule > i:
                blocks.append((i, last_rule + 1, True))
            i = max(last_rule + 1, i + 1)
        else:
            i += 1
    return blocks


def _walls(row: list[str], ascii_table: bool) -> list[bool]:
    """Which display cells of one line are rules (both cells of a rule drawn two columns wide). In an ASCII table
    a - or = is a rule only inside a stretch of rule characters between two + joints (a cell may hold -1 or a
    dash mark)."""
    if not ascii_table:
        wall = [ch in _BOX for ch in row]
        for k in range(1, len(row)):
            if row[k] == "" and wall[k - 1]:
                wall[k] = True
        return wall
    wall = [ch in _ASCII_WALLS for ch in row]
    joints = [k for k, ch in enumerate(row) if ch == "+"]
    for a, b in zip(joints, joints[1:]):
        if b > a + 1 and all(ch in _ASCII_RULE_CHARS for ch in row[a + 1:b]):
            for k in range(a + 1, b):
                wall[k] = True
    return wall


def _line_cells(lines: list[str], widths: tuple[int, int], ascii_table: bool):
    rows = [cells_of(line.rstrip(), widths) for line in lines]
    width = max(map(len, rows), default=0)
    rows = [r + [" "] * (width - len(r)) for r in rows]
    return rows, [_walls(r, ascii_table) for r in rows]


def _alignment(rows, walls) -> int:
    """How many vertical rules of text lines stand where a rule line has a joint or a rule: the measure by which
    the width of ambiguous characters is chosen."""
    rule_lines = [set(k for k, is_wall in enumerate(w) if is_wall) for w, r in zip(walls, rows)
                  if sum(w) > len(w) // 2]
    if not rule_lines:
        return 0
    joints = set().union(*rule_lines)
    return sum(1 for r, w in zip(rows, walls) for k, is_wall in enumerate(w)
               if is_wall and r[k] in _V_RULE_SET and k in joints)


def ruled_grid(lines: list[str], ascii_table: bool = False) -> tuple[Grid, list[int]]:
    """The cells of a ruled table: each region the rules enclose, placed on the grid of the regions' edges; and
    the line (within ``lines``) where each row of the grid starts."""
    rows, walls = max((_line_cells(lines, widths, ascii_table) for widths in WIDTHS),
                      key=lambda rw: _alignment(*rw))
    height, width = len(rows), len(rows[0]) if rows else 0
    region = [[-1] * width for _ in range(height)]
    boxes: list[list[int]] = []        # per region: top, left, bottom, right (inclusive)
    members: list[list[tuple[int, int]]] = []
    for y in range(height):
        for x in range(width):
            if walls[y][x] or region[y][x] >= 0:
                continue
            n = len(boxes)
            stack, found = [(y, x)], []
            region[y][x] = n
            while stack:
                cy, cx = stack.pop()
                found.append((cy, cx))
                for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                    if 0 <= ny < height and 0 <= nx < width and not walls[ny][nx] and region[ny][nx] < 0:
                        region[ny][nx] = n
                        stack.append((ny, nx))
            ys, xs = [p[0] for p in found], [p[1] for p in found]
            boxes.append([min(ys), min(xs), max(ys), max(xs)])
            members.append(found)
    inside = [n for n, (top, left, bottom, right) in enumerate(boxes)
              if top > 0 and left > 0 and bottom < height - 1 and right < width - 1
              and _enclosed(boxes[n], walls)]
    if not inside:
        return Grid(), []
    tops = _edges(boxes[n][0] for n in inside)
    lefts = _edges(boxes[n][1] for n in inside)
    grid = Grid()
    for n in inside:
        top, left, bottom, right = boxes[n]
        text = _region_text(rows, members[n])
        r0, c0 = _index(tops, top), _index(lefts, left)
        r1 = max(_index(tops, t) for t in tops if t <= bottom)
        c1 = max(_index(lefts, x) for x in lefts if x <= right)
        grid.cells.append(GridCell(text, r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return grid, tops


def _enclosed(box, walls) -> bool:
    """A region is a cell when rules stand on its left and right (the outside of a table touches no rule there)."""
    top, left, bottom, right = box
    return walls[top][left - 1] and walls[top][right + 1]


def _edges(values) -> list[int]:
    return sorted(set(values))


def _index(edges: list[int], value: int) -> int:
    return edges.index(value)


def _region_text(rows, found) -> str:
    by_line: dict[int, list[int]] = {}
    for y, x in found:
        by_line.setdefault(y, []).append(x)
    return join_lines("".join(rows[y][x] for x in sorted(xs)) for y, xs in sorted(by_line.items()))


# ------------------------------------------------------------------------------------------------ pipe tables

# html2text's table: a header row, then a rule of dashes between pipes (---|---|---), rows with | between cells
# and no pipe at either end; a row whose cells were merged across the table has no pipe at all.
_PIPE_RULE = re.compile(r"^\s*:?-{3,}:?(?:\s*\|\s*:?-{3,}:?)*\s*$")


def _pipe_blocks(lines: list[str]) -> list[tuple[int, int]]:
    blocks = []
    for i, line in enumerate(lines):
        if i == 0 or not _PIPE_RULE.match(line) or not lines[i - 1].strip():
            continue
        header = lines[i - 1].strip()
        if header.startswith("|") and header.endswith("|"):
            continue        # a Markdown table proper: the tokenizer reads its rows
        end = i + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        if any("|" in line for line in lines[i + 1:end]) or "|" in header:
            blocks.append((i - 1, end))
    return blocks


def pipe_rows(lines: list[str]) -> list[list[str]]:
    """The rows of an html2text table (its dash rule left out), each cell as printed, blank cells kept."""
    return [[join_lines([cell]) for cell in line.rstrip().split("|")]
            for line in lines if not _PIPE_RULE.match(line)]


# ------------------------------------------------------------------------------------------------ aligned tables

# pandoc's simple and multiline tables: rules of dash groups, one group per column (---- ------ ---), the
# columns' extents; a multiline table's rows are parted by empty lines.
_DASH_GROUPS = re.compile(r"^\s*-{2,}(?: +-{2,})+\s*$")
_FULL_DASH = re.compile(r"^\s*-{8,}\s*$")


def _is_rule(line: str) -> bool:
    return bool(_DASH_GROUPS.match(line) or _FULL_DASH.match(line))


def _next_rule(lines: list[str], start: int) -> int | None:
    """The next rule line from ``start``, unless the table ends first (two empty lines in a row)."""
    for k in range(start, len(lines)):
        if _is_rule(lines[k]):
            return k
        if k > start and not lines[k] and not lines[k - 1]:
            return None
    return None


def _dash_blocks(lines: list[str]) -> list[tuple[int, int, int]]:
    """(first line, end line, the line of the rule that gives the columns) of every table under dash rules:
    pandoc's simple tables (a header above the dash groups and no closing rule, or dash groups above and below)
    and multiline tables (a full rule, the header, the dash groups, rows parted by empty lines, a full rule)."""
    blocks = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FULL_DASH.match(line) and not _DASH_GROUPS.match(line):
            groups = _next_rule(lines, i + 1)
            if groups is not None and _DASH_GROUPS.match(lines[groups]) and all(lines[i + 1:groups]):
                close = _next_rule(lines, groups + 1)
                if close is not None:
                    blocks.append((i, close + 1, groups))
                    i = close + 1
                    continue
        elif _DASH_GROUPS.match(line):
            if i > 0 and lines[i - 1].strip():
                end = i + 1
                while end < len(lines) and lines[end] and not _is_rule(lines[end]):
                    end += 1
                if end < len(lines) and _is_rule(lines[end]):
                    end += 1
                blocks.append((i - 1, end, i))
                i = end
                continue
            close = _next_rule(lines, i + 1)
            if close is not None:
                blocks.append((i, close + 1, i))
                i = close + 1
                continue
        i += 1
    return blocks


def _extents(rule: str, widths=(1, 1)) -> list[tuple[int, int]]:
    cells = cells_of(rule, widths)
    text = "".join(c or " " for c in cells)
    return [m.span() for m in re.finditer(r"-+", text)]


def _tokens(line: str, widths=(1, 1)) -> list[tuple[int, int, str]]:
    """The words of a line with their display extents; a single space between two Chinese characters or inside
    a label does not part words, two spaces (or a space before a number) do."""
    cells = cells_of(line.rstrip(), widths)
    out: list[tuple[int, int, str]] = []
    k = 0
    while k < len(cells):
        if cells[k] in (" ", ""):
            k += 1
            continue
        start = k
        while k < len(cells) and not (cells[k] == " " and _word_ends(cells, k)):
            k += 1
        out.append((start, k, "".join(cells[start:k]).strip()))
    return out


def _word_ends(cells: list[str], k: int) -> bool:
    """At a space: whether the word before it ends here (two spaces, or a number on either side)."""
    after = cells[k + 1] if k + 1 < len(cells) else " "
    before = cells[k - 1] if k > 0 else " "
    if after == " ":
        return True
    return _is_numberish(before) or _is_numberish(after)


def _is_numberish(ch: str) -> bool:
    return ch != "" and (ch.isdigit() or ch in "+-−.%/—")


def columns_by_extent(lines: list[str], extents: list[tuple[int, int]], widths=(1, 1)) -> list[list[str]]:
    """Each line cut into the given columns: a word goes to the column it overlaps most."""
    rows = []
    for line in lines:
        row = [""] * len(extents)
        for start, end, word in _tokens(line, widths):
            k = max(range(len(extents)), key=lambda c: (_overlap((start, end), extents[c]),
                                                        -abs(start - extents[c][0])))
            row[k] = f"{row[k]} {word}".strip() if row[k] else word
        rows.append(row)
    return rows


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def dash_table(lines: list[str], groups_at: int) -> tuple[Grid, list[int]]:
    """A pandoc simple or multiline table cut into the columns its dash rule gives: each line a row, or, where
    empty lines part the rows (a multiline table), each group of lines between them. A line of spaces is a row of
    blank cells."""
    extents = _extents(lines[groups_at])
    body = [k for k, line in enumerate(lines) if not _is_rule(line)]
    multiline = any(not lines[k] for k in body)
    groups: list[list[int]] = [[]]
    for k in body:
        if multiline and not lines[k]:
            groups.append([])
        elif multiline:
            groups[-1].append(k)
        else:
            groups.append([k])
    grid = Grid()
    starts = []
    for group in (g for g in groups if g):
        pieces = columns_by_extent([lines[k] for k in group], extents)
        r = len(starts)
        for c in range(len(extents)):
            grid.cells.append(GridCell(join_lines(p[c] for p in pieces), r, c))
        starts.append(group[0])
    return grid, starts


# ------------------------------------------------------------------------------------------------ the reader


@dataclass
class TextTable:
    first: int          # 0-based line where the drawn table starts
    end: int            # line after its last
    grid: Grid
    row_lines: list[int]    # the line (0-based, in the whole text) where each row of the grid starts
    strategy: str           # ruled | ascii | pipe | dashes | aligned
    ragged: bool = False    # rows keep their own number of cells (html2text drops merged cells' places)


def find_tables(lines: list[str]) -> list[TextTable]:
    tables: list[TextTable] = []
    taken: set[int] = set()

    def add(table: TextTable) -> None:
        if table.grid.cells and table.grid.width >= 2 and not taken & set(range(table.first, table.end)):
            tables.append(table)
            taken.update(range(table.first, table.end))

    for first, end, ascii_table in _ruled_blocks(lines):
        grid, tops = ruled_grid(lines[first:end], ascii_table)
        add(TextTable(first, end, grid, [first + t for t in tops], "ascii" if ascii_table else "ruled"))
    for first, end in _pipe_blocks(lines):
        rows = pipe_rows(lines[first:end])
        grid = Grid([GridCell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row)])
        row_lines = [first + k for k, line in enumerate(lines[first:end]) if not _PIPE_RULE.match(line)]
        add(TextTable(first, end, grid, row_lines, "pipe", ragged=True))
    for first, end, groups_at in _dash_blocks(lines):
        grid, starts = dash_table(lines[first:end], groups_at - first)
        add(TextTable(first, end, grid, [first + s for s in starts], "dashes"))
    return sorted(tables, key=lambda t: t.first)


def text_grids(text: str) -> tuple[str, list[dict]]:
    """The text with every table drawn in it replaced by tab rows, and one entry per table for the record."""
    lines = text.split("\n")
    tables = find_tables(lines)
    if not tables:
        return text, []
    out: list[str] = []
    meta: list[dict] = []
    at = 0
    for table in tables:
        out.extend(lines[at:table.first])
        rows = (["\t".join(row) for row in _ragged_rows(table.grid)] if table.ragged
                else tab_rows(table.grid.rows(), width=table.grid.width))
        meta.append({"strategy": table.strategy, "rows": len(rows), "cols": table.grid.width,
                     "line": table.first + 1})
        # Each row stands on the line where it starts and the table's other lines are left empty, so that the
        # record's line numbers still point into the text as it was scraped.
        placed = [""] * (table.end - table.first)
        for row, line in zip(rows, table.row_lines):
            placed[line - table.first] = row
        out.extend(placed)
        at = table.end
    out.extend(lines[at:])
    return "\n".join(out), meta


def _ragged_rows(grid: Grid) -> list[list[str]]:
    rows: dict[int, list[str]] = {}
    for cell in sorted(grid.cells, key=lambda c: (c.row, c.column)):
        rows.setdefault(cell.row, []).append(cell.text)
    return [rows[r] for r in sorted(rows)]
