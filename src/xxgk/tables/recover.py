"""Recover the three canonical tables from a report's tokens (stage 2): where text becomes numbers.

1. ``rowlabels`` finds each table's row labels, in template order.
2. The template is read from the labels (2021 table 2 columns, the split （六） rows), never the year alone.
3. ``placement`` gives each row its cells (after or before its label, placeholders dropped), as candidate
   readings with penalties.
4. Here the template's arithmetic chooses among the readings (and among the ways to split digits that ran
   together); a cell whose reading still depends on the choice is reported as ambiguous, with its
   candidates, never guessed. Table 4's cells, which have no row labels of the template's kind, are placed by
   its layout (``appeals``) and chosen among here the same way.
"""
from __future__ import annotations

import itertools
import re
from functools import lru_cache

from .. import schema
from ..datamodel import BLANK, BREAK, LABEL, VALUE, Cell, Recovery, TableResult, Token
from ..labels.dictionary import allowed_categories, categories_within, match_label, normalize_label
from ..labels.stages import LEARNED_STAGES
from ..options import DEFAULT_OPTIONS, Options
from . import appeals
from .arrange import (EMPTY_ROW_UNCHECKED, arrange_appeal_groups, arrange_appeals, arrange_table, drops_blanks,
                      printed_rows)
from .placement import (Piece, lead_placeholders, numbers, parse_value, place_rows, row_readings, row_span,
                        span_to, trim_placeholders)
from .sequence import read_appeals_in_order, read_in_order
from .runs import read_by_totals
from .rowlabels import DISCLOSURE_ORDER, REQUEST_ORDER, classify_tokens, find_rows


T2_2021_COLUMNS = {"column.issued", "column.repealed", "column.in_force"}
T2_2019_COLUMNS = {"column.made", "column.published", "column.previous", "column.change", "column.projects"}
# A heading read at this confidence or more is taken as read (the label stages settle a string from there).
SURE_HEADING = 0.9
# A label read at better than even odds is evidence: of table 4's header, of the template's table 2 columns.
LABEL_EVIDENCE = 0.5
# Table 2's column heads stand before its first row label, within this many tokens: where the template's
# 2019 or 2021 columns are looked for.
COLUMN_HEADS_REACH = 12

# How sure a row's reading is (``_choose``): as printed; chosen among several and confirmed by the row's own sum
# (or a leading zero that forces the digit cut, or the only reading); decided by the table's column sums; and
# unconfirmed: one reading of several, the least repaired, below the 0.9 from which a cell counts as confident,
# lowest when digits were cut apart (a cell may be missing rather than glued: 其他对外管理服务事项/ 0 55).
AS_PRINTED = 1.0
CONFIRMED = 0.95
BY_THE_COLUMNS = 0.9
UNCONFIRMED = 0.8
UNCONFIRMED_CUT = 0.6
# A cell on which every reading of an undecided row agrees.
READINGS_AGREE = 0.8


def recover(tokens: list[Token], options: Options = DEFAULT_OPTIONS) -> Recovery:
    """The three tables' cells read from a report's tokens, with the template they follow."""
    matches = classify_tokens(tokens, options)
    warnings: list[str] = []
    t3 = find_rows(tokens, matches, "requests", REQUEST_ORDER, 0, len(tokens), options)
    # Table 4's heading closes table 3: past it, 总计 and 其他 are table 4's column heads, not table 3's rows
    # (a table 3 whose own （七）总计 is unreadable would otherwise take table 4's 总计 and its cells).
    t4_heading = next((i for i, m in sorted(matches.items()) if t3 and i > t3[0].index
                       and m.category == "section.appeals" and m.confidence >= SURE_HEADING), None)
    if t4_heading is not None and t3[-1].index > t4_heading:
        t3 = find_rows(tokens, matches, "requests", REQUEST_ORDER, 0, t4_heading, options)
    t3_lo = t3[0].index if t3 else len(tokens)
    t2 = find_rows(tokens, matches, "disclosure", DISCLOSURE_ORDER, 0, t3_lo, options)
    # Between table 2's rows a label is table 2's: a wrapped 其他 / 对外管理服务 is not table 3's 其他, and
    # read as that it would end a row's cells at a label that names no row.
    if t2:
        in_table2 = allowed_categories("disclosure")
        for i, m in matches.items():
            if t2[0].index < i < t2[-1].index and m.category != "none" and m.category not in in_table2:
                matches[i] = match_label(tokens[i].text, in_table2)
    # Likewise between table 3's rows: a fragment of a wrapped label (本年 of 三、本年度办理结果, printed apart by
    # pdftotext -layout) read as table 2's column head would end a row's cells at nothing.
    if t3:
        in_table3 = allowed_categories("requests")
        for i, m in matches.items():
            if t3[0].index < i < t3[-1].index and m.category != "none" and m.category not in in_table3:
                matches[i] = match_label(tokens[i].text, in_table3)
    t3_hi = t3[-1].index if t3 else (t2[-1].index if t2 else 0)
    t4 = appeals.locate(tokens, matches, t3_hi)

    template, evidence = _detect_template(matches, t2, t3, tokens)
    spec = schema.template(template)
    cells: dict[str, Cell] = {}
    tables = {name: TableResult(name) for name in schema.TABLES}

    # Table 2
    t2_rows = [a for a in t2 if a.row in {r.row for r in spec.rows_of("disclosure")}]
    yuan = _yuan_header(matches, tokens, t2[0].index if t2 else 0, t3_lo)
    _read_rows(tokens, matches, t2_rows, spec.rows_of("disclosure"), tables["disclosure"], cells,
               rules=(), yuan_header=yuan, zone=(t2[0].index if t2 else 0, t3_lo), options=options)

    # Table 3: in the 2021 template （六）其他处理 heads three sub-rows; in 2019 it is the row itself.
    split_present = any(a.row in schema.OTHER_SPLIT_ROWS for a in t3)
    t3_rows = [a for a in t3 if not (a.row == "other" and split_present)]
    t3_specs = list(spec.rows_of("requests"))
    hybrid = None
    t3_end = t4.start if t4 else len(tokens)
    if template == "2021" and not split_present and (any(a.row == "other" for a in t3)
                                                     or _numbers_read_as_hybrid(tokens, matches, t3_rows, t3_specs,
                                                                                t3_lo, t3_end)):
        t3_specs.insert([r.row for r in t3_specs].index("total"), schema.template("2019").row("requests.other"))
        hybrid = True
    _read_rows(tokens, matches, t3_rows, t3_specs, tables["requests"], cells,
               rules=[r for r in schema.template("2019" if hybrid else template).rules
                      if r.name.startswith("requests.")],
               zone=(t3_lo, t3_end), options=options)
    hybrid_cells = None
    if hybrid:
        hybrid_cells = {k: cells.pop(k) for k in list(cells) if k.startswith("requests.other.")}
        for k in spec.keys:
            if k.split(".")[1] in schema.OTHER_SPLIT_ROWS:
                cells[k] = Cell(None, kind="missing", note="2019-style single （六）其他处理 row; kept in detail")
        warnings.append("hybrid report: 2021 table 2 with the 2019 table 3's single （六）其他处理 row")

    # Table 4: its cells placed by its layout (``appeals``), chosen among by the arithmetic as every row's are.
    if t4:
        _read_appeals(tokens, matches, t4, appeals.place(tokens, matches, t4, options), spec, tables["appeals"], cells,
                      options, table3=[t for t in tokens[t3_lo:t3_end] if t.kind != LABEL] if t3 else [])
    account_for_numbers(tokens, tables, {**cells, **(hybrid_cells or {})},
                        {"disclosure": {a.row: a.index for a in t2_rows}, "requests": {a.row: a.index for a in t3_rows},
                         "appeals": {}}, list(t4.header) if t4 else [],
                        ends={"disclosure": t3_lo, "requests": t3_end} if t3 else {})

    for i, m in sorted(matches.items()):
        if m.stage in LEARNED_STAGES:
            reader = "transformer" if m.stage == "model" else "n-gram classifier"
            warnings.append(f"row label {tokens[i].text.strip()!r} (line {tokens[i].line}) read by the label "
                            f"{reader} as {m.category}")
    for key in spec.keys:
        if key not in cells:    # (not setdefault: a Cell made for each of some 200 keys, most of them read)
            cells[key] = Cell(None, kind="missing", confidence=0.0, note="not found in the document")
    _doubt_lines_the_reader_doubts(tokens, [cells, hybrid_cells or {}])
    for name, t in tables.items():
        if not t.found:
            warnings.append(f"table {name} ({schema.TABLE_TITLES[name]}) not found")
    return Recovery(template, evidence, cells, tables, hybrid_cells, warnings)


