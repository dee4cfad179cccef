"""``xxgk check PATH...``: the verdict of each report, which cells and why, for a person or a program.

PATHs are records written by ``xxgk extract`` (``.json``; checked again from their fields) or raw reports
(extracted first); folders are searched recursively. Exit status: 0 when every report is consistent, 1 when
one is not, 2 when an input could not be read.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..options import Options
from .common import STDIO, options_from_environment

RAW_SKIP = {".jsonl", ".py", ".pyc", ".parquet", ".duckdb", ".tsv", ".csv"}
MARK = {"consistent": "[green]✔ consistent[/]", "inconsistent": "[red]✘ inconsistent[/]",
        "incomplete": "[yellow]? incomplete[/]"}


def check(paths: list[Path] = typer.Argument(..., metavar="PATH...",
                                             help="Records (.json) or raw reports; folders recursively; "
                                                  "'-' reads one from stdin."),
          as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON instead."),
          cross: bool = typer.Option(False, "--cross-year", help="Also link the years of each issuer."),
          show_all: bool = typer.Option(False, "--all", help="List the checks that hold as well.")):
    """Check each report's arithmetic and prose, and say which cells disagree and why."""
    from ..readers.walk import iter_inputs

    from ..readers import ReadError

    options = options_from_environment()
    results, errors = [], []
    unlisted = []
    inputs = [p for p in iter_inputs([p for p in paths if str(p) != STDIO], RAW_SKIP,
                                     on_error=lambda folder, why: unlisted.append((folder, why)))]
    errors.extend({"path": str(folder), "error": why} for folder, why in unlisted)
    if any(str(p) == STDIO for p in paths):
        inputs.insert(0, Path(STDIO))
    for path in inputs:
        try:
            results.append((path, _load_stdin(options) if str(path) == STDIO else _load(path, options)))
        except ReadError as exc:
            errors.append({"path": str(path), "error": exc.reason})
        except Exception as exc:  # one bad file must not stop the others; say which and why
            errors.append({"path": str(path), "error": f"{type(exc).__name__}: {exc}"})
    links = None
    if cross:
        from ..checks.crossyear import cross_year
        links = cross_year([rec for _, rec in results])
    if as_json:
        typer.echo(json.dumps(_as_json(results, errors, links, show_all), ensure_ascii=False, indent=1))
    else:
        _print(results, errors, links, show_all)
    if errors:
        raise typer.Exit(2)
    if any(rec["verdict"] != "consistent" for _, rec in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def _load_stdin(options: Options) -> dict:
    """A record (JSON) or a raw report, from standard input."""
    from ..pipeline import check_record, extract_bytes
    data = sys.stdin.buffer.read()
    try:
        rec = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        rec = None
    if isinstance(rec, dict) and {"template", "fields"} <= rec.keys():
        return check_record(rec)
    return extract_bytes(data, "<stdin>", options)


def _load(path: Path, options: Options) -> dict:
    from ..pipeline import check_record, extract_file
    if path.suffix.lower() == ".json":
        rec = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rec, dict) or not {"template", "fields"} <= rec.keys():
            raise ValueError("not an xxgk record (no template and fields)")
        return check_record(rec)
    if not path.exists():
        raise FileNotFoundError("no such file")
    return extract_file(path, options)

# ------------------------------------------------------------------------------------------------ JSON


def _as_json(results, errors, links, show_all: bool) -> dict:
    reports = []
    for path, rec in results:
        checks = [c for c in rec["checks"] if show_all or c["ok"] is not True or c["kind"] == "prose"]
        reports.append({"path": str(path), "template": rec["template"], "year": rec.get("year"),
                        "issuer": rec.get("issuer"), "verdict": rec["verdict"], "summary": rec.get("summary"),
                        "checks": checks, "repairs": rec.get("repairs", {}),
                        "repair_candidates": rec.get("repair_candidates", []), "narrative": rec.get("narrative", [])})
    out = {"reports": reports, "errors": errors}
    if links is not None:
        out["cross_year"] = [v.as_dict() for v in links.values()]
    return out

# ------------------------------------------------------------------------------------------------ terminal


def _label(template: str, key: str) -> str:
    """The official row and column of a key: （七）总计 · 自然人."""
    from .. import schema

    if "/" in key:                                   # cross-year cells: 2020/requests.carried_forward.total
        year, key = key.split("/", 1)
        return f"{year} {_label(template, key)}"
    for name in (template, "2019", "2021"):
        try:
            spec = schema.template(name).field(key)
        except KeyError:
            continue
        return f"{spec.row_label.split(' ')[-1]} · {spec.column_label}"
    return key


