"""Render report pages into the files users are sent, with the programs that make them in the wild.

PDF from a saved page: headless Chromium (print to PDF, with its header and footer), LibreOffice and
WeasyPrint; DOCX: LibreOffice (from the page) and python-docx (built from the page's blocks, merged
cells as Word merges them); old .doc: LibreOffice. Used for the readers' test fixtures and their
evaluation (``eval/readers_eval.py``); each function names the program it needs when it is missing.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

PDF_PRODUCERS = ("chromium", "libreoffice", "weasyprint")
DOCX_PRODUCERS = ("libreoffice", "python-docx")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")
TIMEOUT = 180


class ProducerMissing(RuntimeError):
    """The program that makes this kind of file is not installed."""


def _program(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise ProducerMissing(f"{names[0]} is not installed (Debian: see APT_READERS in scripts/setup.sh)")


def chromium_pdf(html: Path, pdf: Path) -> Path:
    """Chromium's print to PDF, header (date, title) and footer (URL, page x/y) included, as users save it."""
    binary = _program("chromium", "chromium-browser", "google-chrome")
    with tempfile.TemporaryDirectory(prefix="xxgk-chromium-") as profile:
        subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                        Path(html).resolve().as_uri()], check=True, capture_output=True, timeout=TIMEOUT)
    if not pdf.exists():
        raise RuntimeError(f"chromium wrote no PDF for {html}")
    return pdf


def libreoffice_convert(sources: list[Path], outdir: Path, target: str) -> list[Path]:
    """Files converted by one LibreOffice run (``target``: pdf, docx or doc)."""
    binary = _program("soffice", "libreoffice")
    outdir.mkdir(parents=True, exist_ok=True)
    filters = {"pdf": "pdf", "docx": 'docx:MS Word 2007 XML', "doc": "doc:MS Word 97"}
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as profile:
        command = [binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore"]
        if target != "pdf" and any(Path(s).suffix.lower() in (".html", ".htm") for s in sources):
            command.append("--infilter=HTML (StarWriter)")     # a Word file needs a Writer document
        command += ["--convert-to", filters[target], "--outdir", str(outdir), *map(str, sources)]
        subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT + 20 * len(sources))
    out = [outdir / f"{Path(s).stem}.{target}" for s in sources]
    missing = [p.name for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no {target} for {', '.join(missing)}")
    return out


def weasyprint_pdf(html: Path, pdf: Path) -> Path:
    try:
        import weasyprint
    except ImportError as exc:
        raise ProducerMissing("weasyprint is not installed (pip install 'xxgk[forms]')") from exc
    weasyprint.HTML(filename=str(html)).write_pdf(str(pdf), presentational_hints=True)
    return pdf


def python_docx(markup: str, path: Path) -> Path:
    """A Word file built from the page: paragraphs, and each table with its merged cells merged."""
    import docx
    from docx.shared import Pt

    from ..readers.html import Grid, html_blocks

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    for block in html_blocks(markup):
        if not isinstance(block, Grid):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=block.height, cols=block.width)
        table.style = "Table Grid"
        for cell in block.cells:
            target = table.cell(cell.row, cell.column)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.column + cell.colspan - 1))
            target.text = cell.text
    document.save(str(path))
    return path
