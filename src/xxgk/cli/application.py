"""The typer application: one module per command group, each ``register(app)``."""
from __future__ import annotations

import typer

from ..version import __version__
from . import batch, check, evaluate, extract, generate, labels, review

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn 政府信息公开工作年度报告 into canonical, checked records.")

# In the order ``xxgk --help`` lists them.
COMMAND_MODULES = (extract, evaluate, generate, batch, review, check, labels)
for _module in COMMAND_MODULES:
    _module.register(app)


def version_callback(value: bool):
    if value:
        typer.echo(f"xxgk {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True)):
    pass
