"""Table 4 (行政复议、行政诉讼): where it stands, and its fifteen cells placed in whichever layout it is printed.

The template prints table 4 as one row of fifteen cells under a three-row header (行政复议 | 行政诉讼 over
未经复议直接起诉 | 复议后起诉 over five heads each). Real pages also print it as three rows of five cells with the
groups down the side (行政诉讼 merged over its two kinds of suit, or each suit named alone), and as three small
tables, each named in its first row or in a line above it; text tools wrap its heads (结果 / 维持), put group
heads alone on a line, or print a row's values beside the middle line of its wrapped name (行政诉 / 0 0 0 0 0 /
讼未经复议直接起诉).

``locate`` finds the table: its heading, or, without one, its header labels, never anything before them (table
3's last row, 四、结转下年度继续办理, opens with 四、 like the heading, and is table 3's). ``place`` tries each layout
in ``LAYOUTS`` on the table's tokens; each gives candidate readings of the cells it places, and the layout that
places the most groups, with the most group totals holding (结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计), is
kept. The recovery (``recover``) then chooses among the kept layout's readings by the same arithmetic it uses for
every row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from .. import schema
from ..datamodel import BLANK, BREAK, LABEL, VALUE, Match, Token
from ..labels.dictionary import allowed_categories, categories_within, match_label
from ..options import Options
from .arrange import (
    MAX_COVERED,
    MAX_PERIOD,
    MAX_SEPARATOR,
    _count_blanks,
    _gaps,
    blanks_by_gaps,
)
from .placement import (
    Piece,
    is_boundary,
    lead_placeholders,
    numbers,
    row_readings,
    row_span,
    trim_placeholders,
)

GROUPS = tuple(f"appeals.{g}" for g in schema.APPEAL_GROUPS)
GROUP_SET = frozenset(GROUPS)
COLUMN_HEADS = frozenset({"column.upheld", "column.corrected", "column.other", "column.pending", "column.total"})
# Labels only table 4's header prints. 总计 and 其他 name table 3's rows and columns too, and 行政诉讼 stands in its
# prose: alone they are no evidence that table 4 starts.
TABLE4_ONLY = frozenset(GROUPS) | {"column.upheld", "column.corrected", "column.pending"}
HEADER = frozenset(GROUPS) | COLUMN_HEADS | {"group.litigation", "section.appeals"}
# A heading read at this confidence or more is taken as read (the label stages settle a string from there).
SURE_HEADING = 0.9
# A label read at better than even odds is evidence of table 4's header.
LABEL_EVIDENCE = 0.5
# A group's name wrapped over two or three cells (行政诉 / 讼未经复议直接起诉) is read as one when the joined text
# reads as the group beyond doubt and better than its parts.
SURE_GROUP = 0.9
WRAPPED_PARTS = 3
# Without a heading, table 4 starts at its header only when it shows this many of the labels only it prints.
HEADER_EVIDENCE = 2


@dataclass(frozen=True)
class Zone:
    """Where table 4 stands among the tokens: from its heading (or first header label) to the next section."""
    start: int
    end: int
    header: tuple[int, ...]     # its header labels, in order


@dataclass(frozen=True)
class Run:
    """Cells read as one unit, with the keys they give in order: a group's five, or the template's fifteen."""
    row: str
    keys: tuple[str, ...]
    line: int

    @property
    def columns(self) -> tuple[str, ...]:
        return self.keys


Readings = list[tuple[int, list[Piece]]]


@dataclass
class Placement:
    """One layout's reading of table 4: each run of cells with its candidate readings."""
    layout: str
    orientation: str
    runs: list[tuple[Run, Readings]]


def locate(tokens: list[Token], matches: dict[int, Match], after: int) -> Zone | None:
    """Table 4 past token ``after`` (table 3's last row label): None when neither its heading nor its header is
    there. Labels past ``after`` are read as table 4's (总计 and 其他 are its column heads there, not table 3's
    rows)."""
    allowed = allowed_categories("appeals")
    for i, m in matches.items():
        if i > after and m.category != "none":
            matches[i] = match_label(tokens[i].text, allowed)
    past = [i for i in sorted(matches) if i > after]
    header = [i for i in past if matches[i].category in HEADER and matches[i].confidence >= LABEL_EVIDENCE]
    start = next((i for i in header if matches[i].category == "section.appeals"
                  and matches[i].confidence >= SURE_HEADING), None)
    if start is None:
        # One-line pages fuse table 4's title with its column heads; when those are garbled past reading, the
        # title alone marks where the fifteen cells start (the sums then decide whether they do).
        start = next((i for i in past if i + 1 < len(tokens) and tokens[i + 1].kind in (VALUE, BLANK)
                      and "section.appeals" in categories_within(tokens[i].text)), None)
    if start is None:
        only = [i for i in header if matches[i].category in TABLE4_ONLY]
        if len({matches[i].category for i in only}) < HEADER_EVIDENCE:
            return None
        start = min(only)
    end = next((i for i in past if i > start and matches[i].category.startswith("section.")
                and matches[i].category != "section.appeals" and matches[i].confidence >= SURE_HEADING), len(tokens))
    return Zone(start, end, tuple(sorted({start} | {i for i in header if start <= i < end})))


