"""Recover the three canonical tables from a report's tokens (stage 2b): where text becomes numbers.

1. Every label token is mapped to a category (``labels``); the row labels of each table are kept only in
   template order (a longest increasing run), which drops header cells and prose that look like labels.
2. The template is read from the labels (2021 table 2 columns, the split （六） rows), never the year alone.
3. Each row takes the cells between its label and the next one — or before its label, when PDF text
   extraction put labels after their values. Blank cells keep their place; merged cells' empty
   placeholders and shifted columns yield several candidate readings.
4. The template's arithmetic chooses among the candidates (and splits digits that ran together); a cell
   whose reading still depends on the choice is reported as ambiguous, with its candidates, never guessed.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from . import schema
from .labels import Match, allowed_categories, categories_within, match_label, normalize_label
from .tokens import BLANK, BREAK, LABEL, NA_CELL, VALUE, Token

MAX_COMBINATIONS = 4096

# Row orders used to keep only labels that come in the template's sequence (the union of both templates).
DISCLOSURE_ORDER = [r.row for r in schema.template("2019").rows_of("disclosure")]
REQUEST_ORDER = [r.row for r in schema.template("2019").rows_of("requests")]
REQUEST_ORDER[REQUEST_ORDER.index("other") + 1:REQUEST_ORDER.index("other") + 1] = list(schema.OTHER_SPLIT_ROWS)

T2_2021_COLUMNS = {"column.issued", "column.repealed", "column.in_force"}
T2_2019_COLUMNS = {"column.made", "column.published", "column.previous", "column.change", "column.projects"}
APPEAL_HEADER = {"column.upheld", "column.corrected", "column.other", "column.pending", "column.total",
                 "group.litigation", "section.appeals"}


@dataclass
class Cell:
    """What was read for one canonical key."""
    value: int | float | None
    raw: str = ""
    kind: str = "missing"          # number | zero | blank | na | text | missing | ambiguous
    line: int | None = None
    confidence: float = 1.0
    candidates: list = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict:
        out = {"value": self.value, "raw": self.raw, "kind": self.kind, "line": self.line,
               "confidence": round(self.confidence, 3)}
        if self.candidates:
            out["candidates"] = self.candidates
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class TableResult:
    name: str
    found: bool = False
    orientation: str = ""          # values "after" their label, or "before" it (PDF reading order)
    rows: list[str] = field(default_factory=list)
    missing_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Recovery:
    template: str
    template_evidence: dict
    cells: dict[str, Cell]
    tables: dict[str, TableResult]
    hybrid_other_row: dict[str, Cell] | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Piece:
    """One candidate cell: a token, or part of a digit run that was split."""
    raw: str
    line: int
    blank: bool = False
    split: bool = False


@dataclass
class _Anchor:
    index: int          # position in the token list
    row: str
    match: Match


# ---------------------------------------------------------------------------------------------- labels

def _classify(tokens: list[Token]) -> dict[int, Match]:
    counts: dict[str, int] = {}
    for t in tokens:
        if t.kind == LABEL:
            counts[t.text] = counts.get(t.text, 0) + 1
    out = {}
    for i, t in enumerate(tokens):
        if t.kind != LABEL:
            continue
        m = match_label(t.text)
        if m.category == "none" and counts[t.text] > 1 and len(t.text) >= 8:
            continue    # a running page header repeated through the document
        if not (_is_row(m) and m.confidence >= 0.6) and len(t.text) >= 12 and " " in t.text.strip():
            m = max(m, _tail_match(t.text), key=lambda x: (_is_row(x), x.confidence))
        out[i] = m
    _join_broken_labels(tokens, out)
    return out


def _tail_match(text: str, allowed: frozenset | None = None) -> Match:
    """On one-line pages a garbled row label ends a long run of headings; read the run's last pieces."""
    pieces = text.split()
    best = Match("none", 0.0, "tail")
    for k in range(1, min(4, len(pieces)) + 1):
        m = match_label("".join(pieces[-k:]), allowed)
        if _is_row(m) and m.confidence >= 0.6 and m.confidence > best.confidence:
            best = m
    return best


