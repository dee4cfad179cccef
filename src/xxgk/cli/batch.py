"""``xxgk batch``: a whole corpus into a dataset, in parallel and resumable (``xxgk.batch`` does the work)."""
from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .common import (EXIT_INTERRUPTED, EXIT_NOTHING_DONE, EXIT_SOME_FAILED, err, info, options_from_environment,
                     quiet as is_quiet)


class Engine(str, enum.Enum):
    local = "local"
    dask = "dask"


def batch(sources: List[Path] = typer.Argument(..., metavar="SOURCE...",
                                               help="Report files or folders (walked recursively)."),
          out: Path = typer.Option(..., "-o", "--out", metavar="DATASET",
                                   help="Dataset folder (created; reruns resume it and add to it)."),
          workers: Optional[int] = typer.Option(None, "-j", "--workers", metavar="N",
                                                help="Worker processes (default: every core)."),
          engine: Engine = typer.Option(Engine.local, help="local: processes here; dask: a Dask cluster."),
          scheduler: Optional[str] = typer.Option(
              None, metavar="ADDRESS", help="Dask scheduler (tcp://host:8786), or 'local' for a LocalCluster."),
          chunk_size: Optional[int] = typer.Option(None, metavar="N", help="Reports per task (default: up to 32)."),
          force: bool = typer.Option(False, "--force", help="Extract everything again, ignoring the journal."),
          prune: bool = typer.Option(False, "--prune", help="Remove the reports of these sources whose files "
                                                            "are gone (kept otherwise)."),
          max_size: float = typer.Option(200, "--max-size", metavar="MB",
                                         help="Files larger than this go to errors; 0: no limit."),
          time_limit: float = typer.Option(600, "--time-limit", metavar="SECONDS",
                                           help="A file that takes longer is stopped and goes to errors; "
                                                "0: no limit (local workers)."),
          quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or summary.")):
    """Extract a whole corpus into DATASET: records/, reports/cells/checks/errors tables, xxgk.duckdb.

    A batch adds to a dataset: the reports of sources it is not given stay. Exit status: 0 all read, 1 some
    files went to the errors table, 2 nothing done (another batch holds DATASET, a disk is full or read-only),
    130 interrupted (run the same command to resume)."""
    from ..batch import BatchError, run_batch
    from ..batch.runner import Limits

    options = options_from_environment()
    # XXGK_EXTRACTOR_ID pins the journal's extractor id: a journal is kept across a change known to alter no record.
    extractor = os.environ.get("XXGK_EXTRACTOR_ID") or None
    limits = Limits(max_bytes=int(max_size * 2**20) if max_size > 0 else None,
                    seconds=time_limit if time_limit > 0 else None)
    try:
        result = run_batch(sources, out, engine=engine.value, scheduler=scheduler, workers=workers,
                           chunk_size=chunk_size, force=force, progress=not is_quiet(quiet) and sys.stderr.isatty(),
                           options=options, extractor=extractor, prune=prune, limits=limits)
    except BatchError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_NOTHING_DONE)
    if result.interrupted:
        err(f"{out}: interrupted; finished reports are kept; run the same command to resume")
        raise typer.Exit(EXIT_INTERRUPTED)
    info(f"{result.reports} report(s) in {result.seconds:.1f} s ({result.rate:,.0f}/s): "
         f"{result.extracted} extracted, {result.reused} reused, {result.errors} failed, "
         f"{result.duplicates} duplicate(s) → {out}", quiet)
    if result.kept or result.pruned:
        info(f"the dataset holds {result.dataset} report(s): {result.kept} kept from other sources"
             + (f", {result.pruned} pruned (their files are gone)" if result.pruned else ""), quiet)
    if result.errors:
        raise typer.Exit(EXIT_SOME_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(batch)