def _detect_template(matches, t2, t3, tokens) -> tuple[str, dict]:
    lo = t2[0].index - COLUMN_HEADS_REACH if t2 else 0
    hi = t3[0].index if t3 else len(tokens)
    cats = {m.category for i, m in matches.items() if lo <= i < hi and m.confidence >= LABEL_EVIDENCE}
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


# How far before table 2's first row its unit line (单位：元) may stand: the heading, the 第二十条 line and the
# header row come between.
UNIT_LINE_REACH = 12
_UNIT_LINE = re.compile(r"单位[:：]?(?:人民币)?元(?!\w)")


def _yuan_header(matches, tokens, lo, hi) -> bool:
    """True when table 2's money is stated in 元 rather than 万元 (bare numbers then need converting): its money
    column's header says 元, or a unit line above the table or inside it does (单位：元)."""
    for i, m in matches.items():
        if lo <= i < hi and m.category == "column.amount_wan":
            text = normalize_label(tokens[i].text)
            if "元" in text and "万元" not in text:
                return True
    return any(t.kind == LABEL and _UNIT_LINE.search(normalize_label(t.text))
               for t in tokens[max(0, lo - UNIT_LINE_REACH):hi])


def _read_rows(tokens, matches, anchors, row_specs, result: TableResult, cells, rules, zone, options: Options,
               yuan_header=False):
    by_row = {r.row: r for r in row_specs}
    anchors = [a for a in anchors if a.row in by_row]
    if not anchors:
        return
    result.found = True
    lo, hi = zone
    sums = _sums_inside_rows(by_row, rules)
    candidates, orientations = place_rows(tokens, matches, anchors, [len(by_row[a.row].columns) for a in anchors], hi,
                                          options.max_digit_splits, [sums[a.row] for a in anchors])
    result.orientation = ("after" if set(orientations) == {"A"} else "before" if set(orientations) == {"B"}
                          else "mixed")
    result.rows = [a.row for a in anchors]
    result.missing_rows = [r.row for r in row_specs if r.row not in candidates]
    line_of = {a.row: tokens[a.index].line for a in anchors}
    chosen = _choose(candidates, by_row, rules, options.max_row_combinations)
    # Rows short of cells in a text that leaves its blank cells out: placed by the template's sums.
    arranged = arrange_table(tokens, matches, anchors, by_row, candidates, chosen, rules, hi, yuan_header)
    in_order: dict[str, Cell] = {}
    if not arranged and rules and any(not candidates.get(row) for row in printed_rows(list(by_row))):
        # Rows whose labels stand apart from their numbers (plain pdftotext): the numbers in the template's order,
        # which the identities, not the labels' places, vouch for.
        arranged = in_order = read_in_order(tokens, matches, anchors, by_row, rules, hi, _heading_before(matches, lo))
        if not arranged:
            # Blank cells printed as nothing, the labels apart (plain pdftotext of a source without zeros): the rows
            # the row totals and the identities alone decide.
            arranged = in_order = read_by_totals(tokens, matches, anchors, by_row, rules, hi,
                                                 _heading_before(matches, lo))
    elif (not arranged and not rules and not yuan_header
          and not any(candidates.get(row) for row in printed_rows(list(by_row)))):
        # Table 2, no row read beside its label (plain pdftotext stacks its labels, then prints its numbers): the
        # numbers in the template's order, which no identity vouches for, so every cell stays flagged.
        arranged = in_order = read_in_order(tokens, matches, anchors, by_row, rules, hi, _heading_before(matches, lo))
    elif not arranged and not rules and not yuan_header and _few_read_beside_labels(by_row, candidates):
        # Table 2's labels stacked, its numbers after them all: the last label's row, or a few, took numbers after
        # their label that are the table's in the template's order. Read so where the order agrees with every row
        # read beside its label, every cell flagged as above.
        found = read_in_order(tokens, matches, anchors, by_row, rules, hi, _heading_before(matches, lo))
        # A row read past stacked labels says nothing of the order: its values may be any of the stack's.
        stacked = _after_stacked_labels(tokens, anchors, orientations, {row for row in by_row if candidates.get(row)})
        if found and _agrees_with_rows_read(found, by_row, {row: pick for row, pick in chosen.items()
                                                            if row not in stacked}):
            arranged = in_order = found
    against_the_grain: set[str] = set()
    # Rows read the other way round from their table (values before the label where the rest have them after).
    minority = _against_the_grain(anchors, orientations)
    # When they are few (a run of them in a table read one way), each may have taken its neighbour's cells, a
    # shift or a swap no sum sees.
    few_against = minority if len(minority) * FEW_AGAINST_THE_GRAIN <= len(anchors) else set()
    # A row found but with no reading that fits (its label read, its cells taken by a neighbour) is as
    # lost as a row not found.
    read = {row for row, found in candidates.items() if found}
    if len(read) < len(by_row):
        beside = _neighbours_of_missing(row_specs, read)
        against_the_grain = (_beside_missing(row_specs, read, minority)
                             | _crossed_unread_label(tokens, matches, anchors, orientations, beside, hi)
                             | _read_either_side(tokens, matches, anchors, orientations, beside, by_row, chosen, hi,
                                                 options.max_digit_splits, sums)
                             # a shift leaves the row at the run's end unread
                             | _in_runs(anchors, few_against)
                             | _facing_missing(tokens, matches, row_specs, read, anchors, orientations, by_row, hi,
                                               options.max_digit_splits, sums))
    elif few_against:
        # Every row read, so no shift: a swap of two rows (a wrapped label's halves around their values) shows
        # as a row whose other side reads as a whole row too, and differently.
        against_the_grain = _read_either_side(tokens, matches, anchors, orientations, few_against, by_row, chosen,
                                              hi, options.max_digit_splits, sums)
    blanks_dropped = drops_blanks([t for t in tokens[lo:hi] if t.kind != LABEL])
    if blanks_dropped:
        against_the_grain |= _beside_an_empty_row(anchors, orientations, chosen)
    settled = {row for row, found in candidates.items() if found} | {
        row for row, spec in by_row.items() if spec.keys[0] in arranged}
    # Where blank cells are left out and no identity places the cells (table 2), a row that read nothing is no
    # more read than one not found: its label stacked on the next one's, the values after them may be either's.
    unvouched = blanks_dropped and not rules
    if unvouched:
        settled -= _read_empty(by_row, chosen, arranged)
    # A row read only in doubt (its cells may be a neighbour's) no more bounds a stack of labels than an unread one:
    # 行政强制 / 信息内容 / 行政事业性收费 / 5, 行政强制 read 6415 (行政处罚's, before its label, doubted), the 5 its own.
    settled -= against_the_grain
    against_the_grain |= _after_stacked_labels(tokens, anchors, orientations, settled, carried=unvouched)
    against_the_grain |= _across_a_label_piece(tokens, chosen, {row for row, spec in by_row.items()
                                                                if spec.keys[0] in arranged})
    for row, spec in by_row.items():
        if spec.keys[0] in arranged:
            cells.update({key: arranged[key] for key in spec.keys})
        elif row not in candidates:
            for key in spec.keys:
                cells[key] = Cell(None, kind="missing", confidence=0.0, note="row not found")
            continue
        else:
            _store_row(spec, chosen.get(row), candidates[row], cells, line_of[row], yuan_header)
        if row in against_the_grain and spec.keys[0] not in in_order:
            for key in spec.keys:
                cell = cells[key]
                if cell.value is not None and cell.confidence > UNSURE_ORDER:
                    cell.confidence = UNSURE_ORDER
                    cell.note = ("beside a row not found or not read, and read against the table's order, past "
                                 "unreadable text, or with a whole row on either side: the cells may be that row's")


