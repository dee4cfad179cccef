"""Read a report file into text (stage 1): encoding detection, format sniffing, clear refusals.

Text files may come in UTF-8, GB18030/GBK or UTF-16 (with or without BOM); the encoding is detected,
never assumed. Saved HTML pages are turned into text with their tables as tab-separated rows.
Anything that cannot be read raises ``ReadError`` naming the file and the reason.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".xhtml", ".shtml", ".csv", ""}
BINARY_SIGNATURES = {
    b"%PDF": "a PDF file (PDF reading is not available in this version; convert it to text first)",
    b"PK\x03\x04": "a ZIP container (DOCX/XLSX/ZIP), not a text report",
    b"\xd0\xcf\x11\xe0": "an OLE file (old .doc/.xls), not a text report",
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


@dataclass
class Document:
    text: str
    name: str               # file name without its extension: the record's output name
    path: str
    encoding: str
    reader: str             # text | html
    sha256: str


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
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ReadError(path, f"binary input: {what}")
    text, encoding = decode(data, path)
    reader = "text"
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) or ("<body" in head and "</" in text[:20000]):
        from .html import html_to_text
        text, reader = html_to_text(text), "html"
    name = path.stem if str(path) != "<stdin>" else "stdin"
    return Document(text, name, str(path), encoding, reader, hashlib.sha256(data).hexdigest())


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
