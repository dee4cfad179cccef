"""A cell's confidence answers to the report's own arithmetic (part of stage 4, the checks).

The recovery rates each cell by how it was read; the checks then know which identities of the template fail.
A cell named by a failing identity may be a misread (another row's or column's number, a digit lost), so it
cannot stay sure: its confidence drops below the line a user trusts, and its note names the identity.

One failure is told apart: the source's own. When a failing identity's other cells each pass every other
identity through them (or, where a part is under no other, every cell of the identity is printed, none blank),
and exactly one printed total disagrees (a total row printed as zeros, a 总计 column left blank, a total added up
wrong), the total is the document's error: it is flagged as such and the parts keep their confidence. The value stays as printed either way (``fields`` is never
corrected; the repair is proposed apart).
"""
from __future__ import annotations

from collections import defaultdict

from ..datamodel import Cell, CheckResult
from ..schema import Rule

# A cell under a failing identity that the arithmetic does not pin on the source: it may have been misread or
# taken from a neighbour, so it is offered as unsure (below the 0.9 a user may take as read).
UNDER_A_FAILING_SUM = 0.6
# A printed total that disagrees with parts every other sum confirms: the source's own error, kept as printed
# and flagged so that nobody sums it unawares.
SOURCE_TOTAL_ERROR = 0.5


def answer_to_identities(cells: dict[str, Cell], checks: list[CheckResult], rules: list[Rule]) -> None:
    """Lower the confidence of every cell named by a failing identity of ``rules`` (per ``checks``), or, where
    the failure is the source's own, of the one printed total that disagrees; each such cell's note says which
    identity lowered it."""
    outcome = {c.rule: c for c in checks if c.kind == "arithmetic"}
    failing = [r for r in rules if outcome.get(r.name) is not None and outcome[r.name].ok is False]
    if not failing:
        return
    through: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        for key in rule.left + rule.right:
            through[key].append(rule)
    failing_names = {r.name for r in failing}
    totals = {r.right[0] for r in rules if len(r.right) == 1}
    for rule in failing:
        result = outcome[rule.name]
        keys = rule.left + rule.right
        culprit = _disagreeing_total(rule, keys, through, failing_names)
        if culprit in totals and _parts_confirmed(rule, keys, culprit, through, outcome, cells):
            _lower(cells.get(culprit), SOURCE_TOTAL_ERROR,
                   f"the source's own error: {rule.name} ({rule.description}) gives {_num(result.expected)}, "
                   f"the printed total is {_num(result.printed)}; every other sum through its parts holds")
            continue
        for key in keys:
            _lower(cells.get(key), UNDER_A_FAILING_SUM,
                   f"{rule.name} fails ({rule.description}: {_num(result.expected)} ≠ {_num(result.printed)}): "
                   f"this cell may be misread")


def _parts_confirmed(rule: Rule, keys, culprit: str, through, outcome, cells: dict[str, Cell]) -> bool:
    """Whether the parts of a failing identity stand, so that its one disagreeing total is the source's: every other
    identity through each part holds. A part under no other identity (table 4's, whose only sum is its group's) is
    confirmed by nothing; it stands only when every cell of the identity is printed. A blank cell is where a text
    that loses or shifts blank cells may have moved the row's values (_ 1 1 2 _ read for _ _ 1 1 2): the arithmetic
    does not say whether the total or the parts are misplaced."""
    unconfirmed = False
    for key in keys:
        if key == culprit:
            continue
        others = [other for other in through[key] if other.name != rule.name]
        if not all(outcome.get(o.name) is not None and outcome[o.name].ok is True for o in others):
            return False
        unconfirmed = unconfirmed or not others
    return not (unconfirmed and any(cells.get(key) is not None and cells[key].kind == "blank" for key in keys))


def _disagreeing_total(rule: Rule, keys, through, failing_names) -> str | None:
    """The one cell of a failing identity that other failing identities also name (the cell they share is the
    one that disagrees); where none does, the identity's own total, if it has a single one."""
    shared = {key for key in keys if any(o.name in failing_names and o.name != rule.name for o in through[key])}
    if len(shared) == 1:
        return next(iter(shared))
    if not shared and len(rule.right) == 1:
        return rule.right[0]
    return None


def _lower(cell: Cell | None, ceiling: float, note: str) -> None:
    if cell is not None and cell.value is not None:
        cell.doubt(ceiling, note)


def _num(x) -> str:
    if x is None:
        return "?"
    return f"{x:g}" if isinstance(x, float) else str(x)


# Money in 万元 beyond these for one body's year (100 亿元 in all; 2 亿元 a purchase, or under 10 元) is what a
# figure printed in 元 becomes when its unit is lost, or the reverse: flagged with both readings, never rescaled.
MONEY_CEILING_WAN = 1_000_000
PURCHASE_CEILING_WAN = 20_000
PURCHASE_FLOOR_WAN = 0.001
# A money figure whose unit the arithmetic of magnitudes doubts.
IMPLAUSIBLE_MONEY = 0.5
YUAN_PER_WAN = 10_000


def answer_to_magnitudes(cells: dict[str, Cell]) -> None:
    """Flag a money figure (万元) that only makes sense in another unit: too large for one body's year, or a
    purchase price that a 元 figure read as 万元 (or the reverse) gives. The value stays as read; the note says
    what it would be in the other unit."""
    for key, cell in cells.items():
        if not key.endswith(".amount_wan") or not isinstance(cell.value, (int, float)) or cell.value <= 0:
            continue
        note = ""
        if cell.value > MONEY_CEILING_WAN:
            note = (f"{_num(cell.value)} 万元 is more than one body spends or collects in a year: if the figure is in "
                    f"元, it is {_num(round(cell.value / YUAN_PER_WAN, 6))} 万元")
        projects = cells.get(key.rsplit(".", 1)[0] + ".projects")
        if not note and projects is not None and isinstance(projects.value, int) and projects.value > 0:
            each = cell.value / projects.value
            if each > PURCHASE_CEILING_WAN:
                note = (f"{_num(cell.value)} 万元 for {projects.value} purchases is {_num(round(each, 2))} 万元 each: if the "
                        f"figure is in 元, it is {_num(round(cell.value / YUAN_PER_WAN, 6))} 万元")
            elif each < PURCHASE_FLOOR_WAN:
                note = (f"{_num(cell.value)} 万元 for {projects.value} purchases is under 10 元 each: if the figure was "
                        f"in 万元 before a conversion, it is {_num(round(cell.value * YUAN_PER_WAN, 6))} 万元")
        if note:
            _lower(cell, IMPLAUSIBLE_MONEY, note)
