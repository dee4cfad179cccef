"""Review in the browser: check what xxgk read against the source, correct it, save it as gold.

``xxgk review PATH...`` serves a local page (Starlette + uvicorn; plain HTML/CSS/JS from ``assets``, no build
step) while the reports under PATH load in the background (``catalog``): records (``*.json`` with ``cells``) are
read, raw reports extracted. The page shows the source text with the cells that were read marked, beside the
canonical tables laid out as the official template (``page``); a correction is checked again on the server at
once — the template's arithmetic, the prose, the verdict — and saving writes ``GOLD/NAME.json`` (the
``{template, year, issuer, fields}`` that ``xxgk eval`` reads), appends who/when/what to
``GOLD/NAME.audit.jsonl`` and copies the raw report to ``RAW/`` (``gold``).

What the server guarantees: it reads, shows and copies only files inside the paths it was given; a save made
from a gold that has changed since is refused (HTTP 409), never written over a colleague's; a request body
larger than ``MAX_BODY_BYTES`` is refused before it is read; a value that is not a finite number or null is
refused (HTTP 422); it answers only to the host names it listens as (DNS rebinding) and writes only on JSON
requests (a page of another site cannot send those without a preflight it refuses).
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Iterable

from . import words
from .catalog import Catalog, Report, Skip, load_reports
from .gold import GoldError, StaleSave, check_fields, loads_finite, save_gold
from .page import assessment, detail, summary, vocabulary

__all__ = ["MAX_BODY_BYTES", "assets_dir", "create_app", "load_reports"]

# The largest save (the 2021 template's 247 keys, each with a long value, plus issuer and accepted keys) is
# under 20 KB of JSON; 1 MiB leaves room for any real one and refuses a runaway upload before it is read.
MAX_BODY_BYTES = 1 << 20
# The original page, shown in a sandboxed frame: its own styles and inline images, nothing fetched or run.
NOTHING_RUNS = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def assets_dir() -> Path:
    return Path(str(resources.files("xxgk.review").joinpath("assets")))


def _skipped(items: Iterable[Skip]) -> list[dict]:
    return [{"path": s.path, "reason": s.reason, "reason_zh": words.zh(s.reason)} for s in items]


def create_app(reports: dict[str, Report] | Catalog, *, gold_dir: Path, raw_dir: Path | None, reviewer: str,
               skipped: list | None = None, hosts: Iterable[str] = ("127.0.0.1", "localhost"),
               max_body: int = MAX_BODY_BYTES):
    """The review app over REPORTS (loaded, or a ``Catalog`` still loading in the background)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    catalog = reports if isinstance(reports, Catalog) else Catalog.of(reports, skipped or [])
    assets = assets_dir()

    def report_of(request: Request) -> Report:
        name = request.path_params["name"]
        report = catalog.get(name)
        if report is None:
            still = "" if catalog.finished.is_set() else "（报告还在载入，稍后再试）"
            raise HTTPException(404, f"没有名为 {name} 的报告{still}")
        return report

    async def body_of(request: Request) -> dict:
        # Only JSON: a page on another site cannot send that to this server without a preflight it refuses.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise HTTPException(415, "只接受 application/json")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_body):
            raise HTTPException(413, f"请求过大（上限 {max_body:,} 字节）")
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > max_body:      # a chunked body that names no length is cut off here
                raise HTTPException(413, f"请求过大（上限 {max_body:,} 字节）")
        try:
            body = loads_finite(bytes(data))
        except json.JSONDecodeError:
            raise HTTPException(400, "请求不是 JSON") from None
        except ValueError as exc:         # NaN, Infinity
            raise HTTPException(422, str(exc)) from None
        if not isinstance(body, dict) or not isinstance(body.get("fields", {}), dict):
            raise HTTPException(400, "请求应是带 fields 的对象")
        return body

    def index(request: Request):
        return FileResponse(assets / "index.html")

    def list_reports(request: Request):
        try:
            since = max(0, int(request.query_params.get("since", "0")))
        except ValueError:
            raise HTTPException(400, "since 应是整数") from None
        finished = catalog.finished.is_set()       # read first: a report added meanwhile comes next time
        shown = catalog.snapshot(since)
        return JSONResponse({
            "reports": [summary(r, gold_dir) for r in shown], "since": since,
            "loading": {"done": catalog.done, "total": catalog.total, "finished": finished},
            "skipped": _skipped(catalog.skipped), "notices": _skipped(catalog.notices),
            "gold_dir": str(gold_dir), "reviewer": reviewer, "words": vocabulary()})

    def show(request: Request):
        return JSONResponse(detail(report_of(request), gold_dir))

    def settled_of(report: Report, body: dict) -> list[str]:
        accepted = body.get("accepted") or []
        if not isinstance(accepted, list) or not set(accepted) <= set(report.template.keys):
            raise HTTPException(422, "accepted 应是模板中的键")
        return accepted

    async def check(request: Request):
        report = report_of(request)
        body = await body_of(request)
        try:
            fields = check_fields(report, body["fields"])
        except GoldError as exc:
            raise HTTPException(422, str(exc)) from None
        state = assessment(report, {**report.record["fields"], **fields}, settled_of(report, body))
        return JSONResponse(state)

    async def save(request: Request):
        report = report_of(request)
        body = await body_of(request)
        if "made_from" not in body:
            raise HTTPException(428, "保存须注明所依据的版本（made_from；还没有 gold 时为 null）")
        made_from = body["made_from"]
        if made_from is not None and not isinstance(made_from, str):
            raise HTTPException(422, "made_from 应是版本字符串或 null")
        fields = body.get("fields", {})
        try:
            check_fields(report, fields)
            settled = settled_of(report, body)
            state = assessment(report, {**report.record["fields"], **fields}, report.template.keys)
            written = save_gold(report, fields, year=body.get("year"), issuer=body.get("issuer"),
                                gold_dir=gold_dir, raw_dir=raw_dir, reviewer=body.get("reviewer") or reviewer,
                                made_from=made_from, accepted=settled, verdict=state["verdict"])
        except StaleSave as exc:
            return JSONResponse({"detail": str(exc), "stale": {
                "made_from": exc.made_from, "version": exc.current, "conflicts": exc.conflicts,
                "by": (exc.last_save or {}).get("reviewer"), "at": (exc.last_save or {}).get("at")}},
                status_code=409)
        except GoldError as exc:
            raise HTTPException(422, str(exc)) from None
        return JSONResponse({**written, "summary": summary(report, gold_dir)})

    def original(request: Request):
        report = report_of(request)
        source = report.readable_source()
        if source is None:
            raise HTTPException(404, "原文不在命令行给出的文件夹内，或已不存在")
        media = "text/html" if (report.record.get("source") or {}).get("reader") == "html" else "text/plain"
        # The page is shown in a sandboxed frame; nothing in it may load or run.
        return Response(source.read_bytes(), media_type=media, headers={"Content-Security-Policy": NOTHING_RUNS})

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
