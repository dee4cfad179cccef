"""Realistic test reports with known gold.

``random_record`` draws a gold record that keeps the template's arithmetic, ``break_record`` breaks it the way
real reports are broken, ``render`` prints it in one of the flattenings real scrapes produce (``FORMS``), and
``generate_set`` writes a corpus of raw texts, gold records and a manifest::

    python -m xxgk.generate OUTDIR -n 200 --seed 1
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import schema
from .noise import MSO_STYLE, LabelNoise, fullwidth, page_marker, site_footer, site_header

FORMS = ("cells_tabbed", "cells_blank_separated", "cells_plain", "tab_rows", "one_line_spaced", "one_line_glued",
         "pdf_scrambled", "markdown", "html")
BREAK_KINDS = ("total_row_zero", "blank_total_column", "wrong_total", "swapped_cells")
HYBRID_OTHER = "requests.other"      # the single （六）其他处理 row a hybrid prints instead of the three sub-rows

APPLICANTS = schema.APPLICANT_COLUMNS
ORGS = APPLICANTS[1:-1]

# ------------------------------------------------------------------------------------------------ issuers

CITIES = {
    "汉中市": ["南郑区", "汉台区", "城固县", "洋县", "勉县"], "南充市": ["顺庆区", "高坪区", "阆中市", "南部县"],
    "宁波市": ["鄞州区", "海曙区", "北仑区", "余姚市"], "安康市": ["紫阳县", "汉滨区", "石泉县", "岚皋县"],
    "南阳市": ["邓州市", "卧龙区", "宛城区", "西峡县"], "宿迁市": ["沭阳县", "宿城区", "泗阳县"],
    "临沂市": ["兰山区", "沂水县", "郯城县"], "赣州市": ["章贡区", "瑞金市", "于都县"],
    "绍兴市": ["柯桥区", "诸暨市", "嵊州市"], "遵义市": ["汇川区", "仁怀市", "湄潭县"],
    "福州市": ["鼓楼区", "闽侯县", "福清市"], "常德市": ["武陵区", "桃源县", "澧县"],
    "曲靖市": ["麒麟区", "宣威市", "陆良县"], "天水市": ["秦州区", "麦积区", "甘谷县"],
    "佛山市": ["南海区", "顺德区", "三水区"], "襄阳市": ["襄州区", "枣阳市", "宜城市"],
    "呼和浩特市": ["新城区", "赛罕区", "托克托县"], "潍坊市": ["寿光市", "青州市", "昌乐县"],
    "平潭综合实验区": ["君山片区", "潭城片区"],
}
BUREAUS = ("公安局", "财政局", "教育局", "民政局", "司法局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
           "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局",
           "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "人力资源和社会保障局", "发展和改革局",
           "林业局", "城市管理局", "行政审批服务局")
STREETS = ("城关", "东城", "西关", "北门", "新华", "解放路", "红旗", "建设路", "花园", "滨江")
TOWNS = ("青树", "黄官", "新集", "柳林", "石门", "白马", "高桥", "龙岗", "双河", "马家")


def random_issuer(rng: random.Random) -> str:
    city = rng.choice(list(CITIES))
    dist = rng.choice(CITIES[city])
    local = dist if dist.endswith(("县", "市")) and rng.random() < 0.5 else city + dist
    kind = rng.choices(["city", "city_office", "local", "local_office", "city_bureau", "local_bureau", "street",
                        "town"], [10, 5, 25, 5, 15, 20, 10, 10])[0]
    if dist.endswith("片区"):
        kind = "managed"
    return {
        "city": f"{city}人民政府", "city_office": f"{city}人民政府办公室", "local": f"{local}人民政府",
        "local_office": f"{local}人民政府办公室", "city_bureau": city + rng.choice(BUREAUS),
        "local_bureau": local + rng.choice(BUREAUS), "street": f"{local}{rng.choice(STREETS)}街道办事处",
        "town": f"{dist}{rng.choice(TOWNS)}" + rng.choice(["镇人民政府", "镇人民政府", "乡人民政府"]),
        "managed": f"{city}{dist}管理局",
    }[kind]


def _short_issuer(issuer: str) -> str | None:
    """The place alone, as titles print a people's government (``紫阳县2020年…`` for 紫阳县人民政府)."""
    if issuer.endswith("人民政府") and not issuer.endswith(("镇人民政府", "乡人民政府")):
        return issuer[:-4]
    return None

# ------------------------------------------------------------------------------------------------ records


def _count(rng: random.Random, zero_share: float, scale: float, spread: float = 1.1) -> int:
    if rng.random() < zero_share:
        return 0
    return max(1, int(rng.lognormvariate(math.log(scale), spread)))


def _money(rng: random.Random, scale: float) -> int | float:
    decimals = rng.choice([0, 1, 2, 2, 2, 3, 4, 4])
    value = round(rng.lognormvariate(math.log(scale), 1.3), decimals)
    return int(value) if decimals == 0 else value


def _signed_change(rng: random.Random, previous: int) -> int:
    if previous == 0 or rng.random() < 0.3:
        return 0 if previous == 0 and rng.random() < 0.7 else rng.randint(0, 20)
    return rng.randint(-max(1, previous // 4), max(1, previous // 3))


def _fill_disclosure(fields: dict, template: str, rng: random.Random) -> None:
    f = fields
    if template == "2019":
        if rng.random() < 0.1:
            f["disclosure.rules.made"] = f["disclosure.rules.published"] = rng.randint(1, 3)
            f["disclosure.rules.total"] = f["disclosure.rules.made"] + rng.randint(0, 30)
        made = _count(rng, 0.35, 6)
        f["disclosure.normative_documents.made"] = made
        published = made if rng.random() < 0.85 else rng.randint(0, made)
        f["disclosure.normative_documents.published"] = published
        f["disclosure.normative_documents.total"] = published + _count(rng, 0.25, 40)
        for row, scale in (("licensing", 400), ("other_services", 60), ("penalties", 150), ("coercive_measures", 8)):
            previous = _count(rng, 0.3, scale, 1.5)
            change = _signed_change(rng, previous)
            f[f"disclosure.{row}.previous"] = previous
            f[f"disclosure.{row}.change"] = change
            f[f"disclosure.{row}.decisions"] = (max(0, previous + change) if rng.random() < 0.3
                                                 else _count(rng, 0.3, scale * 2, 1.6))
        previous = _count(rng, 0.4, 15)
        f["disclosure.fees.previous"] = previous
        f["disclosure.fees.change"] = _signed_change(rng, previous) if previous else 0
        projects = _count(rng, 0.4, 20, 1.3)
        f["disclosure.procurement.projects"] = projects
        f["disclosure.procurement.amount_wan"] = _money(rng, 40 * projects) if projects else 0
    else:
        if rng.random() < 0.08:
            f["disclosure.rules.issued"] = rng.randint(1, 3)
        if rng.random() < 0.04:
            f["disclosure.rules.repealed"] = rng.randint(1, 2)
        f["disclosure.rules.in_force"] = _count(rng, 0.75, 8)
        f["disclosure.normative_documents.issued"] = _count(rng, 0.4, 5)
        f["disclosure.normative_documents.repealed"] = _count(rng, 0.65, 3)
        f["disclosure.normative_documents.in_force"] = _count(rng, 0.25, 35)
        f["disclosure.licensing.decisions"] = _count(rng, 0.25, 500, 1.7)
        f["disclosure.penalties.decisions"] = _count(rng, 0.3, 150, 1.7)
        f["disclosure.coercive_measures.decisions"] = _count(rng, 0.6, 8, 1.3)
        f["disclosure.fees.amount_wan"] = _money(rng, 80) if rng.random() < 0.35 else 0


# Relative frequency of each outcome row among handled requests (before a per-report jitter).
OUTCOME_WEIGHTS = {
    "granted": 10, "partially_granted": 2, "denied_state_secret": .05, "denied_prohibited_by_law": .1,
    "denied_security_stability": .1, "denied_third_party": .5, "denied_internal_affairs": .3,
    "denied_process_info": .4, "denied_enforcement_file": .2, "denied_admin_query": .3,
    "unavailable_not_held": 4, "unavailable_needs_creation": .6, "unavailable_unclear": .5,
    "rejected_complaint": 1, "rejected_duplicate": .6, "rejected_publication": .2, "rejected_excessive": .2,
    "rejected_confirmation": .2, "other": 1, "other_no_correction": .6, "other_unpaid_fee": .05, "other_misc": .8,
}


def _request_volume(rng: random.Random) -> int:
    u = rng.random()
    if u < 0.15:
        return 0
    if u < 0.70:
        return min(30, 1 + int(rng.expovariate(1 / 7)))
    if u < 0.92:
        return rng.randint(30, 200)
    return rng.randint(200, 2500)


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n)) if p > 0 else 0


