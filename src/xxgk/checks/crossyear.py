"""Checks across the years of one issuer: what one report carries forward, the next must carry over.

For each issuer with reports for consecutive years:

- table 3, every applicant column: this year's 二、上年结转 = last year's 四、结转下年度继续办理 (the
  cross-year identity of SCHEMA.md; severity error);
- table 2 of the 2021 template, 规章 and 行政规范性文件: last year's 现行有效件数 + this year's 本年制发件数 −
  本年废止件数 = this year's 现行有效件数 (warning: a body that lets documents lapse without 废止 breaks it);
- table 2 of the 2019 template, the （五）（六）（八） items: this year's 上一年项目数量 = last year's 上一年项目数量 +
  本年增/减 (warning: implied by what the columns count, not stated by the template).

``cross_year(records)`` groups the records by issuer and returns one ``IssuerLinks`` per issuer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import schema
from ..datamodel import CheckResult
from ..text import nfkc
from .arithmetic import TOLERANCE

STOCK_ROWS = ("rules", "normative_documents")
ITEM_ROWS = ("licensing", "other_services", "penalties", "coercive_measures", "fees")


@dataclass
class IssuerLinks:
    issuer: str
    years: list[int]
    checks: list[dict] = field(default_factory=list)     # CheckResult.as_dict() plus "years": [last, this]
    gaps: list[int] = field(default_factory=list)        # years between the first and last with no report
    duplicates: list[int] = field(default_factory=list)  # years with more than one report (the first is used)

    @property
    def verdict(self) -> str:
        if any(c["ok"] is False and c["severity"] == "error" for c in self.checks):
            return "inconsistent"
        if not any(c["ok"] is not None for c in self.checks):
            return "incomplete"      # no two consecutive years, or nothing checkable between them
        return "consistent"

    def as_dict(self) -> dict:
        return {"issuer": self.issuer, "verdict": self.verdict, "years": self.years, "gaps": self.gaps,
                "duplicates": self.duplicates, "checks": self.checks}


def issuer_key(issuer: str | None) -> str:
    return "".join(nfkc(issuer or "").split())


def cross_year(records: list[dict]) -> dict[str, IssuerLinks]:
    """Issuer -> the links between its consecutive reports. Records without issuer or year are left out."""
    by_issuer: dict[str, dict[int, dict]] = {}
    names: dict[str, str] = {}
    duplicates: dict[str, list[int]] = {}
    for rec in records:
        key, year = issuer_key(rec.get("issuer")), rec.get("year")
        if not key or not isinstance(year, int):
            continue
        names.setdefault(key, rec["issuer"])
        years = by_issuer.setdefault(key, {})
        if year in years:
            duplicates.setdefault(key, []).append(year)
            continue
        years[year] = rec
    out = {}
    for key, years in by_issuer.items():
        ordered = sorted(years)
        links = IssuerLinks(names[key], ordered, duplicates=sorted(set(duplicates.get(key, []))),
                            gaps=[y for y in range(ordered[0], ordered[-1] + 1) if y not in years])
        for year in ordered:
            if year - 1 in years:
                links.checks.extend(link_years(years[year - 1], years[year]))
        out[names[key]] = links
    return out


def link_years(last: dict, this: dict) -> list[dict]:
    """Every cross-year identity between two reports of one issuer for consecutive years."""
    span = [last["year"], this["year"]]
    results = []
    for column in schema.APPLICANT_COLUMNS:
        results.append(_compare(
            f"cross_year.carried.{column}", "二、上年结转 = 上年报告的 四、结转下年度继续办理", "error",
            [(last, f"requests.carried_forward.{column}", 1)], [(this, f"requests.carried_over.{column}", 1)]))
    if last["template"] == this["template"] == "2021":
        for row in STOCK_ROWS:
            results.append(_compare(
                f"cross_year.in_force.{row}", "上年现行有效件数 + 本年制发件数 − 本年废止件数 = 本年现行有效件数", "warning",
                [(last, f"disclosure.{row}.in_force", 1), (this, f"disclosure.{row}.issued", 1),
                 (this, f"disclosure.{row}.repealed", -1)],
                [(this, f"disclosure.{row}.in_force", 1)]))
    if last["template"] == this["template"] == "2019":
        for row in ITEM_ROWS:
            results.append(_compare(
                f"cross_year.items.{row}", "上年的 上一年项目数量 + 本年增/减 = 本年的 上一年项目数量", "warning",
                [(last, f"disclosure.{row}.previous", 1), (last, f"disclosure.{row}.change", 1)],
                [(this, f"disclosure.{row}.previous", 1)]))
    return [{**r.as_dict(), "years": span} for r in results]


def _compare(name: str, description: str, severity: str, left, right) -> CheckResult:
    cells = [f"{rec['year']}/{key}" for rec, key, _ in left + right]
    values = [(rec["fields"].get(key), sign) for rec, key, sign in left + right]
    if any(v is None for v, _ in values):
        return CheckResult(name, None, cells, None, None, "info", description, "cross_year",
                           note="a cell is missing in one of the years")
    expected = sum(v * s for (v, s) in values[:len(left)])
    printed = sum(v * s for (v, s) in values[len(left):])
    ok = abs(expected - printed) <= TOLERANCE
    return CheckResult(name, ok, cells, expected, printed, "info" if ok else severity, description, "cross_year")