def _is_row(m: Match | None) -> bool:
    return m is not None and m.category.startswith(schema.TABLES)


def _join_broken_labels(tokens: list[Token], matches: dict[int, Match]) -> None:
    """A label wrapped over two cells (信访、举 / 报、投诉类申请) is read as one when that reads better.

    Cells that are labels in their own right (结果纠正, 其他结果) are never joined.
    """
    joined: set[int] = set()
    for i in sorted(matches):
        if i in joined or _confident_label(matches[i]):
            continue
        # The next label: right after (a wrapped cell), or past a run of cells (PDF text that put the
        # values in the middle of a two-line label: 一、本年新收政府 / 78 0 … / 信息公开申请数量).
        j, crossed = i + 1, False
        while j < len(tokens) and tokens[j].kind != LABEL:
            crossed = crossed or tokens[j].kind in (VALUE, BLANK)
            j += 1
        if j not in matches:
            continue
        joint = match_label(tokens[i].text + tokens[j].text)
        parts = [m.confidence for m in (matches[i], matches[j]) if _is_row(m)]
        if crossed and joint.confidence < 0.9:
            continue
        # 一、本年 / 新收政府信息公开申请数量: the second half reads alone, but the first half is the row's too.
        if not normalize_label(tokens[i].text):
            continue    # a stray quote or bracket left over from a wrapped label
        head_of_known_row = (not crossed and _confident_label(matches[j]) and _is_row(joint)
                             and joint.category == matches[j].category and joint.confidence >= matches[j].confidence)
        if _confident_label(matches[j]) and not head_of_known_row:
            continue
        if head_of_known_row or (_is_row(joint) and joint.confidence > max(parts, default=0.0) + 0.05):
            tokens[i] = Token(LABEL, tokens[i].text + tokens[j].text, tokens[i].line)
            matches[i] = joint
            matches[j] = Match("none", 1.0, "joined")
            joined.add(j)


def _confident_label(m: Match) -> bool:
    return m.category != "none" and m.confidence >= 0.9


def _ordered(anchors: list[_Anchor], order: list[str]) -> list[_Anchor]:
    """Longest run of anchors in strictly increasing template order (ties: the more confident labels)."""
    if not anchors:
        return []
    rank = {r: i for i, r in enumerate(order)}
    n = len(anchors)
    best = [(1, a.match.confidence) for a in anchors]
    prev = [-1] * n
    for j in range(n):
        for i in range(j):
            if rank[anchors[i].row] < rank[anchors[j].row]:
                cand = (best[i][0] + 1, best[i][1] + anchors[j].match.confidence)
                if cand > best[j]:
                    best[j], prev[j] = cand, i
    j = max(range(n), key=lambda k: best[k])
    chain = []
    while j >= 0:
        chain.append(anchors[j])
        j = prev[j]
    return chain[::-1]


def _anchors(tokens: list[Token], matches: dict[int, Match], table: str, order: list[str], lo: int, hi: int) -> list[_Anchor]:
    def tokens_between(a: int, b: int) -> list[Token]:
        return tokens[a + 1:b]

    found = [_Anchor(i, m.category.split(".", 1)[1], m) for i, m in sorted(matches.items())
             if lo <= i < hi and m.category.startswith(table + ".") and m.confidence >= 0.5
             and m.category.split(".", 1)[1] in order]
    # The same row twice in a row: a merged cell repeated (Markdown, HTML grids) — keep the copy next to the
    # values — or a label split around its values (部分公开（区分处理的，只计这 / 0 0 … / 一情形…）) — keep the first.
    merged: list[_Anchor] = []
    for a in found:
        if merged and merged[-1].row == a.row:
            between = tokens_between(merged[-1].index, a.index)
            if not any(t.kind in (VALUE, BLANK) for t in between):
                merged[-1] = a
            continue
        merged.append(a)
    return _fill_gaps(tokens, matches, _ordered(merged, order), table, order)


