"""Read a table whose row labels stand apart from its numbers by the template's order (stage 2e of the recovery).

Plain ``pdftotext`` of a ruled table prints its cells in reading order, but not beside their labels: the labels of
a block of rows come before or after the block's numbers, and a block whose rows are short (one line each) is
printed column by column: k rows × 7 columns as 7 runs of k numbers (0 1 0 0 0 1 1 0 10 3 / 0 0 … / … for ten
rows). When every cell is printed (a source that prints its zeros), the numbers are still the table's cells in
the template's order, row after row or block after block; and the count of numbers says which rows the table has
(the 2021 template's three （六） rows, or a 2019-style single one, as the labels found tell).

Chromium's PDF adds two orders: a page's rows with their first column printed beside their labels and the other
cells as a grid after them (85 / 1 / 8 … amid the labels, then 0 0 0 0 0 85 / …), and one row whose first cell
stands beside its wrapped label's second line, after its other cells (0 0 0 0 0 7 / 全一稳定” 7).

So the numbers are cut into the template's rows in order, each run of rows read row by row or column by column,
and a reading is kept only when every row's total and every identity across rows holds. The number right after
a label standing alone among the numbers must not be a row's two or more rows further down.
Cells that differ between the readings that hold are ambiguous (flagged, with candidates).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from heapq import heappop, heappush
from itertools import combinations, permutations

from .. import schema
from ..datamodel import BLANK, BREAK, LABEL, VALUE, Cell, Token
from ..labels.dictionary import categories_within
from .appeals import LABEL_EVIDENCE, TABLE4_ONLY
from .arrange import EXACT, identities_inside, printed_rows
from .placement import Piece, numbers, parse_value, span_to
from .rowlabels import NUMBERING_FORMS

# How sure a cell read in the template's order is: every identity of the table holds over it, but its label was
# not beside it (the order alone put it in its row).
IN_ORDER = 0.9
# Cells on which the readings that hold disagree: the first reading's value, flagged.
READINGS_DIFFER = 0.5
# How sure a cell of a table without identities (table 2) is when read in the template's order: no sum tells a
# right order from a wrong one, so it stays flagged, below the 0.9 from which a cell counts as confident.
ORDER_ONLY = 0.8

# A row's numbering anywhere in a label's piece (（三 1.属于: after a group's wrapped name): the piece opens a row's label.
_ROW_NUMBERING = re.compile(NUMBERING_FORMS)
# A label read at better than even odds names its row: a number alone right after it is that row's first cell.
ROW_NAMED = 0.5
# At most this many rows are read column by column as one block (a page of short rows).
MAX_BLOCK = 25
# A run of rows is read with its first column printed apart only when labels part that column's numbers in at
# least this share of its gaps: Chromium sets the first cell of each row beside the row's label, the others as a
# grid after them (seed 23's rf001: 19 of 22 gaps), where a table printed row by row has its numbers together.
FIRST_COLUMN_AMID_LABELS = 0.5
# The bits each identity's balance takes in the one integer a balance is packed into: room for sums of 2^80
# millionths either way, far past any table's, so that packed balances add without one spilling into the next.
BALANCE_BITS = 96
# At most this many (row, balances of the identities across rows) states are weighed while cutting the numbers
# (past it nothing is read): each is a distinct set of sums of the rows before it, which stay few in a table.
# Runs of rows of zeros around a few non-zero ones make the most: seed 53's rf027 of Chromium (a 2019 table 3 of
# nine non-zero rows) needs 34,593, weighed in 0.8 s; the bound keeps a pathological text to about a second.
MAX_STATES = 50_000


@dataclass(frozen=True)
class _Block:
    first: int          # the block's first row, as a position in the row list
    rows: int           # how many rows
    start: int          # the position of its first number


def read_in_order(tokens: list[Token], matches, anchors, by_row: dict, rules, hi: int,
                  lo: int | None = None) -> dict[str, Cell]:
    """The cells of every row of a table whose numbers, all printed, are its cells in the template's order
    (``recover`` asks when its rows by their labels leave some unread). Empty when no reading holds.

    The numbers are those from the run before the first row's label on, or, when they are not as many as the
    table's cells, all those after the table's heading (token ``lo``): the first label found can be the second
    line of a wrapped one (一、本年 / 7 0 0 … / 新收政府信息公开申请数量, LibreOffice's PDF), its row's numbers before it."""
    chain = [a for a in anchors if a.row in by_row]
    if not chain:
        return {}
    order = printed_rows(list(by_row))
    cells = sum(len(by_row[row].keys) for row in order)
    start = span_to(tokens, matches, chain[0].index, -1, -1)[1] + 1
    tried = [[i for i in range(start, hi) if tokens[i].kind == VALUE]]
    if lo is not None:
        tried.append([i for i in range(lo, hi) if tokens[i].kind == VALUE])
    tried += [_without_strays(tokens, matches, chain, found, by_row) for found in tried]
    short = cells - len(tried[0])
    if 0 < short < len(by_row[order[-1]].keys):
        tried += [tried[0] + past] if (past := _past_the_next_heading(tokens, matches, hi, short)) else []
    values = next((found for found in tried if len(found) == cells), tried[0])
    if not values or any(not _is_number(tokens[i].text) for i in values):
        return {}
    if cells != len(values):
        return {}
    found = _readings(tokens, values, order, by_row, rules, chain)
    if found is not None and not found.first and rules:
        # No way holds with every number in the stream: some rows' first cells may stand alone among the labels,
        # and, failing that, the first row's numbers may stand in any order among the column heads.
        namings = _first_cells_beside_labels(tokens, matches, values, order, chain)
        tries = [(detached, False) for detached in namings]
        if _first_row_among_heads(tokens, matches, values, len(by_row[order[0]].keys)):
            tries += [({}, True)] + [(detached, True) for detached in namings]
        for any_order in (False, True):
            ways = [w for w in (_readings(tokens, values, order, by_row, rules, chain, detached, first)
                                for detached, first in tries if first == any_order)
                    if w is not None and w.first]
            if ways:
                # Every way that holds under any naming counts: a cell they read differently stays ambiguous.
                found = _Readings([block for w in ways for block in w.used], ways[0].first)
                break
    return _cells(tokens, values, found, order, by_row, IN_ORDER if rules else ORDER_ONLY) if found else {}


def _without_strays(tokens, matches, chain, values: list[int], by_row: dict) -> list[int]:
    """The numbers less those that cannot be the table's cells, tried when the numbers are not as many as the
    cells: a number with a fraction in a table of counts (table 2's fees, 551.4, printed past table 3's labels); a
    word read as a value (无, none) set on the line right before a label's piece with no empty line between, the
    label's first character (4.无 / 正当理由大量 / 反复申请: pdftotext parts cells by empty lines, not a label's
    lines); and the numbers past a head only table 4 has, after the table's last row label (结果维持 … and its
    rows' zeros, where table 4's heading was not read)."""
    if not values:
        return values
    counts = not any(column.startswith("amount") for spec in by_row.values() for column in spec.columns)
    last = max(a.index for a in chain)
    table4 = next((i for i in range(last + 1, values[-1] + 1) if tokens[i].kind == LABEL
                   and _names_a_table4_head(matches.get(i), tokens[i].text)), None)
    out = []
    for i in values:
        if table4 is not None and i > table4:
            break
        number = numbers([Piece(tokens[i].text, 0)])[0]
        if counts and isinstance(number, float) and not number.is_integer():
            continue
        if (not any(c.isdigit() for c in tokens[i].text) and i + 1 < len(tokens)
                and tokens[i + 1].kind == LABEL):
            continue
        out.append(i)
    return out


def _past_the_next_heading(tokens, matches, hi: int, count: int) -> list[int]:
    """The ``count`` numbers right after the next section's heading (token ``hi``), none but empty lines between:
    a page break can set the last row's last cells past table 4's heading (… 0 0 0 0 0 0 / 四、政府信息公开行政复议、
    行政诉讼情况 / 0 / 0 …), the rest of the page's reading order. Empty when the heading is not one, or a label comes
    first. The sums across rows pin the last row's cells, so a number taken from table 4 holds only where it is
    the one they ask for."""
    match = matches.get(hi)
    if not (hi < len(tokens) and tokens[hi].kind == LABEL and match is not None
            and match.category.startswith("section.") and match.confidence >= LABEL_EVIDENCE):
        return []
    out, j = [], hi + 1
    while j < len(tokens) and len(out) < count and tokens[j].kind in (VALUE, BREAK):
        if tokens[j].kind == VALUE:
            out.append(j)
        j += 1
    return out if len(out) == count else []


def _names_a_table4_head(match, text: str) -> bool:
    """Whether a label is one of table 4's heads or groups, which table 3 has none of (its 总计 and 其他 are both's)."""
    return ((match is not None and match.category in TABLE4_ONLY and match.confidence >= LABEL_EVIDENCE)
            or bool(categories_within(text) & TABLE4_ONLY))


def _is_number(text: str) -> bool:
    return numbers([Piece(text, 0)])[0] is not None


def _readings(tokens, values: list[int], order: list[str], by_row: dict, rules, chain,
              detached: dict[int, int] | None = None, first_row_any_order: bool = False) -> _Readings | None:
    """Every way to cut the numbers into the rows in order, runs of rows printed by rows or in column blocks
    (``_block_orders``), a row's first cell after its others, a run's first column apart among its labels before
    the rest cut so in turn, that keeps every row's own identities, agrees with the labels standing alone among the
    numbers and balances every identity across rows; None past MAX_STATES.

    The ways are not listed one by one: a table of many rows of zeros around a few non-zero ones has as many ways
    to cut them as the product of its runs' choices (seed 23's rf000: 90, of which one balances), and a cap on
    the ways left such tables unread. A cut's blocks each add to every identity across rows a fixed amount, so
    the ways form a graph of (row, balances so far) with the cuts' blocks as edges; a block is in some way that
    holds when it leaves a balance reached from the table's first row from which the last row is reached at 0.

    ``detached`` gives rows (by their place in ``order``) whose first cell is the number at that place, standing
    alone among the labels (``_first_cells_beside_labels``): the other numbers, the stream, are cut into the rows'
    other cells as above, and each such row's first cell is put before them. ``first_row_any_order`` lets the
    first row's numbers stand in any order (``_first_row_among_heads``), each distinct order of its values one
    edge: the sums across rows, not the text, then say which number is which column's."""
    detached = detached or {}
    apart = set(detached.values())
    stream = [p for p in range(len(values)) if p not in apart]
    widths = [len(by_row[row].keys) - (k in detached) for k, row in enumerate(order)]
    offsets = [0]
    for w in widths:
        offsets.append(offsets[-1] + w)

    def full(k: int, at: list[int]) -> list[int]:
        """Row k's number positions from its places in the stream, its first cell put first when it stands apart."""
        return ([detached[k]] if k in detached else []) + [stream[s] for s in at]
    inside = [identities_inside(by_row[row].keys, rules) for row in order]
    numbers_at = [numbers([Piece(tokens[i].text, 0)])[0] for i in values]
    rank = {row: k for k, row in enumerate(order)}
    # Labels standing alone among the numbers: their row, and the place of the number right after them.
    alone = [(rank[a.row], a.index, next(p for p, i in enumerate(values) if i > a.index)) for a in chain
             if a.row in rank and values[0] < a.index < values[-1]
             and _number_beside(tokens, a.index, -1) and _number_beside(tokens, a.index, 1)]
    across = _identities_across(order, by_row, rules)
    # Whether a label stands between each number and the next.
    label_after = [any(tokens[i].kind == LABEL for i in range(a + 1, b)) for a, b in zip(values, values[1:])] + [True]

    def row_holds(k: int, at: list[int]) -> bool:
        row_numbers = [numbers_at[p] for p in at]
        return all(abs(sum(row_numbers[i] for i in left) - sum(row_numbers[i] for i in right)) < 1e-6
                   for left, right, _ in inside[k])

    def labels_agree(first: int, rows_at: list[list[int]]) -> bool:
        """The number right after a label alone among the numbers is its row's, an earlier row's (a column block
        starts with an earlier row) or the next row's (PDF text sets a one-line row's number beside the label
        above it), never one further down: the reading would have the rows out of the text's order."""
        owner = {p: first + r for r, at in enumerate(rows_at) for p in at}
        return not any(after in owner and owner[after] > row + 1 for row, _, after in alone)

    def shares(first: int, rows_at: list[list[int]]) -> int:
        """What the block's rows add to each identity across rows (left side less right side, as ``solve``
        rounds it), the identities' amounts packed into one integer (``BALANCE_BITS`` each, so that balances add
        as integers)."""
        out = 0
        for j, rule in enumerate(across):
            total = 0
            for r, at in enumerate(rows_at):
                places = rule[first + r]
                total += round(sum(numbers_at[at[c]] * sign for c, sign in places) * EXACT)
            out += total << (BALANCE_BITS * j)
        return out

    def edge(first: int, rows_at: list[list[int]], to: tuple) -> tuple | None:
        if all(row_holds(first + r, at) for r, at in enumerate(rows_at)) and labels_agree(first, rows_at):
            return to, first, rows_at, shares(first, rows_at)
        return None

    def same_width(k: int, most: int) -> int:
        """How many rows from row k on (at most ``most``) have row k's width."""
        n = 1
        while n < min(most, len(order) - k) and widths[k + n] == widths[k]:
            n += 1
        return n

    # The graph's nodes: (row, None) between blocks, (row, (first row, rows)) inside a run of rows whose first
    # column is printed apart before the rest. Edges: (node it leads to, first row, each row's number positions,
    # what it adds to the identities across rows).
    edges: dict[tuple, list[tuple]] = {}

    def edges_from(node: tuple) -> list[tuple]:
        if node in edges:
            return edges[node]
        k, run = node
        out = []
        if run is None and k == 0 and first_row_any_order:
            distinct: dict[tuple, list[int]] = {}
            for order_of_cells in permutations(range(widths[0])):
                at = full(0, [offsets[0] + c for c in order_of_cells])
                distinct.setdefault(tuple(numbers_at[p] for p in at), at)
            out.extend(edge(0, [at], (1, None)) for at in distinct.values())
        if run is None:
            for count in range(1, same_width(k, MAX_BLOCK) + 1):
                for in_stream in _block_row_orders(offsets[k], count, widths[k]):
                    def order_of(r, in_stream=in_stream):
                        return full(k + r, in_stream(r))
                    # Each row's positions made as they are checked: most orders fail at their first row.
                    if all(row_holds(k + r, order_of(r)) for r in range(count)):
                        out.append(edge(k, [order_of(r) for r in range(count)], (k + count, None)))
            # The orders below are the stream's own, each row whole in it: not read with first cells apart.
            if widths[k] > 1 and not detached:
                # One row whose first cell is printed after its others (3.危及“三安 / 0 0 0 0 0 7 / 全一稳定” 7:
                # the first cell stands beside the wrapped label's second line).
                base, rest = offsets[k], widths[k] - 1
                out.append(edge(k, [[base + rest] + list(range(base, base + rest))], (k + 1, None)))
                # A run's first column printed apart, its other cells after it in blocks of their own (Chromium
                # sets the first column of a page's rows beside their labels, the rest as a grid after them):
                # only where the text shows it, the column's numbers amid labels and a label before the grid.
                for count in range(2, same_width(k, MAX_BLOCK) + 1):
                    column = offsets[k]
                    amid = sum(label_after[column + r] for r in range(count - 1))
                    if label_after[column + count - 1] and amid >= FIRST_COLUMN_AMID_LABELS * (count - 1):
                        out.append(((k, (k, count)), k, [], 0))
        else:
            first, count = run
            rest = widths[k] - 1
            start = offsets[first] + count + (k - first) * rest
            for m in range(1, first + count - k + 1):
                rows_at = [[offsets[first] + k - first + j] + [start + c * m + j for c in range(rest)]
                           for j in range(m)]
                out.append(edge(k, rows_at, (k + m, run if k + m < first + count else None)))
        edges[node] = [e for e in out if e is not None]
        return edges[node]

    def node_order(node: tuple) -> tuple:
        """Nodes in the order edges lead: by row, a row's node between blocks before the runs starting there."""
        k, run = node
        return k, run is not None, run or ()

    zero = 0
    start_node, end_node = (0, None), (len(order), None)
    reached: dict[tuple, set] = {start_node: {zero}}
    pending = [(node_order(start_node), start_node)]
    done: list[tuple] = []
    states = 1
    while pending:
        _, node = heappop(pending)
        done.append(node)
        if node == end_node:
            continue
        for to, _, _, share in edges_from(node):
            if to not in reached:
                heappush(pending, (node_order(to), to))
            into = reached.setdefault(to, set())
            for balance in reached[node]:
                after = balance + share
                if after not in into:
                    into.add(after)
                    states += 1
                    if states > MAX_STATES:
                        return None
    # The balances from which the rest of the rows can close every identity at 0.
    closing: dict[tuple, set] = {end_node: {zero} & reached.get(end_node, set())}
    for node in reversed(done):
        if node != end_node:
            closing[node] = {b for b in reached[node] if any(b + share in closing.get(to, ())
                                                              for to, _, _, share in edges[node])}
    if zero not in closing[start_node]:
        return _Readings([], [])
    # The blocks on some way that holds, and one such way (the first found, rows read row by row first).
    used = [(first, rows_at) for node in done if node != end_node for to, first, rows_at, share in edges[node]
            if rows_at and any(b + share in closing.get(to, ()) for b in closing[node])]
    way, node, balance = [], start_node, zero
    while node != end_node:
        to, first, rows_at, share = next(e for e in edges[node] if balance + e[3] in closing.get(e[0], ()))
        if rows_at:
            way.append((first, rows_at))
        node, balance = to, balance + share
    return _Readings(used, way)


