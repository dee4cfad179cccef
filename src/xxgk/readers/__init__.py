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
import os
import stat
from pathlib import Path

from ..datamodel import Document, TableJudge
from ..text import fold_lookalikes
from ..extras import install_hint
from .base import MissingExtra, NeedsOCR, ReadError, Reader, Source
from .decode import decode_text
from .html import read_html
from .markdown import read_markdown
from .ocr import read_image
from .pdf import read_pdf
from .plain import read_text
from .sniff import binary_kind, sniff, text_kind
from .word import read_doc, read_docx

__all__ = ["READERS", "Document", "MissingExtra", "NeedsOCR", "ReadError", "read_bytes", "read_file", "sniff", "text_document"]

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
    return read_bytes(read_regular_file(path), path, judge)


def read_regular_file(path: str | Path) -> bytes:
    """The bytes of a regular file. Anything else (a FIFO, a device, a socket) is refused before it is opened:
    reading a FIFO named by mistake would wait for a writer for ever."""
    path = Path(path)
    try:
        # O_NONBLOCK: a FIFO swapped in between the check and the open must not block the open either.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ReadError(path, f"cannot open: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ReadError(path, "a folder, not a file")
        if not stat.S_ISREG(mode):
            raise ReadError(path, f"not a regular file ({_file_type(mode)}); only files are read")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as exc:
        raise ReadError(path, f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


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
        decoded = decode_text(data, path)
        kind, source = text_kind(decoded.text), Source(data, path, decoded.text, decoded.encoding)
        bad_bytes = decoded.bad_bytes
    else:
        source, bad_bytes = Source(data, path), 0
    try:
        text, tables_meta, *sure = READERS[kind](source, judge)
    except ImportError as exc:
        raise MissingExtra(path, install_hint(exc, f"reading a {KIND_NAMES.get(kind, kind)}")) from exc
    return Document(fold_lookalikes(text), name, str(path), source.encoding, kind, hashlib.sha256(data).hexdigest(),
                    tables_meta, sure[0] if sure else {}, bad_bytes)


KIND_NAMES = {"pdf": "PDF", "docx": "Word file (.docx)", "doc": "Word file (.doc)", "html": "web page",
              "markdown": "Markdown file", "text": "text file", "image": "scanned image"}


def text_document(text: str, source_name: str = "<text>") -> Document:
    """Text handed over as it is (no file, no decoding), read as a decoded file's text would be: told apart as
    HTML, Markdown or plain text (whose drawn tables are read back as grids), and folded."""
    path = Path(source_name)
    kind = text_kind(text)
    read, tables_meta, *sure = READERS[kind](Source(b"", path, text, "str"), None)
    return Document(fold_lookalikes(read), path.stem, source_name, "str", kind, "", tables_meta, sure[0] if sure else {})
