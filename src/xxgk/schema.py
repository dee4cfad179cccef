"""The canonical schema, defined once: templates, keys, table layouts, label categories, arithmetic.

Everything is read from the official TSVs shipped in ``xxgk/data`` (copies of the project's
``shared/schema`` files), so a key or label is never spelled twice in the code.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

TEMPLATES = ("2019", "2021")

# Table 3 applicant columns, in the template's order; the last is the row total.
APPLICANT_COLUMNS = ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org", "total")
# Table 4 columns within each of its three groups; the last is the group total.
APPEAL_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
APPEAL_GROUPS = ("review", "litigation_direct", "litigation_after_review")

TABLES = ("disclosure", "requests", "appeals")
TABLE_TITLES = {"disclosure": "主动公开政府信息情况", "requests": "收到和处理政府信息公开申请情况",
                "appeals": "政府信息公开行政复议、行政诉讼情况"}

# Table 3 rows that open the table (一, 二) and close it (七 total, 四 carried forward);
# everything between is an outcome row summed by （七）总计.
REQUEST_INPUT_ROWS = ("new", "carried_over")
REQUEST_TOTAL_ROW = "total"
REQUEST_FORWARD_ROW = "carried_forward"
# Rows of the 2021 template that split the 2019 template's single （六）其他处理 row.
OTHER_SPLIT_ROWS = ("other_no_correction", "other_unpaid_fee", "other_misc")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    table: str
    row: str          # e.g. "unavailable_not_held"
    column: str       # e.g. "natural_person"
    row_label: str    # official label, e.g. "（四）无法提供 1.本机关不掌握相关政府信息"
    column_label: str

    @property
    def row_key(self) -> str:
        return f"{self.table}.{self.row}"

    @property
    def is_money(self) -> bool:
        return self.column.startswith("amount")

    @property
    def is_signed(self) -> bool:
        return self.column == "change"


@dataclass(frozen=True)
class RowSpec:
    """One row of a canonical table: its category (``table.row``) and its columns in order."""
    table: str
    row: str
    label: str
    columns: tuple[str, ...]

    @property
    def category(self) -> str:
        return f"{self.table}.{self.row}"

    def key(self, column: str) -> str:
        return f"{self.table}.{self.row}.{column}"

    @cached_property
    def keys(self) -> tuple[str, ...]:
        # Made once: the recovery asks a row for its keys many times a report.
        return tuple(self.key(c) for c in self.columns)


@dataclass(frozen=True)
class Rule:
    """An arithmetic identity of the template: sum(left) == sum(right)."""
    name: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Template:
    name: str
    fields: tuple[FieldSpec, ...]
    rows: tuple[RowSpec, ...] = field(repr=False)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def rows_of(self, table: str) -> tuple[RowSpec, ...]:
        return tuple(r for r in self.rows if r.table == table)

    def field(self, key: str) -> FieldSpec:
        return _field_index(self.name)[key]

    def row(self, category: str) -> RowSpec:
        for r in self.rows:
            if r.category == category:
                return r
        raise KeyError(category)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return _rules(self.name)


def _data_file(name: str):
    return resources.files("xxgk").joinpath("data", name)


def _strip_numbering(label: str) -> str:
    return label.split(" ")[-1]


@lru_cache(maxsize=None)
def template(name: str) -> Template:
    if name not in TEMPLATES:
        raise ValueError(f"unknown template {name!r}; expected one of {TEMPLATES}")
    with _data_file(f"fields-{name}.tsv").open(encoding="utf-8") as fh:
        specs = []
        for rec in csv.DictReader(fh, delimiter="\t"):
            table, row, column = rec["key"].split(".")
            specs.append(FieldSpec(rec["key"], table, row, column, rec["row_label"], rec["column_label"]))
    rows: dict[tuple[str, str], list[FieldSpec]] = {}
    for s in specs:
        rows.setdefault((s.table, s.row), []).append(s)
    row_specs = tuple(RowSpec(t, r, fs[0].row_label, tuple(f.column for f in fs)) for (t, r), fs in rows.items())
    return Template(name, tuple(specs), row_specs)


@lru_cache(maxsize=None)
def _field_index(name: str) -> dict[str, FieldSpec]:
    return {f.key: f for f in template(name).fields}


@lru_cache(maxsize=None)
def _rules(name: str) -> tuple[Rule, ...]:
    t = template(name)
    request_rows = [r.row for r in t.rows_of("requests")]
    outcome_rows = [r for r in request_rows
                    if r not in REQUEST_INPUT_ROWS + (REQUEST_TOTAL_ROW, REQUEST_FORWARD_ROW)]
    rules: list[Rule] = []
    for col in APPLICANT_COLUMNS:
        rules.append(Rule(
            f"requests.balance.{col}",
            (f"requests.new.{col}", f"requests.carried_over.{col}"),
            (f"requests.total.{col}", f"requests.carried_forward.{col}"),
            "一、新收 + 二、上年结转 = （七）总计 + 四、结转下年度"))
        rules.append(Rule(
            f"requests.outcomes.{col}",
            tuple(f"requests.{r}.{col}" for r in outcome_rows),
            (f"requests.total.{col}",),
            "（一）至（六）各项之和 = （七）总计"))
    for r in request_rows:
        rules.append(Rule(
            f"requests.row_total.{r}",
            tuple(f"requests.{r}.{c}" for c in APPLICANT_COLUMNS[:-1]),
            (f"requests.{r}.total",),
            "自然人 + 法人或其他组织各列 = 总计"))
    for g in APPEAL_GROUPS:
        rules.append(Rule(
            f"appeals.group_total.{g}",
            tuple(f"appeals.{g}.{c}" for c in APPEAL_COLUMNS[:-1]),
            (f"appeals.{g}.total",),
            "结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计"))
    return tuple(rules)


@dataclass(frozen=True)
class Category:
    name: str
    labels: tuple[str, ...]
    kind: str


@lru_cache(maxsize=None)
def categories() -> dict[str, Category]:
    """Label categories of ``categories.tsv``; a category may carry several official labels."""
    out: dict[str, list] = {}
    with _data_file("categories.tsv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            labels = [s.strip() for s in rec["official_label"].split("|")]
            entry = out.setdefault(rec["category"], [[], rec["kind"]])
            entry[0].extend(labels)
    return {k: Category(k, tuple(v[0]), v[1]) for k, v in out.items()}


def empty_fields(template_name: str) -> dict[str, None]:
    return {k: None for k in template(template_name).keys}