# Table 2 is read in the template's order when fewer than this share of its rows read any cells beside their label:
# stacked labels leave only the last one or two with numbers after them (seeds 0-53 of Chromium's PDF: one or two
# of six or eight rows).
FEW_BESIDE_LABELS = 0.5


def _few_read_beside_labels(by_row: dict, candidates: dict) -> bool:
    rows = printed_rows(list(by_row))
    return sum(1 for row in rows if candidates.get(row)) < FEW_BESIDE_LABELS * len(rows)


def _agrees_with_rows_read(found: dict[str, Cell], by_row: dict, chosen: dict) -> bool:
    """Whether the cells read in the template's order are those of every row read beside its label (a row chosen
    by its readings; one left ambiguous says nothing)."""
    for row, pick in chosen.items():
        if not pick or not isinstance(pick[1], float) or row not in by_row:
            continue
        if [found[key].value if key in found else None for key in by_row[row].keys] != numbers(pick[0]):
            return False
    return True


# Next to a row not found, a row whose cells were taken from the side opposite to the rest of its table,
# from past a piece of text nobody could read, or from one of two sides that both read as a whole row, may
# have taken that row's cells (its label unreadable, its values still there): nothing in the template's
# arithmetic can tell, so the cells are given as unsure.
UNSURE_ORDER = 0.6
# A table whose rows are read against its order in at most one row of this many is read in one order: those few
# rows are the doubtful ones (a PDF's scrambled reading order mixes the two orders far more evenly).
FEW_AGAINST_THE_GRAIN = 3


def _beside_missing(row_specs, found, minority: set[str]) -> set[str]:
    """The minority rows that touch a row not found, in the template's order, directly or through other
    minority rows (a shift runs on: each row took its neighbour's cells)."""
    order = [r.row for r in row_specs]
    beside = set()
    for i, row in enumerate(order):
        if row in found:
            continue
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(order) and order[j] in minority:
                beside.add(order[j])
                j += step
    return beside


def _facing_missing(tokens, matches, row_specs, found, anchors, orientations, by_row, hi: int,
                    max_digit_splits: int, sums: dict) -> set[str]:
    """In a table read both ways, the rows whose readings face a row not found and may have shifted from it: a
    shift starts at the lost row (1.属于国家秘 / 不予公 密 0 0 … : its cells cut off by a label, the rows after it
    each took the cells before their own label, the row above's), and neither the text nor a row's own total
    shows which way it ran. From the lost row, the run of rows read after their labels just before it (or
    before their labels just after it) is doubted while each row's other side reads as a whole row too (the
    shift may run on through it), and the first row where it does not (the shift would end there, that row
    holding one row too many). The minority rule (``_beside_missing``) misses such a shift when the two ways
    are near even."""
    if len(set(orientations)) < 2:
        return set()
    k_of = {a.row: k for k, a in enumerate(anchors)}
    side = {a.row: o for a, o in zip(anchors, orientations)}
    order = [r.row for r in row_specs]

    def other_side_whole(row: str) -> bool:
        k = k_of[row]
        step = -1 if side[row] == "A" else 1
        cells = row_span(tokens, matches, anchors[k].index, _side_stop(anchors, k, step, hi), step)
        other = lead_placeholders(cells) if step < 0 else trim_placeholders(cells)
        return any(penalty == 0 for penalty, _ in row_readings(other, len(by_row[row].columns), max_digit_splits,
                                                             sums[row]))

    facing: set[str] = set()
    for i, row in enumerate(order):
        # Only a row whose label was read: a row whose label is not in the text at all has no cells to shift.
        if row in found or row not in k_of:
            continue
        for step, toward in ((-1, "A"), (1, "B")):
            j = i + step
            while 0 <= j < len(order) and order[j] in found and side.get(order[j]) == toward:
                facing.add(order[j])
                if not other_side_whole(order[j]):
                    break
                j += step
    return facing