def _fill_gaps(tokens, matches, chain: list[_Anchor], table: str, order: list[str]) -> list[_Anchor]:
    """Rows missing between two recognised rows: a garbled label there (规竟, 重复中请) is matched against
    just the rows that belong in that place."""
    rank = {r: i for i, r in enumerate(order)}
    used = {a.index for a in chain}
    out: list[_Anchor] = []
    for prev, nxt in zip(chain, chain[1:]):
        out.append(prev)
        missing = order[rank[prev.row] + 1:rank[nxt.row]]
        for i in range(prev.index + 1, nxt.index):
            if not missing or tokens[i].kind != LABEL or i in used:
                continue
            current = matches.get(i)
            if current is not None and current.category != "none" and current.confidence >= 0.5:
                continue
            allowed = frozenset(f"{table}.{r}" for r in missing)
            m = match_label(tokens[i].text, allowed)
            if m.category == "none":
                m = _tail_match(tokens[i].text, allowed)
            if m.category == "none":
                continue
            row = m.category.split(".", 1)[1]
            matches[i] = Match(m.category, max(0.5, min(m.confidence, 0.7)), "sequence", m.matched)
            out.append(_Anchor(i, row, matches[i]))
            missing = missing[missing.index(row) + 1:]
    if chain:
        out.append(chain[-1])
    return out


# ---------------------------------------------------------------------------------------------- rows

def _is_boundary(i: int, tokens: list[Token], matches: dict[int, Match]) -> bool:
    """A label that ends a row's cells: any recognised label, or a stretch of prose."""
    m = matches.get(i)
    if m is None or m.stage == "joined":
        return False
    if m.category != "none":
        return m.confidence >= 0.5
    return len(normalize_label(tokens[i].text)) >= 20


def _row_span(tokens, matches, start: int, stop: int, direction: int) -> list[Token]:
    """Cells after (direction=+1) or before (-1) a label, up to the next boundary, within [.., stop)."""
    return _span_to(tokens, matches, start, stop, direction)[0]


def _span_to(tokens, matches, start: int, stop: int, direction: int) -> tuple[list[Token], int]:
    """The cells of ``_row_span`` and the index of the boundary that ended them."""
    out = []
    i = start + direction
    while (i < stop if direction > 0 else i > stop):
        t = tokens[i]
        if t.kind == LABEL:
            if _is_boundary(i, tokens, matches):
                break
        else:
            out.append(t)
        i += direction
    return (out if direction > 0 else out[::-1]), i


def _trim_placeholders(cells: list[Token]) -> list[Token]:
    """Blank cells after the row's last break precede the next label: merged-cell placeholders, not values."""
    if any(t.kind == BREAK for t in cells):
        last_break = max(i for i, t in enumerate(cells) if t.kind == BREAK)
        if all(t.kind == BLANK for t in cells[last_break + 1:]) and any(t.kind != BREAK for t in cells[:last_break]):
            cells = cells[:last_break]
    return [t for t in cells if t.kind != BREAK]


def _lead_placeholders(cells: list[Token]) -> list[Token]:
    """In values-before-label order the placeholders sit before the row's first break."""
    if any(t.kind == BREAK for t in cells):
        first_break = min(i for i, t in enumerate(cells) if t.kind == BREAK)
        if all(t.kind == BLANK for t in cells[:first_break]) and any(t.kind != BREAK for t in cells[first_break:]):
            cells = cells[first_break + 1:]
    return [t for t in cells if t.kind != BREAK]


def _piece(t: Token) -> _Piece:
    return _Piece(t.text, t.line, blank=t.kind == BLANK)


