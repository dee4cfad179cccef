"""Place each row's cells (stage 2c of the recovery): which printed cells belong to which row label.

A row takes the cells after its label — or before it, when PDF text extraction put the label after its
values; two labels with one run of cells between them may share it. Blank cells keep their place;
merged cells' empty placeholders, shifted columns and digits that ran together give several candidate
readings of a row, each with a penalty; the template's arithmetic chooses among them (``recover``).
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..datamodel import BLANK, BREAK, LABEL, VALUE, Match, Token
from ..labels.dictionary import normalize_label
from ..options import DEFAULT_OPTIONS
from .tokens import NA_CELL


# A label that names no row ends a row's cells when it is this long (in its compared form): a stretch of prose.
PROSE_CHARS = 20
# A recognised label ends a row's cells when read at better than even odds.
BOUNDARY_LABEL = 0.5
# A group's label read this surely is its whole merged cell, not a piece of it wrapped among the rows' labels.
GROUP_WHOLE = 0.9

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
# The most ways of dropping a pipe row's extra blank cells listed (``row_readings``): table 4's five cells among a
# dozen pipe cells give a few hundred; a row past that is read by windows, as other texts are.
MAX_PHANTOM_DROPS = 256


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
        if (m.category.startswith("group.") and m.confidence < GROUP_WHOLE and _CELLS_APART.search(tokens[i].text)
                and _values_after_on_its_line(i, tokens)):
            # A piece of a group's merged cell (不予公 of （三）不予公开) set beside the last piece of a row's label
            # (密 of 1.属于国家秘密) by a PDF's layout text, a space or more apart, before that row's values (1.属于国家秘 /
            # 不予公     密 0 0 …): the merged cell spans the rows and owns no cell, the values are the row's.
            return False
        return m.confidence >= BOUNDARY_LABEL
    return len(normalize_label(tokens[i].text)) >= PROSE_CHARS


_CELLS_APART = re.compile(r"\S +\S")    # two cells' texts side by side in one token, a space or more apart


def _values_after_on_its_line(i: int, tokens: list[Token]) -> bool:
    line = tokens[i].line
    k = i + 1
    while k < len(tokens) and tokens[k].line == line and tokens[k].kind == LABEL:
        k += 1
    return k < len(tokens) and tokens[k].line == line and tokens[k].kind == VALUE


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


def row_readings(cells: list[Token], n: int, max_splits: int = DEFAULT_OPTIONS.max_digit_splits,
                 sums: tuple = ()) -> list[tuple[int, list[Piece]]]:
    """Readings of a row's cells as exactly n cells, each with a penalty (0 = read as printed).

    ``sums``: the row's own identities as positions of its cells, ``((parts...), (total,))``: digits that ran
    together are cut by them (``_digit_splits``).

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
        if all(t.phantom_columns for t in cells) and \
                math.comb(len(cells) - len(values), len(cells) - n) <= MAX_PHANTOM_DROPS:
            # Under heads with an empty cell between two of them, a pipe table's converter drew a column the
            # template does not have (pymupdf4llm: an empty column between 尚未审结 and 总计): the row's extra cells
            # may be any of its blank ones, not only those at its ends.
            blanks = [k for k, t in enumerate(cells) if t.kind != VALUE]
            for dropped in itertools.combinations(blanks, len(cells) - n):
                out.append((1, [p for k, p in enumerate(pieces) if k not in dropped]))
        else:
            first = cells.index(values[0])
            last = len(cells) - 1 - cells[::-1].index(values[-1])
            for s in range(max(0, last - n + 1), min(first, len(cells) - n) + 1):
                out.append((1, pieces[s:s + n]))
    if not out and values and len(values) < n:
        out.extend((2, split) for split in _digit_splits(values, n, max_splits, sums))
    if not values and len(cells) > n:
        out.append((1, pieces[:n]))     # a row of blanks, whatever its placeholders
    return out


NUMBER = re.compile(r"^([+\-−]?)(\d+)(\.\d+)?(万元|元|件|个|项)?$")


def _digit_splits(values: list[Token], n: int, limit: int, sums: tuple = ()) -> list[list[Piece]]:
    """The ways to cut run-together digit runs into n numbers (no part with a leading zero), at most ``limit``.

    ``sums`` are the row's own identities, as positions of its cells (``(parts, total)``: the parts add up to the
    total). When every identity is a total printed after its parts, the cuts are found by the sums
    (``_plans_by_sums``): only the cuts whose sums hold, all of them, however long the run. When no cut holds
    them, or the row has no identity, every cut is listed (``_plain_splits``), up to ``limit``. Either way the
    cuts come in the same order: run by run, each part as short as it can be first.
    """
    runs = [_Run(t, n) for t in values]
    if sums:
        plans = _plans_by_sums(tuple(r.key for r in runs), n, sums, limit)
        if plans:
            return [[piece for run, lengths in zip(runs, plan) for piece in run.pieces_of(lengths)]
                    for plan in plans]
    return _plain_splits(runs, n, limit)


