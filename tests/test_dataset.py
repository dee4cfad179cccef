"""The dataset as analysts use it: integer counts, the tidy long table, the subtotal views, list types, the
README's three questions (run as written), and a data dictionary that documents every column."""
from __future__ import annotations

import contextlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from xxgk import schema
from xxgk.batch.dataset import dictionary_markdown, field_keys, outcome_groups
from xxgk.batch.runner import run_batch
from xxgk.generate import generate_set

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """Generated reports of both templates (some with broken sums), and the real seed reports."""
    root = tmp_path_factory.mktemp("dataset")
    generate_set(root / "gen", 24, seed=31, broken_share=0.2)
    shutil.copytree(ROOT / "corpus" / "seeds" / "raw", root / "seeds")
    with contextlib.chdir(root):
        summary = run_batch([Path("gen/raw"), Path("seeds")], root / "ds", workers=2, progress=False)
    assert summary.errors == 0
    return root / "ds"


def _con(dataset: Path):
    return duckdb.connect(str(dataset / "xxgk.duckdb"), read_only=True)


def _records(dataset: Path) -> dict[str, dict]:
    return {p.relative_to(dataset / "records").as_posix()[:-len(".json")]: json.loads(p.read_text("utf-8"))
            for p in (dataset / "records").rglob("*.json")}


def test_counts_are_nullable_integers_and_money_doubles(dataset):
    con = _con(dataset)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'reports'").fetchall())
    money = {k for k in field_keys() if k.endswith("amount_wan")}
    assert money and all(types[k] == "DOUBLE" for k in money)
    assert all(types[k] == "BIGINT" for k in field_keys() if k not in money)
    assert types["year"] == "BIGINT"
    parquet = pq.read_schema(dataset / "reports.parquet")
    assert str(parquet.field("requests.new.total").type) == "int64"
    # null where the template has no such key: a 2019 report has no 2021-only row
    nulls = con.execute('SELECT count(*) FROM reports WHERE template = \'2019\' '
                        'AND "requests.other_misc.total" IS NOT NULL').fetchone()[0]
    assert nulls == 0


def test_the_long_table_is_tidy_and_holds_every_cell_of_every_record(dataset):
    records = _records(dataset)
    cells = pd.read_parquet(dataset / "cells.parquet")
    assert list(cells.columns)[:10] == ["report", "issuer", "year", "template", "table", "row", "column", "key",
                                        "value", "amount_wan"]
    assert len(cells) == sum(len(r["cells"]) for r in records.values())
    for row in cells.itertuples(index=False):
        record = records[row.report]
        cell = record["cells"][row.key]
        assert (row.issuer, row.year, row.template) == (record["issuer"], record["year"], record["template"])
        assert row.key == f"{row.table}.{row.row}.{row.column}"
        value = row.amount_wan if row.unit == "万元" else row.value
        assert (None if pd.isna(value) else value) == cell["value"], (row.report, row.key)
        assert row.kind == cell["kind"] and row.raw == cell["raw"]
    assert str(pq.read_schema(dataset / "cells.parquet").field("value").type) == "int64"


def test_check_cells_are_lists(dataset):
    records = _records(dataset)
    checks = pd.read_parquet(dataset / "checks.parquet")
    assert str(pq.read_schema(dataset / "checks.parquet").field("cells").type) == "list<element: string>"
    first = checks.iloc[0]
    assert list(first["cells"]) == next(c["cells"] for c in records[first["report"]]["checks"]
                                        if c["rule"] == first["rule"])


def test_request_outcome_view_sums_each_section_of_the_template(dataset):
    records = _records(dataset)
    view = _con(dataset).execute("SELECT * FROM request_outcomes").fetchdf()
    unique = set(pd.read_parquet(dataset / "reports.parquet").query("duplicate_of.isna()")["report"])
    assert set(view["report"]) == unique and len(view) == 7 * len(unique)
    for row in view.itertuples(index=False):
        fields = records[row.report]["fields"]
        for name, rows in outcome_groups(row.template).items():
            parts = [fields[f"requests.{r}.{row.applicant}"] for r in rows]
            expected = None if None in parts else sum(parts)
            got = getattr(row, name)
            assert (None if pd.isna(got) else got) == expected, (row.report, row.applicant, name)
    groups = outcome_groups("2021")
    assert groups["denied"][0] == "denied_state_secret" and len(groups["denied"]) == 8
    assert len(groups["other"]) == 3 and outcome_groups("2019")["other"] == ("other",)


def test_appeal_outcome_view_gives_review_and_litigation_totals(dataset):
    records = _records(dataset)
    view = _con(dataset).execute("SELECT * FROM appeal_outcomes").fetchdf()
    for row in view.itertuples(index=False):
        fields = records[row.report]["fields"]
        groups = ["litigation_direct", "litigation_after_review"] if row.proceeding == "litigation" \
            else [row.proceeding]
        for column in schema.APPEAL_COLUMNS:
            parts = [fields[f"appeals.{g}.{column}"] for g in groups]
            got = getattr(row, column)
            assert (None if pd.isna(got) else got) == (None if None in parts else sum(parts))


def _readme_queries() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", readme, re.S)


def test_the_readmes_three_questions_run_and_answer_right(dataset):
    queries = _readme_queries()
    assert len(queries) == 3
    con = _con(dataset)
    wide = pd.read_parquet(dataset / "reports.parquet")
    wide = wide[wide["duplicate_of"].isna()]

    per_year = con.execute(queries[0]).fetchdf().set_index("year")
    expected = wide.groupby("year")["requests.new.total"].sum()
    assert per_year["applications"].to_dict() == {y: int(v) for y, v in expected.items()}

    refused = con.execute(queries[1]).fetchdf().set_index("issuer")
    denied = [c for c in wide.columns if c.startswith("requests.denied_") and c.endswith(".total")]
    for issuer, group in wide.groupby("issuer"):
        handled = group["requests.total.total"].sum()
        if handled:
            assert refused.loc[issuer, "refused_share"] == pytest.approx(
                round(group[denied].sum(axis=1).sum() / handled, 3))

    lawsuits = con.execute(queries[2]).fetchdf().set_index("year")
    for year, group in wide.groupby("year"):
        total = (group["appeals.litigation_direct.total"] + group["appeals.litigation_after_review.total"]).sum()
        assert lawsuits.loc[year, "total"] == total


def test_every_column_of_every_table_and_view_is_documented(dataset):
    documented = (ROOT / "docs" / "dataset.md").read_text(encoding="utf-8")
    dictionary = (ROOT / "docs" / "dictionary.md").read_text(encoding="utf-8")
    assert dictionary == dictionary_markdown(), "regenerate: python -m xxgk.batch.dataset > docs/dictionary.md"
    con = _con(dataset)
    for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        assert f"`{column}`" in documented or f"`{column}`" in dictionary, (table, column)
    for key in field_keys():
        row = next(line for line in dictionary.splitlines() if line.startswith(f"| `{key}` |"))
        assert ("| 万元 |" in row) == key.endswith("amount_wan") and "| 件" in row or "| 万元 |" in row