def _candidates(cells: list[Token], n: int) -> list[tuple[int, list[_Piece]]]:
    """Readings of a row's cells as exactly n cells, each with a penalty (0 = read as printed)."""
    values = [t for t in cells if t.kind == VALUE]
    out: list[tuple[int, list[_Piece]]] = []
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


_NUMBER = re.compile(r"^([+\-−]?)(\d+)(\.\d+)?(万元|元|件|个|项)?$")


def _digit_splits(values: list[Token], n: int, limit: int = 20000) -> list[list[_Piece]]:
    """Every way to cut run-together digit runs into n numbers (no part with a leading zero)."""
    runs = []
    for t in values:
        text = t.text.replace(" ", "")
        if t.splittable and re.fullmatch(r"[—－]{2,6}", text):
            runs.append([[_Piece(p, t.line, split=len(parts) > 1) for p in parts]
                         for parts in _dash_cuts(text, n)])
            continue
        m = _NUMBER.match(text)
        if not t.splittable or not m or m.group(3):
            runs.append([[_Piece(t.text, t.line)]])
            continue
        sign, unit = m.group(1), m.group(4) or ""
        options = [[_Piece((sign if k == 0 else "") + p + (unit if k == len(parts) - 1 else ""), t.line,
                           split=len(parts) > 1) for k, p in enumerate(parts)]
                   for parts in _cuts(m.group(2), n, limit)]
        runs.append(options)
    out: list[list[_Piece]] = []

    def walk(i: int, acc: list[_Piece]):
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


# ---------------------------------------------------------------------------------------------- values

def parse_value(piece: _Piece, money: bool = False, yuan_header: bool = False) -> tuple[int | float | None, str]:
    """The number a cell states and what it held (number / zero / blank / na / text)."""
    if piece.blank:
        return 0, "blank"
    text = piece.raw.replace(" ", "").replace(",", "").replace("−", "-")
    if NA_CELL.match(text):
        return 0, "na"
    m = _NUMBER.match(text)
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


def _numbers(pieces: list[_Piece]) -> list:
    return [parse_value(p)[0] for p in pieces]


# ---------------------------------------------------------------------------------------------- tables

def recover(tokens: list[Token]) -> Recovery:
    matches = _classify(tokens)
    warnings: list[str] = []
    t3 = _anchors(tokens, matches, "requests", REQUEST_ORDER, 0, len(tokens))
    t3_lo = t3[0].index if t3 else len(tokens)
    t2 = _anchors(tokens, matches, "disclosure", DISCLOSURE_ORDER, 0, t3_lo)
    t3_hi = t3[-1].index if t3 else (t2[-1].index if t2 else 0)
    # 总计 and 其他 name rows of table 3 too; past table 3 they are table 4's columns.
    for i, m in matches.items():
        if i > t3_hi and m.category != "none":
            matches[i] = match_label(tokens[i].text, allowed_categories("appeals"))
    t4_header = [i for i, m in sorted(matches.items()) if i > t3_hi and m.confidence >= 0.5
                 and (m.category.startswith("appeals.") or m.category in APPEAL_HEADER)]

    template, evidence = _detect_template(matches, t2, t3, tokens)
    spec = schema.template(template)
    cells: dict[str, Cell] = {}
    tables = {name: TableResult(name) for name in schema.TABLES}

    # Table 2
    t2_rows = [a for a in t2 if a.row in {r.row for r in spec.rows_of("disclosure")}]
    yuan = _yuan_header(matches, tokens, t2[0].index if t2 else 0, t3_lo)
    _read_rows(tokens, matches, t2_rows, spec.rows_of("disclosure"), tables["disclosure"], cells,
               rules=(), yuan_header=yuan, zone=(t2[0].index if t2 else 0, t3_lo))

    # Table 3: in the 2021 template （六）其他处理 heads three sub-rows; in 2019 it is the row itself.
    split_present = any(a.row in schema.OTHER_SPLIT_ROWS for a in t3)
    t3_rows = [a for a in t3 if not (a.row == "other" and split_present)]
    t3_specs = list(spec.rows_of("requests"))
    hybrid = None
    if template == "2021" and not split_present and any(a.row == "other" for a in t3):
        t3_specs.insert([r.row for r in t3_specs].index("total"), schema.template("2019").row("requests.other"))
        hybrid = True
    t3_end = t4_header[0] if t4_header else len(tokens)
    _read_rows(tokens, matches, t3_rows, t3_specs, tables["requests"], cells,
               rules=[r for r in schema.template("2019" if hybrid else template).rules
                      if r.name.startswith("requests.")],
               zone=(t3_lo, t3_end))
    hybrid_cells = None
    if hybrid:
        hybrid_cells = {k: cells.pop(k) for k in list(cells) if k.startswith("requests.other.")}
        for k in spec.keys:
            if k.split(".")[1] in schema.OTHER_SPLIT_ROWS:
                cells[k] = Cell(None, kind="missing", note="2019-style single （六）其他处理 row; kept in detail")
        warnings.append("hybrid report: 2021 table 2 with the 2019 table 3's single （六）其他处理 row")

    # Table 4: fifteen cells under a three-row header, no row labels.
    _read_appeals(tokens, matches, t4_header, spec, tables["appeals"], cells)

    for key in spec.keys:
        cells.setdefault(key, Cell(None, kind="missing", confidence=0.0, note="not found in the document"))
    for name, t in tables.items():
        if not t.found:
            warnings.append(f"table {name} ({schema.TABLE_TITLES[name]}) not found")
    return Recovery(template, evidence, cells, tables, hybrid_cells, warnings)


