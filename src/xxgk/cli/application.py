"""The typer application: one module per command group, each ``register(app)``; loaded only for a command
(``xxgk --version`` is answered before it, see ``xxgk.cli``)."""
from __future__ import annotations

import typer
from typer.core import TyperArgument, TyperCommand

from ..version import __version__
from . import batch, check, common, evaluate, extract, generate, labels, review, setup


class Command(TyperCommand):
    """A command whose usage line names its arguments as people write them: ``PATH...``, ``[OUTDIR]``."""

    def collect_usage_pieces(self, ctx):
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or param.name.upper()
                if param.nargs != 1 and not name.endswith("..."):
                    name += "..."
                pieces.append(name if param.required else f"[{name}]")
        return pieces


app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False, help="Turn 政府信息公开工作年度报告 into canonical, checked records.",
                  context_settings={"help_option_names": ["-h", "--help"]})

# In the order ``xxgk --help`` lists them.
COMMAND_MODULES = (extract, evaluate, generate, batch, review, check, labels, setup)
for _module in COMMAND_MODULES:
    _module.register(app)
for _command in app.registered_commands:
    _command.cls = Command



def version_callback(value: bool):
    if value:
        typer.echo(f"xxgk {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                              help="Print the version and stop."),
                 verbose: bool = typer.Option(False, "-v", "--verbose", help="Say more on stderr."),
                 quiet: bool = typer.Option(False, "-q", "--quiet",
                                            help="Only failures on stderr: no progress, no summary.")):
    """Turn 政府信息公开工作年度报告 into canonical, checked records.

    FILE arguments take '-' for standard input, and -o '-' is standard output. Exit status: 0 done, 1 some
    inputs failed (check: some report is not consistent), 2 nothing done, 130 interrupted (docs/cli.md)."""
    common.set_verbosity(common.QUIET if quiet else common.VERBOSE if verbose else common.NORMAL)