@dataclass
class _Readings:
    """The ways to cut a table's numbers into its rows that hold: the blocks on some such way, and one way, each
    block as (its first row, each row's number positions)."""
    used: list[tuple[int, list[list[int]]]]
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


def _first_cells_beside_labels(tokens, matches, values: list[int], order: list[str], chain) -> list[dict[int, int]]:
    """The ways to name the rows whose first cell stands alone among the labels, each as {its place in ``order``:
    the place of that number among ``values``}: LibreOffice's PDF sets a row's first cell (the column beside the
    labels) level with the middle of its wrapped label, and plain pdftotext prints it amid the label's pieces
    (4.保护第三方合法 / 0 / （三 / 权益), while the row's other cells stay in the stream of numbers, sometimes pages
    away. A number alone between labels is the first cell of the row named by the nearest label before it (back to
    the previous number); or, where the piece right before it names no row, by the nearest after it (（三 1.属于 /
    0 / ）不 国家秘密: the label's first line too short to name its row); or by the label after it only where a
    piece back to the nearest named label opens a row's label (its numbering). At most these three ways; a number no label
    names stays in the stream (一、本年 / 993 / 科研: the first row's first cell among the heads), and a way where two
    numbers name one row is left out: the reading would rest on a guess."""
    rank = {row: k for k, row in enumerate(order)}
    anchor_row = {a.index: a.row for a in chain if a.row in rank}

    def named(j: int) -> str | None:
        return anchor_row.get(j) or _row_named(matches.get(j), rank) if tokens[j].kind == LABEL else None

    def nearest(i: int, step: int) -> str | None:
        j = i + step
        while 0 <= j < len(tokens) and tokens[j].kind in (LABEL, BREAK):
            if (row := named(j)) is not None:
                return row
            j += step
        return None

    def opened_here(i: int) -> bool:
        """Whether, back from token i to the nearest label naming a row, a piece opens a row's label (its
        numbering, 1.本机关不 / 125 / ）无 / 法提 掌握相关政府信息): the number stands inside that label, named after it."""
        j = i - 1
        while j >= 0 and tokens[j].kind in (LABEL, BREAK) and named(j) is None:
            if tokens[j].kind == LABEL and _ROW_NUMBERING.search(tokens[j].text):
                return True
            j -= 1
        return False

    alone = [(p, i) for p, i in enumerate(values) if _label_beside(tokens, i, -1) and _label_beside(tokens, i, 1)]
    ways = []
    for naming in ("before", "after", "numbering"):
        way: dict[int, int] = {}
        for p, i in alone:
            before = i - 1
            while tokens[before].kind == BREAK:
                before -= 1
            forward = (naming == "after" and named(before) is None) or (naming == "numbering" and opened_here(i))
            row = (nearest(i, 1) if forward else None) or nearest(i, -1)
            if row is None:
                continue        # named by no label: left in the stream, where the reading without it had it
            if rank[row] in way:
                way = {}
                break
            way[rank[row]] = p
        if way and way not in ways:
            ways.append(way)
    return ways


