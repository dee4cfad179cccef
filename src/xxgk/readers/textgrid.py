"""Tables drawn in text, read back as grids (part of stage 1: the text-grid reader).

Scrapers turn a page's tables into text in a few ways, and each keeps the table's geometry in its own form:

- **ruled** tables: box-drawing characters (w3m ``│ ├ ┼ ─``, bold and double lines) or ASCII (``+---+`` with
  ``|``, pandoc grid tables, with ``+===+`` under the header). A cell is a region enclosed by rules, however many
  text lines it takes (a wrapped row, a merged cell): the regions are found by filling the character grid;
- **pipe** tables whose rows do not start with a pipe (html2text: ``a| b| c`` under a ``---|---`` line);
- **index-laid** tables (inscriptis): each row's cells set by their index at the table's stops, widths counted
  in characters, merged cells unmerged; a value's column is its stop's index less the row's label cells;
- **aligned** tables: columns kept by spaces alone (lynx, pandoc simple tables under their ``---- ----``
  rules, ``pdftotext -layout``). Columns are found from where the values stand, a blank cell is a column with
  nothing in it on that line;
- **filler-spaced** rows (lynx's text of a table it does not align): cells in order one space apart, a blank
  cell's &nbsp; one space more with its separator, so that a gap of 1 + 2k spaces holds k blank cells.

Positions are display columns, as the tools lay them out: a CJK character takes two. Characters of ambiguous
width (curly quotes, box rules) are measured the way that makes the table's rules line up. lynx counts a CJK
character one column when it aligns a table: unruled tables are measured both ways, and the way under which
their values stand in columns under their heads is kept.

Each table found becomes tab rows (``tab_rows``), blank cells kept in place, in the place of its lines, so that
the recovery reads it cell by cell exactly as it reads an HTML ``<table>``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .. import schema
from ..text import join_lines
from .base import tab_rows
from .html import Grid, GridCell

# ------------------------------------------------------------------------------------------------ widths

_WIDE = "WF"


# How wide the characters of ambiguous East Asian width are drawn: (other ambiguous characters, box rules).
# A terminal in a Western locale draws both one column wide; in a CJK locale, two. Each table is measured every
# way, and the one whose rules line up is kept.
WIDTHS = ((1, 1), (2, 1), (2, 2), (1, 2))
# A third entry, where present, is how wide a CJK character counts: lynx lays its unruled tables out by character
# count (a Chinese character takes one of its columns, though the screen draws it two wide).
CHARACTERS = (1, 1, 1)


@lru_cache(maxsize=8192)
def _width(ch: str, widths: tuple[int, ...] = (1, 1)) -> int:
    kind = unicodedata.east_asian_width(ch)
    if kind in _WIDE:
        return widths[2] if len(widths) > 2 else 2
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
    return not _BOX.isdisjoint(line)


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
    flat = [] if ascii_table else _rows_of_no_height(rows)
    tops = _edges([boxes[n][0] for n in inside] + [top for top, _, _ in flat])
    lefts = _edges([boxes[n][1] for n in inside] + [left for _, left, _ in flat])
    grid = Grid()
    for top, left, right in flat:
        inside.append(len(boxes))
        boxes.append([top, left, top, right])
        members.append([])
    for n in inside:
        top, left, bottom, right = boxes[n]
        text = _region_text(rows, members[n])
        r0, c0 = _index(tops, top), _index(lefts, left)
        r1 = max(_index(tops, t) for t in tops if t <= bottom)
        c1 = max(_index(lefts, x) for x in lefts if x <= right)
        grid.cells.append(GridCell(text, r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return grid, tops


# Joints that a vertical rule leaves downward, and those it comes into from above.
_DOWN_JOINTS = frozenset("┌┬┐├┼┤┏┳┓┣╋┫╔╦╗╠╬╣╒╤╕╞╪╡╓╥╖╟╫╢┍┯┑┝┿┥┎┰┒┠╂┨╭╮")
_UP_JOINTS = frozenset("└┴┘├┼┤┗┻┛┣╋┫╚╩╝╠╬╣╘╧╛╞╪╡╙╨╜╟╫╢┕┷┙┝┿┥┖┸┚┠╂┨╰╯")


def _rows_of_no_height(rows: list[list[str]]) -> list[tuple[int, int, int]]:
    """Rows drawn with no line of text: two rule lines one under the other, the upper's joints going down into the
    lower's (├──┼──┤ over └──┴──┘). w3m gives a row whose cells hold nothing no height; its cells are blank cells all
    the same, one per stretch between two joints: (the upper rule's line, left, right) each."""
    out = []
    for y in range(len(rows) - 1):
        upper, lower = rows[y], rows[y + 1]
        if not all(ch in _BOX or ch in " " for ch in upper + lower):
            continue
        joints = [x for x in range(min(len(upper), len(lower))) if upper[x] in _DOWN_JOINTS and lower[x] in _UP_JOINTS]
        out.extend((y, a + 1, b - 1) for a, b in zip(joints, joints[1:]) if b > a + 1)
    return out


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


_SPACE_CELLS = frozenset(" \xa0\u3000")
_UNIT_AFTER = re.compile(r"^(?:万元|元|件|个|项)$")


def _tokens(line: str, widths=(1, 1)) -> list[tuple[int, int, str]]:
    """The words of a line with their display extents. Every space parts words (tools set table columns a single
    space apart), but a unit keeps to its number (36692.7 万元)."""
    line = line.rstrip()
    if "\t" in line:
        line = line.expandtabs(8)
    width_of = _width_table(widths)
    out: list[tuple[int, int, str]] = []
    # The words found on the line itself, each one's extent its characters' widths summed (what ``cells_of``
    # lays out, without a list of cells per character: every line a table may hold is cut so, twice). A
    # character of no width (a combining mark) joins the cell before it, a space's too, which then parts no
    # words: such a line is laid out cell by cell as before.
    column = 0
    start = None
    for at, ch in enumerate(line):
        w = width_of.get(ch)
        if w is None:
            w = _remember_width(width_of, ch, widths)
        if w == 0:
            return _tokens_by_cells(line, widths)
        if ch in _SPACE_CELLS:
            if start is not None:
                _add_word(out, start, column, line[first:at])
                start = None
        elif start is None:
            start, first = column, at
        column += w
    if start is not None:
        _add_word(out, start, column, line[first:])
    return out


# Each measure's character widths, as ``_width`` gives them, looked up without building its cache key; bounded
# (past this many characters, some 1.6 MB a measure, a character is measured each time: a text has a few thousand).
_WIDTH_TABLE_KEPT = 16384
_width_tables: dict[tuple, dict[str, int]] = {}


def _width_table(widths: tuple) -> dict[str, int]:
    table = _width_tables.get(widths)
    if table is None:
        table = _width_tables[widths] = {}
    return table


def _remember_width(table: dict[str, int], ch: str, widths: tuple) -> int:
    w = _width(ch, widths)
    if len(table) < _WIDTH_TABLE_KEPT:
        table[ch] = w
    return w


def _add_word(out: list[tuple[int, int, str]], start: int, k: int, word: str) -> None:
    """The word at [start, k) after the words before it on its line: a unit one space after its number joins it."""
    if out and _UNIT_AFTER.match(word) and start - out[-1][1] == 1 and _VALUE_WORD.match(out[-1][2]):
        out[-1] = (out[-1][0], k, out[-1][2] + word)
    elif out and word in _NUMBERING_MARKS and start - out[-1][1] == 1 and out[-1][2].isdigit():
        # a label's numbering set one character a word (1 . 属 于: a span per character): no value
        out[-1] = (out[-1][0], k, out[-1][2] + word)
    else:
        out.append((start, k, word))


def _tokens_by_cells(line: str, widths=(1, 1)) -> list[tuple[int, int, str]]:
    """``_tokens`` of a line holding a character of no width, laid out cell by cell."""
    cells = cells_of(line, widths)
    out: list[tuple[int, int, str]] = []
    k = 0
    while k < len(cells):
        if cells[k] in _SPACE_CELLS or cells[k] == "":
            k += 1
            continue
        start = k
        while k < len(cells) and cells[k] not in _SPACE_CELLS:
            k += 1
        _add_word(out, start, k, "".join(cells[start:k]))
    return out


_NUMBERING_MARKS = frozenset(".．、")


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


# ------------------------------------------------------------------------------------------------ unruled tables

# A value as a table cell prints it: a number (sign, thousands commas, decimals, a unit) or a not-applicable mark.
_VALUE_WORD = re.compile(r"^(?:[+\-−]?\d{1,3}(?:,\d{3})+|[+\-−]?\d+)(?:\.\d+)?(?:万元|元|件|个|项)?$"
                         r"|^(?:[-—–/／]{1,2}|无|——)$")
# Lines of an unruled table between two rows with values: rows of blank cells and wrapped label text (table 3
# of a sparse report prints a few dozen such lines between two of its rows with values).
MAX_ROW_GAP = 60
# A line is a table row with values when it holds at least this many value words, or a label and a value.
MIN_VALUES_ON_A_ROW = 2
# How far above a table's first row its column heads are looked for, and how many empty lines in a row end a
# table (w3m and lynx part rows by one empty line, pdftotext -layout by up to three on a tall row).
HEADER_LINES = 8
MAX_EMPTY_LINES = 3
# The templates' widest table has fifteen value columns (table 4 in one row): a line cut into more is no row.
MAX_COLUMNS = 16


def _value_words(words) -> list[tuple[int, int, str]]:
    return [w for w in words if _VALUE_WORD.match(w[2])]


def _is_data_line(words) -> bool:
    """A row with values: at least one of them a number (a breadcrumb's / marks are none)."""
    values = _value_words(words)
    if not any(ch.isdigit() for _, _, text in values for ch in text[:2]):
        return False
    if len(values) >= MIN_VALUES_ON_A_ROW:
        return True
    return len(values) == 1 and len(words) >= 2 and words[0] is not values[0]


def _is_prose(line: str) -> bool:
    return "。" in line


def _clusters(extents) -> list[tuple[int, int]]:
    """Extents that overlap, merged: the columns their words stand in."""
    merged: list[list[int]] = []
    for start, end in sorted(extents):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _hits(word, columns) -> list[int]:
    return [k for k, c in enumerate(columns) if _overlap((word[0], word[1]), c)]


def _fits(columns: list[tuple[int, int]], rows: list[list]) -> bool:
    """The rows share these columns: no row has two values in one column, and no row's label reaches into them
    (a table with wider labels below a narrower one is another table)."""
    for row in rows:
        seen: set[int] = set()
        for word in row:
            hit = _hits(word, columns)
            if not _VALUE_WORD.match(word[2]):
                if hit:
                    return False
                continue
            if len(hit) != 1 or hit[0] in seen:
                return False
            seen.add(hit[0])
    return True


_DIGIT = re.compile(r"\d")
# Two words on a line: two runs of characters other than the spaces that part words (``_SPACE_CELLS``, and a tab,
# which is spaces once expanded). A line without them holds one word at most, which is no row with values
# (``_is_data_line``): a table printed one cell a line has thousands of such lines, and none need be cut.
_TWO_WORDS = re.compile(r"[^ \xa0\u3000\t][ \xa0\u3000\t]+[^ \xa0\u3000\t]")


# A title's own numbering and marks around it (三、, （三）, a trailing colon): a longer line is prose naming the table.
MAX_TITLE_NUMBERING = 6


def _is_table_title(line: str) -> bool:
    """Whether a line is one of the template's table titles (三、收到和处理政府信息公开申请情况): what follows it
    is the next table, whatever columns its rows seem to share with the rows above."""
    text = line.strip()
    return any(title in text and len(text) <= len(title) + MAX_TITLE_NUMBERING
               for title in schema.TABLE_TITLES.values())


def _data_runs(lines: list[str], words, taken: set[int]) -> list[list[int]]:
    """Runs of rows with values that share their columns, with no prose and no other table between them."""
    runs: list[list[int]] = []
    for k in range(len(lines)):
        # A line without a digit has no value word with one (their digits are \d's), nor a line of one word a
        # label and a value: no need to cut them.
        if (k in taken or _is_prose(lines[k]) or not _DIGIT.search(lines[k]) or not _TWO_WORDS.search(lines[k])
                or not _is_data_line(words[k])):
            continue
        if runs:
            last = runs[-1][-1]
            between = range(last + 1, k)
            if _set_by_order(words[k]) != _set_by_order(words[last]):
                # A row whose words are each one space after the one before (lynx's text of a table it does not
                # align: 一、本年新收… 48 48) stands where its label's length puts it, not in any column: it
                # belongs to no table of aligned rows above or below it, whatever columns it seems to share.
                runs.append([k])
                continue
            if any(_is_table_title(lines[j]) for j in between):
                # A table's title between two rows: the row below it opens that table. Rows set far from the
                # margin (lynx at a wide -width centres its tables) can share columns across the title by chance.
                runs.append([k])
                continue
            if any(not words[j] for j in between) and (_tight(words, runs[-1]) or _headed(words, k)):
                # A table set line after line (lynx) ends at its first empty line, and a row under heads of its
                # own past an empty line starts another table (table 4's small tables after table 2's last row)
                runs.append([k])
                continue
            if k - last <= MAX_ROW_GAP and not taken & set(between) and not any(_is_prose(lines[j]) for j in between):
                rows = [words[j] for j in runs[-1]] + [words[k]]
                if _fits(_clusters((a, b) for row in rows for a, b, _ in _value_words(row)), rows):
                    runs[-1].append(k)
                    continue
        runs.append([k])
    return runs


def _headed(words, k: int) -> bool:
    """Whether the line right above row ``k`` heads its values: no value on it, and a word over each value."""
    if k == 0 or not words[k - 1] or _value_words(words[k - 1]):
        return False
    heads = [(a, b) for a, b, _ in words[k - 1]]
    return all(_hits(v, heads) for v in _value_words(words[k]))


def _tight(words, run: list[int]) -> bool:
    """Whether a run of rows stands line after line, no empty line between its first row and its last."""
    return len(run) > 1 and all(words[j] for j in range(run[0], run[-1] + 1))


def _label_end(rows: list[list]) -> int:
    """Where the label region of a table's rows ends: past the last word before each row's first value."""
    end = 0
    for row in rows:
        values = _value_words(row)
        if values:
            end = max([end] + [b for a, b, _ in row if b <= values[0][0]])
    return end


def _header_lines(lines: list[str], words: list[list], first: int, taken: set[int]) -> list[int]:
    """The lines above a table's first row that may hold its column heads, nearest first: up to an empty line
    where heads stand right above the row (a table set line after line, lynx: past the line, another table's)."""
    out, empty = [], 0
    max_empty = 1 if _headed(words, first) else MAX_EMPTY_LINES
    for k in range(first - 1, max(-1, first - 1 - HEADER_LINES), -1):
        if k in taken or _is_prose(lines[k]) or _is_data_line(words[k]):
            break       # a row with values above is another run's (or another table's), no head
        if not words[k]:
            empty += 1
            if empty >= max_empty:
                break
            continue
        empty = 0
        out.append(k)
    return out


def _head_columns(header_rows: list[list], left: int, values: list[tuple[int, int]] = ()
                  ) -> tuple[list[tuple[int, int]], list[int]]:
    """The column heads' extents, from the header lines nearest the table up, and which of ``header_rows`` gave
    them: a line whose words each stand over one column or a new one adds to them; a line with a word over
    several (法人或其他组织, 行政诉讼) names groups of columns and is passed over. Given the table's value columns,
    a line none of whose words stands over their span (first to last) or over a head found so far is no head of
    this table (a heading above it, the labels of a table before it, when its rows have no label column to keep
    them apart), unless it is the nearest line and the next one names groups of its words."""
    columns: list[tuple[int, int]] = []
    used: list[int] = []
    span = (min(a for a, _ in values), max(b for _, b in values)) if values else None
    beside: tuple[int, list] | None = None     # the nearest line, when it heads only columns beside the values
    for k, row in enumerate(header_rows):
        heads = [(a, b) for a, b, text in row if a >= left]
        if (beside is not None and not columns
                and any(sum(1 for h in beside[1] if _overlap(g, h)) > 1 for g in heads)):
            # A word over several of the nearest line's heads names them as a group (未经复议直接起诉 over 结果维持
            # 结果纠正 …): that line heads columns of this table, beside the values (table 4's litigation heads,
            # its one row of values under the review's five).
            columns = _clusters(beside[1])
            used.append(beside[0])
        if any(len(_hits(h, columns)) > 1 for h in heads):
            # a group's name over its columns: the line's other words may still head columns of their own
            # (自然人 | 法人或其他组织 | 总计 over the five kinds of organisation)
            heads = [h for h in heads if len(_hits(h, columns)) <= 1]
        if not heads:
            continue
        if values and not any(_hits(h, [span] + columns) for h in heads):
            if not columns and beside is None:
                beside = (k, heads)
            continue
        if (values and all(_hits(v, columns) for v in values) and len(heads) < len(columns)
                and all(_hits(h, columns) for h in heads)):
            continue    # over heads that name every column of values, a few words over some: a title (行政复议)
        merged = _clusters(columns + heads)
        if len(merged) < len(columns):
            continue        # a head joined two columns: it spans them
        columns = merged
        used.append(k)
    return columns, used


def aligned_columns(rows: list[list], header_rows: list[list]) -> list[tuple[int, int]] | None:
    """The value columns of an unruled table: where its column heads stand, each taking the values under it, and
    where values stand under no head. None when the values and the heads disagree (a value under two heads, or
    two values of a row under one)."""
    values = _clusters((a, b) for row in rows for a, b, _ in _value_words(row))
    if not values:
        return None
    heads = _head_columns(header_rows, _label_end(rows), values)[0]
    if any(len(_hits(v, heads)) > 1 for v in values):
        heads = []
    columns = _clusters(heads + values)
    if len(columns) != len(heads) + sum(1 for v in values if not _hits(v, heads)):
        columns = values        # a value reaching over two heads' gap: the heads are not the columns
    return columns if _fits(columns, [[w for w in row if _VALUE_WORD.match(w[2])] for row in rows]) else None


def _label_only(words, left: int) -> bool:
    """A row of blank cells: words left of the value columns, none of them a number (values standing there are a
    row set by order, another table's). A word that starts left of them and runs on past their edge is a label
    all the same (lynx at a wide -width sets a sub-table's title, 第二十条第（八）项, from the label column on, one
    character into the first value column): it heads no column, and the row above it is the table's last."""
    return bool(words) and all(a < left for a, _, _ in words) and not _is_data_line(words)


def _extend(lines: list[str], words: list[list], first: int, end: int, left: int, taken: set[int],
            max_empty: int = MAX_EMPTY_LINES) -> tuple[int, int]:
    """The table's rows of blank cells before its first row with values and after its last: label-only lines
    (and the empty lines between rows), up to a header, prose, another table or a wider gap (``max_empty`` empty
    lines). Below the table, a label-only line right before a header or prose is that one's heading
    (四、政府信息公开行政复议…), not a row."""
    def reach(k: int, step: int) -> int:
        edge, last_label, empty = k, k, 0
        k += step
        while 0 <= k < len(lines):
            if k in taken or _is_prose(lines[k]):
                break
            if not words[k]:
                empty += 1
                if empty >= max_empty:
                    return last_label
                k += step
                continue
            if not _label_only(words[k], left):
                break
            edge, last_label, empty = last_label, k, 0
            k += step
        else:
            return last_label
        return edge if step > 0 else last_label
    return reach(first, -1), reach(end - 1, +1) + 1


def aligned_rows(words: list[list], columns: list[tuple[int, int]]) -> list[list[str] | None]:
    """The lines of an unruled table as rows: label words, then one cell per value column (blank where nothing
    stands). A line with words over the columns that are not values (a header, a heading) keeps its words as
    cells of their own; an empty line stays as it is (None)."""
    left = columns[0][0]
    rows: list[list[str] | None] = []
    for line_words in words:
        if not line_words:
            rows.append(None)
            continue
        labels = [w for w in line_words if w[1] <= left]
        rest = [w for w in line_words if w[1] > left]
        if any(not _VALUE_WORD.match(w[2]) for w in rest):
            rows.append([w[2] for w in line_words])
            continue
        cells = [""] * len(columns)
        for word in rest:
            cells[_hits(word, columns)[0]] = word[2]
        rows.append([w[2] for w in labels] + cells)
    return rows


# How far (display columns) a value may stand from where its column's head puts it, the head's alignment
# (left, centre or right) being the same for the whole table: an odd width centres one column off.
ALIGNMENT_SLACK = 2


def _misalignment(rows: list[list], heads: list[tuple[int, int]]) -> float:
    """How far the values stand from standing under their heads all the same way (left edges, centres or right
    edges in line): the spread of their offsets, the least of the three; 0 in a real grid (w3m, lynx, a PDF's
    layout) but for an odd width centred, while a layout that sets each row's cells on its own (inscriptis) puts
    a row's values wherever its other cells leave them."""
    placed = [(word, heads[hit[0]]) for row in rows for word in _value_words(row)
              if len(hit := _hits(word, heads)) == 1]
    if not placed:
        return 0
    spreads = []
    for edge in (lambda a, b: a, lambda a, b: (a + b) / 2, lambda a, b: b):
        offsets = [edge(w[0], w[1]) - edge(*h) for w, h in placed]
        spreads.append(max(offsets) - min(offsets))
    return min(spreads)


def _header_row(header_rows: list[list], columns: list[tuple[int, int]]) -> list[str]:
    """The column heads wrapped over several lines (结果 / 维持), joined per column into one row: the label
    region's words first, then one head per column."""
    left = columns[0][0]
    label = join_lines(w[2] for row in header_rows for w in row if w[1] <= left)
    heads = [join_lines(w[2] for row in header_rows for w in row if w[1] > left and _hits(w, columns) == [k])
             for k in range(len(columns))]
    return [label] + heads


class _Words:
    """Each line's words (``_tokens``; none for a line another table took), cut when first asked for: most
    lines of a report are prose that no table reaches."""

    def __init__(self, lines: list[str], taken: set[int], widths):
        self.lines, self.taken, self.widths = lines, taken, widths
        self.cut: list = [None] * len(lines)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self.lines)))]
        if self.cut[k] is None:
            self.cut[k] = _tokens(self.lines[k], self.widths) if k not in self.taken else []
        return self.cut[k]


