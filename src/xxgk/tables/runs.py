"""Read what the template's arithmetic decides of a table 3 whose blank cells print nothing and whose numbers stand
apart from its labels (stage 2f of the recovery), and flag the likeliest reading of the rest.

Plain ``pdftotext`` of a source that prints its zeros as blanks prints table 3's non-zero cells, often in the
template's order, with the labels stacked elsewhere: neither the rows' labels (``arrange``) nor the count of the
numbers (``sequence``, which needs every cell printed) says which numbers are which row's. The arithmetic says part
of it. A row that prints anything prints its total last, the sum of the values before it, so the numbers cut into
such runs, one run a row (or, where Chromium's PDF sets the 总计 column apart, a block of values and one of their
totals); each way they cut is read, and a cell two ways read differently is flagged. The runs are the rows that
printed, in order, and the rows between them printed nothing. Which rows they are the sums do not say for most of
them: the outcome rows (（一）…（六）) are alike to every identity (each column's total is their sum), as are 一、新收
and 二、上年结转 (their sum is 总计 + 结转). So the runs are given to the rows group by group (the input rows, the outcome
rows, 总计, 结转), every way the count of runs allows, each checked by every identity (``arrange.solve``, which also
places each run's values in its row's columns); a row is read sure only where every way that holds gives it the
same cells and its group is fixed (总计 and 结转; the input rows when both or neither print; the outcome rows when all
or none print). In a group left open, a cell an identity forces to 0 is read so; the others take the likeliest
reading, flagged with what else they could hold: each run to the row whose sure label the text sets right before
it, the rest to the rows real reports fill likeliest.
Where no cut holds, the table's last number may have been set past the next table's heading (the first number
within reach after it is tried, its row flagged), or a few numbers printed before their row (a cell set in another
text flow): at most MOST_MOVED of them are put back into a later run, and every cell read so is flagged.
"""
from __future__ import annotations

import math

from .. import schema
from ..datamodel import BLANK, BREAK, LABEL, VALUE, Cell, Token
from .arrange import (Budget, MOST_PLAUSIBLE, Placement, RowToPlace, drops_blanks, identities_inside,
                      row_plausibility, row_prevalence, printed_rows, row_placements, solve)
from .placement import Piece, numbers, parse_value, span_to
from .rowlabels import ROW_ANCHOR, SURE_LABEL

# How sure a row read by the totals alone is: every identity holds over it in every way that holds, but its label
# was not beside it (the order alone put it in its row), as ``sequence.IN_ORDER``.
BY_THE_TOTALS = 0.9
# What a run's row label set right before it in the text adds to the likelihood that the run is that row's: more
# than real reports' preferences between rows (logs of shares), so the label decides where it is; the cells stay
# flagged, as the label is no proof (a row printed blank sets its label before the next row's numbers: 3.其他 /
# 10 10, the 10s 总计's).
LABEL_BEFORE = 100.0
# At most this many ways to cut the numbers into runs are each read (the runs' blocks and rows alike, 2 2 1 1 2 2 1 1
# cuts two ways); more leave the table as the other readings left it.
MAX_CUTS = 4
# At most this many partial solutions are weighed over all the ways to give the runs to the rows (``arrange.solve``'s
# own bound, for the few ways the count of runs allows: at most three for the input rows times four for the tail).
MAX_STATES = 50_000
# A row's total equals the sum of its parts within this (money has decimals; table 3 counts, but a float sum may
# round).
EQUAL = 1e-6


def read_by_totals(tokens: list[Token], matches, anchors, by_row: dict, rules, hi: int,
                   lo: int | None = None) -> dict[str, Cell]:
    """The cells of the rows of table 3 the arithmetic alone decides, in a text that leaves blank cells out
    (``recover`` asks when neither its rows by their labels nor the numbers in the template's order read it)."""
    chain = [a for a in anchors if a.row in by_row]
    order = printed_rows(list(by_row))
    if not chain or not rules:
        return {}
    start = span_to(tokens, matches, chain[0].index, -1, -1)[1] + 1
    tries = [range(start, hi)] + ([range(lo, hi)] if lo is not None else [])
    past = _first_value_past(tokens, hi)
    for borrowed in ((None,) if past is None else (None, past)):
        for span in tries:
            cells = [tokens[i] for i in span if tokens[i].kind != LABEL]
            values = [i for i in span if tokens[i].kind == VALUE]
            if not values or not drops_blanks(cells):
                continue
            found = _read(tokens, matches, values + ([borrowed] if borrowed is not None else []), order, by_row,
                          rules)
            if found:
                return found if borrowed is None else _flag_borrowing_rows(found, tokens[borrowed])
    return {}


