"""``xxgk review``: loading, layout, re-checking and saving gold; and the page in a real browser.

The browser test drives Debian's Chromium through Playwright against the server on 127.0.0.1: open a
report with the keyboard, correct a cell, see the checks recomputed, save, and score the saved gold
with ``xxgk eval``.
"""
from __future__ import annotations

import json
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk import schema
from xxgk.cli import app
from xxgk.evaluate import evaluate, load_records
from xxgk.pipeline import extract_text
from xxgk.generate import generate_set, random_record, render
from xxgk.record import write_record
from xxgk.review.server import (GoldError, cell_spans, create_app, layout, load_reports, recheck, save_gold,
                         source_lines, unsure_keys)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Reports of both templates in three layouts, every one with an arithmetic error printed into it."""
    root = tmp_path_factory.mktemp("review-set")
    generate_set(root, 4, seed=11, forms=["tab_rows", "cells_tabbed", "one_line_spaced"], broken_share=1.0,
                 noise=0.3)
    return root


@pytest.fixture(scope="module")
def reports(generated):
    loaded, skipped = load_reports([generated / "raw"])
    assert not skipped
    return loaded


ARITHMETIC = {r.name for t in schema.TEMPLATES for r in schema.template(t).rules}


def failing(checks) -> set[str]:
    """Names of the failing arithmetic checks (the record may carry other kinds of check too)."""
    checks = [c if isinstance(c, dict) else c.as_dict() for c in checks]
    return {c["rule"] for c in checks if c["ok"] is False and c["rule"] in ARITHMETIC}


def flagged_stops(record: dict) -> list[str]:
    """Where ``n`` stops, in template order: unsure cells and the printed total of each failing check."""
    stops = set(unsure_keys(record))
    stops |= {c["printed_cells"][0] for c in recheck(record, record["fields"]) if c["ok"] is False}
    return [k for k in schema.template(record["template"]).keys if k in stops]


# ---------------------------------------------------------------- the parts


@pytest.mark.parametrize("template", schema.TEMPLATES)
def test_layout_shows_every_key_once_in_template_order_with_official_labels(template):
    tpl = schema.template(template)
    tables = layout(template)
    assert [t["title"] for t in tables] == [schema.TABLE_TITLES[t] for t in schema.TABLES]
    keys = [k for t in tables for block in t["blocks"] for row in block["rows"] for k in row["keys"]]
    assert keys == list(tpl.keys)
    official = {f.column_label for f in tpl.fields} | {f.row_label for f in tpl.fields}
    words = {part for label in official for part in label.split(" ")} | {""}
    for t in tables:
        for block in t["blocks"]:
            for head in block["head"]:
                assert {h["text"] for h in head} <= words
            # Each header row spans exactly the columns of the body rows under it.
            width = max(len(r["keys"]) for r in block["rows"]) + (block["rows"][0]["label"] is not None)
            assert sum(h.get("colspan", 1) for h in block["head"][0]) == width
    appeals = tables[-1]["blocks"][0]
    assert len(appeals["rows"]) == 1 and len(appeals["rows"][0]["keys"]) == 15


def test_load_reports_extracts_raw_files_reads_records_and_skips_gold(generated, reports, tmp_path):
    name = sorted(reports)[0]
    write_record(reports[name].record, tmp_path / "records" / f"{name}.json")
    loaded, _ = load_reports([tmp_path / "records", generated / "gold"])
    assert list(loaded) == [name]                    # gold files have no cells: nothing to review
    assert loaded[name].record_path is not None
    assert loaded[name].source_path.resolve() == reports[name].source_path.resolve()
    both, _ = load_reports([generated / "raw", tmp_path / "records"])
    assert sorted(both) == sorted(reports)           # the same source met twice is loaded once


def test_cell_spans_point_at_the_raw_text_on_the_cells_line(reports):
    for report in reports.values():
        lines, _ = source_lines(report.source_path)
        cells = report.record["cells"]
        spans = cell_spans(lines, cells, report.template)
        assert spans
        for key, (line, start, end) in spans.items():
            assert line == cells[key]["line"]
            raw = (cells[key]["raw"] or "").strip()
            if raw and raw in lines[line - 1]:
                assert lines[line - 1][start:end] == raw


def test_recheck_agrees_with_the_extractors_checks_and_follows_a_correction(reports):
    record = next(r.record for r in reports.values() if r.record["verdict"] == "inconsistent")
    before = recheck(record, record["fields"])
    assert failing(before) == failing(record["checks"])
    rule = next(c for c in before if c["ok"] is False)
    fixed = dict(record["fields"])
    fixed[rule["printed_cells"][0]] += rule["expected"] - rule["printed"]
    assert rule["rule"] not in failing(recheck(record, fixed))


def test_recheck_of_a_hybrid_counts_its_single_other_row():
    rng = random.Random(0)
    gold = next(g for g in (random_record("2021", rng, hybrid=True) for _ in range(50))
                if g["hybrid_other"].get("total"))
    record = extract_text(render(gold, "tab_rows", rng), "hybrid.txt")
    assert record.get("hybrid_other_row")
    outcomes = lambda checks: {c["rule"]: c for c in checks if c["rule"].startswith("requests.outcomes.")}
    assert all(c["ok"] for c in outcomes(recheck(record, record["fields"])).values())
    fields = {**record["fields"], "requests.total.total": record["fields"]["requests.total.total"] + 1}
    total = outcomes(recheck(record, fields))["requests.outcomes.total"]
    assert total["ok"] is False and total["printed"] - total["expected"] == 1
    assert total["printed_cells"] == ["requests.total.total"]


def test_save_gold_writes_what_eval_reads_and_keeps_an_audit(reports, tmp_path):
    name = sorted(reports)[1]
    report = reports[name]
    key = schema.template(report.record["template"]).keys[3]
    fields = dict(report.record["fields"])
    fields[key] = (fields[key] or 0) + 7
    gold_dir, raw_dir = tmp_path / "gold", tmp_path / "raw"
    written = save_gold(report, fields, year=report.record["year"], issuer=report.record["issuer"],
                        gold_dir=gold_dir, raw_dir=raw_dir, reviewer="tester", accepted=[key])
    gold = load_records(gold_dir)
    assert list(gold) == [name]
    assert list(gold[name]) == ["template", "year", "issuer", "fields"]
    assert list(gold[name]["fields"]) == list(schema.template(report.record["template"]).keys)
    result = evaluate(gold, {name: report.record})
    assert [w["key"] for w in result["wrong"]] == [key]
    audit = [json.loads(line) for line in (gold_dir / f"{name}.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert audit[-1]["reviewer"] == "tester" and audit[-1]["accepted"] == [key]
    assert [c["key"] for c in audit[-1]["changes"]] == [key]
    assert (raw_dir / report.source_path.name).read_bytes() == report.source_path.read_bytes()
    assert written["raw"] == str(raw_dir / report.source_path.name)
    save_gold(report, report.record["fields"], year=report.record["year"], issuer="改过的机关",
              gold_dir=gold_dir, raw_dir=raw_dir, reviewer="tester")
    audit_lines = (gold_dir / f"{name}.audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(audit_lines) == 2 and json.loads(audit_lines[-1])["replaced_earlier_gold"] is True
    assert load_records(gold_dir)[name]["issuer"] == "改过的机关"


def test_save_gold_refuses_what_is_not_a_gold_record(reports, tmp_path):
    report = next(iter(reports.values()))
    record = report.record
    args = dict(year=record["year"], issuer=record["issuer"], gold_dir=tmp_path, raw_dir=None, reviewer="t")
    with pytest.raises(GoldError):
        save_gold(report, {"requests.nonsense.total": 1}, **args)
    with pytest.raises(GoldError):
        save_gold(report, {schema.template(record["template"]).keys[0]: "12"}, **args)
    with pytest.raises(GoldError):
        save_gold(report, {}, **{**args, "year": "2020年"})
    assert not list(tmp_path.iterdir())


def test_review_command_serves_the_reports(generated, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    xxgk = Path(sys.executable).with_name("xxgk")
    proc = subprocess.Popen([str(xxgk), "review", str(generated / "raw"), "--port", str(port),
                             "--gold", str(tmp_path / "gold")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        data = _get_json(f"http://127.0.0.1:{port}/api/reports", proc)
        assert len(data["reports"]) == 4 and data["gold_dir"] == str(tmp_path / "gold")
    finally:
        proc.terminate()
        proc.wait(10)


def _get_json(url: str, proc: subprocess.Popen, limit: float = 60.0) -> dict:
    deadline = time.monotonic() + limit
    while True:
        if proc.poll() is not None:
            pytest.fail(f"xxgk review exited: {proc.stderr.read().decode()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return json.loads(resp.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# ---------------------------------------------------------------- in the browser


@pytest.fixture
def server(reports, tmp_path):
    import uvicorn

    gold_dir, raw_dir = tmp_path / "gold", tmp_path / "raw"
    web = create_app(reports, gold_dir=gold_dir, raw_dir=raw_dir, reviewer="tester")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(web, log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "review server did not start"
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{sock.getsockname()[1]}/", "gold": gold_dir, "raw": raw_dir}
    srv.should_exit = True
    thread.join(10)
    sock.close()


def test_server_refuses_writes_that_are_not_json_and_foreign_host_names(server, reports):
    name = sorted(reports)[0]
    url = f"{server['url']}api/reports/{name}/gold"
    body = json.dumps({"fields": {}, "year": 2020, "issuer": "x"}).encode()
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/json", "Host": "evil.example"}):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code in (400, 415)
    assert not server["gold"].exists()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert json.loads(resp.read())["gold"] == str(server["gold"] / f"{name}.json")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: the browser test needs Debian's chromium (scripts/setup.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_correct_a_cell_with_the_keyboard_and_save_it_as_gold(browser, server, reports, tmp_path):
    name = next(n for n, r in reports.items() if r.record["verdict"] == "inconsistent")
    record = reports[name].record
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server["url"])
    rows = page.locator("#report-list tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(reports)
    shown = {rows.nth(i).get_attribute("data-name"): rows.nth(i).locator(".badge").inner_text()
             for i in range(rows.count())}
    assert shown == {n: r.record["verdict"] for n, r in reports.items()}

    # Open the report from the list without the mouse.
    for _ in range(len(reports)):
        if page.locator("#report-list tr.selected").get_attribute("data-name") == name:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("td.cell.current").wait_for()
    keys = schema.template(record["template"]).keys
    assert page.locator("td.cell").count() == len(keys)
    assert page.locator("#source .src-line").count() == len(source_lines(reports[name].source_path)[0])
    failing_shown = lambda: {li.get_attribute("data-rule") for li in page.locator("#arith-checks li.fail").all()}
    assert failing_shown() == failing(record["checks"])

    # The page opens on the first cell to look at; n walks the others.
    stops = flagged_stops(record)
    current = lambda: page.locator("td.cell.current").get_attribute("data-key")
    assert current() == stops[0]
    page.keyboard.press("n")
    assert current() == stops[1 % len(stops)]
    page.keyboard.press("p")
    assert current() == stops[0]

    # Correct the printed total of the first failing check so that its identity holds.
    rule = next(c for c in recheck(record, record["fields"]) if c["ok"] is False)
    key = rule["printed_cells"][0]
    while current() != key:
        page.keyboard.press("n")
    value = int(record["fields"][key] + rule["expected"] - rule["printed"])
    corrected = {**record["fields"], key: value}
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    expected_failing = failing(recheck(record, corrected))
    page.wait_for_function("n => document.body.dataset.checked !== undefined")
    page.wait_for_function(f"() => document.querySelectorAll('#arith-checks li.fail').length === {len(expected_failing)}")
    assert failing_shown() == expected_failing
    cell = page.locator(f'td.cell[data-key="{key}"]')
    assert cell.inner_text() == str(value)
    assert "edited" in cell.get_attribute("class")

    # Leaving with unsaved work asks for a second Escape; s saves.
    page.keyboard.press("Escape")
    assert page.locator("#review-view").is_visible()
    page.keyboard.press("s")
    page.wait_for_function("() => document.body.dataset.saved !== undefined")
    assert re.search(r"已保存", page.locator("#status").inner_text())

    gold = load_records(server["gold"])
    assert list(gold) == [name]
    assert gold[name]["fields"] == corrected
    assert (gold[name]["template"], gold[name]["year"], gold[name]["issuer"]) == \
           (record["template"], record["year"], record["issuer"])
    audit = json.loads((server["gold"] / f"{name}.audit.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert audit["reviewer"] == "tester"
    assert audit["changes"] == [{"key": key, "extracted": record["fields"][key], "gold": value,
                                 "raw": record["cells"][key]["raw"]}]
    assert (server["raw"] / reports[name].source_path.name).exists()

    # What xxgk eval reads: the extraction differs from the gold in the corrected cell only.
    write_record(record, tmp_path / "pred" / f"{name}.json")
    out = CliRunner().invoke(app, ["eval", str(server["gold"]), str(tmp_path / "pred"),
                                   "--json", str(tmp_path / "eval.json")])
    assert out.exit_code == 0, out.output
    scored = json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))
    assert [(w["key"], w["gold"], w["read"]) for w in scored["wrong"]] == [(key, value, record["fields"][key])]

    # Back in the list the report is marked reviewed; reopened, it shows the saved value.
    page.keyboard.press("Escape")
    page.locator(f'#report-list tr[data-name="{name}"] td.reviewed:has-text("✓")').wait_for()
    page.keyboard.press("Enter")
    page.locator(f'td.cell[data-key="{key}"]:has-text("{value}")').wait_for()
    assert not errors
    page.close()


def test_accept_year_and_issuer_from_the_keyboard(browser, server, reports):
    name = sorted(reports)[-1]
    record = reports[name].record
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server["url"] + f"#/r/{name}")
    page.locator("td.cell.current").wait_for()
    first = page.locator("td.cell.current").get_attribute("data-key")
    page.keyboard.press("a")
    assert "accepted" in page.locator(f'td.cell[data-key="{first}"]').get_attribute("class")
    page.keyboard.press("i")
    page.keyboard.press("Control+a")
    page.keyboard.type("某某市人民政府办公室")
    page.keyboard.press("Enter")
    page.keyboard.press("y")
    page.keyboard.press("Control+a")
    page.keyboard.type(str(record["year"] + 1))
    page.keyboard.press("Enter")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.body.dataset.saved !== undefined")
    gold = load_records(server["gold"])[name]
    assert (gold["issuer"], gold["year"]) == ("某某市人民政府办公室", record["year"] + 1)
    assert gold["fields"] == record["fields"]
    audit = json.loads((server["gold"] / f"{name}.audit.jsonl").read_text(encoding="utf-8"))
    assert audit["accepted"] == [first]
    assert {c["key"] for c in audit["changes"]} == {"issuer", "year"}
    page.keyboard.press("[")                       # the previous report: this one is saved, so it goes at once
    page.wait_for_function(f"() => location.hash.endsWith({json.dumps(sorted(reports)[-2])})")
    page.close()
