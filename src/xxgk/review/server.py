"""Review in the browser: check what xxgk read against the source, correct it, save it as gold.

``xxgk review PATH...`` loads records (``*.json`` with ``cells``) or raw reports (extracted on load) and
serves a local page (Starlette + uvicorn; plain HTML/CSS/JS from ``assets``, no build step). The
page shows the source text with the cells that were read marked, beside the canonical tables laid out
as the official template; a correction is re-checked on the server with ``xxgk.checks`` at once, and
saving writes ``GOLD/NAME.json`` (the ``{template, year, issuer, fields}`` that ``xxgk eval`` reads),
appends who/when/what to ``GOLD/NAME.audit.jsonl`` and copies the raw report to ``RAW/``.
"""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterable

from .. import schema
from ..checks import arithmetic as check
from ..evaluate import CONFIDENT, UNSURE_KINDS
from ..options import DEFAULT_OPTIONS, Options
from ..pipeline import ReadError, extract_file, read_report
from ..record import write_record
from ..version import __version__

NOT_REPORTS = {".jsonl", ".py", ".pyc", ".parquet", ".duckdb", ".tsv", ".csv", ".zip", ".gz"}


@dataclass
class Report:
    name: str
    record: dict
    record_path: Path | None = None      # None when extracted on load
    source_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    options: Options = DEFAULT_OPTIONS   # how the source is read again to show it

    @property
    def template(self) -> schema.Template:
        return schema.template(self.record["template"])


# ---------------------------------------------------------------- loading

def _walk(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from (f for f in sorted(path.rglob("*")) if f.is_file()
                        and not any(p.startswith(".") for p in f.relative_to(path).parts))
        else:
            yield path


def _source_of(record: dict, record_path: Path) -> Path | None:
    given = (record.get("source") or {}).get("path")
    if not given or given.startswith("<"):
        return None
    for candidate in (Path(given), record_path.parent / given, record_path.parent / Path(given).name):
        if candidate.is_file():
            return candidate
    return None


def load_reports(paths: Iterable[Path], options: Options = DEFAULT_OPTIONS) -> tuple[dict[str, Report], list[str]]:
    """Reports under PATHS by name, and the files skipped with why.

    A JSON file with ``cells`` is a record; a JSON without them (a gold file) is skipped; any other
    file is extracted (with ``options``). The same source met twice (same sha256) is loaded once.
    """
    reports: dict[str, Report] = {}
    skipped: list[str] = []
    seen_sources: set[str] = set()
    for path in _walk(paths):
        suffix = path.suffix.lower()
        if suffix in NOT_REPORTS or path.name.endswith(".audit.jsonl"):
            continue
        try:
            if suffix == ".json":
                record = json.loads(path.read_text(encoding="utf-8"))
                if not (isinstance(record, dict) and isinstance(record.get("cells"), dict)
                        and record.get("template") in schema.TEMPLATES):
                    continue            # a gold file or other JSON: nothing to review
                report = Report(path.stem, record, path, _source_of(record, path), options=options)
            else:
                report = Report(path.stem, extract_file(path, options), None, path, options=options)
        except ReadError as exc:
            skipped.append(str(exc))
            continue
        except (OSError, ValueError) as exc:
            skipped.append(f"{path}: {exc}")
            continue
        except Exception as exc:  # a bug in one extraction must not keep the others from review
            skipped.append(f"{path}: internal error: {type(exc).__name__}: {exc}")
            continue
        sha = (report.record.get("source") or {}).get("sha256")
        if sha and sha in seen_sources:
            continue
        if sha:
            seen_sources.add(sha)
        report.name = _unique_name(report.name, reports)
        reports[report.name] = report
    return reports, skipped


def _unique_name(name: str, taken: dict) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}__{n}"
    return candidate


# ---------------------------------------------------------------- what the page shows

def is_unsure(cell: dict) -> bool:
    """The evaluation's notion of a flagged cell: the reader said it was unsure."""
    confidence = cell.get("confidence")
    return cell.get("kind") in UNSURE_KINDS or (isinstance(confidence, (int, float)) and confidence < CONFIDENT)


def _stand_in_keys(record: dict) -> set[str]:
    """A hybrid's three （六） sub-rows: null by design, carried by its single （六） row."""
    if not record.get("hybrid_other_row"):
        return set()
    return {k for k in record["fields"] if k.split(".")[1] in schema.OTHER_SPLIT_ROWS}


def unsure_keys(record: dict) -> list[str]:
    stand_in = _stand_in_keys(record)
    return [k for k, c in record.get("cells", {}).items() if k not in stand_in and is_unsure(c)]


