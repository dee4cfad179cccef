"""Check a report against the template's arithmetic (勾稽关系) and propose repairs, kept apart from the values.

Every rule of the template (``schema.Rule``) is evaluated on the values as printed; each result names its
cells, what the parts give (``expected``), what is printed, and a severity. Repairs are proposed only where
the arithmetic fixes a value beyond doubt:

- totals printed blank or 0 over printed parts, solved together (a total row printed as zeros is consistent
  only once all its cells are); a total only one identity runs through (table 4) only when it is printed
  blank and no exchange of two cells explains the failure as well;
- otherwise the smallest set of cells (one, or two printed in each other's place) whose change makes every
  identity hold, when it is the only such set and each changed cell is fixed by at least two identities;
- a cell that could not be read (digits run together with several splits), when every identity that can be
  checked holds and the others fix the cell even with any one of them left out.

Elsewhere the candidates and the reason are given instead (``Repairs.candidates``).
"""
from __future__ import annotations

import itertools
import json

import numpy as np

from .. import schema
from ..datamodel import CheckResult, Repairs, plain_number

TOLERANCE = 1e-6
MAX_EXPLANATION_SIZE = 2
MAX_SOLVES = 3000
MAX_CANDIDATES = 8


# ------------------------------------------------------------------------------------------------ rules

def report_rules(template_name: str, hybrid: bool = False) -> list[schema.Rule]:
    """The rules a report is checked by; a hybrid's single （六） row stands in for the three sub-rows."""
    rules = list(schema.template(template_name).rules)
    if not hybrid:
        return rules
    stand_in = {f"requests.{r}.{c}" for r in schema.OTHER_SPLIT_ROWS for c in schema.APPLICANT_COLUMNS}
    kept = [r for r in rules if not stand_in & set(r.left + r.right)]
    single = [r for r in schema.template("2019").rules
              if r.name.startswith("requests.outcomes.") or r.name == "requests.row_total.other"]
    return kept + single


def report_values(fields: dict, hybrid_other_row: dict | None = None) -> dict:
    """Field values plus a hybrid's single （六） row under the 2019 keys the stand-in rules use."""
    values = dict(fields)
    for key, value in (hybrid_other_row or {}).items():
        values[key] = value["value"] if isinstance(value, dict) else value
    return values


def check_fields(template_name: str, fields: dict, rules=None) -> list[CheckResult]:
    out = []
    for rule in rules if rules is not None else schema.template(template_name).rules:
        left = [fields.get(k) for k in rule.left]
        right = [fields.get(k) for k in rule.right]
        cells = list(rule.left + rule.right)
        if None in left or None in right:
            unread = [k for k in cells if fields.get(k) is None]
            out.append(CheckResult(rule.name, None, cells, None, None, "warning", rule.description,
                                   note=f"not checkable: {len(unread)} cell(s) missing or unreadable "
                                        f"({', '.join(unread[:3])}{'…' if len(unread) > 3 else ''})"))
            continue
        expected, printed = sum(left), sum(right)
        ok = abs(expected - printed) <= TOLERANCE
        out.append(CheckResult(rule.name, ok, cells, expected, printed, "info" if ok else "error", rule.description))
    return out


def verdict(checks: list[CheckResult], unreadable: int, missing_tables: int) -> str:
    """consistent | inconsistent (an identity fails, or the prose contradicts the table) | incomplete."""
    if any(c.ok is False and c.severity == "error" for c in checks):
        return "inconsistent"
    arithmetic = [c for c in checks if c.kind == "arithmetic"]
    if unreadable or missing_tables or any(c.ok is None for c in arithmetic):
        return "incomplete"
    return "consistent"

# ------------------------------------------------------------------------------------------------ repairs


def _holds(rule: schema.Rule, values: dict) -> bool | None:
    cells = [values.get(k) for k in rule.left + rule.right]
    if None in cells:
        return None
    return abs(sum(values[k] for k in rule.left) - sum(values[k] for k in rule.right)) <= TOLERANCE


