"""A cell's confidence answers to the report's own arithmetic (issue 20): a cell under a failing identity is
never offered as sure, unless the failure is established as the source's own printed total."""
from __future__ import annotations

import random
import re

import pytest

from xxgk.evaluate import CONFIDENT
from xxgk.generate import break_record, gold_of, random_record, render_report
from xxgk.pipeline import extract_text


def _report(seed: int, form: str = "tab_rows", broken: str | None = None):
    rng = random.Random(f"confidence-test:{seed}")
    record = random_record("2021", rng)
    if broken:
        record, _ = break_record(record, broken, rng)
    return render_report(record, form, rng, noise=0.0).text, gold_of(record)


def _misprint(text: str, gold: dict) -> tuple[str, str, str] | None:
    """The text with one non-zero table-3 part (the natural_person column) printed as another number: a misread
    that the sums must catch, whatever the reader does with it. Returns the text, the key and its row."""
    from xxgk import schema

    spec = schema.template(gold["template"])
    for row in spec.rows_of("requests"):
        key = f"requests.{row.row}.natural_person"
        value = gold["fields"].get(key)
        label = row.label.split(" ")[-1]
        lines = [line for line in text.split("\n") if label in line and "\t" in line]
        if not isinstance(value, int) or value < 2 or len(lines) != 1:
            continue
        cells = lines[0].split("\t")
        if str(value) not in cells:
            continue
        cells[cells.index(str(value))] = str(value + 7)
        return text.replace(lines[0], "\t".join(cells), 1), key, row.row
    return None


def _misprinted_report(draw: int):
    """The first report from ``draw`` on that prints a row whole on one line with a part of 2 or more."""
    for seed in range(draw * 10, draw * 10 + 10):
        text, gold = _report(seed)
        found = _misprint(text, gold)
        if found:
            return (*found, gold)
    raise AssertionError(f"no report to misprint in draws {draw * 10}..{draw * 10 + 9}")


@pytest.mark.parametrize("draw", range(6))
def test_a_misread_part_is_never_sure(draw):
    text, key, row, gold = _misprinted_report(draw)
    record = extract_text(text, "misread.txt")
    cell = record["cells"][key]
    assert record["fields"][key] == gold["fields"][key] + 7          # the document's number, as printed
    assert cell["confidence"] < CONFIDENT
    assert f"requests.row_total.{row}" in cell["note"]
    assert re.search(r"requests\.(outcomes|balance)\.natural_person", cell["note"])
    # the row's total, named by the same failing row identity, is not sure either
    assert record["cells"][f"requests.{row}.total"]["confidence"] < CONFIDENT
    # the cells under no failing identity (another column of another row) keep their confidence
    others = [k for k in record["cells"] if k.startswith("requests.") and k.endswith(".business")
              and k != f"requests.{row}.business"]
    assert others and all(record["cells"][k]["confidence"] >= CONFIDENT for k in others)


@pytest.mark.parametrize("kind", ["total_row_zero", "blank_total_column", "wrong_total"])
def test_the_sources_own_total_is_flagged_and_its_parts_stay_sure(kind):
    for seed in range(20):
        text, gold = _report(seed, broken=kind)
        record = extract_text(text, f"{kind}.txt")
        if record["fields"] != gold["fields"]:
            continue     # this test is about a faithful reading of a broken source
        failing = [c for c in record["checks"] if c["kind"] == "arithmetic" and c["ok"] is False]
        if not failing:
            continue
        flagged = {k for k, c in record["cells"].items() if c["confidence"] < CONFIDENT}
        assert flagged, "a failing identity left every cell sure"
        assert all("the source's own error" in record["cells"][k]["note"] for k in flagged)
        totals = {c["cells"][-1] for c in failing if not c["rule"].startswith("requests.balance")}
        assert flagged <= totals | {k for c in failing for k in c["cells"] if k.startswith("requests.total.")}
        parts = {k for c in failing for k in c["cells"]} - flagged
        assert parts and all(record["cells"][k]["confidence"] >= CONFIDENT for k in parts)
        return
    pytest.fail(f"no faithful reading of a {kind} report in 20 draws")


def test_seed_with_its_total_row_printed_as_zeros(tmp_path):
    from pathlib import Path

    from xxgk.pipeline import extract_file

    seeds = Path(__file__).resolve().parent.parent / "corpus" / "seeds" / "raw"
    record = extract_file(seeds / "000_0c72068bbf924833.txt")
    assert record["verdict"] == "inconsistent"
    zeros = {k for k, c in record["cells"].items() if k.startswith("requests.total.") and c["confidence"] < CONFIDENT}
    assert zeros and all(record["fields"][k] == 0 for k in zeros)
    granted = [k for k in record["cells"] if k.startswith("requests.granted.")]
    assert all(record["cells"][k]["confidence"] >= CONFIDENT for k in granted)
    assert re.search(r"requests\.(balance|outcomes)\.", record["cells"][sorted(zeros)[0]]["note"])


def _with_extra_number(seed: int, extra: str):
    """A report whose table-3 row 二、上年结转 prints one number more than the template's seven cells."""
    text, gold = _report(seed)
    line = next(line for line in text.split("\n") if "上年结转" in line and "\t" in line)
    return text.replace(line, line.rstrip("\t") + "\t" + extra, 1), gold


@pytest.mark.parametrize("seed", range(3))
def test_every_printed_number_is_a_cell_or_listed_unplaced(seed):
    text, gold = _with_extra_number(seed, "37")
    record = extract_text(text, "extra.txt")
    unplaced = record["tables"]["requests"]["unplaced"]
    assert [u["raw"] for u in unplaced] == ["37"]
    assert unplaced[0]["line"] == next(i for i, line in enumerate(text.split("\n"), 1) if "上年结转" in line
                                       and "\t" in line)
    assert record["verdict"] != "consistent"
    row = [k for k in record["cells"] if k.startswith("requests.carried_over.")]
    assert all(record["cells"][k]["confidence"] < CONFIDENT for k in row)
    assert "not placed: '37'" in record["cells"][row[0]]["note"]
    far = record["cells"]["requests.total.total"]
    if any(c["value"] for k, c in record["cells"].items() if k.startswith("requests.")):
        # a row far from it keeps its confidence
        assert far["confidence"] >= CONFIDENT
    else:
        # a table read as nothing but zeros beside a count it did not place is no reading: every row is unsure
        assert far["confidence"] < CONFIDENT and "only zeros" in far["note"]


def test_a_zero_left_over_is_listed_but_hides_no_count():
    text, gold = _with_extra_number(0, "0")
    record = extract_text(text, "extra-zero.txt")
    assert [u["raw"] for u in record["tables"]["requests"]["unplaced"]] == ["0"]
    assert record["fields"] == gold["fields"] and record["verdict"] == "consistent"
