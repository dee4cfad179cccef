"""``xxgk setup``: build now what xxgk otherwise builds on its first use — the label classifier's encoder, from
the pinned wheels the package depends on, and jieba's words by first character (``xxgk.checks.segmenter``) —
into the xxgk cache, and say where it is."""
from __future__ import annotations

import time

import typer

from .common import EXIT_NOTHING_DONE, err, info


def setup(force: bool = typer.Option(False, "--force", help="Build again even when the cache has it.")):
    """Build the label classifier's encoder and jieba's words into the cache ($XXGK_CACHE or ~/.cache/xxgk); no download."""
    from ..checks.narrative import segmenter_ready
    from ..labels import runtime

    started = time.perf_counter()
    try:
        path = runtime.ensure_runtime(force=force, progress=lambda line: info(line))
    except runtime.RuntimeUnavailable as exc:
        err(f"the label classifier's encoder cannot be built: {exc}")
        raise typer.Exit(EXIT_NOTHING_DONE)
    info(f"label classifier ready in {time.perf_counter() - started:.1f} s: {path}")
    started = time.perf_counter()
    segmenter_ready()
    info(f"jieba's words ready in {time.perf_counter() - started:.1f} s")


def register(app: typer.Typer) -> None:
    app.command()(setup)
