"""The text scrapers get from a report, made by running the tools they use.

A generated saved page (``render_report(record, "html", ...)``) is turned into the forms a scraper ends up with:
text dumps of the page (w3m, lynx, pandoc, html2text, inscriptis, trafilatura, markdownify, BeautifulSoup), the
files it is printed or converted to (Chromium print to PDF, LibreOffice HTML -> DOCX -> PDF) and the text of
those files (LibreOffice's text export, pdftotext, PyMuPDF, pdfplumber). Every function here runs the real
program or package; none imitates it. ``TOOLS`` names each form with the function making it, what it keeps,
and what it reads::

    text = TOOLS["w3m"].function(Path("page.html"))
    files = make_files({"r1": Path("page.html")}, Path("out"), {"pdf-chromium"})
    text = TOOLS["pdftotext@chromium"].function(files["pdf-chromium"]["r1"])

A missing program or package raises :class:`ToolMissing`, one line naming it and how to install it.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 180                 # seconds one tool may take on one report (LibreOffice and Chromium start slowly)
WIDE_COLUMNS = 200            # the width people give w3m (-cols), lynx (-width) and pandoc (--columns) for tables
LYNX_WIDE = 250               # lynx's -width: past its 200-column default cap for this option in practice
SETUP_HINT = "see scripts/setup.sh"

# What a form keeps of a table's blank cells. A form keeping every cell shows a blank cell as space, a grid
# cell or an empty line in place; a form dropping them prints a row's values one after another with nothing
# where a blank cell was (the same text for 1, blank, 2 as for blank, 1, 2), so only the template's sums can
# place them.
KEEPS_EVERY_CELL = "every cell"
DROPS_BLANKS = "drops blank cells"
# A form losing cells outright: pandoc's plain text at its default 72 columns prints the literal [TABLE] for a
# table it cannot fit (27 of 40 generated reports lose table 3 so). Chromium's print also cuts a fixed-width table
# wider than the page at the paper's edge (a number there is cut too: 214 prints as 2); that depends on the page,
# not the tool, so its forms keep their class and the evaluation splits them by wide tables.
LOSES_TABLES = "loses tables"

# What a tool reads: the saved page, or a file made from it by make_files.
PAGE = "page"
PDF_CHROMIUM = "pdf-chromium"          # Chromium's print to PDF of the page (header and footer included)
DOCX_LIBREOFFICE = "docx-libreoffice"  # LibreOffice's Writer import of the page saved as Word
PDF_LIBREOFFICE = "pdf-libreoffice"    # that Word file printed to PDF by LibreOffice
TEXT_LIBREOFFICE = "txt-libreoffice"   # that Word file saved as text by LibreOffice
MADE_FILES = (PDF_CHROMIUM, DOCX_LIBREOFFICE, PDF_LIBREOFFICE, TEXT_LIBREOFFICE)


class ToolMissing(RuntimeError):
    """The program or package a tool form needs is not installed."""


def _program(name: str, debian: str | None = None) -> str:
    found = shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} is not installed (Debian package {debian or name}; {SETUP_HINT})")
    return found


def _module(name: str, pip_name: str | None = None):
    import importlib
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ToolMissing(f"the Python package {pip_name or name} is not installed "
                          f"(pip install -e '.[forms]'; {SETUP_HINT})") from exc


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}): "
                           f"{done.stderr.decode('utf-8', 'replace').strip()[:300]}")
    return done.stdout.decode("utf-8", "replace")


def _markup(page: Path) -> str:
    """A saved page's markup; the pages the generator writes for the tools are UTF-8."""
    return Path(page).read_text(encoding="utf-8")

# ------------------------------------------------------------------------------------------------ page to text


def w3m(page: Path, columns: int | None = None) -> str:
    """``w3m -dump``: tables with borders drawn as box-drawing grids, at 80 columns unless ``columns``."""
    command = [_program("w3m"), "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8"]
    return _run(command + (["-cols", str(columns)] if columns else []) + [str(page)])


def lynx(page: Path, width: int | None = None) -> str:
    """``lynx -dump``: a table whose cells hold only text is laid out in aligned columns; one whose cells hold
    paragraphs (``<p>``, as Word writes every cell) falls back to one cell per line, blank lines between."""
    command = [_program("lynx"), "-dump", "-nolist", "-assume_charset=utf-8", "-display_charset=utf-8"]
    return _run(command + ([f"-width={width}"] if width else []) + [str(page)])


def pandoc(page: Path, target: str = "plain", columns: int | None = None) -> str:
    """``pandoc -f html -t TARGET``: plain text draws a table as a simple table (rule lines, columns by
    position) or, when a cell's text wraps, a grid table whose rows run over several lines, or prints
    ``[TABLE]`` for a table it cannot fit in ``columns`` (72 by default); gfm writes pipe tables, or the HTML
    itself (attributes and all) for tables with merged cells."""
    command = [_program("pandoc"), "-f", "html", "-t", target]
    return _run(command + ([f"--columns={columns}"] if columns else []) + [str(page)])


