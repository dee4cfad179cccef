"""Text folding, defined once: what a character, a space or a numbering is taken for, everywhere.

Two depths, for two uses:

- ``fold_lookalikes``: characters that look like ordinary Chinese ones and stand for them (Kangxi radicals,
  CJK compatibility ideographs, the simplified-form radicals of the CJK Radicals Supplement: ⽂ for 文, 人⺠ for
  人民). Every reader applies it to the text it gives, so a PDF, a web page, a Word file and a plain text read
  the same characters.
- ``normalize_chars``: that, and the full-width forms and odd spaces scrapes print (１２, \\u3000), folded to
  plain ones; the tables' tokens, the labels and the title are read through it. Full-width brackets, commas
  and colons stay: a label's punctuation is compared by its own rules.

Then ``to_simplified`` (traditional characters, OpenCC), ``strip_numbering`` (a label's leading 1. 1、 （一）),
``nfkc`` (the whole Unicode compatibility folding, for prose and names), and ``squeeze`` / ``join_lines``
(whitespace as a browser shows it, and the lines of one cell joined).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Kangxi radicals (2F00-2FDF) and CJK compatibility ideographs (F900-FAFF) that NFKC maps to the ordinary
# character; PDF producers emit them for whole characters (⽂件 for 文件).
_NFKC_LOOKALIKES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for r in ((0x2E80, 0x2FE0), (0xF900, 0xFB00))
                    for c in range(*r) if unicodedata.normalize("NFKC", chr(c)) != chr(c)}
# The CJK Radicals Supplement has no NFKC mapping; these are the simplified-form radicals producers put
# in for whole characters (人⺠ for 人民, 首⻚ for 首页).
RADICAL_FORMS = dict(zip("⺠⺟⻓⻔⻚⻛⻜⻢⻋⻅⻄⻝⻩⻬⻘⻨⻰⻆⻙⻉⻣⻤⻥⻦⻧⻪⻮⻳⻡⻈⻐⻟⺩⺮⺼⻖⻏⻍⻌",
                         "民母长门页风飞马车见西食黄齐青麦龙角韦贝骨鬼鱼鸟卤黾齿龟首讠钅饣王竹月阝阝辶辶"))
LOOKALIKES = _NFKC_LOOKALIKES | RADICAL_FORMS
_LOOKALIKE_TABLE = str.maketrans(LOOKALIKES)
# The blocks every lookalike is in. ``str.translate`` with a dict pays a failed lookup for each character not
# in it (every ordinary Chinese one), so only the runs of these blocks are translated: the same text, a
# fraction of the time.
_LOOKALIKE_RUN = re.compile("[\u2E80-\u2FDF\uF900-\uFAFF]+")


def run_translator(table: dict[int, str]):
    """For ``re.sub``: a matched run of characters translated by ``table`` (``str.translate``)."""
    return lambda m: m.group().translate(table)


_fold_lookalike_run = run_translator(_LOOKALIKE_TABLE)


def fold_lookalikes(text: str) -> str:
    """Kangxi radicals, compatibility ideographs and supplement radicals to the ordinary characters they stand for."""
    return _LOOKALIKE_RUN.sub(_fold_lookalike_run, text)


# Characters ``normalize_chars`` changes; most lines hold none, and only their runs are translated (as in
# ``fold_lookalikes``).
_FOLDABLE = re.compile("[\uFF01-\uFF5E\u2E80-\u2FDF\uF900-\uFAFF\u3000\xa0\u2002\u2003\u2009\u200b]+")
# Full-width forms kept as they are: a label's brackets and separators are compared by the label rules.
_KEPT_FULL_WIDTH = "（），：；"


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table = {o: chr(o - 0xFEE0) for o in range(0xFF01, 0xFF5F) if chr(o) not in _KEPT_FULL_WIDTH}
    for o in [*range(0x2E80, 0x2FE0), *range(0xF900, 0xFB00), 0x3000, 0x00A0, 0x2002, 0x2003, 0x2009]:
        table[o] = unicodedata.normalize("NFKC", chr(o))
    table.update({ord(ch): plain for ch, plain in RADICAL_FORMS.items()})
    table[0x200B] = ""
    return table


def normalize_chars(text: str) -> str:
    """Fold compatibility forms (full-width digits/letters, Kangxi radicals, ideographic space) to plain ones."""
    return _FOLDABLE.sub(_fold_run(), text)


@lru_cache(maxsize=1)
def _fold_run():
    return run_translator(_fold_table())


def nfkc(text: str) -> str:
    """Unicode's whole compatibility folding (NFKC): for prose and names, where no punctuation rule applies."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified ones (OpenCC's t2s)."""
    return _to_simplified().convert(text)


NUMBERING = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（][0-9]{1,2}[)）]|[0-9]{1,2}\s*[.、．](?![0-9]))\s*")


def strip_numbering(text: str) -> str:
    """Drop a label's leading numbering in any style: 1. 1、 （一） (一) 一、 (1)."""
    prev = None
    while prev != text:
        prev, text = text, NUMBERING.sub("", text, count=1)
    return text


_WS = re.compile(r"[ \t\r\n\f\v\xa0\u3000\u200b\ufeff]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_CJK_END = re.compile(f"[{_CJK}]$")
_CJK_START = re.compile(f"^[{_CJK}]")
# A break before closing punctuation or after opening punctuation was no space (a tool wrapped 7.属于… as 7 / .属于…).
_NO_SPACE_BEFORE = re.compile(r"^[.,;:!?%)\]}]")
_NO_SPACE_AFTER = re.compile(r"[(\[{]$")


def squeeze(text: str) -> str:
    """Whitespace collapsed as a browser shows it, and dropped between Chinese characters (source line breaks)."""
    text = _WS.sub(" ", text).strip()
    return _CJK_GAP.sub("", text)


def join_lines(lines) -> str:
    """Lines of one cell joined: no space where a Chinese character or punctuation meets the break, one space
    otherwise (between two words)."""
    out = ""
    for line in lines:
        line = squeeze(line)
        if not line:
            continue
        if out and not (_CJK_END.search(out) or _CJK_START.match(line) or _NO_SPACE_BEFORE.match(line)
                        or _NO_SPACE_AFTER.search(out)):
            out += " "
        out += line
    return out


def pipe_cells(line: str, keep_leading: bool = False) -> list[str]:
    """A pipe row's cells. Empty cells before the first one with text go (a label column left empty is no cell of
    the row) unless ``keep_leading``; empty cells at the end stay: a writer that puts no space in an empty cell
    (pymupdf4llm: |二、上年结转…|||||||) ends a row of blank cells with a run of pipes, each of which is a blank
    cell."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return body.split("|") if keep_leading else body.lstrip("|").split("|")