def place(tokens: list[Token], matches: dict[int, Match], zone: Zone, options: Options) -> Placement | None:
    """The layout that places the most of table 4's cells, its group totals holding; None when none places any.
    Two layouts that do equally well and read differently leave each group with both readings (the recovery's
    arithmetic, or nobody, decides)."""
    tried = [p for layout in LAYOUTS if (p := layout(tokens, matches, zone, options)) is not None]
    if not tried:
        return None
    scored = sorted(((_fit(p), k, p) for k, p in enumerate(tried)), key=lambda s: (s[0], -s[1]), reverse=True)
    best_fit, _, best = scored[0]
    rivals = [p for fit, _, p in scored[1:] if fit == best_fit and _values(p) != _values(best)]
    if not rivals:
        return best
    by_group = [_by_group(p) for p in [best, *rivals]]
    runs = []
    for group in schema.APPEAL_GROUPS:
        found = [g[group] for g in by_group if group in g]
        readings = [r for _, rs in found for r in rs]
        runs.append((found[0][0], readings))
    return Placement(" or ".join(p.layout for p in [best, *rivals]), best.orientation, runs)

def _past_heads_lines(tokens, zone: Zone) -> int:
    """The header's last label, past the lines of heads set one space apart right after it (lynx's text of a
    table it does not align: 结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 …). Such a line reads as no label
    (ten heads are no one label's text) and ends the row before it, yet the row of fifteen is past it. Only the
    row of fifteen looks past it: where no fifteen cells follow (a PDF cut the row at the paper's edge), the table
    is read as it was without it."""
    last = zone.header[-1]
    allowed = allowed_categories("appeals")
    for i in range(last + 1, zone.end):
        if tokens[i].kind == BREAK:
            continue
        if tokens[i].kind != LABEL or not _heads_one_space_apart(tokens[i].text, allowed):
            break
        last = i
    return last


def _heads_one_space_apart(text: str, allowed: frozenset) -> bool:
    """Whether a label is a line of table 4's heads set one space apart, each word read as a head beyond doubt."""
    words = text.split()
    if len(words) < HEADER_EVIDENCE:
        return False
    return all((m := match_label(w, allowed)).category in HEADER and m.confidence >= SURE_HEADING for w in words)

# ------------------------------------------------------------------------------------------------ the layouts


def one_row_of_fifteen(tokens, matches, zone: Zone, options: Options) -> Placement | None:
    """The template's layout: fifteen cells after the header's last label (or, in PDF reading order, before
    its first, between the heading and the header)."""
    if not zone.header:
        return None
    run = Run("all", tuple(f"appeals.{g}.{c}" for g in schema.APPEAL_GROUPS for c in schema.APPEAL_COLUMNS),
              tokens[zone.header[-1]].line)
    last = _past_heads_lines(tokens, zone)
    last_head = tokens[last]
    span = row_span(tokens, matches, last, zone.end, +1)
    after = trim_placeholders(_row_of_its_own(_past_the_heads_line(span, last_head.line), len(run.keys)))
    under = _under_heads(after, _lines(tokens, zone), tokens, matches)
    if under is not None and len(under) < len(run.keys):
        # A grid row whose heads line holds one group's five heads and nothing else (the last of three small tables
        # a text tool drew as one grid, its row as wide as the widest table): one group's row, not fifteen cells.
        after = []
    elif under is None:
        after = _fifteen_by_gaps(tokens, matches, zone, span, len(run.keys)) or after
    if last != zone.header[-1]:
        after = _short_row_completed(after, len(run.keys))
    readings = row_readings(after, len(run.keys), options.max_digit_splits, _group_totals(len(run.keys)))
    if readings:
        return Placement("one row of fifteen", "after", [(run, readings)])
    # Before the header's first label that is not the heading, back to the heading: never past it (table 3's
    # last row stands there).
    first = next((i for i in zone.header if i != zone.start), None)
    before = lead_placeholders(row_span(tokens, matches, first, zone.start, -1)) if first is not None else []
    readings = (row_readings(before, len(run.keys), options.max_digit_splits, _group_totals(len(run.keys)))
                if before else [])
    return Placement("one row of fifteen", "before", [(run, readings)]) if readings else None


