"""``xxgk review``: check what was read against the source in the browser, correct it, save it as gold."""
from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import List, Optional

import typer

from .common import err, options_from_environment

DEFAULT_GOLD = Path("corpus/reviewed/gold")


def default_reviewer() -> str:
    try:
        return os.environ.get("XXGK_REVIEWER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def review(paths: List[Path] = typer.Argument(..., help="Raw reports or record folders (extracted on load)."),
           port: int = typer.Option(8765, "--port", help="Port on 127.0.0.1."),
           host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
           gold: Path = typer.Option(DEFAULT_GOLD, "--gold", help="Where gold records and audit logs go."),
           raw: Optional[Path] = typer.Option(None, "--raw", help="Where reviewed raw reports are copied "
                                                                   "[default: GOLD/../raw]."),
           reviewer: Optional[str] = typer.Option(None, help="Name kept in the audit log "
                                                              "[default: $XXGK_REVIEWER or the login name]."),
           sources: List[Path] = typer.Option([], "--sources", help="A folder the records' source files may be "
                                              "read from (repeatable); nothing in it is loaded. Files outside "
                                              "PATHS and --sources are never read, shown or copied."),
           open_browser: bool = typer.Option(False, "--open", help="Open the page in a browser.")):
    """Review reports in the browser, correct cells, and save them as gold records."""
    import uvicorn

    from ..review import Catalog, create_app

    def loaded(catalog: Catalog) -> None:
        for reason in catalog.skipped:
            err(f"skipped {reason}")
        for notice in catalog.notices:
            err(str(notice))
        typer.echo(f"{len(catalog.reports)} report(s) loaded, {len(catalog.skipped)} file(s) skipped", err=True)

    catalog = Catalog(paths, options_from_environment(), sources=sources, on_finished=loaded)
    if not catalog.total:
        err("no report or record to review")
        raise typer.Exit(1)
    raw_dir = raw if raw is not None else gold.parent / "raw"
    hosts = ["*"] if host in ("0.0.0.0", "::") else ["127.0.0.1", "localhost", host]
    web = create_app(catalog, gold_dir=gold, raw_dir=raw_dir, reviewer=reviewer or default_reviewer(), hosts=hosts)
    catalog.start()     # the page opens at once and shows the reports as they load
    url = f"http://{host}:{port}/"
    typer.echo(f"{catalog.total} file(s) to load; gold → {gold}; open {url} (Ctrl+C stops)", err=True)
    if open_browser:
        import webbrowser
        webbrowser.open(url)
    uvicorn.run(web, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(review)
