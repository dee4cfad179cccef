"""``xxgk generate``: realistic test reports with their gold records."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import enum

import typer

from .common import info

# The forms ``xxgk.generate.FORMS`` names (listed here so that --help need not import the generator; a test
# keeps the two lists one).
FORM_CHOICES = ("cells_tabbed", "cells_blank_separated", "cells_plain", "tab_rows", "one_line_spaced",
                "one_line_glued", "pdf_scrambled", "markdown", "html")
Form = enum.Enum("Form", {name: name for name in FORM_CHOICES}, type=str)   # choices --help lists


def generate(out: Path = typer.Argument(..., metavar="OUTDIR", help="Output folder (raw/, gold/, manifest.jsonl)."),
             n: int = typer.Option(100, "-n", help="How many reports."),
             seed: int = typer.Option(0, help="Random seed."),
             noise: float = typer.Option(0.3, help="Label/text noise level, 0..1."),
             broken: float = typer.Option(0.0, help="Share of reports with injected arithmetic errors."),
             garble: float = typer.Option(0.0, help="Share of label occurrences with hard OCR slips."),
             form: Optional[List[Form]] = typer.Option(None, help="Only this form (repeat for several).")):
    """Generate realistic test reports with their gold records."""
    from ..generate import generate_set
    paths = generate_set(out, n, seed, forms=[f.value for f in form] if form else None, noise=noise, broken_share=broken, garble=garble)
    info(f"{len(paths)} report(s) written to {out}")


def register(app: typer.Typer) -> None:
    app.command()(generate)