def _spread(rng: random.Random, n: int, names: list[str], weights: list[float]) -> dict[str, int]:
    out = dict.fromkeys(names, 0)
    for name in rng.choices(names, weights, k=n) if n else []:
        out[name] += 1
    return out


def _fill_requests(fields: dict, tpl: schema.Template, rng: random.Random) -> None:
    rows = [r.row for r in tpl.rows_of("requests")]
    outcomes = [r for r in rows if r in OUTCOME_WEIGHTS]
    org_weights = [0.0] * len(ORGS)
    if rng.random() < 0.45:
        org_weights = [rng.uniform(0, 0.2), rng.uniform(0, 0.01), rng.uniform(0, 0.01), rng.uniform(0, 0.08),
                       rng.uniform(0, 0.3)]
    new = _spread(rng, _request_volume(rng), list(APPLICANTS[:-1]), [1.0] + org_weights)
    carry_share = 0.0 if rng.random() < 0.6 else rng.uniform(0.02, 0.15)
    forward_share = 0.0 if rng.random() < 0.5 else rng.uniform(0.02, 0.15)
    weights = [OUTCOME_WEIGHTS[r] * rng.lognormvariate(0, 0.8) * (r == "granted" or rng.random() < 0.6)
               for r in outcomes]
    for col in APPLICANTS[:-1]:
        carried = _binomial(rng, new[col], carry_share)
        forward = _binomial(rng, new[col] + carried, forward_share)
        handled = _spread(rng, new[col] + carried - forward, outcomes, weights)
        fields[f"requests.new.{col}"] = new[col]
        fields[f"requests.carried_over.{col}"] = carried
        fields[f"requests.carried_forward.{col}"] = forward
        for row in outcomes:
            fields[f"requests.{row}.{col}"] = handled[row]
        fields[f"requests.total.{col}"] = sum(handled.values())
    for row in rows:
        fields[f"requests.{row}.total"] = sum(fields[f"requests.{row}.{c}"] for c in APPLICANTS[:-1])


def _fill_appeals(fields: dict, rng: random.Random) -> None:
    groups = (("review", 0.3, 3), ("litigation_direct", 0.15, 2), ("litigation_after_review", 0.08, 2))
    for group, chance, scale in groups:
        if rng.random() >= chance:
            continue
        n = 1 + int(rng.expovariate(1 / scale)) * (10 if rng.random() < 0.05 else 1)
        split = _spread(rng, n, ["upheld", "corrected", "other", "pending"], [5, 0.8, 1, 1.2])
        for col, v in split.items():
            fields[f"appeals.{group}.{col}"] = v
        fields[f"appeals.{group}.total"] = n


def _random_year(template: str, rng: random.Random, hybrid: bool) -> int:
    if template == "2019":
        return rng.choices([2019, 2020, 2021, 2022], [40, 50, 7, 3])[0]
    if hybrid:
        return rng.choices([2021, 2022, 2023], [60, 30, 10])[0]
    return rng.choice([2021, 2022, 2023, 2024, 2025])


def random_record(template: str, rng: random.Random, *, year: int | None = None, issuer: str | None = None,
                  hybrid: bool = False) -> dict:
    """A gold record keeping every rule of the template.

    A hybrid (2021 table 2 with the 2019 table 3) has template "2021", the three （六） sub-rows null, and the
    single printed （六）其他处理 row under ``record["hybrid_other"]`` (column -> value).
    """
    if template not in schema.TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    if hybrid and template != "2021":
        raise ValueError("a hybrid has the 2021 table 2, so its template is 2021")
    tpl = schema.template(template)
    fields: dict = dict.fromkeys(tpl.keys, 0)
    _fill_disclosure(fields, template, rng)
    _fill_requests(fields, tpl, rng)
    _fill_appeals(fields, rng)
    record = {"template": template, "year": year or _random_year(template, rng, hybrid),
              "issuer": issuer or random_issuer(rng), "fields": fields}
    if hybrid:
        record["hybrid_other"] = {c: sum(fields[f"requests.{r}.{c}"] for r in schema.OTHER_SPLIT_ROWS)
                                  for c in APPLICANTS}
        for r in schema.OTHER_SPLIT_ROWS:
            for c in APPLICANTS:
                fields[f"requests.{r}.{c}"] = None
    return record


def gold_of(record: dict) -> dict:
    """The part of a record a gold file holds."""
    return {k: record[k] for k in ("template", "year", "issuer", "fields")}


def _checked_values(record: dict) -> dict:
    """Field values the rules are read on; a hybrid's single （六） row stands in for its first sub-row."""
    values = dict(record["fields"])
    other = record.get("hybrid_other")
    if other:
        first, *rest = schema.OTHER_SPLIT_ROWS
        for c in APPLICANTS:
            values[f"requests.{first}.{c}"] = other[c]
            for r in rest:
                values[f"requests.{r}.{c}"] = 0
    return values


def violated_rules(record: dict) -> list[str]:
    values = _checked_values(record)
    return [rule.name for rule in schema.template(record["template"]).rules
            if sum(values[k] for k in rule.left) != sum(values[k] for k in rule.right)]

# ------------------------------------------------------------------------------------------------ breaking


def _ensure_requests(record: dict, rng: random.Random) -> None:
    """Give a report without any request a few granted ones, so that a break has something to break."""
    f = record["fields"]
    if f["requests.total.total"] or f["requests.new.total"]:
        return
    n = rng.randint(1, 12)
    for key in ("new.natural_person", "new.total", "granted.natural_person", "granted.total",
                "total.natural_person", "total.total"):
        f[f"requests.{key}"] += n


def _request_row_keys(record: dict) -> list[list[str]]:
    tpl = schema.template(record["template"])
    return [list(r.keys) for r in tpl.rows_of("requests") if record["fields"][r.keys[0]] is not None]