# How far past the table's end (in tokens, empty lines and breaks included) its last number may be set: the next
# table's heading and its column heads come between (LibreOffice's PDF sets 结转's total among table 4's heads
# eleven non-empty tokens on, Chromium's after table 4's first head).
BORROW_REACH = 30


def _first_value_past(tokens: list[Token], hi: int) -> int | None:
    """The first number set after the table's end, within BORROW_REACH: plain pdftotext follows the page's text
    flows, and the table's last cell (结转's total, at the page's foot) can be one that comes after the next table's
    heading."""
    for i in range(hi, min(len(tokens), hi + BORROW_REACH)):
        if tokens[i].kind == VALUE:
            return i
    return None


# The other cells of a reading that took a number from past the table's end: the cut into runs and the identities
# that decided them count that number as the table's, which only the sums vouch for (a table wider than the page,
# its 总计 column cut, reads 1 / 1 / 1 as runs with the next table's 1 as a total, and 总计 as 0 by the identities).
READ_WITH_A_BORROWED_NUMBER = 0.6


def _flag_borrowing_rows(found: dict[str, Cell], borrowed: Token) -> dict[str, Cell]:
    """The reading with a number taken from past the table's end, every cell of the row that took it flagged: the
    sums vouch for it, but the number stood among the next table's text; the reading's other cells, decided with
    it, no more than READ_WITH_A_BORROWED_NUMBER sure."""
    rows = {key.rpartition(".")[0] for key, cell in found.items() if cell.token is borrowed}
    out = dict(found)
    for key, cell in found.items():
        if key.rpartition(".")[0] in rows and cell.kind != "ambiguous":
            out[key] = _flagged(cell, "the row's total was set after the next table's heading: read as the table's "
                                      "last number, as the template's sums hold with it")
        elif key.rpartition(".")[0] not in rows:
            cell.doubt(READ_WITH_A_BORROWED_NUMBER, "read with a number set after the next table's heading, taken "
                                                    "as this table's last as the template's sums hold with it")
    return out


def _tail() -> tuple[str, ...]:
    return schema.REQUEST_TOTAL_ROW, schema.REQUEST_FORWARD_ROW


def _flagged(cell: Cell, note: str) -> Cell:
    """A cell the sums allow but the text does not vouch for: its value as the likeliest, flagged, 0 (a blank cell)
    its other candidate."""
    return Cell(cell.value, cell.raw, "ambiguous", cell.line, min(cell.confidence, MOST_PLAUSIBLE),
                candidates=sorted({0, cell.value}), token=cell.token, note=note)


