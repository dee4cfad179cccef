"""``xxgk batch``: a whole corpus into a dataset, in parallel and resumable (``xxgk.batch`` does the work)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .common import err, options_from_environment

EXIT_INTERRUPTED = 130   # as a shell reports a process stopped by Ctrl-C


def batch(sources: List[Path] = typer.Argument(..., help="Report files or folders (walked recursively)."),
          out: Path = typer.Option(..., "-o", "--out", help="Dataset folder (created; reruns resume it)."),
          workers: Optional[int] = typer.Option(None, "-j", "--workers",
                                                help="Worker processes (default: every core)."),
          engine: str = typer.Option("local", help="local (processes here) or dask."),
          scheduler: Optional[str] = typer.Option(
              None, help="Dask scheduler ADDRESS (tcp://host:8786), or 'local' for a LocalCluster."),
          chunk_size: Optional[int] = typer.Option(None, help="Reports per task (default: up to 32)."),
          force: bool = typer.Option(False, "--force", help="Extract everything again, ignoring the journal."),
          quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or summary.")):
    """Extract a whole corpus into DATASET: records/, reports/cells/checks/errors tables, xxgk.duckdb."""
    from ..batch import BatchError, run_batch

    options = options_from_environment()
    # XXGK_EXTRACTOR_ID pins the journal's extractor id: a journal is kept across a change known to alter no record.
    extractor = os.environ.get("XXGK_EXTRACTOR_ID") or None
    try:
        result = run_batch(sources, out, engine=engine, scheduler=scheduler, workers=workers, chunk_size=chunk_size,
                           force=force, progress=not quiet and sys.stderr.isatty(), options=options,
                           extractor=extractor)
    except BatchError as exc:
        err(str(exc))
        raise typer.Exit(2)
    if result.interrupted:
        err(f"interrupted; finished reports are kept in {out}; run the same command to resume")
        raise typer.Exit(EXIT_INTERRUPTED)
    if not quiet:
        typer.echo(f"{result.reports} report(s) in {result.seconds:.1f} s ({result.rate:,.0f}/s): "
                   f"{result.extracted} extracted, {result.reused} reused, {result.errors} failed, "
                   f"{result.duplicates} duplicate(s) → {out}", err=True)
    if result.reports == result.errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(batch)