def _print(results, errors, links, show_all: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    # Piped output keeps one line per finding, for grep; a terminal wraps them to its width.
    console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    for path, rec in results:
        s = rec.get("summary") or {}
        who = " ".join(str(x) for x in (rec.get("issuer"), rec.get("year")) if x)
        console.print(f"{MARK.get(rec['verdict'], rec['verdict'])}  [bold]{escape(str(path))}[/]  {escape(who)} "
                      f"(template {rec['template']}) — {s.get('hold', '?')}/{s.get('identities', '?')} identities hold"
                      + (f", prose: {s['prose_agrees']} agree, {s['prose_disagrees']} disagree"
                         if s.get("prose_agrees") or s.get("prose_disagrees") else ""))
        for line in _report_lines(rec, show_all):
            console.print("    " + line)
    for e in errors:
        console.print(f"[red]✘ unreadable[/]  [bold]{escape(e['path'])}[/]  {escape(e['error'])}")
    if links is not None:
        console.print("\n[bold]Across years[/]")
        for issuer, link in links.items():
            console.print(f"{MARK.get(link.verdict, link.verdict)}  {escape(issuer)}  years {link.years}"
                          + (f", no report for {link.gaps}" if link.gaps else "")
                          + (f", several reports for {link.duplicates} (the first is used)" if link.duplicates else ""))
            for c in link.checks:
                if c["ok"] is False or show_all:
                    console.print("    " + _check_line(c, "2019"))
    if len(results) > 1:
        counts = {v: sum(rec["verdict"] == v for _, rec in results) for v in MARK}
        console.print(f"\n{len(results)} report(s): " + ", ".join(f"{n} {v}" for v, n in counts.items() if n)
                      + (f"; {len(errors)} unreadable" if errors else ""))


def _report_lines(rec: dict, show_all: bool) -> list[str]:
    from rich.markup import escape

    template = rec["template"]
    lines = []
    unchecked = [c for c in rec["checks"] if c["ok"] is None and c["kind"] == "arithmetic"]
    for c in rec["checks"]:
        if c["ok"] is False or (show_all and c["ok"] is True) or (c["kind"] == "prose" and c["ok"] is not None):
            lines.append(_check_line(c, template))
    if unchecked:
        lines.append(f"[yellow]?[/] {len(unchecked)} identit{'y' if len(unchecked) == 1 else 'ies'} could not be "
                     f"checked: {escape(unchecked[0].get('note', ''))}")
    for key, r in rec.get("repairs", {}).items():
        printed = "blank/unread" if r["printed"] is None else r["printed"]
        lines.append(f"[cyan]repair[/] {escape(_label(template, key))} ({key}): {printed} → [bold]{r['value']}[/]"
                     f" — {escape(r['reason'])}")
    for c in rec.get("repair_candidates", []):
        options = "; ".join(", ".join(f"{_label(template, k)} = {v}" for k, v in cand.items())
                            for cand in c["candidates"][:4])
        cells = ", ".join(_label(template, k) for k in c["cells"][:3]) + (" …" if len(c["cells"]) > 3 else "")
        lines.append(f"[magenta]no repair[/] {escape(cells)}: {escape(c['reason'])}"
                     + (f" — candidates: {escape(options)}" if options else ""))
    return lines


def _check_line(c: dict, template: str) -> str:
    from rich.markup import escape

    mark = {True: "[green]✔[/]", False: "[red]✘[/]" if c["severity"] == "error" else "[yellow]![/]", None: "?"}[c["ok"]]
    if c["kind"] == "prose":
        label, _, keys = c["description"].partition(" = ")
        if c["ok"]:
            note = c.get("note", "")
            how = note if note.startswith("agrees") else "as in the table"
            extra = f"; {note}" if note and not note.startswith("agrees") else ""
            where = "" if how == note else f" [dim]({escape(keys + extra)})[/]"
            return f"{mark} prose: {escape(label)} {c['printed']}, {escape(how)}{where}"
        return (f"{mark} prose: {escape(label)} {c['printed']}, but the table has {c['expected']} [dim]({escape(keys)})"
                f"[/] — {escape(c.get('note', ''))}\n      “{escape(c.get('text', ''))}”")
    totals = c["cells"][-1:] if c["rule"].split(".")[1] in ("outcomes", "row_total", "group_total") else c["cells"]
    where = ", ".join(_label(template, k) for k in totals[:4])
    if c["ok"]:
        return f"{mark} {c['rule']}: {escape(c['description'])}"
    return (f"{mark} {c['rule']}: {escape(c['description'])} — expected {c['expected']}, printed {c['printed']}"
            f"  [dim]({escape(where)})[/]")