def _neighbours_of_missing(row_specs, found) -> set[str]:
    order = [r.row for r in row_specs]
    return {order[j] for i, row in enumerate(order) if row not in found
            for j in (i - 1, i + 1) if 0 <= j < len(order) and order[j] in found}


def _side_stop(anchors, k: int, step: int, hi: int) -> int:
    """Where row k's cells on one side end at the latest: the neighbouring label, or the table's edge (as
    ``place_rows`` bounds them)."""
    if step > 0:
        return anchors[k + 1].index if k + 1 < len(anchors) else hi
    return anchors[k - 1].index if k > 0 else -1


def _crossed_unread_label(tokens, matches, anchors, orientations, beside: set[str], hi: int) -> set[str]:
    """Rows next to a row not found whose cells lie past a piece of text nobody could read (the lost row's
    label, its values now taken by this row)."""
    crossed = set()
    for k, (a, o) in enumerate(zip(anchors, orientations)):
        if a.row not in beside:
            continue
        step = 1 if o == "A" else -1
        _, end = span_to(tokens, matches, a.index, _side_stop(anchors, k, step, hi), step)
        if any(tokens[i].kind == LABEL and (matches.get(i) is None or matches[i].category == "none")
               for i in range(a.index + step, end, step)):
            crossed.add(a.row)
    return crossed


def _read_either_side(tokens, matches, anchors, orientations, beside: set[str], by_row, chosen, hi: int,
                      max_digit_splits: int, sums: dict) -> set[str]:
    """In a table whose rows have values on both sides of their labels (PDF reading order), the rows next
    to a row not found whose cells on the other side read as a whole row too, and differently: which side
    is theirs and which the lost row's, nothing tells."""
    if len(set(orientations)) < 2:
        return set()
    either = set()
    for k, (a, o) in enumerate(zip(anchors, orientations)):
        pick = chosen.get(a.row)
        if a.row not in beside or not pick or pick[0] == "ambiguous":
            continue
        step = -1 if o == "A" else 1
        cells = row_span(tokens, matches, a.index, _side_stop(anchors, k, step, hi), step)
        other = lead_placeholders(cells) if step < 0 else trim_placeholders(cells)
        taken = [p.raw for p in pick[0]]
        if any(penalty == 0 and [p.raw for p in pieces] != taken
               for penalty, pieces in row_readings(other, len(by_row[a.row].columns), max_digit_splits,
                                                   sums[a.row])):
            either.add(a.row)
    return either


def _beside_an_empty_row(anchors, orientations, chosen) -> set[str]:
    """In a text that leaves blank cells out, a row whose values stand between its label and the label of a
    neighbour with nothing printed (行政处罚 / 117 / 行政强制), and that neighbour: the values are either row's by
    the side the table is read from, which one such text cannot show."""
    def pieces(pick) -> list:     # a reading's pieces; every reading's where the readings disagree
        if not pick:
            return []
        return [p for reading in pick[1] for p in reading] if pick[0] == "ambiguous" else pick[0]

    printed = {row: any(not p.blank for p in pieces(pick)) for row, pick in chosen.items()}
    out: set[str] = set()
    for k, (anchor, side) in enumerate(zip(anchors, orientations)):
        if not printed.get(anchor.row):
            continue
        j = k + 1 if side == "A" else k - 1
        if 0 <= j < len(anchors) and not printed.get(anchors[j].row, False):
            out |= {anchor.row, anchors[j].row}
    return out


def _after_stacked_labels(tokens, anchors, orientations, settled: set[str], carried: bool = False) -> set[str]:
    """Rows whose values stand past the label of a neighbour left unread, with nothing between the two labels
    (行政许可 / 行政处罚 / 行政强制 / 80: plain pdftotext stacks a table's labels and prints its numbers after them):
    the values read as this row's may be any of the stacked rows'. With ``carried`` (a text that leaves blank
    cells out) the row after such a stack as well: the stack's numbers may run on past its label (行政强制 / 177 /
    行政事业性收费 / 64, the 64 行政强制's), and no count of blank cells tells where they end."""
    out: set[str] = set()
    for k, (anchor, side) in enumerate(zip(anchors, orientations)):
        j = k - 1 if side == "A" else k + 1
        if not 0 <= j < len(anchors) or anchors[j].row in settled:
            continue
        low, high = sorted((anchors[j].index, anchor.index))
        if not any(tokens[i].kind in (VALUE, BLANK) for i in range(low + 1, high)):
            out.add(anchor.row)
            beyond = k + 1 if side == "A" else k - 1
            if carried and 0 <= beyond < len(anchors):
                out.add(anchors[beyond].row)
    return out


def _across_a_label_piece(tokens, chosen, arranged_rows: set[str]) -> set[str]:
    """Rows whose cells stand on both sides of a piece of label text (3.危及“三安 / 0 0 0 0 0 7 / 全一稳定” 7:
    plain pdftotext prints a wrapped label's second line with the value beside it after the row's other
    cells): the two runs are in the reader's order, not the page's, and a row's own total holds in either."""
    position = {id(t): i for i, t in enumerate(tokens)}
    out: set[str] = set()
    for row, pick in chosen.items():
        if row in arranged_rows or not pick or pick[0] == "ambiguous":
            continue
        at = [position[id(p.origin)] for p in pick[0] if p.origin is not None and id(p.origin) in position]
        pieces = [i for i in range(min(at) + 1, max(at)) if tokens[i].kind == LABEL] if len(at) > 1 else []
        # Only cells printed one by one on lines of their own before the piece: a row's cells set out along a
        # line (pdftotext -layout, a value or two on the label's first line, the rest on its next) keep the
        # page's order across a label piece.
        if pieces and len({tokens[i].line for i in at if i < pieces[0]}) >= 2:
            out.add(row)
    return out


