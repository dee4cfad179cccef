"""``xxgk batch``: the tables agree with the records, reruns resume, copies are linked, Dask gives the same dataset."""
from __future__ import annotations

import contextlib
import json
import math
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from xxgk import schema
from xxgk.batch.runner import JOURNAL_NAME, extractor_id, run_batch
from xxgk.cli import app
from xxgk.batch.dataset import field_keys
from xxgk.generate import generate_set, random_record, render

ROOT = Path(__file__).resolve().parents[1]
TABLE_FILES = ("reports.parquet", "reports.csv", "cells.parquet", "checks.parquet", "errors.parquet", "errors.csv",
               "dictionary.parquet", "dictionary.csv")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Generated reports in every form, plus files that are not reports."""
    root = tmp_path_factory.mktemp("corpus")
    generate_set(root / "gen", 27, seed=11, broken_share=0.2)
    shutil.rmtree(root / "gen" / "gold")
    (root / "gen" / "manifest.jsonl").unlink()
    (root / "gen" / "raw" / "empty.txt").write_bytes(b"")
    (root / "gen" / "raw" / "blob.bin").write_bytes(bytes(random.Random(0).randrange(256) for _ in range(3000)))
    (root / "gen" / "raw" / "notes.txt").write_text("会议纪要：今天讨论了食堂菜单。\n", encoding="utf-8")
    return root / "gen" / "raw"


@pytest.fixture(scope="module")
def dataset(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dataset")
    with contextlib.chdir(corpus.parent):      # report ids are the sources' paths as given: raw/...
        summary = run_batch([Path("raw")], out, workers=2, progress=False)
    assert summary.reports == 30 and summary.errors == 3 and not summary.interrupted
    return out


def _records(folder: Path) -> dict[str, dict]:
    return {p.relative_to(folder / "records").as_posix()[:-len(".json")]: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((folder / "records").rglob("*.json"))}


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


def test_wide_table_has_one_row_per_report_with_its_record_values(dataset):
    records = _records(dataset)
    wide = pd.read_parquet(dataset / "reports.parquet")
    assert list(wide["report"]) == sorted(records) and len(records) == 27
    assert all(report.startswith("raw/") for report in records)
    assert set(field_keys()) == set(schema.template("2019").keys) | set(schema.template("2021").keys)
    for row in wide.to_dict("records"):
        record = records[row["report"]]
        assert (row["template"], row["year"], row["issuer"], row["verdict"]) == (
            record["template"], record["year"], record["issuer"], record["verdict"])
        for key in field_keys():
            assert _same(row[key], record["fields"].get(key)), (row["report"], key)
        assert row["checks_failed"] == sum(c["ok"] is False for c in record["checks"])
        assert row["checks_unchecked"] == sum(c["ok"] is None for c in record["checks"])


def test_csv_opens_in_spreadsheets_and_holds_the_parquet_rows(dataset):
    raw = (dataset / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    from_csv = pd.read_csv(dataset / "reports.csv", encoding="utf-8-sig", dtype={"template": str})
    from_parquet = pd.read_parquet(dataset / "reports.parquet")
    assert list(from_csv.columns) == list(from_parquet.columns)
    assert list(from_csv["issuer"]) == list(from_parquet["issuer"])
    assert from_csv["requests.new.total"].fillna(-1).tolist() == from_parquet["requests.new.total"].fillna(-1).tolist()


def test_long_and_checks_tables_carry_every_cell_and_failed_check(dataset):
    records = _records(dataset)
    cells = pd.read_parquet(dataset / "cells.parquet")
    assert len(cells) == sum(len(r["cells"]) for r in records.values())
    some = cells.sample(40, random_state=0)
    for row in some.itertuples(index=False):
        cell = records[row.report]["cells"][row.key]
        value = row.amount_wan if row.unit == "万元" else row.value
        assert _same(value, cell["value"]) and row.raw == cell["raw"] and row.kind == cell["kind"]
        assert row.line == cell["line"] and row.reader == records[row.report]["source"]["reader"]
    checks = pd.read_parquet(dataset / "checks.parquet")
    assert len(checks) == sum(len(r["checks"]) for r in records.values()) > 0
    failed = checks[checks["ok"] == False]  # noqa: E712 - a nullable column
    assert set(failed["report"]) == {k for k, r in records.items() if r["verdict"] == "inconsistent"}


def test_unreadable_files_are_in_the_errors_table_with_reasons(dataset):
    errors = pd.read_parquet(dataset / "errors.parquet").set_index("report")["reason"].to_dict()
    assert set(errors) == {"raw/empty.txt", "raw/blob.bin", "raw/notes.txt"}
    assert "empty" in errors["raw/empty.txt"] and all(len(reason) > 5 for reason in errors.values())
    assert "no table" in errors["raw/notes.txt"]
    assert not (dataset / "records" / "raw" / "empty.txt.json").exists()


def test_duckdb_holds_every_table_and_the_dictionary(dataset):
    con = duckdb.connect(str(dataset / "xxgk.duckdb"), read_only=True)
    for name in ("reports", "cells", "checks", "errors"):
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == len(pd.read_parquet(
            dataset / f"{name}.parquet"))
    dictionary = {key: (row_label, column_label, templates) for key, row_label, column_label, templates in
                  con.execute('SELECT key, row_label, column_label, templates FROM dictionary WHERE "table" != \'\'')
                  .fetchall()}
    for name in schema.TEMPLATES:
        for spec in schema.template(name).fields:
            row_label, column_label, _ = dictionary[spec.key]
            assert spec.row_label in row_label and spec.column_label in column_label
            assert name in dictionary[spec.key][2].split()
    wide_columns = [row[0] for row in con.execute("DESCRIBE reports").fetchall()]
    documented = {row[0] for row in con.execute("SELECT key FROM dictionary").fetchall()}
    assert set(wide_columns) == documented


def test_documented_query_answers_applications_per_year_by_template(dataset):
    documented = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    query = re.search(r"```sql\n(.*?)```", documented, re.S).group(1)
    con = duckdb.connect(str(dataset / "xxgk.duckdb"), read_only=True)
    answer = con.execute(query).fetchdf()
    wide = pd.read_parquet(dataset / "reports.parquet")
    wide = wide[wide["duplicate_of"].isna()]
    expected = wide.groupby(["template", "year"])["requests.new.total"].sum()
    assert len(answer) == len(expected) > 1
    for row in answer.itertuples(index=False):
        assert row[-1] == expected[(row.template, row.year)]


def test_rerun_reuses_unchanged_reports_and_follows_changes(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = Path("raw")
    shutil.copytree(corpus, src)
    out = tmp_path / "ds"
    first = run_batch([src], out, workers=2, progress=False)
    tables = {name: (out / name).read_bytes() for name in TABLE_FILES}

    again = run_batch([src], out, workers=2, progress=False)
    assert (again.extracted, again.reused, again.tables_rebuilt) == (0, first.reports, False)
    assert {name: (out / name).read_bytes() for name in TABLE_FILES} == tables

    victim, changed = sorted(src.glob("gen-*.txt"))[:2]
    victim.unlink()
    with changed.open("a", encoding="utf-8") as fh:
        fh.write("\n（本报告数据统计期限自1月1日起至12月31日止。）\n")
    third = run_batch([src], out, workers=2, progress=False, prune=True)
    assert (third.extracted, third.reused, third.pruned) == (1, first.reports - 2, 1)
    reports = pd.read_parquet(out / "reports.parquet")
    assert f"raw/{victim.name}" not in set(reports["report"])
    assert not (out / "records" / "raw" / f"{victim.name}.json").exists()
    record = json.loads((out / "records" / "raw" / f"{changed.name}.json").read_text(encoding="utf-8"))
    assert record["source"]["sha256"] == reports.set_index("report").loc[f"raw/{changed.name}", "sha256"]


def test_copies_of_one_report_are_linked_not_double_counted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(5)
    src = Path("pages")
    src.mkdir()
    report = random_record("2021", rng)
    other = random_record("2019", rng)
    text = render(report, "cells_tabbed", random.Random(1), noise=0.0)
    (src / "a.txt").write_text(text, encoding="utf-8")
    (src / "b_same_bytes.txt").write_text(text, encoding="utf-8")
    (src / "c_gb18030.txt").write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    (src / "d_saved_page.html").write_text(render(report, "html", random.Random(2), noise=0.0), encoding="utf-8")
    (src / "e_other.txt").write_text(render(other, "tab_rows", random.Random(3), noise=0.0), encoding="utf-8")
    summary = run_batch([src], tmp_path / "ds", workers=2, progress=False)
    assert summary.duplicates == 3 and summary.errors == 0

    wide = pd.read_parquet(tmp_path / "ds" / "reports.parquet").set_index("report")
    assert wide["duplicate_of"].fillna("").to_dict() == {
        "pages/a.txt": "", "pages/b_same_bytes.txt": "pages/a.txt", "pages/c_gb18030.txt": "pages/a.txt",
        "pages/d_saved_page.html": "pages/a.txt", "pages/e_other.txt": ""}
    assert wide.loc["pages/b_same_bytes.txt", "duplicate_by"] == "same bytes"
    assert wide.loc["pages/c_gb18030.txt", "duplicate_by"] == "same text"
    assert wide.loc["pages/d_saved_page.html", "duplicate_by"] == "same figures, issuer and year"
    con = duckdb.connect(str(tmp_path / "ds" / "xxgk.duckdb"), read_only=True)
    total = con.execute('SELECT sum("requests.new.total") FROM unique_reports').fetchone()[0]
    assert total == report["fields"]["requests.new.total"] + other["fields"]["requests.new.total"]
    assert len(list((tmp_path / "ds" / "records").rglob("*.json"))) == 5


# ------------------------------------------------------------------------------- interrupted and killed runs

def _command(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", "from xxgk.cli import app; app()", "batch", src.name, "-o", str(out),
            "-j", "2", "--chunk-size", "2"]


def _environment() -> dict[str, str]:
    # One extractor id for every run of the test, even while the package's files are being edited.
    return {**os.environ, "XXGK_EXTRACTOR_ID": extractor_id()}


def _start(src: Path, out: Path) -> subprocess.Popen:
    """A batch in its own process group, as a terminal would run it (Ctrl-C reaches every process of it)."""
    return subprocess.Popen(_command(src, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=_environment(), cwd=src.parent,
                            preexec_fn=_terminal_signals)


def _terminal_signals() -> None:
    # A terminal's command takes Ctrl-C; a suite started in the background (`cmd &` in a script, nohup) ignores
    # SIGINT, and an ignored signal stays ignored across exec: the batch would never see the test's Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _journaled(out: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{out / JOURNAL_NAME}?mode=ro", uri=True, timeout=0.2)
        try:
            return db.execute("SELECT count(*) FROM extraction").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _stop_when(out: Path, proc: subprocess.Popen, at_least: int, sig: int) -> None:
    deadline = time.monotonic() + 60
    while _journaled(out) < at_least:
        assert proc.poll() is None, f"the batch ended before it could be stopped: {proc.communicate()}"
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.01)
    os.killpg(proc.pid, sig)


def _dataset_bytes(out: Path) -> dict[str, bytes]:
    files = {name: (out / name).read_bytes() for name in TABLE_FILES}
    files.update({str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "records").rglob("*"))
                  if p.is_file()})
    return files


def _duckdb_rows(out: Path) -> dict[str, list]:
    con = duckdb.connect(str(out / "xxgk.duckdb"), read_only=True)
    return {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
            for name in ("reports", "cells", "checks", "errors", "dictionary", "unique_reports")}


def test_interrupted_and_killed_batches_resume_to_the_uninterrupted_dataset(tmp_path):
    src = tmp_path / "raw"
    reports = 100
    generate_set(tmp_path / "gen", reports, seed=3, broken_share=0.1)
    shutil.move(tmp_path / "gen" / "raw", src)
    (src / "empty.txt").write_bytes(b"")
    out = tmp_path / "ds"

    ctrl_c = _start(src, out)
    _stop_when(out, ctrl_c, 10, signal.SIGINT)
    _, err = ctrl_c.communicate(timeout=60)
    assert ctrl_c.returncode == 130 and "resume" in err, (ctrl_c.returncode, err[-2000:])
    after_ctrl_c = _journaled(out)
    assert after_ctrl_c < reports

    killed = _start(src, out)
    _stop_when(out, killed, after_ctrl_c + 10, signal.SIGKILL)
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert _journaled(out) < reports and not (out / "reports.parquet").exists()

    resumed = subprocess.run(_command(src, out), capture_output=True, text=True, timeout=120, env=_environment(),
                             cwd=src.parent)
    assert resumed.returncode == 1, resumed.stderr       # empty.txt went to the errors table
    reused = int(re.search(r"(\d+) reused", resumed.stderr).group(1))
    assert reused >= after_ctrl_c + 10

    reference = tmp_path / "reference"
    with contextlib.chdir(src.parent):
        run_batch([Path(src.name)], reference, workers=2, progress=False)
    assert _dataset_bytes(out) == _dataset_bytes(reference)
    assert _duckdb_rows(out) == _duckdb_rows(reference)


# ------------------------------------------------------------------------------------------------ Dask

def test_dask_cluster_of_two_workers_writes_the_same_dataset(corpus, dataset, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            contextlib.chdir(corpus.parent):
        result = CliRunner().invoke(app, ["batch", "raw", "-o", str(tmp_path / "ds"),
                                          "--engine", "dask", "--scheduler", cluster.scheduler_address, "-q"])
    assert result.exit_code == 1, result.output          # the corpus's three files that are no reports
    assert _dataset_bytes(tmp_path / "ds") == _dataset_bytes(dataset)


def test_missing_source_is_refused_with_its_name(tmp_path):
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "nowhere"), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 2 and "nowhere" in result.output
