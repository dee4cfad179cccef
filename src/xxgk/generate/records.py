"""Gold records for generated reports: issuers, values that keep the template's arithmetic, and the ways
real reports break it (``break_record``)."""
from __future__ import annotations

import copy
import math
import random

from .. import schema

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
