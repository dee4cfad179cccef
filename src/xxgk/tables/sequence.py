"""Read a table whose row labels stand apart from its numbers by the template's order (stage 2e of the recovery).

Plain ``pdftotext`` of a ruled table prints its cells in reading order, but not beside their labels: the labels of
a block of rows come before or after the block's numbers, and a block whose rows are short (one line each) is
printed column by column: k rows × 7 columns as 7 runs of k numbers (0 1 0 0 0 1 1 0 10 3 / 0 0 … / … for ten
rows). When every cell is printed (a source that prints its zeros), the numbers are still the table's cells in
the template's order, row after row or block after block; and the count of numbers says which rows the table has
(the 2021 template's three （六） rows, or a 2019-style single one, as the labels found tell).

So the numbers are cut into the template's rows in order, each run of rows read row by row or column by column,
and a reading is kept only when every row's total and every identity across rows holds. The number right after
a label standing alone among the numbers must not be a row's two or more rows further down.
Cells that differ between the readings that hold are ambiguous (flagged, with candidates).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from .. import schema
from ..datamodel import BLANK, BREAK, LABEL, VALUE, Cell, Token
from ..labels.dictionary import categories_within
from .arrange import EXACT, identities_inside, printed_rows
from .placement import Piece, numbers, parse_value, span_to

# How sure a cell read in the template's order is: every identity of the table holds over it, but its label was
# not beside it (the order alone put it in its row).
IN_ORDER = 0.9
# Cells on which the readings that hold disagree: the first reading's value, flagged.
READINGS_DIFFER = 0.5

# At most this many rows are read column by column as one block (a page of short rows).
MAX_BLOCK = 25
# At most this many (row, balances of the identities across rows) states are weighed while cutting the numbers
# (past it nothing is read): each is a distinct set of sums of the rows before it, which stay few in a table.
MAX_STATES = 20_000


@dataclass(frozen=True)
class _Block:
    first: int          # the block's first row, as a position in the row list
    rows: int           # how many rows
    start: int          # the position of its first number


def read_in_order(tokens: list[Token], matches, anchors, by_row: dict, rules, hi: int) -> dict[str, Cell]:
    """The cells of every row of a table whose numbers, all printed, are its cells in the template's order
    (``recover`` asks when its rows by their labels leave some unread). Empty when no reading holds."""
    chain = [a for a in anchors if a.row in by_row]
    if not chain:
        return {}
    start = span_to(tokens, matches, chain[0].index, -1, -1)[1] + 1
    values = [i for i in range(start, hi) if tokens[i].kind == VALUE]
    if not values or any(not _is_number(tokens[i].text) for i in values):
        return {}
    order = printed_rows(list(by_row))
    if sum(len(by_row[row].keys) for row in order) != len(values):
        return {}
    found = _readings(tokens, values, order, by_row, rules, chain)
    return _cells(tokens, values, found, order, by_row) if found else {}


def _is_number(text: str) -> bool:
    return numbers([Piece(text, 0)])[0] is not None


def _readings(tokens, values: list[int], order: list[str], by_row: dict, rules, chain) -> _Readings | None:
    """Every way to cut the numbers into the rows in order, runs of rows printed by rows or in column blocks
    (``_block_orders``), that keeps every row's own identities, agrees with the labels standing alone among the
    numbers and balances every identity across rows; None past MAX_STATES.

    The ways are not listed one by one: a table of many rows of zeros around a few non-zero ones has as many ways
    to cut them as the product of its runs' choices (seed 23's rf000: 90, of which one balances), and a cap on
    the ways left such tables unread. A cut's blocks each add to every identity across rows a fixed amount, so
    the ways form a graph of (row, balances so far) with the cuts' blocks as edges; a block is in some way that
    holds when it leaves a balance reached from the table's first row from which the last row is reached at 0."""
    widths = [len(by_row[row].keys) for row in order]
    offsets = [0]
    for w in widths:
        offsets.append(offsets[-1] + w)
    inside = [identities_inside(by_row[row].keys, rules) for row in order]
    numbers_at = [numbers([Piece(tokens[i].text, 0)])[0] for i in values]
    rank = {row: k for k, row in enumerate(order)}
    # Labels standing alone among the numbers: their row, and the place of the number right after them.
    alone = [(rank[a.row], a.index, next(p for p, i in enumerate(values) if i > a.index)) for a in chain
             if a.row in rank and values[0] < a.index < values[-1]
             and _number_beside(tokens, a.index, -1) and _number_beside(tokens, a.index, 1)]
    across = _identities_across(order, by_row, rules)

    def row_holds(k: int, at: list[int]) -> bool:
        row_numbers = [numbers_at[p] for p in at]
        return all(abs(sum(row_numbers[i] for i in left) - sum(row_numbers[i] for i in right)) < 1e-6
                   for left, right, _ in inside[k])

    def labels_agree(first: int, rows_at: list[list[int]]) -> bool:
        """The number right after a label alone among the numbers is its row's, an earlier row's (a column block
        starts with an earlier row) or the next row's (PDF text sets a one-line row's number beside the label
        above it), never one further down: the reading would have the rows out of the text's order."""
        lo, hi = offsets[first], offsets[first + len(rows_at)]
        owner = {p: first + r for r, at in enumerate(rows_at) for p in at}
        return not any(lo <= after < hi and owner[after] > row + 1 for row, _, after in alone)

    def shares(first: int, rows_at: list[list[int]]) -> tuple[int, ...]:
        """What the block's rows add to each identity across rows (left side less right side, as ``solve``
        rounds it)."""
        out = []
        for rule in across:
            total = 0
            for r, at in enumerate(rows_at):
                places = rule[first + r]
                total += round(sum(numbers_at[at[c]] * sign for c, sign in places) * EXACT)
            out.append(total)
        return tuple(out)

    # The blocks that may start at each row, whatever came before: (rows, each row's number positions, shares).
    blocks: list[list[tuple[int, list[list[int]], tuple[int, ...]]]] = []
    for k in range(len(order)):
        here = []
        for count in range(1, min(MAX_BLOCK, len(order) - k) + 1):
            if widths[k + count - 1] != widths[k]:
                break
            for order_of in _block_row_orders(offsets[k], count, widths[k]):
                # Each row's positions made as they are checked: most orders fail at their first row.
                if not all(row_holds(k + r, order_of(r)) for r in range(count)):
                    continue
                rows_at = [order_of(r) for r in range(count)]
                if labels_agree(k, rows_at):
                    here.append((count, rows_at, shares(k, rows_at)))
        blocks.append(here)

    def plus(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(x + y for x, y in zip(a, b))

    zero = (0,) * len(across)
    reached: list[set] = [set() for _ in range(len(order) + 1)]
    reached[0].add(zero)
    states = 1
    for k in range(len(order)):
        for balance in reached[k]:
            for count, _, share in blocks[k]:
                after = plus(balance, share)
                if after not in reached[k + count]:
                    reached[k + count].add(after)
                    states += 1
                    if states > MAX_STATES:
                        return None
    # The balances from which the rest of the rows can close every identity at 0.
    closing: list[set] = [set() for _ in range(len(order) + 1)]
    closing[len(order)] = {zero} & reached[len(order)]
    for k in range(len(order) - 1, -1, -1):
        closing[k] = {b for b in reached[k] if any(plus(b, share) in closing[k + count]
                                                    for count, _, share in blocks[k])}
    if zero not in closing[0]:
        return _Readings([], [])
    # The blocks on some way that holds, and one such way (the first found, rows read row by row first).
    used = [[(count, rows_at) for count, rows_at, share in blocks[k]
             if any(plus(b, share) in closing[k + count] for b in closing[k])] for k in range(len(order))]
    first, k, balance = [], 0, zero
    while k < len(order):
        count, rows_at, share = next(b for b in blocks[k] if plus(balance, b[2]) in closing[k + b[0]])
        first.append((k, rows_at))
        k, balance = k + count, plus(balance, share)
    return _Readings(used, first)


@dataclass
class _Readings:
    """The ways to cut a table's numbers into its rows that hold: per row, the blocks starting there on some such
    way (rows, each row's number positions); and one way, as (first row, each row's number positions) per block."""
    used: list[list[tuple[int, list[list[int]]]]]
    first: list[tuple[int, list[list[int]]]]


def _identities_across(order: list[str], by_row: dict, rules) -> list[list[list[tuple[int, int]]]]:
    """The identities whose cells lie in two rows or more of the table (``one_reading_holds``' own), each as, per
    row, the (column, sign) of its cells there."""
    owner = {key: k for k, row in enumerate(order) for key in by_row[row].keys}
    out = []
    for rule in rules:
        keys = rule.left + rule.right
        if not all(k in owner for k in keys) or len({owner[k] for k in keys}) < 2:
            continue
        per_row: list[list[tuple[int, int]]] = [[] for _ in order]
        for sign, side in ((1, rule.left), (-1, rule.right)):
            for key in side:
                per_row[owner[key]].append((by_row[order[owner[key]]].keys.index(key), sign))
        out.append(per_row)
    return out


def _block_orders(base: int, count: int, width: int) -> list[list[list[int]]]:
    """The ways a run of ``count`` rows of ``width`` cells is printed, as the positions of each row's numbers: row
    after row; or, for several rows, column after column (10 rows: 10 numbers of the first column, then of the
    second …), or the first column apart and then the rest row by row, or the rest row by row and then the last
    column apart (a column PDF text reads as a block of its own)."""
    return [[order_of(r) for r in range(count)] for order_of in _block_row_orders(base, count, width)]


def _block_row_orders(base: int, count: int, width: int) -> list:
    """``_block_orders`` as functions, one an order, giving the positions of row r's numbers (counted off as
    ``_block_orders`` lists them: column after column, the first column apart, the last column apart)."""
    if count == 1:
        return [lambda r: list(range(base, base + width))]
    rest = width - 1
    return [lambda r: [base + c * count + r for c in range(width)],
            lambda r: [base + r] + [base + count + r * rest + c for c in range(rest)],
            lambda r: [base + r * rest + c for c in range(rest)] + [base + count * rest + r]]


def _number_beside(tokens, i: int, step: int) -> bool:
    """Whether the cell next to token ``i`` (empty lines passed over) is a number."""
    i += step
    while 0 <= i < len(tokens) and tokens[i].kind == BREAK:
        i += step
    return 0 <= i < len(tokens) and tokens[i].kind == VALUE


def _cells(tokens, values: list[int], found: _Readings, order: list[str], by_row: dict) -> dict[str, Cell]:
    """The cells of the ways that hold: a cell every such way gives one number is read, one they disagree on is
    ambiguous (the first way's number, flagged, with every number it takes); empty when no way holds."""
    if not found.first:
        return {}
    seen: dict[str, set] = {}
    for k, starting in enumerate(found.used):
        for _, rows_at in starting:
            for r, at in enumerate(rows_at):
                keys = by_row[order[k + r]].keys
                for c, p in enumerate(at):
                    seen.setdefault(keys[c], set()).add(numbers([Piece(tokens[values[p]].text, 0)])[0])
    out: dict[str, Cell] = {}
    for k, rows_at in found.first:
        for r, at in enumerate(rows_at):
            for c, key in enumerate(by_row[order[k + r]].keys):
                token = tokens[values[at[c]]]
                value, kind = parse_value(Piece(token.text, token.line))
                if len(seen[key]) == 1:
                    out[key] = Cell(value, token.text, kind, token.line, IN_ORDER, token=token,
                                    note="read in the template's order, the text printing the row labels apart "
                                         "from their numbers: every identity of the table holds")
                else:
                    out[key] = Cell(value, token.text, "ambiguous", token.line, READINGS_DIFFER,
                                    candidates=sorted(seen[key]), token=token,
                                    note="the numbers read in the template's order fit the identities in more "
                                         "than one way")
    return out


# ------------------------------------------------------------------------------------------------ table 4

# A table-4 reading whose group totals do not all hold (the source's own error, or numbers out of order): its
# cells are given as printed in the template's order, flagged.
GROUPS_FAIL = 0.5
# At most this many ways to split table 4's numbers into its three groups are weighed.
MAX_SPLITS = 256


def read_appeals_in_order(tokens: list[Token], matches, start: int, keys: tuple[str, ...], rules) -> dict[str, Cell]:
    """Table 4's fifteen cells when all fifteen are printed after its heading (from token ``start`` to the next
    section) but not right after its column heads: plain pdftotext puts header pieces among them, or prints the
    groups' columns interleaved (72 64 178 37 / 12 1 1 6 / 351 / 13 4 8 1 26 / 20).

    Read in the template's order when the three group totals hold so; else every way to split the numbers, in
    order, into three groups of five whose totals hold, each group named by the nearest group label (行政复议,
    未经复议直接起诉, 复议后起诉) before its first number; cells the splits disagree on are ambiguous. With no split
    that holds, the template's order, flagged."""
    end = start + 1
    while end < len(tokens) and not _ends_the_table(tokens, matches, end):
        end += 1
    region = range(start, end)
    if any(tokens[i].kind == BLANK for i in region):
        return {}
    values = [i for i in region if tokens[i].kind == VALUE]
    groups = [keys[g * 5:(g + 1) * 5] for g in range(len(keys) // 5)]
    if len(values) != len(keys) or any(not _is_number(tokens[i].text) for i in values):
        return {}
    of = {i: numbers([Piece(tokens[i].text, 0)])[0] for i in values}

    def holds(at: tuple[int, ...]) -> bool:
        return abs(sum(of[i] for i in at[:-1]) - of[at[-1]]) < 1e-6

    plain = [tuple(values[g * 5:(g + 1) * 5]) for g in range(len(groups))]
    if all(holds(at) for at in plain):
        return _appeal_cells(tokens, [plain], groups, IN_ORDER, "read in the template's order after table 4's "
                                                                 "heading: its group totals hold",
                             parts_in_text_order=not _under_whole_heads(tokens, matches, start, values))
    splits = _splits(values, len(groups), holds)
    if not splits:
        return _appeal_cells(tokens, [plain], groups, GROUPS_FAIL, "read in the template's order after table 4's "
                                                                   "heading: its group totals do not hold")
    named = _named(tokens, matches, region, splits)
    return _appeal_cells(tokens, named, groups, IN_ORDER, "table 4's numbers printed out of the template's order "
                                                          "(PDF text), split into its groups by their totals and "
                                                          "named by the group labels before them",
                         parts_in_text_order=True)


# The column heads of table 4's four parts (总计 names table 3's rows too), as the label classifier names them.
_PART_HEADS = frozenset(f"column.{c}" for c in schema.APPEAL_COLUMNS[:-1])


def _under_whole_heads(tokens, matches, start: int, values: list[int]) -> bool:
    """Whether the fifteen numbers stand together right after a header whose parts' column heads were read whole
    (a grid's row of fifteen, a cell per line, a one-line page): their order is the grid's. Heads printed as stacked characters (结 结 其
    / 果 果 他, plain pdftotext) leave the numbers in the order the PDF drew them, which can differ."""
    labels = [i for i in range(start, values[0]) if tokens[i].kind == LABEL]
    heads = {matches[i].category for i in labels if i in matches}.union(
        *(categories_within(tokens[i].text) for i in labels))     # a one-line page's header is one label
    together = not any(tokens[i].kind == LABEL for i in range(values[0], values[-1]))
    return together and _PART_HEADS <= heads


def _ends_the_table(tokens, matches, i: int) -> bool:
    m = matches.get(i)
    return tokens[i].kind == LABEL and m is not None and m.category.startswith("section.") \
        and m.category != "section.appeals"


def _splits(values: list[int], count: int, holds) -> list[list[tuple[int, ...]]]:
    """Every way to split the numbers, each group keeping the text's order, into ``count`` groups of five whose
    totals hold (groups listed by their first number's place); none when more than MAX_SPLITS."""
    out: list[list[tuple[int, ...]]] = []

    def split(rest: list[int], made: list[tuple[int, ...]]) -> bool:
        if not rest:
            out.append(list(made))
            return len(out) <= MAX_SPLITS
        first, others = rest[0], rest[1:]
        for tail in combinations(others, 4):
            group = (first, *tail)
            if holds(group) and not split([i for i in others if i not in tail], made + [group]):
                return False
        return True

    if not split(values, []) or len(out) > MAX_SPLITS:
        return []
    return [groups for groups in out if len(groups) == count]


GROUP_LABELS = tuple(f"appeals.{g}" for g in schema.APPEAL_GROUPS)


def _named(tokens, matches, region, splits: list[list[tuple[int, ...]]]) -> list[list[tuple[int, ...]]]:
    """Each split's groups in the template's order, the splits that interleave the groups least first (a reader
    interleaves whole columns of a table, not single cells). 行政复议, the template's leftmost group, is the group
    printed first; each of the two litigation groups is the one right after its own label (未经复议直接起诉,
    复议后起诉) — when both labels point at the same group, the nearer one has it — and, with neither label
    before them, they keep the order they are printed in."""
    sub_labels = [(i, matches[i].category) for i in region if tokens[i].kind == LABEL and i in matches
                  and matches[i].category in GROUP_LABELS[1:]]
    named = []
    for groups in sorted(splits, key=_interleaving):
        review, *litigation = sorted(groups, key=lambda g: g[0])
        claims: dict[tuple, tuple[int, str]] = {}
        for at, category in sub_labels:
            after = [g for g in litigation if g[0] > at]
            if after:
                group = min(after, key=lambda g: g[0])
                if group not in claims or claims[group][0] < at:
                    claims[group] = (at, category)
        by_name = {category: group for group, (_, category) in claims.items()}
        if len(by_name) == 1:
            (category, group), = by_name.items()
            other = next(g for g in litigation if g is not group)
            by_name[next(c for c in GROUP_LABELS[1:] if c != category)] = other
        if len(by_name) != 2:
            by_name = dict(zip(GROUP_LABELS[1:], litigation))
        named.append([review] + [by_name[c] for c in GROUP_LABELS[1:]])
    return named


def _interleaving(groups: list[tuple[int, ...]]) -> int:
    """How many runs of consecutive numbers the split's groups are cut into."""
    position = {i: k for k, i in enumerate(sorted(i for g in groups for i in g))}
    return sum(1 + sum(position[b] != position[a] + 1 for a, b in zip(g, g[1:])) for g in groups)


# A group's four parts read in the text's order when they are not all alike: its total holds whichever column each
# stands in (PDF text can print 1 0 0 0 as 0 1 0 0), so the order alone placed them.
PARTS_IN_TEXT_ORDER = 0.6


def _appeal_cells(tokens, readings: list[list[tuple[int, ...]]], groups, confidence: float, note: str,
                  parts_in_text_order: bool = False) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    for g, group_keys in enumerate(groups):
        parts = {numbers([Piece(tokens[r[g][c]].text, 0)])[0] for r in readings for c in range(len(group_keys) - 1)}
        for c, key in enumerate(group_keys):
            seen = sorted({numbers([Piece(tokens[r[g][c]].text, 0)])[0] for r in readings})
            token = tokens[readings[0][g][c]]
            value, kind = parse_value(Piece(token.text, token.line))
            if (parts_in_text_order and len(seen) == 1 and c < len(group_keys) - 1 and len(parts) > 1
                    and confidence > PARTS_IN_TEXT_ORDER):
                out[key] = Cell(value, token.text, kind, token.line, PARTS_IN_TEXT_ORDER, token=token,
                                note=note + "; the group total holds whichever of its columns each part stands in: "
                                            "the text's order alone placed it")
            elif len(seen) == 1:
                out[key] = Cell(value, token.text, kind, token.line, confidence, token=token, note=note)
            else:
                out[key] = Cell(value, token.text, "ambiguous", token.line, READINGS_DIFFER, candidates=seen,
                                token=token, note=note + "; the splits disagree on this cell")
    return out