def _detect_template(matches, t2, t3, tokens) -> tuple[str, dict]:
    lo = t2[0].index - 12 if t2 else 0
    hi = t3[0].index if t3 else len(tokens)
    cats = {m.category for i, m in matches.items() if lo <= i < hi and m.confidence >= 0.5}
    for i in matches:
        if lo <= i < hi:
            cats |= categories_within(tokens[i].text)
    t2_2021 = sorted(cats & T2_2021_COLUMNS)
    t2_2019 = sorted(cats & T2_2019_COLUMNS) + [f"disclosure.{a.row}" for a in t2 if a.row in ("other_services", "procurement")]
    t3_split = [a.row for a in t3 if a.row in schema.OTHER_SPLIT_ROWS]
    evidence = {"table2_2021_labels": t2_2021, "table2_2019_labels": t2_2019, "table3_split_other_rows": t3_split}
    if len(t2_2021) > len(t2_2019):
        choice = "2021"
    elif t2_2019:
        choice = "2019"
    elif t3_split:
        choice = "2021"
    else:
        choice = "2019"
        evidence["note"] = "no template-specific label found; 2019 layout assumed"
    evidence["template"] = choice
    return choice, evidence


def _yuan_header(matches, tokens, lo, hi) -> bool:
    """True when table 2's money header says 元 rather than 万元 (bare numbers then need converting)."""
    for i, m in matches.items():
        if lo <= i < hi and m.category == "column.amount_wan":
            text = normalize_label(tokens[i].text)
            if "元" in text and "万元" not in text:
                return True
    return False


def _read_rows(tokens, matches, anchors, row_specs, result: TableResult, cells, rules, zone, yuan_header=False):
    by_row = {r.row: r for r in row_specs}
    anchors = [a for a in anchors if a.row in by_row]
    if not anchors:
        return
    result.found = True
    lo, hi = zone
    candidates, orientations = _place_rows(tokens, matches, anchors, [len(by_row[a.row].columns) for a in anchors], hi)
    result.orientation = ("after" if set(orientations) == {"A"} else "before" if set(orientations) == {"B"}
                          else "mixed")
    result.rows = [a.row for a in anchors]
    result.missing_rows = [r.row for r in row_specs if r.row not in candidates]
    line_of = {a.row: tokens[a.index].line for a in anchors}
    chosen = _choose(candidates, by_row, rules)
    for row, spec in by_row.items():
        if row not in candidates:
            for key in spec.keys:
                cells[key] = Cell(None, kind="missing", confidence=0.0, note="row not found")
            continue
        _store_row(spec, chosen.get(row), candidates[row], cells, line_of[row], yuan_header)