def _cuts(printed: list) -> list[list[list[int]]]:
    """Every way to cut the numbers into runs, each a row's values ending with its total (the sum of the others), as
    the positions of each run's numbers (ways that give the same numbers to the same runs count as one; runs of
    numbers in a row first); none when there are more than MAX_CUTS.

    A run is two or more numbers in a row. Or a stretch of rows that each print one value and their total
    (necessarily the same number) set as two blocks, the values then the totals (5 3 2 / 5 3 2 for 5 5, 3 3, 2 2):
    Chromium's PDF, where every row of a stretch fills one applicants' column, gives its 总计 column a flow of its
    own, which plain pdftotext prints after the other's."""
    n = len(printed)
    ways: list[dict] = [{} for _ in range(n + 1)]
    ways[0] = {(): []}
    for b in range(2, n + 1):
        for a in reversed(range(b - 1)):     # runs in a row first, where blocks give the same numbers
            if not ways[a]:
                continue
            cuts = []
            if abs(sum(printed[a:b - 1]) - printed[b - 1]) < EQUAL:
                cuts.append([list(range(a, b))])
            half = (b - a) // 2
            if (b - a) % 2 == 0 and half >= 2 and all(abs(printed[a + i] - printed[a + half + i]) < EQUAL
                                                       for i in range(half)):
                cuts.append([[a + i, a + half + i] for i in range(half)])
            for numbers_so_far, way in ways[a].items():
                for cut in cuts:
                    key = numbers_so_far + tuple(tuple(printed[i] for i in run) for run in cut)
                    ways[b].setdefault(key, way + cut)
        # Every way through b goes on as any other does: more than MAX_CUTS here are more than that at the end.
        ways[b] = dict(list(ways[b].items())[:MAX_CUTS + 1])
    return list(ways[n].values()) if len(ways[n]) <= MAX_CUTS else []


# At most this many numbers a reading of displaced runs takes out of their place: a PDF may set a cell of a row in
# another text flow, which plain pdftotext prints a few numbers before its row (Chromium's: 4 1 3 1 1 8 2 for
# 4 1 3 8 / 1 1 / 2); more let nearly any numbers cut.
MOST_MOVED = 2
# At most this many steps are spent looking for such readings; past it the table is left as the other readings
# left it (a way not reached may be the one that holds).
MAX_STEPS = 200_000
# At most this many ways with numbers put back are each read: where a number went in its row (1 3 4 or 3 1 4) is
# its own way, so more than MAX_CUTS are usual.
MOST_DISPLACED_CUTS = 16


def _displaced_cuts(printed: list, widest: int) -> list[list[list[int]]] | None:
    """Every way to cut the numbers into runs in a row (each a row's values then its total, the sum of the others)
    once at most MOST_MOVED numbers printed before their row are put back into a later run (as a value or as its
    total); ways giving the same numbers to the same runs count as one. None past MAX_STEPS or more than
    MOST_DISPLACED_CUTS ways."""
    n = len(printed)
    found: dict[tuple, list[list[int]]] = {}
    steps = 0
    dead: set[tuple] = set()    # states from which no way ends, walked once

    def walk(i: int, run: tuple, pocket: tuple, moved: int, done: tuple, start: int = 0) -> bool | None:
        """Whether some way ends from here (the run open since ``start`` in the stream); None once out of steps or
        ways."""
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS or len(found) > MOST_DISPLACED_CUTS:
            return None
        start = start if run else i
        state = (i, tuple(printed[j] for j in run), tuple(sorted(printed[j] for j in pocket)), moved,
                 tuple(j < start for j in sorted(pocket, key=lambda j: printed[j])))
        if state in dead:
            return False
        ends = False
        if i == n and not run and not pocket:
            found.setdefault(tuple(tuple(printed[j] for j in r) for r in done), [list(r) for r in done])
            return True
        total = sum(printed[j] for j in run)
        # The next number: from the stream, or one put aside before, which goes back into a run begun after it (it
        # was printed before its row).
        nexts = ([(i, i + 1, pocket, moved)] if i < n else []) + [
            (j, i, pocket[:k] + pocket[k + 1:], moved) for k, j in enumerate(pocket) if j < start]
        for j, after, left, used in nexts:
            x = printed[j]
            steps_out = []
            if run and abs(total - x) < EQUAL:
                steps_out.append((after, (), left, used, done + (run + (j,),), start))
            if len(run) + 1 < widest:
                steps_out.append((after, run + (j,), left, used, done, start))
            for args in steps_out:
                went = walk(*args)
                if went is None:
                    return None
                ends |= went
        if i < n and moved < MOST_MOVED:
            went = walk(i + 1, run, pocket + (i,), moved + 1, done, start)
            if went is None:
                return None
            ends |= went
        if not ends:
            dead.add(state)
        return ends

    if walk(0, (), (), 0, ()) is None or len(found) > MOST_DISPLACED_CUTS:
        return None
    return list(found.values())


