"""Read a report file into text (stage 1): format sniffing by content, encoding detection, clear refusals.

The format is told by the bytes, not the file name: ``%PDF`` (``pdf.py``), a ZIP holding
``word/document.xml`` (DOCX, ``word.py``), an OLE file with a WordDocument stream (old .doc, through
LibreOffice), markup (HTML, ``html.py``), Markdown pipe tables, else plain text. Text may come in UTF-8,
GB18030/GBK or UTF-16 (with or without BOM); the encoding is detected, never assumed (a page's meta
charset included). Every reader gives the same thing: prose one paragraph per line and each table as
lines of tab-separated cells (``tab_rows``), which the table recovery reads cell for cell.
Anything that cannot be read raises ``ReadError`` naming the file and the reason.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from charset_normalizer import from_bytes

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".xhtml", ".shtml", ".csv", ""}
BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP container (XLSX/ZIP), not a report document",
    b"\xd0\xcf\x11\xe0": "an OLE file (.xls or another Office file), not a report document",
    b"\x89PNG": "a PNG image (a scan needs OCR)",
    b"\xff\xd8\xff": "a JPEG image (a scan needs OCR)",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}


class ReadError(Exception):
    """A file that cannot be read as a report; the message names the file and why."""

    def __init__(self, path: str | Path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


class NeedsOCR(ReadError):
    """A scanned document: pages without a text layer. Reading it needs OCR first."""


@dataclass
class Document:
    text: str
    name: str               # file name without its extension: the record's output name
    path: str
    encoding: str
    reader: str             # text | html | markdown | pdf | docx | doc
    sha256: str
    # One entry per table the reader found: {"page", "strategy", "rows", "cols", "score", ...}
    # (PDF: page and the strategy kept, lattice/stream/pdfplumber; DOCX/HTML: strategy "grid").
    tables_meta: list[dict] = field(default_factory=list)


def read_file(path: str | Path) -> Document:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot open: {exc.strerror or exc}") from exc
    return read_bytes(data, path)


def read_bytes(data: bytes, path: str | Path = "<stdin>") -> Document:
    path = Path(path) if not isinstance(path, Path) else path
    if not data.strip():
        raise ReadError(path, "empty file")
    name = path.stem if str(path) != "<stdin>" else "stdin"
    digest = hashlib.sha256(data).hexdigest()
    kind = sniff(data)
    if kind in ("pdf", "docx", "doc"):
        if kind == "pdf":
            from .pdf import read_pdf as read_binary
        else:
            from .word import read_doc, read_docx
            read_binary = read_docx if kind == "docx" else read_doc
        text, tables_meta = read_binary(data, path)
        return Document(text, name, str(path), "binary", kind, digest, tables_meta)
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ReadError(path, f"binary input: {what}")
    text, encoding = decode(data, path)
    reader, tables_meta = "text", []
    if looks_like_html(text):
        from .html import html_tables
        text, tables_meta = html_tables(text)
        reader = "html"
    elif looks_like_markdown(text):
        text, reader = clean_markdown(text), "markdown"
    else:
        from .readers.textgrid import text_grids
        text, tables_meta = text_grids(text)
    return Document(text, name, str(path), encoding, reader, digest, tables_meta)


def sniff(data: bytes) -> str:
    """pdf | docx | doc | other, from the bytes alone."""
    head = data[:1024]
    if b"%PDF-" in head:      # some producers put junk (a BOM, a mail header) before the signature
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "other"
    if data.startswith(b"\xd0\xcf\x11\xe0") and "WordDocument".encode("utf-16-le") in data[:65536 * 8]:
        return "doc"
    return "other"


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or (
        "<body" in text[:20000].lower() and "</" in text[:20000]) or (
        len(re.findall(r"</(?:p|div|td|tr|table|span)>", text[:20000], re.I)) >= 5)


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)


def looks_like_markdown(text: str) -> bool:
    return len(_PIPE_ROW.findall(text)) >= 5


def clean_markdown(text: str) -> str:
    """What converters put inside pipe cells that is not the cell's text: <br>, bold marks, escaped pipes."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            line = re.sub(r"<br\s*/?>", "", line, flags=re.I).replace("\\|", "｜").replace("&nbsp;", " ")
            line = re.sub(r"\*\*(.*?)\*\*|__(.*?)__", lambda m: m.group(1) or m.group(2) or "", line)
        lines.append(line)
    return "\n".join(lines)


def tab_rows(rows: list[list[str]], width: int | None = None) -> list[str]:
    """A table grid as the recovery reads it best: one line per row, cells between tabs, blanks kept.

    Rows blank throughout are kept (a row of blank zeros is data); trailing columns blank in every row go,
    unless ``width`` says how wide the table is (the rest of a table continued from the page before).
    """
    rows = [[_one_line(c) for c in row] for row in rows]
    if width is None:
        width = max((i + 1 for row in rows for i, c in enumerate(row) if c), default=0)
    return ["\t".join(row[:width] + [""] * (width - len(row))) for row in rows]


def _one_line(cell: str | None) -> str:
    return join_lines(cell.split("\n")) if cell else ""


_WS = re.compile(r"[ \t\r\n\f\v\xa0\u3000\u200b\ufeff]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_CJK_END = re.compile(f"[{_CJK}]$")
_CJK_START = re.compile(f"^[{_CJK}]")


def squeeze(text: str) -> str:
    """Whitespace collapsed as a browser shows it, and dropped between Chinese characters (source line breaks)."""
    text = _WS.sub(" ", text).strip()
    return _CJK_GAP.sub("", text)


def join_lines(lines) -> str:
    """Lines of one cell joined: no space where a Chinese character meets the break, one space otherwise."""
    out = ""
    for line in lines:
        line = squeeze(line)
        if not line:
            continue
        if out and not (_CJK_END.search(out) or _CJK_START.match(line)):
            out += " "
        out += line
    return out


def decode(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Text and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    sample = data[:4000]
    if sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM: every other byte of ASCII text is NUL; the NULs' side tells the byte order.
        even = sample[0::2].count(b"\x00")
        odd = sample[1::2].count(b"\x00")
        encoding = "utf-16-be" if even > odd else "utf-16-le"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            raise ReadError(path, "binary input: NUL bytes and no text encoding fits") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or not _looks_like_text(str(best)):
        raise ReadError(path, "binary input: no text encoding fits (not UTF-8, GB18030 or UTF-16)")
    return str(best), best.encoding


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for ch in text[:5000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control / min(len(text), 5000) < 0.01
