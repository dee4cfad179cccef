"""Place each row's cells (stage 2c of the recovery): which printed cells belong to which row label.

A row takes the cells after its label — or before it, when PDF text extraction put the label after its
values; two labels with one run of cells between them may share it. Blank cells keep their place;
merged cells' empty placeholders, shifted columns and digits that ran together give several candidate
readings of a row, each with a penalty; the template's arithmetic chooses among them (``recover``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..datamodel import BLANK, BREAK, LABEL, VALUE, Match, Token
from ..labels.dictionary import normalize_label
from ..options import DEFAULT_OPTIONS
from .tokens import NA_CELL


# A label that names no row ends a row's cells when it is this long (in its compared form): a stretch of prose.
PROSE_CHARS = 20
# A recognised label ends a row's cells when read at better than even odds.
BOUNDARY_LABEL = 0.5

# What each row's orientation is worth in ``place_rows``, summed over the table: a reading of exactly the row's
# width as printed, or only with repairs (placeholders dropped, digits cut apart); a hair for the ordinary
# label-first order, to break ties. Values before a label on a line of their own lose to values on the label's
# own line that read as well (a lost row's values, not this row's), more so when those read only with digits
# cut apart (taking the run before would shift every later row by one). Values that no row takes, and values
# between the header and the first label, cost a point each: they belong to someone.
READ_AS_PRINTED = 3.0
READ_WITH_REPAIRS = 1.0
LABEL_FIRST = 0.01
SAME_LINE_READS_AS_WELL = 1.5
SAME_LINE_READS_CUT = 2.5
VALUES_UNCLAIMED = 1
VALUES_BEFORE_FIRST_LABEL = 1


@dataclass(slots=True)
class Piece:
    """One candidate cell: a token, or part of a digit run that was split."""
    raw: str
    line: int
    blank: bool = False
    split: bool = False
    origin: Token | None = None     # the token it was read from: what no cell took is told by it


def is_boundary(i: int, tokens: list[Token], matches: dict[int, Match]) -> bool:
    """A label that ends a row's cells: any recognised label, or a stretch of prose."""
    m = matches.get(i)
    if m is None or m.stage == "joined":
        return False
    if m.category != "none":
        return m.confidence >= BOUNDARY_LABEL
    return len(normalize_label(tokens[i].text)) >= PROSE_CHARS


def row_span(tokens, matches, start: int, stop: int, direction: int) -> list[Token]:
    """Cells after (direction=+1) or before (-1) a label, up to the next boundary, within [.., stop)."""
    return span_to(tokens, matches, start, stop, direction)[0]


def span_to(tokens, matches, start: int, stop: int, direction: int) -> tuple[list[Token], int]:
    """The cells of ``row_span`` and the index of the boundary that ended them."""
    out = []
    i = start + direction
    while (i < stop if direction > 0 else i > stop):
        t = tokens[i]
        if t.kind == LABEL:
            if is_boundary(i, tokens, matches):
                break
        else:
            out.append(t)
        i += direction
    return (out if direction > 0 else out[::-1]), i


def trim_placeholders(cells: list[Token]) -> list[Token]:
    """Blank cells after the row's last break precede the next label: merged-cell placeholders, not values."""
    if any(t.kind == BREAK for t in cells):
        last_break = max(i for i, t in enumerate(cells) if t.kind == BREAK)
        if all(t.kind == BLANK for t in cells[last_break + 1:]) and any(t.kind != BREAK for t in cells[:last_break]):
            cells = cells[:last_break]
    return [t for t in cells if t.kind != BREAK]


def lead_placeholders(cells: list[Token]) -> list[Token]:
    """In values-before-label order the placeholders sit before the row's first break."""
    if any(t.kind == BREAK for t in cells):
        first_break = min(i for i, t in enumerate(cells) if t.kind == BREAK)
        if all(t.kind == BLANK for t in cells[:first_break]) and any(t.kind != BREAK for t in cells[first_break:]):
            cells = cells[first_break + 1:]
    return [t for t in cells if t.kind != BREAK]


def _piece(t: Token) -> Piece:
    return Piece(t.text, t.line, blank=t.kind == BLANK, origin=t)


