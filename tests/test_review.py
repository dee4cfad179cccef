"""``xxgk review``: loading, layout, re-checking and saving gold; its guarantees; and the page in a real browser.

The server's guarantees are tried as an attacker or a second reviewer would: a record naming ``/etc/shadow``, a
link out of the folder given, a save made from a gold that changed since, a body of a gigabyte, NaN. The
browser tests drive Debian's Chromium through Playwright against the server on 127.0.0.1: open a report with
the keyboard, correct a cell, see the checks and the verdict recomputed, save, and score the saved gold with
``xxgk eval``; filter and sort the list; read the legend against the cells it explains.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import random
import re
import shutil
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
from xxgk.generate import FORMS, generate_set, random_record, render
from xxgk.pipeline import extract_file, extract_text
from xxgk.record import write_record
from xxgk.review import (MAX_BODY_BYTES, Catalog, GoldError, StaleSave, assessment, cell_spans, create_app,
                         gold_version, layout, load_reports, recheck, save_gold, source_lines, unsure_keys)
from xxgk.review import words

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
def varied(tmp_path_factory) -> Path:
    """Noisy reports: HTML pages (blank cells, a page to show in the frame), run-together lines and scrambled
    PDF text (cells read with low confidence, missing cells)."""
    root = tmp_path_factory.mktemp("review-varied")
    generate_set(root, 6, seed=5, forms=["html", "one_line_glued", "pdf_scrambled"], broken_share=0.5, noise=0.9)
    return root


@pytest.fixture(scope="module")
def reports(generated, varied):
    loaded, skipped = load_reports([generated / "raw", varied / "raw"])
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


def made_consistent(report) -> dict | None:
    """The corrections (the arithmetic's own repairs) that make an inconsistent report consistent, if any."""
    state = assessment(report, report.record["fields"])
    fixes = {k: r["value"] for k, r in state["repairs"].items()}
    if not fixes or state["verdict"] != "inconsistent":
        return None
    after = assessment(report, {**report.record["fields"], **fixes})
    return fixes if after["verdict"] == "consistent" else None


# ---------------------------------------------------------------- the parts


@pytest.mark.parametrize("template", schema.TEMPLATES)
def test_layout_shows_every_key_once_in_template_order_with_official_labels(template):
    tpl = schema.template(template)
    tables = layout(template)
    assert [t["title"] for t in tables] == [schema.TABLE_TITLES[t] for t in schema.TABLES]
    keys = [k for t in tables for block in t["blocks"] for row in block["rows"] for k in row["keys"]]
    assert keys == list(tpl.keys)
    official = {f.column_label for f in tpl.fields} | {f.row_label for f in tpl.fields}
    words_ = {part for label in official for part in label.split(" ")} | {""}
    for t in tables:
        for block in t["blocks"]:
            for head in block["head"]:
                assert {h["text"] for h in head} <= words_
            # Each header row spans exactly the columns of the body rows under it.
            width = max(len(r["keys"]) for r in block["rows"]) + (block["rows"][0]["label"] is not None)
            assert sum(h.get("colspan", 1) for h in block["head"][0]) == width
    appeals = tables[-1]["blocks"][0]
    assert len(appeals["rows"]) == 1 and len(appeals["rows"][0]["keys"]) == 15


def test_load_reports_extracts_raw_files_reads_records_and_skips_gold(generated, tmp_path):
    raw_only, _ = load_reports([generated / "raw"])
    name = sorted(raw_only)[0]
    write_record(raw_only[name].record, tmp_path / "records" / f"{name}.json")
    loaded, _ = load_reports([tmp_path / "records", generated / "gold"], )
    assert list(loaded) == [name]                    # gold files have no cells: nothing to review
    assert loaded[name].record_path is not None
    # The record's source (in generated/raw) is outside the folders given: not used until they include it.
    assert loaded[name].source_path is None and loaded[name].problems
    both, _ = load_reports([generated / "raw", tmp_path / "records"])
    assert sorted(both) == sorted(raw_only)          # the same source met twice is loaded once
    sourced = Catalog([tmp_path / "records"], sources=[generated / "raw"]).load().reports
    assert sourced[name].source_path.resolve() == raw_only[name].source_path.resolve()


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


def test_the_verdict_follows_the_corrections_and_the_cells_confirmed(reports):
    """The verdict of the page is the extractor's own, on the corrected values: the arithmetic's repairs make
    an inconsistent report consistent; a cell read as missing keeps a report incomplete until confirmed."""
    report = next(r for r in reports.values() if made_consistent(r))
    assert assessment(report, report.record["fields"])["verdict"] == report.record["verdict"] == "inconsistent"
    assert assessment(report, {**report.record["fields"], **made_consistent(report)})["failed_checks"] == 0
    for report in reports.values():
        # As extracted, the page's verdict is the record's (the prose compared again from the source).
        assert assessment(report, report.record["fields"])["verdict"] == report.record["verdict"], report.name
    incomplete = [r for r in reports.values() if r.record["verdict"] == "incomplete"
                  and not failing(r.record["checks"])]
    assert incomplete
    for report in incomplete:
        unread = [k for k, c in report.record["cells"].items() if c["kind"] in ("missing", "ambiguous")]
        state = assessment(report, report.record["fields"], settled=unread)
        assert state["unsettled"] == 0
        assert state["verdict"] == ("consistent" if all(c["ok"] is not None for c in state["checks"])
                                    else "incomplete")


def test_save_gold_writes_what_eval_reads_and_keeps_an_audit(reports, tmp_path):
    name = sorted(reports)[1]
    report = reports[name]
    key = schema.template(report.record["template"]).keys[3]
    fields = dict(report.record["fields"])
    fields[key] = (fields[key] or 0) + 7
    gold_dir, raw_dir = tmp_path / "gold", tmp_path / "raw"
    written = save_gold(report, fields, year=report.record["year"], issuer=report.record["issuer"],
                        gold_dir=gold_dir, raw_dir=raw_dir, reviewer="tester", accepted=[key], made_from=None)
    gold = load_records(gold_dir)
    assert list(gold) == [name]
    assert list(gold[name]) == ["template", "year", "issuer", "fields"]
    assert list(gold[name]["fields"]) == list(schema.template(report.record["template"]).keys)
    result = evaluate(gold, {name: report.record})
    assert [w["key"] for w in result["wrong"]] == [key]
    audit = [json.loads(line) for line in (gold_dir / f"{name}.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert audit[-1]["reviewer"] == "tester" and audit[-1]["accepted"] == [key]
    assert [c["key"] for c in audit[-1]["changes"]] == [key]
    assert audit[-1]["made_from"] is None and audit[-1]["version"] == written["version"] == gold_version(gold_dir, name)
    assert (raw_dir / report.source_path.name).read_bytes() == report.source_path.read_bytes()
    assert written["raw"] == str(raw_dir / report.source_path.name)
    save_gold(report, report.record["fields"], year=report.record["year"], issuer="改过的机关",
              gold_dir=gold_dir, raw_dir=raw_dir, reviewer="tester", made_from=written["version"])
    audit_lines = (gold_dir / f"{name}.audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(audit_lines) == 2 and json.loads(audit_lines[-1])["replaced_earlier_gold"] is True
    assert load_records(gold_dir)[name]["issuer"] == "改过的机关"


def test_save_gold_refuses_what_is_not_a_gold_record(reports, tmp_path):
    report = next(iter(reports.values()))
    record = report.record
    key = schema.template(record["template"]).keys[0]
    args = dict(year=record["year"], issuer=record["issuer"], gold_dir=tmp_path, raw_dir=None, reviewer="t",
                made_from=None)
    for fields in ({"requests.nonsense.total": 1}, {key: "12"}, {key: float("nan")}, {key: float("inf")},
                   {key: True}, {key: 10 ** 30}):
        with pytest.raises(GoldError):
            save_gold(report, fields, **args)
    for year in ("2020年", 1900, 20200):
        with pytest.raises(GoldError):
            save_gold(report, {}, **{**args, "year": year})
    with pytest.raises(GoldError):
        save_gold(report, {}, **{**args, "issuer": {"name": "x"}})
    with pytest.raises(GoldError):
        save_gold(report, {}, **{**args, "accepted": ["requests.nonsense.total"]})
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- saves that would undo a colleague's


def test_a_stale_save_is_refused_and_the_audit_keeps_both(reports, tmp_path):
    report = reports[sorted(reports)[2]]
    record = report.record
    keys = schema.template(record["template"]).keys
    gold_dir = tmp_path / "gold"
    args = dict(year=record["year"], issuer=record["issuer"], gold_dir=gold_dir, raw_dir=None)
    first = {**record["fields"], keys[0]: 101}
    second = {**record["fields"], keys[0]: 202, keys[1]: 303}
    # Both reviewers opened the report before either saved: both saves are made from "no gold yet".
    saved = save_gold(report, first, reviewer="甲", made_from=None, **args)
    with pytest.raises(StaleSave) as refused:
        save_gold(report, second, reviewer="乙", made_from=None, **args)
    assert refused.value.current == saved["version"] and refused.value.conflicts == [keys[0]]
    assert "甲" in str(refused.value) and "没有写入" in str(refused.value)
    assert load_records(gold_dir)[report.name]["fields"] == first        # the first correction stands
    audit = [json.loads(x) for x in (gold_dir / f"{report.name}.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(a["reviewer"], a.get("refused")) for a in audit] == [("甲", None), ("乙", "stale")]
    assert {c["key"]: c["gold"] for c in audit[1]["changes"]} == {keys[0]: 202, keys[1]: 303}   # nothing lost
    # Made from the version saved, the second reviewer's save goes through.
    again = save_gold(report, second, reviewer="乙", made_from=saved["version"], **args)
    assert load_records(gold_dir)[report.name]["fields"] == second
    # Any change of the file (here by hand) is a new version: a save made from the old one is refused.
    path = gold_dir / f"{report.name}.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"issuer"', '"issuer" ', 1), encoding="utf-8")
    with pytest.raises(StaleSave):
        save_gold(report, first, reviewer="甲", made_from=again["version"], **args)


def test_saves_racing_from_one_version_write_one_gold(reports, tmp_path):
    report = reports[sorted(reports)[3]]
    keys = schema.template(report.record["template"]).keys
    gold_dir = tmp_path / "gold"
    outcomes = []

    def attempt(i: int) -> None:
        try:
            save_gold(report, {keys[0]: i}, year=report.record["year"], issuer="x", gold_dir=gold_dir, raw_dir=None,
                      reviewer=f"r{i}", made_from=None)
            outcomes.append(("saved", i))
        except StaleSave:
            outcomes.append(("refused", i))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o for o, _ in outcomes) == ["refused"] * 7 + ["saved"]
    winner = next(i for o, i in outcomes if o == "saved")
    assert load_records(gold_dir)[report.name]["fields"][keys[0]] == winner
    audit = (gold_dir / f"{report.name}.audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(audit) == 8


# ---------------------------------------------------------------- files outside the folders given


@pytest.fixture
def outside(generated, tmp_path):
    """A readable report in a folder nobody gave the server, a record naming it, and links pointing at it."""
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    source = sorted((generated / "raw").iterdir())[0]
    secret = secret_dir / "secret.txt"
    shutil.copyfile(source, secret)
    record = extract_file(secret)
    records = tmp_path / "records"

    def naming(path: str, n: int) -> dict:           # a record of its own (the same source is loaded once)
        return {**record, "source": {**record["source"], "path": path, "sha256": str(n) * 64}}

    write_record(naming(str(secret), 1), records / "names-a-secret.json")
    write_record(naming("/etc/shadow", 2), records / "shadow.json")
    (records / "linked.txt").symlink_to(secret)                            # a link inside, to outside
    write_record(naming("linked.txt", 3), records / "via-link.json")
    return {"secret": secret, "records": records, "text": secret.read_text(encoding="utf-8")}


def test_a_source_outside_the_folders_given_is_never_read_shown_or_copied(outside, tmp_path):
    catalog = Catalog([outside["records"]]).load()
    assert set(catalog.reports) == {"names-a-secret", "shadow", "via-link"}
    assert [s.path for s in catalog.skipped] == [str(outside["records"] / "linked.txt")]
    assert all(r.source_path is None and r.readable_source() is None for r in catalog.reports.values())
    assert {n.path for n in catalog.notices} == set(catalog.reports)
    gold_dir, raw_dir = tmp_path / "gold", tmp_path / "raw"
    with served(create_app(catalog, gold_dir=gold_dir, raw_dir=raw_dir, reviewer="t")) as url:
        for name in catalog.reports:
            shown = _fetch(f"{url}api/reports/{name}")
            assert shown.status == 200 and shown.json()["lines"] is None
            assert "不在命令行给出的文件夹内" in " ".join(shown.json()["problems"])
            assert _fetch(f"{url}api/reports/{name}/original").status == 404
            saved = _fetch(f"{url}api/reports/{name}/gold", {"fields": {}, "made_from": None})
            assert saved.status == 200 and saved.json()["raw"] is None
            for answer in (shown, saved):
                assert "root:" not in answer.text
    assert not raw_dir.exists()
    # Given on the command line (--sources), the same folder is read and copied.
    allowed = Catalog([outside["records"]], sources=[outside["secret"].parent]).load()
    report = allowed.reports["names-a-secret"]
    assert report.readable_source() == outside["secret"].resolve()
    written = save_gold(report, {}, year=None, issuer=None, gold_dir=gold_dir, raw_dir=raw_dir, reviewer="t",
                        made_from=gold_version(gold_dir, "names-a-secret"))
    assert Path(written["raw"]).read_text(encoding="utf-8") == outside["text"]
    assert allowed.reports["shadow"].readable_source() is None


def test_a_source_replaced_by_a_link_after_loading_is_refused(outside, generated, tmp_path):
    folder = tmp_path / "given"
    folder.mkdir()
    source = folder / "report.txt"
    shutil.copyfile(sorted((generated / "raw").iterdir())[1], source)
    report = Catalog([folder]).load().reports["report"]
    assert report.readable_source() == source.resolve()
    source.unlink()
    source.symlink_to(outside["secret"])
    assert report.readable_source() is None


# ---------------------------------------------------------------- the server's limits


@contextlib.contextmanager
def served(web):
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(web, log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "review server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        srv.should_exit = True
        thread.join(10)
        sock.close()


class Answer:
    def __init__(self, status: int, body: bytes):
        self.status, self.text = status, body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)


def _fetch(url: str, body=None, *, raw: bytes | None = None, headers: dict | None = None) -> Answer:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:
            return Answer(resp.status, resp.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read())


@pytest.fixture
def server(reports, tmp_path):
    gold_dir, raw_dir = tmp_path / "gold", tmp_path / "raw"
    web = create_app(reports, gold_dir=gold_dir, raw_dir=raw_dir, reviewer="tester")
    with served(web) as url:
        yield {"url": url, "gold": gold_dir, "raw": raw_dir}


def test_server_refuses_writes_that_are_not_json_and_foreign_host_names(server, reports):
    name = sorted(reports)[0]
    url = f"{server['url']}api/reports/{name}/gold"
    body = json.dumps({"fields": {}, "year": 2020, "issuer": "x", "made_from": None}).encode()
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/json", "Host": "evil.example"}):
        assert _fetch(url, raw=body, headers=headers).status in (400, 415)
    assert not server["gold"].exists()
    answer = _fetch(url, raw=body)
    assert answer.status == 200 and answer.json()["gold"] == str(server["gold"] / f"{name}.json")


def test_a_save_must_name_its_version_and_a_stale_one_gets_409(server, reports):
    name = sorted(reports)[0]
    url = f"{server['url']}api/reports/{name}/gold"
    assert _fetch(url, {"fields": {}}).status == 428
    first = _fetch(url, {"fields": {}, "made_from": None})
    assert first.status == 200
    stale = _fetch(url, {"fields": {}, "issuer": "别的机关", "made_from": None})
    assert stale.status == 409
    assert stale.json()["stale"] == {"made_from": None, "version": first.json()["version"], "conflicts": [],
                                     "by": "tester", "at": stale.json()["stale"]["at"]}
    assert "没有写入" in stale.json()["detail"]
    assert load_records(server["gold"])[name]["issuer"] != "别的机关"
    assert _fetch(url, {"fields": {}, "issuer": "别的机关", "made_from": first.json()["version"]}).status == 200


def _post_declaring(url: str, path: str, length: int, chunks: list[bytes] | None = None) -> int:
    """POST that declares LENGTH bytes and sends none (or sends CHUNKS with chunked encoding); the status."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/json")
    if chunks is None:
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
    else:
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        try:
            for chunk in chunks:
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass                                   # the server may answer and close before the end
    status = conn.getresponse().status
    conn.close()
    return status


def test_a_body_over_the_limit_is_refused_before_it_is_read(server, reports):
    name = sorted(reports)[0]
    for path in (f"/api/reports/{name}/check", f"/api/reports/{name}/gold"):
        started = time.monotonic()
        assert _post_declaring(server["url"], path, 10 ** 9) == 413    # a gigabyte announced, none sent: no wait
        assert time.monotonic() - started < 5
        over = [b" " * 65536] * (MAX_BODY_BYTES // 65536 + 2)          # no length announced: cut off past it
        assert _post_declaring(server["url"], path, 0, over) == 413
    assert not server["gold"].exists()
    fine = _fetch(f"{server['url']}api/reports/{name}/check", {"fields": {}, "pad": " " * (MAX_BODY_BYTES // 2)})
    assert fine.status == 200


def test_values_must_be_finite_numbers_or_null(server, reports):
    name = sorted(reports)[0]
    key = schema.template(reports[name].record["template"]).keys[0]
    for path in ("gold", "check"):
        url = f"{server['url']}api/reports/{name}/{path}"
        for value in ("NaN", "Infinity", "-Infinity", "1e400", "true", '"12"', "[1]"):
            raw = f'{{"fields": {{"{key}": {value}}}, "made_from": null}}'.encode()
            answer = _fetch(url, raw=raw)
            assert answer.status == 422, (path, value, answer.text)
        assert _fetch(url, raw=f'{{"fields": {{"{key}": null}}, "made_from": null}}'.encode()).status == 200
    # A gold file with NaN (written by hand, or by an older xxgk) does not stop the page from opening.
    (server["gold"] / f"{name}.json").write_text(
        json.dumps({"template": reports[name].record["template"], "year": 2020, "issuer": "x",
                    "fields": {key: float("nan")}}), encoding="utf-8")
    shown = _fetch(f"{server['url']}api/reports/{name}")
    assert shown.status == 200 and shown.json()["gold"] is None and shown.json()["problems"]


def test_review_command_serves_the_reports_as_they_load(generated, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    xxgk = Path(sys.executable).with_name("xxgk")
    proc = subprocess.Popen([str(xxgk), "review", str(generated / "raw"), "--port", str(port),
                             "--gold", str(tmp_path / "gold")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        first = _get_json(f"http://127.0.0.1:{port}/api/reports", proc)
        assert first["gold_dir"] == str(tmp_path / "gold") and first["loading"]["total"] == 4
        data = first
        deadline = time.monotonic() + 120
        while not data["loading"]["finished"]:
            assert time.monotonic() < deadline
            time.sleep(0.2)
            data = _get_json(f"http://127.0.0.1:{port}/api/reports", proc)
        assert len(data["reports"]) == 4 and data["loading"]["done"] == 4
        newer = _get_json(f"http://127.0.0.1:{port}/api/reports?since=3", proc)
        assert [r["name"] for r in newer["reports"]] == [data["reports"][3]["name"]]
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


# ---------------------------------------------------------------- the page's words


def extractor_messages(records: list[dict]) -> set[str]:
    """Every message of the extractor a review page shows: cells' notes, checks' notes, warnings, reasons."""
    out = set()
    for record in records:
        out |= {c.get("note") for c in record["cells"].values()}
        out |= {c.get("note") for c in record["checks"]}
        out |= set(record.get("warnings") or [])
        out |= {r.get("reason") for r in (record.get("repairs") or {}).values()}
        out |= {c.get("reason") for c in record.get("repair_candidates") or []}
    return {m for m in out if m}


def test_every_message_the_extractor_writes_is_said_in_chinese(reports, tmp_path):
    """Reports of every generated layout, noisy and broken, and the project's real ones: no message of theirs
    is left in English on the page."""
    generate_set(tmp_path / "all", 2 * len(FORMS), seed=3, broken_share=0.5, noise=0.9)
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    more, _ = load_reports([tmp_path / "all" / "raw", *sorted(corpus.glob("*/raw"))])
    records = [r.record for r in [*reports.values(), *more.values()]]
    messages = extractor_messages(records)
    assert len(messages) >= 10
    untranslated = sorted(m for m in messages if not words.translate(m)[1])
    assert not untranslated
    for message in messages:
        assert not re.search(r"[a-z]{3,}", re.sub(r"\b[a-z_]+\.[a-z_*]+\.[a-z_]+\b", "", words.zh(message))), message
    # The reasons a file is skipped for.
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "empty.txt").write_bytes(b"")
    (tmp_path / "bad" / "binary.dat").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "bad" / "prose.txt").write_text("本机关今年没有表格。" * 20, encoding="utf-8")
    _, skipped = load_reports([tmp_path / "bad"])
    assert len(skipped) == 3 and all(words.translate(s.reason)[1] for s in skipped), skipped


def test_checks_are_named_by_the_templates_own_words():
    tpl = schema.template("2021")
    for rule in tpl.rules:
        title = words.check_title(rule.name, list(rule.left + rule.right), "2021", rule.description)
        assert title.endswith(rule.description) and not re.search(r"[a-z_]{3,}", title), title
        scope = title[:-len(rule.description)]
        labels = {f.column_label for f in tpl.fields} | {f.row_label for f in tpl.fields}
        assert any(f"「{label}」" in scope for label in labels), title


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: the browser test needs Debian's chromium (scripts/setup.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str, width: int = 1366, height: int = 768):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(url)
    return page


def list_rows(page) -> list[str]:
    return [tr.get_attribute("data-name") for tr in page.locator("#report-list tbody tr").all()]


def test_correct_a_cell_with_the_keyboard_and_save_it_as_gold(browser, server, reports, tmp_path):
    name = next(n for n, r in reports.items() if r.record["verdict"] == "inconsistent")
    record = reports[name].record
    page = open_page(browser, server["url"])
    rows = page.locator("#report-list tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(reports)
    shown = {rows.nth(i).get_attribute("data-name"): (rows.nth(i).locator(".badge").get_attribute("data-verdict"),
                                                      rows.nth(i).locator(".badge").inner_text())
             for i in range(rows.count())}
    assert shown == {n: (r.record["verdict"], words.VERDICTS[r.record["verdict"]]) for n, r in reports.items()}

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
    page.wait_for_function(f"() => document.querySelectorAll('#arith-checks li.fail').length"
                           f" === {len(expected_failing)}")
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
    assert not page.errors
    page.close()


def test_accept_year_and_issuer_from_the_keyboard(browser, server, reports):
    order = list(reports)                          # the list as loaded
    name = order[-1]
    record = reports[name].record
    page = open_page(browser, server["url"] + f"#/r/{name}", 1280, 720)
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
    page.wait_for_function(f"() => location.hash.endsWith({json.dumps(order[-2])})")
    assert not page.errors
    page.close()


def test_the_verdict_and_the_list_follow_each_correction(browser, server, reports):
    name = next(n for n, r in reports.items() if made_consistent(r))
    report = reports[name]
    fixes = made_consistent(report)
    page = open_page(browser, server["url"] + f"#/r/{name}")
    page.locator("td.cell.current").wait_for()
    verdict = page.locator("#verdict")
    assert (verdict.get_attribute("data-verdict"), verdict.inner_text()) == ("inconsistent", "不一致")
    for i, (key, value) in enumerate(fixes.items()):
        page.locator(f'td.cell[data-key="{key}"]').click()
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")
        partial = {**report.record["fields"], **dict(list(fixes.items())[:i + 1])}
        expected = assessment(report, partial)["verdict"]
        page.wait_for_function(f"() => document.querySelector('#verdict').dataset.verdict === '{expected}'")
        assert verdict.inner_text() == words.VERDICTS[expected]
    assert verdict.inner_text() == "一致"
    assert page.locator("#verdict-then").inner_text() == "（抽取时：不一致）"
    assert page.locator("#arith-checks li.fail").count() == 0
    page.keyboard.press("s")
    page.wait_for_function("() => document.body.dataset.saved !== undefined")
    page.keyboard.press("Escape")
    row = page.locator(f'#report-list tr[data-name="{name}"]')
    row.locator('td.reviewed:has-text("✓")').wait_for()
    assert row.locator(".badge").inner_text() == "一致"
    assert row.locator("td").nth(7).inner_text() == "0"
    # The list is the server's: a new page shows the same.
    fresh = open_page(browser, server["url"])
    fresh.locator(f'#report-list tr[data-name="{name}"] .badge[data-verdict="consistent"]').wait_for()
    assert not page.errors and not fresh.errors
    page.close()
    fresh.close()


def test_the_list_filters_searches_and_sorts(browser, server, reports):
    page = open_page(browser, server["url"])
    page.locator("#report-list tbody tr").first.wait_for()
    summaries = {n: r.record for n, r in reports.items()}
    assert sorted(list_rows(page)) == sorted(summaries)
    assert page.locator("#shown-count").inner_text() == f"显示 {len(reports)} / {len(reports)} 份"

    page.select_option("#filter-verdict", "inconsistent")
    assert sorted(list_rows(page)) == sorted(n for n, r in summaries.items() if r["verdict"] == "inconsistent")
    year = next(r["year"] for r in summaries.values() if r["verdict"] == "inconsistent")
    page.select_option("#filter-year", str(year))
    assert sorted(list_rows(page)) == sorted(n for n, r in summaries.items()
                                             if r["verdict"] == "inconsistent" and r["year"] == year)
    page.click("#clear-filters")
    assert len(list_rows(page)) == len(reports)

    issuer = sorted({r["issuer"] for r in summaries.values() if r["issuer"]})[0]
    page.select_option("#filter-issuer", issuer)
    assert list_rows(page) == [n for n, r in summaries.items() if r["issuer"] == issuer]
    page.click("#clear-filters")

    word = issuer[-4:]
    page.fill("#search", word)
    assert sorted(list_rows(page)) == sorted(n for n, r in summaries.items() if word in (r["issuer"] or "")
                                             or word in n or word in (r.get("title") or ""))
    page.fill("#search", "没有这样的机关")
    assert list_rows(page) == [] and page.locator("#empty").is_visible()
    page.fill("#search", "")

    page.click('#report-list th[data-sort="year"]')
    years = [summaries[n]["year"] for n in list_rows(page)]
    assert years == sorted(years) and page.get_attribute('th[data-sort="year"]', "aria-sort") == "ascending"
    page.click('#report-list th[data-sort="year"]')
    years = [summaries[n]["year"] for n in list_rows(page)]
    assert years == sorted(years, reverse=True)
    page.click('#report-list th[data-sort="failed_checks"]')
    failed = [int(t) for t in page.locator("#report-list tbody td:nth-child(8)").all_inner_texts()]
    assert failed == sorted(failed)

    # ] and [ follow the list as shown: filtered to one verdict, sorted by year.
    page.select_option("#filter-verdict", "inconsistent")
    shown = list_rows(page)
    page.evaluate("document.activeElement.blur()")         # from the filter back to the list
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => location.hash.endsWith({json.dumps(shown[0])})")
    page.locator("td.cell.current").wait_for()
    page.keyboard.press("]")
    page.wait_for_function(f"() => location.hash.endsWith({json.dumps(shown[1])})")
    assert not page.errors
    page.close()


def _style(locator, prop: str) -> str:
    return locator.evaluate(f"n => getComputedStyle(n).getPropertyValue('{prop}')")


def test_the_legend_explains_what_the_cells_show(browser, server, reports):
    """Each state a cell can be shown in has its legend entry, drawn exactly as the cells in that state are."""
    properties = {"zero": "color", "blank": "color", "null": "color", "unsure": "background-color",
                  "bad": "box-shadow", "edited": "background-color", "accepted": "content",
                  "stand-in": "background-image"}
    selectors = {"zero": "td.cell:not(.blank-kind):not(.null):not(.unsure):not(.edited):not(.bad)",
                 "blank": "td.cell.blank-kind", "null": "td.cell.null:not(.unsure)", "unsure": "td.cell.unsure",
                 "bad": "td.cell.bad:not(.printed)", "edited": "td.cell.edited", "accepted": "td.cell.accepted",
                 "stand-in": "td.cell.stand-in"}
    seen = set()
    with_blank = next(n for n, r in reports.items() if any(c["kind"] == "blank" for c in r.record["cells"].values()))
    with_doubt = max(reports, key=lambda n: (len(unsure_keys(reports[n].record)) > 0)
                     + (failing(reports[n].record["checks"]) != set()))
    page = open_page(browser, server["url"])
    for name in (with_blank, with_doubt):
        page.goto(server["url"] + f"#/r/{name}")
        page.wait_for_function(f"() => document.title.startsWith({json.dumps(name)})")
        page.locator("td.cell.current").wait_for()
        if name == with_doubt:                     # a correction and a confirmation, made by hand
            page.keyboard.press("a")
            page.locator("td.cell.accepted").first.wait_for()
            page.locator("td.cell:not(.unsure):not(.bad)").first.click()
            page.keyboard.type("4321")
            page.keyboard.press("Enter")
            page.locator("td.cell.edited").first.wait_for()
        for state, selector in selectors.items():
            cells = page.locator(selector)
            if not cells.count():
                continue
            sample = page.locator(f'#legend [data-legend="{state}"] .cell-sample')
            assert sample.count() == 1, state
            prop = properties[state]
            pseudo = "::after" if prop == "content" else None
            if pseudo:
                cell_style = cells.first.evaluate("n => getComputedStyle(n, '::after').content")
                sample_style = sample.evaluate("n => getComputedStyle(n, '::after').content")
            else:
                cell_style, sample_style = _style(cells.first, prop), _style(sample, prop)
            assert cell_style == sample_style, (state, cell_style, sample_style)
            seen.add(state)
    assert {"zero", "blank", "unsure", "bad", "edited", "accepted"} <= seen
    legend = page.locator("#legend").inner_text()
    for words_ in ("0", "空白", "置信度", "不成立"):
        assert words_ in legend
    assert not page.errors
    page.close()


def test_headers_stay_in_view_while_the_tables_scroll(browser, server, reports):
    name = max(reports, key=lambda n: reports[n].record["template"])
    page = open_page(browser, server["url"] + f"#/r/{name}", 1280, 600)
    page.locator("td.cell.current").wait_for()
    box = page.evaluate("""() => {
        const pane = document.querySelector('#tables');
        const table = document.querySelector('table.canon[data-table=requests]');
        pane.scrollTop += table.getBoundingClientRect().top - pane.getBoundingClientRect().top + 120;
        return {pane: pane.getBoundingClientRect().top, head: table.tHead.getBoundingClientRect().top,
                body: table.tBodies[0].getBoundingClientRect().top};
    }""")
    assert box["body"] < box["pane"] - 60                   # the rows scrolled up past the pane's top ...
    assert abs(box["head"] - box["pane"]) <= 1              # ... and the header stayed at it
    page.goto(server["url"] + "#/")
    page.set_viewport_size({"width": 1280, "height": 260})
    page.locator("#report-list tbody tr").first.wait_for()
    box = page.evaluate("""() => {
        const pane = document.querySelector('#list-scroll');
        pane.scrollTop = pane.scrollHeight;
        return {pane: pane.getBoundingClientRect().top, head: document.querySelector('#report-list thead th')
                .getBoundingClientRect().top, scrolled: pane.scrollTop};
    }""")
    assert box["scrolled"] > 0 and abs(box["head"] - box["pane"]) <= 1
    page.close()


def test_each_report_shows_its_own_original_page(browser, server, reports):
    pages = [n for n, r in reports.items() if r.record["source"]["reader"] == "html"]
    assert len(pages) >= 2
    page = open_page(browser, server["url"])
    for name in pages[:2]:
        page.goto(server["url"] + f"#/r/{name}")
        page.wait_for_function(f"() => document.title.startsWith({json.dumps(name)})")
        assert page.locator("#original").is_hidden() and page.get_attribute("#original", "src") is None
        page.keyboard.press("v")
        assert page.get_attribute("#original", "src") == f"/api/reports/{name}/original"
        frame = page.frame_locator("#original")
        issuer = reports[name].record["issuer"]
        frame.locator(f"text={issuer}").first.wait_for()
    assert not page.errors
    page.close()


def test_two_reviewers_of_one_report_lose_nothing(browser, server, reports):
    name = sorted(reports)[4]
    record = reports[name].record
    key = schema.template(record["template"]).keys[0]
    first, second = (open_page(browser, server["url"] + f"#/r/{name}") for _ in range(2))
    for page in (first, second):
        page.locator("td.cell.current").wait_for()
        page.locator(f'td.cell[data-key="{key}"]').click()
    first.keyboard.type("9111")
    first.keyboard.press("Enter")
    first.keyboard.press("s")
    first.wait_for_function("() => document.body.dataset.saved !== undefined")
    second.keyboard.type("9222")
    second.keyboard.press("Enter")
    second.keyboard.press("s")
    second.wait_for_function("() => document.body.dataset.stale !== undefined")
    message = second.locator("#status").inner_text()
    assert "tester" in message and "没有写入" in message and "按 R" in message
    assert load_records(server["gold"])[name]["fields"][key] == 9111
    # R (twice: the correction is unsaved) loads the colleague's version; saved on it, the correction goes in.
    second.keyboard.press("R")
    second.keyboard.press("R")
    second.locator(f'td.cell[data-key="{key}"]:has-text("9111")').wait_for()
    second.locator(f'td.cell[data-key="{key}"]').click()
    second.keyboard.type("9222")
    second.keyboard.press("Enter")
    second.keyboard.press("s")
    second.wait_for_function("() => document.body.dataset.saved !== undefined")
    assert load_records(server["gold"])[name]["fields"][key] == 9222
    audit = [json.loads(x) for x in (server["gold"] / f"{name}.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(a.get("refused"), {c["key"]: c["gold"] for c in a["changes"]}.get(key)) for a in audit] == \
           [(None, 9111), ("stale", 9222), (None, 9222)]
    first.close()
    second.close()


def test_the_list_shows_its_progress_while_the_reports_load(browser, generated, tmp_path):
    catalog = Catalog([generated / "raw"])          # not loading yet
    with served(create_app(catalog, gold_dir=tmp_path / "gold", raw_dir=None, reviewer="t")) as url:
        page = open_page(browser, url)
        page.locator("#progress").wait_for()
        assert "0 / 4" in page.locator("#load-text").inner_text() and list_rows(page) == []
        catalog.start()
        page.wait_for_function("() => document.querySelectorAll('#report-list tbody tr').length === 4", timeout=120000)
        page.locator("#progress").wait_for(state="hidden")
        assert sorted(list_rows(page)) == sorted(catalog.reports)
        assert not page.errors
        page.close()


ALLOWED_LATIN = {"xxgk", "PDF", "Word", "DOCX", "DOC", "OCR", "Markdown", "Esc", "Enter", "Ctrl", "F2"}


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN


def test_the_page_speaks_chinese(browser, server, reports):
    page = open_page(browser, server["url"])
    page.locator("#report-list tbody tr").first.wait_for()
    for part in ("#list-tools", "#report-list thead", ".badge", "#help"):
        for text in page.locator(part).all_inner_texts():
            assert not latin_words(text), (part, text)
    for name in reports:
        page.goto(server["url"] + f"#/r/{name}")
        page.wait_for_function(f"() => document.title.startsWith({json.dumps(name)})")
        page.locator("td.cell.current").wait_for()
        for key in ("n", "n", "n"):                   # the cell information of a few cells to look at
            page.keyboard.press(key)
            for part in ("#meta", "#legend", "#checks", "#cell-info", "#tables thead"):
                for text in page.locator(part).all_inner_texts():
                    assert not latin_words(text), (name, part, text)
    assert not page.errors
    page.close()