def _fifteen_by_gaps(tokens, matches, zone: Zone, cells: list[Token], width: int) -> list[Token] | None:
    """The row of fifteen with its blank cells in place, where the text prints a blank cell as empty lines and a
    cell a line (get_text of a page whose empty cells hold nothing: 总计 / 6 empty lines / 1 / 6 / 1): the empty
    lines between the header's heads are the separator after a cell, and a way of counting a lead separator and a
    period per blank cell (``arrange._count_blanks``, the row's end running into what follows) gives the blanks.
    Only where exactly one counting leaves every group total holding: the row's two values 1 … 1 fit
    _ 1 _ _ 1 (a period of two lines) but no other counting of these gaps keeps the three totals. None otherwise
    (the sums alone then choose among the placements, flagged where they leave a choice)."""
    if not any(t.kind == BREAK for t in cells) or any(t.kind == BLANK for t in tokens[zone.start:zone.end]):
        return None
    if any(len(on_line) > 1 for on_line in _lines(tokens, zone).values()):
        return None     # cells side by side on a line: its empty lines are no cells
    inner = _heads_separator(tokens, matches, zone)
    if inner is None:
        return None     # the heads' gaps do not say what separates two cells
    values, gaps = _gaps(cells)
    if not values:
        return None
    rows: dict[tuple, list[Token]] = {}
    for lead, period in product(range(MAX_SEPARATOR + 1), range(1, MAX_PERIOD + 1)):
        counted = _count_blanks({"all": (values, gaps)}, {"all": width}, "all", lead, inner, period)
        if counted is None:
            continue
        row: list[Token] = []
        for k, blanks in enumerate(counted["all"]):
            row += [Token(BLANK, "", values[min(k, len(values) - 1)].line)] * blanks
            if k < len(values):
                row.append(values[k])
        pieces = [Piece(t.text, t.line, blank=t.kind == BLANK) for t in row]
        if _totals_holding(numbers(pieces)) == width // len(schema.APPEAL_COLUMNS):
            rows.setdefault(tuple(t.kind for t in row), row)
    return next(iter(rows.values())) if len(rows) == 1 else None


def _short_row_completed(cells: list[Token], width: int) -> list[Token]:
    """A row of fewer than ``width`` cells on one line, a blank cell marked among them, with blank cells added
    after its last, under heads set one space apart (the caller's test): a text that sets a row's cells in order
    with its blank cells as fillers (lynx's text of a table it does not align: 3   2 3 8) prints nothing after
    the row's last value, so the cells it does not print are the row's last. Only where every group total then
    holds (the row's own check that its cells are in place); the row as it was otherwise. (Elsewhere a short row
    is a group's, or a pipe table's whose converter lost columns.)"""
    if not cells or len(cells) >= width or len({t.line for t in cells}) != 1 or not any(
            t.kind == BLANK for t in cells) or not any(t.kind == VALUE for t in cells):
        return cells
    completed = cells + [Token(BLANK, "", cells[-1].line)] * (width - len(cells))
    pieces = [Piece(t.text, t.line, blank=t.kind == BLANK) for t in completed]
    return completed if _totals_holding(numbers(pieces)) == width // len(schema.APPEAL_COLUMNS) else cells


def _heads_separator(tokens, matches, zone: Zone) -> int | None:
    """The empty lines between two column heads next to each other in table 4's header, where every such pair
    has as many: what a text that sets a cell a line prints after each cell, a head's or a value's alike. None
    when the heads disagree or none stand next to each other."""
    pairs = [(a, b) for a, b in zip(zone.header, zone.header[1:])
             if matches[a].category in COLUMN_HEADS and matches[b].category in COLUMN_HEADS]
    separators = {sum(tokens[j].kind == BREAK for j in range(a + 1, b)) for a, b in pairs}
    return separators.pop() if len(separators) == 1 else None


def _group_totals(cells: int) -> tuple:
    """The group totals of a run of cells (five per group, the total last) as the identities ``row_readings``
    cuts digits that ran together by: a 100-digit run of fifteen cells is then cut where its three totals hold,
    not by listing every cut (``placement._digit_splits``). Where no cut holds them all, every cut is listed, as
    without them: the readings the layouts and the recovery judge by the same totals are those they were."""
    width = len(schema.APPEAL_COLUMNS)
    return tuple((tuple(range(at, at + width - 1)), (at + width - 1,)) for at in range(0, cells - width + 1, width))


