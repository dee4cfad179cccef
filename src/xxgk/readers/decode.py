"""Bytes of a text format to text: the encoding is detected, never assumed.

UTF-8 (with or without BOM), GB18030/GBK, UTF-16 with a BOM or without one (told by which bytes are NUL),
and what charset-normalizer finds for the rest. A text with a few bytes its encoding cannot read (a transfer
glitch, a character cut in two) is still read: each run of bad bytes becomes U+FFFD (``REPLACEMENT``), and
the caller is told how many bytes were lost, so that the cells on those lines are marked unsure. Only bytes
that no encoding reads as text, or only with many bad bytes, are refused as binary.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from .base import ReadError

# Control characters (tabs and line breaks aside) in a decoded text above this share: the encoding is wrong.
MAX_CONTROL_SHARE = 0.01
SAMPLE = 5000          # characters looked at for that
# What a lost character becomes in the text; a line that holds it is damaged (the pipeline doubts its cells).
REPLACEMENT = "\ufffd"
# How many undecodable bytes a text may have and still be read in that encoding: a few (a glitch damages a
# handful of bytes; a character cut at a buffer's end, one to three), and at most one in 500. A text in
# another encoding read as UTF-8 fails on nearly every Chinese character, a tenth of its bytes or more, so
# the two cannot be confused.
MIN_BAD_BYTES = 8
MAX_BAD_BYTE_SHARE = 0.002
# UTF-16 without a byte-order mark: the bytes looked at, how many NULs make it likely (a report in Chinese has
# a digit, space or line break every few characters), and the share of them that must sit on one side.
UTF16_SAMPLE = 4000
UTF16_MIN_NULS = 8
UTF16_MIN_NUL_SHARE = 0.02
UTF16_NUL_SIDE = 0.95


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bad_bytes: int = 0    # bytes the encoding could not read, each run replaced by REPLACEMENT


def bad_byte_budget(size: int) -> int:
    return max(MIN_BAD_BYTES, int(size * MAX_BAD_BYTE_SHARE))


def decode(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Text and the encoding it was read with (``decode_text`` says how many bytes were lost as well)."""
    decoded = decode_text(data, path)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, path: str | Path = "<bytes>") -> Decoded:
    """The text, the encoding it was read with, and how many bytes that encoding could not read."""
    budget = bad_byte_budget(len(data))
    if data.startswith(b"\xef\xbb\xbf"):
        return _tolerant(data[3:], "utf-8", budget) or _refuse(path, "a UTF-8 mark, then no UTF-8 text")
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            # An odd byte count (a file cut short) leaves one byte over: it is lost, the rest is read.
            return _tolerant(data[2:], encoding, budget) or _refuse(path, "a UTF-16 mark, then no UTF-16 text")
    encoding = utf16_without_bom(data[:UTF16_SAMPLE])
    if encoding:
        decoded = _tolerant(data, encoding, budget)
        if decoded is None or not looks_like_text(decoded.text):
            _refuse(path, "NUL bytes and no text encoding fits")
        return decoded
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # A few bad bytes in UTF-8 first: GB18030 reads almost any bytes, so it would read such a text as gibberish.
    decoded = _tolerant(data, "utf-8", budget)
    if decoded is not None and looks_like_text(decoded.text):
        return decoded
    decoded = _tolerant(data, "gb18030", budget)
    if decoded is not None and looks_like_text(decoded.text):
        return decoded
    best = from_bytes(data).best()
    if best is None or not looks_like_text(str(best)):
        _refuse(path, "no text encoding fits (not UTF-8, GB18030 or UTF-16)")
    return Decoded(str(best), best.encoding)


def utf16_without_bom(sample: bytes) -> str | None:
    """utf-16-le or utf-16-be when NUL bytes sit on one side of the byte pairs, as the high byte of every
    ASCII character of UTF-16 text does (a Chinese text has fewer: its digits, spaces and line breaks).
    UTF-8 and GB18030 text has no NUL byte at all."""
    nul_even, nul_odd = sample[0::2].count(0), sample[1::2].count(0)
    if nul_even + nul_odd < max(UTF16_MIN_NULS, len(sample) * UTF16_MIN_NUL_SHARE):
        return None
    if nul_even >= UTF16_NUL_SIDE * (nul_even + nul_odd):
        return "utf-16-be"
    if nul_odd >= UTF16_NUL_SIDE * (nul_even + nul_odd):
        return "utf-16-le"
    return None


def _tolerant(data: bytes, encoding: str, budget: int) -> Decoded | None:
    """``data`` in ``encoding`` with each run of undecodable bytes replaced, or None past ``budget`` bad bytes."""
    parts: list[str] = []
    bad = 0
    position = 0
    while True:
        try:
            parts.append(data[position:].decode(encoding))
            break
        except UnicodeDecodeError as exc:
            parts.append(data[position:position + exc.start].decode(encoding))
            if exc.start or not parts[:-1] or parts[-2] != REPLACEMENT:   # one mark for a run of bad bytes
                parts.append(REPLACEMENT)
            bad += exc.end - exc.start
            position += exc.end
            if bad > budget:
                return None
    return Decoded("".join(parts), encoding, bad)


def _refuse(path: str | Path, reason: str):
    raise ReadError(path, f"binary input: {reason}")


def looks_like_text(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for ch in text[:SAMPLE] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control / min(len(text), SAMPLE) < MAX_CONTROL_SHARE