def _read_displaced(tokens, matches, values: list[int], printed: list, order: list[str], by_row: dict, rules
                    ) -> list[dict[str, Cell]]:
    """The readings of the runs with a few numbers put back into their rows, where no cut into runs in a row holds,
    every cell flagged: the sums vouch for each way that holds, but which numbers moved only the text flows say."""
    widest = max(len(by_row[row].keys) for row in order)
    # More numbers than the table has cells are not all its own (and would walk deeper than the recursion may).
    cuts = _displaced_cuts(printed, widest) if len(printed) <= widest * len(order) else None
    if not cuts:
        return []
    found = [_read_cut(tokens, matches, values, runs, order, by_row, rules) for runs in cuts]
    if None in found:
        return []
    out = []
    for reading in found:
        if not reading:
            continue
        out.append({key: cell if cell.kind == "ambiguous" else
                    _flagged(cell, "the table's numbers cut into runs with a few put back into their rows (the "
                                   "text flows printed them before): the sums hold, which numbers moved they do not "
                                   "say")
                    for key, cell in reading.items()})
    return out


def _read(tokens, matches, values: list[int], order: list[str], by_row: dict, rules) -> dict[str, Cell]:
    """The rows read over every way to cut the numbers into runs that some way to give them to the rows holds:
    a cell the ways read alike stays as read, the others are flagged with what each way read."""
    printed = numbers([Piece(tokens[i].text, 0) for i in values])
    if any(p is None or p <= 0 for p in printed):
        return {}
    found = [_read_cut(tokens, matches, values, runs, order, by_row, rules) for runs in _cuts(printed)]
    if None in found:
        return {}       # a way too costly to weigh may be the one that holds: no way is then the only one
    found = [out for out in found if out]
    if not found:
        found = _read_displaced(tokens, matches, values, printed, order, by_row, rules)
    if len(found) <= 1:
        return found[0] if found else {}
    merged: dict[str, Cell] = {}
    for key in dict.fromkeys(key for out in found for key in out):
        cells = [out.get(key) for out in found]
        first = next(cell for cell in cells if cell is not None)
        read = {cell.value for cell in cells if cell is not None}
        # Alike only where every way read the same number as sure as the others (a way that flags it found other
        # placements of it).
        if None not in cells and len(read) == 1 and len({(cell.kind, cell.confidence) for cell in cells}) == 1:
            merged[key] = first
            continue
        candidates = sorted(read | {c for cell in cells if cell is not None for c in cell.candidates})
        merged[key] = Cell(first.value, first.raw, "ambiguous", first.line, min(first.confidence, MOST_PLAUSIBLE),
                           candidates=candidates, token=first.token,
                           note="the table's numbers cut into rows by their totals in more than one way (a run of "
                                "values, or a block of values and one of their totals): this is the first way's")
    return merged