def _place_rows(tokens, matches, anchors, widths, hi):
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

    def cells_for(i, o_prev, o, o_next):
        if o == "A":
            run = after[i]
            if shared[i] and o_next == "B":
                return _first_cells(run, widths[i])
            return _trim_placeholders(run)
        run = before[i]
        if i > 0 and shared[i - 1] and o_prev == "A":
            return _drop_first_cells(run, widths[i - 1])
        return _lead_placeholders(run)

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
            found = _candidates(cells_for(i, o_prev, o, o_next), widths[i])
            score = (3.0 if found and min(p for p, _ in found) == 0 else 1.0 if found else 0.0)
            score += 0.01 if o == "A" else 0.0
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


def _row_rule_ok(pieces: list[_Piece], keys, rules) -> bool:
    """The identities that lie inside one row (its columns sum to its 总计; table 4's group totals)."""
    values = dict(zip(keys, _numbers(pieces)))
    for rule in rules:
        if all(k in values for k in rule.left + rule.right):
            left = [values[k] for k in rule.left]
            right = [values[k] for k in rule.right]
            if None in left or None in right or abs(sum(left) - sum(right)) > 1e-9:
                return False
    return True


def _has_row_rule(keys, rules) -> bool:
    return any(all(k in keys for k in r.left + r.right) for r in rules)


def _forced_split(pieces: list[_Piece]) -> bool:
    """Every run that was cut could not have been one number (it began with 0: 005, 0000000)."""
    runs, current = [], ""
    for p in pieces:
        if p.split:
            current += p.raw.lstrip("+-−")
        elif current:
            runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return all(r.startswith("0") and len(r) > 1 for r in runs)


def _choose(candidates: dict, by_row: dict, rules) -> dict:
    """Pick one reading per row: the least penalty, then the template's arithmetic.

    Returns row -> (pieces, confidence), or row -> None when the readings disagree and nothing decides.
    """
    chosen: dict = {}
    open_rows: dict[str, list] = {}
    for row, options in candidates.items():
        if not options:
            chosen[row] = None
            continue
        keys = by_row[row].keys
        fitting = [o for o in options if _row_rule_ok(o[1], keys, rules)] or options
        least = min(p for p, _ in fitting)
        fitting = [pieces for p, pieces in fitting if p == least]
        distinct = {tuple(_numbers(p)): p for p in fitting}
        if len(distinct) == 1:
            pieces = next(iter(distinct.values()))
            checked = _has_row_rule(keys, rules) and _row_rule_ok(pieces, keys, rules)
            if least == 0:
                confidence = 1.0
            elif any(p.split for p in pieces):
                # Digits cut apart: sure when the row's sum confirms it or a leading zero forces it;
                # otherwise a cell may be missing rather than glued (其他对外管理服务事项/ 0 55).
                confidence = 0.95 if checked or _forced_split(pieces) else 0.6
            else:
                confidence = 0.95 if checked or len(options) == 1 else 0.8
            chosen[row] = (pieces, confidence)
        else:
            open_rows[row] = list(distinct.values())
    if open_rows:
        chosen.update(_resolve_by_columns(open_rows, chosen, by_row, rules))
    return chosen