def _past_the_heads_line(cells: list[Token], heads_line: int) -> list[Token]:
    """Blank cells left on the line of the last heads (``heads_line``), before the values' line, are the header's
    (a head cell left empty, a merged head's slots): not the first of the fifteen. Blank cells on lines of their
    own (a one-cell-per-line text: LibreOffice's, whose blank cells print as &nbsp; lines) are the values' row,
    however many empty lines follow them."""
    if any(t.kind == BREAK for t in cells):
        first = next(i for i, t in enumerate(cells) if t.kind == BREAK)
        if all(t.kind == BLANK and t.line == heads_line for t in cells[:first]):
            return cells[first + 1:]
    return cells


def _row_of_its_own(cells: list[Token], width: int) -> list[Token]:
    """The row of values when it stands on a line of its own with exactly ``width`` cells, the other lines holding
    blank cells only (Word's hidden row of empty cells under the table, a grid's row as wide): those are another
    row's, not cells of this one that a window over both could shift the values into."""
    lines: list[list[Token]] = [[]]
    for t in cells:
        if t.kind == BREAK:
            lines.append([])
        else:
            lines[-1].append(t)
    with_values = [line for line in lines if any(t.kind == VALUE for t in line)]
    if len(with_values) != 1 or len(with_values[0]) != width or len({t.line for t in with_values[0]}) != 1:
        return cells
    if any(t.kind != BLANK for line in lines if line is not with_values[0] for t in line):
        return cells
    return with_values[0]


def a_row_per_group(tokens, matches, zone: Zone, options: Options) -> Placement | None:
    """Each group named down the side (three rows of five) or over its own small table (three tables): a group's
    five cells follow its name, past the column heads of a small table and the placeholders of its merged name
    cell; a name wrapped around its values (行政诉 / 0 0 0 0 0 / 讼未经复议直接起诉) holds them in its middle."""
    names = _ordered(_group_names(tokens, matches, zone))
    lines = _lines(tokens, zone)
    by_gaps = _rows_by_gaps(tokens, matches, names, zone, lines)
    if len(names) > 1 and not any(tokens[i].kind in (VALUE, BLANK) for i in range(names[0][1], names[-1][2])) \
            and len(by_gaps) < len(names):
        # Every name before every cell (plain pdftotext of a grid: the names' column, then the values): the cells
        # after the last name are all the groups' in order, not the last group's row. Unless the empty lines after
        # each name count its row's blank cells (LibreOffice's text of small tables whose first groups are blank).
        return None
    runs = []
    for k, (group, first, last) in enumerate(names):
        stop = names[k + 1][1] if k + 1 < len(names) else zone.end
        middle = [t for t in tokens[first + 1:last] if t.kind in (VALUE, BLANK)]
        cells = middle if any(t.kind == VALUE for t in middle) else _cells_after(tokens, matches, last, stop)
        cells = by_gaps.get(group, cells)
        cells = _under_heads(cells, lines, tokens, matches) or cells
        run = Run(group.split(".", 1)[1], tuple(f"{group}.{c}" for c in schema.APPEAL_COLUMNS), tokens[last].line)
        if _among_values(tokens, first, zone.start):
            # A name with a group's values before it on its own line (|3||未经复议直接起诉|1|4|: a converter set a
            # row of cells around the next table's name): the values on either side may be either group's.
            continue
        if _beside_another_group(tokens, matches, group, first, last, zone):
            # Names side by side on one line are the column heads of the template's header (行政复议 | 行政诉讼,
            # 未经复议直接起诉 | 复议后起诉), no row's names: the cells after the last of them are the row of all
            # three groups, none of them this group's own.
            continue
        if sum(t.kind == VALUE for t in cells) > len(run.keys) or len(cells) > 2 * len(run.keys):
            continue        # more cells than a group's row has: the row of several groups (the template's fifteen)
        readings = (row_readings(cells, len(run.keys), options.max_digit_splits, _group_totals(len(run.keys)))
                    if cells else [])
        # Cells found only by leaving some out (placeholders, a cell too many) are the group's only when its
        # total confirms them: a text that dropped a blank cell leaves four values and the blank of another.
        readings = [r for r in readings if r[0] == 0 or _totals_holding(numbers(r[1]))]
        if readings:
            runs.append((run, readings))
    return Placement("a row per group", "after", runs) if runs else None