def row_readings(cells: list[Token], n: int, max_splits: int = DEFAULT_OPTIONS.max_digit_splits
                 ) -> list[tuple[int, list[Piece]]]:
    """Readings of a row's cells as exactly n cells, each with a penalty (0 = read as printed).

    Readings share their Piece objects (a cell read in several windows is one Piece): nobody changes a Piece.
    """
    pieces = [_piece(t) for t in cells]
    value_pieces = [p for p, t in zip(pieces, cells) if t.kind == VALUE]
    values = [t for t in cells if t.kind == VALUE]
    out: list[tuple[int, list[Piece]]] = []
    if len(cells) == n:
        out.append((0, pieces))
    if len(values) == n and len(cells) != n:
        out.append((0, value_pieces))
    if len(values) > n:
        for s in range(len(values) - n + 1):
            out.append((1, value_pieces[s:s + n]))
    if len(values) < n and len(cells) > n and values:
        first = cells.index(values[0])
        last = len(cells) - 1 - cells[::-1].index(values[-1])
        for s in range(max(0, last - n + 1), min(first, len(cells) - n) + 1):
            out.append((1, pieces[s:s + n]))
    if not out and values and len(values) < n:
        out.extend((2, split) for split in _digit_splits(values, n, max_splits))
    if not values and len(cells) > n:
        out.append((1, pieces[:n]))     # a row of blanks, whatever its placeholders
    return out


NUMBER = re.compile(r"^([+\-−]?)(\d+)(\.\d+)?(万元|元|件|个|项)?$")


def _digit_splits(values: list[Token], n: int, limit: int) -> list[list[Piece]]:
    """Every way to cut run-together digit runs into n numbers (no part with a leading zero), at most ``limit``.

    The ways are listed run by run, each run's cuts in ``_cuts`` order. Only what can end in a reading of
    exactly n cells is explored (no cut of a run into fewer numbers than the other runs leave it to make,
    no combination that cannot add up to n), and a cut becomes Pieces only when a reading uses it.
    """
    runs = [_Run(t, n) for t in values]
    most = sum(r.most for r in runs)
    for r in runs:
        r.cut(n, limit, fewest=n - (most - r.most))
    # fits[i]: the cell counts the runs from i on can make together (up to n)
    fits = [set() for _ in runs] + [{0}]
    for i in range(len(runs) - 1, -1, -1):
        fits[i] = {len(parts) + rest for parts in runs[i].cuts for rest in fits[i + 1] if len(parts) + rest <= n}
    out: list[list[Piece]] = []
    if n in fits[0]:
        _walk_splits(runs, fits, 0, [], n, limit, out)
    return out


_DASH_RUN = re.compile(r"[—－-]{2,6}")


class _Run:
    """One token of a row that ran together: a digit run, a run of dashes, or a cell that cannot be cut.

    Its cuts are strings; each is made into Pieces on first use.
    """

    def __init__(self, t: Token, n: int):
        self.token, self.line, self.sign, self.unit = t, t.line, "", ""
        text = t.text.replace(" ", "")
        m = NUMBER.match(text)
        if t.splittable and _DASH_RUN.fullmatch(text):
            self.kind, self.body = "dashes", text
        elif not t.splittable or not m or m.group(3):
            self.kind, self.body = "cell", t.text
        else:
            self.kind, self.body, self.sign, self.unit = "digits", m.group(2), m.group(1), m.group(4) or ""
        self.most = 1 if self.kind == "cell" else min(len(self.body), n)   # the most cells it can make
        self.cuts: list = []
        self._pieces: dict[int, list[Piece]] = {}

    def cut(self, n: int, limit: int, fewest: int) -> None:
        self.cuts = (_dash_cuts(self.body, n) if self.kind == "dashes" else [[self.body]] if self.kind == "cell"
                     else _cuts(self.body, n, limit, fewest))

    def pieces(self, k: int) -> list[Piece]:
        made = self._pieces.get(k)
        if made is None:
            parts = list(self.cuts[k])
            split = len(parts) > 1
            if self.sign:
                parts[0] = self.sign + parts[0]
            if self.unit:
                parts[-1] += self.unit
            made = self._pieces[k] = [Piece(p, self.line, False, split, self.token) for p in parts]
        return made