def recheck(record: dict, fields: dict) -> list[dict]:
    """Every arithmetic rule the extractor checks this report by, on FIELDS (a hybrid's single （六） row included)."""
    hybrid = record.get("hybrid_other_row")
    rules = check.report_rules(record["template"], hybrid=bool(hybrid))
    results = check.check_fields(record["template"], check.report_values(fields, hybrid), rules)
    keys = set(schema.template(record["template"]).keys)
    by_name = {r.name: r for r in rules}
    out = []
    for result in results:
        # The printed side (a total) is where a person confirms a check that fails as the document prints it.
        right = [k for k in by_name[result.rule].right if k in keys] or [k for k in result.cells if k in keys][-1:]
        out.append({**result.as_dict(), "printed_cells": right})
    return out


def layout(template_name: str) -> list[dict]:
    """The canonical tables as the official template lays them out, with its Chinese labels.

    Each table is blocks of header rows (cells {text, colspan, rowspan}) and body rows {label, keys}.
    """
    tpl = schema.template(template_name)
    tables = []
    for table in schema.TABLES:
        rows = tpl.rows_of(table)
        blocks = _wide_blocks(tpl, rows) if table == "appeals" else _row_blocks(tpl, rows)
        tables.append({"name": table, "title": schema.TABLE_TITLES[table], "blocks": blocks})
    return tables


def _column_labels(tpl: schema.Template, row: schema.RowSpec) -> list[dict]:
    return [{"text": tpl.field(k).column_label} for k in row.keys]


def _split_label(label: str) -> tuple[str, str]:
    head, _, rest = label.partition(" ")
    return (head, rest) if rest else ("", label)


def _row_blocks(tpl: schema.Template, rows) -> list[dict]:
    """One block per run of rows sharing their columns (and, in table 2, their article of 第二十条)."""
    blocks: list[dict] = []
    last = None
    for row in rows:
        article, item = _split_label(row.label) if row.table == "disclosure" else ("", row.label)
        if (article, row.columns) != last:
            blocks.append({"head": [[{"text": article}] + _column_labels(tpl, row)], "rows": []})
            last = (article, row.columns)
        blocks[-1]["rows"].append({"label": item, "keys": list(row.keys)})
    return blocks


def _wide_blocks(tpl: schema.Template, rows) -> list[dict]:
    """Table 4 is one row: 行政复议 | 行政诉讼 (未经复议直接起诉 | 复议后起诉), each with its columns."""
    groups: dict[str, list[tuple[str, schema.RowSpec]]] = {}
    for row in rows:
        group, sub = _split_label(row.label) if " " in row.label else (row.label, "")
        groups.setdefault(group, []).append((sub, row))
    top, middle, columns = [], [], []
    for group, members in groups.items():
        width = sum(len(r.columns) for _, r in members)
        if all(not sub for sub, _ in members):
            top.append({"text": group, "colspan": width, "rowspan": 2})
        else:
            top.append({"text": group, "colspan": width})
            middle += [{"text": sub, "colspan": len(r.columns)} for sub, r in members]
        for _, r in members:
            columns += _column_labels(tpl, r)
    keys = [k for r in rows for k in r.keys]
    return [{"head": [top, middle, columns], "rows": [{"label": None, "keys": keys}]}]


def source_lines(path: Path | None, options: Options = DEFAULT_OPTIONS) -> tuple[list[str] | None, str | None]:
    """The text the extractor read (HTML already turned into rows), split as its line numbers count."""
    if path is None:
        return None, None
    try:
        doc = read_report(path, options)
    except ReadError:
        return None, None
    return doc.text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), doc.sha256


_NUMBERING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])")


def _label_anchor(label: str) -> str:
    """The start of a row label's own words (numbering dropped), to find the row on a run-together line."""
    core = label.split(" ")[-1]
    while _NUMBERING.match(core):
        core = _NUMBERING.sub("", core, count=1)
    return core[:4]