def break_record(record: dict, kind: str, rng: random.Random) -> tuple[dict, dict]:
    """The record as a report that breaks one rule the way real reports do prints it, and what was injected.

    The returned record is the gold of the broken report: what is printed (a blank total column reads 0).
    """
    if kind not in BREAK_KINDS:
        raise ValueError(f"unknown break kind {kind!r}; expected one of {BREAK_KINDS}")
    rec = copy.deepcopy(record)
    f = rec["fields"]
    before = set(violated_rules(rec))
    original: dict[str, int] = {}
    if kind in ("total_row_zero", "blank_total_column", "swapped_cells"):
        _ensure_requests(rec, rng)
    if kind == "total_row_zero":
        cells = [f"requests.total.{c}" for c in APPLICANTS]
        original = {k: f[k] for k in cells}
        for k in cells:
            f[k] = 0
    elif kind == "blank_total_column":
        cells = [row[-1] for row in _request_row_keys(rec)]
        original = {k: f[k] for k in cells}
        for k in cells:
            f[k] = 0
        if rec.get("hybrid_other"):
            original[f"{HYBRID_OTHER}.total"] = rec["hybrid_other"]["total"]
            rec["hybrid_other"]["total"] = 0
            cells.append(f"{HYBRID_OTHER}.total")
        rec["printed_blank"] = sorted(set(rec.get("printed_blank", [])) | set(cells))
    elif kind == "wrong_total":
        totals = [row[-1] for row in _request_row_keys(rec)] + [f"requests.total.{c}" for c in APPLICANTS[:-1]]
        totals += [f"appeals.{g}.total" for g in schema.APPEAL_GROUPS]
        nonzero = [k for k in totals if f[k]]
        key = rng.choice(nonzero if nonzero and rng.random() < 0.75 else totals)
        original = {key: f[key]}
        f[key] = max(0, f[key] + rng.choice([-3, -2, -1, 1, 1, 2, 3, 10]))
        if f[key] == original[key]:
            f[key] += 1
        cells = [key]
    else:
        cells = _swap_cells(rec, rng, before)
        original = {cells[0]: f[cells[1]], cells[1]: f[cells[0]]}
    after = violated_rules(rec)
    printed = {k: f[k] if k in f else rec["hybrid_other"][k.rsplit(".", 1)[1]] for k in cells}
    info = {"kind": kind, "rules": sorted(set(after) - before), "cells": cells, "original": original,
            "printed": printed}
    return rec, info


def _swap_cells(rec: dict, rng: random.Random, before: set[str]) -> list[str]:
    f = rec["fields"]
    pairs = [(row[i], row[i + 1]) for row in _request_row_keys(rec) for i in range(len(row) - 1)]
    pairs += [(f"appeals.{g}.pending", f"appeals.{g}.total") for g in schema.APPEAL_GROUPS]
    rng.shuffle(pairs)
    for a, b in pairs:
        if f[a] == f[b]:
            continue
        f[a], f[b] = f[b], f[a]
        if set(violated_rules(rec)) - before:
            return [a, b]
        f[a], f[b] = f[b], f[a]
    raise ValueError("no pair of adjacent unequal cells whose exchange breaks a rule")

# ------------------------------------------------------------------------------------------------ tables


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    key: str | None = None      # value cells: the field key (or the hybrid's requests.other.<column>)
    blank: bool = False         # printed blank where the form can show a blank
    zero: str = "0"             # what a form that cannot show a blank prints instead


@dataclass
class Table:
    name: str
    width: int
    rows: list[list[Cell]]
    row_names: list[str | None]  # the schema row (``requests.granted``) of each grid row that holds values


@dataclass
class Placed:
    cell: Cell
    column: int
    placeholder: bool           # a continuation of a cell merged down from an earlier row