def _read_cut(tokens, matches, values: list[int], runs: list[list[int]], order: list[str], by_row: dict, rules
              ) -> dict[str, Cell] | None:
    """The rows read from one way to cut the numbers into runs: empty when no way to give the runs to the rows
    holds, None when the search spent its budget."""
    widths = {len(by_row[row].keys) for row in order}
    if any(len(run) > max(widths) for run in runs):
        return {}
    inputs = [row for row in order if row in schema.REQUEST_INPUT_ROWS]
    tail = [row for row in order if row in _tail()]
    outcomes = [row for row in order if row not in inputs and row not in tail]
    if order != inputs + outcomes + tail or tail != list(_tail()):
        return {}
    inside = {row: identities_inside(by_row[row].keys, rules) for row in order}
    seen: dict[str, set] = {row: set() for row in order}
    best: dict[str, object] = {}
    unfixed: set[str] = set()
    # The most plausible way that holds: its score, which rows of each group took runs, and its solution.
    likeliest: tuple | None = None
    k = len(runs)
    budget = Budget(MAX_STATES)
    for a in range(len(inputs) + 1):
        # The tail's rows that print: any of 总计 and 结转 (结转 alone where nothing was settled).
        for printing in ([], tail[:1], tail[1:], tail):
            b = k - a - len(printing)
            if not 0 <= b <= len(outcomes):
                continue
            given = dict(zip(inputs[:a] + outcomes[:b] + printing, runs))
            rows = []
            for row in order:
                keys = by_row[row].keys
                group = [tokens[values[i]] for i in given.get(row, [])]
                rows.append(RowToPlace(row, keys, row_placements(group, keys, inside[row]), inside[row]))
            solution = solve(rows, rules, budget)
            if budget.left <= 0:
                return None
            if solution is None:
                continue
            if likeliest is None or solution.score > likeliest[0]:
                likeliest = (solution.score, inputs[:a], outcomes[:b], solution,
                             _labels_before(tokens, matches, [values[run[0]] for run in runs], by_row))
            if 0 < a < len(inputs):
                unfixed.update(inputs)
            if 0 < b < len(outcomes):
                unfixed.update(outcomes)
            for row in order:
                for p in solution.supported[row]:
                    seen[row].add(p.numbers)
                best.setdefault(row, solution.best[row])
    if not best:
        return {}
    out: dict[str, Cell] = {}
    for row in order:
        if row in unfixed:
            continue
        keys = by_row[row].keys
        placement = best[row]
        for c, key in enumerate(keys):
            piece = placement.pieces[c]
            value, kind = parse_value(piece)
            found = sorted({n[c] for n in seen[row]})
            if len(found) > 1:
                out[key] = Cell(value, piece.raw, "ambiguous", piece.line, MOST_PLAUSIBLE, candidates=found,
                                token=piece.origin,
                                note="the row's values cut from the stream by their total; several placements of "
                                     "them fit the template's sums: this is the most plausible")
            else:
                out[key] = Cell(value, piece.raw, kind, piece.line, BY_THE_TOTALS, token=piece.origin,
                                note="the table's numbers cut into rows by their totals, its labels apart: this "
                                     "row's cells are the same in every way to give the runs to the rows that "
                                     "holds the template's sums")
    if unfixed and likeliest is not None:
        out.update(_likeliest_open_rows(likeliest + (seen,), order, unfixed, by_row, out, rules))
    return out


def _likeliest_open_rows(likeliest: tuple, order: list[str], unfixed: set[str], by_row: dict,
                         decided: dict[str, Cell], rules) -> dict[str, Cell]:
    """The rows of a group the sums leave open (which of the outcome rows, or of 一 and 二, printed the runs): each
    run given to the row real reports make likeliest to hold it, every cell flagged with what else it could hold,
    but for the cells the arithmetic forces to 0 (a column whose total is a decided 0)."""
    _, given_inputs, given_outcomes, solution, labels, seen = likeliest
    zeros = _forced_zeros(decided, rules)
    out: dict[str, Cell] = {}
    for inputs, given, first in ((True, given_inputs, 0), (False, given_outcomes, len(given_inputs))):
        group = [row for row in order if row in unfixed and (row in schema.REQUEST_INPUT_ROWS) == inputs]
        if not group:
            continue
        # The runs of the group, in order, each with its columns as the likeliest solution placed them: the
        # group's rows are alike to every identity (each column's total is their sum), so any row of it may take
        # a run in those columns and every identity still holds.
        taken = [solution.best[row] for row in given]
        chosen = _likeliest_rows(group, taken, labels[first:first + len(taken)], by_row)
        for i, row in enumerate(group):
            keys = by_row[row].keys
            # The runs this row may take keeping the runs in order: the j-th run goes to one of the rows from the
            # j-th to the one that leaves room for the runs after it.
            reachable = [taken[j] for j in range(len(taken)) if j <= i <= len(group) - len(taken) + j]
            mine = chosen.get(row)
            for c, key in enumerate(keys):
                if key in zeros:
                    out[key] = Cell(0, "", "blank", None, BY_THE_TOTALS,
                                    note="printed blank: the template's sums force 0 (its column's total is 0)")
                    continue
                piece = mine.pieces[c] if mine is not None else None
                value, kind = parse_value(piece) if piece is not None else (0, "blank")
                # ... in the columns the likeliest solution placed them in, or as any way that holds placed a run
                # in one of the group's rows.
                found = sorted({0, value} | {p.numbers[c] for p in reachable}
                               | {n[c] for other in group for n in seen[other]})
                out[key] = Cell(value, piece.raw if piece is not None else "", "ambiguous",
                                piece.line if piece is not None else None, MOST_PLAUSIBLE, candidates=found,
                                token=piece.origin if piece is not None else None,
                                note="the table's numbers cut into rows by their totals, its labels apart; which "
                                     "of these rows printed them the sums do not say: the likeliest by how often "
                                     "real reports fill each row")
    return out


