"""Check the template's arithmetic (stage 4) and propose repairs, kept apart from the printed values.

Every rule of the template (``schema.Rule``) is evaluated on the values as printed. A failing rule names
its cells, what the other side of the identity expects, and what is printed. A repair is proposed only
where the arithmetic fixes a value beyond doubt: a total that disagrees with its parts while every other
identity through that total agrees with the parts' sum.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import schema

TOLERANCE = 1e-6


@dataclass
class CheckResult:
    rule: str
    ok: bool | None            # None: not checkable (a cell is missing or unreadable)
    cells: list[str]
    expected: float | None     # sum of the left side (the parts)
    printed: float | None      # sum of the right side (the total as printed)
    severity: str              # error | warning | info
    description: str = ""

    def as_dict(self) -> dict:
        return {"rule": self.rule, "ok": self.ok, "cells": self.cells, "expected": _num(self.expected),
                "printed": _num(self.printed), "severity": self.severity, "description": self.description}


def _num(x):
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(x, 6)


def check_fields(template_name: str, fields: dict, rules=None) -> list[CheckResult]:
    out = []
    for rule in rules if rules is not None else schema.template(template_name).rules:
        left = [fields.get(k) for k in rule.left]
        right = [fields.get(k) for k in rule.right]
        cells = list(rule.left + rule.right)
        if None in left or None in right:
            out.append(CheckResult(rule.name, None, cells, None, None, "info",
                                   rule.description + " — not checkable: a cell is missing"))
            continue
        expected, printed = sum(left), sum(right)
        ok = abs(expected - printed) <= TOLERANCE
        out.append(CheckResult(rule.name, ok, cells, expected, printed, "info" if ok else "error", rule.description))
    return out


def propose_repairs(template_name: str, fields: dict, checks: list[CheckResult]) -> dict[str, dict]:
    """Totals the arithmetic fixes beyond doubt: key -> {value, printed, rules}."""
    rules = {r.name: r for r in schema.template(template_name).rules}
    failing = [c for c in checks if c.ok is False]
    by_total: dict[str, list[CheckResult]] = {}
    for c in failing:
        rule = rules.get(c.rule)
        if rule and len(rule.right) == 1:
            by_total.setdefault(rule.right[0], []).append(c)
    proposals = {}
    for key, failures in by_total.items():
        values = {round(f.expected, 6) for f in failures}
        if len(values) == 1:
            proposals[key] = values.pop()
    # Apply every proposal at once: a total row printed as zeros is only consistent once all its cells are.
    trial = {**fields, **proposals}
    repairs = {}
    for key, value in proposals.items():
        through = [r for r in rules.values() if key in r.left + r.right]
        checkable = [r for r in through if not any(trial.get(k) is None for k in r.left + r.right)]
        if checkable and all(_holds(r, trial) for r in checkable):
            repairs[key] = {"value": _num(value), "printed": _num(fields.get(key)),
                            "rules": sorted(r.name for r in checkable),
                            "reason": "every identity through this total agrees on this value"}
    return repairs


def _holds(rule: schema.Rule, values: dict) -> bool:
    return abs(sum(values[k] for k in rule.left) - sum(values[k] for k in rule.right)) <= TOLERANCE


def verdict(checks: list[CheckResult], unreadable: int, missing_tables: int) -> str:
    if any(c.ok is False for c in checks):
        return "inconsistent"
    if unreadable or missing_tables or any(c.ok is None for c in checks):
        return "incomplete"
    return "consistent"