def _set_by_order(words: list[tuple[int, int, str]]) -> bool:
    """A label and values, each word one space after the word before it: a row set by order, not in columns."""
    return len(words) > MIN_VALUES_ON_A_ROW and _one_space_apart([words])


def _one_space_apart(lines: list[list[tuple[int, int, str]]]) -> bool:
    """Every word of these lines one space after the word before it: set by order, not in columns."""
    return all(b[0] - a[1] <= 1 for words in lines for a, b in zip(words, words[1:]))


def aligned_tables(lines: list[str], taken: set[int], widths=(1, 1), misfits: list | None = None
                   ) -> list[tuple[int, int, list]]:
    """(first line, end line, rows) of every unruled table: runs of rows with values that share columns, their
    column heads, and the rows of blank cells around them. ``misfits``, if given, gets each table's
    ``_misalignment`` to its heads."""
    words = _Words(lines, taken, widths)
    out = []
    widths_of = []      # each table's number of value columns
    for run in _data_runs(lines, words, taken):
        first, end = run[0], run[-1] + 1
        rows = [words[k] for k in run]
        if _one_space_apart(rows):
            # Every row's words one space after the other (a PDF's page text, lynx's text of a table it does
            # not align) stand where their labels' lengths put them, in columns only by chance (by far the more
            # often counted in characters, labels of one length being most of the template's).
            continue
        header_at = _header_lines(lines, words, first, taken)
        header_rows = [words[k] for k in header_at]
        columns = aligned_columns(rows, header_rows)
        if columns is None or not 2 <= len(columns) <= MAX_COLUMNS:
            continue
        heads, used = _head_columns(header_rows, _label_end(rows),
                                    _clusters((a, b) for row in rows for a, b, _ in _value_words(row)))
        if len(heads) < len(columns) and any(len(_value_words(row)) < len(columns) for row in rows):
            # Blank cells are told only by where the values stand: without a head over every column, a row's
            # few values may stand under the wrong ones (inscriptis sets each row's cells by their index).
            continue
        if not heads:
            # Without a head over any column, the columns are only those some row fills: how many the table
            # has is not in the text (lynx at a wide -width sets a few rows of table 3 in place, 2 … 2 under
            # 自然人 and 总计, and the rest where their wrapped labels leave them, past its heads). Read as a grid,
            # its label-only lines would mark blank cells in two columns of seven; the rows are left to the
            # tokens, which read each row's values in order and leave their places to the sums.
            continue
        misfit = _misalignment(rows, heads)
        if misfit > ALIGNMENT_SLACK:
            continue
        if any(len(_value_words(row)) < len(columns) for row in rows) and _one_space_apart(rows + header_rows):
            # Words joined by one space each (a PDF's page text: 行政处罚 152) stand where their order puts them,
            # not under their column: which column a short row's values belong to is not in the text.
            continue
        if len(run) == 1 and len(heads) < len(columns):
            continue    # a lone row of values is a table only under a head for every column (table 4)
        by_order = _one_space_apart(rows + header_rows)
        if not by_order:
            # Rows set line after line (lynx) part from what is around the table by an empty line: past one, the
            # label-only lines are a heading and the next table's heads, no rows of blank cells.
            first, end = _extend(lines, words, first, end, columns[0][0], taken,
                                 1 if _tight(words, run) else MAX_EMPTY_LINES)
        body = aligned_rows(words[first:end], columns)
        if by_order:
            # Words joined by one space each, every row whole (2.重复申请 1 1 … （七）总计 3 3 in a PDF's page
            # text): the rows line up by their labels' widths, not in a grid. A line without values between them
            # is a wrapped label's piece or a row whose blank cells the text left out: read as a row of blank
            # cells, it would mark blank cells never printed and hide that the text leaves them out
            # (``tables.arrange.drops_blanks``). Only the rows with values are the table's.
            body = [row if _is_data_line(words[first + k]) else None for k, row in enumerate(body)]
        head_lines = sorted(header_at[k] for k in used if header_at[k] < first)
        if head_lines and len(heads) == len(columns):
            top = head_lines[0]
            head = [None] * (first - top)
            for k in head_lines:
                head[k - top] = []
            head[0] = _header_row([words[k] for k in head_lines], columns)
            if not head[0][0] and not any(row and len(row) > len(columns) for row in body):
                head[0] = head[0][1:]     # no row has a label cell (table 4's small tables): nor has the head
            first, body = top, head + body
        out.append((first, end, body))
        widths_of.append(len(columns))
        if misfits is not None:
            misfits.append(misfit)
    # A table's rows are read one way: by a grid that marks its blank cells, or by tokens that leave them to the
    # sums. A grid beside rows of its own table it could not take, short of its columns, would have the table
    # read both ways (``_leaves_short_rows``): such a grid is dropped, and its rows go to the tokens with the rest.
    keep = [not _leaves_short_rows(lines, words, taken, first, end, out, n)
            for (first, end, _), n in zip(out, widths_of)]
    if misfits is not None:
        misfits[:] = [m for m, k in zip(misfits, keep) if k]
    return [table for table, k in zip(out, keep) if k]


