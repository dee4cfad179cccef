"""The checks: every identity in the record, the verdict, and repairs only where the arithmetic is sure."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk import generate, schema
from xxgk.checks import arithmetic as check
from xxgk.cli import app
from xxgk.pipeline import check_record, extract_file, extract_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
CONTRACT = ["template", "year", "issuer", "fields"]


def corpus_reports():
    for set_name in ("seeds", "examples"):
        for raw in sorted((CORPUS / set_name / "raw").iterdir()):
            yield pytest.param(raw, CORPUS / set_name / "gold" / f"{raw.stem}.json", id=raw.stem)


def consistent_values(template: str, seed: int) -> dict:
    """A report's values that keep every identity, with requests in every column and appeals in every group."""
    rng = random.Random(seed)
    for _ in range(200):
        fields = generate.random_record(template, rng)["fields"]
        if all(fields[f"requests.granted.{c}"] > 1 for c in ("natural_person", "total")) \
                and fields["appeals.review.total"] > 2:
            return dict(fields)
    raise AssertionError("the generator gave no report with enough requests")


def failing(rules, values) -> set[str]:
    return {c.rule for c in check.check_fields("", values, rules) if c.ok is False}

# ------------------------------------------------------------------------------------------------ records


@pytest.mark.parametrize("raw,gold", list(corpus_reports()))
def test_corpus_verdicts_follow_their_gold_arithmetic(raw, gold):
    expected = json.loads(gold.read_text(encoding="utf-8"))
    rules = check.report_rules(expected["template"])
    broken = failing(rules, expected["fields"])
    record = extract_file(raw)
    assert list(record)[:5] == CONTRACT + ["verdict"]
    assert record["fields"] == expected["fields"]                    # repairs never leak into the values
    assert record["verdict"] == ("inconsistent" if broken else "consistent")
    assert {c["rule"] for c in record["checks"] if c["ok"] is False and c["kind"] == "arithmetic"} == broken
    assert not failing(rules, check.repaired_fields(record))         # the repairs make every identity hold
    assert not [c for c in record["checks"] if c["kind"] == "prose" and c["ok"] is False]


def test_every_identity_of_the_template_is_in_the_record():
    record = extract_file(CORPUS / "seeds/raw/002_d3ddc9c30ed8506a.txt")
    arithmetic = [c for c in record["checks"] if c["kind"] == "arithmetic"]
    assert [c["rule"] for c in arithmetic] == [r.name for r in schema.template(record["template"]).rules]
    for c in arithmetic:
        assert c["ok"] is True and c["severity"] == "info" and c["expected"] == c["printed"] and c["cells"]
    assert record["summary"]["identities"] == len(arithmetic) == record["summary"]["hold"]


def test_record_read_back_is_checked_again_from_its_fields(tmp_path):
    record = extract_file(CORPUS / "seeds/raw/000_0c72068bbf924833.txt")
    again = check_record(json.loads(json.dumps(record)))
    assert list(again)[:5] == CONTRACT + ["verdict"]
    assert (again["verdict"], again["repairs"], again["fields"]) == (record["verdict"], record["repairs"], record["fields"])
    assert [c for c in again["checks"] if c["kind"] == "prose"] == [c for c in record["checks"] if c["kind"] == "prose"]
    bare = check_record({k: record[k] for k in CONTRACT})
    assert bare["verdict"] == "inconsistent" and bare["repairs"].keys() == record["repairs"].keys()


def test_unreadable_table_makes_the_report_incomplete_not_inconsistent():
    text = (CORPUS / "seeds/raw/001_bbae7e2c4812eba4.txt").read_text(encoding="utf-8")
    record = extract_text(text[: text.index("四、政府信息公开行政复议")])
    assert record["verdict"] == "incomplete"
    uncheckable = [c for c in record["checks"] if c["ok"] is None]
    assert {c["rule"] for c in uncheckable} == {f"appeals.group_total.{g}" for g in schema.APPEAL_GROUPS}
    assert all(c["severity"] == "warning" and "missing" in c["note"] for c in uncheckable)

# ------------------------------------------------------------------------------------------------ repairs


@pytest.mark.parametrize("template", schema.TEMPLATES)
def test_clean_values_need_no_repair(template):
    values = consistent_values(template, 1)
    found = check.propose_repairs(check.report_rules(template), values)
    assert (found.repairs, found.candidates) == ({}, [])