def _walk_splits(runs: list[_Run], fits: list[set], i: int, acc: list[Piece], n: int, limit: int,
                 out: list[list[Piece]]) -> None:
    if len(out) >= limit:
        return
    if i == len(runs):
        out.append(acc)
        return
    run, rest = runs[i], fits[i + 1]
    for k, parts in enumerate(run.cuts):
        if n - len(acc) - len(parts) in rest:
            _walk_splits(runs, fits, i + 1, acc + run.pieces(k), n, limit, out)


def _dash_cuts(dashes: str, most: int) -> list[list[str]]:
    """A run of dashes as not-applicable marks of one or two dashes each (—— is often one mark)."""
    if not dashes:
        return [[]]
    out = []
    for size in (1, 2):
        if len(dashes) >= size:
            out.extend([dashes[:size]] + rest for rest in _dash_cuts(dashes[size:], most) if len(rest) < most)
    return out


def _cuts(digits: str, most: int, limit: int, fewest: int = 0) -> list[list[str]]:
    """The ways to cut a digit string into at most ``most`` numbers, none with a leading zero; the first
    ``limit`` of them. Those of fewer than ``fewest`` numbers are left out when that cannot change which
    ways come within the limit."""
    if fewest > 1 and sum(math.comb(len(digits) - 1, k) for k in range(most)) > limit:
        fewest = 0
    out: list[list[str]] = []
    _walk_cuts(digits, [], most, fewest, limit, out)
    return out


def _walk_cuts(rest: str, acc: list[str], most: int, fewest: int, limit: int, out: list[list[str]]) -> None:
    # A module-level function, not a closure: a recursive closure is a reference cycle, and the garbage
    # collector's passes over such cycles cost more than the cutting.
    if len(out) >= limit or len(acc) + len(rest) < fewest:
        return
    if not rest:
        out.append(acc)
        return
    if len(acc) >= most:
        return      # one more number would be one too many
    ends = [1] if rest[0] == "0" else range(1, len(rest) + 1)
    for end in ends:
        _walk_cuts(rest[end:], acc + [rest[:end]], most, fewest, limit, out)


def parse_value(piece: Piece, money: bool = False, yuan_header: bool = False) -> tuple[int | float | None, str]:
    """The number a cell states and what it held (number / zero / blank / na / text)."""
    if piece.blank:
        return 0, "blank"
    return _parse_text(piece.raw, money, yuan_header)


@lru_cache(maxsize=8192)
def _parse_text(raw: str, money: bool, yuan_header: bool) -> tuple[int | float | None, str]:
    # Cached: the arithmetic reads every candidate reading of a row, and they share their cells' text.
    text = raw.replace(" ", "").replace(",", "").replace("−", "-")
    if NA_CELL.match(text):
        return 0, "na"
    m = NUMBER.match(text)
    if not m:
        return None, "text"
    sign, whole, frac, unit = m.groups()
    number: int | float = float(whole + frac) if frac else int(whole)
    if sign == "-":
        number = -number
    if money and (unit == "元" or (unit is None and yuan_header)):
        number = round(number / 10000, 6)
    if isinstance(number, float) and number.is_integer() and not money:
        number = int(number)
    return number, ("zero" if number == 0 else "number")


def numbers(pieces: list[Piece]) -> list:
    return [0 if p.blank else _parse_text(p.raw, False, False)[0] for p in pieces]