def group_cells(tokens, matches, zone: Zone) -> list[tuple[str, list[Token], int]] | None:
    """Each group's cells as a row per group gathers them (``a_row_per_group``: after its name, or in the middle
    of a name wrapped around them), with the line of its name: (group, cells, line). None unless all three groups
    are named in the template's order, so that no group's cells can be another's (a name not read leaves its
    values to the group before)."""
    names = _ordered(_group_names(tokens, matches, zone))
    if [name for name, _, _ in names] != list(GROUPS):
        return None
    out = []
    for k, (group, first, last) in enumerate(names):
        stop = names[k + 1][1] if k + 1 < len(names) else zone.end
        if _among_values(tokens, first, zone.start):
            return None
        middle = [t for t in tokens[first + 1:last] if t.kind in (VALUE, BLANK)]
        cells = middle if any(t.kind == VALUE for t in middle) else _cells_after(tokens, matches, last, stop)
        out.append((group, cells, tokens[last].line))
    return out


def small_tables(tokens, matches, zone: Zone) -> bool:
    """Whether table 4 is printed as three small tables, read in their order: every group named
    in the template's order, no name beside another's, and each name followed, before any value and before the next
    group's name, by a line of its own heads (``HEADER_EVIDENCE`` of the five at least on one line, as labels of
    their own or one label naming them). A value under a group's heads is then that group's, wherever the sums of
    a row of fifteen could put it: the template's row of fifteen stands under all three names, the heads after the
    last of them; three rows of five print the heads once, above every name. A text that sets each head on a line
    of its own is taken at its word only where it is no PDF's paged text (its values carry no page place,
    ``Token.at``): plain pdftotext, setting each head on a line of its own, may print every small table's values
    after all their heads, in any group's place."""
    names = _ordered(_group_names(tokens, matches, zone))
    if [name for name, _, _ in names] != list(GROUPS):
        return False
    paged = any(t.kind == VALUE and t.at is not None for t in tokens[zone.start:zone.end])
    for k, (group, first, last) in enumerate(names):
        if _beside_another_group(tokens, matches, group, first, last, zone):
            return False
        stop = names[k + 1][1] if k + 1 < len(names) else zone.end
        heads: dict[int, set[str]] = {}     # line -> the heads on it
        for i in range(last + 1, stop):
            if tokens[i].kind == VALUE:
                break
            m = matches.get(i)
            if tokens[i].kind != LABEL:
                continue
            on_line = heads.setdefault(tokens[i].line, set())
            if m is not None and m.category in COLUMN_HEADS and m.confidence >= LABEL_EVIDENCE:
                on_line.add(m.category)
            elif m is None or m.category == "none":
                # the heads' line as one label (a page's text sets them one space apart: 结果维持 结果纠正 …)
                on_line |= categories_within(tokens[i].text) & COLUMN_HEADS
        if any(len(on_line) >= HEADER_EVIDENCE for on_line in heads.values()):
            continue
        if paged or len(set().union(*heads.values())) < HEADER_EVIDENCE:
            return False
    return True


def unprinted_groups(tokens, matches, zone: Zone, placed: set[str]) -> list[tuple[str, int]]:
    """Groups named down the side or over their own small tables after whose name (and heads) nothing is
    printed up to the next group's name or the table's end, in a table that marks its blank cells (a blank token
    in it) and whose other groups were placed (``placed``: their row names): (group row, line of its name). A
    tool that sets a table's blank cells by position prints a row of blank cells without a label as nothing at
    all (lynx), so the row is there only as the room it does not take."""
    if not placed or not any(tokens[i].kind == BLANK for i in range(zone.start, zone.end)):
        return []
    names = _ordered(_group_names(tokens, matches, zone))
    out = []
    for k, (group, first, last) in enumerate(names):
        row = group.split(".", 1)[1]
        stop = names[k + 1][1] if k + 1 < len(names) else zone.end
        # Blank cells that are no row (a merged name cell's placeholders on its line, a small table's header's
        # beside its heads: |行政复议|||||) leave the group as unprinted as no mark at all.
        if row in placed or any(tokens[i].kind == VALUE for i in range(first + 1, stop)) or _cells_after(
                tokens, matches, last, stop):
            continue
        if _beside_another_group(tokens, matches, group, first, last, zone):
            continue
        out.append((row, tokens[last].line))
    return out


