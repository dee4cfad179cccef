"""``xxgk generate``: realistic test reports with their gold records."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def generate(out: Path = typer.Argument(..., help="Output folder (raw/, gold/, manifest.jsonl)."),
             n: int = typer.Option(100, "-n", help="How many reports."),
             seed: int = typer.Option(0, help="Random seed."),
             noise: float = typer.Option(0.3, help="Label/text noise level, 0..1."),
             broken: float = typer.Option(0.0, help="Share of reports with injected arithmetic errors."),
             garble: float = typer.Option(0.0, help="Share of label occurrences with hard OCR slips."),
             form: Optional[List[str]] = typer.Option(None, help="Restrict to these forms.")):
    """Generate realistic test reports with their gold records."""
    from ..generate import generate_set
    paths = generate_set(out, n, seed, forms=form or None, noise=noise, broken_share=broken, garble=garble)
    typer.echo(f"{len(paths)} report(s) written to {out}", err=True)


def register(app: typer.Typer) -> None:
    app.command()(generate)