def placed_rows(table: Table) -> list[list[Placed]]:
    """Each grid row's cells with their column, plus a placeholder wherever a cell from above covers it."""
    taken: set[tuple[int, int]] = set()
    rows: list[list[Placed]] = [[] for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            taken.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            rows[r].append(Placed(cell, c, False))
            for below in range(r + 1, min(r + cell.rowspan, len(rows))):
                rows[below].append(Placed(cell, c, True))
            c += cell.colspan
    return [sorted(row, key=lambda p: p.column) for row in rows]


class Document:
    """One report being printed: its record, its habits (label noise, value style) and the noise it used."""

    def __init__(self, record: dict, rng: random.Random, noise: float, garble: float = 0.0):
        self.record, self.rng, self.level = record, rng, noise
        self.template = schema.template(record["template"])
        self.labels = LabelNoise(rng, noise, garble)
        self.kinds: set[str] = set()

        def chance(weight: float) -> bool:
            return rng.random() < min(0.95, noise * weight)

        self.blank_zero_rate = rng.uniform(0.6, 1.0) if chance(0.6) else 0.0
        self.zero_mark = rng.choice(["—", "-", "/", "无"]) if chance(0.15) else None
        self.fullwidth_rate = 0.5 if chance(0.25) else 0.0
        self.plus = chance(1.0)
        self.money = rng.choice(["wan_suffix", "yuan", "wan_header"]) if chance(1.5) else "plain"
        self.printed_blank = set(record.get("printed_blank", ()))

    def use(self, kind: str) -> None:
        self.kinds.add(kind)

    def lab(self, text: str, **kw) -> str:
        return self.labels.label(text, **kw)

    # -- values ------------------------------------------------------------------------------------------
    def value(self, key: str, value, table: str) -> Cell:
        column = key.rsplit(".", 1)[1]
        blank = key in self.printed_blank
        if value == 0 and table != "disclosure" and self.blank_zero_rate and self.rng.random() < self.blank_zero_rate:
            blank = True
            self.use("blank_zeros")
        text = self._number(column, value)
        if value == 0 and self.zero_mark and table != "requests" and self.rng.random() < 0.5:
            text = self.zero_mark
            self.use("zero_marks")
        if self.fullwidth_rate and self.rng.random() < self.fullwidth_rate:
            text = fullwidth(text)
            self.use("fullwidth_digits")
        return Cell(text, key=key, blank=blank, zero=self._number(column, 0))

    def _number(self, column: str, value) -> str:
        if column == "amount_wan":
            return self._money_text(value)
        if column == "change" and value > 0 and self.plus:
            self.use("plus_sign")
            return f"+{value}"
        return str(value)

    def _money_text(self, value) -> str:
        wan = Decimal(str(value))
        if self.money == "yuan":
            self.use("money_units")
            return f"{int(wan * 10000)}元"
        if self.money == "wan_suffix":
            self.use("money_units")
            return f"{wan}万元"
        return str(wan)

    def money_head(self, label: str) -> str:
        base = label.split("（")[0]
        if self.money == "wan_header":
            self.use("money_units")
            return base + self.rng.choice(["（单位：万元，保留4位小数）", "（万元）", "(万元)"])
        if self.money in ("yuan", "wan_suffix"):
            return base
        return label

    # -- the three tables -------------------------------------------------------------------------------
    def disclosure_table(self) -> Table:
        f = self.record["fields"]
        rows, names = [], []
        sections: dict[str, list[schema.RowSpec]] = {}
        for spec in self.template.rows_of("disclosure"):
            sections.setdefault(spec.label.split(" ")[0], []).append(spec)
        for section, specs in sections.items():
            columns = specs[0].columns
            spans = {1: [3], 2: [1, 2], 3: [1, 1, 1]}[len(columns)]
            heads = []
            for c in columns:
                head = self.template.field(specs[0].key(c)).column_label
                heads.append(self.money_head(head) if c == "amount_wan" else head)
            rows.append([Cell(self.lab(section, breakable=False), colspan=4)])
            rows.append([Cell(self.lab("信息内容"))] + [Cell(self.lab(h), colspan=s) for h, s in zip(heads, spans)])
            names += [None, None]
            for spec in specs:
                cells = [Cell(self.lab(spec.label.split(" ")[-1]))]
                for c, s in zip(columns, spans):
                    cell = self.value(spec.key(c), f[spec.key(c)], "disclosure")
                    cell.colspan = s
                    cells.append(cell)
                rows.append(cells)
                names.append(spec.category)
        return Table("disclosure", 4, rows, names)

    def request_rows(self) -> list[tuple[str, list[str], list[tuple[str, object]]]]:
        """(row name, label parts, [(key, value)]) of table 3, the hybrid's single （六） row included."""
        f = self.record["fields"]
        other = self.record.get("hybrid_other")
        out = []
        for spec in self.template.rows_of("requests"):
            if other and spec.row in schema.OTHER_SPLIT_ROWS:
                if spec.row == schema.OTHER_SPLIT_ROWS[0]:
                    label = schema.template("2019").row(HYBRID_OTHER).label
                    out.append((HYBRID_OTHER, [label], [(f"{HYBRID_OTHER}.{c}", other[c]) for c in APPLICANTS]))
                continue
            out.append((spec.category, spec.label.split(" "), [(k, f[k]) for k in spec.keys]))
        return out

    def requests_table(self) -> Table:
        lab, rng = self.lab, self.rng
        rows: list[list[Cell]] = []
        heads = [self.template.field(f"requests.new.{c}").column_label for c in APPLICANTS]
        style = rng.choice(["note", "note", "applicant", "short"])
        if style == "short":
            rows.append([Cell("", colspan=3, rowspan=2), Cell(lab(heads[0]), rowspan=2),
                         Cell(lab("法人或其他组织"), colspan=5), Cell(lab(heads[-1]), rowspan=2)])
        else:
            note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" if style == "note" else ""
            rows.append([Cell(lab(note, breakable=False) if note else "", colspan=3, rowspan=3),
                         Cell(lab("申请人情况"), colspan=7)])
            rows.append([Cell(lab(heads[0]), rowspan=2), Cell(lab("法人或其他组织"), colspan=5),
                         Cell(lab(heads[-1]), rowspan=2)])
        rows.append([Cell(lab(h)) for h in heads[1:-1]])
        names: list[str | None] = [None] * len(rows)
        body = self.request_rows()
        # 三、本年度办理结果 is merged down over every outcome row and the （七）总计 row.
        first = next(i for i, (_, parts, _) in enumerate(body) if parts[0].startswith("三、"))
        last = [name for name, _, _ in body].index(f"requests.{schema.REQUEST_TOTAL_ROW}")
        group_sizes: dict[str, int] = {}
        for i, (_, parts, _) in enumerate(body):
            if len(parts) == 2 and i != first:
                group_sizes[parts[0]] = group_sizes.get(parts[0], 0) + 1
        seen_groups: set[str] = set()
        for i, (name, parts, values) in enumerate(body):
            cells: list[Cell] = []
            if i == first:
                cells.append(Cell(lab(parts[0]), rowspan=last - first + 1))
                parts = parts[1:]
            in_block = first <= i <= last
            if len(parts) == 2:
                if parts[0] not in seen_groups:
                    seen_groups.add(parts[0])
                    cells.append(Cell(lab(parts[0]), rowspan=group_sizes[parts[0]]))
                cells.append(Cell(lab(parts[1])))
            else:
                cells.append(Cell(lab(parts[0]), colspan=2 if in_block else 3))
            cells += [self.value(k, v, "requests") for k, v in values]
            rows.append(cells)
            names.append(name)
        return Table("requests", 10, rows, names)

    def appeals_table(self) -> Table:
        lab, f = self.lab, self.record["fields"]
        specs = self.template.rows_of("appeals")
        heads = [self.template.field(specs[0].key(c)).column_label for c in schema.APPEAL_COLUMNS]
        review, direct, after = (s.label.split(" ") for s in specs)
        rows = [
            [Cell(lab(review[0]), colspan=5), Cell(lab(direct[0]), colspan=10)],
            [Cell(lab(h), rowspan=2) for h in heads]
            + [Cell(lab(direct[1]), colspan=5), Cell(lab(after[1]), colspan=5)],
            [Cell(lab(h)) for h in heads] + [Cell(lab(h)) for h in heads],
            [self.value(k, f[k], "appeals") for s in specs for k in s.keys],
        ]
        return Table("appeals", 15, rows, [None, None, None, "appeals"])

# ------------------------------------------------------------------------------------------------ prose


def _pub_date(year: int, rng: random.Random) -> tuple[int, int, int]:
    month = rng.choices([1, 2, 3], [70, 20, 10])[0]
    return year + 1, month, rng.randint(5, 28 if month == 2 else 31)


def _applicant_sum(f: dict, row: str) -> int:
    return sum(f.get(f"requests.{row}.{c}") or 0 for c in APPLICANTS[:-1])


def _self_reference(issuer: str) -> str:
    """How a body names itself in its report: 我区 for a district government, 我局 for a bureau, …"""
    for ending, name in (("街道办事处", "我街道"), ("镇人民政府", "我镇"), ("乡人民政府", "我乡"), ("办公室", "我办"),
                         ("局", "我局"), ("委员会", "我委")):
        if issuer.endswith(ending):
            return name
    if issuer.endswith("人民政府") and issuer[-5] in "市县区":
        return "我" + issuer[-5]
    return "我单位"


def _place(issuer: str) -> str:
    """The first administrative unit an issuer names (宁波市 of 宁波市鄞州区人民政府办公室)."""
    m = re.match(r"^(.+?(?:实验区|市|县|区))", issuer)
    return m.group(1) if m else issuer


def _prose(doc: Document) -> dict[str, list[str]]:
    """Narrative paragraphs of sections 一, 五, 六 whose numbers agree with the tables."""
    rec, rng = doc.record, doc.rng
    f, year, issuer = rec["fields"], rec["year"], rec["issuer"]
    self_name = rng.choice([_self_reference(issuer), _self_reference(issuer), "本机关", issuer])
    new, carried, forward = (_applicant_sum(f, r) for r in ("new", "carried_over", "carried_forward"))
    org = new - (f["requests.new.natural_person"] or 0)
    granted, partial = _applicant_sum(f, "granted"), _applicant_sum(f, "partially_granted")
    unavailable = sum(_applicant_sum(f, r) for r in ("unavailable_not_held", "unavailable_needs_creation",
                                                     "unavailable_unclear"))
    rejected = sum(_applicant_sum(f, r) for r in ("rejected_complaint", "rejected_duplicate", "rejected_publication",
                                                  "rejected_excessive", "rejected_confirmation"))
    review = f["appeals.review.total"]
    suits = f["appeals.litigation_direct.total"] + f["appeals.litigation_after_review.total"]
    active = rng.randint(40, 30000)
    opening = rng.choice([
        f"{year}年，{self_name}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        f"紧紧围绕中心工作，扎实推进政府信息公开工作，进一步提升了政府工作透明度。",
        f"{year}年，在上级政务公开主管部门的指导下，{self_name}认真贯彻执行《条例》各项规定，完善工作机制，"
        f"政府信息公开工作取得了新成效。",
        f"{year}年，{self_name}以习近平新时代中国特色社会主义思想为指导，持续深化政务公开，"
        f"着力提升政务公开质量，切实保障人民群众的知情权、参与权、表达权和监督权。",
    ])
    if doc.template.name == "2021":
        documents = f["disclosure.normative_documents.issued"]
        doc_sentence = f"制发行政规范性文件{documents}件，" if documents else ""
    else:
        documents = f["disclosure.normative_documents.made"]
        doc_sentence = f"新制作规范性文件{documents}件，" if documents else ""
    active_p = (f"（一）主动公开。全年通过政府门户网站、政务新媒体等渠道主动公开政府信息{active}条，{doc_sentence}"
                f"发布政策解读{rng.randint(0, 60)}篇，回应社会关切{rng.randint(0, 40)}次。")
    if new + carried == 0:
        request_p = f"（二）依申请公开。{year}年度，{self_name}未收到政府信息公开申请。"
    else:
        parts = [f"（二）依申请公开。{year}年共收到政府信息公开申请{new}件"]
        if org and rng.random() < 0.6:
            parts.append(f"，其中自然人申请{new - org}件，法人或其他组织申请{org}件")
        if carried:
            parts.append(f"，上年结转{carried}件")
        outcome = [(granted, "予以公开"), (partial, "部分公开"), (unavailable, "无法提供"), (rejected, "不予处理")]
        said = "、".join(f"{label}{n}件" for n, label in outcome if n)
        parts.append(f"。已按时答复办结，其中{said}" if said else "。均已按时答复")
        if forward:
            parts.append(f"；结转下年度继续办理{forward}件")
        request_p = "".join(parts) + "。"
    if review or suits:
        appeal_p = (f"（三）监督保障。全年因政府信息公开被申请行政复议{review}件、提起行政诉讼{suits}件，"
                    f"均依法依规妥善处理。")
    else:
        appeal_p = "（三）监督保障。全年未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    manage_p = rng.choice([
        "（四）政府信息管理。严格落实信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”原则，规范信息发布流程。",
        f"（四）平台建设。持续优化政府门户网站栏目设置，全年网站访问量{rng.randint(10000, 900000)}人次，"
        f"开展业务培训{rng.randint(1, 6)}次。",
    ])
    contact = issuer if issuer.endswith("办公室") else issuer + "办公室"
    notice = "国办公开办函〔2019〕60号" if doc.template.name == "2019" else "国办公开办函〔2021〕30号"
    basis = rng.choice(["", f"和《中华人民共和国政府信息公开工作年度报告格式》（{notice}）"])
    intro = (f"本报告根据《中华人民共和国政府信息公开条例》{basis}要求编制。"
             f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
             f"如对本报告有疑问，请与{contact}联系（电话：0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}）。")
    problems = rng.choice([
        f"{year}年，{self_name}政府信息公开工作取得了一定成效，但仍存在一些不足：信息公开的深度和广度有待加强，"
        f"政策解读形式较为单一。下一步，将进一步加强业务培训，拓宽公开渠道，提升公开质量。",
        "一是主动公开的及时性有待提高；二是依申请公开答复的规范化水平需进一步提升。下一步将加强队伍建设，"
        "完善工作制度，推动政府信息公开工作再上新台阶。",
    ])
    fee = rng.choice(["无。", "无其他需要报告的事项。", f"{self_name}{year}年度未收取政府信息公开信息处理费。",
                      "按照《政府信息公开信息处理费管理办法》，本年度共收取信息处理费0元。"])
    return {"intro": [intro], "overview": [opening, active_p, request_p, appeal_p, manage_p],
            "problems": [problems], "other": [fee]}