def _leaves_short_rows(lines: list[str], words, taken: set[int], first: int, end: int, tables: list, columns: int
                       ) -> bool:
    """Whether a row with values of the table at lines ``first``..``end`` stands outside every table found, with
    fewer values than the table has ``columns``: below or above it, before a table's title, prose, another table
    or MAX_ROW_GAP lines. lynx at a wide -width sets some rows of table 3 in their columns and others where a
    wrapped label leaves them (情形） 2 … 2, past the column of 自然人): the grid marks the blank cells of the rows it
    takes, the tokens can read the others only as rows that leave their blanks out, and the recovery reads a table
    one way (``tables.arrange.drops_blanks``), so that the short rows were lost. A row that prints a value for every
    column (其他对外管理服务 / 事项 10 13 926) loses nothing to the tokens and keeps the grid."""
    covered = {k for a, b, _ in tables for k in range(a, b)}
    for start, step in ((end, 1), (first - 1, -1)):
        k = start
        while 0 <= k < len(lines) and abs(k - start) <= MAX_ROW_GAP:
            if k in taken or k in covered or _is_prose(lines[k]) or _is_table_title(lines[k]):
                break
            if (_DIGIT.search(lines[k]) and _TWO_WORDS.search(lines[k]) and _is_data_line(words[k])
                    and len(_value_words(words[k])) < columns):
                return True
            k += step
    return False