def _plain_splits(runs: list[_Run], n: int, limit: int) -> list[list[Piece]]:
    """Every way to cut the runs into n numbers, at most ``limit``, listed run by run, each run's cuts in
    ``_cuts`` order. Only what can end in a reading of exactly n cells is explored (no cut of a run into fewer
    numbers than the other runs leave it to make, no combination that cannot add up to n), and a cut becomes
    Pieces only when a reading uses it."""
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
        self._pieces: dict = {}

    @property
    def key(self) -> tuple[str, str, bool]:
        """What the values of its cuts depend on: its kind, its characters, a minus sign before them."""
        return self.kind, self.body, self.sign in ("-", "−")

    def cut(self, n: int, limit: int, fewest: int) -> None:
        self.cuts = (_dash_cuts(self.body, n) if self.kind == "dashes" else [[self.body]] if self.kind == "cell"
                     else _cuts(self.body, n, limit, fewest))

    def pieces(self, k: int) -> list[Piece]:
        """The Pieces of its k-th cut."""
        return self.pieces_of(tuple(len(part) for part in self.cuts[k]))

    def pieces_of(self, lengths: tuple[int, ...]) -> list[Piece]:
        """The Pieces of the cut into parts of these lengths (made once: readings share them)."""
        made = self._pieces.get(lengths)
        if made is None:
            parts, at = [], 0
            for size in lengths:
                parts.append(self.body[at:at + size])
                at += size
            split = len(parts) > 1
            if self.sign:
                parts[0] = self.sign + parts[0]
            if self.unit:
                parts[-1] += self.unit
            made = self._pieces[lengths] = [Piece(p, self.line, False, split, self.token) for p in parts]
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


@lru_cache(maxsize=1024)
def _cuts(digits: str, most: int, limit: int, fewest: int = 0) -> list[list[str]]:
    """The ways to cut a digit string into at most ``most`` numbers, none with a leading zero; the first
    ``limit`` of them. Those of fewer than ``fewest`` numbers are left out when that cannot change which
    ways come within the limit. Cached (a row is read in several windows, a table's rows share their runs):
    nobody changes the lists."""
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


# The steps (pieces tried) the search by the sums may take for one row before it gives up and the row's cuts
# are listed one by one instead, as when the sums decide nothing. A 100-digit row of 15 cells whose sums decide
# it takes some tens of thousands; a row built to defeat the bounds (every part a run of nines) could take
# many more: past this it costs what it always cost, no more.
SPLIT_SEARCH_STEPS = 200_000


class _OverBudget(Exception):
    pass


@lru_cache(maxsize=512)
def _plans_by_sums(runs: tuple, n: int, sums: tuple, limit: int) -> tuple | None:
    """The cuts of a row's runs into n cells whose identities all hold, in ``_plain_splits`` order, each as
    the lengths of its parts run by run; None when the identities are not totals printed after their parts
    (they are then checked reading by reading), when more than ``limit`` cuts hold them, or when the search
    runs past ``SPLIT_SEARCH_STEPS``.

    Cached per row of runs (their kinds and characters) and identities: a row is read in several windows, and
    a batch meets the same runs again. The search goes total by total: where a group's cells start is known
    (the row's start, or the end of the group before), so it tries each place its total may end and each
    length of the total — the total's value then bounds its parts (none larger, none longer, together exactly
    it), and the last part is forced.
    """
    groups = _total_groups(sums, n)
    if groups is None:
        return None
    try:
        found = _SumSearch(runs, n, groups).completions(0, 0)
    except _OverBudget:
        return None
    if len(found) > limit:
        return None
    plans = []
    run_ends = list(itertools.accumulate(len(body) for _, body, _ in runs))
    for lengths in sorted(found):       # lexicographic in the parts' lengths: the order cuts are listed in
        plan: list[list[int]] = [[] for _ in runs]
        at = run = 0
        for size in lengths:
            while at >= run_ends[run]:
                run += 1
            plan[run].append(size)
            at += size
        plans.append(tuple(tuple(p) for p in plan))
    return tuple(plans)


def _total_groups(sums: tuple, n: int) -> dict[int, int] | None:
    """Each identity as the group of cells it spans, {first position: position of its total}, when every
    identity is a total standing right after its parts (table 3's rows, table 4's three groups) and no two
    overlap; else None."""
    groups: dict[int, int] = {}
    taken: set[int] = set()
    for left, right in sums:
        for parts, total in ((left, right), (right, left)):
            if len(total) == 1 and parts and tuple(parts) == tuple(range(min(parts), total[0])):
                break
        else:
            return None
        first, last = min(parts), total[0]
        if last >= n or taken & set(range(first, last + 1)):
            return None
        taken |= set(range(first, last + 1))
        groups[first] = last
    return groups


