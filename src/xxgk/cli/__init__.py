"""The command line, a thin layer over the library: one module per command group, each ``register(app)``.

``xxgk extract`` / ``eval`` / ``generate`` / ``batch`` / ``review`` / ``check`` / ``label`` / ``train-labels`` /
``setup``. The environment is read here and nowhere below (``common.options_from_environment``); every command
imports the library only when it runs, so ``xxgk --help`` stays cheap, and ``xxgk --version`` is answered before
even the command line's own library (typer, a few tens of milliseconds) loads. The conventions every command
keeps (``-`` for stdin/stdout, ``-v``/``-q``, one message style, exit codes) are in ``common`` and docs/cli.md;
``main`` turns what a command did not expect into one line.
"""
from __future__ import annotations

import sys

from ..version import __version__


def main(argv: list[str] | None = None) -> None:
    """The ``xxgk`` program: the app, with what it did not expect said in one line instead of a traceback."""
    if (sys.argv[1:] if argv is None else argv) == ["--version"]:
        print(f"xxgk {__version__}")
        return
    from ..blas import pin_process
    pin_process()       # before numpy loads: BLAS starts with one thread (see xxgk.blas)
    from ..extras import extra_for, install_hint
    from . import common
    from .application import app

    try:
        app(args=argv, prog_name="xxgk")
    except ImportError as exc:
        if extra_for(exc) is None and common.verbosity() >= common.VERBOSE:
            raise
        common.err(install_hint(exc, "this command"))
        sys.exit(common.EXIT_NOTHING_DONE)
    except OSError as exc:
        common.failed(common.os_error_path(exc, "xxgk"), common.os_reason(exc))
        sys.exit(common.EXIT_NOTHING_DONE)


def __getattr__(name: str):
    # ``xxgk.cli.app``, the typer application (tests invoke it), made on first use.
    if name == "app":
        from .application import app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