def _read_empty(by_row, chosen, arranged) -> set[str]:
    """Rows read with no printed value: all their cells placed blank, or a reading (every reading, where the
    readings disagree) with none."""
    def pieces(pick) -> list:
        return [p for reading in pick[1] for p in reading] if pick[0] == "ambiguous" else pick[0]
    empty = set()
    for row, spec in by_row.items():
        if spec.keys[0] in arranged:
            if all(arranged[key].kind == "blank" for key in spec.keys):
                empty.add(row)
        elif chosen.get(row) and not any(not p.blank for p in pieces(chosen[row])):
            empty.add(row)
    return empty


def _in_runs(anchors, rows: set[str]) -> set[str]:
    """The rows of ``rows`` next to another of them in the table's order."""
    order = [a.row for a in anchors]
    return {row for k, row in enumerate(order) if row in rows
            and ((k > 0 and order[k - 1] in rows) or (k + 1 < len(order) and order[k + 1] in rows))}


def _numbers_read_as_hybrid(tokens, matches, anchors, specs, lo: int, hi: int) -> bool:
    """Whether a 2021 table 3 whose （六） labels were not read is a hybrid's (the 2019 single （六）其他处理 row): its
    numbers, every cell printed, read in the template's order with that row and hold every identity so (plain
    pdftotext: 161 numbers for the 2021 template's 175)."""
    hybrid = [r for r in specs if r.row not in schema.OTHER_SPLIT_ROWS]
    hybrid.insert([r.row for r in hybrid].index("total"), schema.template("2019").row("requests.other"))
    by_row = {r.row: r for r in hybrid}
    rules = [r for r in schema.template("2019").rules if r.name.startswith("requests.")]
    return bool(read_in_order(tokens, matches, [a for a in anchors if a.row in by_row], by_row, rules, hi,
                              _heading_before(matches, lo)))


def _heading_before(matches, lo: int) -> int | None:
    """The token of the last section heading read surely before token ``lo`` (a table's first row label): where
    the table's own text begins."""
    return max((i for i, m in matches.items() if i < lo and m.category.startswith("section.")
                and m.confidence >= SURE_HEADING), default=None)


def _against_the_grain(anchors, orientations) -> set[str]:
    """Rows read in the table's minority orientation (values before the label where the others have them
    after, or the reverse); a tie counts values-before as the exception."""
    after, before = orientations.count("A"), orientations.count("B")
    if not after or not before:
        return set()
    minority = "B" if before <= after else "A"
    return {a.row for a, o in zip(anchors, orientations) if o == minority}


def _identities_inside_rows(by_row: dict, rules) -> dict[str, list[tuple[tuple[int, ...], tuple[int, ...], int]]]:
    """Per row, the identities that lie inside it (its columns sum to its 总计; table 4's group totals), as
    positions of its cells: (left, right, the last position they need). Nobody changes what it gives."""
    return _identities_of(tuple(by_row.items()), tuple(rules))


@lru_cache(maxsize=64)
def _identities_of(rows: tuple, rules: tuple) -> dict[str, list[tuple[tuple[int, ...], tuple[int, ...], int]]]:
    # Cached: a template's tables have a few shapes, and every table of every report asks for them.
    by_row = dict(rows)
    where = {k: (row, i) for row, spec in by_row.items() for i, k in enumerate(spec.keys)}
    inside: dict[str, list] = {row: [] for row in by_row}
    for rule in rules:
        places = [where.get(k) for k in rule.left + rule.right]
        rows = {p[0] for p in places if p is not None}
        if None in places or len(rows) != 1:
            continue
        at = [i for _, i in places]
        inside[rows.pop()].append((tuple(at[:len(rule.left)]), tuple(at[len(rule.left):]), max(at)))
    return inside


def _sums_inside_rows(by_row: dict, rules) -> dict[str, tuple]:
    """Per row, its identities as positions of its cells, ((left...), (right...)): how ``placement`` cuts
    the digits that ran together in it."""
    return {row: tuple((left, right) for left, right, _ in identities)
            for row, identities in _identities_inside_rows(by_row, rules).items()}


def _sums_hold(row_numbers, identities) -> bool:
    for left_at, right_at, last in identities:
        if last >= len(row_numbers):
            continue    # a reading short of cells is held only to the identities it has cells for
        left = [row_numbers[i] for i in left_at]
        right = [row_numbers[i] for i in right_at]
        if None in left or None in right or abs(sum(left) - sum(right)) > 1e-9:
            return False
    return True


def _forced_split(pieces: list[Piece]) -> bool:
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


def _choose(candidates: dict, by_row: dict, rules, max_combinations: int) -> dict:
    """Pick one reading per row: the least penalty, then the template's arithmetic.

    Returns row -> (pieces, confidence), or row -> None when the readings disagree and nothing decides.
    """
    chosen: dict = {}
    open_rows: dict[str, list] = {}
    inside = _identities_inside_rows(by_row, rules)
    for row, readings in candidates.items():
        if not readings:
            chosen[row] = None
            continue
        identities = inside[row]
        read = [(penalty, pieces, tuple(numbers(pieces))) for penalty, pieces in readings]
        fitting = [r for r in read if _sums_hold(r[2], identities)] or read
        least = min(p for p, _, _ in fitting)
        distinct = {row_numbers: pieces for p, pieces, row_numbers in fitting if p == least}
        if len(distinct) == 1:
            row_numbers, pieces = next(iter(distinct.items()))
            checked = bool(identities) and _sums_hold(row_numbers, identities)
            if least == 0:
                confidence = AS_PRINTED
            elif any(p.split for p in pieces):
                # Digits cut apart: sure when the row's sum confirms it or a leading zero forces it;
                # otherwise a cell may be missing rather than glued (其他对外管理服务事项/ 0 55).
                confidence = CONFIRMED if checked or _forced_split(pieces) else UNCONFIRMED_CUT
            else:
                confidence = CONFIRMED if checked or len(readings) == 1 else UNCONFIRMED
            chosen[row] = (pieces, confidence)
        else:
            open_rows[row] = list(distinct.values())
    if open_rows:
        chosen.update(_resolve_by_columns(open_rows, chosen, by_row, rules, max_combinations))
    return chosen