@pytest.mark.parametrize("template", schema.TEMPLATES)
def test_total_row_printed_as_zeros_is_repaired_jointly(template):
    values = consistent_values(template, 2)
    printed = {**values, **{f"requests.total.{c}": 0 for c in schema.APPLICANT_COLUMNS}}
    found = check.propose_repairs(check.report_rules(template), printed)
    expected = {k: values[k] for k in printed if k.startswith("requests.total.") and values[k]}
    assert {k: r["value"] for k, r in found.repairs.items()} == expected
    assert all(r["kind"] == "unfilled_total" and r["printed"] == 0 and len(r["rules"]) >= 2
               for r in found.repairs.values())


def test_blank_total_column_is_repaired_from_its_parts():
    values = consistent_values("2021", 3)
    rules = check.report_rules("2021")
    totals = [r.keys[-1] for r in schema.template("2021").rows_of("requests")]
    printed = {**values, **dict.fromkeys(totals, 0)}
    cells = {k: {"kind": "blank"} for k in totals}
    found = check.propose_repairs(rules, printed, cells)
    assert {k: r["value"] for k, r in found.repairs.items()} == {k: values[k] for k in totals if values[k]}
    assert all("blank" in r["reason"] for r in found.repairs.values())


@pytest.mark.parametrize("key", ["requests.granted.total", "requests.total.natural_person", "requests.new.total"])
def test_one_wrong_table3_total_is_fixed_by_the_identities_that_cross_it(key):
    values = consistent_values("2019", 4)
    found = check.propose_repairs(check.report_rules("2019"), {**values, key: values[key] + 3})
    assert list(found.repairs) == [key]
    assert found.repairs[key]["value"] == values[key] and found.repairs[key]["kind"] == "single_error"
    assert len(found.repairs[key]["rules"]) >= 2


def test_a_table4_total_has_one_identity_so_it_gets_candidates_not_a_repair():
    values = consistent_values("2019", 5)
    key = "appeals.review.total"
    found = check.propose_repairs(check.report_rules("2019"), {**values, key: values[key] + 2})
    assert found.repairs == {}
    [unresolved] = found.candidates
    assert key in unresolved["cells"] and {key: values[key]} in unresolved["candidates"]
    assert unresolved["reason"]


def test_cells_printed_in_each_others_place_are_swapped_back():
    values = consistent_values("2019", 6)
    a, b = "requests.granted.natural_person", "requests.granted.business"
    assert values[a] != values[b]
    found = check.propose_repairs(check.report_rules("2019"), {**values, a: values[b], b: values[a]})
    assert {k: r["value"] for k, r in found.repairs.items()} == {a: values[a], b: values[b]}
    assert {r["kind"] for r in found.repairs.values()} == {"swapped"}


def test_a_zero_total_that_may_be_a_swap_is_not_repaired():
    values = consistent_values("2019", 7)
    values.update({"appeals.review.upheld": 2, "appeals.review.corrected": 0, "appeals.review.other": 1,
                   "appeals.review.pending": 0, "appeals.review.total": 3})
    printed = {**values, "appeals.review.pending": 3, "appeals.review.total": 0}
    found = check.propose_repairs(check.report_rules("2019"), printed, {"appeals.review.total": {"kind": "blank"}})
    assert found.repairs == {}
    [unresolved] = found.candidates
    assert {"appeals.review.pending": 0, "appeals.review.total": 3} in unresolved["candidates"]
    assert {"appeals.review.total": 6} in unresolved["candidates"]


def test_a_blank_table4_total_over_printed_parts_is_repaired():
    values = consistent_values("2019", 8)
    values.update({"appeals.litigation_direct.upheld": 4, "appeals.litigation_direct.corrected": 1,
                   "appeals.litigation_direct.other": 0, "appeals.litigation_direct.pending": 2,
                   "appeals.litigation_direct.total": 7})
    key = "appeals.litigation_direct.total"
    found = check.propose_repairs(check.report_rules("2019"), {**values, key: 0}, {key: {"kind": "blank"}})
    assert found.repairs[key]["value"] == 7 and found.repairs[key]["kind"] == "unfilled_total"