def html2text_dump(page: Path) -> str:
    """html2text's Markdown (its defaults: 78-column wrap, tables as ``a | b`` rows)."""
    return _module("html2text").html2text(_markup(page))


def inscriptis_dump(page: Path) -> str:
    """inscriptis' text (its defaults: tables laid out in aligned columns)."""
    return _module("inscriptis").get_text(_markup(page))


def trafilatura_dump(page: Path, output_format: str = "txt") -> str:
    """trafilatura's main-content extraction with the tables kept, as text or Markdown."""
    extracted = _module("trafilatura").extract(_markup(page), include_tables=True, output_format=output_format)
    return extracted or ""


def markdownify_dump(page: Path) -> str:
    """markdownify's Markdown of the whole page (its defaults)."""
    return _module("markdownify").markdownify(_markup(page))


def get_text(page: Path, strip: bool) -> str:
    """BeautifulSoup's ``get_text``: with ``strip``, one line per text node and empty ones dropped (a blank
    cell leaves nothing); without, the document's text with its whitespace (a blank cell leaves a space)."""
    soup = _module("bs4", "beautifulsoup4").BeautifulSoup(_markup(page), "lxml")
    return soup.get_text("\n", strip=True) if strip else soup.get_text()

# ------------------------------------------------------------------------------------------------ files


def chromium_pdf(page: Path, pdf: Path) -> Path:
    """Chromium's print to PDF of the page (``xxgk.producers``): A4 unless the page's ``@page`` says otherwise,
    date and title above, URL and page numbers below; a fixed-width table wider than the page is cut at its
    edge, as a user's print is."""
    from .producers import ProducerMissing
    from .producers import chromium_pdf as print_to_pdf
    try:
        return print_to_pdf(Path(page), Path(pdf))
    except ProducerMissing as exc:
        raise ToolMissing(f"chromium is not installed (Debian package chromium; {SETUP_HINT})") from exc