def _resolve_by_columns(open_rows: dict, chosen: dict, by_row: dict, rules, max_combinations: int) -> dict:
    """Rows with several readings: keep the combinations that satisfy the most column identities."""
    rows = list(open_rows)
    total = 1
    for r in rows:
        total *= len(open_rows[r])
    if total > max_combinations or not rules:
        return {r: None for r in rows}
    fixed = {}
    for row, pick in chosen.items():
        if pick:
            fixed.update(dict(zip(by_row[row].keys, numbers(pick[0]))))
    column_rules = [r for r in rules if not any(set(r.left + r.right) <= set(s.keys) for s in by_row.values())]
    read = {row: [(pieces, tuple(numbers(pieces))) for pieces in open_rows[row]] for row in rows}
    row_keys = [by_row[row].keys for row in rows]
    scored = []
    for combo in itertools.product(*(read[r] for r in rows)):
        values = dict(fixed)
        for keys, (_, row_numbers) in zip(row_keys, combo):
            values.update(zip(keys, row_numbers))
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
        readings = {c[k][1]: c[k][0] for c in winners}
        out[row] = ((next(iter(readings.values())), BY_THE_COLUMNS) if len(readings) == 1
                    else ("ambiguous", list(readings.values())))
    return out


# A money cell converted from 元 because its column header says 元 (not the cell itself) is an unsure reading.
CONVERTED_BY_HEADER = 0.85


def _store_row(spec, pick, candidates, cells, label_line, yuan_header):
    if pick is None or (isinstance(pick, tuple) and pick[0] == "ambiguous"):
        readings = pick[1] if pick else [p for _, p in candidates]
        columns = list(zip(*[numbers(r) for r in readings])) if readings else [()] * len(spec.columns)
        for k, key in enumerate(spec.keys):
            seen = sorted({v for v in columns[k] if v is not None}) if readings else []
            if len(seen) == 1 and readings:
                value, kind = parse_value(readings[0][k], money=key.split(".")[-1].startswith("amount"),
                                          yuan_header=yuan_header)
                cells[key] = Cell(value, readings[0][k].raw, kind, readings[0][k].line,
                                  min(READINGS_AGREE, _read_surely(readings[0][k])),
                                  note="row read several ways that agree on this cell",
                                  token=readings[0][k].origin)
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
        cell_confidence = confidence if value is not None else 0.0
        if _read_surely(piece) < cell_confidence:
            # the reader (OCR) was this unsure of the text: no reading of it can be surer
            cell_confidence = _read_surely(piece)
            if cell_confidence < READER_TRUSTED:
                note = f"read with confidence {cell_confidence:.2f} by the reader"
        if yuan_header and value != parse_value(piece, money=money)[0]:
            # The figure is no longer the document's: it rests on the header's 元, which one dropped 万 makes.
            note = f"the column header says 元: {piece.raw.strip()} 元 written as {value:g} 万元"
            cell_confidence = min(cell_confidence, CONVERTED_BY_HEADER)
        cells[key] = Cell(value, piece.raw, kind, piece.line, cell_confidence, note=note, token=piece.origin)


# The cells of a row beside a number no cell took: the number may be one of theirs (a row read short, or read as
# zeros where the text holds figures), so none of them is offered as sure.
BESIDE_AN_UNPLACED_NUMBER = 0.6


def counts(raw: str) -> bool:
    """A number that is not zero: one that would count if a cell had taken it."""
    return any(ch in "123456789" for ch in raw)


def account_for_numbers(tokens: list[Token], tables: dict[str, TableResult], cells: dict[str, Cell],
                        rows: dict[str, dict[str, int]], appeals_header: list[int],
                        ends: dict[str, int] | None = None) -> None:
    """Every number printed inside a table's stretch of text (from its first label or cell to its last, and on
    to where the next table begins, ``ends[t]``, when given) is a cell of the record or listed in
    ``tables[t].unplaced``. The rows it may belong to are marked unsure: the rows
    whose labels stand on either side of it, and, when it stands between a row's label and that row's first cell
    (the row's reading passed over it) or after the label of a row that placed nothing, the row before as well,
    which may be short of it or hold the row's own values (plain pdftotext prints a row's values around its label:
    规章 / 1 / 本年废止件数 / 3 / 7 / 行政规范性文件 / 36, the 7 行政规范性文件's); in table 4, which has no row
    labels, every cell."""
    position = {id(t): i for i, t in enumerate(tokens)}
    taken = {id(c.token) for c in cells.values() if c.token is not None}
    claimed: set[int] = set()
    # Each table's rows' placed cells, by position, and its cells read with a value (row, cell), the cells gone
    # through once for all tables.
    owned: dict[str, dict[str, list[int]]] = {}
    valued: dict[str, list[tuple[str, Cell]]] = {}
    for key, c in cells.items():
        if "." not in key:
            continue
        table_name, _, rest = key.partition(".")
        if c.value is not None:
            valued.setdefault(table_name, []).append((rest.split(".")[0], c))
        if c.token is not None and id(c.token) in position:
            owned.setdefault(table_name, {}).setdefault(rest.split(".")[0], []).append(position[id(c.token)])
    for name, table in tables.items():
        labels = rows.get(name, {})
        order = sorted(labels, key=labels.get)
        own = owned.get(name, {})
        where = list(labels.values()) + [i for at in own.values() for i in at] + \
            (appeals_header if name == "appeals" else [])
        if not table.found or not where:
            continue
        # A number after the table's last placed cell but before the next table is still this table's: a text
        # that scatters a table's cells (a row's figures printed after the labels of the rows below) leaves the
        # last row's reading taking a row above's figures and its own figures after it, placed by nobody.
        last = max(max(where), (ends or {}).get(name, 0) - 1)
        for i in range(min(where), min(last, len(tokens) - 1) + 1):
            token = tokens[i]
            if (token.kind != VALUE or id(token) in taken or i in claimed
                    or not any(ch.isdigit() for ch in token.text)):
                continue
            claimed.add(i)
            table.unplaced.append({"raw": token.text, "line": token.line})
            near = _rows_beside(i, order, labels, own)
            note = f"a number beside this row was not placed: {token.text.strip()!r} (line {token.line})"
            for row, c in valued.get(name, []):
                if name == "appeals" or row in near:
                    c.doubt(BESIDE_AN_UNPLACED_NUMBER, note)
        _doubt_a_table_of_nothing_beside_counts(table, [c for _, c in valued.get(name, [])])
    _doubt_numbers_after_a_parted_sign(tokens, cells, taken)


def _doubt_a_table_of_nothing_beside_counts(table: TableResult, own: list[Cell]) -> None:
    """A table read as nothing but zeros (``own``: its cells read with a value) while numbers that count stand
    unplaced in its stretch: its sums hold only because every cell is zero, which is no reading (a text that drops
    blank cells and printed the counts where no row's reading took them, e.g. after the last label). Every cell of
    it is offered as unsure, not only the rows beside the numbers."""
    counting = [u["raw"].strip() for u in table.unplaced if counts(u["raw"])]
    if not counting or any(c.value for c in own):
        return
    note = f"the table reads only zeros while numbers in it were not placed: {', '.join(counting[:6])}"
    for c in own:
        c.doubt(BESIDE_AN_UNPLACED_NUMBER, note)


