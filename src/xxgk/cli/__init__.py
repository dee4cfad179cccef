"""The command line, a thin layer over the library: one module per command group, each ``register(app)``.

``xxgk extract`` / ``eval`` / ``generate`` / ``batch`` / ``review`` / ``check`` / ``label`` / ``train-labels``.
The environment is read here and nowhere below (``common.options_from_environment``); every command imports
the library only when it runs, so ``xxgk --help`` stays cheap, and ``xxgk --version`` is answered before
even the command line's own library (typer, a few tens of milliseconds) loads.
"""
from __future__ import annotations

import sys

from ..version import __version__


def main() -> None:
    """The ``xxgk`` command (the console script's entry point)."""
    if sys.argv[1:] == ["--version"]:
        print(f"xxgk {__version__}")
        return
    from ..blas import pin_process
    pin_process()       # before numpy loads: BLAS starts with one thread (see xxgk.blas)
    from .application import app
    app()


def __getattr__(name: str):
    # ``xxgk.cli.app``, the typer application (tests invoke it), made on first use.
    if name == "app":
        from .application import app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