def libreoffice(sources: list[Path], outdir: Path, target: str) -> list[Path]:
    """Files converted by one LibreOffice run: ``target`` pdf or docx (see ``xxgk.producers``), or txt (Writer's
    text export, UTF-8, one paragraph or table cell per line)."""
    _program("soffice", "libreoffice-writer")
    if target != "txt":
        from .producers import libreoffice_convert
        return libreoffice_convert(list(sources), Path(outdir), target)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as profile:
        command = [shutil.which("soffice"), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                   "--norestore", "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(outdir),
                   *map(str, sources)]
        subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT + 20 * len(sources))
    out = [outdir / f"{Path(s).stem}.txt" for s in sources]
    missing = [p.name for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no text for {', '.join(missing)}")
    return out


def make_files(pages: dict[str, Path], outdir: Path, kinds: set[str], jobs: int = 2) -> dict[str, dict[str, Path]]:
    """The files of ``kinds`` (of ``MADE_FILES``) for every page, under ``outdir/KIND/NAME.EXT``; a file already
    there is kept (a rerun converts only what is missing). LibreOffice converts all pages in one run per step;
    Chromium prints ``jobs`` pages at a time."""
    outdir = Path(outdir)
    made: dict[str, dict[str, Path]] = {}
    suffix = {PDF_CHROMIUM: "pdf", DOCX_LIBREOFFICE: "docx", PDF_LIBREOFFICE: "pdf", TEXT_LIBREOFFICE: "txt"}

    def wanted(kind: str) -> dict[str, Path]:
        return {name: outdir / kind / f"{name}.{suffix[kind]}" for name in pages}

    if PDF_CHROMIUM in kinds:
        targets = wanted(PDF_CHROMIUM)
        todo = [name for name, path in targets.items() if not path.exists()]
        (outdir / PDF_CHROMIUM).mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            list(pool.map(lambda name: chromium_pdf(pages[name], targets[name]), todo))
        made[PDF_CHROMIUM] = targets
    if kinds & {DOCX_LIBREOFFICE, PDF_LIBREOFFICE, TEXT_LIBREOFFICE}:
        docx = wanted(DOCX_LIBREOFFICE)
        todo = [name for name, path in docx.items() if not path.exists()]
        if todo:
            libreoffice([pages[name] for name in todo], outdir / DOCX_LIBREOFFICE, "docx")
        made[DOCX_LIBREOFFICE] = docx
        for kind, target in ((PDF_LIBREOFFICE, "pdf"), (TEXT_LIBREOFFICE, "txt")):
            if kind in kinds:
                files = wanted(kind)
                todo = [name for name, path in files.items() if not path.exists()]
                if todo:
                    libreoffice([docx[name] for name in todo], outdir / kind, target)
                made[kind] = files
    return {kind: files for kind, files in made.items() if kind in kinds}

# ------------------------------------------------------------------------------------------------ file to text


def libreoffice_text(text_file: Path) -> str:
    """LibreOffice's text export of the Word file (made by ``make_files``): one paragraph or cell per line,
    an empty cell an empty line."""
    return Path(text_file).read_text(encoding="utf-8-sig")


def pdftotext(pdf: Path, layout: bool = False) -> str:
    """``pdftotext``: in reading order (a ruled table's cells one per line, blank cells leave nothing), or with
    ``-layout`` the page's text placed by position (columns kept as runs of spaces)."""
    return _run([_program("pdftotext", "poppler-utils"), "-enc", "UTF-8", *(["-layout"] if layout else []),
                 str(pdf), "-"])


def pymupdf_text(pdf: Path) -> str:
    """PyMuPDF's ``page.get_text()`` of every page: text blocks in the file's order, one line per span line."""
    fitz = _module("pymupdf")
    with fitz.open(str(pdf)) as document:
        return "".join(page.get_text() for page in document)


def pdfplumber_text(pdf: Path) -> str:
    """pdfplumber's ``page.extract_text()`` of every page (its defaults: words joined by single spaces)."""
    with _module("pdfplumber").open(str(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def pymupdf4llm_markdown(pdf: Path) -> str:
    """pymupdf4llm's Markdown of the PDF (its defaults: tables it finds as pipe tables), OCR off: the PDFs carry
    their text, and OCR would only make the form depend on which OCR engines happen to be installed."""
    converter = _module("pymupdf4llm")
    try:
        return converter.to_markdown(str(pdf), show_progress=False, use_ocr=False)
    except TypeError:          # a version without OCR (and without the option)
        return converter.to_markdown(str(pdf), show_progress=False)


def file_itself(path: Path) -> Path:
    """A file form: the PDF or Word file itself, read by xxgk's own readers."""
    return Path(path)

# ------------------------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Tool:
    function: Callable[[Path], str | Path]   # text of the form (a Path for a file form)
    keeps: str                               # KEEPS_EVERY_CELL, DROPS_BLANKS or LOSES_TABLES
    reads: str = PAGE                        # PAGE or one of MADE_FILES

    @property
    def is_file(self) -> bool:
        return self.function is file_itself


def _pdf_tools(suffix: str, reads: str) -> dict[str, Tool]:
    return {
        f"pdf@{suffix}": Tool(file_itself, KEEPS_EVERY_CELL, reads),
        f"pdftotext@{suffix}": Tool(pdftotext, DROPS_BLANKS, reads),
        f"pdftotext-layout@{suffix}": Tool(lambda pdf: pdftotext(pdf, layout=True), KEEPS_EVERY_CELL, reads),
        f"pymupdf@{suffix}": Tool(pymupdf_text, DROPS_BLANKS, reads),
        f"pdfplumber@{suffix}": Tool(pdfplumber_text, DROPS_BLANKS, reads),
        f"pymupdf4llm@{suffix}": Tool(pymupdf4llm_markdown, KEEPS_EVERY_CELL, reads),
    }


TOOLS: dict[str, Tool] = {
    "w3m": Tool(w3m, KEEPS_EVERY_CELL),
    "w3m-wide": Tool(lambda page: w3m(page, WIDE_COLUMNS), KEEPS_EVERY_CELL),
    "lynx": Tool(lynx, KEEPS_EVERY_CELL),
    "lynx-wide": Tool(lambda page: lynx(page, LYNX_WIDE), KEEPS_EVERY_CELL),
    "pandoc-plain": Tool(pandoc, LOSES_TABLES),
    "pandoc-plain-wide": Tool(lambda page: pandoc(page, "plain", WIDE_COLUMNS), KEEPS_EVERY_CELL),
    "pandoc-gfm": Tool(lambda page: pandoc(page, "gfm"), KEEPS_EVERY_CELL),
    "html2text": Tool(html2text_dump, KEEPS_EVERY_CELL),
    "inscriptis": Tool(inscriptis_dump, KEEPS_EVERY_CELL),
    "trafilatura-txt": Tool(trafilatura_dump, KEEPS_EVERY_CELL),
    "trafilatura-md": Tool(lambda page: trafilatura_dump(page, "markdown"), KEEPS_EVERY_CELL),
    "markdownify": Tool(markdownify_dump, KEEPS_EVERY_CELL),
    "bs4-strip": Tool(lambda page: get_text(page, strip=True), DROPS_BLANKS),
    "bs4-raw": Tool(lambda page: get_text(page, strip=False), KEEPS_EVERY_CELL),
    "libreoffice-txt": Tool(libreoffice_text, KEEPS_EVERY_CELL, TEXT_LIBREOFFICE),
    "docx@libreoffice": Tool(file_itself, KEEPS_EVERY_CELL, DOCX_LIBREOFFICE),
    **_pdf_tools("chromium", PDF_CHROMIUM),
    **_pdf_tools("libreoffice", PDF_LIBREOFFICE),
}


def run_tool(name: str, source: Path) -> str | Path:
    """The form ``name`` of one report, from the file the tool reads (the page, or the file ``make_files``
    made of it)."""
    if name not in TOOLS:
        raise ValueError(f"unknown tool form {name!r}; expected one of {', '.join(TOOLS)}")
    return TOOLS[name].function(Path(source))