# A hyphen or minus standing alone as a cell: a blank cell's mark, or the sign of the number after it that a table
# finder cut off at a column border it drew inside the cell (pymupdf4llm: 本年|增/减 over -|1 for -1).
_LONE_SIGN = frozenset("-−－")
# The same hyphen opening a cell's text, a word of its own before the cell's wrapped words (- ）项: a pipe cell's
# first line, ``readers.markdown.clean_markdown``).
_SIGN_OPENING = re.compile(r"^[-−－]\s+\S")
# A number that may have lost its sign is not sure: below READER_TRUSTED, with the reason in its note.
AFTER_A_PARTED_SIGN = 0.6


def _doubt_numbers_after_a_parted_sign(tokens: list[Token], cells: dict[str, Cell], taken: set[int]) -> None:
    """A lone hyphen no cell took (a mark, or a word opening a cell's text), followed on its line by a number a cell
    took (labels between allowed: a cell's wrapped text), may be that number's sign cut off by a column border: the
    cell may be negative (本年增/减), so it is flagged, never offered as sure. A hyphen a cell took is a blank cell's
    mark and says nothing."""
    by_token = {id(c.token): c for c in cells.values() if c.token is not None and c.value is not None}
    for i, token in enumerate(tokens):
        if not (token.kind == VALUE and token.text.strip() in _LONE_SIGN and id(token) not in taken
                or token.kind == LABEL and _SIGN_OPENING.match(token.text)):
            continue
        for j in range(i + 1, len(tokens)):     # (not a copy of the tokens after it, for each hyphen)
            after = tokens[j]
            if after.kind == BREAK or after.line != token.line:
                break
            if after.kind != VALUE:
                continue
            cell = by_token.get(id(after))
            if cell is not None and after.text.strip()[:1].isdigit():
                cell.doubt(AFTER_A_PARTED_SIGN,
                           f"a lone {token.text.strip()[0]!r} before it (line {token.line}) may be its sign")
            break


def _rows_beside(i: int, order: list[str], labels: dict[str, int], own: dict[str, list[int]]) -> set[str]:
    """The rows a number left at token ``i`` may belong to (see ``account_for_numbers``)."""
    before = [row for row in order if labels[row] < i]
    after = [row for row in order if labels[row] > i]
    near = set(before[-1:] + after[:1])
    if len(before) > 1 and (not own.get(before[-1]) or i < min(own[before[-1]])):
        near.add(before[-2])
    return near


# A cell the reader read with less confidence than this (``Token.confidence``) is not sure, and neither are the
# cells placed beside it: see ``_doubt_lines_the_reader_doubts``.
READER_TRUSTED = 0.9
# A label with no Chinese character, read unsure, may be a misread value (a digit taken for a letter).
_CJK = re.compile(r"[\u3400-\u9fff]")


def _read_surely(piece) -> float:
    """How sure the reader was of the text a piece was read from (``Token.confidence``; 1 without a token)."""
    return piece.origin.confidence if piece.origin is not None else 1.0


def _doubt_lines_the_reader_doubts(tokens: list[Token], cell_sets: list[dict]) -> None:
    """A row's cells are placed by their order, so a cell the reader was unsure of that may not be one value (a
    value or a blank read unsure: ink read as nothing, digits that may be two numbers; or a label without a
    Chinese character, a misread value perhaps) puts every cell of its line in doubt: none keeps more confidence
    than that cell. Only what stands after the line's last Chinese label counts (the row's values; before it lie
    the label columns, merged cells whose ink is no value), and a Chinese label read unsure is the label
    classifier's to judge."""
    if all(t.confidence >= READER_TRUSTED for t in tokens if t.kind != BREAK):
        return      # a text reader's tokens: no line holds a cell read unsure
    by_line: dict[int, list[Token]] = {}
    for t in tokens:
        if t.kind != BREAK:
            by_line.setdefault(t.line, []).append(t)
    doubt: dict[int, tuple[float, str]] = {}
    for line, line_tokens in by_line.items():
        if min(t.confidence for t in line_tokens) >= READER_TRUSTED:
            continue
        labels = [i for i, t in enumerate(line_tokens) if t.kind == LABEL and _CJK.search(t.text)]
        values = line_tokens[labels[-1] + 1:] if labels else line_tokens
        unsure = [t for t in values if t.confidence < READER_TRUSTED]
        if unsure:
            least = min(unsure, key=lambda t: t.confidence)
            doubt[line] = (least.confidence, least.text)
    if not doubt:
        return
    for cells in cell_sets:
        for cell in cells.values():
            if cell.line in doubt and cell.value is not None and cell.confidence > doubt[cell.line][0]:
                confidence, text = doubt[cell.line]
                cell.confidence = confidence
                note = (f"a cell of line {cell.line} ({text or 'blank'!r}) was read with confidence {confidence:.2f}:"
                        " the places of this line's cells are in doubt")
                cell.note = f"{cell.note}; {note}" if cell.note else note


def _pipe_groups_short_of_columns(groups, zone: list[Token], rules) -> dict[str, Cell]:
    """Table 4's groups as rows of Markdown pipe tables that lost columns (pymupdf4llm: ||行政复议|1|1| where the
    template has five cells, || for a group with nothing printed): a pipe table gives every row as many cells, so the
    blank cells it marks stand for lost columns as much as for blank ones, and tell no value's column. Each group's
    values are placed by its total as in a text that leaves blank cells out, the table's values being its pipe rows'
    (the prose after the table, run into its heading's line, is no part of it). Only where every group's row is short
    of the template's five cells, and every cell of the groups came from pipe rows."""
    width = len(schema.APPEAL_COLUMNS)
    cells = [t for _, group, _ in groups for t in group]
    if not cells or not all(t.pipe_row for t in cells) or any(len(group) >= width for _, group, _ in groups):
        return {}
    unmarked = [(name, [t for t in group if t.kind != BLANK], line) for name, group, line in groups]
    return arrange_appeal_groups(unmarked, [t for t in zone if t.pipe_row and t.kind not in (LABEL, BLANK)], rules)