# ------------------------------------------------------------------------------------------------ index-laid tables

# inscriptis lays a table out by each row's cell index, not by the column a cell stands under: cell k of every
# row starts at the table's k-th stop, each stop two spaces past the widest cell of the index before it, widths
# counted in characters (a Chinese character counts one, so the columns line up by character count, not on the
# screen). Merged cells are not merged: a row with two label cells (三、本年度办理结果 | （一）予以公开) has its
# values one stop right of a row with one label cell, and a blank cell takes no room but its two spaces. A
# value's column is therefore its stop's index less the row's label cells.
_CELL_GAP = 2
_PIECE = re.compile(r"\S+(?: \S+)*")    # a cell's text: words one space apart; cells stand two or more apart
# More stops than the widest template table's cells (three label cells and fifteen values) is no such table.
MAX_INDEX_STOPS = 20


def _pieces(line: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _PIECE.finditer(line)]


def _piece_text(text: str) -> str:
    """A cell's text as a row holds it: characters set one space apart joined back (一 、 本 年 → 一、本年)."""
    words = text.split(" ")
    if len(words) > 1 and all(len(w) == 1 for w in words) and any(_width(w) == 2 for w in words):
        return "".join(words)
    return text


def _is_value_piece(text: str) -> bool:
    return bool(_VALUE_WORD.match(text.replace(" ", "")))


