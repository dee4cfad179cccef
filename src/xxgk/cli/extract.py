"""``xxgk extract``: one canonical record per report.

With ``-o OUTDIR`` each record goes to ``OUTDIR/<path>.json``, where ``<path>`` is the report's path below
the folder the arguments share (a folder argument counts as itself, a file as its folder): one argument
gives the files' paths below it, and ``a/index.html b/index.html`` give ``a/index.json`` and ``b/index.json``
instead of one record over the other. Two files of one folder that differ only by their suffix keep it
(``x.txt.json``, ``x.html.json``). A file holding several reports one after the other gives one record each,
``NAME#1.json``, ``NAME#2.json``, …. ``--flat`` writes every record straight into OUTDIR by its file name and
refuses to start when two would share one. Without ``-o`` (or with ``-o -``) the record is printed: one
indented record for one report, one compact record per line (JSON Lines) for several.

Every file is tried even when one fails (unreadable, not a report, a record that cannot be written: each one
line on stderr); the exit status is 1 when any did (see ``common``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .common import (EXIT_NOTHING_DONE, EXIT_SOME_FAILED, STDIO, check_output_folder, failed, info, is_stdio,
                     options_from_environment, os_error_path, os_reason, show_scan_progress)


def extract(paths: List[Path] = typer.Argument(..., metavar="PATH...",
                                               help="Report files or folders (recursively); '-' reads stdin."),
            out: Optional[Path] = typer.Option(None, "-o", "--out", metavar="OUTDIR",
                                               help="Folder for the records; '-' or none prints them."),
            flat: bool = typer.Option(False, "--flat", help="Every record straight into OUTDIR by its file name "
                                                            "(refused when two would share a name)."),
            quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress or summary.")):
    """Extract one canonical record per report: printed, or written to OUTDIR/<path>.json."""
    from ..readers.walk import iter_inputs

    options = options_from_environment()
    if not quiet:
        show_scan_progress()
    if any(is_stdio(p) for p in paths):
        if len(paths) > 1:
            failed(STDIO, "standard input cannot be read beside other inputs")
            raise typer.Exit(EXIT_NOTHING_DONE)
        if out is not None and not is_stdio(out):
            failed(STDIO, "a record read from stdin is printed; leave out -o")
            raise typer.Exit(EXIT_NOTHING_DONE)
        raise typer.Exit(_extract_stdin(options))

    unlisted: list[tuple[Path, str]] = []
    inputs = [(argument, path) for argument in paths
              for path in iter_inputs([argument], on_error=lambda p, why: unlisted.append((p, why)))]
    for folder, reason in unlisted:
        failed(folder, reason)
    to_stdout = out is None or is_stdio(out)
    if to_stdout:
        targets = {path: None for _, path in inputs}
    else:
        targets = flat_names(inputs, out) if flat else tree_names(inputs, out)
        if targets is None:
            raise typer.Exit(EXIT_NOTHING_DONE)
        check_output_folder(out)
    written, failures = _run(inputs, targets, options, quiet, as_lines=len(inputs) > 1)
    failures += len(unlisted)
    if not to_stdout:
        info(f"{written} record(s) written to {out}, {failures} file(s) failed", quiet)
    if failures:
        raise typer.Exit(EXIT_SOME_FAILED)


def _extract_stdin(options) -> int:
    from ..pipeline import ReadError, extract_bytes
    from ..record import dumps

    try:
        record = extract_bytes(sys.stdin.buffer.read(), "<stdin>", options)
    except ReadError as exc:
        failed(STDIO, exc.reason)
        return EXIT_SOME_FAILED
    typer.echo(dumps(record))
    return 0


def _run(inputs, targets: dict, options, quiet: bool, as_lines: bool) -> tuple[int, int]:
    import json

    from ..pipeline import ReadError, extract_reports
    from ..record import dumps, write_record

    written = failures = 0
    for _, path in _progress(inputs, quiet):
        try:
            records = extract_reports(path, options)
        except ReadError as exc:
            failed(exc.path, exc.reason)
            failures += 1
            continue
        except Exception as exc:  # a bug must not stop the others; say which file and why
            failed(path, f"internal error: {type(exc).__name__}: {exc}")
            failures += 1
            continue
        for n, record in enumerate(records, 1):
            target = targets[path]
            if target is None:
                typer.echo(json.dumps(record, ensure_ascii=False, separators=(",", ":"))
                           if as_lines or len(records) > 1 else dumps(record))
                written += 1
                continue
            if len(records) > 1:    # a file holding several reports: NAME#1.json, NAME#2.json, …
                target = target.with_name(f"{target.name[:-len('.json')]}#{n}.json")
            try:
                write_record(record, target)
            except OSError as exc:  # a full or read-only disk, no permission: this record is lost, the others go on
                failed(os_error_path(exc, target), f"cannot write the record: {os_reason(exc)}")
                failures += 1
                continue
            written += 1
    return written, failures


def tree_names(inputs: list[tuple[Path, Path]], out: Path) -> dict[Path, Path]:
    """Each input's record below ``out`` at its path below the folder the arguments share (module docstring)."""
    if not inputs:
        return {}
    bases = {os.path.abspath(a) if a.is_dir() else os.path.dirname(os.path.abspath(a)) for a, _ in inputs}
    base = os.path.commonpath(sorted(bases))
    below = {path: Path(os.path.relpath(os.path.abspath(path), base)) for _, path in inputs}
    stems: dict[Path, list[Path]] = {}
    for path, rel in below.items():
        stems.setdefault(rel.with_suffix(""), []).append(path)
    names = {}
    for stem, sharing in stems.items():
        for path in sharing:
            name = below[path].name + ".json" if len(sharing) > 1 else stem.name + ".json"
            names[path] = out / stem.parent / name
    return names


def flat_names(inputs: list[tuple[Path, Path]], out: Path) -> dict[Path, Path] | None:
    """Each input's record straight in ``out`` by its file name; None (and a line per clash) when two share one."""
    by_name: dict[str, list[Path]] = {}
    for _, path in inputs:
        by_name.setdefault(path.stem, []).append(path)
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    for name, paths in clashes.items():
        failed(out / f"{name}.json", "--flat would write " + ", ".join(map(str, paths)) + " to this one file; "
               "leave out --flat to keep their folders")
    if clashes:
        return None
    return {paths[0]: out / f"{name}.json" for name, paths in by_name.items()}


def _progress(items, quiet: bool):
    from .common import quiet as is_quiet
    if is_quiet(quiet) or len(items) < 20 or not sys.stderr.isatty():
        return items
    from rich.progress import track
    return track(items, description="extracting", transient=True)


def register(app: typer.Typer) -> None:
    app.command()(extract)
