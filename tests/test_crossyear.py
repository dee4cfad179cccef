"""Links between the years of one issuer: carried-over requests and table 2's stock of documents."""
from __future__ import annotations

import json
import random

from typer.testing import CliRunner

from xxgk import generate, schema
from xxgk.cli import app
from xxgk.checks.crossyear import cross_year, link_years

ISSUER = "某市某区人民政府办公室"


def years_of(template: str, first: int, count: int, seed: int = 0) -> list[dict]:
    """Consecutive reports of one issuer whose carried-over requests and document stock follow on."""
    rng = random.Random(seed)
    out = []
    for year in range(first, first + count):
        record = generate.random_record(template, rng, year=year, issuer=ISSUER)
        f = record["fields"]
        if out:
            last = out[-1]["fields"]
            for c in schema.APPLICANT_COLUMNS:
                f[f"requests.carried_over.{c}"] = last[f"requests.carried_forward.{c}"]
            if template == "2021":
                for row in ("rules", "normative_documents"):
                    f[f"disclosure.{row}.in_force"] = (last[f"disclosure.{row}.in_force"] + f[f"disclosure.{row}.issued"]
                                                       - f[f"disclosure.{row}.repealed"])
            else:
                for row in ("licensing", "other_services", "penalties", "coercive_measures", "fees"):
                    f[f"disclosure.{row}.previous"] = last[f"disclosure.{row}.previous"] + last[f"disclosure.{row}.change"]
        out.append(record)
    return out


def test_consecutive_years_that_follow_on_are_consistent():
    for template in schema.TEMPLATES:
        records = years_of(template, 2019 if template == "2019" else 2021, 3)
        [links] = cross_year(records).values()
        assert links.years == [r["year"] for r in records] and links.verdict == "consistent"
        assert all(c["ok"] for c in links.checks)
        carried = [c for c in links.checks if c["rule"].startswith("cross_year.carried.")]
        assert len(carried) == 2 * len(schema.APPLICANT_COLUMNS)      # two links, every applicant column


def test_carried_over_that_does_not_match_last_year_is_an_error():
    records = years_of("2021", 2021, 2, seed=1)
    records[1]["fields"]["requests.carried_over.total"] += 3
    [links] = cross_year(records).values()
    assert links.verdict == "inconsistent"
    [wrong] = [c for c in links.checks if c["ok"] is False]
    assert wrong["rule"] == "cross_year.carried.total" and wrong["severity"] == "error"
    assert wrong["cells"] == ["2021/requests.carried_forward.total", "2022/requests.carried_over.total"]
    assert wrong["printed"] - wrong["expected"] == 3 and wrong["years"] == [2021, 2022]


def test_document_stock_that_does_not_add_up_is_a_warning():
    records = years_of("2021", 2022, 2, seed=2)
    records[1]["fields"]["disclosure.normative_documents.in_force"] += 1
    [links] = cross_year(records).values()
    [wrong] = [c for c in links.checks if c["ok"] is False]
    assert wrong["rule"] == "cross_year.in_force.normative_documents" and wrong["severity"] == "warning"
    assert links.verdict == "consistent"                               # a lapse without 废止 is possible


def test_items_of_the_2019_table2_follow_on():
    records = years_of("2019", 2019, 2, seed=3)
    records[1]["fields"]["disclosure.licensing.previous"] -= 2
    results = link_years(records[0], records[1])
    [wrong] = [c for c in results if c["ok"] is False]
    assert wrong["rule"] == "cross_year.items.licensing" and wrong["expected"] - wrong["printed"] == 2


def test_issuers_are_kept_apart_and_gaps_and_duplicates_said():
    a = years_of("2021", 2021, 1, seed=4) + years_of("2021", 2023, 1, seed=5)
    other = [{**r, "issuer": "另一个县人民政府"} for r in years_of("2021", 2021, 2, seed=6)]
    duplicate = {**a[0], "issuer": " " + ISSUER}                      # the same issuer, spaced differently
    links = cross_year(a + other + [duplicate])
    assert set(links) == {ISSUER, "另一个县人民政府"}
    assert links[ISSUER].gaps == [2022] and links[ISSUER].duplicates == [2021]
    assert links[ISSUER].checks == [] and links[ISSUER].verdict == "incomplete"
    assert links["另一个县人民政府"].verdict == "consistent"


def test_a_missing_cell_makes_a_link_uncheckable():
    records = years_of("2019", 2019, 2, seed=7)
    records[0]["fields"]["requests.carried_forward.business"] = None
    results = link_years(records[0], records[1])
    [unknown] = [c for c in results if c["ok"] is None]
    assert unknown["rule"] == "cross_year.carried.business" and "missing" in unknown["note"]


def test_cli_cross_year(tmp_path):
    records = years_of("2021", 2021, 2, seed=8)
    records[1]["fields"]["requests.carried_over.natural_person"] += 1
    records[1]["fields"]["requests.carried_over.total"] += 1
    for r in records:
        (tmp_path / f"{r['year']}.json").write_text(json.dumps(generate.gold_of(r), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path), "--cross-year", "--json"])
    out = json.loads(result.stdout)
    [issuer] = out["cross_year"]
    assert issuer["issuer"] == ISSUER and issuer["verdict"] == "inconsistent"
    assert {c["rule"] for c in issuer["checks"] if c["ok"] is False} == {
        "cross_year.carried.natural_person", "cross_year.carried.total"}
    text = CliRunner().invoke(app, ["check", str(tmp_path), "--cross-year"], env={"COLUMNS": "200"}).output
    assert "Across years" in text and "2022 二、上年结转政府信息公开申请数量 · 自然人" in text