def _index_stops(rows: list[list[tuple[int, str]]], line_ends: list[int]) -> list[int] | None:
    """The table's stops, each cell index's start, or None when the pieces do not stand as such a layout sets
    them. An index whose cells are blank in every row shows no text; the room between two stops tells how many
    such indexes lie between them (each takes two spaces), and the lines' ends (the spaces after a row's last
    cells) how many follow the last."""
    starts = sorted({a for row in rows for a, _ in row})
    widest = {s: max(len(t) for row in rows for a, t in row if a == s) for s in starts}
    stops: list[int] = []
    for s, after in zip(starts, starts[1:] + [None]):
        stops.append(s)
        room = (after if after is not None else max(line_ends + [s + widest[s]])) - s - widest[s]
        if after is not None:
            room -= _CELL_GAP
        if room < 0 or room % _CELL_GAP:
            if after is None:
                break       # the text's line ends are not the layout's (trimmed, or padded otherwise)
            return None
        stops.extend(s + widest[s] + _CELL_GAP * n for n in range(1, room // _CELL_GAP + 1))
    return stops if len(stops) <= MAX_INDEX_STOPS else None


def _row_groups(rows: list[list[tuple[int, str]]], data: list[int]) -> tuple[list[list[int]], bool]:
    """The lines of each table row. A table whose cells hold paragraphs ends each row with a line of spaces, and
    there a row is the lines between two such (a cell's text set in the middle of a taller row stands on the
    row's middle line, its label cells' text above and below it); a table without them sets one row a line, two
    rows with values on lines next to each other (a line of spaces there is a row of blank cells)."""
    shown = [k for k, row in enumerate(rows) if row]
    spaces = {k for k in range(shown[0] + 1, shown[-1]) if not rows[k]}
    paragraphs = (all(spaces & set(range(a + 1, b)) for a, b in zip(data, data[1:])) if len(data) > 1
                  else bool(spaces))
    if not paragraphs:
        return [[k] for k in range(len(rows))], False
    groups: list[list[int]] = []
    for k, row in enumerate(rows):
        if not row:
            groups.append([k])
        elif groups and rows[groups[-1][-1]]:
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups, True


def _blank_rows(lines: list[str], rows: list[list[tuple[int, str]]], stops: list[int], paragraphs: bool) -> set[int]:
    """The lines of spaces below a table's first text that are rows of blank cells: each one, in a table whose
    rows are one line each; in a table of paragraph cells, where a row with text ends in one line of spaces
    and a row without any takes one, each after another line of spaces. A line no longer than the table's
    left margin closes the table."""
    first_text = next((k for k, row in enumerate(rows) if row), len(rows))
    return {k for k in range(first_text + 1, len(rows))
            if not rows[k] and len(lines[k]) > stops[0] and (not paragraphs or not rows[k - 1])}


def _index_table(lines: list[str]) -> tuple[list[list[str] | None], set[int]] | None:
    """The rows of one table laid out by cell index (its lines between empty lines), or None when the lines are
    not such a table. Each row becomes a tab row on its line with values (or its first line): its label cells
    (their lines joined), then one cell per value column, blank where nothing stands. Lines above the first
    row with values are kept as they are (column heads, set by their own indexes, stand over the wrong cells),
    but for a row of blank cells and a row of heads that fills the row below it one head per cell.

    How many cells a row has is told by where its lines end: inscriptis pads every line of a row to the row's
    width, so a line ends where the row's last cell ends, its width the widest text of that index.

    Also the lines whose rows the text does not tell (``_unsure_rows``)."""
    rows = [_pieces(line) for line in lines]
    if not any(rows):
        return None
    stops = _index_stops(rows, [len(line) for line in lines])
    if stops is None:
        return None
    index = {s: k for k, s in enumerate(stops)}
    # Every line of such a table ends where a cell of full width ends, spaces included: the mark of the layout,
    # which a page's text set by position (a PDF's, ending each line at its last word) lacks.
    widest = {a: max(len(t) for row in rows for b, t in row if b == a) for a in {a for row in rows for a, _ in row}}
    cell_ends = {s + widest.get(s, 0) for s in stops}
    if not any(line.endswith(" ") for line in lines) or any(len(line) not in cell_ends for line in lines):
        return None

    def cells_of(k: int) -> int:
        return sum(1 for s in stops if s <= len(lines[k]))

    firsts: dict[int, int] = {}             # line with values -> where its values begin in its pieces
    for k, row in enumerate(rows):
        first_value = next((n for n, (_, t) in enumerate(row) if _is_value_piece(t)), None)
        if first_value is None or not any(ch.isdigit() for _, t in row[first_value:] for ch in t):
            continue
        if not all(_is_value_piece(t) for _, t in row[first_value:]):
            return None     # a label after a value: no row of a table's cells
        firsts[k] = first_value
    groups, paragraphs = _row_groups(rows, sorted(firsts))
    # a table without values is read only under a row of heads that fills its cells, one head per cell (the
    # split table 4: 结果维持 | 结果纠正 | … | 总计), its lines of spaces the rows of blank cells under them
    # - or where its rows are labels padded past them with blank cells under rows of heads (``_labelled_blank_rows``)
    blank = _blank_rows(lines, rows, stops, paragraphs) if not firsts else set()
    labelled, labelled_columns = (_labelled_blank_rows(rows, stops, cells_of) if not firsts and not blank
                                  else (set(), 0))
    if not firsts and not blank and not labelled:
        return None
    first_row = min(list(firsts) + list(blank) + list(labelled))
    heads = next((k for k in range(first_row - 1, -1, -1) if rows[k]), None)
    full_heads = (heads is not None and len(rows[heads]) >= 2
                  and [index[a] for a, _ in rows[heads]] == list(range(cells_of(heads)))
                  and not any(_is_value_piece(t) for _, t in rows[heads]))
    if not firsts and not labelled and not (full_heads and all(cells_of(k) == cells_of(heads) for k in blank)):
        return None
    shaped = []         # per group: its line with values (or None), label cells by index, values by index
    for group in groups:
        with_values = [k for k in group if k in firsts or k in blank]
        if len(with_values) > 1:
            return None     # two lines of values in one row: not a row of cells
        at = with_values[0] if with_values else None
        labels: dict[int, list[str]] = {}
        for k in group:
            for a, text in rows[k][:firsts[k]] if k == at and k in firsts else rows[k]:
                labels.setdefault(index[a], []).append(_piece_text(text))
        values = [(index[a], t.replace(" ", "")) for a, t in rows[at][firsts[at]:]] if at in firsts else []
        if values and labels and max(labels) >= values[0][0]:
            return None     # a label cell under or right of the row's values
        shaped.append((group, at, labels, values))
    # the value cells of the widest row (a row with fewer has merged cells: table 1's 第二十条第（五）项); lines of
    # spaces count only in a table without values
    # (a table without values but rows of labelled blank cells: the columns those show)
    columns = labelled_columns or max(cells_of(group[0]) - (max(labels, default=-1) + 1)
                                      for group, at, labels, values in shaped
                                      if at is not None and (values or not firsts))
    if columns < 2:
        return None
    out: list[list[str] | None] = [None] * len(lines)
    if full_heads and cells_of(heads) == cells_of(first_row):
        out[heads] = [_piece_text(t) for _, t in rows[heads]]
    started = False
    for group, at, labels, values in shaped:
        started = started or at is not None
        shown = max(labels, default=-1) + 1
        label_cells = [join_lines(labels[i]) for i in sorted(labels)]
        if at is None:
            # a row of blank cells (its line reaches past its labels: the rest are blank cells) gets them; heads
            # over the values (信息内容 | 本年新制作数量) and a heading across the table stay cells of their own
            # below the first row with values, and as they are above it
            blank_row = labels and cells_of(group[0]) > shown
            if blank_row or (started and labels):
                out[group[0]] = label_cells + ([""] * columns if blank_row else [])
                for k in group[1:]:
                    out[k] = []
            elif started:
                for k in group:
                    out[k] = []     # a line of spaces: the end of a row
            continue
        for k in group:
            out[k] = []
        row = [""] * columns
        for i, text in values:
            if not 0 <= i - shown < columns:
                return None
            row[i - shown] = text
        out[at] = label_cells + row
    return out, (_unsure_rows(lines, rows, firsts) if not paragraphs else set())


# Rows of blank cells a table without values must show before it is read as one: a lone line of label text
# padded past its labels may be anything (a heading's row); a table of blank rows repeats the shape.
MIN_LABELLED_BLANK_ROWS = 3


def _labelled_blank_rows(rows: list[list[tuple[int, str]]], stops: list[int], cells_of) -> tuple[set[int], int]:
    """The lines of a table without values (every cell blank: a report printing its zeros as nothing) that are
    its rows of blank cells, and the table's value columns. inscriptis pads each line of a row to the row's
    width, so a row of labels and blank cells reaches stops past its last label, while a row of heads ends at
    its last head (every one of its cells holds text). Read only where the text shows the layout throughout:
    above, rows of heads each ending at its last head (or none); below them, only label lines, each reaching
    two blank cells at least past its labels. The value columns are the fewest blank cells a line reaches past
    its labels (a wrapped label's next line, 度办理结果 under 三、本年 | （一）予以公开, shows fewer label cells than
    its row has). Which row a line of label text is (a row, or a wrapped label's next line) the words tell; its
    cells are blank either way, so no cell's value rests on that choice."""
    shown = [k for k, row in enumerate(rows) if row]
    if not shown:
        return set(), 0
    index = {s: k for k, s in enumerate(stops)}
    past = {k: cells_of(k) - (max(index[a] for a, _ in rows[k]) + 1) for k in shown}
    first = next((k for k in shown if past[k] > 0), None)
    if first is None:
        return set(), 0
    body = [k for k in shown if k >= first]
    columns = min(past[k] for k in body)
    if (any(past[k] != 0 for k in shown if k < first) or columns < 2 or len(body) < MIN_LABELLED_BLANK_ROWS
            or any(not rows[k] for k in range(first, shown[-1] + 1))):
        return set(), 0
    return set(body), columns


# How sure the reader is of the cells of a line whose row the text does not tell (``_unsure_rows``): under the
# recovery's trust (0.9), so that the row's cells are flagged whatever the sums say.
UNSURE_ROW = 0.5


def _unsure_rows(lines: list[str], rows: list[list[tuple[int, str]]], firsts: dict[int, int]) -> set[int]:
    """Lines of a table set one row a line whose row the text does not tell. A cell's text broken by hand
    (三、本年 / 度办理结果) goes on under its row on a line of label text alone, padded to the row's width: the
    same line as a row of blank cells of the same width (二、上年结转 under 一、本年新收). Where a line of label
    text stands under a line as long, which of the two it is lies in the words; beside a row with values (whose
    values may go to the wrong label; blank rows read 0 under any), it and the rows with values beside it are
    unsure."""
    unsure: set[int] = set()
    for k in range(1, len(rows)):
        if rows[k] and rows[k - 1] and k not in firsts and len(lines[k]) == len(lines[k - 1]) \
                and rows[k][0][0] == rows[k - 1][0][0] and (k - 1 in firsts or k + 1 in firsts):
            unsure.update([k] + [j for j in (k - 1, k + 1) if j in firsts])
    return unsure


def _index_blocks(lines: list[str], taken: set[int]) -> list[tuple[int, int]]:
    """The stretches of lines that may each be one table: inscriptis parts a table from the text around it by
    an empty line, or from the next table by a line of spaces as long as their left margin (a table's own rows
    are never empty: a row without text is spaces as wide as the row)."""
    blocks = []
    k = 0
    while k < len(lines):
        if not lines[k] or k in taken:
            k += 1
            continue
        end = k
        while end < len(lines) and lines[end] and end not in taken:
            end += 1
        margin = min((len(line) - len(line.lstrip()) for line in lines[k:end] if line.strip()), default=0)
        start = k
        for j in range(k, end + 1):
            if j == end or (not lines[j].strip() and len(lines[j]) <= margin):
                if j > start:
                    blocks.append((start, j))
                start = j + 1
        k = end
    return blocks


def index_tables(lines: list[str], taken: set[int]) -> list[tuple[int, int, list, set[int]]]:
    """(first line, end line, rows, the lines whose rows are unsure) of every table laid out by cell index: the stretches of ``_index_blocks``
    that hold a row with values (or a row of heads over rows of blank cells, or rows of labels padded with blank
    cells under rows of heads: ``_labelled_blank_rows``) and whose every cell stands on the
    layout's stops."""
    out = []
    for k, end in _index_blocks(lines, taken):
        if end - k >= 2 and not any(_is_prose(line) for line in lines[k:end]):
            read = _index_table(lines[k:end])
            if read is not None and any(read[0]):
                out.append((k, end, read[0], {k + j for j in read[1]}))
    return out


# ------------------------------------------------------------------------------------------------ filler-spaced rows

# A tool that sets a row's cells in order, one space apart (lynx's text of a table it does not align), prints a
# blank cell that holds a no-break space (&nbsp;, Word's <o:p>&nbsp;</o:p>) as that space between two separators:
# each blank cell widens the gap where it stands by two spaces. A row's gaps are then 1, 3, 5…: one space and two
# per blank cell (a blank cell holding nothing leaves no trace, and such a row is left to the template's sums).
_FILLER_GAP = 2
_WORD = re.compile(r"\S+")


def _filler_row(line: str) -> tuple[str, list[str]] | None:
    """A line as a row of filler-spaced cells: its label (the words before its first value, as printed) and its
    cells from the first value on, blank cells in place; None when it is no such row (no label, a word after a
    value that is no value, a gap of an even number of spaces)."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(line)]
    first = next((k for k, w in enumerate(words) if _VALUE_WORD.match(w[2]) and _DIGIT.search(w[2])), None)
    if not first:
        return None
    cells: list[str] = []
    for k in range(first, len(words)):
        if not _VALUE_WORD.match(words[k][2]):
            return None
        gap = words[k][0] - words[k - 1][1]
        if gap % _FILLER_GAP != 1:
            return None
        cells += [""] * (gap // _FILLER_GAP) + [words[k][2]]
    return " ".join(w[2] for w in words[:first]), cells


def _spaced_words(line: str) -> bool:
    """Whether two words of the line stand more than a space apart with no value after them: in rows set in order
    only a blank cell widens a gap, and it stands before a value (heads and labels are set one space apart)."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(line)]
    return any(b[0] - a[1] > 1 and not _VALUE_WORD.match(b[2]) for a, b in zip(words, words[1:]))


def _line_blocks(lines: list[str], taken: set[int]) -> list[tuple[int, int]]:
    """Stretches of consecutive lines with text, none taken by another table."""
    blocks, k = [], 0
    while k < len(lines):
        if not lines[k].strip() or k in taken:
            k += 1
            continue
        end = k
        while end < len(lines) and lines[end].strip() and end not in taken:
            end += 1
        blocks.append((k, end))
        k = end
    return blocks


def filler_tables(lines: list[str], taken: set[int]) -> list[tuple[int, int, list]]:
    """(first line, end line, rows) of every table whose rows are set in order with blank cells as fillers: a
    stretch of lines (a table set line after line) whose every line with values reads as such a row, one of them
    with a blank cell at least, and none with more cells than the widest. Each such row becomes a tab row, its
    label then its cells, as many as the widest row's (its last blank cells leave no trace: the spaces after a
    row's last value are not printed); the other lines (heads, labels wrapped, rows of blank cells) stay."""
    out = []
    for first, end in _line_blocks(lines, taken):
        if any(_is_prose(line) for line in lines[first:end]):
            continue
        read = {}
        for k in range(first, end):
            if not any(_VALUE_WORD.match(w) and _DIGIT.search(w) for w in lines[k].split()):
                continue
            row = _filler_row(lines[k])
            if row is None:
                read = {}
                break
            read[k] = row
        if len(read) < MIN_VALUES_ON_A_ROW or not any("" in cells for _, cells in read.values()):
            continue        # no blank cell marked anywhere: nothing tells this layout from words set by order
        # (Looked at after the rows, which most stretches fail at their first line with values: the cheaper test.)
        if any(_spaced_words(lines[k]) for k in range(first, end)):
            continue        # words set apart by more than a space where no blank cell can stand: a layout by position
        width = max(len(cells) for _, cells in read.values())
        rows: list = [None] * (end - first)
        for k, (label, cells) in read.items():
            row_width = max(width, _cells_under_heads(lines, first, k))
            rows[k - first] = [label] + cells + [""] * (row_width - len(cells))
        out.append((first, end, rows))
    return out


# A line of heads over a filler-spaced row names the label column's head and one value column's at least.
MIN_HEADS_ON_A_LINE = 2


def _cells_under_heads(lines: list[str], first: int, row: int) -> int:
    """How many value cells the heads over a filler-spaced row name: the words of the nearest line above it (within
    its stretch, from ``first``) that holds no value and two words at least, less the label column's head. lynx
    sets a whole table 2 as one stretch, each small table under its own heads (信息内容 本年制发件数 本年废止件数
    现行有效件数 over 行政规范性文件   5, its last blank cell unprinted), so the stretch's widest row (one cell: 行政许可
    1352) says nothing of a row of three. A head wrapped over two lines leaves its first piece on the line: the count
    holds; 0 where no such line stands above (the stretch's widest row then decides alone)."""
    for k in range(row - 1, first - 1, -1):
        words = lines[k].split()
        if any(_VALUE_WORD.match(w) and _DIGIT.search(w) for w in words):
            continue
        if len(words) >= MIN_HEADS_ON_A_LINE:
            return len(words) - 1
    return 0


def filler_rows_under_heads(lines: list[str], taken: set[int]) -> list[tuple[int, int, list]]:
    """(line, line after it, [cells]) of each row of values alone set in order with blank cells as fillers right
    under a line of heads one space apart: lynx's text of table 4's row of fifteen, which has no label of its
    own (3   2 3 8 under 结果维持 结果纠正 其他结果 …). The heads line starts where the table does, so the row's
    first value standing two spaces per blank cell past it has those blank cells before it; each gap of 1 + 2k
    spaces holds k more. Only a row that marks a blank cell so (a lead or a wider gap): a row of values one space
    apart at the heads' margin says nothing of a text whose blank cells hold nothing. The cells after the row's
    last value are not printed, and are not made up here: the row is as long as its last value."""
    out = []
    for first, end in _line_blocks(lines, taken):
        rows = [(k, row) for k in range(first + 1, end) if (row := _filler_row_alone(lines[k], lines[k - 1]))]
        if rows and not any(_is_prose(line) for line in lines[first:end]):
            out += [(k, k + 1, [row]) for k, row in rows]
    return out


def _filler_row_alone(line: str, above: str) -> list[str] | None:
    """The cells of a line of values alone (blank cells in place) set in order under ``above``, a line of two
    words or more one space apart and no value (heads); None when the line is no such row or marks no blank."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(line)]
    heads = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(above)]
    if not words or len(heads) < MIN_VALUES_ON_A_ROW or any(_VALUE_WORD.match(w[2]) for w in heads):
        return None
    if not _one_space_apart([heads]) or not all(_VALUE_WORD.match(w[2]) for w in words):
        return None
    if not any(_DIGIT.search(w[2]) for w in words):
        return None
    lead = words[0][0] - heads[0][0]
    if lead < 0 or lead % _FILLER_GAP:
        return None
    cells = [""] * (lead // _FILLER_GAP) + [words[0][2]]
    for a, b in zip(words, words[1:]):
        gap = b[0] - a[1]
        if gap % _FILLER_GAP != 1:
            return None
        cells += [""] * (gap // _FILLER_GAP) + [b[2]]
    if len(cells) > len(heads) and any(_under_distinct_heads(line, above, widths) for widths in ALIGNED_MEASURES):
        # Each value under a head of its own, and read in order the row would be wider than its heads: a small
        # table aligned under its heads (lynx: 2 under 结果维持, 2 under 总计, 19 spaces apart, not 2 and nine
        # blank cells under five heads). A row in order no wider than its heads line (1       1, three blank
        # cells, under ten of table 4's heads wrapped over two lines) is read so, as any other.
        return None
    return cells if "" in cells else None


def _under_distinct_heads(line: str, above: str, widths: tuple[int, ...]) -> bool:
    """Whether every word of ``line`` stands under a word of ``above`` of its own, measured by ``widths``."""
    def extents(text: str) -> list[tuple[int, int]]:
        return [(display_width(text[:m.start()], widths), display_width(text[:m.end()], widths))
                for m in _WORD.finditer(text)]
    heads = extents(above)
    hit = [[k for k, head in enumerate(heads) if _overlap(word, head)] for word in extents(line)]
    return all(len(h) == 1 for h in hit) and len({h[0] for h in hit}) == len(hit)


# ------------------------------------------------------------------------------------------------ the reader


@dataclass
class TextTable:
    """A table found in the text: the lines it takes and what stands in their place (one entry per line: the
    row starting there as tab-separated cells, "" for a line that continues a row, None to keep the line)."""
    first: int              # 0-based line where the table starts
    end: int                # the line after its last
    rows: list[str | None]
    strategy: str           # ruled | ascii | pipe | dashes | aligned | index
    columns: int
    unsure: frozenset[int] = frozenset()    # 0-based lines whose rows the text does not tell


def _placed(first: int, end: int, row_lines: list[int], rows: list[str]) -> list[str | None]:
    """Each row on the line where it starts and the table's other lines left empty, so that the record's line
    numbers still point into the text as it was scraped."""
    placed: list[str | None] = [""] * (end - first)
    for row, line in zip(rows, row_lines):
        placed[line - first] = row
    return placed


def _grid_table(first: int, end: int, grid: Grid, row_lines: list[int], strategy: str) -> TextTable:
    rows = tab_rows(grid.rows(), width=grid.width)
    return TextTable(first, end, _placed(first, end, row_lines, rows), strategy, grid.width)


def find_tables(lines: list[str]) -> list[TextTable]:
    tables: list[TextTable] = []
    # Lines with tabs are rows already (a reader's tab rows, a scrape that kept the table's tabs).
    taken: set[int] = {k for k, line in enumerate(lines) if "\t" in line}

    def add(table: TextTable) -> None:
        if table.columns >= 2 and not taken & set(range(table.first, table.end)):
            tables.append(table)
            taken.update(range(table.first, table.end))

    # What each kind of drawn table cannot be without, looked for in the whole text at once: most texts draw none,
    # and each line need not be tried against each kind.
    text = "\n".join(lines)
    ruled = not _BOX.isdisjoint(text) or "+" in text        # a box character, or an ASCII table's + joints
    for first, end, ascii_table in _ruled_blocks(lines) if ruled else ():
        grid, tops = ruled_grid(lines[first:end], ascii_table)
        add(_grid_table(first, end, grid, [first + t for t in tops], "ascii" if ascii_table else "ruled"))
    for first, end in _pipe_blocks(lines) if "---" in text else ():       # its rule (_PIPE_RULE)
        row_lines = [first + k for k, line in enumerate(lines[first:end]) if not _PIPE_RULE.match(line)]
        rows = ["\t".join(row) for row in pipe_rows(lines[first:end])]
        add(TextTable(first, end, _placed(first, end, row_lines, rows), "pipe", max(r.count("\t") + 1 for r in rows)))
    # Markdown pipe rows are rows already (the recovery reads them cell by cell, a row wrapped inside a cell
    # joined back): no line with pipes between cells is cut into columns by its spaces.
    taken |= {k for k, line in enumerate(lines) if line.count("|") >= 2}
    for first, end, groups_at in _dash_blocks(lines) if "--" in text else ():     # its rules (_is_rule)
        grid, starts = dash_table(lines[first:end], groups_at - first)
        add(_grid_table(first, end, grid, [first + s for s in starts], "dashes"))
    # A table laid out by cell index is told by stops no other layout keeps (every cell at one, each two
    # spaces past the widest text of the index before, counted in characters): read first, as its columns by
    # position on the screen would be wrong wherever its rows' label cells differ.
    for first, end, rows, unsure in index_tables(lines, taken):
        add(TextTable(first, end, ["\t".join(row) if row is not None else None for row in rows], "index",
                      max(len(row) for row in rows if row), frozenset(unsure)))
    by_character_grid = set_by_character_grid(lines)
    for first, end, rows in filler_tables(lines, taken) if not by_character_grid else ():
        add(TextTable(first, end, ["\t".join(row) if row is not None else None for row in rows], "filler",
                      max(len(row) for row in rows if row)))
    for first, end, rows in filler_rows_under_heads(lines, taken) if not by_character_grid else ():
        add(TextTable(first, end, ["\t".join(row) for row in rows], "filler", len(rows[0])))
    for first, end, rows in measured_aligned_tables(lines, taken) if not by_character_grid else ():
        add(TextTable(first, end, ["\t".join(row) if row is not None else None for row in rows], "aligned",
                      max(len(row) for row in rows if row)))
    return sorted(tables, key=lambda t: t.first)


# The ways an unruled table's columns may have been counted: display columns (a CJK character two wide, as the
# screen draws it: w3m, a PDF's layout) or characters (lynx). One tool lays a whole text out one way.
ALIGNED_MEASURES = ((1, 1), CHARACTERS)


def measured_aligned_tables(lines: list[str], taken: set[int]) -> list[tuple[int, int, list]]:
    """The unruled tables of the text, measured the way its tables line up: the measure under which the most
    values stand in tables (under the other, a row's values stand as far right as its label is wide, and no
    column holds them), then the one under which they stand the most exactly under their heads (a Chinese head
    two columns wide where it counts one drifts a column further right at each head, within the slack a centred
    odd width is given over a few columns); display columns where the two agree."""
    best, most = [], None
    for widths in ALIGNED_MEASURES:
        misfits: list[float] = []
        tables = aligned_tables(lines, taken, widths, misfits)
        placed = sum(1 for _, _, rows in tables for row in rows if row for cell in row if _VALUE_WORD.match(cell))
        score = (placed, -sum(misfits))
        if placed and (most is None or score > most):
            best, most = tables, score
    return best


def set_by_character_grid(lines: list[str]) -> bool:
    """Whether the text is a PDF's, laid out by pdftotext -layout: pages parted by form feeds. Its grid gives each
    character one cell, a CJK character drawn two cells wide included, and sets each block of words past the
    blocks left of it anywhere on the page: a column's heads are squeezed (商业 科研 社会 one
    cell apart, over values set ten apart), a value after a long label on its line stands cells from where the same
    column's values stand on other lines, a label wrapped around its row's values reaches over them. Where a word
    stands does not tell its column there: the rows are left to the tokens, their blank cells to the template's
    sums (flagged where the sums leave a choice) rather than put under the wrong heads."""
    return any(line.startswith("\f") for line in lines)


def text_grids(text: str) -> tuple[str, list[dict]]:
    """The text with every table drawn in it replaced by tab rows, and one entry per table for the record."""
    lines = text.split("\n")
    tables = find_tables(lines)
    if not tables:
        return text, []
    out = list(lines)
    meta: list[dict] = []
    for table in tables:
        for k, row in enumerate(table.rows):
            if row is not None:
                out[table.first + k] = row
        meta.append({"strategy": table.strategy, "rows": sum(1 for r in table.rows if r),
                     "cols": table.columns, "line": table.first + 1})
        if table.unsure:
            meta[-1]["unsure_lines"] = sorted(k + 1 for k in table.unsure)
    return "\n".join(out), meta
