"""Place each row's cells (stage 2c of the recovery): which printed cells belong to which row label.

A row takes the cells after its label — or before it, when PDF text extraction put the label after its
values; two labels with one run of cells between them may share it. Blank cells keep their place;
merged cells' empty placeholders, shifted columns and digits that ran together give several candidate
readings of a row, each with a penalty; the template's arithmetic chooses among them (``recover``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .labels import Match, normalize_label
from .tokens import BLANK, BREAK, LABEL, NA_CELL, VALUE, Token


@dataclass
class Piece:
    """One candidate cell: a token, or part of a digit run that was split."""
    raw: str
    line: int
    blank: bool = False
    split: bool = False


def is_boundary(i: int, tokens: list[Token], matches: dict[int, Match]) -> bool:
    """A label that ends a row's cells: any recognised label, or a stretch of prose."""
    m = matches.get(i)
    if m is None or m.stage == "joined":
        return False
    if m.category != "none":
        return m.confidence >= 0.5
    return len(normalize_label(tokens[i].text)) >= 20


def row_span(tokens, matches, start: int, stop: int, direction: int) -> list[Token]:
    """Cells after (direction=+1) or before (-1) a label, up to the next boundary, within [.., stop)."""
    return _span_to(tokens, matches, start, stop, direction)[0]


def _span_to(tokens, matches, start: int, stop: int, direction: int) -> tuple[list[Token], int]:
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
    return Piece(t.text, t.line, blank=t.kind == BLANK)


def row_readings(cells: list[Token], n: int) -> list[tuple[int, list[Piece]]]:
    """Readings of a row's cells as exactly n cells, each with a penalty (0 = read as printed)."""
    values = [t for t in cells if t.kind == VALUE]
    out: list[tuple[int, list[Piece]]] = []
    if len(cells) == n:
        out.append((0, [_piece(t) for t in cells]))
    if len(values) == n and len(cells) != n:
        out.append((0, [_piece(t) for t in values]))
    if len(values) > n:
        for s in range(len(values) - n + 1):
            out.append((1, [_piece(t) for t in values[s:s + n]]))
    if len(values) < n and len(cells) > n and values:
        first = cells.index(values[0])
        last = len(cells) - 1 - cells[::-1].index(values[-1])
        for s in range(max(0, last - n + 1), min(first, len(cells) - n) + 1):
            out.append((1, [_piece(t) for t in cells[s:s + n]]))
    if not out and values and len(values) < n:
        out.extend((2, split) for split in _digit_splits(values, n))
    if not values and len(cells) > n:
        out.append((1, [_piece(t) for t in cells[:n]]))     # a row of blanks, whatever its placeholders
    return out


NUMBER = re.compile(r"^([+\-−]?)(\d+)(\.\d+)?(万元|元|件|个|项)?$")


def _digit_splits(values: list[Token], n: int, limit: int = 20000) -> list[list[Piece]]:
    """Every way to cut run-together digit runs into n numbers (no part with a leading zero)."""
    runs = []
    for t in values:
        text = t.text.replace(" ", "")
        if t.splittable and re.fullmatch(r"[—－]{2,6}", text):
            runs.append([[Piece(p, t.line, split=len(parts) > 1) for p in parts]
                         for parts in _dash_cuts(text, n)])
            continue
        m = NUMBER.match(text)
        if not t.splittable or not m or m.group(3):
            runs.append([[Piece(t.text, t.line)]])
            continue
        sign, unit = m.group(1), m.group(4) or ""
        options = [[Piece((sign if k == 0 else "") + p + (unit if k == len(parts) - 1 else ""), t.line,
                           split=len(parts) > 1) for k, p in enumerate(parts)]
                   for parts in _cuts(m.group(2), n, limit)]
        runs.append(options)
    out: list[list[Piece]] = []

    def walk(i: int, acc: list[Piece]):
        if len(out) >= limit or len(acc) > n:
            return
        if i == len(runs):
            if len(acc) == n:
                out.append(list(acc))
            return
        for option in runs[i]:
            walk(i + 1, acc + option)

    walk(0, [])
    return out


def _dash_cuts(dashes: str, most: int) -> list[list[str]]:
    """A run of dashes as not-applicable marks of one or two dashes each (—— is often one mark)."""
    if not dashes:
        return [[]]
    out = []
    for size in (1, 2):
        if len(dashes) >= size:
            out.extend([dashes[:size]] + rest for rest in _dash_cuts(dashes[size:], most) if len(rest) < most)
    return out