class _SumSearch:
    """The row's runs laid end to end, and the cuts of them whose group totals hold (see ``_plans_by_sums``).

    Values are those ``numbers`` gives the pieces: a digit part its integer (negative after a minus sign, on the
    run's first part), a dash mark or a cell the value its text parses to. The bounds assume no value is
    negative (a row with a minus sign is searched without them, within the same budget):

    - no part is larger than what its group's total leaves, nor has more digits;
    - a number is congruent to its digit sum modulo 9, so the parts of a group add up to its total modulo 9
      only if all their digits do, however they are cut: most lengths of a total are ruled out unseen;
    - a group of many parts is met in the middle: the sums of its first half, by where they end, against those
      of its second half — twice the square root of the ways, not all of them.
    """

    def __init__(self, runs: tuple, n: int, groups: dict[int, int]):
        self.n, self.groups, self.steps = n, groups, 0
        self.text = "".join(body for _, body, _ in runs)
        self.size = len(self.text)
        self.run_at: list[int] = []
        self.starts, self.ends, self.kinds, self.negative, self.fixed = [], [], [], [], []
        at = 0
        for i, (kind, body, negative) in enumerate(runs):
            self.starts.append(at)
            at += len(body)
            self.ends.append(at)
            self.run_at.extend([i] * len(body))
            self.kinds.append(kind)
            self.negative.append(negative)
            self.fixed.append(_parse_text(body, False, False)[0] if kind == "cell" else None)
        # Before character x: how many characters lie outside digit runs, and the digit sum of those inside.
        self.not_digits, self.digit_sum = [0], [0]
        for x, i in enumerate(self.run_at):
            digit = self.kinds[i] == "digits"
            self.not_digits.append(self.not_digits[-1] + (not digit))
            self.digit_sum.append(self.digit_sum[-1] + (ord(self.text[x]) - 48 if digit else 0))
        values = [v for v in self.fixed if v is not None] + [
            _parse_text(self.text[a:b], False, False)[0] or 0
            for i, kind in enumerate(self.kinds) if kind == "dashes"
            for a in range(self.starts[i], self.ends[i]) for b in (a + 1, a + 2) if b <= self.ends[i]]
        self.bounded = not any(self.negative) and all(v >= 0 for v in values)
        self.memo: dict[tuple[int, int], list[tuple[int, ...]]] = {}
        self._arrays: _Tables | None = None
        self._ahead: dict[int, list[tuple[int, int]]] = {}
        self._behind: dict[int, list[tuple[int, int]]] = {}

    def _step(self) -> None:
        self.steps += 1
        if self.steps > SPLIT_SEARCH_STEPS:
            raise _OverBudget

    def _whole_numbers(self, a: int, b: int) -> bool:
        """[a, b) holds digit runs only and nothing is negative: the bounds hold there."""
        return self.bounded and self.not_digits[b] == self.not_digits[a]

    def pieces_from(self, a: int, stop: int):
        """(end, value) of each piece that may start at character a and end by ``stop``, shortest first."""
        i = self.run_at[a]
        kind, end = self.kinds[i], min(self.ends[i], stop)
        if kind == "cell":
            if a == self.starts[i] and self.ends[i] <= stop:
                self._step()
                yield self.ends[i], self.fixed[i]
            return
        if kind == "dashes":
            for b in (a + 1, a + 2):
                if b <= end:
                    self._step()
                    yield b, _parse_text(self.text[a:b], False, False)[0]
            return
        sign = -1 if self.negative[i] and a == self.starts[i] else 1
        if self.text[a] == "0":
            if a + 1 <= end:
                self._step()
                yield a + 1, 0
            return
        value = 0
        for b in range(a + 1, end + 1):
            self._step()
            value = value * 10 + ord(self.text[b - 1]) - 48
            yield b, sign * value

    def digits_ahead(self, a: int) -> list[tuple[int, int]]:
        """(end, value) of each piece of a digit run that starts at character a, shortest first (the values
        only grow); made once per character: the halves of a group walk the same places many times."""
        made = self._ahead.get(a)
        if made is None:
            i = self.run_at[a]
            end = self.ends[i]
            made = [(a + 1, ord(self.text[a]) - 48)] if self.text[a] == "0" else \
                [(b, int(self.text[a:b])) for b in range(a + 1, end + 1)]
            self._ahead[a] = made
        return made

    def digits_behind(self, b: int) -> list[tuple[int, int]]:
        """(start, value) of each piece of a digit run that ends at character b, shortest first."""
        made = self._behind.get(b)
        if made is None:
            i = self.run_at[b - 1]
            made = [(a, int(self.text[a:b])) for a in range(b - 1, self.starts[i] - 1, -1)
                    if self.text[a] != "0" or a == b - 1]
            self._behind[b] = made
        return made

    def piece(self, a: int, b: int):
        """The value of the piece [a, b), or _NOT_A_PIECE when no cut makes it."""
        i = self.run_at[a]
        if self.run_at[b - 1] != i:
            return _NOT_A_PIECE
        kind = self.kinds[i]
        if kind == "cell":
            return self.fixed[i] if (a, b) == (self.starts[i], self.ends[i]) else _NOT_A_PIECE
        if kind == "dashes":
            return _parse_text(self.text[a:b], False, False)[0] if b - a <= 2 else _NOT_A_PIECE
        if self.text[a] == "0" and b - a > 1:
            return _NOT_A_PIECE
        value = int(self.text[a:b])
        return -value if self.negative[i] and a == self.starts[i] else value

    def completions(self, p: int, x: int) -> list[tuple[int, ...]]:
        """The lengths of the pieces of cells p.. when cell p starts at character x, for every cut whose
        totals hold."""
        key = (p, x)
        if key in self.memo:
            return self.memo[key]
        n, out = self.n, []
        if p == n:
            out = [()] if x == self.size else []
        elif x >= self.size:
            out = []
        elif p in self.groups:
            q = self.groups[p]
            parts = q - p
            after = n - 1 - q                       # cells after the group: a character each at least
            ends = [self.size] if after == 0 else range(x + parts + 1, self.size - after + 1)
            batched = self._group_by_arrays(x, parts, ends)
            if batched is not None:
                for e, t, cut in batched:
                    for rest in self.completions(q + 1, e):
                        out.append(cut + (t,) + rest)
                ends = ()
            for e in ends:
                for t in self._total_lengths(x, e, parts):
                    self._step()
                    total = self.piece(e - t, e)
                    if total is _NOT_A_PIECE or total is None:
                        continue
                    for cut in self._parts(parts, x, e - t, total):
                        for rest in self.completions(q + 1, e):
                            out.append(cut + (t,) + rest)
        else:
            # A cell outside every identity: any piece.
            for b, _ in self.pieces_from(x, self.size - (n - 1 - p)):
                for rest in self.completions(p + 1, b):
                    out.append((b - x,) + rest)
        self.memo[key] = out
        return out

    def _group_by_arrays(self, x: int, parts: int, ends) -> list[tuple[int, int, tuple[int, ...]]] | None:
        """The cuts of a group whose cells start at character x, for every end and every length of its total
        at once, as (end, length of the total, lengths of the parts); None where the group is walked instead
        (few ways to try, a piece that is not digits, a minus sign, a total past FLOAT_DIGITS digits).

        The first half of the parts is cut once from x, for all the totals (bounded by the largest total and
        the farthest end); the second half back from where each total starts, all together; they meet by
        their sums modulo 2 ** 64 and each meeting is checked on the exact integers (``_parts_arrays``)."""
        if parts < 2 or not ends or not self._whole_numbers(x, ends[-1]):
            return None
        tries = []
        work = 0
        second = parts - parts // 2
        for e in ends:
            for t in self._total_lengths(x, e, parts):
                b = e - t
                if self.text[b] == "0" and t > 1:
                    continue                        # not a piece: no total has a leading zero
                if t > FLOAT_DIGITS:
                    return None
                tries.append((e, t, b))
                work += min(t, b - x) ** second
        if work < WHOLE_ARRAYS * BATCHED_WORK:
            return None
        if not tries:
            return []
        totals = [int(self.text[b:e]) for e, t, b in tries]
        count = len(tries)
        starts = np.array([b for _, _, b in tries], dtype=np.int64)
        longest = np.array([min(len(str(total)), b - x) for total, (_, _, b) in zip(totals, tries)], dtype=np.int64)
        tables = self._tables(int(longest.max()))
        floats = np.array([float(total) for total in totals])
        first = parts // 2
        shared = parts <= SHARED_HALF_PARTS
        if shared:
            ahead = tables.cuts(np.array([x], dtype=np.int64), starts.max(keepdims=True), floats.max(keepdims=True),
                                floats.min(keepdims=True), longest.max(keepdims=True), first, second, True,
                                loose=True)
        else:
            ahead = tables.cuts(np.full(count, x, dtype=np.int64), starts, floats, floats, longest, first, second,
                                True, loose=False)
        behind = tables.cuts(starts, np.full(count, x, dtype=np.int64), floats, floats, longest, second, first,
                             False, loose=False)
        if ahead is None or behind is None:
            return None
        ends_at, hashes, lengths, whose = ahead
        begins, other_hashes, other_lengths, which = behind
        total_hashes = np.array([total & _MASK_64 for total in totals], dtype=np.uint64)
        with np.errstate(over="ignore"):
            wanted = total_hashes[which] - other_hashes
            keys = hashes * np.uint64(_KEY_MIX) + ends_at.astype(np.uint64)
            wanted_keys = wanted * np.uint64(_KEY_MIX) + begins.astype(np.uint64)
            if not shared:      # each total's halves meet their own
                keys += whose.astype(np.uint64) * np.uint64(_TOTAL_MIX)
                wanted_keys += which.astype(np.uint64) * np.uint64(_TOTAL_MIX)
        found = []
        text = self.text
        for j, i in _meet(keys, wanted_keys):
            e, t, b = tries[which[j]]
            total = totals[which[j]]
            cut = lengths(i) + other_lengths(j)
            if _cut_adds_up(text, x, b, cut, total):
                found.append((e, t, cut))
        return found

    def _total_lengths(self, x: int, e: int, parts: int):
        """The lengths a group's total may have when its cells fill [x, e)."""
        span = e - x
        if not self._whole_numbers(x, e) or parts == 0:
            return range(1, span - parts + 1)
        # No part longer than the total: span <= (parts + 1) * t. The parts reach the total only if one has
        # at least t - len(str(parts)) digits: span - t >= t - len(str(parts)) + parts - 1.
        shortest = -(-span // (parts + 1))
        longest = min((span - parts + 1 + len(str(parts))) // 2, span - parts)
        digit_sum = self.digit_sum
        return [t for t in range(shortest, longest + 1)
                if (digit_sum[e - t] - digit_sum[x] - (digit_sum[e] - digit_sum[e - t])) % 9 == 0]

    def _parts(self, k: int, a: int, b: int, left):
        """The lengths of k pieces filling [a, b) exactly whose values add up to ``left``."""
        if k >= MEET_IN_THE_MIDDLE and self._whole_numbers(a, b) and left == int(left):
            yield from self._parts_met(k, a, b, int(left))
            return
        if k == 0:
            if a == b and abs(left) <= 1e-9:
                yield ()
            return
        if k == 1:
            self._step()
            value = self.piece(a, b)
            if value is not _NOT_A_PIECE and value is not None and abs(value - left) <= 1e-9:
                yield (b - a,)
            return
        for c, value in self.pieces_from(a, b - (k - 1)):
            if value is None:
                continue
            if self.bounded and value > left + 1e-9:
                break                               # a longer piece from here is larger still
            rest = left - value
            if self._whole_numbers(c, b) and (abs(rest - round(rest)) > 1e-9 or not _can_add_up(k - 1, b - c,
                                                                                                  round(rest))):
                continue
            for more in self._parts(k - 1, c, b, rest):
                yield (c - a,) + more

    def _parts_met(self, k: int, a: int, b: int, total: int):
        """``_parts`` over digits alone, met in the middle: the first half of the parts from a, by where they
        end and what they add up to, against the second half back from b."""
        first = k // 2
        if min(len(str(total)), b - a) ** first >= WHOLE_ARRAYS and len(str(total)) <= FLOAT_DIGITS:
            found = self._parts_arrays(k, a, b, total)
            if found is not None:
                yield from found
                return
        halves: dict[tuple[int, int], list[tuple[int, ...]]] = {}
        longest = len(str(total))
        self._first_half(_Half(first, a, b, k - first, total, longest), first, a, 0, (), halves)
        found: list[tuple[int, ...]] = []
        self._second_half(_Half(k - first, a, b, first, total, longest), k - first, b, 0, (), halves, found)
        yield from found

    def _tables(self, widest: int) -> _Tables:
        """The search's arrays, for pieces of up to ``widest`` digits (made again, wider, when a longer total
        needs them: most need half the row's length or less)."""
        if self._arrays is None or self._arrays.widest < min(widest, self.size, FLOAT_DIGITS):
            self._arrays = _Tables(self, widest)
        return self._arrays

    def _parts_arrays(self, k: int, a: int, b: int, total: int) -> list[tuple[int, ...]] | None:
        """``_parts_met`` with each half's cuts as arrays, all the cuts of one more part at a time: a half's
        sums as floats bound it by the total (with room for their rounding: a bound only ever keeps a cut it
        could drop), its sums modulo 2 ** 64 meet the other half's, and each meeting is checked on the exact
        integers. The same cuts as the walk, found by whole arrays instead of a step each: a row of a hundred
        digits has tens of thousands of cuts to rule out. None past HALF_ARRAY_CUTS (the walk then)."""
        first = k // 2
        longest = min(len(str(total)), b - a)
        tables = self._tables(longest)
        ahead = tables.half(a, b, first, k - first, total, longest, forward=True)
        behind = tables.half(a, b, k - first, first, total, longest, forward=False)
        if ahead is None or behind is None:
            return None
        (ends, hashes, lengths), (starts, other_hashes, other_lengths) = ahead, behind
        total_hash = np.uint64(total & _MASK_64)
        with np.errstate(over="ignore"):
            wanted = total_hash - other_hashes                  # what the first half must add up to, mod 2 ** 64
            keys = hashes * np.uint64(_KEY_MIX) + ends.astype(np.uint64)
            wanted_keys = wanted * np.uint64(_KEY_MIX) + starts.astype(np.uint64)
        found = []
        text = self.text
        for j, i in _meet(keys, wanted_keys):
            cut = lengths(i) + other_lengths(j)
            if _cut_adds_up(text, a, b, cut, total):
                found.append(cut)
        return found

    def _first_half(self, half: _Half, j: int, c: int, added: int, lengths: tuple, out: dict) -> None:
        self.steps += 1         # self._step(), inline: the halves are the search's innermost loops
        if self.steps > SPLIT_SEARCH_STEPS:
            raise _OverBudget
        if j == 0:
            out.setdefault((c, added), []).append(lengths)
            return
        end, total = half.end, half.total
        stop = min(end - half.other - (j - 1), c + half.longest)
        # The parts still to come, this half's and the other's, must make up the rest (``_can_add_up``, inline).
        count = j - 1 + half.other
        count_digits = len(str(count))
        powers, known = _POWERS_OF_TEN, _POWERS_KNOWN
        for d, value in self.digits_ahead(c):
            if d > stop or added + value > total:
                break
            chars, rest = end - d, total - added - value
            if count == 0:
                fits = chars == 0 and rest == 0
            elif chars < count or rest < 0:
                continue
            elif rest == 0:
                fits = chars == count
            else:
                most = chars - count + 1 + count_digits
                fits = powers[-(-chars // count) - 1] <= rest and (most >= known or rest < powers[most])
            if not fits:
                continue
            if j == 1:
                # The half's last part: its end and sum are kept here, as the call for it would keep them.
                self.steps += 1
                if self.steps > SPLIT_SEARCH_STEPS:
                    raise _OverBudget
                out.setdefault((d, added + value), []).append(lengths + (d - c,))
            else:
                self._first_half(half, j - 1, d, added + value, lengths + (d - c,), out)

    def _second_half(self, half: _Half, j: int, c: int, added: int, lengths: tuple, halves: dict,
                     found: list) -> None:
        self.steps += 1         # self._step(), inline
        if self.steps > SPLIT_SEARCH_STEPS:
            raise _OverBudget
        if j == 0:
            for before in halves.get((c, half.total - added), ()):
                found.append(before + lengths)
            return
        first, total = half.start, half.total
        start = max(first + half.other + (j - 1), c - half.longest)
        # The parts before, this half's and the other's, must make up the rest (``_can_add_up``, inline).
        count = j - 1 + half.other
        count_digits = len(str(count))
        powers, known = _POWERS_OF_TEN, _POWERS_KNOWN
        for a, value in self.digits_behind(c):
            if a < start or added + value > total:
                break
            chars, rest = a - first, total - added - value
            if count == 0:
                fits = chars == 0 and rest == 0
            elif chars < count or rest < 0:
                continue
            elif rest == 0:
                fits = chars == count
            else:
                most = chars - count + 1 + count_digits
                fits = powers[-(-chars // count) - 1] <= rest and (most >= known or rest < powers[most])
            if not fits:
                continue
            if j == 1:
                # The half's first part: met with the first halves ending where it starts, as the call for it
                # would meet them.
                self.steps += 1
                if self.steps > SPLIT_SEARCH_STEPS:
                    raise _OverBudget
                met = halves.get((a, total - added - value))
                if met:
                    mine = (c - a,) + lengths
                    for before in met:
                        found.append(before + mine)
            else:
                self._second_half(half, j - 1, a, added + value, (c - a,) + lengths, halves, found)


# A half of a group's parts is cut with whole arrays (``_SumSearch._parts_arrays``) when its cuts may number
# this many (the total's digits to the power of the half's parts); below it the walk is cheaper than the arrays'
# set-up (table 4's groups of four parts, a dozen digits each: some hundred cuts a half).
WHOLE_ARRAYS = 1000
# The most cuts one part of a half may be tried in at once (some 25 MB of arrays at most): past it the half is
# walked instead, within SPLIT_SEARCH_STEPS. A hundred-digit row tries at most some 100,000.
HALF_ARRAY_CUTS = 250_000
# Floats add a half's parts to decide the bounds: a sum of a few floats is off by far less than this fraction
# of the total. Past FLOAT_DIGITS digits a float is infinite: such totals are walked.
FLOAT_ROOM = 1e-9
FLOAT_DIGITS = 300
# A group is cut for all its totals at once (``_SumSearch._group_by_arrays``) when its second halves, all
# totals together, may hold this many times WHOLE_ARRAYS cuts: below it the walk is cheaper than the arrays'
# set-up (an ordinary report's table 4).
BATCHED_WORK = 8
# A group of at most this many parts cuts its first half once for all its totals (two parts at most); a half of
# three cut for the longest of the totals outgrows what it saves, and each total cuts its own.
SHARED_HALF_PARTS = 4
_MASK_64 = (1 << 64) - 1
_KEY_MIX = 0x9E3779B97F4A7C15       # an odd multiplier: a half's sum and where it ends in one key
_TOTAL_MIX = 0xC2B2AE3D27D4EB4F     # another: which total the half was cut for, in the same key


def _cut_adds_up(text: str, start: int, end: int, cut: tuple, total: int) -> bool:
    """Whether the digits ``text[start:end]`` cut into parts of these lengths add up to ``total`` exactly: the check
    on the integers of a match the sums modulo 2 ** 64 found."""
    at, added = start, 0
    for size in cut:
        added += int(text[at:at + size])
        at += size
    return at == end and added == total


def _meet(keys, wanted):
    """The pairs (j, i) with ``keys[i] == wanted[j]``: one half's cuts met by the other's."""
    if not len(keys) or not len(wanted):
        return
    order = np.argsort(keys)
    sorted_keys = keys[order]
    at = np.searchsorted(sorted_keys, wanted)
    hits = np.nonzero(sorted_keys[np.minimum(at, len(keys) - 1)] == wanted)[0]
    for j in hits.tolist():
        k = int(at[j])
        while k < len(keys) and sorted_keys[k] == wanted[j]:
            yield j, int(order[k])
            k += 1


_POWERS_OF_TEN_FLOAT = np.array([10.0 ** k for k in range(FLOAT_DIGITS + 1)])


class _Tables:
    """A search's characters as arrays: the value of the piece of each length starting at each character,
    as a float and modulo 2 ** 64 (exact: digits times powers of ten wrap in unsigned 64-bit arithmetic as
    integers do modulo 2 ** 64), where each character's digit run starts and ends."""

    def __init__(self, search: _SumSearch, widest: int):
        size = search.size
        digits = np.array([ord(ch) - 48 if search.kinds[search.run_at[x]] == "digits" else 0
                           for x, ch in enumerate(search.text)] + [0] * (size + 1), dtype=np.int64)
        self.digit = digits
        widest = self.widest = min(size, widest, FLOAT_DIGITS)
        self.floats = np.zeros((size + 1, widest + 1))
        self.hashes = np.zeros((size + 1, widest + 1), dtype=np.uint64)
        floats, hashes = self.floats, self.hashes
        at = np.arange(size + 1)
        with np.errstate(over="ignore"):
            for length in range(1, widest + 1):
                d = digits[at + length - 1]
                floats[:, length] = floats[:, length - 1] * 10.0 + d
                hashes[:, length] = hashes[:, length - 1] * np.uint64(10) + d.astype(np.uint64)
        self.run_start = np.array([search.starts[search.run_at[x]] for x in range(size)] + [size], dtype=np.int64)
        self.run_end = np.array([search.ends[search.run_at[x]] for x in range(size)] + [size], dtype=np.int64)

    def half(self, a: int, b: int, parts: int, other: int, total: int, longest: int, forward: bool):
        """Every cut of ``parts`` pieces from a (``forward``) or back from b, none longer than ``longest``
        digits nor crossing its digit run, none with a leading zero, that leaves the ``other`` half's parts
        room to make up the rest of ``total`` (``_can_add_up``'s bounds, kept loose by FLOAT_ROOM): (where
        they end, their sum modulo 2 ** 64, their lengths in the order of the row), or None past
        HALF_ARRAY_CUTS."""
        one = np.ones(1, dtype=np.int64)
        made = self.cuts(one * (a if forward else b), one * (b if forward else a), np.full(1, float(total)),
                         np.full(1, float(total)), one * longest, parts, other, forward, loose=False)
        return None if made is None else made[:3]

    def cuts(self, at, edge, totals, least_totals, longest, parts: int, other: int, forward: bool, loose: bool):
        """``half`` from several places at once: cut i starts at ``at[i]``, its group's parts end (``forward``)
        or start at ``edge[i]``, add up to ``totals[i]`` and have at most ``longest[i]`` digits each. With
        ``loose``, one set of cuts serves groups of several totals and ends: ``totals`` the largest of them,
        ``least_totals`` the smallest, ``edge`` the farthest, and only the bounds that hold for each of them
        are applied. Gives (where they end, sums modulo 2 ** 64, their lengths as a function of the cut's
        index, the place each came from).

        Each part's lengths are tried only between the bounds that hold for all of them (the run's end, the
        room the later parts need, no more digits than what is left of the total, no fewer than leave the
        later parts too many), then each length is checked as ``_can_add_up`` checks it."""
        origin = np.arange(len(at))
        sums = np.zeros(len(at))
        hashes = np.zeros(len(at), dtype=np.uint64)
        trail = []
        for j in range(parts):
            count = parts - j - 1 + other       # parts still to come, this half's and the other's
            edges = edge[origin]
            total, least = totals[origin], least_totals[origin]
            room = FLOAT_ROOM * total           # what the floats' rounding may be off by, however they cancel
            rest = np.maximum(total - sums + room, 1.0)
            digits = np.floor(np.log10(rest) + FLOAT_ROOM).astype(np.int64) + 1  # the most the rest can have
            if forward:
                span = edges - at
                hi = np.minimum(self.run_end[at] - at, span - count)
                hi = np.where(self.digit[at] == 0, np.minimum(hi, 1), hi)
            else:
                span = at - edges
                hi = np.minimum(at - self.run_start[np.maximum(at - 1, 0)], span - count)
            hi = np.minimum(np.minimum(hi, longest[origin]), digits)
            lo = np.maximum(span - count * digits, 1) if count else span
            if not loose and count:
                lo = np.maximum(lo, 1)
            elif loose:
                lo = np.ones_like(hi)
            many = np.maximum(hi - lo + 1, 0)
            rows = np.repeat(np.arange(len(at)), many)
            if len(rows) > HALF_ARRAY_CUTS:
                return None
            size = lo[rows] + np.arange(len(rows)) - np.repeat(np.cumsum(many) - many, many)
            piece_start = at[rows] if forward else at[rows] - size
            new_sums = sums[rows] + self.floats[piece_start, size]
            chars = span[rows] - size           # at least ``count``: ``hi`` leaves them room
            total = total[rows]
            room = FLOAT_ROOM * total
            left = total - new_sums
            keep = left >= -room
            if not forward:
                keep &= (size == 1) | (self.digit[piece_start] != 0)
            if count:
                # ``_can_add_up``: the longest part still to come has at least chars / count digits, and none
                # more than chars - count + 1 (the others a digit each): nine of them stay below ten times it
                most = np.minimum(chars - count + 1 + len(str(count)), FLOAT_DIGITS)
                least_left = least[rows] - new_sums if loose else left
                keep &= least_left < _POWERS_OF_TEN_FLOAT[most] + room
                if not loose:
                    fewest = np.minimum(-(-chars // count), FLOAT_DIGITS)
                    keep &= (fewest < 2) | (left >= _POWERS_OF_TEN_FLOAT[fewest - 1] - room)
            elif not loose:
                keep &= chars == 0
            rows, piece_start, size = rows[keep], piece_start[keep], size[keep]
            sums = new_sums[keep]
            with np.errstate(over="ignore"):
                hashes = hashes[rows] + self.hashes[piece_start, size]
            origin = origin[rows]
            trail.append((rows, size))
            at = piece_start + size if forward else piece_start

        def lengths(i: int) -> tuple[int, ...]:
            out = []
            for rows, size in reversed(trail):
                out.append(int(size[i]))
                i = rows[i]
            return tuple(out[::-1]) if forward else tuple(out)
        return at, hashes, lengths, origin


@dataclass(frozen=True, slots=True)
class _Half:
    """One half of a group's parts met in the middle: its parts, the span [start, end) of the whole group's
    parts, how many parts the other half has, and the total they all add up to."""
    parts: int
    start: int
    end: int
    other: int
    total: int
    longest: int        # the most digits a part may have: those of the total


def _can_add_up(count: int, chars: int, rest: int) -> bool:
    """Whether ``count`` whole numbers written with ``chars`` digits in all (no leading zeros) can add up to
    ``rest``: none has more digits than ``rest``, so ``rest`` has at least chars / count digits; one has at
    least as many as ``rest`` less those of ``count`` (nine numbers of k digits stay below 10 ** (k + 1)), the
    others a digit each, so ``rest`` has at most chars - count + 1 + len(str(count)) digits."""
    if count == 0:
        return chars == 0 and rest == 0
    if chars < count or rest < 0:
        return False
    if rest == 0:
        return chars == count       # every part a lone 0
    fewest = -(-chars // count)
    most = chars - count + 1 + len(str(count))
    return _POWERS_OF_TEN[fewest - 1] <= rest and (most >= len(_POWERS_OF_TEN) or rest < _POWERS_OF_TEN[most])


_POWERS_OF_TEN = [10 ** k for k in range(512)]
_POWERS_KNOWN = len(_POWERS_OF_TEN)


# A group of this many parts or more is met in the middle (``_SumSearch._parts_met``); fewer are walked.
MEET_IN_THE_MIDDLE = 4


_NOT_A_PIECE = object()


def parse_value(piece: Piece, money: bool = False, yuan_header: bool = False) -> tuple[int | float | None, str]:
    """The number a cell states and what it held (number / zero / blank / na / text)."""
    if piece.blank:
        return 0, "blank"
    return _parse_text(piece.raw, money, yuan_header)


@lru_cache(maxsize=8192)
def _parse_text(raw: str, money: bool, yuan_header: bool) -> tuple[int | float | None, str]:
    # Cached: the arithmetic reads every candidate reading of a row, and they share their cells' text.
    # A form feed (a page break) can open a value that starts a page: whitespace, as a space is.
    text = raw.replace(" ", "").replace("\f", "").replace(",", "").replace("−", "-")
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


def place_rows(tokens, matches, anchors, widths, hi, max_splits: int = DEFAULT_OPTIONS.max_digit_splits,
               sums: list | None = None):
    """Give each row label the cells after it (A) or before it (B), whichever makes the whole table fit.

    ``sums[i]``: the identities inside row i (``row_readings``), when known.

    PDF text extraction puts some labels after their values and some before, row by row; two labels with
    one run of cells between them may share it. A dynamic programme over the rows picks the orientation of
    each row so that every row gets exactly its width in cells, preferring the ordinary label-first order.
    """
    k = len(anchors)
    after, before, shared = [], [], []
    for i, a in enumerate(anchors):
        stop = anchors[i + 1].index if i + 1 < k else hi
        cells, end = span_to(tokens, matches, a.index, stop, +1)
        after.append(_without_wrapped_padding(cells, tokens, matches, a.index, end, widths[i]))
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

    values_after = [any(t.kind == VALUE for t in run) for run in after]

    def unclaimed(i, o, o_next):
        """Values after row i that neither it nor the next row takes."""
        if o == "A" or (shared[i] and o_next == "B"):
            return 0
        return VALUES_UNCLAIMED if values_after[i] else 0

    known: dict = {}
    by_cells: dict = {}

    def readings_of(i, o_prev, o, o_next):
        """Row i's readings in that orientation, and what they are worth (as printed, with repairs, none)."""
        # The programme asks for each row's cells many times, and a run shared by two rows is the same
        # cells for both: each run is read once.
        variant = (i, o, shares(i, o_prev, o, o_next))
        if variant not in known:
            cells = cells_for(*variant)
            row_sums = sums[i] if sums else ()
            key = (widths[i], row_sums, *map(id, cells))
            if key not in by_cells:
                found = row_readings(cells, widths[i], max_splits, row_sums)
                by_cells[key] = found, (READ_AS_PRINTED if found and min(p for p, _ in found) == 0
                                        else READ_WITH_REPAIRS if found else 0.0)
            known[variant] = by_cells[key]
        return known[variant]

    # best[i][(o_prev, o)]: (score of rows i.. with row i in orientation o, next row's orientation, row i's readings)
    best: list[dict] = [{} for _ in range(k)]
    for i in range(k - 1, -1, -1):
        for o_prev in ((None,) if i == 0 else ("A", "B")):
            for o in ("A", "B"):
                chosen = None
                for o_next in (("A", "B") if i + 1 < k else (None,)):
                    found, score = readings_of(i, o_prev, o, o_next)
                    score += LABEL_FIRST if o == "A" else 0.0
                    if o == "B" and score >= READ_AS_PRINTED and same_line[i]:
                        # Values on the label's own line read just as well: the ordinary order wins, even if
                        # that leaves cells before the label unclaimed (an unrecognised row's, not this one's).
                        after_fit = readings_of(i, o_prev, "A", o_next)[1]
                        if after_fit == READ_AS_PRINTED:
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


def _without_wrapped_padding(cells: list[Token], tokens, matches, start: int, end: int, width: int) -> list[Token]:
    """A row's cells after its label, less the blank cells on the line of a piece of its label wrapped below its
    cells (2.其他法 3 … 6 / 律行政法规禁止公开, the piece joined to the label): a tool that sets a row's lines
    alike (inscriptis pads each line of a row to its width) draws the row's cells again there, empty, as many as
    on the row's first line of cells. When that first line holds the row's every cell, and the piece's line
    opens with the piece and holds nothing else but as many blank cells, those are the row's own, not another
    row's. (A first line short of the row's cells, a table cut at the page's edge, leaves the run as it is.)"""
    pieces = {tokens[i].line: i for i in range(start + 1, end)
              if tokens[i].kind == LABEL and matches.get(i) is not None and matches[i].stage == "joined"}
    first_line = next((t.line for t in cells if t.kind in (VALUE, BLANK)), None)
    if not pieces or first_line is None:
        return cells
    row_width = sum(1 for t in cells if t.line == first_line and t.kind in (VALUE, BLANK))
    padding = set()
    for line, i in pieces.items():
        on_line = [k for k in range(start + 1, end) if tokens[k].line == line and tokens[k].kind != BREAK]
        if (row_width >= width and line > max(first_line, tokens[start].line) and on_line[0] == i
                and all(tokens[k].kind == BLANK for k in on_line[1:]) and len(on_line) - 1 == row_width):
            padding.add(line)
    return [t for t in cells if not (t.kind == BLANK and t.line in padding)] if padding else cells


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