def _labels_before(tokens, matches, firsts: list[int], by_row: dict) -> list[str | None]:
    """The row whose label the text sets right before each run (only empty lines or breaks between), if any."""
    out = []
    for i in firsts:
        j = i - 1
        while j >= 0 and tokens[j].kind in (BLANK, BREAK):
            j -= 1
        m = matches.get(j) if j >= 0 and tokens[j].kind == LABEL else None
        # A bare 其他 / 总计 (a column's head, or any of several rows' last words) names no row; nor does a piece of a
        # wrapped label read short of sure on a line of its own (as often wrong as right at seeds 83 and 0). On the
        # run's own line it stands at the run's height, in its row: a piece read at better than even odds will do
        # (Chromium's （三） 4.保护第三方 3, 握相关政府信 3).
        beside = j >= 0 and tokens[j].line == tokens[i].line
        sure = m is not None and m.category.startswith(schema.TABLES) and (
            m.confidence > ROW_ANCHOR if beside else m.confidence >= SURE_LABEL)
        row = m.category.partition(".")[2] if sure else None
        out.append(row if row in by_row else None)
    return out


def _likeliest_rows(group: list[str], taken: list[Placement], labels: list[str | None], by_row: dict
                    ) -> dict[str, Placement]:
    """The runs given to the group's rows in order, most of them to the row whose label the text sets right before
    them, the rest so that the rows that take one are those real reports fill likeliest (and with such values),
    the rows left out those they leave blank likeliest: a dynamic programme over the rows."""
    n, k = len(group), len(taken)
    NEG = float("-inf")
    gain = [[_plausibility_gain(row, by_row[row].keys, p.numbers) + (LABEL_BEFORE if labels[j] == row else 0.0)
             for j, p in enumerate(taken)] for row in group]
    # best[i][j]: the likeliest gain of giving the first j runs to the first i rows.
    best = [[NEG] * (k + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(k + 1):
            stay = best[i - 1][j]
            take = best[i - 1][j - 1] + gain[i - 1][j - 1] if j else NEG
            best[i][j] = max(stay, take)
    chosen: dict[str, Placement] = {}
    i, j = n, k
    while j:
        if best[i][j] == best[i - 1][j - 1] + gain[i - 1][j - 1] and best[i - 1][j - 1] > NEG:
            chosen[group[i - 1]] = taken[j - 1]
            j -= 1
        i -= 1
    return chosen


def _plausibility_gain(row: str, keys: tuple[str, ...], numbers: tuple) -> float:
    """What giving a run in these columns to the row, rather than leaving the row blank, adds to the likelihood:
    the odds that real reports fill the row, and those of its columns' values."""
    filled = row_prevalence(keys[0].split(".")[0], row)
    return (math.log(filled / (1 - filled)) + row_plausibility(keys, numbers)
            - row_plausibility(keys, (0,) * len(numbers)))


def _forced_zeros(decided: dict[str, Cell], rules) -> set[str]:
    """The cells an identity forces to 0: every cell of one side is a decided 0 (counts are never negative, so the
    other side's cells are all 0 too)."""
    zeros = {key for key, cell in decided.items() if cell.value == 0 and cell.kind != "ambiguous"}
    grew = True
    while grew:
        grew = False
        for rule in rules:
            for side, other in ((rule.left, rule.right), (rule.right, rule.left)):
                if side and all(key in zeros for key in side) and not set(other) <= zeros:
                    zeros |= set(other)
                    grew = True
    return zeros