# ------------------------------------------------------------------------------------------------ document


@dataclass
class Block:
    kind: str                    # title | meta | heading | para | table | furniture | sign
    lines: list[str] = field(default_factory=list)
    table: Table | None = None


_HALF_WIDTH = str.maketrans({"，": ",", "（": "(", "）": ")", "：": ":", "；": ";"})
HEADINGS = (("一", "总体情况"), ("二", "主动公开政府信息情况"), ("三", "收到和处理政府信息公开申请情况"),
            ("四", "政府信息公开行政复议、行政诉讼情况"), ("五", "存在的主要问题及改进情况"),
            ("六", "其他需要报告的事项"))


def _title_lines(doc: Document, style: str) -> list[str]:
    rec, rng = doc.record, doc.rng
    issuer, year = rec["issuer"], rec["year"]
    short = _short_issuer(issuer)
    if style == "short_annual" and short:
        return [f"{short}政府信息公开工作年度报告", rng.choice([f"({year}年度)", f"（{year}年度）"])]
    if style == "short" and short:
        return [f"{short}{year}年政府信息公开工作年度报告"]
    if style == "generic":
        y, m, d = (year, 12, 31) if rng.random() < 0.4 else _pub_date(year, rng)
        return ["政府信息公开工作年度报告", issuer, f"{y}年{m}月{d}日"]
    if style == "year_first":
        return [f"{year}年{issuer}政府信息公开工作年度报告"]
    return [f"{issuer}{year}年" + rng.choice(["", "度"]) + "政府信息公开工作年度报告"]


def build_blocks(doc: Document, *, crawler: bool, site: bool | None = None) -> list[Block]:
    """The report as blocks; ``site`` forces web-page furniture on (True) or off (False), else it is noise."""
    rec, rng = doc.record, doc.rng
    y, m, d = _pub_date(rec["year"], rng)
    stamp = f"{y}-{m:02d}-{d:02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    style = rng.choices(["plain", "short", "short_annual", "generic", "year_first"], [45, 15, 10, 15, 15])[0]
    title = _title_lines(doc, "plain" if crawler else style)
    blocks = []
    if crawler:
        blocks.append(Block("meta", [f"标题: {title[0]}", f"发布时间: {stamp}", "文号: ", f"发布机构: {rec['issuer']}",
                                     "栏目: 政府信息公开年报",
                                     f"原文链接: https://www.example.gov.cn/zwgk/zfxxgk/ndbg/{y}{m:02d}/"
                                     f"t{y}{m:02d}{d:02d}_{rng.randint(10000, 99999)}.htm",
                                     f"本地目录: zwgk/zfxxgk/ndbg/{y}{m:02d}/{title[0]}",
                                     "页面链接与图片详见 links.tsv(同目录)",
                                     "==================== 正文 ===================="]))
    if site or (site is None and rng.random() < min(0.9, doc.level * 1.2)):
        doc.use("site_furniture")
        site_name = _place(rec["issuer"]) + rng.choice(["人民政府网", "人民政府门户网站", "政府网"])
        blocks.append(Block("furniture", site_header(site_name, rng)))
    if not crawler or rng.random() < 0.5:
        blocks.append(Block("title", title))
    if rng.random() < 0.3:
        blocks.append(Block("meta", [f"发布时间:{stamp}"]))
    prose = _prose(doc)
    if style == "generic" or rng.random() < 0.5:
        blocks.append(Block("para", prose["intro"]))
    tables = {"二": doc.disclosure_table(), "三": doc.requests_table(), "四": doc.appeals_table()}
    for numeral, title_text in HEADINGS:
        blocks.append(Block("heading", [doc.labels.heading(numeral, title_text)]))
        if numeral == "一":
            blocks.append(Block("para", prose["overview"]))
        elif numeral in tables:
            blocks.append(Block("table", table=tables[numeral]))
        else:
            blocks.append(Block("para", prose["problems" if numeral == "五" else "other"]))
    if doc.labels.half_brackets and doc.labels.comma_swap == ",":
        for block in blocks:
            if block.kind == "para":
                block.lines = [line.translate(_HALF_WIDTH) for line in block.lines]
    signer = rec["issuer"]
    if rng.random() < 0.3 and not signer.endswith("办公室"):
        signer += rng.choice(["办公室", "政务公开办公室"])
    blocks.append(Block("sign", [signer, f"{y}年{m}月{d}日"]))
    if "site_furniture" in doc.kinds:
        blocks.append(Block("furniture", site_footer(rec["issuer"], rng)))
    return blocks

