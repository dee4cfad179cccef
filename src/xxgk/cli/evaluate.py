"""``xxgk eval``: score predicted records against gold records."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def eval_(gold: Path = typer.Argument(..., metavar="GOLD", help="Gold record folder or file."),
          pred: Path = typer.Argument(..., metavar="PRED", help="Predicted record folder or file."),
          json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                                  help="Also write the results as JSON; '-': print only the JSON."),
          max_wrong: int = typer.Option(30, metavar="N", help="How many wrong cells to list.")):
    """Score predicted records against hand-labelled gold records (exit 2 when nothing could be scored)."""
    from ..evaluate import run_eval
    raise typer.Exit(run_eval(gold, pred, json_out=json_out, max_wrong=max_wrong))


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_)
