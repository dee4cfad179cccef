"""What kind of file a report is, told by its bytes (and, for text, by its content), never by its name.

``%PDF`` is a PDF; a ZIP holding ``word/document.xml`` a DOCX; an OLE file with a WordDocument stream an old
.doc; a PNG, JPEG or TIFF an image (a scan, for the OCR reader); other binary containers are refused with what
they are. Text is HTML when it is markup,
Markdown when it has pipe tables, else plain text.
"""
from __future__ import annotations

import re
import zipfile
from io import BytesIO

# Binary files that are not reports, and what to tell the user they are.
BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP container (XLSX/ZIP), not a report document",
    b"\xd0\xcf\x11\xe0": "an OLE file (.xls or another Office file), not a report document",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}
# Images a scanned report comes as (the OCR reader's kind "image"): PNG, JPEG, TIFF (either byte order).
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
# Some producers put junk (a BOM, a mail header) before a PDF's signature: it is looked for this far in.
PDF_SIGNATURE_REACH = 1024
# An OLE file is a Word document when its directory names a WordDocument stream within this many bytes.
OLE_DIRECTORY_REACH = 65536 * 8
# Markup closing tags that make a text a web page even without <html> or <body> (a saved fragment).
HTML_CLOSING_TAGS = 5
# Pipe rows that make a text Markdown (a table has at least this many).
MARKDOWN_PIPE_ROWS = 5


def sniff(data: bytes) -> str:
    """pdf | docx | doc | image | other, from the bytes alone."""
    if b"%PDF-" in data[:PDF_SIGNATURE_REACH]:
        return "pdf"
    if data.startswith(IMAGE_SIGNATURES):
        return "image"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "other"
    if data.startswith(b"\xd0\xcf\x11\xe0") and "WordDocument".encode("utf-16-le") in data[:OLE_DIRECTORY_REACH]:
        return "doc"
    return "other"


def binary_kind(data: bytes) -> str | None:
    """What a binary file that is no report is (a ZIP, an image…), or None."""
    return next((what for signature, what in BINARY_SIGNATURES.items() if data.startswith(signature)), None)


def text_kind(text: str) -> str:
    """html | markdown | text, from the decoded text. A page is HTML by its document markers; Markdown with raw
    HTML tables inside (pandoc's gfm writes a table with merged cells so) stays Markdown, and its tables are read
    where they stand; markup fragments without either are HTML."""
    if looks_like_html_document(text):
        return "html"
    if looks_like_markdown(text):
        return "markdown"
    if looks_like_html(text):
        return "html"
    return "text"


def looks_like_html_document(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or (
        "<body" in text[:20000].lower() and "</" in text[:20000])


def looks_like_html(text: str) -> bool:
    return looks_like_html_document(text) or (
        len(re.findall(r"</(?:p|div|td|tr|table|span)>", text[:20000], re.I)) >= HTML_CLOSING_TAGS)


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)


def looks_like_markdown(text: str) -> bool:
    return len(_PIPE_ROW.findall(text)) >= MARKDOWN_PIPE_ROWS