def cell_spans(lines: list[str], cells: dict, template: schema.Template) -> dict[str, list[int]]:
    """Where each cell's raw text sits: key -> [line, start, end] (1-based line, character offsets).

    A line holding one cell is searched whole. On a line where many cells run together (a crawler's
    one-line page) the search walks forward in template order: past the table's title, past the
    row's label, then from where the previous cell ended. A raw text not found marks the whole line.
    """
    per_line = Counter(c.get("line") for c in cells.values() if isinstance(c, dict))
    cursor: dict[int, int] = {}

    def advance(keys, needle: str) -> None:
        for number in {(cells.get(k) or {}).get("line") for k in keys}:
            if isinstance(number, int) and per_line[number] > 1 and 1 <= number <= len(lines) and needle:
                at = lines[number - 1].find(needle, cursor.get(number, 0))
                if at >= 0:
                    cursor[number] = at + len(needle)

    spans = {}
    for table in schema.TABLES:
        rows = template.rows_of(table)
        advance([k for r in rows for k in r.keys], schema.TABLE_TITLES[table])
        for row in rows:
            advance(row.keys, _label_anchor(row.label))
            for key in row.keys:
                cell = cells.get(key) or {}
                number, raw = cell.get("line"), (cell.get("raw") or "").strip()
                if not isinstance(number, int) or not 1 <= number <= len(lines):
                    continue
                text = lines[number - 1]
                start = text.find(raw, cursor.get(number, 0)) if raw else -1
                if start < 0 and raw:
                    start = text.find(raw)
                if start < 0:
                    spans[key] = [number, 0, len(text)]
                    continue
                cursor[number] = start + len(raw)
                spans[key] = [number, start, start + len(raw)]
    return spans


def summary(report: Report, gold_dir: Path) -> dict:
    record = report.record
    cells = record.get("cells", {})
    confidences = [c.get("confidence") for c in cells.values() if isinstance(c.get("confidence"), (int, float))]
    gold = _read_gold(gold_dir, report.name)
    return {
        "name": report.name, "issuer": record.get("issuer"), "year": record.get("year"),
        "template": record.get("template"), "verdict": record.get("verdict"),
        "unsure": len(unsure_keys(record)),
        "min_confidence": min(confidences) if confidences else None,
        "mean_confidence": round(sum(confidences) / len(confidences), 3) if confidences else None,
        "failed_checks": sum(1 for c in record.get("checks", []) if c.get("ok") is False),
        "reviewed": gold is not None,
    }


def detail(report: Report, gold_dir: Path) -> dict:
    record = report.record
    keys = report.template.keys
    lines, sha = source_lines(report.source_path, report.options)
    stand_in = _stand_in_keys(record)
    cells = {}
    for key in keys:
        cell = record["cells"].get(key) or {}
        spec = report.template.field(key)
        cells[key] = {**cell, "unsure": key not in stand_in and is_unsure(cell), "stand_in": key in stand_in,
                      "row_label": spec.row_label, "column_label": spec.column_label}
    gold = _read_gold(gold_dir, report.name)
    current = dict(record["fields"]) if gold is None else {k: gold["fields"].get(k) for k in keys}
    arithmetic = {r.name for r in report.template.rules} | {r.name for r in schema.template("2019").rules}
    source = record.get("source") or {}
    return {
        **summary(report, gold_dir),
        "title": record.get("title"),
        "source": {"path": str(report.source_path) if report.source_path else source.get("path"),
                   "reader": source.get("reader"), "found": lines is not None,
                   "changed": bool(sha and source.get("sha256") and sha != source.get("sha256"))},
        "lines": lines, "spans": cell_spans(lines, record["cells"], report.template) if lines else {},
        "layout": layout(record["template"]),
        "cells": cells,
        "extracted": {"fields": record["fields"], "year": record.get("year"), "issuer": record.get("issuer")},
        "gold": gold,
        "current": {"fields": current, "year": (gold or record).get("year"), "issuer": (gold or record).get("issuer")},
        "checks": recheck(record, current),
        "other_checks": [c for c in record.get("checks", []) if c.get("rule") not in arithmetic],
        "repairs": record.get("repairs") or {},
        "narrative": record.get("narrative"),
        "warnings": record.get("warnings") or [],
        "hybrid_other_row": record.get("hybrid_other_row"),
    }


# ---------------------------------------------------------------- saving

class GoldError(ValueError):
    pass


def _read_gold(gold_dir: Path, name: str) -> dict | None:
    path = gold_dir / f"{name}.json"
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return gold if isinstance(gold, dict) and isinstance(gold.get("fields"), dict) else None


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def gold_record(report: Report, fields: dict, year, issuer) -> dict:
    keys = report.template.keys
    unknown = set(fields) - set(keys)
    if unknown:
        raise GoldError(f"keys not in template {report.record['template']}: {sorted(unknown)[:5]}")
    bad = [k for k, v in fields.items() if v is not None and not _is_number(v)]
    if bad:
        raise GoldError(f"not a number: {bad[:5]}")
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)):
        raise GoldError(f"year must be an integer, not {year!r}")
    merged = {**report.record["fields"], **fields}
    return {"template": report.record["template"], "year": year, "issuer": issuer or "",
            "fields": {k: merged.get(k) for k in keys}}


