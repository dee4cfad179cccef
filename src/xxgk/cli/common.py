"""What the commands share: the environment read at the command line's edge, and how errors are said."""
from __future__ import annotations

import os

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
