"""One report per record (issue 20): a file holding two reports one after the other (a crawler's concatenated
pages) gives two records, NAME#1 and NAME#2, each with its own tables; never one record mixing them."""
from __future__ import annotations

import random

import pytest

from xxgk.generate import gold_of, random_record, render_report
from xxgk.pipeline import SeveralReports, extract_reports, extract_text


def _two(form: str, seed: int):
    rng = random.Random(f"two-reports:{seed}")
    records = [random_record(rng.choice(["2019", "2021"]), rng) for _ in range(2)]
    texts = [render_report(r, form, rng, noise=0.0).text for r in records]
    return "\n\n".join(texts), [gold_of(r) for r in records]


@pytest.mark.parametrize("form", ["tab_rows", "cells_plain", "one_line_spaced", "markdown", "pdf_scrambled"])
def test_two_reports_in_one_file_are_two_records(form, tmp_path):
    text, golds = _two(form, 1)
    path = tmp_path / f"two-{form}.txt"
    path.write_text(text, encoding="utf-8")
    records = extract_reports(path)
    assert [r["source"]["name"] for r in records] == [f"two-{form}#1", f"two-{form}#2"]
    for record, gold in zip(records, golds):
        assert record["template"] == gold["template"] and record["year"] == gold["year"]
        wrong = {k: (v, record["fields"].get(k)) for k, v in gold["fields"].items() if record["fields"].get(k) != v}
        assert not wrong
    with pytest.raises(SeveralReports, match="holds 2 reports"):
        extract_text(text, path.name)


def test_a_title_repeated_on_every_page_is_one_report():
    rng = random.Random("one-report-many-titles")
    record = random_record("2021", rng)
    text = render_report(record, "cells_plain", rng, noise=0.0).text
    title = next(line for line in text.split("\n") if line.endswith("年度报告"))
    lines = text.split("\n")
    paged = "\n".join(line if k % 40 else f"{title}\n{line}" for k, line in enumerate(lines))
    record_out = extract_text(paged, "paged.txt")
    assert record_out["fields"] == gold_of(record)["fields"]


def test_the_command_line_writes_each_report_and_a_batch_refuses_the_file(tmp_path):
    import json

    from typer.testing import CliRunner

    from xxgk.batch import run_batch
    from xxgk.cli import app

    text, golds = _two("tab_rows", 2)
    source = tmp_path / "in"
    source.mkdir()
    (source / "two.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(source / "two.txt"), "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["two#1.json", "two#2.json"]
    for name, gold in zip(written, golds):
        record = json.loads((tmp_path / "out" / name).read_text(encoding="utf-8"))
        assert record["year"] == gold["year"] and record["fields"] == {**record["fields"], **gold["fields"]}
    summary = run_batch([source], tmp_path / "dataset", workers=1, progress=False)
    assert summary.errors == 1