def _beside_a_group_name(tokens, matches, header: tuple[int, ...], span: list[Token]) -> bool:
    """Whether the values after table 4's header stand on the line of its last label, a group's name, below the
    rest of the header: the names down the side of a row per group (pdftotext -layout of a grid: 行政复议 /
    未经复议直接起诉 / 行政诉讼 / 复议后起诉   3   1   4), the last taken into the header, set the values beside their
    own group's name. They are that group's (``appeals.group_cells``), not a row of fifteen's, which stands below
    its heads, never beside one. (A text that sets the whole table on one line tells nothing so.)"""
    last = header[-1]
    m = matches.get(last)
    first = next((t for t in span if t.kind == VALUE), None)
    return (m is not None and m.category in appeals.GROUP_SET and m.confidence >= LABEL_EVIDENCE
            and first is not None and first.line == tokens[last].line
            and all(tokens[h].line < first.line for h in header[:-1]))


def _under_the_last_small_tables_heads(matches, header: tuple[int, ...], span: list[Token]) -> bool:
    """Whether table 4's header ends with its last group's name and that group's five column heads alone, each
    group before it named with heads of its own, and the values after them set where their cells are (a centred
    cell a line, the layout showing which follow a blank cell: ``Token.after_blank``): three
    small tables, each its name over its heads (lynx's text). The values after the last heads are then the last
    group's row (``appeals.group_cells``), the groups before it printing nothing, not a row of fifteen under the
    heads of a template's header. (Plain pdftotext sets a PDF's small tables' values after all their heads,
    whichever group's they are: it sets no value by its cell.)"""
    if not any(t.after_blank for t in span):
        return False
    categories = [matches[i].category for i in header if i in matches]
    names = [k for k, c in enumerate(categories) if c in appeals.GROUP_SET]
    if [categories[k] for k in names] != list(appeals.GROUPS):
        return False
    heads = list(appeals.HEAD_ORDER)
    return all(categories[k + 1:k + 1 + len(heads)] == heads for k in names) and \
        len(categories) == names[-1] + 1 + len(heads)


def _read_appeals(tokens, matches, zone: appeals.Zone, placement: appeals.Placement | None, spec,
                  result: TableResult, cells, options: Options, table3: list[Token] = ()):
    result.found = True
    result.rows = list(schema.APPEAL_GROUPS)
    rules = [r for r in spec.rules if r.name.startswith("appeals.")]
    keys = tuple(f"appeals.{g}.{c}" for g in schema.APPEAL_GROUPS for c in schema.APPEAL_COLUMNS)

    def taken(arranged: dict) -> bool:
        if arranged:
            result.orientation = "after"
            result.notes.append("table 4 read by its group totals or in the template's order")
            cells.update(arranged)
        return bool(arranged)

    if len(zone.header) > 1 and (placement is None or not any(found for _, found in placement.runs)):
        # No layout reads fifteen cells under table 4's column heads: a text that leaves blank cells out prints
        # fewer; their places follow from the group totals when only one placement fits them (``arrange``).
        span = row_span(tokens, matches, zone.header[-1], zone.end, +1)
        arranged = {}
        if appeals.small_tables(tokens, matches, zone) and (groups := appeals.group_cells(tokens, matches, zone)):
            # Three small tables, each group's name over heads of its own: the values under the last one's heads
            # are that group's row, not a row of fifteen whose sums would let them be any group's.
            arranged = arrange_appeal_groups(groups, [t for t in tokens[zone.start:zone.end] if t.kind != LABEL],
                                             rules)
        if not arranged:
            arranged = {} if (_beside_a_group_name(tokens, matches, zone.header, span)
                              or _under_the_last_small_tables_heads(matches, zone.header, span)) else arrange_appeals(
                span, tokens[zone.header[0] + 1:zone.header[-1]], keys, rules, tokens[zone.header[-1]].line,
                neighbours=table3)
        if not arranged and (groups := appeals.group_cells(tokens, matches, zone)):
            # A row per group, each short of cells: each group's values placed by its total.
            arranged = arrange_appeal_groups(groups, [t for t in tokens[zone.start:zone.end] if t.kind != LABEL], rules)
            if not arranged:
                arranged = _pipe_groups_short_of_columns(groups, tokens[zone.start:zone.end], rules)
        if not arranged:
            # Every cell printed, but not right after the heads (plain pdftotext): the numbers after the heading.
            arranged = read_appeals_in_order(tokens, matches, zone.header[0], keys, rules)
        if taken(arranged):
            return
    if placement is None:
        result.notes.append("table 4's heading or header found, its cells placed in no layout")
        return
    if zone.header and sum(1 for _, found in placement.runs if found) < len(schema.APPEAL_GROUPS):
        # A layout that leaves a group unread, in a text that prints all fifteen numbers after the heading and no
        # blank cell (plain pdftotext of three small tables: one group's row after its name, the others' among
        # their column heads): the fifteen in the template's order, as their group totals allow.
        if taken(read_appeals_in_order(tokens, matches, zone.header[0], keys, rules)):
            return
    if sum(len(run.keys) for run, found in placement.runs if found) < len(keys) and (
            groups := appeals.group_cells(tokens, matches, zone)):
        # A row per group of which one printed every cell (3 1 3 2 9) and another fewer (1 1, in a text that leaves
        # blank cells out): the layout reads the whole row only; each group's values placed by its total, as where
        # every group came up short. Counted by the keys read, not the runs: a row of fifteen read whole is one run
        # that leaves no group unread.
        if taken(arrange_appeal_groups(groups, [t for t in tokens[zone.start:zone.end] if t.kind != LABEL], rules)):
            return
    result.orientation = placement.orientation
    result.notes.append(f"table 4 read as {placement.layout}")
    runs = {run.row: run for run, _ in placement.runs}
    readings = {run.row: found for run, found in placement.runs}
    chosen = _choose(readings, runs, rules, options.max_row_combinations)
    for row, run in runs.items():
        _store_row(run, chosen.get(row), readings[row], cells, run.line, False)
    placed = {row for row, found in readings.items() if found}
    if placement.layout != "a row per group":
        return      # the groups' names head the template's columns: no row of its own is left out
    for row, line in appeals.unprinted_groups(tokens, matches, zone, placed):
        for column in schema.APPEAL_COLUMNS:
            key = f"appeals.{row}.{column}"
            if key in cells and cells[key].kind != "missing":
                continue
            # Nothing printed: five zeros hold the group's total whatever they are, and no identity across the
            # groups checks them.
            cells[key] = Cell(
                0, "", "blank", line, EMPTY_ROW_UNCHECKED,
                note="nothing printed after this group's name in a table that sets its blank cells by position: "
                     "a row of blank cells, which no total confirms")