def place_rows(tokens, matches, anchors, widths, hi, max_splits: int = DEFAULT_OPTIONS.max_digit_splits):
    """Give each row label the cells after it (A) or before it (B), whichever makes the whole table fit.

    PDF text extraction puts some labels after their values and some before, row by row; two labels with
    one run of cells between them may share it. A dynamic programme over the rows picks the orientation of
    each row so that every row gets exactly its width in cells, preferring the ordinary label-first order.
    """
    k = len(anchors)
    after, before, shared = [], [], []
    for i, a in enumerate(anchors):
        stop = anchors[i + 1].index if i + 1 < k else hi
        cells, end = span_to(tokens, matches, a.index, stop, +1)
        after.append(cells)
        shared.append(i + 1 < k and end == anchors[i + 1].index)
        prev_stop = anchors[i - 1].index if i > 0 else -1
        before.append(span_to(tokens, matches, a.index, prev_stop, -1)[0])

    same_line = [bool(run) and next((t.line for t in run if t.kind != BREAK), None) == tokens[a.index].line
                 for run, a in zip(after, anchors)]

    def shares(i, o_prev, o, o_next) -> bool:
        """Row i takes only its part of a run of cells it shares with the next (or previous) row."""
        return (shared[i] and o_next == "B") if o == "A" else (i > 0 and shared[i - 1] and o_prev == "A")

    def cells_for(i, o, cut):
        if o == "A":
            return _first_cells(after[i], widths[i]) if cut else trim_placeholders(after[i])
        return _drop_first_cells(before[i], widths[i - 1]) if cut else lead_placeholders(before[i])

    def unclaimed(i, o, o_next):
        """Values after row i that neither it nor the next row takes."""
        run = after[i]
        if o == "A" or (shared[i] and o_next == "B"):
            return 0
        return VALUES_UNCLAIMED if any(t.kind == VALUE for t in run) else 0

    known: dict = {}
    by_cells: dict = {}

    def readings_of(i, o_prev, o, o_next):
        # The programme asks for each row's cells many times, and a run shared by two rows is the same
        # cells for both: each run is read once.
        variant = (i, o, shares(i, o_prev, o, o_next))
        if variant not in known:
            cells = cells_for(*variant)
            key = (widths[i], *map(id, cells))
            if key not in by_cells:
                by_cells[key] = row_readings(cells, widths[i], max_splits)
            known[variant] = by_cells[key]
        return known[variant]

    # best[i][(o_prev, o)]: (score of rows i.. with row i in orientation o, next row's orientation, row i's readings)
    best: list[dict] = [{} for _ in range(k)]
    for i in range(k - 1, -1, -1):
        for o_prev in ((None,) if i == 0 else ("A", "B")):
            for o in ("A", "B"):
                chosen = None
                for o_next in (("A", "B") if i + 1 < k else (None,)):
                    found = readings_of(i, o_prev, o, o_next)
                    score = (READ_AS_PRINTED if found and min(p for p, _ in found) == 0
                             else READ_WITH_REPAIRS if found else 0.0)
                    score += LABEL_FIRST if o == "A" else 0.0
                    if o == "B" and score >= READ_AS_PRINTED and same_line[i]:
                        # Values on the label's own line read just as well: the ordinary order wins, even if
                        # that leaves cells before the label unclaimed (an unrecognised row's, not this one's).
                        after_fit = readings_of(i, o_prev, "A", o_next)
                        if after_fit and min(p for p, _ in after_fit) == 0:
                            score -= SAME_LINE_READS_AS_WELL
                        elif after_fit:
                            # Even when they read only with digits cut apart (0034, 13 01): the clean run
                            # before the label is then a lost row's, and taking it would shift every row
                            # after by one.
                            score -= SAME_LINE_READS_CUT
                    score -= unclaimed(i, o, o_next)
                    if i == 0 and o == "A" and any(t.kind == VALUE for t in before[0]):
                        score -= VALUES_BEFORE_FIRST_LABEL
                    total = score + (best[i + 1][(o, o_next)][0] if o_next else 0.0)
                    if chosen is None or total > chosen[0]:
                        chosen = (total, o_next, found)
                best[i][(o_prev, o)] = chosen

    path: list = []
    if k:
        o = max(("A", "B"), key=lambda first: best[0][(None, first)][0])
        o_prev = None
        for i in range(k):
            _, o_next, found = best[i][(o_prev, o)]
            path.append((o, found))
            o_prev, o = o, o_next
    candidates = {a.row: found for a, (_, found) in zip(anchors, path)}
    return candidates, [o for o, _ in path]


def _split_point(run: list[Token], n: int) -> int:
    """Where a run of cells shared by two rows divides: at its first row break after a cell, else after n
    cells. A break before any cell divides nothing: it ends the label's own line (一、本年新收政府 / 87 0 … /
    信息公开申请数量, the label wrapped around the first row's values)."""
    cells = [i for i, t in enumerate(run) if t.kind != BREAK]
    if cells:
        return next((i for i in range(cells[0], len(run)) if run[i].kind == BREAK),
                    cells[n - 1] + 1 if 0 < n <= len(cells) else n)
    return n


def _first_cells(run: list[Token], n: int) -> list[Token]:
    return [t for t in run[:_split_point(run, n)] if t.kind != BREAK]


def _drop_first_cells(run: list[Token], n: int) -> list[Token]:
    return [t for t in run[_split_point(run, n):] if t.kind != BREAK]
