"""Stage 1, reading: a report file's bytes to text, one reader per format.

The kind is told by the bytes (``sniff``): PDF, DOCX, old .doc, an image (a scan, read by ``ocr``), else text, decoded (``decode``) and told
apart as HTML, Markdown or plain text. ``READERS`` names the reader of each kind; each gives the same thing
(``base``): prose one paragraph per line and every table as tab-separated rows. Lookalike characters (Kangxi
radicals, compatibility ideographs) are folded in every reader's text (``xxgk.text.fold_lookalikes``).

A PDF's candidate tables are scored by a ``TableJudge`` the caller hands over (the pipeline's is
``xxgk.tables.judge``); without one every table is kept as pdfplumber reads it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..datamodel import Document, TableJudge
from ..text import fold_lookalikes
from .base import NeedsOCR, ReadError, Reader, Source
from .decode import decode
from .html import read_html
from .markdown import read_markdown
from .ocr import read_image
from .pdf import read_pdf
from .plain import read_text
from .sniff import binary_kind, sniff, text_kind
from .word import read_doc, read_docx

__all__ = ["READERS", "Document", "NeedsOCR", "ReadError", "read_bytes", "read_file", "sniff", "text_document"]

READERS: dict[str, Reader] = {
    "pdf": read_pdf,
    "docx": read_docx,
    "doc": read_doc,
    "image": read_image,
    "html": read_html,
    "markdown": read_markdown,
    "text": read_text,
}


def read_file(path: str | Path, judge: TableJudge | None = None) -> Document:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot open: {exc.strerror or exc}") from exc
    return read_bytes(data, path, judge)


def read_bytes(data: bytes, path: str | Path = "<stdin>", judge: TableJudge | None = None) -> Document:
    path = Path(path)
    if not data.strip():
        raise ReadError(path, "empty file")
    name = path.stem if str(path) != "<stdin>" else "stdin"
    kind = sniff(data)
    if kind == "other":
        refused = binary_kind(data)
        if refused:
            raise ReadError(path, f"binary input: {refused}")
        text, encoding = decode(data, path)
        kind, source = text_kind(text), Source(data, path, text, encoding)
    else:
        source = Source(data, path)
    text, tables_meta, *sure = READERS[kind](source, judge)
    return Document(fold_lookalikes(text), name, str(path), source.encoding, kind, hashlib.sha256(data).hexdigest(),
                    tables_meta, sure[0] if sure else {})


def text_document(text: str, source_name: str = "<text>") -> Document:
    """Text handed over as it is (no file, no decoding), read as a decoded file's text would be: told apart as
    HTML, Markdown or plain text (whose drawn tables are read back as grids), and folded."""
    path = Path(source_name)
    kind = text_kind(text)
    read, tables_meta, *sure = READERS[kind](Source(b"", path, text, "str"), None)
    return Document(fold_lookalikes(read), path.stem, source_name, "str", kind, "", tables_meta, sure[0] if sure else {})