def _cuts(digits: str, most: int, limit: int) -> list[list[str]]:
    """The ways to cut a digit string into at most ``most`` numbers, none with a leading zero."""
    out: list[list[str]] = []

    def walk(rest: str, acc: list[str]):
        if len(out) >= limit or len(acc) > most:
            return
        if not rest:
            out.append(acc)
            return
        ends = [1] if rest[0] == "0" else range(1, len(rest) + 1)
        for end in ends:
            walk(rest[end:], acc + [rest[:end]])

    walk(digits, [])
    return out


def parse_value(piece: Piece, money: bool = False, yuan_header: bool = False) -> tuple[int | float | None, str]:
    """The number a cell states and what it held (number / zero / blank / na / text)."""
    if piece.blank:
        return 0, "blank"
    text = piece.raw.replace(" ", "").replace(",", "").replace("−", "-")
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
    return [parse_value(p)[0] for p in pieces]


def place_rows(tokens, matches, anchors, widths, hi):
    """Give each row label the cells after it (A) or before it (B), whichever makes the whole table fit.

    PDF text extraction puts some labels after their values and some before, row by row; two labels with
    one run of cells between them may share it. A dynamic programme over the rows picks the orientation of
    each row so that every row gets exactly its width in cells, preferring the ordinary label-first order.
    """
    k = len(anchors)
    after, before, shared = [], [], []
    for i, a in enumerate(anchors):
        stop = anchors[i + 1].index if i + 1 < k else hi
        cells, end = _span_to(tokens, matches, a.index, stop, +1)
        after.append(cells)
        shared.append(i + 1 < k and end == anchors[i + 1].index)
        prev_stop = anchors[i - 1].index if i > 0 else -1
        before.append(_span_to(tokens, matches, a.index, prev_stop, -1)[0])

    same_line = [bool(run) and next((t.line for t in run if t.kind != BREAK), None) == tokens[a.index].line
                 for run, a in zip(after, anchors)]

    def cells_for(i, o_prev, o, o_next):
        if o == "A":
            run = after[i]
            if shared[i] and o_next == "B":
                return _first_cells(run, widths[i])
            return trim_placeholders(run)
        run = before[i]
        if i > 0 and shared[i - 1] and o_prev == "A":
            return _drop_first_cells(run, widths[i - 1])
        return lead_placeholders(run)

    def unclaimed(i, o, o_next):
        """Values after row i that neither it nor the next row takes."""
        run = after[i]
        if o == "A" or (shared[i] and o_next == "B"):
            return 0
        return 1 if any(t.kind == VALUE for t in run) else 0

    memo: dict = {}

    def best(i, o_prev, o):
        if i == k:
            return 0.0, []
        key = (i, o_prev, o)
        if key in memo:
            return memo[key]
        options = []
        for o_next in (("A", "B") if i + 1 < k else (None,)):
            found = row_readings(cells_for(i, o_prev, o, o_next), widths[i])
            score = (3.0 if found and min(p for p, _ in found) == 0 else 1.0 if found else 0.0)
            score += 0.01 if o == "A" else 0.0
            if o == "B" and score >= 3 and same_line[i]:
                # Values on the label's own line read just as well: the ordinary order wins, even if that
                # leaves cells before the label unclaimed (an unrecognised row's, not this one's).
                after_fit = row_readings(cells_for(i, o_prev, "A", o_next), widths[i])
                if after_fit and min(p for p, _ in after_fit) == 0:
                    score -= 1.5
            score -= unclaimed(i, o, o_next)
            if i == 0 and o == "A" and any(t.kind == VALUE for t in before[0]):
                score -= 1    # values between the header and the first label belong to someone
            rest, path = best(i + 1, o, o_next) if o_next else (0.0, [])
            options.append((score + rest, [(o, found)] + path))
        memo[key] = max(options, key=lambda x: x[0])
        return memo[key]

    _, path = max((best(0, None, o) for o in ("A", "B")), key=lambda x: x[0])
    candidates = {a.row: found for a, (_, found) in zip(anchors, path)}
    return candidates, [o for o, _ in path]


def _split_point(run: list[Token], n: int) -> int:
    """Where a run of cells shared by two rows divides: at its first row break, else after n cells."""
    for i, t in enumerate(run):
        if t.kind == BREAK:
            return i
    return n


def _first_cells(run: list[Token], n: int) -> list[Token]:
    return [t for t in run[:_split_point(run, n)] if t.kind != BREAK]


def _drop_first_cells(run: list[Token], n: int) -> list[Token]:
    return [t for t in run[_split_point(run, n):] if t.kind != BREAK]
