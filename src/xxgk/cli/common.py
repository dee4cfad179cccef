"""What the commands share: the environment read at the command line's edge, and how errors are said."""
from __future__ import annotations

import logging
import os
import sys

import typer

from ..options import LABEL_STAGES, Options


def err(message: str) -> None:
    typer.echo(f"xxgk: {message}", err=True)


def options_from_environment() -> Options:
    """The pipeline's options as the environment sets them: ``XXGK_LABEL_STAGES`` = all | ngrams | dictionary
    (which label stages the extractor may ask; the default is all)."""
    stages = os.environ.get("XXGK_LABEL_STAGES", "all").strip().lower()
    if stages not in LABEL_STAGES:
        err(f"XXGK_LABEL_STAGES must be all, ngrams or dictionary, not {stages!r}")
        raise typer.Exit(2)
    return Options(label_stages=stages)


def show_scan_progress() -> None:
    """Each page of a scan told on stderr as the OCR reader reads it (its log, ``xxgk.readers.ocr``, at INFO): a
    five-page scan takes some twenty seconds, and a user should see it move."""
    log = logging.getLogger("xxgk.readers.ocr")
    if any(getattr(h, "xxgk_cli", False) for h in log.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("xxgk: %(message)s"))
    handler.xxgk_cli = True
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