# ------------------------------------------------------------------------------------------------ forms


@dataclass
class Rendering:
    text: str
    form: str
    noise: list[str]
    glued_rows: list[str] = field(default_factory=list)
    charset: str = "utf-8"


def _visible_text(cell: Cell) -> str:
    """A cell as a form that cannot show a blank prints it."""
    if cell.key is None:
        return cell.text
    return cell.zero if cell.blank else cell.text


def _padding(doc: Document, weight: float) -> str | None:
    """The space character (if any) this document pads its values with."""
    if doc.rng.random() >= min(0.9, doc.level * weight):
        return None
    doc.use("value_padding")
    return doc.rng.choice(["\u3000", "\xa0", " "])


def _pad(text: str, rng: random.Random, pad: str | None) -> str:
    if not pad or not text:
        return text
    side = rng.random()
    return pad + text if side < 0.4 else text + pad if side < 0.8 else text


def _form_cells_tabbed(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    pad = _padding(doc, 2.0)
    blank_styles = rng.sample(["\t", "\t\xa0", "\t\u3000", "\t "], k=rng.randint(1, 3))
    lines: list[str] = []
    for block in blocks:
        if block.kind == "table":
            for row in placed_rows(block.table):
                for p in row:
                    if p.placeholder:
                        lines.append("\t")
                    elif p.cell.key is not None and p.cell.blank:
                        lines.append(rng.choice(blank_styles))
                    elif p.cell.key is not None:
                        lines.append("\t" + _pad(p.cell.text, rng, pad))
                    else:
                        lines.append("\t" + p.cell.text)
                lines.append("")
            lines += ["", ""]
        elif block.kind == "para":
            lines += [rng.choice(["", "    "]) + text for text in block.lines]
        else:
            lines += block.lines
            if block.kind in ("title", "sign"):
                lines.append("")
    text = "\n".join(lines)
    if not text.startswith("标题") and rng.random() < min(0.5, doc.level):
        doc.use("docx_artifacts")      # Word's hidden bookmark, kept by some converters before the first line
        text = "[bookmark: _GoBack]" + text
    return text


def _visible_rows(table: Table) -> list[list[Cell]]:
    return [[p.cell for p in row if not p.placeholder and (p.cell.text or p.cell.key is not None)]
            for row in placed_rows(table)]


def _page_breaks(doc: Document, items: list, *, always: bool = False) -> list:
    """Page furniture dropped between items (lines or rows) as a printed page would leave it."""
    rng = doc.rng
    if not always and rng.random() >= min(0.9, doc.level * 0.6):
        return items
    doc.use("page_furniture")
    pages = rng.randint(3, 9)
    out, first = list(items), rng.randint(1, 3)
    running = f"{doc.record['issuer']}{doc.record['year']}年政府信息公开工作年度报告"
    spots = sorted(rng.sample(range(1, len(out)), k=min(len(out) - 1, rng.randint(1, 3))))
    for page, at in reversed(list(enumerate(spots, start=first))):
        furniture = [page_marker(page, pages, rng)]
        if rng.random() < 0.4:
            furniture.append(running)
        out[at:at] = furniture
    return out


def _form_cells_lines(doc: Document, blocks: list[Block], separator: str) -> str:
    """One cell per line (a cell's own line breaks kept), units separated by ``separator``."""
    units: list[str] = []
    for block in blocks:
        if block.kind == "table":
            rows = [[_visible_text(c) for c in row] for row in _visible_rows(block.table)]
            if block.table.name != "appeals":
                rows = [[x] if isinstance(x, str) else x for x in _page_breaks(doc, rows)]
            units += [cell for row in rows for cell in row]
        else:
            units += block.lines
    return separator.join(units)


def _form_tab_rows(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    fill_colspan, fill_rowspan = rng.random() < 0.7, rng.random() < 0.8
    trailing = rng.choice([0, 0, 1, 2])
    drop_lead = rng.uniform(0, 0.4) if rng.random() < min(0.9, doc.level * 2) else 0.0
    pad = _padding(doc, 0.5)
    paragraphs: list[str] = []
    for block in blocks:
        if block.kind != "table":
            paragraphs += block.lines
            continue
        rows = []
        for row in placed_rows(block.table):
            cells: list[str] = []
            for p in row:
                if p.placeholder:
                    cells += [""] * (fill_rowspan + (p.cell.colspan - 1) * fill_colspan)
                    continue
                blank = p.cell.key is not None and p.cell.blank
                cells.append("" if blank else _pad(p.cell.text, rng, pad) if p.cell.key else p.cell.text)
                cells += [""] * ((p.cell.colspan - 1) * fill_colspan)
            has_blank = any(p.cell.blank and p.cell.key for p in row)
            if not has_blank:
                if drop_lead and rng.random() < drop_lead:
                    while cells and cells[0] == "":
                        cells.pop(0)
                    doc.use("lost_leading_tabs")
                cells += [""] * trailing
            rows.append("\t".join(cells))
        paragraphs.append("\n".join(_page_breaks(doc, rows) if block.table.name == "requests" else rows))
    return "\n\n".join(paragraphs)


def _one_line_table(doc: Document, table: Table, glued: bool, glued_rows: list[str]) -> str:
    rng = doc.rng
    out: list[str] = []
    for row, name in zip(_visible_rows(table), table.row_names):
        labels = [c.text.replace("\n", " ") for c in row if c.key is None]
        values = [_visible_text(c).replace("\n", " ") for c in row if c.key is not None]
        if not values:
            out.append(_join(labels, rng, glued))
            continue
        if not glued:
            out.append(" ".join(labels + values))
            continue
        mode = rng.choices(["glued", "partial", "spaced"], [45, 25, 30])[0]
        body = _glue_values(values, mode, table.name, rng)
        if body.count(" ") < len(values) - 1:
            glued_rows.append(name or table.name)
        out.append(_join(labels, rng, glued) + rng.choice([" ", " ", ""]) + body if labels else body)
    return _join(out, rng, glued, glue_share=0.65)


def _join(pieces: list[str], rng: random.Random, glued: bool, glue_share: float = 0.3) -> str:
    """Pieces joined by single spaces, or in a glued dump by nothing at all for a share of the joints.

    A decimal is never glued to a piece opening with a digit (``41.99123.收到…``): no reader could split that.
    """
    text = pieces[0] if pieces else ""
    for piece in pieces[1:]:
        unsafe = piece[:1].isdigit() and re.search(r"\d\.\d+$", text)
        text += ("" if glued and not unsafe and rng.random() < glue_share else " ") + piece
    return text


def _glue_values(values: list[str], mode: str, table: str, rng: random.Random) -> str:
    """Values run together as a crawler prints them; spaced back wherever the run could be read two ways."""
    for attempt in (mode, "partial", "spaced"):
        if attempt == "glued":
            gaps = [""] * (len(values) - 1)
        elif attempt == "partial":
            gaps = [" " if len(a) > 1 or len(b) > 1 or rng.random() < 0.3 else "" for a, b in zip(values, values[1:])]
        else:
            gaps = [" "] * (len(values) - 1)
        text = values[0] + "".join(g + v for g, v in zip(gaps, values[1:]))
        if attempt == "spaced" or _readings(text, values, table) == 1:
            return text
    return text


_NUMBER = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?")
_MARKS = ("—", "/", "无", "-")


def _as_number(token: str) -> float | None:
    if token in _MARKS:
        return 0.0
    if not _NUMBER.fullmatch(token):
        return None
    return float(token.replace("万元", "").replace("元", ""))


def _row_holds(values: list[float], table: str) -> bool:
    if table == "requests":
        return sum(values[:-1]) == values[-1]
    if table == "appeals":
        return all(sum(values[g:g + 4]) == values[g + 4] for g in range(0, len(values), 5))
    return True


def _readings(text: str, printed: list[str], table: str) -> int:
    """How many ways (0, 1, 2 = more) a row's printed run splits into its cells, given the row's arithmetic."""
    tokens = unicodedata.normalize("NFKC", text).split()
    n = len(printed)
    target = [_as_number(unicodedata.normalize("NFKC", v)) or 0.0 for v in printed]
    checked = _row_holds(target, table)
    found = 0

    def walk(ti: int, pos: int, acc: list[float]) -> None:
        nonlocal found
        if found >= 2 or len(acc) > n:
            return
        if ti == len(tokens):
            if len(acc) == n and (not checked or _row_holds(acc, table)):
                found += 1
            return
        token = tokens[ti]
        if pos == len(token):
            walk(ti + 1, 0, acc)
            return
        for end in range(pos + 1, len(token) + 1):
            number = _as_number(token[pos:end])
            if number is not None:
                walk(ti, end, acc + [number])

    walk(0, 0, [])
    return found


def _form_one_line(doc: Document, blocks: list[Block], glued: bool) -> tuple[str, list[str]]:
    rng = doc.rng
    head: list[str] = []
    pieces: list[str] = []
    glued_rows: list[str] = []
    if rng.random() < min(0.6, doc.level):
        doc.use("office_style_junk")
        pieces.append(MSO_STYLE)
    for block in blocks:
        if block.kind == "meta" and block.lines[-1].startswith("===="):
            head += block.lines
        elif block.kind == "table":
            pieces.append(_one_line_table(doc, block.table, glued, glued_rows))
        else:
            pieces += [line.replace("\n", " ") for line in block.lines]
    return "\n".join(head + [_join(pieces, rng, glued)]), glued_rows


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _form_pdf(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    width = rng.randint(28, 42)
    chunks: list[list[str]] = []     # units a page break may fall between: a prose line, a table row
    for block in blocks:
        if block.kind == "para":
            chunks += [[line] for text in block.lines for line in _wrap(text, width)]
        elif block.kind == "table":
            chunks += _pdf_table(doc, block.table)
        else:
            chunks += [[line] for line in block.lines]
    chunks = [[c] if isinstance(c, str) else c for c in _page_breaks(doc, chunks, always=True)]
    return "\n".join(line for chunk in chunks for line in chunk)


def _pdf_table(doc: Document, table: Table) -> list[list[str]]:
    """Rows as PDF text extraction gives them: values before the label, or the label split around them."""
    rng = doc.rng
    out: list[list[str]] = []
    pending_groups: list[tuple[int, str]] = []    # (rows left before printing, label) of labels merged down
    for row in placed_rows(table):
        own = [p for p in row if not p.placeholder]
        labels = [p.cell for p in own if p.cell.key is None]
        values = [_visible_text(p.cell) for p in own if p.cell.key is not None]
        if not values:
            out.append([c.text for c in labels if c.text])
            continue
        groups = [c for c in labels if c.rowspan > 1]
        leaf = [c.text for c in labels if c.rowspan == 1]
        for g in groups:
            pending_groups.append((rng.randint(0, g.rowspan // 2), g.text))
        now = [label for wait, label in pending_groups if wait == 0]
        pending_groups = [(wait - 1, label) for wait, label in pending_groups if wait > 0]
        label = "".join(leaf)
        order = rng.random()
        if order < 0.45:
            lines = values + [label]
        elif order < 0.8 and len(label) > (width := rng.randint(5, 14)) + 1:
            # The label wraps at the cell's width and its first line sits above the row's values.
            lines = [label[:width]] + values + [label[width:]]
        else:
            lines = [label] + values
        out.append([line for line in lines + now if line])
    if pending_groups:
        out.append([label for _, label in pending_groups])
    return [chunk for chunk in out if chunk]


def _markdown_rows(doc: Document, table: Table) -> list[list[str]]:
    rng = doc.rng
    repeat = rng.random() < 0.3
    rows = []
    for row in placed_rows(table):
        cells: list[str] = []
        for p in row:
            text = "" if p.cell.key is not None and p.cell.blank else p.cell.text
            if p.placeholder:
                text = p.cell.text if repeat and p.cell.key is None else ""
            cells.append(text)
            cells += [text if repeat and p.cell.key is None else ""] * (p.cell.colspan - 1)
        rows.append(cells + [""] * (table.width - len(cells)))
    return rows


def _form_markdown(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    heading = rng.choice(["## {}", "**{}**", "{}", "### {}"])
    out: list[str] = []
    for block in blocks:
        if block.kind == "title":
            out.append("# " + block.lines[0])
            out += block.lines[1:]
        elif block.kind == "heading":
            out.append(heading.format(block.lines[0]))
        elif block.kind == "table":
            rows = _markdown_rows(doc, block.table)
            split_rows = rng.random() < min(0.9, doc.level * 1.5)
            lines = ["| " + " | ".join(c.replace("\n", "\n" if split_rows else "<br>") for c in r) + " |" for r in rows]
            if split_rows and any("\n" in line for line in lines):
                doc.use("markdown_split_row")
            rule = "|" + "---|" * block.table.width
            header = rng.choice(["empty", "none"]) if rng.random() < min(0.9, doc.level * 1.3) else "first"
            if header == "first":
                lines.insert(1, rule)
            elif header == "empty":
                lines[:0] = ["|" + " |" * block.table.width, rule]
            else:
                doc.use("markdown_header_lost")
            out.append("\n".join(lines))
        else:
            out += block.lines
    return "\n\n".join(out)


def _html_table(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = []
        for c in row:
            span = f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            span += f' rowspan="{c.rowspan}"' if c.rowspan > 1 else ""
            blank = (c.key is not None and c.blank) or not c.text
            text = "&nbsp;" if blank else html.escape(c.text).replace("\n", "<br/>")
            cells.append(f'<td{span} valign="center"><p class="MsoNormal" align="center"><span>{text}</span></p></td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n' + \
        "\n".join(rows) + "\n</tbody>\n</table>"


def _form_html(doc: Document, blocks: list[Block]) -> tuple[str, str]:
    rng = doc.rng
    charset = "gbk" if rng.random() < 0.3 else "utf-8"
    title = next((b.lines[0] for b in blocks if b.kind == "title"), "政府信息公开工作年度报告")
    body: list[str] = []
    for block in blocks:
        if block.kind == "furniture":
            body.append('<div class="nav">' + "".join(f"<p>{html.escape(x)}</p>" for x in block.lines) + "</div>")
        elif block.kind == "title":
            body.append(f"<h1>{html.escape(block.lines[0])}</h1>" +
                        "".join(f'<p align="center">{html.escape(x)}</p>' for x in block.lines[1:]))
        elif block.kind == "table":
            body.append(_html_table(block.table))
        elif block.kind == "heading":
            body.append(f"<p><strong>{html.escape(block.lines[0])}</strong></p>")
        else:
            body += [f'<p style="text-indent:2em">{html.escape(x)}</p>' for x in block.lines]
    page = ('<!DOCTYPE html>\n<html>\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            '<div class="main"><div class="article">\n<div class="TRS_Editor">\n' + "\n".join(body) +
            "\n</div>\n</div></div>\n</body>\n</html>\n")
    return page, charset


def render_report(record: dict, form: str, rng: random.Random, *, noise: float = 0.3,
                  garble: float = 0.0) -> Rendering:
    """``render`` with what it did: the noise kinds used, the rows whose values run together, the charset.
    ``garble`` is the share of label occurrences given hard slips (lookalike glyphs, lost characters)."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {FORMS}")
    doc = Document(record, rng, noise, garble)
    crawler = form != "html" and rng.random() < (0.8 if form.startswith("one_line") else 0.2)
    # Word and PDF files carry no site navigation; a saved page always does.
    site = True if form == "html" else False if form in ("cells_tabbed", "pdf_scrambled") else None
    blocks = build_blocks(doc, crawler=crawler, site=site)
    glued_rows: list[str] = []
    charset = "utf-8"
    if form == "cells_tabbed":
        text = _form_cells_tabbed(doc, blocks)
    elif form == "cells_blank_separated":
        text = _form_cells_lines(doc, blocks, "\n\n")
    elif form == "cells_plain":
        text = _form_cells_lines(doc, blocks, "\n")
    elif form == "tab_rows":
        text = _form_tab_rows(doc, blocks)
    elif form in ("one_line_spaced", "one_line_glued"):
        text, glued_rows = _form_one_line(doc, blocks, glued=form == "one_line_glued")
    elif form == "pdf_scrambled":
        text = _form_pdf(doc, blocks)
    elif form == "markdown":
        text = _form_markdown(doc, blocks)
    else:
        text, charset = _form_html(doc, blocks)
    kinds = sorted(doc.kinds | doc.labels.applied)
    return Rendering(text, form, kinds, glued_rows, charset)


def render(record: dict, form: str, rng: random.Random, *, noise: float = 0.3, garble: float = 0.0) -> str:
    """The full text of a report printing ``record`` in ``form`` (one of ``FORMS``)."""
    return render_report(record, form, rng, noise=noise, garble=garble).text

# ------------------------------------------------------------------------------------------------ corpus


def _encoding(rendering: Rendering, rng: random.Random, encodings: bool) -> str:
    if not encodings:
        return "utf-8"
    if rendering.charset == "gbk":
        return "gb18030" if rng.random() < 0.8 else "utf-8"
    return rng.choices(["utf-8", "gb18030", "utf-16"], [85, 10, 5])[0]


def generate_set(outdir: str | Path, n: int, seed: int = 0, *, forms=None, templates=None, noise: float = 0.3,
                 broken_share: float = 0.0, encodings: bool = False, hybrid_share: float = 0.1,
                 garble: float = 0.0) -> list[Path]:
    """Write ``n`` reports: ``raw/<name>.txt|.html``, ``gold/<name>.json`` and ``manifest.jsonl``.

    ``templates`` may name "2019", "2021" and "hybrid"; by default 2019 and 2021 come about equally and a
    ``hybrid_share`` of the 2021 ones are hybrids. Forms are taken in turn, so every form appears once n >= 9.
    """
    forms = tuple(forms or FORMS)
    for form in forms:
        if form not in FORMS:
            raise ValueError(f"unknown form {form!r}")
    out = Path(outdir)
    (out / "raw").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    paths = []
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for i in range(n):
            rng = random.Random(f"xxgk-generate:{seed}:{i}")
            form = forms[i % len(forms)]
            choice = rng.choice(list(templates)) if templates else rng.choice(["2019", "2021"])
            hybrid = choice == "hybrid" or (not templates and choice == "2021" and rng.random() < hybrid_share)
            template = "2021" if choice == "hybrid" else choice
            record = random_record(template, rng, hybrid=hybrid)
            info = None
            if broken_share and rng.random() < broken_share:
                record, info = break_record(record, rng.choice(BREAK_KINDS), rng)
            rendering = render_report(record, form, rng, noise=noise, garble=garble)
            name = f"gen-{i:05d}-{form}"
            encoding = _encoding(rendering, rng, encodings)
            raw = out / "raw" / (name + (".html" if form == "html" else ".txt"))
            raw.write_bytes(rendering.text.encode(encoding))
            (out / "gold" / f"{name}.json").write_text(
                json.dumps(gold_of(record), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            manifest.write(json.dumps({
                "name": name, "file": f"raw/{raw.name}", "form": form, "template": template, "hybrid": hybrid,
                "year": record["year"], "issuer": record["issuer"], "broken": info["kind"] if info else None,
                "broken_info": info, "noise": rendering.noise, "glued_rows": rendering.glued_rows,
                "encoding": encoding, "declared_charset": rendering.charset if form == "html" else None,
                "hybrid_other": record.get("hybrid_other"),
            }, ensure_ascii=False) + "\n")
            paths.append(raw)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xxgk.generate", description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("-n", type=int, default=100, help="number of reports")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--forms", help=f"comma-separated subset of {','.join(FORMS)}")
    parser.add_argument("--templates", help="comma-separated subset of 2019,2021,hybrid")
    parser.add_argument("--noise", type=float, default=0.3)
    parser.add_argument("--broken-share", type=float, default=0.0)
    parser.add_argument("--garble", type=float, default=0.0, help="share of labels given hard OCR slips")
    parser.add_argument("--encodings", action="store_true", help="write a share in GB18030 and UTF-16")
    args = parser.parse_args(argv)
    paths = generate_set(args.outdir, args.n, args.seed, forms=args.forms.split(",") if args.forms else None,
                         templates=args.templates.split(",") if args.templates else None, noise=args.noise,
                         broken_share=args.broken_share, encodings=args.encodings, garble=args.garble)
    print(f"wrote {len(paths)} reports to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