def test_an_unreadable_cell_is_fixed_when_the_identities_pick_one_reading():
    values = consistent_values("2019", 9)
    key = "requests.granted.natural_person"
    wrong = values[key] + 10
    cells = {key: {"kind": "ambiguous", "candidates": sorted([values[key], wrong])}}
    found = check.propose_repairs(check.report_rules("2019"), {**values, key: None}, cells)
    assert found.repairs[key]["value"] == values[key] and found.repairs[key]["kind"] == "unreadable"


def test_an_unreadable_cell_no_identity_fixes_keeps_its_candidates():
    values = consistent_values("2019", 10)
    a, b = "requests.granted.natural_person", "requests.granted.business"
    cells = {a: {"kind": "ambiguous", "candidates": [1, 2]}, b: {"kind": "ambiguous", "candidates": [1, 2]}}
    found = check.propose_repairs(check.report_rules("2019"), {**values, a: None, b: None}, cells)
    assert found.repairs == {}
    assert {tuple(c["cells"]) for c in found.candidates} == {(a,), (b,)}


def test_several_errors_get_a_reason_and_no_guess():
    values = consistent_values("2019", 11)
    printed = {**values, "requests.granted.total": values["requests.granted.total"] + 5,
               "requests.new.business": values["requests.new.business"] + 3,
               "requests.carried_forward.research": values["requests.carried_forward.research"] + 2}
    found = check.propose_repairs(check.report_rules("2019"), printed)
    assert found.repairs == {}
    assert found.candidates and "no change" in found.candidates[0]["reason"]


def test_hybrid_single_other_row_stands_in_for_the_three():
    rng = random.Random(12)
    record = generate.random_record("2021", rng, hybrid=True)
    single = {f"{generate.HYBRID_OTHER}.{c}": v for c, v in record["hybrid_other"].items()}
    rules = check.report_rules("2021", hybrid=True)
    values = check.report_values(record["fields"], single)
    assert not failing(rules, values)
    assert all(None not in (values[k] for k in r.left + r.right) for r in rules)
    key = f"{generate.HYBRID_OTHER}.total"
    found = check.propose_repairs(rules, {**values, key: values[key] + 4})
    assert found.repairs[key]["value"] == values[key]

# ------------------------------------------------------------------------------------------------ command line


def test_cli_check_says_which_cells_and_why(tmp_path):
    seeds = CORPUS / "seeds/raw"
    result = CliRunner().invoke(app, ["check", str(seeds)], env={"COLUMNS": "200"})
    assert result.exit_code == 1                                      # one report is not consistent
    assert "inconsistent" in result.output and "（七）总计 · 自然人" in result.output
    assert "repair" in result.output and "→ 14" in result.output
    assert result.output.count("✔ consistent") == len(list(seeds.iterdir())) - 1


def test_cli_check_json_reads_records_and_raw_reports(tmp_path):
    raw = CORPUS / "seeds/raw/000_0c72068bbf924833.txt"
    (tmp_path / "rec.json").write_text(json.dumps(extract_file(CORPUS / "seeds/raw/003_717827ae4ea6615a.txt"),
                                                  ensure_ascii=False), encoding="utf-8")
    (tmp_path / "broken.json").write_text("[1, 2]", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(raw), str(tmp_path), "--json"])
    assert result.exit_code == 2                                      # one input is not a record
    out = json.loads(result.stdout)
    verdicts = {Path(r["path"]).name: r["verdict"] for r in out["reports"]}
    assert verdicts == {raw.name: "inconsistent", "rec.json": "consistent"}
    [error] = out["errors"]
    assert error["path"].endswith("broken.json") and "not an xxgk record" in error["error"]
    report = next(r for r in out["reports"] if r["verdict"] == "inconsistent")
    assert report["repairs"]["requests.total.total"]["value"] == 14
    assert all(c["ok"] is not True or c["kind"] == "prose" for c in report["checks"])


def test_records_are_the_same_bytes_whatever_the_hash_seed(tmp_path):
    """Batches compare records byte for byte across processes: no set order may leak into a record."""
    import os
    import subprocess
    import sys

    generate.generate_set(tmp_path / "gen", 27, seed=5, broken_share=0.4)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        subprocess.run([str(Path(sys.executable).parent / "xxgk"), "extract", str(tmp_path / "gen" / "raw"), "-o", str(out), "-q"], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}, cwd=ROOT)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.glob("*.json"))})
    assert len(outputs[0]) == 27 and outputs[0] == outputs[1]
    assert any(json.loads(b)["repairs"] for b in outputs[0].values())
