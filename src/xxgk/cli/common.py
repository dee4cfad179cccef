"""What the commands share: the environment read at the command line's edge, how messages are said, what
the exit status means, and ``-`` for standard input and output.

Every message is one line on stderr, ``xxgk: FILE: reason`` (or ``xxgk: reason`` when no file is concerned):
a failure is never a traceback. Exit status, for every command (docs/cli.md):

- 0: everything asked was done (``check``: and every report is consistent);
- 1: some inputs failed (unreadable, not a report, a record that could not be written), the others were done
  (``check``: some report is not consistent);
- 2: nothing was done: wrong arguments, a dataset locked by another batch, an extra not installed;
- 130: interrupted (Ctrl-C); what was finished is kept.
"""
from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path

import typer

from ..options import LABEL_STAGES, Options

EXIT_OK, EXIT_SOME_FAILED, EXIT_NOTHING_DONE, EXIT_INTERRUPTED = 0, 1, 2, 130
STDIO = "-"   # as a file argument: standard input; as an output: standard output

QUIET, NORMAL, VERBOSE = 0, 1, 2


class _State:
    verbosity = NORMAL


def set_verbosity(level: int) -> None:
    _State.verbosity = level


def verbosity() -> int:
    return _State.verbosity


def quiet(local_quiet: bool = False) -> bool:
    """Whether progress and summaries are left out (the command's own -q, or xxgk's)."""
    return local_quiet or _State.verbosity <= QUIET


def err(message: str) -> None:
    """A failure or a warning: always said, on one line."""
    typer.echo(f"xxgk: {message}", err=True)


def failed(path, reason: str) -> None:
    """``xxgk: FILE: reason``."""
    err(f"{path}: {reason}")


def info(message: str, local_quiet: bool = False) -> None:
    """A summary or progress line: left out with --quiet."""
    if not quiet(local_quiet):
        typer.echo(message, err=True)


def detail(message: str) -> None:
    """What only -v shows."""
    if _State.verbosity >= VERBOSE:
        typer.echo(f"xxgk: {message}", err=True)


def is_stdio(path) -> bool:
    return path is not None and str(path) == STDIO


def os_reason(exc: OSError) -> str:
    """An OS error as the one line a person needs: what went wrong, with the advice for the usual ones."""
    reason = exc.strerror or str(exc)
    advice = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
              errno.EROFS: "the disk is mounted read-only", errno.EACCES: "no permission to write there",
              errno.EPERM: "no permission to write there"}.get(exc.errno)
    return f"{reason} ({advice})" if advice and advice.lower() not in reason.lower() else reason


def os_error_path(exc: OSError, default) -> str:
    return exc.filename if isinstance(exc.filename, str) and exc.filename else str(default)


def options_from_environment() -> Options:
    """The pipeline's options as the environment sets them: ``XXGK_LABEL_STAGES`` = all | ngrams | dictionary
    (which label stages the extractor may ask; the default is all)."""
    stages = os.environ.get("XXGK_LABEL_STAGES", "all").strip().lower()
    if stages not in LABEL_STAGES:
        err(f"XXGK_LABEL_STAGES must be all, ngrams or dictionary, not {stages!r}")
        raise typer.Exit(EXIT_NOTHING_DONE)
    return Options(label_stages=stages)


def show_scan_progress() -> None:
    """Each page of a scan told on stderr as the OCR reader reads it (its log, ``xxgk.readers.ocr``, at INFO): a
    five-page scan takes some twenty seconds, and a user should see it move."""
    log = logging.getLogger("xxgk.readers.ocr")
    if any(getattr(h, "xxgk_cli", False) for h in log.handlers):
        return
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter("xxgk: %(message)s"))
    handler.xxgk_cli = True
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class _CurrentStderr(logging.StreamHandler):
    """A handler writing to whatever ``sys.stderr`` is when a record comes (a caller that swaps stderr, as a
    test runner does, would leave a handler made once holding a closed stream)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def check_output_folder(out: Path) -> None:
    """Refuse at once an output folder that cannot be made or written (one line, exit 2), rather than a
    failure per report."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        failed(os_error_path(exc, out), f"cannot make the output folder: {os_reason(exc)}")
        raise typer.Exit(EXIT_NOTHING_DONE)
    if not out.is_dir():
        failed(out, "not a folder")
        raise typer.Exit(EXIT_NOTHING_DONE)
    if not os.access(out, os.W_OK | os.X_OK):
        failed(out, "cannot write to the output folder (no permission, or a read-only disk)")
        raise typer.Exit(EXIT_NOTHING_DONE)
