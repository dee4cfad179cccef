"""Put a row's printed values in the template's columns when its blank cells left no mark (stage 2d of the recovery).

Some texts leave an empty cell out altogether: BeautifulSoup's ``get_text(strip=True)``, plain ``pdftotext``, the
page text of PyMuPDF or pdfplumber, lynx, of a source that prints blank cells for zero. A row then prints only its
non-blank values, in order (一、本年新收… 11 1 2 14 for 11, 0, 1, 0, 0, 2, 14). Other texts keep a trace: one
empty line per blank cell in a one-cell-per-line text (LibreOffice's text of a Word table with empty cells, lynx
on a table whose blank cells hold &nbsp;).

This module takes such rows and the template's identities and finds every way to place each row's values in its
columns, in order, that satisfies all the identities together (row totals, column sums, 一+二 = 七+四, table 4's
group totals). A cell with the same value in every solution is read; a cell that differs is ambiguous: it is
given the value of the most plausible solution (the one that puts numbers where real reports most often have
them, ``column_prevalence.tsv``), flagged, with every value it takes as candidates. Where the empty lines tell
how many cells are blank in each gap, and they account for every row's cell count, they fix the placement; where
the layout sets a value off its axis after a blank cell (lynx: ``tokens.off_axis_lines``), only placements with a
blank cell before it are kept.

Whether a text drops its blank cells is told by the text itself, never by the tool that made it: rows short of
cells, with no blank cell marked and no zero printed anywhere in the table.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import combinations, product
from operator import add

from .. import schema
from ..datamodel import BLANK, BREAK, LABEL, VALUE, Cell, Token
from ..labels.dictionary import lexicon, match_label, numbering_fits
from ..text import strip_numbering
from .placement import Piece, is_boundary, numbers, parse_value, span_to
from .rowlabels import NUMBERING_FORMS, SURE_LABEL
from .tokens import NA_CELL

# How sure an arranged cell is. The same value in every placement that satisfies the identities, in a row the
# identities check (a row total, a group total): as sure as a reading the sums confirm. In a row no identity
# checks (table 2), one placement only because nothing was printed, or because empty lines counted its blanks:
# taken, as a reading nothing contradicts, yet with nothing to confirm it, below the line of confident cells
# when nothing was printed at all (a value printed elsewhere would not show). The most plausible of several
# placements: flagged, its value given for what it is worth, the others as candidates.
PLACED_BY_THE_SUMS = 0.95
PLACED_BY_THE_GAPS = 0.9
# Blank cells counted by empty lines with a separator the table's header does not show (its heads, one a line, parted
# by another number of empty lines, or by no one number): the empty lines may be the tool's habitual spacing (plain
# pdftotext parts every block by one and prints nothing for a blank cell). The counting's placement is given for what
# it is worth, flagged.
GAPS_UNCALIBRATED = 0.6
EMPTY_ROW_UNCHECKED = 0.8
MOST_PLAUSIBLE = 0.5
# A row of which every cell printed: as printed.
PRINTED_WHOLE = 1.0
# A row whose label was not read, or read below SURE_LABEL, its values taken by their place between the rows that
# were: never confident.
ROW_BY_PLACE = 0.8

# Empty lines between a row's cells, as text tools print them: a separator of up to MAX_SEPARATOR lines after a
# label or a cell, and up to MAX_PERIOD lines per blank cell (LibreOffice: none and one; lynx: one and one;
# BeautifulSoup's text of a page whose cells hold paragraphs: two and three).
MAX_SEPARATOR = 4
MAX_PERIOD = 4
# The template's row labels stand in up to three columns (三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密), each merged
# down the rows it heads. A text that prints a merged cell's covered slots as empty lines (LibreOffice's text) starts
# a row under one or two such cells with as many empty lines more, before its label: a row's end may be longer than
# another's by up to this many lines.
MAX_COVERED = 2

# The balances of one identity the remaining rows can reach are listed while they are at most this many (past it, only
# their least and most bound the search).
MAX_REACHABLE = 4096

# At most this many partial solutions are listed while a table's rows are placed together (a few tens of
# microseconds each: well under half a second); past it the rows are left as the other readings left them (unread,
# flagged), never guessed.
MAX_STATES = 10_000

# How many lines apart two pieces of one row's label may stand with the row's values between them (a label wrapped
# around values centred in its cell: 2.没有现成信息需要 / 1 1 / 另行制作); farther, the same words are another
# table's (总计, table 4's head, read as table 3's （七）总计).
LABEL_PIECES_APART = 3

# A hair of plausibility for a number in a later column, to part placements real reports make equally likely: the
# template's last columns (现行有效件数, 对外公开总数量, 处理决定数量, 总计) count a stock, the ones before it a flow
# that is more often nothing.
LATER_COLUMN = 1e-6

# The tolerance within which two sums are equal in a row (money in 万元 has decimals).
EQUAL = 1e-6


@dataclass(frozen=True)
class Placement:
    """One way to put a row's printed values in its columns: a piece per column (blank where nothing was
    printed), their numbers, and how plausible real reports make it (a log-likelihood)."""
    pieces: tuple[Piece, ...]
    numbers: tuple
    plausibility: float


@dataclass
class RowToPlace:
    """A row of the table as the solver sees it: its keys and the placements open to it."""
    row: str
    keys: tuple[str, ...]
    placements: list[Placement]
    identities: list = None        # the identities inside the row, as positions (``recover``'s form)
    by_gaps: bool = False          # placed by counting empty lines
    gaps_calibrated: bool = True   # ... with the separator the table's heads show (``_heads_show_the_counting``)
    arranged: bool = True          # False: a row read as printed, here only as a constraint on the others


# ------------------------------------------------------------------------------------------------ evidence


def drops_blanks(cells: list[Token]) -> bool:
    """Whether a table's text leaves its blank cells out: among its cells, no blank cell is marked (an empty tab
    cell, an &nbsp; line, a dash, 无, /) and no 0 is printed, as a source that prints its blank cells or its
    zeros would have them."""
    for t in cells:
        if t.kind == BLANK:
            return False
        if t.kind == VALUE and (NA_CELL.match(t.text) or _is_zero(t.text)):
            return False
    return True


def _is_zero(text: str) -> bool:
    value = numbers([Piece(text, 0)])[0]
    return value == 0


def _gaps(span: list[Token]) -> tuple[list[Token], list[int]]:
    """A row's printed values and the empty lines around and between them: before the first, between each two,
    after the last."""
    values: list[Token] = []
    gaps = [0]
    for t in span:
        if t.kind == BREAK:
            gaps[-1] += 1
        elif t.kind == VALUE:
            values.append(t)
            gaps.append(0)
    return values, gaps


def blanks_by_gaps(spans: dict[str, list[Token]], widths: dict[str, int], last_row: str | None,
                   empty_rows: bool = False) -> dict | None:
    """How many blank cells each gap of each row holds, when the table's empty lines tell it: row -> blanks before
    the first value, between each two, after the last. None when no single way of counting accounts for every row.

    Tools print a fixed separator after a label and after a cell, and a fixed number of empty lines per blank
    cell; a row ends with a fixed number of empty lines more, and one more for each merged label cell that covers
    the next row (``MAX_COVERED``). The counts (separators of 0..MAX_SEPARATOR lines, 0..MAX_PERIOD lines per blank)
    must make every row with values exactly as wide as the template's row, and leave the same row end after every
    row but the table's last (whose end runs into whatever follows); only when no counting does, row ends within
    MAX_COVERED lines of each other.
    With ``empty_rows``, a row with no value is counted too (its span the empty lines after its name: the
    separator, a period per blank cell, the row end), else it is left out.
    """
    every_row = {row: _gaps(span) for row, span in spans.items()}
    rows = {row: (values, gaps) for row, (values, gaps) in every_row.items() if values or empty_rows}
    if not rows or all(len(values) == widths[row] for row, (values, _) in rows.items()):
        return None
    # Row ends all alike first; only when no counting gives that, ends as far apart as covered label cells make them.
    for covered in (0, MAX_COVERED):
        found: dict[tuple, dict] = {}
        ways: dict[tuple, list] = {}
        for lead, inner, period in product(range(MAX_SEPARATOR + 1), range(MAX_SEPARATOR + 1),
                                           range(1, MAX_PERIOD + 1)):
            counted = _count_blanks(rows, widths, last_row, lead, inner, period, covered)
            if counted is not None:
                found.setdefault(tuple(sorted(counted.items())), counted)
                ways.setdefault(tuple(sorted(counted.items())), []).append((lead, inner, period))
        if len(found) > 1 and len(every_row) > len(rows):
            # The rows with values leave several countings open (_ _ _ _ _ 1 1 after a separator of one line, or
            # _ _ _ _ 1 _ 1 after one of two and none between cells): the rows with nothing printed tell them
            # apart, their empty lines a separator, a period per blank cell and the same row end.
            # (None of them doing so leaves them all open, and the table unplaced by its gaps.)
            found = {key: counted for key, counted in found.items()
                     if any(_count_blanks(every_row, widths, last_row, *way, covered) is not None
                            for way in ways[key])} or found
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None


def _count_blanks(rows, widths, last_row, lead: int, inner: int, period: int, covered: int = 0) -> dict | None:
    counted: dict[str, tuple[int, ...]] = {}
    row_ends = []
    for row, (values, gaps) in rows.items():
        blanks = []
        for k, gap in enumerate(gaps[:-1]):
            extra = gap - (lead if k == 0 else inner)
            if extra < 0 or extra % period:
                return None
            blanks.append(extra // period)
        after = widths[row] - len(values) - sum(blanks)
        end = gaps[-1] - (inner if values else lead) - after * period
        if after < 0 or end < 0:
            return None
        if row != last_row:
            row_ends.append(end)
        counted[row] = (*blanks, after)
    if row_ends and max(row_ends) - min(row_ends) > covered:
        return None
    return counted


# ------------------------------------------------------------------------------------------------ placements


@lru_cache(maxsize=1)
def _prevalence() -> dict[tuple[str, str, str], float]:
    """How often each column holds a number other than 0 in real reports (``scripts/column_prevalence.py``),
    smoothed by one number and one zero seen beside the counts."""
    out = {}
    with resources.files("xxgk").joinpath("data", "column_prevalence.tsv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            out[(rec["table"], rec["row"], rec["column"])] = (int(rec["nonzero"]) + 1) / (int(rec["cells"]) + 2)
    return out


def prevalence(key: str) -> float:
    table, row, column = key.split(".")
    found = _prevalence()
    return found.get((table, row, column), found.get((table, "*", column), 0.5))


def row_prevalence(table: str, row: str) -> float:
    """How often a row of the table holds any number other than 0 in real reports (counted for table 3's rows),
    smoothed as the columns are; 0.5 for a row not counted."""
    return _prevalence().get((table, row, "*"), 0.5)


def row_plausibility(keys: tuple[str, ...], row_numbers: tuple) -> float:
    total = 0.0
    for position, (key, value) in enumerate(zip(keys, row_numbers)):
        p = prevalence(key)
        total += math.log(p) + LATER_COLUMN * position if value else math.log(1 - p)
    return total


def _holds(row_numbers: tuple, identities) -> bool:
    for left_at, right_at, _ in identities or ():
        if abs(sum(row_numbers[i] for i in left_at) - sum(row_numbers[i] for i in right_at)) > EQUAL:
            return False
    return True


def row_placements(values: list[Token], keys: tuple[str, ...], identities, blanks: tuple[int, ...] | None = None
                   ) -> list[Placement]:
    """Every order-preserving placement of a row's printed values in its columns that satisfies the identities
    inside the row (blank cells are 0); with ``blanks`` (per gap, from the empty lines), the one they give."""
    n = len(keys)
    if len(values) > n:
        return []
    printed = [Piece(t.text, t.line, origin=t) for t in values]
    printed_numbers = numbers(printed)
    if None in printed_numbers:
        return []
    line = values[0].line if values else 0
    if blanks is not None:
        at, position = [], 0
        for value_blanks in blanks[:-1]:
            position += value_blanks
            at.append(position)
            position += 1
        spots = [tuple(at)]
    else:
        spots = combinations(range(n), len(values))
        shown = [k for k, t in enumerate(values) if t.after_blank]
        if shown:
            # A value the layout sets off as following a blank cell stands past one: where no placement has it
            # so, the layout's evidence is no evidence, and every placement stays open.
            spots = list(spots)
            spots = [w for w in spots if _after_blanks(w, shown)] or spots
    out = []
    for where in spots:
        pieces = [Piece("", line, blank=True) for _ in range(n)]
        row_numbers = [0] * n
        for position, piece, number in zip(where, printed, printed_numbers):
            pieces[position], row_numbers[position] = piece, number
        row_numbers = tuple(row_numbers)
        if _holds(row_numbers, identities):
            plausibility = row_plausibility(keys, row_numbers) + _under_their_heads(keys, where, values)
            out.append(Placement(tuple(pieces), row_numbers, plausibility))
    return out


# What a value placed in the column whose head its PDF's paged text sets it under adds to a placement's
# plausibility: more than any difference of prevalence between two placements of a row (logs of shares of the
# real reports, a few units), so that among the placements the sums allow the layout's choice is kept; the cells
# stay as unsure as the sums leave them (``arranged_cells``: several placements fit, the cell is flagged).
UNDER_ITS_HEAD = 100.0


def _under_their_heads(keys: tuple[str, ...], where: tuple[int, ...], values: list[Token]) -> float:
    return UNDER_ITS_HEAD * sum(1 for position, t in zip(where, values) if t.under and _stands_in(t.under, keys, position))


def _stands_in(under: str, keys: tuple[str, ...], position: int) -> bool:
    """Whether a value the layout sets ``under`` a head (``review.corrected``) or in the k-th of a whole row's n
    columns (``#k/n``) stands in this row's column."""
    if under.startswith("#"):
        k, n = under[1:].split("/")
        return int(n) == len(keys) and int(k) == position
    return keys[position].endswith("." + under)


def _after_blanks(where: tuple[int, ...], shown: list[int]) -> bool:
    """Whether each value ``shown`` as following a blank cell has one before it in this placement."""
    return all(where[k] - (where[k - 1] if k else -1) > 1 for k in shown)


def as_placement(keys: tuple[str, ...], pieces: list[Piece]) -> Placement | None:
    """A reading of a row (as printed, or one of the readings the recovery listed) as a placement."""
    row_numbers = tuple(numbers(pieces))
    if None in row_numbers:
        return None
    return Placement(tuple(pieces), row_numbers, row_plausibility(keys, row_numbers))


# ------------------------------------------------------------------------------------------------ solving


@dataclass
class Solution:
    """The placements of each row found in some solution, each row's placement in the most plausible one, and
    how plausible that one is."""
    supported: dict[str, list[Placement]]
    best: dict[str, Placement]
    score: float


class _TooManyStates(Exception):
    pass


@dataclass
class Budget:
    """The partial solutions a table's search may still list (shared by the groupings of its values)."""
    left: int = 0


def solve(rows: list[RowToPlace], rules, budget: Budget | None = None) -> Solution | None:
    """Every combination of the rows' placements that satisfies every identity across rows (those whose cells all
    lie in these rows), told by which placements of each row take part in one, and the most plausible.
    None when no combination satisfies them, or when the search spends its ``budget`` (MAX_STATES by default)."""
    budget = budget or Budget(MAX_STATES)
    if any(not r.placements for r in rows):
        return None
    owner = {key: k for k, r in enumerate(rows) for key in r.keys}
    cross = [rule for rule in rules if all(k in owner for k in rule.left + rule.right)
             and len({owner[k] for k in rule.left + rule.right}) > 1]
    # Rows that are a rule's right side (totals) first: with their values set, the parts are bounded by them.
    totals = {owner[k] for rule in cross for k in rule.right}
    order = sorted(range(len(rows)), key=lambda k: (k not in totals, k))
    ordered = [rows[k] for k in order]
    position = {key: i for i, r in enumerate(ordered) for key in r.keys}
    last_row = [max(position[k] for k in rule.left + rule.right) for rule in cross]
    # What each placement adds to each rule's balance (left minus right), in exact integers (millionths: money in
    # 万元 has decimals), so that the states compare exactly.
    contributions = []
    for r in ordered:
        at = {key: c for c, key in enumerate(r.keys)}
        sides = [([at[k] for k in rule.left if k in at], [at[k] for k in rule.right if k in at]) for rule in cross]
        contributions.append([tuple(_exact(sum(p.numbers[c] for c in left) - sum(p.numbers[c] for c in right))
                                    for left, right in sides) for p in r.placements])
    closing = [[j for j, last in enumerate(last_row) if last == i] for i in range(len(ordered))]
    # The balance each rule may still have after row i, for the rows after it to bring back to 0: between minus
    # the most and minus the least they can add.
    low: list[tuple] = [()] * len(ordered)
    high: list[tuple] = [()] * len(ordered)
    # Each rule alone, the balances the rows after i can still bring back to 0 (when few enough to list).
    reachable: list[list[frozenset | None]] = [[None] * len(cross) for _ in ordered]
    least, most = [0] * len(cross), [0] * len(cross)
    sums: list[set | None] = [{0} for _ in cross]
    for i in range(len(ordered) - 1, -1, -1):
        low[i], high[i] = tuple(-m for m in most), tuple(-m for m in least)
        for j in range(len(cross)):
            reachable[i][j] = frozenset(-x for x in sums[j]) if sums[j] is not None else None
            column = {c[j] for c in contributions[i]}
            least[j] += min(column)
            most[j] += max(column)
            if sums[j] is not None:
                sums[j] = {a + b for a in column for b in sums[j]}
                if len(sums[j]) > MAX_REACHABLE:
                    sums[j] = None
    checks = [[j for j in range(len(cross)) if reachable[i][j] is not None and len(reachable[i][j]) > 1]
              for i in range(len(ordered))]

    memo: dict[tuple, float | None] = {}

    def step(i: int, state: tuple, p: int) -> tuple | None:
        new = tuple(map(add, state, contributions[i][p]))
        for j in closing[i]:
            if new[j]:
                return None
        for n, a, b in zip(new, low[i], high[i]):
            if n < a or n > b:
                return None
        for j in checks[i]:
            if new[j] not in reachable[i][j]:
                return None
        return new

    # (row, balances) -> the placements that lead to a solution, with where they lead and the most plausible rest.
    ways: dict[tuple, list[tuple[int, tuple, float]]] = {}

    def best_from(i: int, state: tuple) -> float | None:
        if i == len(ordered):
            return 0.0
        key = (i, state)
        if key in memo:
            return memo[key]
        if len(memo) >= budget.left:
            raise _TooManyStates
        best = None
        found = []
        for p, placement in enumerate(ordered[i].placements):
            new = step(i, state, p)
            if new is None:
                continue
            rest = best_from(i + 1, new)
            if rest is not None:
                found.append((p, new, placement.plausibility + rest))
                if best is None or placement.plausibility + rest > best:
                    best = placement.plausibility + rest
        memo[key] = best
        ways[key] = found
        return best

    start = tuple(0 for _ in cross)
    try:
        score = best_from(0, start)
    except _TooManyStates:
        return None
    finally:
        budget.left -= len(memo)
    if score is None:
        return None
    supported: dict[str, set[int]] = {r.row: set() for r in ordered}
    frontier = {start}
    for i, r in enumerate(ordered):
        reached = set()
        for state in frontier:
            for p, new, _ in ways[(i, state)]:
                supported[r.row].add(p)
                reached.add(new)
        frontier = reached
    best: dict[str, Placement] = {}
    state = start
    for i, r in enumerate(ordered):
        # of equally plausible placements, the first listed
        p, state, _ = max(ways[(i, state)], key=lambda way: (way[2], -way[0]))
        best[r.row] = r.placements[p]
    return Solution({r.row: [r.placements[p] for p in sorted(supported[r.row])] for r in ordered}, best, score)


def one_reading_holds(rows: list[RowToPlace], rules) -> bool:
    """``solve(rows, rules) is not None`` for rows of one placement each (a reading already cut into rows),
    without the search such rows do not need: every identity across the rows balances to 0, each row's share
    rounded to millionths as ``solve`` rounds it. (With one placement a row, ``solve``'s bounds after each row
    are the exact balance the rows after it bring, so they hold exactly when the final balance is 0.)"""
    owner = {key: k for k, r in enumerate(rows) for key in r.keys}
    at = [{key: c for c, key in enumerate(r.keys)} for r in rows]
    for rule in rules:
        keys = rule.left + rule.right
        if not all(k in owner for k in keys) or len({owner[k] for k in keys}) < 2:
            continue
        balance = 0
        for r, places in zip(rows, at):
            numbers = r.placements[0].numbers
            left = [places[k] for k in rule.left if k in places]
            right = [places[k] for k in rule.right if k in places]
            balance += _exact(sum(numbers[c] for c in left) - sum(numbers[c] for c in right))
        if balance:
            return False
    return True


def merged(solutions: list[Solution]) -> Solution:
    """The solutions of several groupings of the values into rows as one: every placement any of them supports,
    and the most plausible of their best."""
    supported: dict[str, dict[tuple, Placement]] = {}
    for solution in solutions:
        for row, placements in solution.supported.items():
            for p in placements:
                supported.setdefault(row, {}).setdefault(p.numbers, p)
    best = max(solutions, key=lambda s: s.score)
    return Solution({row: list(found.values()) for row, found in supported.items()}, best.best, best.score)


# Sums are compared in millionths: money in 万元 has up to six decimals.
EXACT = 1_000_000


def _exact(x: float) -> int:
    return round(x * EXACT)


# ------------------------------------------------------------------------------------------------ cells


def arranged_cells(row: RowToPlace, solution: Solution, yuan_header: bool, label_line: int,
                   label: float = 1.0) -> dict[str, Cell]:
    """The cells of an arranged row: read where every solution agrees, else the most plausible value, flagged."""
    placements = solution.supported[row.row]
    best = solution.best[row.row]
    empty = all(p.blank for p in best.pieces)
    out = {}
    for c, key in enumerate(row.keys):
        seen = sorted({p.numbers[c] for p in placements})
        piece = best.pieces[c]
        value, kind = parse_value(piece, money=key.split(".")[-1].startswith("amount"), yuan_header=yuan_header)
        line = piece.line or label_line
        if len(seen) > 1:
            out[key] = Cell(value, piece.raw, "ambiguous", line, MOST_PLAUSIBLE, candidates=seen, token=piece.origin,
                            note=f"the text leaves blank cells out and {len({p.numbers for p in placements})} "
                                 f"placements of the row's values fit the template's sums; this is the most "
                                 f"plausible (where real reports most often have numbers)")
            continue
        if row.by_gaps and not row.identities and not row.gaps_calibrated:
            confidence = GAPS_UNCALIBRATED
            note = ("blank cells counted by the empty lines between the row's cells, a separator the table's heads "
                    "do not show: the empty lines may be the text's spacing, not blank cells")
        elif row.by_gaps:
            confidence = PLACED_BY_THE_SUMS if row.identities else PLACED_BY_THE_GAPS
            note = "blank cells counted by the empty lines between the row's cells"
        elif not empty and any(p.origin is not None and p.origin.after_blank for p in best.pieces):
            # One placement left by where the layout sets values after blank cells: as sure as blank cells
            # counted by the text's empty lines.
            confidence = PLACED_BY_THE_SUMS if row.identities else PLACED_BY_THE_GAPS
            note = "blank cells told by where the text sets the values after them"
        elif row.identities:
            confidence = PLACED_BY_THE_SUMS
            note = ("nothing printed for this row in a text that leaves blank cells out" if empty else
                    "the text leaves blank cells out; one placement of the row's values fits the template's sums")
        elif empty:
            confidence = EMPTY_ROW_UNCHECKED
            note = "nothing printed for this row in a text that leaves blank cells out, and no total confirms it"
        else:
            confidence, note = PRINTED_WHOLE, ""
        if label < SURE_LABEL:
            # The row's values are its by the place of its label alone: a label read uncertainly (or not at all)
            # may be another row's.
            confidence = min(confidence, ROW_BY_PLACE)
            where = (f"row label read at {label:.2f} only" if label else "row label not read") + \
                ": the row's cells taken by their place between the rows read"
            note = f"{where}; {note}" if note else where
        out[key] = Cell(value, piece.raw, kind, line, confidence, note=note, token=piece.origin)
    return out


# ------------------------------------------------------------------------------------------------ the hook

# A row's numbering (3.要…, （五）, 四、) in a piece of label, at its start or after the end of another label's words
# (息6.属于四类: two wrapped labels joined), or ending the piece (无正当理 / 4. / 由大 4 4 / 量反复申请: a label wrapped
# around its number), not in a heading's 第二十条第（五）项.
ROW_NUMBERING = re.compile(r"(?<![第\d.．])(?:\d{1,2}[.．、](?=[\u3400-\u9fff]|\s*$)|[（(][一二三四五六七八九十]{1,3}[)）]"
                           r"|[一二三四五六七八九十]{1,3}、)")

# A numbering that ends a piece of label (4., 法提供  2.).
LAST_NUMBERING = re.compile(r"(?<![第\d.．])" + NUMBERING_FORMS + r"\s*$")

# At most this many ways to group a table's values into its rows are each solved; past it the rows are left as
# the other readings left them.
MAX_GROUPINGS = 64


def printed_rows(rows: list[str]) -> list[str]:
    """The rows a table prints: as listed, but for a hybrid (the 2019 single （六） row listed beside the 2021
    three, whose labels were not found) the single row only."""
    if "other" in rows:
        return [r for r in rows if r not in schema.OTHER_SPLIT_ROWS]
    return rows


def identities_inside(keys: tuple[str, ...], rules) -> list:
    """The identities that lie inside one row (its 总计, table 4's group totals), as positions of its cells."""
    at = {k: c for c, k in enumerate(keys)}
    inside = []
    for rule in rules:
        if rule.left and rule.left[0] not in at:
            continue    # most rules lie in other rows: told by their first cell
        if all(k in at for k in rule.left + rule.right):
            places = [at[k] for k in rule.left + rule.right]
            inside.append((tuple(places[:len(rule.left)]), tuple(places[len(rule.left):]), max(places)))
    return inside


@dataclass
class _Row:
    """A template row of the table: its keys, identities, label (if read) and what constrains its cells."""
    row: str
    keys: tuple[str, ...]
    identities: list
    anchor: int | None                     # the token index of its label, when read
    fixed: Placement | None = None         # a reading the recovery is already sure of
    run: tuple[int, ...] | None = None     # the values after its label, up to the next label (label-first tables)
    blanks: tuple[int, ...] | None = None  # per gap of that run, the blank cells its empty lines count
    gaps_calibrated: bool = True           # the header's heads show the separator that counting took


# The confidence of a row's reading taken as printed, the only one of its kind (``recover.AS_PRINTED``); below
# it, the reading was chosen among several or put together from more than the row's own cells.
READ_AS_PRINTED = 1.0
# Below this, the reader doubts which row a cell is (``recover.READER_TRUSTED``: a cell of rows a table finder
# stacked in one, ``markdown.STACKED_ROW_UNSURE``).
READER_DOUBTS = 0.9


def arrange_table(tokens: list[Token], matches, anchors, by_row: dict, candidates: dict, chosen: dict, rules,
                  hi: int, yuan_header: bool = False, max_states: int = MAX_STATES) -> dict[str, Cell]:
    """The cells of a table's rows that came up short of cells, placed by the template's sums in a text that
    leaves its blank cells out (``recover`` asks, with what ``place_rows`` and its choice of readings made).

    The table's values, in reading order, are its rows' non-blank cells, row after row in the template's order;
    each row's values stand next to its label (after it in a table whose labels come first, before it in one
    whose values come first, either side in a mixed one), and a row whose label was not read takes values by
    their place between the rows that were. Every grouping of the values into rows that these allow, and every
    placement of each group in its row's columns, is tried against the template's identities.

    A text that prints every cell (its zeros) but puts numbers past a column's head or a page's furniture from
    their label (plain pdftotext: 行政许可 / 本年处理决定数量 / 9487) is read the same way, each row taking exactly
    as many numbers as it has columns.

    Empty when the table's text marks its blank cells one by one (the ordinary readings read those), or when no
    grouping satisfies the identities: the rows are then left as the other readings left them."""
    chain = [a for a in anchors if a.row in by_row]
    if not chain or not any(a.row in candidates and not candidates[a.row] for a in chain):
        return {}
    start = span_to(tokens, matches, chain[0].index, -1, -1)[1] + 1
    cells = [t for t in tokens[start:hi] if t.kind != LABEL]
    every_cell = not drops_blanks(cells)
    lost_columns = False
    if every_cell and any(t.kind == BLANK for t in cells):
        # Blank cells marked one by one, yet rows short of cells that lost whole columns: a table finder that
        # leaves out the columns blank all down one page's piece of a table (pymupdf4llm) marks the blank cells of
        # the columns it kept only, in columns nobody can name. The short rows' values are placed as a text that
        # leaves blank cells out has them, by the identities (the rows read whole stand as read).
        if not _short_rows_unmarked(tokens, chain, candidates, hi):
            return {}
        every_cell = False
        lost_columns = True
    values = [i for i in range(start, hi) if tokens[i].kind == VALUE]
    order = printed_rows(list(by_row))
    rank = {row: k for k, row in enumerate(order)}
    anchor_of = {a.row: a.index for a in chain}
    label_of = {a.row: a.match.confidence for a in chain}
    # Where every cell prints, each row takes exactly its width: its numbers may then stand on either side of its
    # label (PDF text puts 550 / 行政许可 and 行政许可 / 9487 in one table) without leaving the grouping open.
    label_first = not every_cell and not any(i < chain[0].index for i in values)
    value_first = not every_cell and not label_first and not any(i > chain[-1].index for i in values)
    spans = _label_spans(tokens, matches, chain, rank, hi)
    anchored = {a.index for a in chain}
    row_starts = [i for i in range(start, hi) if tokens[i].kind == LABEL and i not in anchored
                  and ROW_NUMBERING.search(tokens[i].text) and getattr(matches.get(i), "stage", "") != "joined"
                  and not _own_numbering(tokens, chain, i) and not _group_name_piece(tokens[i].text)]
    walls = [i for i in range(start, hi) if tokens[i].kind == LABEL and i not in anchored
             and is_boundary(i, tokens, matches) and _walls_off(matches.get(i))
             and not _group_name_piece(tokens[i].text)]
    allowed = [_rows_beside(i, chain, rank, len(order), label_first, value_first, row_starts, walls) for i in values]
    if every_cell:
        allowed = _set_below_the_next_label(tokens, chain, rank, values, allowed)
    if label_first:
        allowed = _before_the_rest_of_the_next_label(tokens, chain, rank, values, allowed)
    allowed = _inside_their_labels(tokens, spans, values, allowed)
    # A value no row may take (past a heading or a stretch of prose from every row's label: a page's running
    # header, 2021 / 年…报告) is left unplaced (``recover.account_for_numbers`` lists it, the rows beside it unsure).
    unplaced = [i for i, rows_open in zip(values, allowed) if not rows_open]
    allowed = [rows_open for rows_open in allowed if rows_open]
    values = [i for i in values if i not in unplaced]

    rows = []
    unsure_reading = set()
    for row in order:
        spec = by_row[row]
        pick = chosen.get(row)
        fixed = None
        if candidates.get(row) and isinstance(pick, tuple) and pick[0] != "ambiguous":
            fixed = as_placement(spec.keys, pick[0])
            if fixed is None:
                return {}
            inside = identities_inside(spec.keys, rules)
            if _cut_against_the_sums(fixed, inside) or _against_its_total(fixed, inside):
                fixed = None
            elif pick[1] < READ_AS_PRINTED or any(p.origin is not None and p.origin.confidence < READER_DOUBTS
                                                  for p in pick[0]):
                unsure_reading.add(row)
        rows.append(_Row(row, spec.keys, identities_inside(spec.keys, rules), anchor_of.get(row), fixed))
    if label_first and not every_cell:
        _count_blanks_by_gaps(tokens, matches, chain, rows, hi)

    groupings = _groupings(tokens, values, allowed, rows, every_cell)
    if lost_columns and unsure_reading and not _solutions(tokens, rows, groupings, rules, Budget(max_states)):
        # A row read whole beside rows that lost columns may have lost its own too and been read from more than its
        # pipe row (pymupdf4llm: |理结|（二）|部分公开（区|||||, the label's first line with four empty cells, over
        # |果|分处理…|8|||8|, read together as _ _ _ 8 _ _ 8, its 8 under 公益组织). Where the sums then place
        # nothing, the rows not read as printed (a reading chosen among several or put together) are placed with
        # the rest.
        for r in rows:
            if r.row in unsure_reading:
                r.fixed = None
        groupings = _groupings(tokens, values, allowed, rows, every_cell)
    if not groupings and every_cell and any(r.fixed is not None for r in rows) and any(
            not candidates.get(row) for row in order):
        # A lost row in a table that prints every cell: the readings chosen for the rows beside it may have taken
        # its cells, each the next one's (pdftotext -layout: 3.要求提供公开出版物's 11 0 … 11 set below the next
        # row's first label line, read as that row's, whose own 19 … 19 went to the row after). With no grouping
        # that keeps them, every row is placed afresh, each taking exactly its width, by the identities.
        for r in rows:
            r.fixed = None
        groupings = _groupings(tokens, values, allowed, rows, every_cell)
    if not groupings and not every_cell and _last_row_cut_by_the_next_table(tokens, rows, values, allowed, hi):
        # The table's last row stacked in one pipe row with the next section's heading (pymupdf4llm: the 结转 row's
        # label and values among the pieces of 四、…行政复议、行政诉讼情况): the next table begins inside the row's line,
        # so its values may go on past the table's end. Its values here fit no placement; it is left unread (as the
        # other readings left it, flagged), and the rest placed by the identities that do not need it.
        last = len(rows) - 1
        rows = rows[:last]
        kept = [k for k, rows_open in enumerate(allowed) if set(rows_open) - {last}]
        values = [values[k] for k in kept]
        allowed = [range(rows_open.start, min(rows_open.stop, last)) for rows_open in (allowed[k] for k in kept)]
        groupings = _groupings(tokens, values, allowed, rows, every_cell)
    if not groupings:
        return {}
    if rules:
        _hint_page_columns(tokens, rows, groupings, rules)
    solutions = _solutions(tokens, rows, groupings, rules, Budget(max_states))
    if not solutions:
        return {}
    solution = merged([s for s, _ in solutions])
    by_gaps = {r.row for _, to_place in solutions for r in to_place if r.by_gaps}
    pinned = _pinned_by_the_sums(rows, rules)
    out: dict[str, Cell] = {}
    for r in rows:
        if r.fixed is not None:
            continue
        line = tokens[r.anchor].line if r.anchor is not None else 0
        place = RowToPlace(r.row, r.keys, [], r.identities, by_gaps=r.row in by_gaps,
                           gaps_calibrated=r.gaps_calibrated)
        label = 1.0 if r.row in pinned else label_of.get(r.row, 0.0)
        out.update(arranged_cells(place, solution, yuan_header, line, label))
    for row in _empty_beside_a_row_by_place(rows, solution, pinned, label_of):
        for key in by_row[row].keys:
            if key in out and out[key].confidence > ROW_BY_PLACE:
                out[key].confidence = ROW_BY_PLACE
                note = "a row beside it has values taken by their place alone: they may be this row's"
                out[key].note = f"{out[key].note}; {note}" if out[key].note else note
    for row in _amid_after_an_empty_row(tokens, matches, chain, rows, solution, hi):
        for key in by_row[row].keys:
            if key in out and out[key].confidence > ROW_BY_PLACE:
                out[key].confidence = ROW_BY_PLACE
                out[key].note = ("values amid the next row's wrapped label, after a row with nothing printed: "
                                 "they may be either row's")
    return out


def _solutions(tokens, rows: list[_Row], groupings, rules, budget: Budget) -> list:
    """Each grouping's placement by the identities, with the rows it placed; empty past the budget."""
    solutions = []
    for grouping in groupings:
        to_place = [_to_place(r, [tokens[i] for i in group], group) for r, group in zip(rows, grouping)]
        solution = solve(to_place, rules, budget)
        if budget.left <= 0:
            return []
        if solution is not None:
            solutions.append((solution, to_place))
    return solutions


# The page (``_page_columns``) of the values set in their row label's run, and below it one for each value past them
# in the run: no page of the text is numbered so.
BESIDE_THE_LABELS = -1
# Values past the first in labels' runs, each a page of its own, at most this many: each page doubles the ways one
# column is searched (a table's runs hold one or two such: 申请 156 5, （一）予以公开 104 10).
RUN_VALUES_APART = 4

# A PDF's paged text (pdftotext -layout) sets a table's column at one character column all down a page (one off
# where a value's width rounds its centre the other way, two over a few rows), the next column at least
# PAGE_COLUMNS_APART characters away: values within PAGE_COLUMN_SPREAD of each other on a page are one column's,
# values farther than PAGE_COLUMNS_APART two columns'; a page whose values stand between the two is not read so.
# Columns blank all down a page take no room (LibreOffice's 1 1 … 2 2 four characters apart on one page, six on
# the next), so where a page's columns stand says which are the same, not which they are.
PAGE_COLUMN_SPREAD = 2
PAGE_COLUMNS_APART = 3


def _hint_page_columns(tokens, rows: list[_Row], groupings: list[list[tuple[int, ...]]], rules) -> None:
    """Where the values of a table's rows to place stand on their pages, as a preference among the placements the
    sums allow (``Token.under``, as a head's): the columns each page sets apart are the table's columns in their
    order, each the same column in every row (``_page_columns``). With several groupings of the values into rows,
    a value is named only where every grouping its pages' columns fit names it alike."""
    fitted = [found for grouping in groupings if (found := _page_columns(tokens, rows, grouping, rules)) is not None]
    agreed: dict[int, list[str]] = {}
    for found in fitted:
        for i, column in found.items():
            agreed.setdefault(i, []).append(column)
    names = {key.rsplit(".", 1)[1] for r in rows for key in r.keys}
    for i, columns in agreed.items():
        # a whole row's k-th of n says no more than the page's columns do; a head's column stands
        if len(columns) == len(fitted) and len(set(columns)) == 1 and tokens[i].under not in names:
            tokens[i].under = columns[0]


# Rows of a pipe table's pieces that keep no piece column, each taken as a piece of its own: each adds a page to the
# search, which tries every way a column takes or leaves each page's next column (2 ** pages a column).
MAX_ROWS_OF_THEIR_OWN = 3
# The first of those pages, numbered below the pages of labels' runs (BESIDE_THE_LABELS and the RUN_VALUES_APART below
# it), so that the two kinds never share a number.
FIRST_ROW_OF_ITS_OWN = BESIDE_THE_LABELS - RUN_VALUES_APART - 1


def _place(t: Token) -> tuple[int, int] | None:
    """Where a value stands on its page (``Token.at``), or in its piece of a pipe table (``Token.piece_column``): a
    piece's cells as columns one PAGE_COLUMNS_APART step apart."""
    if t.at is not None:
        return t.at
    if t.piece_column is not None:
        return t.piece_column[0], 2 * PAGE_COLUMNS_APART * t.piece_column[1]
    return None


def _page_columns(tokens, rows: list[_Row], grouping: list[tuple[int, ...]], rules) -> dict[int, str] | None:
    """For one grouping of the values into rows: of the ways to give each page's columns to the table's in order
    that hold every sum down a column (and each row's own, its last value its total), the one real reports make
    most plausible (``prevalence``), as each value's column (by token index); None where no way holds. The cells
    stay as unsure as the sums leave them: a page's columns say which values share a column, never which it is."""
    width = len(rows[0].keys)
    names = [key.rsplit(".", 1)[1] for key in rows[0].keys]
    if any([key.rsplit(".", 1)[1] for key in r.keys] != names for r in rows):
        return None
    index_of = {id(tokens[i]): i for group in grouping for i in group}
    placed = [(r, [tokens[i] for i in group]) for r, group in zip(rows, grouping) if r.fixed is None and group]
    if not placed:
        return None
    stands_at = {id(t): _place(t) for _, values in placed for t in values}
    unplaced = [values for _, values in placed if any(stands_at[id(t)] is None for t in values)]
    if unplaced:
        # A pipe table's rows that the reading parted or joined (|）总计<br>117|10|8<br>10|145|), or a picture's text,
        # keep no piece column; each is a piece of its own, its values its columns in their order, as every row's
        # are. A PDF's paged text places every value or none of the rows.
        if (len(unplaced) > MAX_ROWS_OF_THEIR_OWN or any(t.at is not None for _, values in placed for t in values)
                or not any(t.piece_column is not None for _, values in placed for t in values)):
            return None
        for n, values in enumerate(unplaced):
            for k, t in enumerate(values):
                stands_at[id(t)] = (FIRST_ROW_OF_ITS_OWN - n, 2 * PAGE_COLUMNS_APART * k)
    # Each page's columns: the values' centres, cut where they stand apart. Values set in a label's run
    # (``Token.label_run``) stand where the characters before them end, not in their columns: a row's first value
    # right past its label is in the column next to the labels, the table's first (those values make a page of
    # their own, of that one column); a value past it in the run, in a column no place tells (each a page of its
    # own, at most RUN_VALUES_APART of them).
    by_page: dict[int, list[tuple[int, Token]]] = {}
    beside_labels: list[Token] = []
    in_runs: list[Token] = []
    for _, values in placed:
        for t in values:
            if t.label_run == 1 and t is values[0]:
                beside_labels.append(t)
            elif t.label_run:
                in_runs.append(t)
            else:
                page, centre = stands_at[id(t)]
                by_page.setdefault(page, []).append((centre, t))
    if len(in_runs) > RUN_VALUES_APART:
        return None
    column_of: dict[int, tuple[int, int]] = {}        # id(token) -> (page, its column's index on the page)
    pages: dict[int, list[list[Token]]] = {}
    if beside_labels:
        pages[BESIDE_THE_LABELS] = [beside_labels]
    for k, t in enumerate(in_runs, 1):
        pages[BESIDE_THE_LABELS - k] = [[t]]
    for page, columns in pages.items():
        for t in columns[0]:
            column_of[id(t)] = (page, 0)
    for page, found in by_page.items():
        found.sort(key=lambda x: x[0])
        columns: list[list[tuple[int, Token]]] = [[found[0]]]
        for (a, _), (b, t) in zip(found, found[1:]):
            if b - a <= 2 * PAGE_COLUMN_SPREAD and b - columns[-1][0][0] <= 2 * PAGE_COLUMN_SPREAD:
                columns[-1].append((b, t))
            elif b - a >= 2 * PAGE_COLUMNS_APART:
                columns.append([(b, t)])
            else:
                return None
        pages[page] = [[t for _, t in column] for column in columns]
        for k, column in enumerate(pages[page]):
            for t in column:
                column_of[id(t)] = (page, k)
    # What each page's column must be: a row's last value, its total, in the last column; a head's column.
    pins: dict[tuple[int, int], int] = {(BESIDE_THE_LABELS, 0): 0} if beside_labels else {}
    row_of: dict[int, _Row] = {}
    for r, values in placed:
        spots = [column_of[id(t)] for t in values]
        if len({page for page, _ in spots if page >= 0}) > 1 or len(set(spots)) < len(spots):
            return None
        for t in values:
            row_of[id(t)] = r
        wanted = []
        got = numbers([Piece(t.text, 0) for t in values])
        if None in got:
            return None
        if len(values) > 1 and abs(sum(got[:-1]) - got[-1]) <= EQUAL:
            wanted.append((spots[-1], width - 1))
        # (a value in a label's run is under no head of its own either)
        wanted += [(spot, names.index(t.under)) for spot, t in zip(spots, values)
                   if t.under in names and not t.label_run]
        wanted += [(spot, position) for spot, t in zip(spots, values) for position in range(width)
                   if t.under.startswith("#") and _stands_in(t.under, rows[0].keys, position)]
        for spot, column in wanted:
            if pins.setdefault(spot, column) != column:
                return None
    owner = {key: r for r in rows for key in r.keys}
    down = [[rule for rule in rules if all(k in owner for k in rule.left + rule.right)
             and {k.rsplit(".", 1)[1] for k in rule.left + rule.right} == {name}] for name in names]
    fixed = {key: n for r in rows if r.fixed is not None for key, n in zip(r.keys, r.fixed.numbers)}
    value_of = {id(t): n for _, values in placed for t, n in zip(values, numbers([Piece(t.text, 0) for t in values]))}
    order = sorted(pages)
    counts = [len(pages[p]) for p in order]

    spots_of = {id(t): [column_of[id(u)] for u in values] for _, values in placed for t in values}
    place_of = {id(t): k for _, values in placed for k, t in enumerate(values)}

    def in_its_rows_order(t: Token, taking: tuple[int, ...], state: tuple[int, ...]) -> bool:
        """Whether a value put in the column searched has its row's values before it in columns already searched
        and those after it in none yet (on one page the columns' order keeps that; across pages it must be asked)."""
        mine = place_of[id(t)]
        for k, (p, column) in enumerate(spots_of[id(t)]):
            done = column < state[order.index(p)]
            now = taking[order.index(p)] and column == state[order.index(p)]
            if (k < mine and not done) or (k > mine and (done or now)):
                return False
        return True

    def column_score(j: int, taking: tuple[int, ...], state: tuple[int, ...]) -> float | None:
        """The plausibility of column j holding the page columns taken, None where a sum down it fails."""
        cells = dict(fixed.items())
        for p, take in zip(order, taking):
            if take:
                for t in pages[p][state[order.index(p)]]:
                    key = row_of[id(t)].keys[j]
                    if key in cells or not in_its_rows_order(t, taking, state):
                        return None
                    cells[key] = value_of[id(t)]
        for rule in down[j]:
            if abs(sum(cells.get(k, 0) for k in rule.left) - sum(cells.get(k, 0) for k in rule.right)) > EQUAL:
                return None
        # each row's cells scored as a placement's are (``row_plausibility``)
        total = 0.0
        for r in rows:
            if r.fixed is None:
                key = r.keys[j]
                share = prevalence(key)
                total += math.log(share) + LATER_COLUMN * j if cells.get(key) else math.log(1 - share)
        return total

    best: dict[tuple[int, tuple], tuple[float, tuple] | None] = {}

    def from_column(j: int, state: tuple[int, ...]) -> tuple[float, tuple] | None:
        if j == width:
            return (0.0, ()) if list(state) == counts else None
        if (j, state) in best:
            return best[(j, state)]
        out = None
        for taking in product((0, 1), repeat=len(order)):
            ok = True
            for k, (p, take) in enumerate(zip(order, taking)):
                nxt = state[k]
                pinned = pins.get((p, nxt)) if nxt < counts[k] else None
                if take and (nxt >= counts[k] or (pinned is not None and pinned != j)):
                    ok = False
                elif not take and (pinned == j or counts[k] - nxt > width - j - 1):
                    ok = False
            if not ok:
                continue
            score = column_score(j, taking, state)
            if score is None:
                continue
            rest = from_column(j + 1, tuple(s + t for s, t in zip(state, taking)))
            if rest is not None and (out is None or score + rest[0] > out[0]):
                out = (score + rest[0], (taking,) + rest[1])
        best[(j, state)] = out
        return out

    found = from_column(0, tuple(0 for _ in order))
    if found is None:
        return None
    column_at: dict[tuple[int, int], int] = {}
    state = [0] * len(order)
    for j, taking in enumerate(found[1]):
        for k, take in enumerate(taking):
            if take:
                column_at[(order[k], state[k])] = j
                state[k] += 1
    for r, values in placed:
        row_numbers = [0] * width
        for t in values:
            row_numbers[column_at[column_of[id(t)]]] = value_of[id(t)]
        if not _holds(tuple(row_numbers), r.identities):
            return None
    return {index_of[id(t)]: names[column_at[column_of[id(t)]]] for _, values in placed for t in values}


def _empty_beside_a_row_by_place(rows: list[_Row], solution: Solution, pinned: set, label_of: dict) -> set[str]:
    """The rows read as printing nothing next to a row whose values are its by their place alone (its label read
    uncertainly: ``arranged_cells`` doubts them, ROW_BY_PLACE): those values may be the neighbour's, so its blank
    cells are as unsure (pdftotext -layout: 4.保护第三 / 方合法权益, then 58 under （三） 5.属 and over 于三类内部,
    the 58 read as 5.'s at 0.8 while 4. read as printing nothing at 0.95)."""
    def empty(r: _Row) -> bool:
        best = solution.best.get(r.row)
        return best is not None and all(p.blank for p in best.pieces)

    out = set()
    for k, r in enumerate(rows):
        if r.fixed is not None or r.row in pinned or label_of.get(r.row, 0.0) >= SURE_LABEL or empty(r) \
                or r.row not in solution.best:
            continue
        out.update(n.row for n in rows[max(k - 1, 0):k] + rows[k + 1:k + 2]
                   if n.fixed is None and n.row not in pinned and empty(n))
    return out


def _amid_after_an_empty_row(tokens, matches, chain, rows: list[_Row], solution: Solution, hi: int) -> set[str]:
    """A row whose values stand amid its own label, wrapped around them (4.无正当理 / 1 1 / 由大量反复申请: a line of
    the label before them, a piece after them that reads as no label, before the next row's), and the row before
    it, when that one has nothing printed: a PDF centres a row's values in its height, and the row before
    (3.要求提供公开出版物) may have set them there; no sum tells the two rows apart."""
    anchor = {a.row: k for k, a in enumerate(chain)}
    out: set[str] = set()
    for k in range(1, len(rows)):
        before, row = rows[k - 1], rows[k]
        if before.fixed is not None or row.fixed is not None or row.row not in anchor:
            continue
        if not all(p.blank for p in solution.best[before.row].pieces):
            continue
        lines = [p.line for p in solution.best[row.row].pieces if not p.blank]
        at = anchor[row.row]
        stop = chain[at + 1].index if at + 1 < len(chain) else hi
        if lines and min(lines) > tokens[chain[at].index].line and any(
                tokens[j].kind == LABEL and tokens[j].line > max(lines) and not is_boundary(j, tokens, matches)
                and not ROW_NUMBERING.search(tokens[j].text) for j in range(chain[at].index + 1, stop)):
            out |= {before.row, row.row}
    return out


def _short_rows_unmarked(tokens: list[Token], chain, candidates: dict, hi: int) -> bool:
    """Whether the rows short of cells lost whole columns: all are as wide as each other, marks of blank cells (an
    empty cell, a dash, 无) and values counted between each row's label and the next row's, as the rows of one
    page's piece of a table from which the same columns went. Then no mark tells a value's column, and the
    identities are the ones to find it; rows short by different counts lost cells some other way."""
    widths = set()
    piped = True
    some_piped = False
    for k, a in enumerate(chain):
        if a.row in candidates and not candidates[a.row]:
            stop = chain[k + 1].index if k + 1 < len(chain) else hi
            marks = [t for t in tokens[a.index + 1:stop] if t.kind in (BLANK, VALUE)]
            widths.add(len(marks))
            some_piped = some_piped or any(t.pipe_row for t in marks)
            piped = piped and (all(t.pipe_row for t in marks) or _row_outside_the_pipes(marks))
    # Rows of Markdown pipe tables: a pipe table gives every row as many cells, so a short one lost whole columns,
    # and the converter may have stacked several columns' values in one cell (|1<br>1|) or left one empty cell for
    # all the lost ones (||): each page's piece of the table lost its own, and no count of marks tells them.
    return len(widths) <= 1 or (piped and some_piped)


def _row_outside_the_pipes(marks: list[Token]) -> bool:
    """A row of a pipe table's text printed outside its pipe rows, as a line of text (pymupdf4llm sets a page's
    last rows, that its table finder did not take, as a paragraph: 3.其他 （七）总计 101 19 2 5 10 137): values only,
    its blank cells left without a mark, as plain text leaves them."""
    return all(t.kind == VALUE and not t.pipe_row for t in marks)


def _pinned_by_the_sums(rows: list[_Row], rules) -> set[str]:
    """Rows the identities across rows tell from every other: alone on one side of an identity (（七）总计 = the sum
    of the outcome rows). Another row's values in its place would break it, so a row read by a label read unsure is
    not unsure of its values. (Two outcome rows may trade their values: the column sums stay.)"""
    owner = {key: r.row for r in rows for key in r.keys}
    pinned = set()
    for rule in rules:
        keys = rule.left + rule.right
        if not all(k in owner for k in keys) or len({owner[k] for k in keys}) < 2:
            continue
        for side in (rule.left, rule.right):
            if len({owner[k] for k in side}) == 1:
                pinned.add(owner[side[0]])
    return pinned


def _against_its_total(reading: Placement, identities) -> bool:
    """A row's reading whose own sums it breaks, in a table that leaves its blank cells out: its cells are seven of
    the numbers standing between its label and the next row's, not its own (pdftotext -layout puts a row's values
    and the next row's, whose label wrapped over a page break, in one run: 3 1 2 6 / 11 7 18 read as one row's
    3 1 2 6 11 7 18; a PDF's page text leaves the next row's label piece 3.危及“三 unread beside its values). No
    reading to keep: the row's values are placed with the others' by the sums; were its sums the source's error,
    no placement satisfies them and the rows stay as the other readings left them."""
    return bool(identities) and not _holds(reading.numbers, identities)


def _cut_against_the_sums(reading: Placement, identities) -> bool:
    """A row's reading made only by cutting its numbers' digits apart, which no sum of its own confirms (43 1 11 55
    cut into 4 3 1 1 1 5 5 to fill seven columns, against the row's total; 21 4 cut into 2 1 4 in a row of table 2,
    which has no total): no reading to keep while the row's values as printed, its blank cells left out, are
    placed by the sums."""
    return any(p.split for p in reading.pieces) and not (identities and _holds(reading.numbers, identities))


def _own_numbering(tokens, chain, i: int) -> bool:
    """A numbering ending a piece of label that is the row's before it (其他法律行政法规禁止 / 2. / 公开 2 2, 法提供  2. /
    作 3 … 3: the label's number set on a middle line of its wrapped label, or of its group's cell), not the start of
    another row's label (无正当理 / 4. / 由大 4 4)."""
    last = LAST_NUMBERING.search(tokens[i].text)
    if last is None:
        return False
    before = max((a for a in chain if a.index < i), key=lambda a: a.index, default=None)
    return before is not None and numbering_fits(last.group().strip(), before.match.category)


_GROUP_NUMBERING = re.compile(r"^\s*[（(][一二三四五六七八九十]{1,3}[)）]\s*(\S+)(?:\s+(.*?))?\s*$")


@lru_cache(maxsize=1)
def _group_names() -> tuple[str, ...]:
    return tuple(sorted({strip_numbering(e.text) for e in lexicon() if e.category.startswith("group.")}))


def _group_name_piece(text: str) -> bool:
    """A group's numbering and the first words of its name (（四）无 of （四）无法提供, its cell wrapped), alone or with
    a piece of a row's label set beside it on its line (（五）不 版物: pdftotext -layout puts the group's cell and the
    wrapped 3.要求提供公开出 / 版物 side by side): the group has no row of its own, so the piece opens no row, and PDF
    text sets its pieces anywhere among its rows' lines. A piece beside it that carries a row's numbering
    (（三）不 5.属于三类…) is that row's start."""
    m = _GROUP_NUMBERING.match(text)
    return (m is not None and any(name.startswith(m.group(1)) for name in _group_names())
            and not ROW_NUMBERING.search(m.group(2) or ""))


def _last_row_cut_by_the_next_table(tokens, rows: list[_Row], values: list[int], allowed: list[range],
                                    hi: int) -> bool:
    """Whether the table's end (the next table's heading, ``hi``) falls inside the line of its last values, which
    only its last row (not read whole) may take: that row's cells may stand past the end, among the heading's
    pieces."""
    last = len(rows) - 1
    return (last > 0 and rows[last].fixed is None and bool(values) and hi < len(tokens)
            and tokens[values[-1]].line == tokens[hi].line and list(allowed[-1]) == [last])


def _walls_off(match) -> bool:
    """A label that parts a value from the rows around it: a stretch of prose, a section heading, the heading of one
    of table 2's blocks (第二十条第（六）项). A group's merged cell (（四）无法提供), a header cell or a column's head
    does not: PDF text puts their pieces anywhere among the rows."""
    return (match is None or match.category == "none" or match.category.startswith("section.")
            or match.category == "header.article")


def _rows_beside(i: int, chain, rank: dict, count: int, label_first: bool, value_first: bool,
                 row_starts: list[int], walls: list[int]) -> range:
    """The rows (positions in the template's order) a value at token ``i`` may belong to: the row whose label
    stands before it (label-first), after it (value-first) or either (mixed), and the rows between those two whose
    labels were not read. A numbered piece of label between the value and a row's label (3.要 / 1 1 / 求提供公开出版物:
    a label wrapped around its values) opens another row: the value is not that row's; nor is it past a heading or
    a stretch of prose (``placement.is_boundary``) from the label."""
    before = max((a for a in chain if a.index < i), key=lambda a: a.index, default=None)
    after = min((a for a in chain if a.index > i), key=lambda a: a.index, default=None)
    low = rank[before.row] if before is not None else -1
    high = rank[after.row] if after is not None else count
    take_before = (before is not None and not value_first
                   and not any(before.index < s < i for s in row_starts + walls))
    take_after = after is not None and not label_first and not any(i < s < after.index for s in row_starts + walls)
    first = low if take_before else low + 1
    last = high if take_after else high - 1
    if label_first and after is not None and any(before is None or before.index < s < i for s in row_starts):
        last = high      # the numbered piece before the value is the next row's label, wrapped around it
    return range(first, last + 1)


def _set_below_the_next_label(tokens, chain, rank: dict, values: list[int], allowed: list[range]) -> list[range]:
    """In a table that prints every cell, the first values after a row's label, on a line below it, may be the row
    before's too: a PDF's layout text sets a row's values by the middle of its height, and a short row's can fall
    below the first line of the next row's label (3.要求提供 / 公开出版物 / (五) 4.无正当理 / 0 0 0 0 0 0 0 / 不予处
    由大量反复 0 / 理 申请 / 0 0 0 0 0 0: the first seven are 3.要求提供公开出版物's). Each row takes exactly its
    width there, so the count of the values tells the rows apart; where it does not, every grouping that fits is
    kept and the cells it leaves open are flagged."""
    out = list(allowed)
    first_after: dict[int, int] = {}
    for k, a in enumerate(chain):
        stop = chain[k + 1].index if k + 1 < len(chain) else len(tokens)
        first_after[a.index] = next((tokens[j].line for j in range(a.index + 1, stop) if tokens[j].kind == VALUE), -1)
    for n, (i, rows_open) in enumerate(zip(values, allowed)):
        before = max((a for a in chain if a.index < i), key=lambda a: a.index, default=None)
        if before is None or not rows_open or rows_open.start != rank[before.row] or rows_open.start == 0:
            continue
        line = tokens[i].line
        if line > tokens[before.index].line and line == first_after[before.index]:
            out[n] = range(rows_open.start - 1, rows_open.stop)
    return out


def _label_spans(tokens, matches, chain, rank: dict, hi: int) -> list[tuple[int, int, int]]:
    """(first line, last line, row's place in the template's order) of each read row's label, with its pieces: the
    ones joined to it right after it, and the ones read as the same row a few lines on, before the next row's label
    (2.没有现成信息需要 / 1 1 / 法提 另行制作: a group's merged cell between the pieces)."""
    spans = []
    for k, a in enumerate(chain):
        stop = chain[k + 1].index if k + 1 < len(chain) else hi
        last, joined = tokens[a.index].line, True
        for j in range(a.index + 1, stop):
            if tokens[j].kind != LABEL:
                continue
            m = matches.get(j)
            if joined and getattr(m, "stage", "") == "joined":
                last = tokens[j].line
            elif m is not None and m.category == a.match.category and tokens[j].line - last <= LABEL_PIECES_APART:
                last, joined = tokens[j].line, False
            elif tokens[j].line - last <= LABEL_PIECES_APART and _completes_the_label(tokens[a.index].text,
                                                                                     tokens[j].text, a.match):
                last, joined = tokens[j].line, False
            else:
                joined = False
        spans.append((tokens[a.index].line, last, rank[a.row]))
    return spans


_CELLS_APART = re.compile(r"\s{2,}")    # a PDF's layout text parts two cells' texts on one line by a run of spaces


def _completes_the_label(text: str, piece: str, match) -> bool:
    """Whether ``piece`` is the rest of a row's label read only in part (1.本机关不掌握相关政 … 府信息, a group's
    merged cell's pieces （四 / ）无 between them, so the piece was not joined to it): the two together are the row's
    label word for word. A piece that merely resembles the label (another row's words) does not complete it."""
    if match.stage == "exact":
        return False
    own = _CELLS_APART.split(text.strip())[-1]
    whole = match_label(own + _CELLS_APART.split(piece.strip())[0])
    return whole.stage == "exact" and whole.category == match.category


def _before_the_rest_of_the_next_label(tokens, chain, rank: dict, values: list[int], allowed: list[range]
                                       ) -> list[range]:
    """In a table whose labels come first, a value on the line of a piece of label that begins the next read row's
    label (保护第三 6 / （三） 4.方合法权益 6: a PDF's layout text set the label's first line before the line that
    holds its numbering) may be that row's as well as the row before's: the sums decide, and the cells stay flagged
    where they leave a choice."""
    out = list(allowed)
    for n, (i, rows_open) in enumerate(zip(values, allowed)):
        after = min((a for a in chain if a.index > i), key=lambda a: a.index, default=None)
        if after is None or not rows_open or rows_open.stop > rank[after.row]:
            continue
        piece = next((j for j in range(i - 1, -1, -1) if tokens[j].kind == LABEL), None)
        if piece is None or tokens[piece].line != tokens[i].line or any(a.index == piece for a in chain):
            continue
        if _begins_the_label(tokens[piece].text, tokens[after.index].text, after.match):
            out[n] = range(rows_open.start, rank[after.row] + 1)
    return out


def _begins_the_label(piece: str, text: str, match) -> bool:
    """Whether ``piece`` is the first part of a row's label read only in part (保护第三 before 4.方合法权益): the
    piece with the rest of the label after its numbering is the row's label word for word."""
    own = _CELLS_APART.split(text.strip())[-1]
    numbered = list(ROW_NUMBERING.finditer(own))      # past its group's name and numbering too: （三） 4.
    rest = own[numbered[-1].end():].strip() if numbered else own
    whole = match_label(_CELLS_APART.split(piece.strip())[-1] + rest)
    return whole.stage == "exact" and whole.category == match.category


def _inside_their_labels(tokens, spans, values: list[int], allowed: list[range]) -> list[range]:
    """Each value that stands on the lines of a read row's label (``_label_spans``), its own line or between its
    pieces, is that row's: a row's cell is never printed inside another row's label. This overrides the table's
    order (values after or before their labels), which a few rows wrapped either way around their values may
    mislead."""
    out = []
    for i, rows_open in zip(values, allowed):
        line = tokens[i].line
        inside = {r for first, last, r in spans if first <= line <= last}
        # A pipe row's cell the reader doubts the row of (rows a table finder stacked in one, their labels' lines
        # mixed: ``markdown.split_stacked_rows``) may be the next unread row's as well.
        doubted = tokens[i].pipe_row and tokens[i].confidence < READER_DOUBTS
        out.append(range(min(inside), min(inside) + 1) if len(inside) == 1 and not doubted else rows_open)
    return out


def _count_blanks_by_gaps(tokens, matches, chain, rows: list[_Row], hi: int) -> None:
    """In a table whose labels come first, each read row's run of values up to the next label, and the blank cells
    the empty lines count in it, when they account for every row (``blanks_by_gaps``)."""
    by_name = {r.row: r for r in rows}
    spans = {}
    for k, a in enumerate(chain):
        stop = chain[k + 1].index if k + 1 < len(chain) else hi
        span, end = span_to(tokens, matches, a.index, stop, +1)
        spans[a.row] = _after_the_labels_last_piece(tokens, span, a.index, end)
        by_name[a.row].run = tuple(i for i in range(a.index + 1, end) if tokens[i].kind == VALUE)
    if _cells_share_lines(tokens, chain, by_name):
        return
    widths = {r.row: len(r.keys) for r in rows}
    counted = (blanks_by_gaps(spans, widths, chain[-1].row)
               or _counted_with_the_heads_separator(tokens, chain, spans, widths) or {})
    # No sum checks the placement of a row without identities (table 2): its counting is sure only where the header's
    # heads show the separator it took; else the empty lines may be the tool's habitual spacing, not blank cells
    # (plain pdftotext parts every block by one: 规章 / _ / 1 / _ read as _ 1 _).
    calibrated = not any(not by_name[row].identities for row in counted) or _heads_show_the_counting(
        tokens, chain, rows, spans, widths, counted)
    for row, blanks in counted.items():
        by_name[row].blanks = blanks
        by_name[row].gaps_calibrated = calibrated


def _counted_with_the_heads_separator(tokens, chain, spans: dict, widths: dict) -> dict | None:
    """The rows' blank cells counted with the separator the heads right above the first row show, after a label and
    after a cell alike, where the rows' gaps alone leave several countings open (BeautifulSoup's text of paragraph
    cells: 一、本年新收… / 4 empty lines / 1 / 10 / 1 fits _ 1 _ _ _ _ 1 with two lines after a label and a cell and
    two a blank cell, and 1 _ _ _ _ _ 1 with four after the label; the heads, two lines apart, tell which). Every
    row, those with nothing printed too, must fit the counting; None unless exactly one does."""
    separator = _heads_separator_above(tokens, chain[0].index)
    if separator is None:
        return None
    every_row = {row: _gaps(span) for row, span in spans.items()}
    rows = {row: gaps for row, gaps in every_row.items() if gaps[0]}
    if not rows or all(len(values) == widths[row] for row, (values, _) in rows.items()):
        return None
    for covered in (0, MAX_COVERED):
        found = {}
        for period in range(1, MAX_PERIOD + 1):
            counted = _count_blanks(rows, widths, chain[-1].row, separator, separator, period, covered)
            if counted is not None and _count_blanks(every_row, widths, chain[-1].row, separator, separator, period,
                                                     covered) is not None:
                found.setdefault(tuple(sorted(counted.items())), counted)
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None


# Heads a line each, parted by one number of empty lines, that show the separator a text prints after a cell: at
# least this many in a run (two gaps alike; one gap alone could be a wrapped head's).
MIN_HEADS_SHOWING_A_SEPARATOR = 3


def _heads_above(tokens, first: int, most: int | None = None) -> tuple[list[Token], list[int]]:
    """The labels right above token ``first``, nearest first, as far as only labels and empty lines go (at most
    ``most``), and the empty lines parting each from the next one up: the heads a table's first row follows, for
    the separator they show (``_heads_separator_above``, ``_heads_show_the_counting``)."""
    heads: list[Token] = []
    apart: list[int] = []
    gap = 0
    for i in range(first - 1, -1, -1):
        t = tokens[i]
        if t.kind == BREAK:
            gap += 1
            continue
        if t.kind != LABEL or len(heads) == most:
            break
        if heads:
            apart.append(gap)
        heads.append(t)
        gap = 0
    return heads, apart


def _heads_separator_above(tokens, first: int) -> int | None:
    """The empty lines parting the run of heads right above token ``first`` (a table's first row's label), each on
    a line of its own, all parted alike (the last row of a header: 商业企业 / 科研机构 / … / 其他, two lines apart in
    BeautifulSoup's text); the gap after the run (the header's row end) is not one of them. None without such a
    run of MIN_HEADS_SHOWING_A_SEPARATOR heads."""
    heads, apart = _heads_above(tokens, first)
    run = 1
    while run < len(heads) and heads[run].line != heads[run - 1].line and apart[run - 1] == apart[0]:
        run += 1
    return apart[0] if run >= MIN_HEADS_SHOWING_A_SEPARATOR else None


def _heads_show_the_counting(tokens, chain, rows: list[_Row], spans: dict, widths: dict, counted: dict) -> bool:
    """Whether the table's header calibrates a counting of blank cells by empty lines: the row of heads right above
    the first row (its label cell and one head per column: 信息内容 / 本年制发件数 / 本年废止件数 / 现行有效件数), each
    on a line of its own, parted by the same number of empty lines, shows the separator the text puts after a cell,
    and the counting must take that separator, after a label and after a cell alike (``_count_blanks``).

    A tool that prints a cell per line parts its heads as it parts a row's cells (LibreOffice's text: none;
    lynx's paragraph cells: one; BeautifulSoup's text of paragraph cells: two), so the counting its rows' gaps
    allow agrees. Plain pdftotext parts every block by one empty line and prints nothing for a blank cell: its
    wrapped heads (第二十条第（ / 一）项 / 信息内容 / _ / 本年制发件数) show no one separator, or one that no counting
    of its rows takes."""
    if chain[0].row != rows[0].row:
        return False    # the first row's label not read: the labels above the first read one may be a row's
    width = len(rows[0].keys) + 1
    heads, apart = _heads_above(tokens, chain[0].index, most=width)
    lines = [t.line for t in heads]
    if len(heads) < width or len(set(lines)) < len(lines) or len(set(apart)) != 1:
        return False
    separator = apart[0]
    rows_with_values = {row: _gaps(span) for row, span in spans.items() if _gaps(span)[0]}
    return any(_count_blanks(rows_with_values, widths, chain[-1].row, separator, separator, period, covered)
               == counted for period in range(1, MAX_PERIOD + 1) for covered in (0, MAX_COVERED))


def _after_the_labels_last_piece(tokens, span: list[Token], start: int, end: int) -> list[Token]:
    """A row's run from the last piece of its label on (3.要求提 / 供公开出版物, a piece a line, an empty line
    between): the separator a tool prints after a label follows the label's last line, and the empty lines between
    its pieces are no blank cells. (Pieces set after the row's first value, a label wrapped around values centred
    in its cell, are left in the run.)"""
    first_value = next((i for i in range(start + 1, end) if tokens[i].kind == VALUE), end)
    pieces = [i for i in range(start + 1, first_value) if tokens[i].kind == LABEL]
    if not pieces:
        return span
    return [t for t in tokens[pieces[-1] + 1:end] if t.kind != LABEL]


def _cells_share_lines(tokens, chain, by_name: dict) -> bool:
    """Whether a row's values stand on its label's line or two on one line (行政规范性文件 … 14 in pdftotext
    -layout's text): the text sets cells along lines, not one to a line, and its empty lines part rows, not blank
    cells."""
    for a in chain:
        lines = [tokens[i].line for i in by_name[a.row].run or ()]
        if len(set(lines)) < len(lines) or tokens[a.index].line in lines:
            return True
    return False


def _groupings(tokens, values: list[int], allowed: list[range], rows: list[_Row], every_cell: bool = False
               ) -> list[list[tuple[int, ...]]]:
    """Every way to cut the values, in order, into one group per row (maybe empty; with ``every_cell``, exactly as
    wide as the row) that each value's place allows, each group at most as wide as its row and placeable in it by
    the identities inside the row; at most MAX_GROUPINGS of them (none when there are more)."""
    fits_cache: dict[tuple, bool] = {}

    def fits(k: int, group: tuple[int, ...]) -> bool:
        r = rows[k]
        if every_cell and len(group) != len(r.keys):
            return False
        if r.fixed is not None:
            # a row read whole takes its printed values, the ones its marked blank cells do not stand for
            printed = tuple(n for p, n in zip(r.fixed.pieces, r.fixed.numbers) if not p.blank)
            return tuple(numbers([Piece(tokens[i].text, 0) for i in group])) == printed
        key = (k, tuple(tokens[i].text for i in group))
        if key not in fits_cache:
            fits_cache[key] = bool(row_placements([tokens[i] for i in group], r.keys, r.identities))
        return fits_cache[key]

    memo: dict[tuple[int, int], list | None] = {}

    def from_here(k: int, at: int) -> list | None:
        """The groupings of values[at:] into rows[k:], or None past the limit."""
        if k == len(rows):
            return [[]] if at == len(values) else []
        if (k, at) in memo:
            return memo[(k, at)]
        out: list = []
        end = at
        while True:
            group = tuple(values[at:end])
            if len(group) > len(rows[k].keys):
                break
            if fits(k, group):
                rest = from_here(k + 1, end)
                if rest is None:
                    memo[(k, at)] = None
                    return None
                out.extend([group] + r for r in rest)
                if len(out) > MAX_GROUPINGS:
                    memo[(k, at)] = None
                    return None
            if end == len(values) or k not in allowed[end]:
                break
            end += 1
        memo[(k, at)] = out
        return out

    found = from_here(0, 0)
    return found or []


def _to_place(r: _Row, group: list[Token], at: tuple[int, ...]) -> RowToPlace:
    if r.fixed is not None:
        return RowToPlace(r.row, r.keys, [r.fixed], r.identities, arranged=False)
    if r.blanks is not None and at == r.run:
        return RowToPlace(r.row, r.keys, row_placements(group, r.keys, r.identities, r.blanks), r.identities,
                          by_gaps=True)
    return RowToPlace(r.row, r.keys, row_placements(group, r.keys, r.identities), r.identities)


def arrange_appeals(span: list[Token], header: list[Token], keys: tuple[str, ...], rules, label_line: int,
                    max_states: int = MAX_STATES, neighbours: list[Token] = ()) -> dict[str, Cell]:
    """Table 4's fifteen cells, when its text leaves blank cells out and fewer than fifteen values follow its
    header: placed in its groups by the group totals. Not when values stand among the header's labels (the text
    put some of table 4's cells there, out of order).

    A span with no value at all says nothing of how the text prints a blank cell (table 4's cells may stand
    elsewhere: pymupdf4llm sets a table before its heading). Its fifteen zeros are then sure only if the cells of
    the report's table 3 (``neighbours``), printed with the same habits, leave blank cells out too; else they are
    given unsure."""
    if any(t.kind == VALUE for t in header) or not drops_blanks(span):
        return {}
    values, _ = _gaps(span)
    identities = identities_inside(keys, rules)
    by_gaps = _placements_by_heads_gaps(span, header, keys, identities)
    row = RowToPlace("all", keys, by_gaps or row_placements(values, keys, identities), identities,
                     by_gaps=bool(by_gaps))
    solution = solve([row], rules, Budget(max_states))
    if solution is None:
        return {}
    cells = arranged_cells(row, solution, False, label_line)
    if not values and not drops_blanks(list(neighbours)):
        for cell in cells.values():
            cell.confidence = min(cell.confidence, EMPTY_ROW_UNCHECKED)
            cell.note = ("nothing printed after table 4's header, in a text whose table 3 marks its blank cells: "
                         "the table's cells may stand elsewhere")
    return cells


def _placements_by_heads_gaps(span: list[Token], header: list[Token], keys: tuple[str, ...], identities
                              ) -> list[Placement]:
    """The placements of table 4's row of fifteen that the empty lines allow, in a text that prints a blank cell as
    empty lines (LibreOffice's text of a page whose empty cells hold nothing: 总计 / _ / 1 / _ / _ / 1 / …): the
    heads above the row, a cell per line, show the separator the text puts after a cell (the same number of empty
    lines between every two of the last group's heads), the row's first value stands that separator plus its
    blank cells' lines after the last head, and every way of counting the blank cells with it (``_count_blanks``)
    gives one placement. Those the group totals hold are kept; empty when the heads show no separator, or no
    counting gives a placement that holds (the values are then placed by the totals alone)."""
    width = len(schema.APPEAL_COLUMNS)
    # The last group's heads: ``header`` runs up to the last of them, which stands right after it.
    heads = [k for k, t in enumerate(header) if t.kind == LABEL][-(width - 1):] + [len(header)]
    lines = [header[k].line for k in heads[:-1]]
    if len(heads) < width or any(t.kind == BLANK for t in header[heads[0]:]) or len(set(lines)) < len(lines):
        return []
    apart = {sum(t.kind == BREAK for t in header[a + 1:b]) for a, b in zip(heads, heads[1:])}
    values, gaps = _gaps(span)
    if len(apart) != 1 or not values:
        return []
    separator = apart.pop()
    found: dict[tuple, Placement] = {}
    for period in range(1, MAX_PERIOD + 1):
        counted = _count_blanks({"all": (values, gaps)}, {"all": len(keys)}, "all", separator, separator, period)
        if counted is None:
            continue
        for placement in row_placements(values, keys, identities, counted["all"]):
            found.setdefault(placement.numbers, placement)
    return list(found.values())


def arrange_appeal_groups(groups: list[tuple[str, list[Token], int]], zone: list[Token], rules,
                          max_states: int = MAX_STATES) -> dict[str, Cell]:
    """Table 4 printed a row per group (three rows of five, or three small tables) in a text that leaves blank
    cells out: each group's values (``appeals.group_cells``) placed in its five columns by its total, as a table's
    rows are (a group with nothing printed is five zeros). Empty unless the table's text (``zone``: its tokens)
    marks no blank cell and prints no zero, and the groups' cells are values, every value of the table."""
    cells = [t for _, group, _ in groups for t in group]
    values = [t for t in zone if t.kind == VALUE]
    if not values or not drops_blanks(zone) or any(t.kind != VALUE for t in cells) or len(cells) != len(values):
        return {}
    rows = []
    for group, values, _ in groups:
        keys = tuple(f"appeals.{group.split('.', 1)[1]}.{c}" for c in schema.APPEAL_COLUMNS)
        identities = identities_inside(keys, rules)
        rows.append(RowToPlace(group, keys, row_placements(values, keys, identities), identities))
    solution = solve(rows, rules, Budget(max_states))
    if solution is None:
        return {}
    out: dict[str, Cell] = {}
    for row, (_, values, line) in zip(rows, groups):
        arranged = arranged_cells(row, solution, False, line)
        if not values:
            # Five zeros hold the group's total whatever they are: no identity across the groups checks them.
            for cell in arranged.values():
                cell.confidence = min(cell.confidence, EMPTY_ROW_UNCHECKED)
                cell.note = "nothing printed for this group in a text that leaves blank cells out, and no total confirms it"
        out.update(arranged)
    return out
