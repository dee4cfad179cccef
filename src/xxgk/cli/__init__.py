"""Command line: ``xxgk extract``, ``xxgk eval``, ``xxgk generate``."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from .. import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn 政府信息公开工作年度报告 into canonical, checked records.")

SKIP_SUFFIXES = {".json", ".jsonl", ".py", ".pyc", ".parquet", ".duckdb"}


def _err(message: str) -> None:
    typer.echo(f"xxgk: {message}", err=True)


def iter_inputs(paths: List[Path], skip: set[str] = SKIP_SUFFIXES):
    """Files named, and every file under folders named (recursively, hidden files skipped), sorted."""
    for path in paths:
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not any(p.startswith(".") for p in f.relative_to(path).parts) \
                        and f.suffix.lower() not in skip:
                    yield f
        else:
            yield path


@app.command()
def extract(paths: List[Path] = typer.Argument(..., help="Report files or folders; '-' reads stdin."),
            out: Optional[Path] = typer.Option(None, "-o", "--out", help="Output folder for the records."),
            quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress or summary.")):
    """Extract one canonical record per report into OUT/<name>.json."""
    from ..pipeline import ReadError, extract_bytes, extract_file
    from ..record import dumps, write_record

    if [str(p) for p in paths] == ["-"]:
        try:
            typer.echo(dumps(extract_bytes(sys.stdin.buffer.read(), "<stdin>")))
        except ReadError as exc:
            _err(str(exc))
            raise typer.Exit(1)
        return
    if out is None:
        _err("-o OUTDIR is required unless reading '-' (stdin)")
        raise typer.Exit(2)
    files = list(iter_inputs(paths))
    written, failed, used = 0, 0, {}
    for path in _progress(files, quiet):
        if not path.exists():
            _err(f"{path}: no such file")
            failed += 1
            continue
        try:
            rec = extract_file(path)
        except ReadError as exc:
            _err(str(exc))
            failed += 1
            continue
        except Exception as exc:  # a bug must not stop the batch; say which file and why
            _err(f"{path}: internal error: {type(exc).__name__}: {exc}")
            failed += 1
            continue
        name = path.stem
        if name in used and used[name] != path:
            name = f"{path.stem}__{path.suffix.lstrip('.') or 'noext'}"
            _err(f"{path}: another input is also named {path.stem}; written as {name}.json")
        used[name] = path
        write_record(rec, out / f"{name}.json")
        written += 1
    if not quiet:
        typer.echo(f"{written} record(s) written to {out}, {failed} file(s) failed", err=True)
    if written == 0:
        raise typer.Exit(1)


def _progress(files, quiet):
    if quiet or len(files) < 20 or not sys.stderr.isatty():
        return files
    from rich.progress import track
    return track(files, description="extracting", transient=True)


@app.command("eval")
def eval_(gold: Path = typer.Argument(..., help="Gold record folder or file."),
          pred: Path = typer.Argument(..., help="Predicted record folder or file."),
          json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the results as JSON."),
          max_wrong: int = typer.Option(30, help="How many wrong cells to list.")):
    """Score predicted records against hand-labelled gold records."""
    from ..evaluate import run_eval
    raise typer.Exit(run_eval(gold, pred, json_out=json_out, max_wrong=max_wrong))


@app.command()
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


# Commands defined beside the stage they drive; each module exposes register(app).
COMMAND_MODULES: tuple[str, ...] = ("batch.runner", "review.server", "cli.check", "cli.labels")


def _register_commands() -> None:
    from importlib import import_module
    for name in COMMAND_MODULES:
        import_module(f"xxgk.{name}").register(app)


def version_callback(value: bool):
    if value:
        typer.echo(f"xxgk {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True)):
    pass


_register_commands()
