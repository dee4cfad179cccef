import copy
import json

import pytest

from xxgk import schema
from xxgk.evaluate import RecordError, evaluate, format_report, load_records, run_eval


def make_record(template_name: str, issuer: str, values: dict[str, float | None]) -> dict:
    fields = {key: 0 for key in schema.template(template_name).keys}
    assert set(values) <= set(fields)
    fields.update(values)
    return {"template": template_name, "year": 2020 if template_name == "2019" else 2022,
            "issuer": issuer, "fields": fields}


@pytest.fixture
def gold() -> dict[str, dict]:
    return {
        "county": make_record("2019", "某县人民政府", {
            "requests.new.natural_person": 14, "requests.new.total": 14,
            "disclosure.procurement.amount_wan": 331.34, "appeals.review.upheld": 2}),
        "bureau": make_record("2021", "某市公安局", {
            "requests.new.natural_person": 8, "requests.new.total": 8,
            **{f"requests.{row}.natural_person": None for row in schema.OTHER_SPLIT_ROWS}}),
    }


def total_fields(gold: dict[str, dict]) -> int:
    return sum(len(r["fields"]) for r in gold.values())


def write_records(folder, records: dict[str, dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, record in records.items():
        (folder / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def test_perfect_prediction_scores_one(gold):
    result = evaluate(gold, copy.deepcopy(gold))
    assert result["fields"] == {"correct": total_fields(gold), "total": total_fields(gold), "accuracy": 1.0}
    assert result["nonzero"]["accuracy"] == 1.0
    assert result["perfect"]["correct"] == 2
    assert result["template"]["accuracy"] == result["year"]["accuracy"] == result["issuer"]["accuracy"] == 1.0
    assert result["wrong"] == [] and result["missing"] == []


def test_one_changed_cell_costs_exactly_one_field(gold):
    pred = copy.deepcopy(gold)
    pred["county"]["fields"]["requests.new.natural_person"] = 41
    pred["county"]["cells"] = {"requests.new.natural_person": {"value": 41, "raw": "41", "kind": "number",
                                                               "confidence": 0.98}}
    result = evaluate(gold, pred)
    n = total_fields(gold)
    assert result["fields"]["accuracy"] == pytest.approx(1 - 1 / n)
    assert result["perfect"]["correct"] == 1
    assert result["per_table"]["requests"]["correct"] == result["per_table"]["requests"]["total"] - 1
    assert result["per_table"]["disclosure"]["accuracy"] == 1.0
    assert result["per_template"]["2019"]["accuracy"] < 1.0 == result["per_template"]["2021"]["accuracy"]
    [wrong] = result["wrong"]
    assert (wrong["report"], wrong["key"], wrong["gold"], wrong["read"]) == (
        "county", "requests.new.natural_person", 14, 41)
    assert wrong["raw"] == "41" and not wrong["flagged"]
    assert result["silent_errors"] == 1 and result["flagged_errors"] == 0
    assert "requests.new.natural_person" in format_report(result)


@pytest.mark.parametrize("cell, read", [
    ({"raw": "4l", "kind": "ambiguous", "confidence": 0.95}, 41),
    ({"raw": "41", "kind": "number", "confidence": 0.5}, 41),
    ({}, None),
])
def test_unsure_or_null_reads_are_flagged_not_silent(gold, cell, read):
    pred = copy.deepcopy(gold)
    pred["county"]["fields"]["requests.new.natural_person"] = read
    pred["county"]["cells"] = {"requests.new.natural_person": cell}
    result = evaluate(gold, pred)
    assert result["flagged_errors"] == 1 and result["silent_errors"] == 0


def test_nonzero_accuracy_ignores_zero_cells(gold):
    pred = copy.deepcopy(gold)
    pred["county"]["fields"]["disclosure.rules.made"] = 3          # gold 0
    pred["bureau"]["fields"]["requests.new.total"] = 0              # gold 8
    result = evaluate(gold, pred)
    nonzero_cells = 6
    assert result["nonzero"] == {"correct": nonzero_cells - 1, "total": nonzero_cells,
                                 "accuracy": pytest.approx((nonzero_cells - 1) / nonzero_cells)}
    assert result["fields"]["correct"] == total_fields(gold) - 2


def test_numbers_compare_ints_exactly_and_floats_within_tolerance(gold):
    pred = copy.deepcopy(gold)
    pred["county"]["fields"]["disclosure.procurement.amount_wan"] = 331.3400000001
    assert evaluate(gold, pred)["fields"]["accuracy"] == 1.0
    pred["county"]["fields"]["disclosure.procurement.amount_wan"] = 331.34001
    pred["county"]["fields"]["appeals.review.upheld"] = "2"
    assert evaluate(gold, pred)["fields"]["correct"] == total_fields(gold) - 2


def test_gold_null_is_right_only_when_read_is_null_or_absent(gold):
    pred = copy.deepcopy(gold)
    split_keys = [f"requests.{row}.natural_person" for row in schema.OTHER_SPLIT_ROWS]
    del pred["bureau"]["fields"][split_keys[0]]
    assert evaluate(gold, pred)["fields"]["accuracy"] == 1.0
    pred["bureau"]["fields"][split_keys[1]] = 0
    result = evaluate(gold, pred)
    assert [w["key"] for w in result["wrong"]] == [split_keys[1]]


def test_missing_prediction_counts_all_fields_wrong(gold):
    pred = {"county": copy.deepcopy(gold["county"])}
    result = evaluate(gold, pred)
    assert result["missing"] == ["bureau"]
    assert result["fields"]["correct"] == len(gold["county"]["fields"])
    assert result["fields"]["total"] == total_fields(gold)
    assert result["per_report"]["bureau"]["correct"] == 0
    assert result["template"]["correct"] == 1 and result["perfect"]["correct"] == 1
    assert "no prediction" in format_report(result)


def test_template_mismatch_is_detected_and_scored_over_gold_keys(gold):
    pred = copy.deepcopy(gold)
    pred["bureau"] = make_record("2019", "某市公安局", {"requests.new.natural_person": 8,
                                                    "requests.new.total": 8})
    result = evaluate(gold, pred)
    assert result["template"]["correct"] == 1
    assert result["per_template"]["2021"]["total"] == len(gold["bureau"]["fields"])
    keys_2021_only = set(schema.template("2021").keys) - set(schema.template("2019").keys)
    wrong_keys = {w["key"] for w in result["wrong"]}
    gold_null = {k for k, v in gold["bureau"]["fields"].items() if v is None}
    assert wrong_keys == keys_2021_only - gold_null
    assert result["per_template"]["2021"]["correct"] == len(gold["bureau"]["fields"]) - len(wrong_keys)


def test_load_records_names_the_bad_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text('{"fields": {"x": 1}}', encoding="utf-8")
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RecordError, match=r"b\.json.*invalid JSON"):
        load_records(tmp_path)
    errors: dict[str, str] = {}
    assert list(load_records(tmp_path, errors=errors)) == ["a"]
    assert list(errors) == ["b"]
    (tmp_path / "b.json").write_text('[1, 2]', encoding="utf-8")
    with pytest.raises(RecordError, match="expected an object"):
        load_records(tmp_path / "b.json")


def test_run_eval_survives_a_corrupt_prediction(tmp_path, gold, capsys):
    write_records(tmp_path / "gold", gold)
    write_records(tmp_path / "pred", {"county": gold["county"]})
    (tmp_path / "pred" / "bureau.json").write_bytes(b'{"template": "2021", "fields": {\xff')
    assert run_eval(tmp_path / "gold", tmp_path / "pred") == 0
    out = capsys.readouterr().out
    assert "unreadable          bureau" in out
    assert "perfect reports     1/2" in out


def test_run_eval_returns_2_when_nothing_to_evaluate(tmp_path, gold, capsys):
    write_records(tmp_path / "gold", gold)
    (tmp_path / "pred").mkdir()
    assert run_eval(tmp_path / "gold", tmp_path / "pred") == 2
    assert run_eval(tmp_path / "nowhere", tmp_path / "pred") == 2
    assert run_eval(tmp_path / "gold", tmp_path / "nowhere") == 2


def test_json_output_round_trips(tmp_path, gold, capsys):
    pred = copy.deepcopy(gold)
    pred["bureau"]["fields"]["requests.new.total"] = 9
    write_records(tmp_path / "gold", gold)
    write_records(tmp_path / "pred", pred)
    out = tmp_path / "result.json"
    assert run_eval(tmp_path / "gold", tmp_path / "pred", json_out=out) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == evaluate(gold, pred)
    report = capsys.readouterr().out
    assert "field accuracy      " in report and f"({total_fields(gold) - 1}/{total_fields(gold)})" in report