def _solve(rules, values: dict, unknown: set[str]) -> dict[str, float] | None:
    """Values of the ``unknown`` cells that make every rule hold, for those the rules fix; None if none do.

    Cells whose value is None count as unknown too. Undetermined unknowns are left out of the result.
    """
    unknown = set(unknown) | {k for r in rules for k in r.left + r.right if values.get(k) is None}
    order = sorted(unknown)
    index = {k: i for i, k in enumerate(order)}
    rows, rhs = [], []
    for rule in rules:
        coeffs = np.zeros(len(order))
        constant = 0.0
        for keys, sign in ((rule.left, 1.0), (rule.right, -1.0)):
            for k in keys:
                if k in index:
                    coeffs[index[k]] += sign
                else:
                    constant += sign * values[k]
        if not coeffs.any():
            if abs(constant) > TOLERANCE:
                return None
            continue
        rows.append(coeffs)
        rhs.append(-constant)
    if not rows:
        return {}
    a, b = np.array(rows), np.array(rhs)
    x, *_ = np.linalg.lstsq(a, b, rcond=None)
    if np.abs(a @ x - b).max() > 1e-6:
        return None
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    return {k: float(x[i]) for k, i in index.items() if not null.size or np.abs(null[:, i]).max() < 1e-9}


def _count(x: float) -> int | None:
    """A count the arithmetic gives: a non-negative integer, else None."""
    n = round(x)
    return n if abs(x - n) < 1e-6 and n >= 0 else None


def _through(key: str, rules) -> list[schema.Rule]:
    return [r for r in rules if key in r.left or key in r.right]


def propose_repairs(rules, values: dict, cells: dict | None = None) -> Repairs:
    """Repairs the arithmetic fixes beyond doubt, and candidates with a reason where it does not.

    ``values`` are the printed values (None: missing or unreadable); ``cells`` the per-cell detail
    (``kind``, ``candidates``) when the record has it.
    """
    cells = cells or {}
    out = Repairs()
    failing = [r for r in rules if _holds(r, values) is False]
    unreadable = sorted({k for r in rules for k in r.left + r.right
                         if values.get(k) is None and _kind(cells, k) == "ambiguous"})
    if not failing and not unreadable:
        return out
    if failing:
        _explain_failures(rules, values, cells, failing, out)
    if unreadable:
        _fix_unreadable(rules, values, cells, unreadable, out)
    # The same record must give the same bytes whatever the interpreter's hash seed (resumable batches).
    out.repairs = dict(sorted(out.repairs.items()))
    out.candidates.sort(key=lambda c: json.dumps(c, sort_keys=True, ensure_ascii=False, default=str))
    return out


def _kind(cells: dict, key: str) -> str | None:
    cell = cells.get(key)
    if cell is None:
        return None
    return cell.get("kind") if isinstance(cell, dict) else getattr(cell, "kind", None)


def _cell_candidates(cells: dict, key: str) -> list:
    cell = cells.get(key)
    if cell is None:
        return []
    return list(cell.get("candidates") or [] if isinstance(cell, dict) else getattr(cell, "candidates", []))


def _explain_failures(rules, values, cells, failing, out: Repairs) -> None:
    swaps = _swaps(rules, values, failing)
    if _fill_totals(rules, values, cells, failing, swaps, out):
        return
    # Exchanges first: two cells printed in each other's place is the likelier slip.
    unique: dict[tuple, dict] = {}
    for e in swaps + _minimal_explanations(rules, values, failing):
        unique.setdefault(tuple(sorted(e.items())), e)
    explanations = list(unique.values())
    failing_names = sorted(r.name for r in failing)
    if len(explanations) == 1:
        change = explanations[0]
        trial = {**values, **change}
        if all(len(_checkable(k, rules, trial)) >= 2 for k in change):
            swapped = len(change) == 2 and sorted(change.values()) == sorted(values[k] for k in change)
            reason = ("the two cells are printed in each other's place: exchanging them makes every identity hold"
                      if swapped else
                      "the only change of so few cells that makes every identity hold; at least two identities "
                      "through each changed cell agree on its value")
            for key, value in change.items():
                out.repairs[key] = _repair(key, value, values[key], rules, trial, "swapped" if swapped else
                                           "single_error", reason)
            return
        out.candidates.append({"cells": sorted(change), "rules": failing_names, "candidates": [_plain(change)],
                               "reason": "one identity alone fixes this value; another of its cells may be the "
                                         "wrong one"})
        return
    if explanations:
        involved = sorted({k for e in explanations for k in e})
        out.candidates.append({
            "cells": involved, "rules": failing_names,
            "candidates": [_plain(e) for e in explanations[:MAX_CANDIDATES]],
            "reason": f"{len(explanations)} different corrections make every identity hold; the arithmetic "
                      f"cannot tell which cells are wrong"})
        return
    out.candidates.append({"cells": sorted({k for r in failing for k in r.left + r.right}), "rules": failing_names,
                           "candidates": [],
                           "reason": f"no change of up to {MAX_EXPLANATION_SIZE} cells makes every identity hold "
                                     f"(several errors, or a misread table)"})


