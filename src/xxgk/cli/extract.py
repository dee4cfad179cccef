"""``xxgk extract``: one canonical record per report."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from .common import err, options_from_environment, show_scan_progress


def extract(paths: List[Path] = typer.Argument(..., help="Report files or folders; '-' reads stdin."),
            out: Optional[Path] = typer.Option(None, "-o", "--out", help="Output folder for the records."),
            quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress or summary.")):
    """Extract one canonical record per report into OUT/<name>.json."""
    from ..pipeline import ReadError, extract_bytes, extract_file
    from ..readers.walk import iter_inputs
    from ..record import dumps, write_record

    options = options_from_environment()
    if not quiet:
        show_scan_progress()
    if [str(p) for p in paths] == ["-"]:
        try:
            typer.echo(dumps(extract_bytes(sys.stdin.buffer.read(), "<stdin>", options)))
        except ReadError as exc:
            err(str(exc))
            raise typer.Exit(1)
        return
    if out is None:
        err("-o OUTDIR is required unless reading '-' (stdin)")
        raise typer.Exit(2)
    files = list(iter_inputs(paths))
    written, failed, used = 0, 0, {}
    for path in _progress(files, quiet):
        if not path.exists():
            err(f"{path}: no such file")
            failed += 1
            continue
        try:
            rec = extract_file(path, options)
        except ReadError as exc:
            err(str(exc))
            failed += 1
            continue
        except Exception as exc:  # a bug must not stop the batch; say which file and why
            err(f"{path}: internal error: {type(exc).__name__}: {exc}")
            failed += 1
            continue
        name = path.stem
        if name in used and used[name] != path:
            name = f"{path.stem}__{path.suffix.lstrip('.') or 'noext'}"
            err(f"{path}: another input is also named {path.stem}; written as {name}.json")
        used[name] = path
        write_record(rec, out / f"{name}.json")
        written += 1
    if not quiet:
        typer.echo(f"{written} record(s) written to {out}, {failed} file(s) failed", err=True)
    if written == 0:
        raise typer.Exit(1)


def _progress(files, quiet):
    if quiet or len(files) < 20 or not sys.stderr.isatty():
        return files
    from rich.progress import track
    return track(files, description="extracting", transient=True)


def register(app: typer.Typer) -> None:
    app.command()(extract)