def _first_row_among_heads(tokens, matches, values: list[int], width: int) -> bool:
    """Whether the first row's numbers are parted by the table's column heads (LibreOffice's PDF: 一、本年 / 993 /
    科研 / 商业企业 / 机构 / 0 0 / 社会 / 法律服务 … 总计 / 0 993 0 0): the heads' wrapped blocks and the first
    row's cells come out interleaved, the cells no longer in the columns' order."""
    if len(values) < width:
        return False
    return any(tokens[i].kind == LABEL and matches.get(i) is not None and matches[i].category.startswith("column.")
               and matches[i].confidence >= LABEL_EVIDENCE for i in range(values[0] + 1, values[width - 1]))


def _label_beside(tokens, i: int, step: int) -> bool:
    """Whether the token next to token ``i`` (empty lines passed over) is a label."""
    i += step
    while 0 <= i < len(tokens) and tokens[i].kind == BREAK:
        i += step
    return 0 <= i < len(tokens) and tokens[i].kind == LABEL


def _row_named(match, rank: dict) -> str | None:
    """The table's row a label names surely enough to be evidence (a row label not taken as a row's anchor, out
    of the template's order: 3.补正后申请内容仍不明确 printed among page one's labels)."""
    if match is None or match.confidence < ROW_NAMED:
        return None
    row = match.category.split(".", 1)[-1]
    return row if row in rank and match.category.startswith("requests.") else None


def _cells(tokens, values: list[int], found: _Readings, order: list[str], by_row: dict,
           sure: float) -> dict[str, Cell]:
    """The cells of the ways that hold: a cell every such way gives one number is read, one they disagree on is
    ambiguous (the first way's number, flagged, with every number it takes); empty when no way holds."""
    if not found.first:
        return {}
    seen: dict[str, set] = {}
    for k, rows_at in found.used:
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
                    out[key] = Cell(value, token.text, kind, token.line, sure, token=token,
                                    note="read in the template's order, the text printing the row labels apart "
                                         "from their numbers: every identity of the table holds" if sure == IN_ORDER
                                    else "read in the template's order, the text printing the row labels apart "
                                         "from their numbers: no identity vouches for the order")
                else:
                    out[key] = Cell(value, token.text, "ambiguous", token.line, READINGS_DIFFER,
                                    candidates=sorted(seen[key]), token=token,
                                    note="the numbers read in the template's order fit the identities in more "
                                         "than one way" if sure == IN_ORDER
                                    else "the numbers read in the template's order can be cut into rows in more "
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
