"""Bytes of a text format to text: the encoding is detected, never assumed.

UTF-8 (with or without BOM), GB18030/GBK, UTF-16 with a BOM or without one (told by which bytes are NUL),
and what charset-normalizer finds for the rest; bytes that no encoding reads as text are refused.
"""
from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from .base import ReadError

# Control characters (tabs and line breaks aside) in a decoded text above this share: the encoding is wrong.
MAX_CONTROL_SHARE = 0.01
SAMPLE = 5000          # characters looked at for that


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
        if looks_like_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or not looks_like_text(str(best)):
        raise ReadError(path, "binary input: no text encoding fits (not UTF-8, GB18030 or UTF-16)")
    return str(best), best.encoding


def looks_like_text(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for ch in text[:SAMPLE] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control / min(len(text), SAMPLE) < MAX_CONTROL_SHARE
