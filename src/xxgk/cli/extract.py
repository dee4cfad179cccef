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
from itertools import repeat
from pathlib import Path
from typing import List, NamedTuple, Optional

import typer

from .common import (EXIT_NOTHING_DONE, EXIT_SOME_FAILED, STDIO, check_output_folder, err, failed, info, is_stdio,
                     options_from_environment, os_error_path, os_reason, show_scan_progress)


def extract(paths: List[Path] = typer.Argument(..., metavar="PATH...",
                                               help="Report files or folders (recursively); '-' reads stdin."),
            out: Optional[Path] = typer.Option(None, "-o", "--out", metavar="OUTDIR",
                                               help="Folder for the records; '-' or none prints them."),
            flat: bool = typer.Option(False, "--flat", help="Every record straight into OUTDIR by its file name "
                                                            "(refused when two would share a name)."),
            jobs: Optional[int] = typer.Option(None, "-j", "--jobs", metavar="N", min=1,
                                               help="Worker processes for many files (default: every core)."),
            quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress or summary.")):
    """Extract one canonical record per report: printed, or written to OUTDIR/<path>.json."""
    from ..batch.workers import cores
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
    written, failures = _run(inputs, targets, options, quiet, as_lines=len(inputs) > 1, jobs=jobs or cores())
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


# A pool is started only for files holding this many bytes in all (and two files at least). Its parent first
# loads what the workers share (jieba's words, the label tables, the transformer: about 0.7 s of CPU, while no
# worker runs yet), which a second core pays back once the files cost about 1.4 s to extract. Bytes stand for
# that cost across kinds of file: a generated text report (4.7 KB) takes about 12 ms, 2.5 ms a KB, the real PDFs
# 1.7-4 ms a KB (a scan far more): 100 text reports, or two PDFs of 250 KB.
PARALLEL_FROM_BYTES = 512 * 1024
# A worker is handed consecutive files up to this many bytes at once (or one larger file): some 8 text reports,
# 0.1 s of work, so that the workers finish within about that of each other, while handing them over costs
# little (one file at a time cost 2.5 % more CPU on text reports); a PDF goes alone.
CHUNK_BYTES = 40 * 1024


class _Outcome(NamedTuple):
    """What extracting one file came to, said by the main process in the files' order."""
    written: int = 0
    failures: int = 0
    printed: tuple = ()         # records to print, each as it is printed
    messages: tuple = ()        # (path, reason) of each failure


def _run(inputs, targets: dict, options, quiet: bool, as_lines: bool, jobs: int) -> tuple[int, int]:
    paths = [path for _, path in inputs]
    written = failures = 0
    for outcome in _progress(_outcomes(paths, targets, options, as_lines, jobs), len(paths), quiet):
        for line in outcome.printed:
            typer.echo(line)
        for path, reason in outcome.messages:
            failed(path, reason)
        written += outcome.written
        failures += outcome.failures
    return written, failures


def _outcomes(paths: list[Path], targets: dict, options, as_lines: bool, jobs: int):
    """Each file's ``_Outcome``, in order: extracted here, or by ``jobs`` worker processes for a folder."""
    if jobs <= 1 or not _worth_a_pool(paths):
        for path in paths:
            yield _extract_path(path, targets[path], options, as_lines)
        return
    from concurrent.futures.process import BrokenProcessPool

    from ..batch.workers import kill_workers, local_pool

    pool = local_pool(jobs, options)
    done = 0
    finished = broken = False
    try:
        for chunk in pool.map(_extract_chunk, _chunks(paths, targets), repeat(options), repeat(as_lines)):
            for outcome in chunk:
                done += 1
                yield outcome
        finished = True
    except BrokenProcessPool:
        finished = broken = True
    finally:
        if not finished:        # interrupted: what the workers hold is dropped at once
            kill_workers(pool)
        pool.shutdown(wait=finished, cancel_futures=not finished)
    if broken:
        # A worker was killed (out of memory, by a user) or crashed: what the pool held is lost, so the files not
        # yet said are extracted here, as -j 1 would (a record a worker wrote already is written again, the same).
        err("a worker process stopped (killed or crashed); the files left are extracted in this process")
        for path in paths[done:]:
            yield _extract_path(path, targets[path], options, as_lines)


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:     # gone or unreadable: said when it is extracted
        return 0


def _worth_a_pool(paths: list[Path]) -> bool:
    """Whether the files are enough work to start a pool for (``PARALLEL_FROM_BYTES``)."""
    if len(paths) < 2:
        return False
    total = 0
    for path in paths:
        total += _size(path)
        if total >= PARALLEL_FROM_BYTES:
            return True
    return False


def _chunks(paths: list[Path], targets: dict) -> list[list[tuple[Path, Path | None]]]:
    """The files in order, as (path, target) in runs of about ``CHUNK_BYTES``."""
    chunks, chunk, size = [], [], 0
    for path in paths:
        chunk.append((path, targets[path]))
        size += _size(path)
        if size >= CHUNK_BYTES:
            chunks.append(chunk)
            chunk, size = [], 0
    if chunk:
        chunks.append(chunk)
    return chunks


def _extract_chunk(chunk: list[tuple[Path, Path | None]], options, as_lines: bool) -> list[_Outcome]:
    """A worker's task: each file of ``chunk`` (``_extract_path``)."""
    return [_extract_path(path, target, options, as_lines) for path, target in chunk]


def _extract_path(path: Path, target: Path | None, options, as_lines: bool) -> _Outcome:
    """One file's records, written to ``target`` (or returned to print); a failure said, never raised."""
    from ..pipeline import ReadError, extract_reports
    from ..record import dumps, dumps_compact, write_record

    try:
        records = extract_reports(path, options)
    except ReadError as exc:
        return _Outcome(failures=1, messages=((exc.path, exc.reason),))
    except Exception as exc:  # a bug must not stop the others; say which file and why
        return _Outcome(failures=1, messages=((path, f"internal error: {type(exc).__name__}: {exc}"),))
    if target is None:
        return _Outcome(written=len(records), printed=tuple(
            dumps_compact(record) if as_lines or len(records) > 1 else dumps(record) for record in records))
    written, messages = 0, []
    for n, record in enumerate(records, 1):
        if len(records) > 1:    # a file holding several reports: NAME#1.json, NAME#2.json, …
            record_path = target.with_name(f"{target.name[:-len('.json')]}#{n}.json")
        else:
            record_path = target
        try:
            write_record(record, record_path)
        except OSError as exc:  # a full or read-only disk, no permission: this record is lost, the others go on
            messages.append((os_error_path(exc, record_path), f"cannot write the record: {os_reason(exc)}"))
            continue
        written += 1
    return _Outcome(written=written, failures=len(messages), messages=tuple(messages))


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


def _progress(items, total: int, quiet: bool):
    from .common import quiet as is_quiet
    if is_quiet(quiet) or total < 20 or not sys.stderr.isatty():
        return items
    from rich.progress import track
    return track(items, total=total, description="extracting", transient=True)


def register(app: typer.Typer) -> None:
    app.command()(extract)