def save_gold(report: Report, fields: dict, *, year, issuer, gold_dir: Path, raw_dir: Path | None,
              reviewer: str, accepted: Iterable[str] = ()) -> dict:
    """Write GOLD/NAME.json, append the audit line, copy the raw report; returns what was written."""
    gold = gold_record(report, fields, year, issuer)
    previous = _read_gold(gold_dir, report.name)
    extracted = report.record
    changes = [{"key": k, "extracted": extracted["fields"].get(k), "gold": v,
                "raw": (extracted["cells"].get(k) or {}).get("raw")}
               for k, v in gold["fields"].items() if v != extracted["fields"].get(k)]
    changes += [{"key": part, "extracted": extracted.get(part), "gold": gold[part]}
                for part in ("year", "issuer") if gold[part] != extracted.get(part)]
    gold_path = write_record(gold, gold_dir / f"{report.name}.json")
    raw_copy = None
    if raw_dir is not None and report.source_path is not None and report.source_path.is_file():
        raw_copy = raw_dir / f"{report.name}{report.source_path.suffix}"
        if raw_copy.resolve() != report.source_path.resolve():
            raw_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(report.source_path, raw_copy)
    audit = {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reviewer": reviewer,
        "report": report.name,
        "source": str(report.source_path) if report.source_path else None,
        "sha256": (extracted.get("source") or {}).get("sha256"),
        "xxgk_version": __version__,
        "replaced_earlier_gold": previous is not None,
        "changes": changes,
        "accepted": sorted(set(accepted)),
    }
    audit_path = gold_dir / f"{report.name}.audit.jsonl"
    with audit_path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(audit, ensure_ascii=False) + "\n")
    return {"gold": str(gold_path), "audit": str(audit_path), "raw": str(raw_copy) if raw_copy else None,
            "changes": changes}


# ---------------------------------------------------------------- the web app

def assets_dir() -> Path:
    return Path(str(resources.files("xxgk.review").joinpath("assets")))


def create_app(reports: dict[str, Report], *, gold_dir: Path, raw_dir: Path | None, reviewer: str,
               skipped: list[str] | None = None, hosts: Iterable[str] = ("127.0.0.1", "localhost")):
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    assets = assets_dir()

    def report_of(request: Request) -> Report:
        name = request.path_params["name"]
        if name not in reports:
            raise HTTPException(404, f"no report named {name}")
        return reports[name]

    async def body_of(request: Request) -> dict:
        # Only JSON: a page on another site cannot send that to this server without a preflight it refuses.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise HTTPException(415, "expected application/json")
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "body is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("fields", {}), dict):
            raise HTTPException(400, "expected an object with 'fields'")
        return body

    def index(request: Request):
        return FileResponse(assets / "index.html")

    def list_reports(request: Request):
        return JSONResponse({"reports": [summary(r, gold_dir) for r in reports.values()],
                             "skipped": skipped or [], "gold_dir": str(gold_dir), "reviewer": reviewer})

    def show(request: Request):
        return JSONResponse(detail(report_of(request), gold_dir))

    async def check(request: Request):
        report = report_of(request)
        body = await body_of(request)
        return JSONResponse({"checks": recheck(report.record, {**report.record["fields"], **body["fields"]})})

    async def save(request: Request):
        report = report_of(request)
        body = await body_of(request)
        try:
            written = save_gold(report, body.get("fields", {}), year=body.get("year"), issuer=body.get("issuer"),
                                gold_dir=gold_dir, raw_dir=raw_dir, reviewer=body.get("reviewer") or reviewer,
                                accepted=body.get("accepted") or [])
        except GoldError as exc:
            raise HTTPException(422, str(exc)) from None
        return JSONResponse({**written, "summary": summary(report, gold_dir)})

    def original(request: Request):
        report = report_of(request)
        if report.source_path is None or not report.source_path.is_file():
            raise HTTPException(404, "source file not found")
        media = "text/html" if (report.record.get("source") or {}).get("reader") == "html" else "text/plain"
        # The page is shown in a sandboxed frame; nothing in it may load or run.
        return Response(report.source_path.read_bytes(), media_type=media,
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"})

    routes = [
        Route("/", index),
        Route("/api/reports", list_reports),
        Route("/api/reports/{name}", show),
        Route("/api/reports/{name}/check", check, methods=["POST"]),
        Route("/api/reports/{name}/gold", save, methods=["POST"]),
        Route("/api/reports/{name}/original", original),
        Mount("/static", StaticFiles(directory=assets), name="static"),
    ]
    # A name that resolves to this machine by DNS rebinding must not reach the gold files.
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))])