def _fill_totals(rules, values, cells, failing, swaps, out: Repairs) -> bool:
    """Totals printed blank or 0 over printed parts, solved together; True when that explains every failure.

    A changed total must be fixed by two identities, or be printed blank with no exchange of two cells
    explaining the failure as well (a table-4 total has one identity only: 0 there may be a swapped cell).
    """
    unfilled = sorted({r.right[0] for r in failing if len(r.right) == 1 and values.get(r.right[0]) == 0})
    if not unfilled:
        return False
    solution = _solve(rules, values, set(unfilled))
    if solution is None:
        return False
    fixed = {k: _count(solution[k]) for k in unfilled if k in solution}
    if not fixed or None in fixed.values():
        return False
    trial = {**values, **fixed}
    changed = {k: v for k, v in fixed.items() if v != values[k]}
    swapped = {k for swap in swaps for k in swap}
    for key in changed:
        if len(_checkable(key, rules, trial)) < 2 and (_kind(cells, key) != "blank" or key in swapped):
            return False
    for key, value in changed.items():
        how = "printed blank" if _kind(cells, key) == "blank" else "printed 0"
        out.repairs[key] = _repair(key, value, values[key], rules, trial, "unfilled_total",
                                   f"{how} although its parts are printed; every identity through it gives {value}")
    left = [k for k in unfilled if k not in solution]
    if left:
        out.candidates.append({"cells": left, "rules": sorted(r.name for r in failing), "candidates": [],
                               "reason": "totals printed blank or 0 that the identities do not fix"})
    return True


def _plain(change: dict) -> dict:
    return {k: plain_number(v) for k, v in sorted(change.items())}


def _checkable(key: str, rules, values: dict) -> list[str]:
    return sorted(r.name for r in _through(key, rules) if _holds(r, values) is not None)


def _repair(key, value, printed, rules, trial, kind, reason) -> dict:
    return {"value": plain_number(value), "printed": plain_number(printed), "kind": kind,
            "rules": _checkable(key, rules, trial), "reason": reason}


def _minimal_explanations(rules, values: dict, failing) -> list[dict]:
    """Every smallest set of cells (up to MAX_EXPLANATION_SIZE) whose new values make every rule hold."""
    failing = sorted(failing, key=lambda r: len(r.left) + len(r.right))
    with_unknown = [r for r in rules if any(values.get(k) is None for k in r.left + r.right)]
    solves = 0
    # Sets grown one cell at a time, each new cell taken from the first failing rule the set does not touch
    # yet, so that every set reached touches every failing rule.
    frontier: set[frozenset] = {frozenset()}
    for _ in range(MAX_EXPLANATION_SIZE):
        grown = set()
        for chosen in frontier:
            unhit = next(r for r in failing if not chosen & set(r.left + r.right))
            grown |= {chosen | {k} for k in unhit.left + unhit.right if values.get(k) is not None}
        found = []
        frontier = set()
        for chosen in sorted(grown, key=sorted):
            if any(not chosen & set(r.left + r.right) for r in failing):
                frontier.add(chosen)
                continue
            if solves >= MAX_SOLVES:
                break
            solves += 1
            # Rules that touch no chosen cell hold already (every failing one is touched), so only the
            # touched ones and those with unreadable cells can constrain the choice.
            relevant = [r for r in rules if chosen & set(r.left + r.right)] + with_unknown
            solution = _solve(relevant, values, set(chosen))
            if solution is None or not chosen <= solution.keys():
                continue
            change = {k: _count(solution[k]) for k in sorted(chosen)}
            if all(v is not None and v != values[k] for k, v in change.items()):
                found.append(change)
        if found:
            return found
    return []


