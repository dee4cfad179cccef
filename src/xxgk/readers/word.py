"""Word reports to text (part of stage 1): paragraphs one per line, every table as a grid of tab rows.

DOCX is read with python-docx, walking the body in order. Merged cells are placed on the table grid as
Word stores them: ``gridSpan`` (merged across) and ``vMerge`` (merged down, continued cells left blank),
``gridBefore`` for rows that start to the right. A table whose cells hold tables (page layout) is walked
like the body, so its inner tables become grids. An old binary ``.doc`` goes through LibreOffice
(``soffice --headless --convert-to docx``) when it is installed; without it the error says so.
(The module is not called ``docx`` so that it never shadows python-docx.)
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from ..datamodel import TableJudge
from ..text import join_lines
from .base import ReadError, Source, tab_rows

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SOFFICE_TIMEOUT = 120


def read_docx(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    return docx_text(source.data, source.path)


def read_doc(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict]]:
    """An old Word 97-2003 file, converted to DOCX by LibreOffice first."""
    return doc_text(source.data, source.path)


def docx_text(data: bytes, path: str | Path = "<docx>") -> tuple[str, list[dict]]:
    try:
        import docx
    except ImportError as exc:
        raise ReadError(path, "a DOCX file needs python-docx, part of the core: pip install xxgk") from exc
    try:
        body = docx.Document(BytesIO(data)).element.body
    except Exception as exc:  # python-docx raises assorted errors on damaged packages
        raise ReadError(path, f"unreadable DOCX ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    meta: list[dict] = []
    _walk(body, lines, meta)
    return "\n".join(lines), meta


def doc_text(data: bytes, path: str | Path = "<doc>") -> tuple[str, list[dict]]:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        raise ReadError(path, "an old Word .doc file: reading it needs LibreOffice (soffice), which is not "
                              "installed; install it (Debian: libreoffice-writer) or save the file as .docx")
    with tempfile.TemporaryDirectory(prefix="xxgk-doc-") as tmp:
        source = Path(tmp) / "report.doc"
        source.write_bytes(data)
        profile = (Path(tmp) / "profile").as_uri()
        try:
            subprocess.run([binary, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                            "--convert-to", "docx", "--outdir", tmp, str(source)],
                           check=True, capture_output=True, timeout=SOFFICE_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ReadError(path, f"LibreOffice could not convert this .doc file ({exc})") from exc
        converted = Path(tmp) / "report.docx"
        if not converted.exists():
            raise ReadError(path, "LibreOffice could not convert this .doc file (no output)")
        return docx_text(converted.read_bytes(), path)


def _walk(container, lines: list[str], meta: list[dict]) -> None:
    for child in container:
        if child.tag == f"{W}p":
            lines.extend(line for line in _paragraph_lines(child) if line)
        elif child.tag == f"{W}tbl":
            if child.find(f".//{W}tc//{W}tbl") is not None:
                for tr in child.findall(f"{W}tr"):       # a layout table: its cells are read as the body
                    for cell in tr.findall(f"{W}tc"):
                        _walk(cell, lines, meta)
                continue
            rows = table_rows(child)
            if rows:
                meta.append({"strategy": "grid", "rows": len(rows), "cols": max(len(r) for r in rows),
                             "line": len(lines) + 1})
                lines.extend(tab_rows(rows))
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}smartTag"):
            _walk(child, lines, meta)


def _paragraph_lines(p) -> list[str]:
    pieces: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}delText"):
        if el.tag == f"{W}t":
            pieces.append(el.text or "")
        elif el.tag in (f"{W}br", f"{W}cr"):
            pieces.append("\n")
        elif el.tag == f"{W}tab":
            pieces.append(" ")
    return [" ".join(line.split()) for line in "".join(pieces).split("\n")]


def _cell_text(tc) -> str:
    return join_lines(line for p in tc.iter(f"{W}p") for line in _paragraph_lines(p))


def _val(el, path: str, default: str | None = None) -> str | None:
    found = el.find(path)
    return found.get(f"{W}val", default) if found is not None else None


def table_rows(tbl) -> list[list[str]]:
    """The table on its grid: a merged cell's text in its first position, the positions it covers blank.

    Sliver grid columns (a few twips wide, left by converters where two column edges nearly meet) are
    skipped, so that they do not add a blank cell to every row.
    """
    widths = [int(col.get(f"{W}w", "0") or 0) for col in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    visible = _visible_columns(widths)
    grid: list[list[str]] = []
    for tr in tbl.iter(f"{W}tr"):
        if tr.getparent() is not tbl and tr.getparent().getparent() is not tbl:
            continue       # a row of a nested table
        column = int(_val(tr, f"{W}trPr/{W}gridBefore", "0") or 0)
        row: dict[int, str] = {}
        for tc in tr.findall(f"{W}tc") + [tc for sdt in tr.findall(f"{W}sdt") for tc in sdt.iter(f"{W}tc")]:
            span = int(_val(tc, f"{W}tcPr/{W}gridSpan", "1") or 1)
            if _val(tc, f"{W}tcPr/{W}vMerge", "continue") != "continue":
                text = _cell_text(tc)
                at = visible(column)
                row[at] = join_lines([row.get(at, ""), text]) if row.get(at) else text
            column += span
        grid.append([row.get(c, "") for c in range(max(row, default=-1) + 1)])
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid]


def _visible_columns(widths: list[int]):
    """Grid column -> column as seen: a cell that starts on a sliver starts, to the eye, at the next column."""
    known = sorted(w for w in widths if w > 0)
    if not known:
        return lambda c: c
    sliver = max(30, known[len(known) // 2] // 8)
    mapping, kept = [], 0
    for w in widths:
        mapping.append(kept)
        kept += w >= sliver
    return lambda c: mapping[c] if c < len(mapping) else kept + (c - len(mapping))