def _resolve_by_columns(open_rows: dict, chosen: dict, by_row: dict, rules) -> dict:
    """Rows with several readings: keep the combinations that satisfy the most column identities."""
    rows = list(open_rows)
    total = 1
    for r in rows:
        total *= len(open_rows[r])
    if total > MAX_COMBINATIONS or not rules:
        return {r: None for r in rows}
    fixed = {}
    for row, pick in chosen.items():
        if pick:
            fixed.update(dict(zip(by_row[row].keys, _numbers(pick[0]))))
    column_rules = [r for r in rules if not any(set(r.left + r.right) <= set(s.keys) for s in by_row.values())]
    scored = []
    for combo in itertools.product(*(open_rows[r] for r in rows)):
        values = dict(fixed)
        for row, pieces in zip(rows, combo):
            values.update(dict(zip(by_row[row].keys, _numbers(pieces))))
        ok = 0
        for rule in column_rules:
            left = [values.get(k) for k in rule.left]
            right = [values.get(k) for k in rule.right]
            if None not in left and None not in right and abs(sum(left) - sum(right)) < 1e-9:
                ok += 1
        scored.append((ok, combo))
    best = max(s for s, _ in scored)
    winners = [c for s, c in scored if s == best]
    out = {}
    for k, row in enumerate(rows):
        readings = {tuple(_numbers(c[k])): c[k] for c in winners}
        out[row] = (next(iter(readings.values())), 0.9) if len(readings) == 1 else ("ambiguous", list(readings.values()))
    return out


def _store_row(spec, pick, options, cells, label_line, yuan_header):
    if pick is None or (isinstance(pick, tuple) and pick[0] == "ambiguous"):
        readings = pick[1] if pick else [p for _, p in options]
        columns = list(zip(*[_numbers(r) for r in readings])) if readings else [()] * len(spec.columns)
        for k, key in enumerate(spec.keys):
            seen = sorted({v for v in columns[k] if v is not None}) if readings else []
            if len(seen) == 1 and readings:
                value, kind = parse_value(readings[0][k], money=key.split(".")[-1].startswith("amount"),
                                          yuan_header=yuan_header)
                cells[key] = Cell(value, readings[0][k].raw, kind, readings[0][k].line, 0.8,
                                  note="row read several ways that agree on this cell")
            else:
                cells[key] = Cell(None, kind="ambiguous" if readings else "missing", line=label_line,
                                  confidence=0.0, candidates=seen,
                                  note="the row's cells could not be placed with confidence" if readings
                                  else "row has fewer cells than the template")
        return
    pieces, confidence = pick
    for key, piece in zip(spec.keys, pieces):
        money = key.split(".")[-1].startswith("amount")
        value, kind = parse_value(piece, money=money, yuan_header=yuan_header)
        note = "digits run together, split by the template's sums" if piece.split else ""
        cells[key] = Cell(value, piece.raw, kind, piece.line, confidence if value is not None else 0.0, note=note)


@dataclass(frozen=True)
class _Shape:
    """A run of cells read as one unit: table 4's fifteen cells have no row labels of their own."""
    row: str
    keys: tuple

    @property
    def columns(self):
        return self.keys


def _read_appeals(tokens, matches, header, spec, result: TableResult, cells):
    if not header:
        return
    result.found = True
    after = _trim_placeholders(_row_span(tokens, matches, header[-1], len(tokens), +1))
    shape = _Shape("all", tuple(f"appeals.{g}.{c}" for g in schema.APPEAL_GROUPS for c in schema.APPEAL_COLUMNS))
    candidates = _candidates(after, len(shape.keys))
    result.orientation = "after"
    if not candidates:
        before = _lead_placeholders(_row_span(tokens, matches, header[0], 0, -1))
        if before:
            candidates, result.orientation = _candidates(before, len(shape.keys)), "before"
    rules = [r for r in spec.rules if r.name.startswith("appeals.")]
    chosen = _choose({"all": candidates}, {"all": shape}, rules)
    result.rows = list(schema.APPEAL_GROUPS)
    _store_row(shape, chosen.get("all"), candidates, cells, tokens[header[-1]].line, False)