def _swaps(rules, values: dict, failing) -> list[dict]:
    """Two cells of one row or one column printed in each other's place, when exchanging them fixes everything."""
    keys = sorted({k for r in failing for k in r.left + r.right if values.get(k) is not None})
    out = []
    for a, b in itertools.combinations(keys, 2):
        ta, ra, ca = a.split(".")
        tb, rb, cb = b.split(".")
        if ta != tb or (ra != rb and ca != cb) or values[a] == values[b]:
            continue
        trial = {**values, a: values[b], b: values[a]}
        touched = _through(a, rules) + _through(b, rules)
        if all(_holds(r, trial) is not False for r in touched) and all(_holds(r, trial) is not False for r in failing):
            out.append({a: values[b], b: values[a]})
    return out


def _fix_unreadable(rules, values, cells, unreadable: list[str], out: Repairs) -> None:
    # Only where every identity that can be checked holds as printed: when something else is broken, the
    # cells the solution leans on may be the broken ones.
    base = values
    solution = _solve(rules, base, set()) if not any(_holds(r, base) is False for r in rules) else None
    for key in unreadable:
        options = _cell_candidates(cells, key)
        value = _count(solution[key]) if solution and key in solution else None
        if value is not None and (not options or value in options) and _overdetermined(key, value, rules, base):
            trial = {**base, key: value}
            out.repairs[key] = _repair(key, value, None, rules, trial, "unreadable",
                                       f"unreadable as printed{' (readings ' + str(options) + ')' if options else ''};"
                                       f" the identities through it give {value}")
        else:
            reason = ("unreadable as printed; other identities fail, so they cannot fix it" if solution is None else
                      "unreadable as printed, and the identities through it do not fix it beyond doubt"
                      if value is None or not options or value in options else
                      f"the identities give {value}, which is none of the readings")
            out.candidates.append({"cells": [key], "rules": [r.name for r in _through(key, rules)],
                                   "candidates": [{key: c} for c in options], "reason": reason})


def _overdetermined(key: str, value: int, rules, values: dict) -> bool:
    """Still fixed, to the same value, with any one identity left out: one misread cell elsewhere cannot
    have set it."""
    involved = [r for r in rules if any(values.get(k) is None for k in r.left + r.right)]
    for dropped in involved:
        solution = _solve([r for r in rules if r is not dropped], values, set())
        if solution is None or key not in solution or _count(solution[key]) != value:
            return False
    return True


def _rules_by_key(rules) -> dict[str, list[schema.Rule]]:
    """``_through`` for every key at once: the identities each cell takes part in."""
    out: dict[str, list[schema.Rule]] = {}
    for rule in rules:
        for key in dict.fromkeys(rule.left + rule.right):
            out.setdefault(key, []).append(rule)
    return out


def split_runs(rules, values: dict, cells: dict) -> tuple[list[dict], list[dict]]:
    """Rows whose digits ran together: (confirmed, unconfirmed) — confirmed when an identity through them holds."""
    rows: dict[str, list[str]] = {}
    for key, cell in cells.items():
        note = cell.get("note", "") if isinstance(cell, dict) else getattr(cell, "note", "")
        if "split" in note and values.get(key) is not None:
            rows.setdefault(key.rsplit(".", 1)[0], []).append(key)
    confirmed, unconfirmed = [], []
    through = _rules_by_key(rules) if rows else {}
    for row, keys in rows.items():
        # Each identity through the row's cells judged once (a row's cells share most of theirs).
        mine = {id(r): r for k in keys for r in through.get(k, ())}
        holding = sorted({r.name for r in mine.values() if _holds(r, values)},
                         key=lambda name: (not name.startswith(row.replace(".", ".row_total.", 1)), name))
        if holding:
            confirmed.append({"row": row, "values": {k.rsplit(".", 1)[1]: plain_number(values[k]) for k in keys},
                              "confirmed_by": holding[:3] + ([f"{len(holding) - 3} more"] if len(holding) > 3 else [])})
        else:
            unconfirmed.append({"cells": keys, "rules": [], "candidates": [],
                                "reason": "digits ran together and no identity confirms the split (a cell may be "
                                          "missing rather than glued to its neighbour)"})
    return confirmed, unconfirmed


def repaired_fields(record: dict) -> dict:
    """The record's fields with its repairs applied: for analysis, never written back into ``fields``."""
    fields = dict(record["fields"])
    for key, repair in (record.get("repairs") or {}).items():
        if key in fields:
            fields[key] = repair["value"]
    return fields