def _rows_by_gaps(tokens, matches, names: list[tuple[str, int, int]], zone: Zone,
                  lines: dict[int, list[int]]) -> dict[str, list[Token]]:
    """Each group's five cells where the text prints a blank cell as empty lines (LibreOffice's text, get_text of
    a page whose empty cells hold nothing): the empty lines after a group's name (or its small table's heads) up to
    the next label, counted as the table's rows allow (``arrange.blanks_by_gaps``: one separator, one period per
    blank cell, one row end for every group). Empty when the text marks its blank cells or the lines do not say."""
    if len(names) < len(GROUPS) or any(tokens[i].kind == BLANK for i in range(zone.start, zone.end)):
        return {}
    if any(len(cells) > 1 for cells in lines.values()):
        return {}       # rows of several cells on a line: their empty lines are no cells
    spans: dict[str, list[Token]] = {}
    for k, (group, _, last) in enumerate(names):
        stop = names[k + 1][1] if k + 1 < len(names) else zone.end
        start = last + 1
        for i in range(last + 1, stop):     # past the heads of the group's own small table, and its name's tail
            m = matches.get(i)
            if tokens[i].kind == LABEL and m is not None and (m.category in COLUMN_HEADS or m.stage == "joined"):
                start = i + 1
            elif tokens[i].kind != BREAK:
                break
        end = next((i for i in range(start, stop) if tokens[i].kind == LABEL), stop)
        spans[group] = tokens[start:end]
    widths = {g: len(schema.APPEAL_COLUMNS) for g in spans}
    counted = (blanks_by_gaps(spans, widths, names[-1][0], empty_rows=True)
               or _counted_by_heads_separator(tokens, matches, zone, spans, widths, names[-1][0]))
    if not counted:
        return {}
    name_end = {group: last for group, _, last in names}
    rows: dict[str, list[Token]] = {}
    for group, blanks in counted.items():
        values = [t for t in spans[group] if t.kind == VALUE]
        line = values[0].line if values else tokens[name_end[group]].line
        row: list[Token] = []
        for k, count in enumerate(blanks):
            row += [Token(BLANK, "", line)] * count
            if k < len(values):
                row.append(values[k])
        rows[group] = row
    return rows


def _counted_by_heads_separator(tokens, matches, zone: Zone, spans: dict[str, list[Token]], widths: dict[str, int],
                                last_row: str) -> dict | None:
    """The groups' blank cells counted as ``blanks_by_gaps`` counts them, the separator after a cell being the one
    the header's heads show (``_heads_separator``), where the rows' gaps alone leave several countings: 1 / 11
    empty lines / 1 in a group of five fits 1 _ _ _ 1 (two lines after a cell, three a blank) and _ 1 _ _ 1 (three
    and four), and the heads, two lines apart, tell which. None unless one counting is left."""
    inner = _heads_separator(tokens, matches, zone)
    if inner is None:
        return None
    rows = {row: _gaps(span) for row, span in spans.items()}
    for covered in (0, MAX_COVERED):
        found = {}
        for lead, period in product(range(MAX_SEPARATOR + 1), range(1, MAX_PERIOD + 1)):
            counted = _count_blanks(rows, widths, last_row, lead, inner, period, covered)
            if counted is not None:
                found.setdefault(tuple(sorted(counted.items())), counted)
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None


def _among_values(tokens, at: int, start: int) -> bool:
    """Whether a value stands before token ``at`` on its line (and within the table, from ``start``)."""
    line = tokens[at].line
    for i in range(at - 1, start - 1, -1):
        if tokens[i].line != line:
            return False
        if tokens[i].kind == VALUE:
            return True
    return False


# Names of table 4's groups, and 行政诉讼 over the two suits: one of them after a group's name on its line makes the
# name a column head (a 行政诉讼 merged down the side of three rows stands before its suits' names, never after).
GROUP_HEADS = GROUP_SET | {"group.litigation"}


def _beside_another_group(tokens, matches, own: str, first: int, last: int, zone: Zone) -> bool:
    """Whether group ``own``'s name (tokens ``first`` to ``last``) shares its line with another group's name, or
    with 行政诉讼 after it: the names are then a header's columns, not the rows' names down the side."""

    def head(i: int) -> str | None:
        m = matches.get(i)
        if tokens[i].kind != LABEL or m is None or m.confidence < LABEL_EVIDENCE:
            return None
        return m.category if m.category in GROUP_HEADS and m.category != own else None

    line = tokens[first].line
    before = range(first - 1, zone.start - 1, -1)
    for i in before:
        if tokens[i].line != line:
            break
        if head(i) in GROUP_SET:
            return True
    line = tokens[last].line
    for i in range(last + 1, zone.end):
        if tokens[i].line != line:
            break
        if head(i) is not None:
            return True
    return False


def _lines(tokens, zone: Zone) -> dict[int, list[int]]:
    """The zone's cells (labels, values, blanks) by the line they stand on."""
    out: dict[int, list[int]] = {}
    for i in range(zone.start, zone.end):
        if tokens[i].kind != BREAK:
            out.setdefault(tokens[i].line, []).append(i)
    return out


HEAD_ORDER = ("column.upheld", "column.corrected", "column.other", "column.pending", "column.total")


def _under_heads(cells: list[Token], lines: dict[int, list[int]], tokens, matches) -> list[Token] | None:
    """A group's row placed by its column heads: when its cells stand on one row of a grid (tab cells) whose
    nearest line above holds the five heads in the template's order, in as many cells, the cells under the heads
    are the group's (a text tool that drew several small tables as one grid gives their rows cells between
    the heads, all blank). None when the grid does not say."""
    if not cells or len({t.line for t in cells}) != 1:
        return None
    row = lines.get(cells[0].line, [])
    for line in sorted((n for n in lines if n < cells[0].line), reverse=True):
        heads = [k for k, i in enumerate(lines[line]) if tokens[i].kind == LABEL and i in matches
                 and matches[i].category in HEAD_ORDER and matches[i].confidence >= LABEL_EVIDENCE]
        if not heads:
            continue
        if tuple(matches[lines[line][k]].category for k in heads) != HEAD_ORDER or len(lines[line]) != len(row):
            return None
        if any(tokens[i].kind == VALUE for k, i in enumerate(row) if k not in heads):
            return None
        return [tokens[row[k]] for k in heads]
    return None


# The layouts ``place`` tries, in order of preference when they do equally well.
LAYOUTS: tuple[Callable[..., Placement | None], ...] = (one_row_of_fifteen, a_row_per_group)

# ------------------------------------------------------------------------------------------------ group names


def _group_names(tokens, matches, zone: Zone) -> list[tuple[str, int, int, float]]:
    """Each group's name in the zone: (category, first token, last token, confidence). A name wrapped over up to
    ``WRAPPED_PARTS`` label cells (with its values possibly beside a middle line) spans them all."""
    allowed = allowed_categories("appeals")
    labels = [i for i in range(zone.start, zone.end) if tokens[i].kind == LABEL]
    out = []
    k = 0
    while k < len(labels):
        i = labels[k]
        m = matches.get(i) or match_label(tokens[i].text, allowed)
        best = (m.category, m.confidence) if m.category in GROUPS else (None, 0.0)
        text, last, used = tokens[i].text, i, 1
        for j in labels[k + 1:k + WRAPPED_PARTS]:
            if tokens[j].line - tokens[last].line > 2:
                break           # a wrapped name runs over neighbouring lines only
            piece = tokens[j].text
            joint = match_label(text + piece, allowed)
            if (joint.category not in GROUPS or joint.confidence < SURE_GROUP) and " " in piece.strip():
                # The name's last piece set one space after the head that spans the groups (行政诉讼 诉 under
                # 未经复议直接起: pdftotext -layout puts the two cells' words on one line): that piece only.
                piece = piece.split()[-1]
                joint = match_label(text + piece, allowed)
            if joint.category not in GROUPS or joint.confidence < SURE_GROUP or joint.confidence <= best[1]:
                break
            part = matches.get(j)
            if part is not None and part.category in GROUPS and part.confidence >= joint.confidence:
                break
            text, last, used, best = text + piece, j, used + 1, (joint.category, joint.confidence)
        # A cell naming several groups is a header run together (one-line pages), no group's name.
        if best[0] is not None and best[1] >= LABEL_EVIDENCE and len(categories_within(text) & GROUP_SET) <= 1:
            out.append((best[0], i, last, best[1]))
        k += used
    return out


def _ordered(names: list[tuple[str, int, int, float]]) -> list[tuple[str, int, int]]:
    """The longest run of names in the template's order (ties: the more confident); a name printed twice in a
    row (a caption and the table's first row) counts once, the later copy next to the cells."""
    merged: list[tuple[str, int, int, float]] = []
    for name in names:
        if merged and merged[-1][0] == name[0]:
            merged[-1] = name
        else:
            merged.append(name)
    rank = {g: r for r, g in enumerate(GROUPS)}
    best = [(1, n[3]) for n in merged]
    previous = [-1] * len(merged)
    for j in range(len(merged)):
        for i in range(j):
            if rank[merged[i][0]] < rank[merged[j][0]]:
                candidate = (best[i][0] + 1, best[i][1] + merged[j][3])
                if candidate > best[j]:
                    best[j], previous[j] = candidate, i
    if not merged:
        return []
    j = max(range(len(merged)), key=lambda k: best[k])
    chain = []
    while j >= 0:
        chain.append(merged[j][:3])
        j = previous[j]
    return chain[::-1]


def _cells_after(tokens, matches, last: int, stop: int) -> list[Token]:
    """A group's cells after its name, up to the next group's name: column heads (a small table's header row)
    are passed over, and the blank cells on their line (the header's merged cells); any other label that ends a
    row ends them (行政诉讼 heading the next two rows, prose). Of the lines left, the first holding a value is the
    group's row: blank cells on the name's own line before it are the merged name cell's placeholders."""
    items: list[tuple[int, Token]] = []     # (empty lines before it, a cell)
    head_lines: set[int] = set()            # lines holding column heads: their blank cells are the header's
    heads_shared = False                    # two heads on one line (or in one cell): not set one a line
    gap = 0
    trailing: int | None = None             # empty lines between the last cell and what follows it
    for i in range(last + 1, stop):
        t = tokens[i]
        if t.kind == LABEL:
            if trailing is None:
                trailing = gap
            m = matches.get(i)
            if m is not None and m.category in COLUMN_HEADS:
                heads_shared = heads_shared or t.line in head_lines or m.confidence < SURE_GROUP
                head_lines.add(t.line)
                continue
            if is_boundary(i, tokens, matches):
                break
            continue
        if t.kind == BREAK:
            gap += 1
        else:
            items.append((gap, t))
            gap, trailing = 0, None
    # The empty lines a text puts between two cells of one row: none in most, but a page's text that prints each
    # cell as a paragraph (BeautifulSoup's get_text) parts every cell by a few, and its rows by more. Only when
    # more part the last cell from what follows are they the row's (plain pdftotext parts every line by one).
    separator = min((g for g, _ in items[1:]), default=0)
    after = gap if trailing is None else trailing
    if after <= separator and not (not heads_shared and _one_cell_a_line(items, after)):
        separator = 0
    segments: list[list[Token]] = [[]]
    for g, t in items:
        if g > separator:
            segments.append([])
        if t.line not in head_lines:
            segments[-1].append(t)
    rows = [s for s in segments if s]
    with_value = [s for s in rows if any(t.kind == VALUE for t in s)]
    if with_value:
        return with_value[0]
    # No value: a line of as many blank cells as a group has (more on the name's own line, its placeholders
    # included) is a row of blank zeros; fewer are a merged cell's placeholders. Under a small table's heads the
    # row is below them: blank cells on the name's line above the heads are its merged caption's placeholders
    # (several small tables read as one grid give the caption row as many cells as the widest row).
    if head_lines:
        rows = [s for s in rows if s[0].line > min(head_lines)] or rows
    wide_blank = [s for s in rows if len(s) >= len(schema.APPEAL_COLUMNS)]
    return wide_blank[0] if wide_blank else []


def _one_cell_a_line(items: list[tuple[int, Token]], after: int) -> bool:
    """Whether a group's cells stand one a line, an empty line or more before each and as many after the last,
    and no more of them than a group has: a text that sets every cell of the table on a line of its own, an
    empty line after each (lynx's text of a table whose cells hold paragraphs: its heads one a line too), parts
    its rows no more than its cells, and the row runs to the label that ends it. (Lines of one number each with
    no empty line between are a column a PDF's text printed down the page: no row.)"""
    return (1 < len(items) <= len(schema.APPEAL_COLUMNS) and len({t.line for _, t in items}) == len(items)
            and len({g for g, _ in items[1:]} | {after}) == 1 and after >= 1)


# ------------------------------------------------------------------------------------------------ judging


def _fit(p: Placement) -> tuple[int, int, int]:
    """How well a layout reads: groups placed, group totals holding in their best reading, minus the repairs."""
    groups = holding = repairs = 0
    for run, readings in p.runs:
        if not readings:
            continue
        groups += len(run.keys) // len(schema.APPEAL_COLUMNS)
        least = min(penalty for penalty, _ in readings)
        repairs += least
        holding += max(_totals_holding(numbers(pieces)) for penalty, pieces in readings if penalty == least)
    return groups, holding, -repairs


def _totals_holding(values: list) -> int:
    """Group totals that hold in a run of cells (five per group, the total last)."""
    width = len(schema.APPEAL_COLUMNS)
    held = 0
    for at in range(0, len(values) - width + 1, width):
        group = values[at:at + width]
        if None not in group and abs(sum(group[:-1]) - group[-1]) < 1e-9:
            held += 1
    return held


def _by_group(p: Placement) -> dict[str, tuple[Run, Readings]]:
    """A placement's readings per group (the fifteen-cell run cut into its three groups)."""
    width = len(schema.APPEAL_COLUMNS)
    out: dict[str, tuple[Run, Readings]] = {}
    for run, readings in p.runs:
        for k in range(len(run.keys) // width):
            keys = run.keys[k * width:(k + 1) * width]
            group = keys[0].split(".")[1]
            cut = [(penalty, pieces[k * width:(k + 1) * width]) for penalty, pieces in readings]
            out[group] = (Run(group, keys, run.line), cut)
    return out


def _values(p: Placement) -> dict[str, set]:
    return {group: {tuple(numbers(pieces)) for _, pieces in readings} for group, (_, readings) in _by_group(p).items()}
