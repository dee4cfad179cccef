"""Cut a report's text into table tokens (stage 2a): labels, values, blank cells and row breaks.

Scraping flattens tables in many ways; this module undoes the layout part of it and nothing else:
one cell per line (with or without a leading tab, with blank lines between cells or rows), one row per
line with tabs, Markdown pipe rows, and whole pages on one line where a row's cells run together.
What each token means is decided later (``recover``), with the template's structure and arithmetic. A value a
centred one-cell-a-line layout sets off its axis is marked as following a blank cell (``off_axis_lines``), and a
label set one character a word is joined back (``_characters_joined``).
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..datamodel import BLANK, BREAK, CUT_CELL, LABEL, VALUE, Token
from ..labels.dictionary import lexicon, normalize_label
from ..text import normalize_chars, pipe_cells, strip_numbering

__all__ = ["BLANK", "BREAK", "LABEL", "VALUE", "Token", "tokenize", "is_blank"]

_WS = " \t\u3000\xa0\u2002\u2003\u2009\u200b\ufeff"
# A whole cell that is a value: optional sign, digits (thousands commas, decimals), optional unit.
VALUE_CELL = re.compile(r"^\s*([+\-−]?)\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万元|元|件|个|项)?\s*$")
NA_CELL = re.compile(r"^\s*(?:[-—–/／\\]{1,2}|无|空|—{2})\s*$")
FURNITURE = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3}"
                       r"|共\s*\d+\s*页\s*第\s*\d+\s*页)\s*$")
# Inside run-on text: a number, unless it is part of prose (第3, 2020年, 5件? no: 件 is a table unit), a URL,
# an e-mail, a phone number or a code.
_RUN_NUMBER = re.compile(r"(?:(?<![\dA-Za-z@._/:\-第])|(?<=\d)(?=[+\-−]\d))([+\-−]?\d+(?:\.\d+)?)"
                         r"(?:[ \t\u3000]?(万元|元)|(?![\dA-Za-z@_/:%％]|\.\d))"
                         r"|(?P<dashes>[—－]{1,6}|(?<![\d\w])-(?![\d\w])|/(?=\s|$)|(?<=\s)/"
                         # a hyphen mark glued to a label on one side only (行政许可 -第二十条…, 规章0--行政规范性
                         # 文件): a hyphen joining two words (增-减), digits (a date, a phone number, a range) or
                         # letters stays
                         r"|(?<=[\s\d])-{1,6}(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])-{1,6}(?=\s|$))")
_PROSE_AFTER = set("年月日时分秒个条次位名人号期家篇份倍岁户元亿千百万余多")
# A date's number set off from its word by spaces (2023 年度, 12 月 31 日: PDF text tools space a run of Latin
# digits from the Chinese around it), as in a page header that repeats the report's title: prose too.
_SPACED_DATE = re.compile(r"^[ \u3000]+[年月日]")
# A number followed by a dot and a word numbers a label (2.其他法律…); so does one the line ends after (3. alone on a
# line, the label's words wrapped onto the next: PyMuPDF's text of a narrow label cell).
_NUMBERING_AFTER = re.compile(r"^[.．、]\s*(?=[^\d\s]|$)")
# The same two, matched where a number ends inside a longer text (``pattern.match(text, at)``: no ^).
_NUMBERING_AT = re.compile(_NUMBERING_AFTER.pattern[1:])
_SPACED_DATE_AT = re.compile(_SPACED_DATE.pattern[1:])
# A one-digit numbering set apart on a line of its own cell, the row's values after it across a layout's gap (two
# spaces or more): a narrow label cell wrapped around its numbering, which pdftotext -layout prints on the values'
# line (无正当理 / 4.      1      1 / 由大量反复 / 申请). A value is never printed with a full stop after it.
_NUMBERING_BEFORE_A_GAP = re.compile(r"(?<!\S)\d[.．](?= {2,}\S)")
# A web address (Chromium prints the page's file:// or http:// address in every page's footer): its digits are no cells.
_ADDRESS = re.compile(r"(?:https?|file|ftp)://\S+|www\.\S+")


def is_blank(text: str) -> bool:
    return not text.strip(_WS)


def tokenize(text: str, line_confidence: dict[int, list[float]] | None = None) -> list[Token]:
    """Tokens of the whole text, in reading order, with a BREAK at every row end the layout shows.

    ``line_confidence`` (``Document.line_confidence``) says how sure the reader was of a line's tab cells: each
    token made from a cell carries that cell's confidence (a cell split into several tokens gives it to each)."""
    tokens = _tokenize(text)
    shifted = off_axis_lines(text)
    if shifted:
        for token in tokens:
            if token.kind == VALUE and token.line in shifted:
                token.after_blank = True
    under = columns_under_heads(text)
    if under:
        _attach_heads(tokens, under)
    if "\f" in text:
        _attach_places(tokens, value_places(text))
    if line_confidence:
        attach_confidence(tokens, text, line_confidence)
    return tokens


# Table 3's column heads as a PDF's paged text prints their first line (商业 of 商业企业, 法律 of 法律服务机构; 自然 of
# 自然人, which a narrow cell wraps after 自然), in the template's column order.
_HEAD_WORDS = (("natural_person", "自然"), ("business", "商业"), ("research", "科研"), ("nonprofit", "社会"),
               ("legal_services", "法律"), ("other_org", "(?<!或)其他"), ("total", "总计"))
# The header of table 3: from the head over the applicants' columns to the first row's label, on one page (its
# first line: a narrow cell wraps 一、本年 / 新收政府信息公开申请数量, the row's values between the two).
_APPLICANTS_HEAD = re.compile(r"申请人情况|法人或其他组织")
_FIRST_ROW = re.compile(r"本年新收|一、本年")
# Lines of the header searched above the first row's label (a header wraps its heads over four or five lines, and
# LibreOffice's text puts two empty lines between its blocks).
HEADER_REACH = 16
# How far (in characters) a value's centre may stand from its head's: pdftotext -layout sets a value under its
# head's characters (LibreOffice: 1 under 自然人, 3 under 总计) but squeezes heads 3 characters apart where the
# cells are narrow (Chromium: 人 商业 科研 社会), so a value half-way between two heads names neither: the next
# head must stand HEAD_MARGIN characters farther than the nearest (LibreOffice's stacked heads 科研 / 社会 stand two
# characters apart, over columns their values do not keep apart).
HEAD_REACH = 1.5
HEAD_MARGIN = 2
# Heads found, 总计 among them (the rows' rightmost value must stand under it): two are an order to check and a
# place for the values beside them (Chromium's 法律 and 总计, set apart from its squeezed 商业 科研 社会).
MIN_HEADS = 2
_NUMBER_AT = re.compile(r"(?<![\dA-Za-z./:-])\d+(?:\.\d+)?(?![\dA-Za-z./:-])")


def columns_under_heads(text: str) -> dict[int, list[str]]:
    """For a PDF's paged text (pdftotext -layout: pages parted by form feeds), the table-3 column each number of
    a line (1-based) stands under, in the line's order ("" for one that stands under no head), on the pages that
    print table 3's heads. A page's grid is its own, so only the heads of the same page count, and only where
    they stand in the template's order, each found once; where a number stands is a preference among the
    placements the sums allow (its block may be set past a long label's), not a reading."""
    if "\f" not in text:
        return {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    page_of, page = [], 0
    for line in lines:
        page += line.count("\f")
        page_of.append(page)
    out: dict[int, list[str]] = {}
    for k, line in enumerate(lines):
        if not _FIRST_ROW.search(line):
            continue
        top = next((j for j in range(k - 1, max(-1, k - HEADER_REACH - 1), -1) if _APPLICANTS_HEAD.search(lines[j])),
                   None)
        if top is None or page_of[top] != page_of[k]:
            continue
        heads = _heads(lines[top:k])
        if heads is None:
            continue
        end = k
        while end < len(lines) and page_of[end] == page_of[k] and not _TABLE_AFTER.search(lines[end]):
            end += 1
        spans = {j: [m.span() for m in _NUMBER_AT.finditer(lines[j].replace("\f", ""))] for j in range(k, end)
                 if not _ADDRESS.search(lines[j])}
        # The heads stand where the values do only if the rightmost value of the page's rows, a row's total,
        # stands under 总计: Chromium squeezes narrow heads together (人 商业 科研 社会 法律 three characters apart)
        # over values set five or six apart, and its 总计 then stands cells left of the totals.
        right = max((span for found in spans.values() for span in found), key=lambda span: span[1], default=None)
        if right is None or _under_last(*right, heads) != "total":
            continue
        # A value with another after it on its line is no row's total (总计 is the last column): it stands under
        # one of the other heads, however near 总计 (LibreOffice sets 2 under 法律服务 and 7, the total, one
        # character past 其他 and one short of 总计).
        parts = [head for head in heads if head[1] != "total"]
        pieces = [head for head in _head_pieces(lines[top:k]) if head[1] != "total"]
        for j, found in spans.items():
            if not found:
                continue
            columns = [_under(a, b, parts) or _under_a_piece(a, b, pieces) for a, b in found[:-1]] + [
                _under_last(*found[-1], heads)]
            if any(columns):
                out[j + 1] = columns
    out.update(_appeals_under_heads(lines, page_of))
    disclosure = _disclosure_under_heads(lines, page_of)
    out.update(disclosure)
    for number, columns in _beside_whole_rows(lines, page_of).items():
        if number in disclosure:
            # a value under no head of its small table keeps the column of the whole row it stands over
            out[number] = [head or whole for head, whole in zip(out[number], columns)]
        out.setdefault(number, columns)
    return out


# Lines above or below a short row searched for a row of more values on its page (a table's rows, their labels
# wrapped over two or three lines each).
ROW_REACH = 12
# How far (in characters) a value may stand from the value above or below it in the same column: pdftotext -layout
# sets a block's values at one character column (Chromium: 557 / 10 / 21 from one left edge; LibreOffice centres
# them), one off where a value's width rounds its centre the other way.
COLUMN_SLACK = 1
# ...and how much farther the next value of that row must stand, not to be as near (a column's values set apart).
COLUMN_APART = 3


def _beside_whole_rows(lines: list[str], page_of: list[int]) -> dict[int, list[str]]:
    """For each line of values of a PDF's paged text, the column each of its values stands in among the values of
    the nearest line of more values on the same page, when each stands in one of them (a short row under a whole
    one: 行政强制 21 4 at the character columns of 行政许可 557 4 256's first two). Written ``#k/n``: the k-th of the
    n values; it names the k-th column only of a row of n columns (where that line is a whole row, every cell
    printed). A preference among the placements the sums allow, as a head's is."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for j, line in enumerate(lines):
        if not _ADDRESS.search(line):
            found = [m.span() for m in _NUMBER_AT.finditer(line.replace("\f", ""))]
            if found:
                spans[j] = found
    out: dict[int, list[str]] = {}
    for j, found in spans.items():
        best = None
        # The lines within reach, in the text's order (the nearer first, of two as near the one above): looked up
        # line by line, not every line of numbers of the text for each (a page's text has hundreds).
        within = (r for r in range(max(0, j - ROW_REACH), j + ROW_REACH + 1) if r != j and r in spans)
        for r in sorted((r for r in within if page_of[r] == page_of[j] and len(spans[r]) > len(found)),
                        key=lambda r: abs(r - j)):
            if best is not None and abs(r - j) > abs(best[0] - j):
                break
            at = _columns_in(found, spans[r])
            if at is None:
                continue
            if best is not None and (best[1], len(spans[best[0]])) != (at, len(spans[r])):
                best = None      # two rows as near that disagree: neither
                break
            best = (r, at)
        if best is not None:
            width = len(spans[best[0]])
            out[j + 1] = [f"#{k}/{width}" for k in best[1]]
    return out


def _columns_in(found: list[tuple[int, int]], whole: list[tuple[int, int]]) -> list[int] | None:
    """Which of ``whole``'s values each value of ``found`` stands over (by its start, centre or end), in order; None
    unless every one stands over exactly one."""
    at = []
    for a, b in found:
        near = sorted((min(abs(a - c), abs((a + b) - (c + d)) / 2, abs(b - d)), k) for k, (c, d) in enumerate(whole))
        if near[0][0] > COLUMN_SLACK or (len(near) > 1 and near[1][0] < near[0][0] + COLUMN_APART):
            return None
        at.append(near[0][1])
    if any(x >= y for x, y in zip(at, at[1:])):
        return None
    return at


# Table 4's heading ends table 3's rows (its numbers are no applicant's).
_TABLE_AFTER = re.compile(r"行政复议|行政诉讼")
# Table 4's column heads, each a word of its own or the whole head on one line (结果 / 维持, 结果维持), in the
# template's order; and its groups, left to right, where its row of fifteen prints the heads three times.
_APPEAL_HEADS = (("upheld", "(?:结果)?维持"), ("corrected", "(?:结果)?纠正"), ("other", "其他(?:结果)?"),
                 ("pending", "(?:尚未)?审结"), ("total", "总计"))
_APPEAL_GROUPS = ("review", "litigation_direct", "litigation_after_review")
# A line naming one of table 4's groups (a small table's caption: 行政复议, 行政诉讼（复议后起诉）).
_GROUP_NAME = re.compile(r"行政复议|行政诉讼|直接起诉|复议后起诉")
# Table 4 runs from its heading to the next section's (五、…), within this many lines.
APPEALS_REACH = 60


def _appeals_under_heads(lines: list[str], page_of: list[int]) -> dict[int, list[str]]:
    """Table 4's values under its heads on the lines above them, on the same page (``columns_under_heads``): the
    column (``corrected``) where the heads print once (a row of five, or a small table's), the group's and column
    (``review.corrected``) where they print three times, a group's five after the other's (the row of fifteen)."""
    out: dict[int, list[str]] = {}
    start = next((k for k, line in enumerate(lines) if "行政复议" in line and "四、" in line), None)
    if start is None:
        return out
    end = next((k for k in range(start + 1, min(len(lines), start + APPEALS_REACH)) if "五、" in lines[k]),
               min(len(lines), start + APPEALS_REACH))
    for j in range(start + 1, end):
        if _ADDRESS.search(lines[j]):
            continue
        found = [m.span() for m in _NUMBER_AT.finditer(lines[j].replace("\f", ""))]
        if not found or _WIDE_CHAR.search(lines[j]):
            # A value after a label on its line (a grid's 行政复议 2 1 1 4) stands where the label's block ends,
            # cells off its head (Chromium's 2 under 结果纠正): only a line of values alone is read against the heads.
            continue
        top = j
        while top > start + 1 and page_of[top - 1] == page_of[j] and not _NUMBER_AT.search(lines[top - 1]):
            top -= 1
        heads = _appeal_heads(lines[top:j])
        if heads is None:
            # Three small tables, each group's name over heads of its own, stack their heads down the page: the
            # values stand under the nearest group's, below its name.
            named = next((k for k in range(j - 1, top - 1, -1) if _GROUP_NAME.search(lines[k])), None)
            heads = _appeal_heads(lines[named + 1:j]) if named is not None else None
        if heads is None or _under(*found[-1], heads).rsplit(".", 1)[-1] != "total":
            continue
        columns = [_under(a, b, heads) for a, b in found]
        if any(columns):
            out[j + 1] = columns
    return out


# Table 2's column heads, each small table's on one line, in the template's order (2021's 第二十条第（一）项; 2019's
# （一）, （五）/（六）, （八） and （九）).
_DISCLOSURE_HEADS = ((("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")),
                     (("made", "本年新制作数量"), ("published", "本年新公开数量"), ("total", "对外公开总数量")),
                     (("previous", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")),
                     (("projects", "采购项目数量"), ("amount_wan", "采购总金额")))
# Each head with its pattern, compiled once: escaping and compiling (the cache's look-up) every head anew for every
# line was most of this scan's time on a long PDF's text (7,700 searches, 5-7 ms of a real report's 60).
_DISCLOSURE_PATTERNS = tuple(tuple((column, word, re.compile(re.escape(word))) for column, word in row)
                             for row in _DISCLOSURE_HEADS)
# Any of those heads: most lines of a report hold none, and one search rules each such line out.
_ANY_DISCLOSURE_HEAD = re.compile("|".join(re.escape(word) for row in _DISCLOSURE_HEADS for _, word in row))
# A small table of table 2 prints its rows within this many lines of its heads.
DISCLOSURE_REACH = 8


def _disclosure_under_heads(lines: list[str], page_of: list[int]) -> dict[int, list[str]]:
    """Table 2's values under its small tables' heads on the same page (``columns_under_heads``): a value whose
    centre stands within one head's characters (LibreOffice centres a cell's value under its head: 18 under
    本年废止件数). Table 2 counts a character of a head as one column though it is drawn as two digits' width,
    so a head's middle is no place to measure from: its extent is. A head set one space from another word
    (Chromium's squeezed 本年制发件数 本年废止件数) stands where its block puts it and counts for nothing."""
    out: dict[int, list[str]] = {}
    for k, line in enumerate(lines):
        text = line.replace("\f", "")
        if not _ANY_DISCLOSURE_HEAD.search(text):
            continue
        for row in _DISCLOSURE_PATTERNS:
            # A head the line lacks is ruled out by a substring test, before any pattern is run.
            found = [(m.start(), m.end() - 1, column) for column, word, pattern in row if word in text
                     for m in [pattern.search(text)] if m is not None and not _squeezed(text, m)]
            if len(found) < 2 or any(a[0] >= b[0] for a, b in zip(found, found[1:])):
                continue
            for j in range(k + 1, min(len(lines), k + 1 + DISCLOSURE_REACH)):
                if page_of[j] != page_of[k] or "第二十条" in lines[j] or _ADDRESS.search(lines[j]):
                    break
                spans = [m.span() for m in _NUMBER_AT.finditer(lines[j].replace("\f", ""))]
                columns = []
                for a, b in spans:
                    centre = (a + b - 1) / 2
                    inside = [column for start, end, column in found if start <= centre <= end]
                    columns.append(inside[0] if len(inside) == 1 else "")
                if any(columns):
                    out[j + 1] = columns
            break
    return out


def _appeal_heads(header: list[str]) -> list[tuple[float, str]] | None:
    """The centres of table 4's heads over a line of values: each head once, or each three times (a group's five
    heads left of the next group's), in the template's order; None otherwise."""
    spots = {}
    for column, word in _APPEAL_HEADS:
        spots[column] = sorted((m.start() + m.end() - 1) / 2 for line in header
                               for m in re.finditer(word, line.replace("\f", "")))
    counts = {len(found) for found in spots.values()}
    if counts not in ({1}, {3}):
        return None
    groups = [""] if counts == {1} else [f"{g}." for g in _APPEAL_GROUPS]
    heads = [(spots[column][k], group + column) for k, group in enumerate(groups) for column, _ in _APPEAL_HEADS]
    if any(a[0] >= b[0] for a, b in zip(heads, heads[1:])):
        return None
    return heads


def _heads(header: list[str]) -> list[tuple[float, str]] | None:
    """The centres of the heads found once each in the header's lines, or None unless they stand in order."""
    heads = []
    for column, word in _HEAD_WORDS:
        found = [(line, m) for line in header for m in re.finditer(word, line.replace("\f", ""))]
        if len(found) == 1 and not _squeezed(*found[0]):
            m = found[0][1]
            heads.append(((m.start() + m.end() - 1) / 2, column))
    if len(heads) < MIN_HEADS or any(a[0] >= b[0] for a, b in zip(heads, heads[1:])):
        return None
    return heads


_SQUEEZED = re.compile(r"(?:^|[^ ]) (?=[^ ])")


def _squeezed(line: str, m: re.Match) -> bool:
    """Whether a head stands one space from other words on its line: a block of words pdftotext -layout set one
    space apart (自然 商业 科研 社会 法律, or a head after a label's line: 等于第三 自然), whose words stand where
    the block's left edge puts them, not over their columns (人, the next line's piece of 自然人, three characters
    right of 自然)."""
    line = line.replace("\f", "")
    before = line[max(0, m.start() - 2):m.start()]
    after = line[m.end():m.end() + 2]
    return (len(before) == 2 and before[1] == " " and before[0] != " ") or \
        (len(after) == 2 and after[0] == " " and after[1] != " ")


def _under(start: int, end: int, heads: list[tuple[float, str]]) -> str:
    centre = (start + end - 1) / 2
    near = sorted((abs(centre - at), column) for at, column in heads)
    if near[0][0] > HEAD_REACH or (len(near) > 1 and near[1][0] - near[0][0] < HEAD_MARGIN):
        return ""
    return near[0][1]


# Every piece of table 3's wrapped heads, in whichever line it stands (商业 / 企业, 社会 / 公益 / 组织, 法律 / 服务): on a page
# whose totals stand under 总计, a value under no head found once in order may stand under one of these, squeezed one
# space from its neighbours or not (LibreOffice's 1 under 公益 / 组织, one space after 机构). 机构 ends two heads, 人 is
# a piece too short to place: neither counts.
_HEAD_PIECES = _HEAD_WORDS + (("business", "企业"), ("nonprofit", "公益"), ("nonprofit", "组织"),
                              ("legal_services", "服务"))


def _head_pieces(header: list[str]) -> list[tuple[float, str]]:
    return [((m.start() + m.end() - 1) / 2, column) for line in header for column, word in _HEAD_PIECES
            for m in re.finditer(word, line.replace("\f", ""))]


def _under_a_piece(start: int, end: int, pieces: list[tuple[float, str]]) -> str:
    """The column of the head piece a value stands under: the nearest within HEAD_REACH, the nearest piece of any
    other column HEAD_MARGIN farther."""
    centre = (start + end - 1) / 2
    near = sorted((abs(centre - at), column) for at, column in pieces)
    if not near or near[0][0] > HEAD_REACH:
        return ""
    rival = next((d for d, column in near if column != near[0][1]), None)
    return near[0][1] if rival is None or rival - near[0][0] >= HEAD_MARGIN else ""


def _under_last(start: int, end: int, heads: list[tuple[float, str]]) -> str:
    """The head the last value of a line stands under: as ``_under``, but a value as near 总计 as the nearest other
    head, within reach, stands under 总计 (the last column; a row's last value printed is its total, which is never
    blank where any of its cells is not)."""
    column = _under(start, end, heads)
    if column:
        return column
    centre = (start + end - 1) / 2
    near = min(abs(centre - at) for at, _ in heads)
    total = [abs(centre - at) for at, column in heads if column == "total"]
    return "total" if total and total[0] <= HEAD_REACH and total[0] == near else ""


def value_places(text: str) -> dict[int, list[tuple[int, int, int]]]:
    """For a PDF's paged text, where each number of a line (1-based) stands: (page, twice its centre's character
    column, its place in a label's run), in the line's order."""
    out: dict[int, list[tuple[int, int, int]]] = {}
    page = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        page += line.count("\f")
        if _ADDRESS.search(line):
            continue
        line = line.replace("\f", "")
        found = [m.span() for m in _NUMBER_AT.finditer(line)]
        if found:
            out[number] = [(page, a + b - 1, _place_in_a_label_run(line, a)) for a, b in found]
    return out


# A number one space past a label's last character (a CJK character or a closing bracket, a quote), or past numbers
# so set: pdftotext -layout prints a word that near the label in the label's run (``Token.label_run``).
_IN_A_LABEL_RUN = re.compile(r"[\u3400-\u9fff）)”」]((?: \d+)*) $")


def _place_in_a_label_run(line: str, start: int) -> int:
    """The place in a label's run of the number that starts at ``start`` of the line (``Token.label_run``)."""
    m = _IN_A_LABEL_RUN.search(line, 0, start)
    return 1 + m.group(1).count(" ") if m else 0


def _attach_places(tokens: list[Token], places: dict[int, list[tuple[int, int, int]]]) -> None:
    """Each value token gets where its number stands, where its line's values are its numbers."""
    by_line: dict[int, list[Token]] = {}
    for token in tokens:
        if token.line in places and token.kind == VALUE:
            by_line.setdefault(token.line, []).append(token)
    for number, values in by_line.items():
        if len(values) == len(places[number]) and all(_NUMBER_AT.fullmatch(t.text) for t in values):
            for token, (page, at, label_run) in zip(values, places[number]):
                token.at = (page, at)
                token.label_run = label_run


def _attach_heads(tokens: list[Token], under: dict[int, list[str]]) -> None:
    """Each value token gets the column its number stands under, where its line's values are its numbers."""
    by_line: dict[int, list[Token]] = {}
    for token in tokens:
        if token.line in under and token.kind == VALUE:
            by_line.setdefault(token.line, []).append(token)
    for number, values in by_line.items():
        if len(values) == len(under[number]):
            for token, column in zip(values, under[number]):
                token.under = column


# A text that sets each cell on a line of its own, centred or flush right (lynx's text of a table whose cells hold
# aligned paragraphs), sets every cell on one axis, but a cell right after a blank one: the empty paragraph leaves
# the next one set from the cell's edge, off the axis. That is told only where the alignment is: at least this many
# lines of a number alone, half of them (ALIGNED_SHARE) on one axis at least, and of more than one width there (numbers of
# one width stand on one axis flush left as well, and a page's source indented by hand is flush left).
ALIGNED_LINES = 10
ALIGNED_SHARE = 0.5
_LONE_NUMBER = re.compile(r"^( +)([+\-−]?\d+(?:\.\d+)?)\s*$")


def off_axis_lines(text: str) -> set[int]:
    """The lines (1-based) of a number alone that stand off the axis a centred or right-aligned one-cell-a-line
    text sets its cells on: each follows a blank cell of its row (lynx). Empty unless the text is so aligned.

    A number w wide centred in L columns starts at (L - w) // 2, so that twice its start plus its width is L or
    L - 1 whatever its width; set flush right to R, its start plus its width is R. The axis is the one the most
    such lines share; where the two ways share as many (numbers of one or two digits only), a line is off the
    axis only if off both."""
    lone = []
    for number, line in enumerate(text.split("\n"), 1):
        m = _LONE_NUMBER.match(line)
        if m:
            lone.append((number, len(m.group(1)), len(m.group(2))))
    if len(lone) < ALIGNED_LINES:
        return set()
    # Each way of setting a number puts it at an axis: centred, (2·start + width) // 2 for an odd L, its + 1 for an
    # even one; flush right, start + width.
    ways = (lambda start, width: (2 * start + width) // 2, lambda start, width: (2 * start + width + 1) // 2,
            lambda start, width: start + width)
    best, off = 0, None
    for way in ways:
        axes = Counter(way(start, width) for _, start, width in lone)
        for axis, count in axes.items():
            on = [(n, width) for n, start, width in lone if way(start, width) == axis]
            if count < best or len({width for _, width in on}) < 2:
                continue
            lines = {n for n, _, _ in lone} - {n for n, _ in on}
            off = lines if count > best else off & lines
            best = count
    if off is None or best < ALIGNED_SHARE * len(lone):
        return set()
    return off


def attach_confidence(tokens: list[Token], text: str, line_confidence: dict[int, list[float]]) -> None:
    """Each token of a line the reader was unsure of gets its cell's confidence: the tab cell it came from on a
    tab row, the line's least sure cell elsewhere (a line of one cell, or a value glued into prose)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    by_line: dict[int, list[Token]] = {}
    for token in tokens:
        if token.line in line_confidence:
            by_line.setdefault(token.line, []).append(token)
    for number, line_tokens in by_line.items():
        confidences = line_confidence[number]
        if not confidences:
            continue
        cells = lines[number - 1].split("\t") if number <= len(lines) else []
        if len(confidences) == 1 or len(cells) != len(confidences) or len(cells) < 2:
            for token in line_tokens:
                token.confidence = min(token.confidence, min(confidences))
            continue
        cell_of = _cell_of_tokens(line_tokens, cells)
        for token, cell in zip(line_tokens, cell_of):
            own = confidences[cell] if cell is not None else min(confidences)
            token.confidence = min(token.confidence, own)


def _cell_of_tokens(line_tokens: list[Token], cells: list[str]) -> list[int | None]:
    """Which tab cell of its line each token came from: a tab row gives its cells' tokens in order (an empty cell
    one blank token) and the row's BREAK last; None for every token where the counts do not tell."""
    expected = [len(_cell(normalize_chars(c) if not c.isascii() else c, 0)) or 1 for c in cells]
    made = [t for t in line_tokens if t.kind != BREAK]
    if sum(expected) != len(made) or line_tokens[-1].kind != BREAK:
        return [None] * len(line_tokens)
    owner = iter([i for i, count in enumerate(expected) for _ in range(count)])
    return [None if t.kind == BREAK else next(owner) for t in line_tokens]


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    lines = _join_broken_pipe_rows(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines = _join_character_lines(lines)
    lines = _join_label_openings_with_none(lines)
    previous_tabbed_label = False
    first_column_printed = False    # whether the pipe row above holds text in its first cell (``_markdown_row``)
    head_spans: list[int | None] | None = None    # the column head each cell of the pipe table's heads stands in
    phantom_columns = False     # whether those heads have an empty cell between two of them
    heads_below: tuple[list[int | None], frozenset] | None = None   # the pipe table's first heads, their columns
    own_columns: frozenset | None = None     # the columns the last row of heads read named (``_columns_named``)
    in_pipe_table = False
    pipe_tables = 0     # the pipe tables met so far, and the cells of the current one's first row
    pipe_width = 0
    for number, raw in enumerate(lines, 1):
        if raw is None:
            continue
        line = normalize_chars(raw) if not raw.isascii() else raw
        if not line.strip(" ").startswith("|"):
            first_column_printed = False    # a table's pipe rows stand on consecutive lines
            head_spans = None
            phantom_columns = False
            in_pipe_table = False
        elif not in_pipe_table:
            in_pipe_table = True
            heads_below = _first_heads_of_table(lines, number - 1)
            pipe_tables += 1
            pipe_width = len(pipe_cells(line.strip(" "), keep_leading=True))
        if not line.strip(" \t"):
            if line.count("\t") >= 2:
                # A tab row whose cells are all empty.
                tokens.extend(Token(BLANK, "", number) for _ in line.split("\t"))
                tokens.append(Token(BREAK, "", number))
            elif line.startswith("\t") or _nbsp_filler(raw):
                # "\t" or "\t\xa0" on its own line: a blank cell of a one-cell-per-line table; so is a line of
                # no-break spaces alone, the &nbsp; a blank cell of a web page holds, as text exports print it
                # one cell per line (LibreOffice, PyMuPDF, BeautifulSoup): an empty line is no such evidence.
                tokens.append(Token(BLANK, "", number))
            else:
                tokens.append(Token(BREAK, "", number))
            previous_tabbed_label = False
            continue
        stripped = line.strip(" ")
        if stripped.startswith("|") and stripped.count("|") >= 2:
            cells = pipe_cells(stripped, keep_leading=True)
            heads = _head_spans(cells)
            if heads is not None:
                head_spans = heads
                phantom_columns = _empty_between_heads(cells)
                own_columns = _columns_named(cells)
            elif _opens_a_section(cells):
                # Another table's heading: the heads read so far are the table's before it, their borders not this
                # table's (``_opens_a_section``).
                head_spans, phantom_columns, own_columns = None, False, None
            # Rows above the table's first heads (a table continued from the page before, its first rows a section
            # whose heads stood there) are cut by the same column borders as the heads below them.
            spans = head_spans if head_spans is not None else _heads_of_its_section(heads_below, own_columns)
            row = _markdown_row(stripped, number, first_column_printed, spans, phantom_columns)
            if len(cells) == pipe_width:
                _attach_piece_columns(row, cells, pipe_tables)
            tokens.extend(row)
            if not all(_RULE_CELL.fullmatch(c) for c in cells):
                first_column_printed = bool(cells[0].strip())
            previous_tabbed_label = False
            continue
        if "\t" in line:
            body = line[1:] if line.startswith("\t") else line
            if "\t" not in body:
                cell_tokens = _cell(body, number)
                tokens.extend(cell_tokens)
                previous_tabbed_label = bool(cell_tokens) and cell_tokens[-1].kind == LABEL
            else:
                for cell in line.split("\t"):
                    tokens.extend(_cell(cell, number) or [Token(BLANK, "", number)])
                tokens.append(Token(BREAK, "", number))
                previous_tabbed_label = False
            continue
        if previous_tabbed_label and _is_continuation(line):
            # A label cell wrapped onto a line of its own without the tab: 本年新\n制作数量, 上一年项目数\n量.
            tokens[-1].text += line.strip(_WS)
            continue
        tokens.extend(_cell(_characters_joined(line), number))
        previous_tabbed_label = False
    return _units_set_apart(tokens)


# A label set one character a word (a page whose editor wrapped every character in its own span, laid out by
# inscriptis: 一 、 本 年 新 收, 1 . 属 于 国 家 秘 密): at least this many one-character words one space apart, a
# Chinese character among them; the cells of a line stand two spaces apart or more.
SPACED_CHARACTERS = 3
_SPACED_PIECE = re.compile(r"(?<!\S)\S(?: \S){%d,}(?!\S)" % (SPACED_CHARACTERS - 1))
_WIDE_CHAR = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _characters_joined(line: str) -> str:
    """The line with each label set one character a word joined back (一 、 本 年 → 一、本年). A digit in it is
    a numbering's only when a numbering mark follows it (1 . 属 于); digits set so otherwise are cells (1 1 3)."""
    if " " not in line:
        return line

    def joined(m: re.Match) -> str:
        chars = m.group().split(" ")
        if not any(_WIDE_CHAR.match(c) for c in chars):
            return m.group()
        if any(c.isdigit() and (k + 1 == len(chars) or chars[k + 1] not in _NUMBERING_MARK)
               for k, c in enumerate(chars)):
            return m.group()
        return "".join(chars)
    return _SPACED_PIECE.sub(joined, line)


_MONEY_UNIT = re.compile(r"^(?:万元|元)$")


def _units_set_apart(tokens: list[Token]) -> list[Token]:
    """A money unit printed apart from its figure (251000 on one line, 元 on the next: a narrow PDF cell) is the
    figure's own unit: joined to it, so that 元 is never read as 万元."""
    out: list[Token] = []
    for t in tokens:
        if t.kind == LABEL and _MONEY_UNIT.match(t.text.strip()):
            k = len(out) - 1
            while k >= 0 and out[k].kind == BREAK:
                k -= 1
            if k >= 0 and out[k].kind == VALUE and VALUE_CELL.match(out[k].text) \
                    and not VALUE_CELL.match(out[k].text).group(4):
                out[k].text = out[k].text.rstrip() + t.text.strip()
                continue
        out.append(t)
    return out


# A label printed one character per line (a page whose editor wrapped every character in its own span, read by
# BeautifulSoup's get_text("\n")): a run of at least this many one-character lines.
CHARACTER_RUN = 4
_NUMBERING_MARK = frozenset(".．、")
_CLOSERS = frozenset("）)”’」』】〕")
_BLANK_MARKS = frozenset("-—–/／\\")


def _join_character_lines(lines: list[str | None]) -> list[str | None]:
    """Labels printed one character per line put back together: each run of one-character lines (a numbering's
    digits kept in it: 1 / . / 属 / 于 …) becomes the labels it spells, each on the line of its first character,
    cut where the dictionary's labels end (第二十条第（五）项 信息内容 本年处理决定数量 行政许可). The other lines
    of the run become None, so that line numbers stay those of the source."""
    out = list(lines)
    k = 0
    while k < len(out):
        end = k
        while end < len(out) and _character_line(out, end):
            end += 1
        if end - k >= CHARACTER_RUN:
            run = [(j, out[j].strip(_WS)) for j in range(k, end)]
            for j in range(k, end):
                out[j] = None
            for at, label in _spelled_labels(run):
                out[at] = label
            k = end
        else:
            k += 1
    return out


def _join_label_openings_with_none(lines: list[str | None]) -> list[str | None]:
    """A 无 alone on its line that opens the label on the next line (4. / 无 / 正当理由 / 大量反复申请: get_text of a
    page that sets each word of a label in a span, a word a line) joined to that line: it is the label's first
    character (无正当理由), no blank cell's mark, as the labels that open with 无 say (``_label_openings_with_none``).
    Read as a mark, it stood in table 3 as a marked blank cell, and a table that leaves its blank cells out was
    read as one that prints them, every row short of cells."""
    openings = _label_openings_with_none()
    out = list(lines)
    for k in range(len(out) - 1):
        if out[k] is None or out[k].strip(_WS) != "无" or out[k + 1] is None:
            continue
        after = out[k + 1].strip(_WS)
        if after and "无" + after[0] in openings:
            out[k + 1] = "无" + after
            out[k] = None
    return out


def _character_line(lines: list[str | None], k: int) -> bool:
    """A line of one character of a label: not a number, nor a blank cell's mark standing between numbers; a
    numbering's one or two digits when a dot follows on the next line."""
    if lines[k] is None:
        return False
    body = lines[k].strip(_WS)
    if len(body) == 1 and not body.isdigit():
        if body in _BLANK_MARKS:
            # 本年增 / 减: a slash inside a label; between two numbers it is a blank cell's mark
            return _label_character(lines, k - 1) and _label_character(lines, k + 1)
        if body == "无":
            # 无 / 法 / 提 / 供: the first character of a label's word; 无 before anything else (another 无, a
            # number, a bracket) is a blank cell's mark
            return _label_character(lines, k + 1) and bool(_CJK_CHAR.match(lines[k + 1].strip(_WS)))
        return True
    if body.isdigit() and len(body) <= 2 and k + 1 < len(lines) and lines[k + 1] is not None:
        return lines[k + 1].strip(_WS) in _NUMBERING_MARK
    return False


def _label_character(lines: list[str | None], k: int) -> bool:
    if not 0 <= k < len(lines) or lines[k] is None:
        return False
    body = lines[k].strip(_WS)
    return len(body) == 1 and not body.isdigit() and body not in _BLANK_MARKS and body != "无"


@lru_cache(maxsize=1)
def _label_texts() -> tuple[frozenset, int]:
    """Every label of the dictionary in its compared form, and the longest one's length."""
    texts = frozenset(e.text for e in lexicon())
    return texts, max(map(len, texts))


def _spelled_labels(run: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The labels a run of characters spells, each with the line of its first character: cut at the ends of the
    dictionary's labels found in it, covering as many characters as possible; what no label covers (a numbering,
    punctuation) goes with the label after it, or stands alone at the run's end."""
    folded = [(position, ch) for position, (_, raw) in enumerate(run) for ch in normalize_label(raw)]
    text = "".join(ch for _, ch in folded)
    known, longest = _label_texts()
    # best[i]: (characters covered, fewer labels) for text[:i]; start[i]: where the label ending at i begins
    best: list[tuple[int, int]] = [(0, 0)] * (len(text) + 1)
    start: list[int | None] = [None] * (len(text) + 1)
    for i in range(1, len(text) + 1):
        best[i] = best[i - 1]
        for j in range(max(0, i - longest), i - 1):
            if text[j:i] in known:
                score = (best[j][0] + i - j, best[j][1] - 1)
                if score > best[i]:
                    best[i], start[i] = score, j
    last_chars: list[int] = []       # the run position of each label's last character, in order
    i = len(text)
    while i > 0:
        if start[i] is None:
            i -= 1
        else:
            last_chars.append(folded[i - 1][0])
            i = start[i]
    last_chars.reverse()
    pieces, first = [], 0
    for n, last in enumerate(last_chars):
        # a closing bracket or quote after a label's last word is its own (…（单位：万元）)
        limit = last_chars[n + 1] if n + 1 < len(last_chars) else len(run) - 1
        while last < limit and run[last + 1][1] in _CLOSERS:
            last += 1
        pieces.append((run[first][0], "".join(raw for _, raw in run[first:last + 1])))
        first = last + 1
    if first < len(run):
        rest = "".join(raw for _, raw in run[first:])
        if pieces and not normalize_label(rest):
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + rest)
        else:
            pieces.append((run[first][0], rest))
    return pieces


def _nbsp_filler(raw: str) -> bool:
    """A line of no-break spaces (and ordinary ones) alone: an empty cell's &nbsp;."""
    return "\xa0" in raw and not raw.strip(" \t\xa0")


def _join_broken_pipe_rows(lines: list[str]) -> list[str | None]:
    """A Markdown row wrapped inside a cell (| 结果\n维持 | 结果纠正 |) is put back on one line.

    The joined lines are replaced by None so that line numbers stay those of the source.
    """
    out: list[str | None] = list(lines)
    i = 0
    while i < len(out):
        line = out[i].strip() if out[i] is not None else ""
        if line.startswith("|") and not line.endswith("|") and line.count("|") >= 1:
            j = i + 1
            while j < len(out) and j - i <= 6 and out[j] is not None and out[j].strip():
                out[i] = out[i].rstrip() + out[j].strip()
                out[j] = None
                if out[i].endswith("|"):
                    break
                j += 1
            i = j
        i += 1
    return out


# A pipe table's rule row's cell (| --- | :---: |): no cell of the table.
_RULE_CELL = re.compile(r"\s*:?-{2,}:?\s*")
_CHINESE_NUMBERING = re.compile(r"^[一二三四五六七八九十]+、")


def _is_continuation(line: str) -> bool:
    body = line.strip(_WS)
    return 0 < len(body) <= 16 and not VALUE_CELL.match(body) and not _CHINESE_NUMBERING.match(body)


def _markdown_row(line: str, number: int, first_column_printed: bool = False,
                  head_spans: list[int | None] | None = None, phantom_columns: bool = False) -> list[Token]:
    cells = pipe_cells(line, keep_leading=first_column_printed and _values_alone(line))
    if all(_RULE_CELL.fullmatch(c) for c in cells):
        return []
    rejoined: set[int] = set()
    if head_spans is not None:
        every = pipe_cells(line, keep_leading=True)
        if len(every) == len(head_spans):
            offset = len(every) - len(cells)     # the leading empty cells ``cells`` left out
            merged, rejoined, gone = _cells_under_one_head(every, head_spans)
            if gone:
                cells = [c for k, c in enumerate(merged) if k >= offset and k not in gone]
                rejoined = {k - offset - sum(1 for j in gone if j < k) for k in rejoined}
    cells = _decimals_rejoined(cells)
    out: list[Token] = []
    for k, cell in enumerate(cells):
        made = _cell(cell, number) or [Token(BLANK, "", number)]
        if k in rejoined:
            for t in made:
                t.confidence = min(t.confidence, CUT_UNDER_ONE_HEAD)
        out.extend(made)
    out.append(Token(BREAK, "", number))
    for t in out:
        t.pipe_row = True
        t.phantom_columns = phantom_columns
    return out


def _attach_piece_columns(row: list[Token], cells: list[str], table: int) -> None:
    """Each value of a pipe row gets its cell's place (``Token.piece_column``), where the row's values are its cells
    that hold one number each, in order (no cell parted, joined or cut by the reading)."""
    values = [t for t in row if t.kind == VALUE]
    places = [k for k, cell in enumerate(cells) if VALUE_CELL.match(cell) and cell.strip()]
    if len(values) == len(places) and all(t.text == cells[k].strip() for t, k in zip(values, places)):
        for t, k in zip(values, places):
            t.piece_column = (table, k)


# The shortest opening of a table's section heading (收到和处理政 of 三、收到和处理政府信息公开申请情况) a pipe cell is
# taken to open it by: four characters are no row label's opening in any of the three tables.
SECTION_OPENING = 4
_TABLE_SECTIONS = ("section.disclosure", "section.requests", "section.appeals")


@lru_cache(maxsize=1)
def _section_headings() -> tuple[str, ...]:
    return tuple(sorted({e.text for e in lexicon() if e.category in _TABLE_SECTIONS}))


def _opens_a_section(cells: list[str]) -> bool:
    """Whether a pipe row of words (no value) opens one of the tables by its heading: its first cell with text, the
    numbering left out, is the heading or its opening (|三、收到和处理政|府信自然|息公|开申法人|…: pymupdf4llm draws the
    heading into the grid of the table below it and cuts it at that table's column borders). The column heads read
    before it are the table's above, their borders drawn elsewhere: joining this table's cells under them glues
    two applicants' values into one number (10|1 as 101) and leaves every row a cell short."""
    if any(VALUE_CELL.match(c) for c in cells):
        return False
    first = next((normalize_label(c) for c in cells if c.strip()), "")
    return len(first) >= SECTION_OPENING and any(h.startswith(first) or first.startswith(h)
                                                 for h in _section_headings())


def _empty_between_heads(cells: list[str]) -> bool:
    """Whether a pipe row of heads has an empty cell between two cells with text (|尚未审结||总计|): a column the
    converter drew that no head names."""
    filled = [k for k, c in enumerate(cells) if c.strip()]
    return bool(filled) and any(not cells[k].strip() for k in range(filled[0], filled[-1]))


def _values_alone(line: str) -> bool:
    """Whether a pipe row holds values and empty cells only, no label. Under a row whose first cell holds text
    (table 4's heads, 维持|纠正|…), such a row has no label column left empty: its leading empty cells are blank
    cells of its own (||||||1|1|1||3||||||, the review group blank). Under a row whose first cell is empty too,
    they are a column the converter left empty (||结果维持<br>结果纠正|… over ||2|||2|), no cells."""
    cells = pipe_cells(line, keep_leading=True)
    return any(c.strip() for c in cells) and all(not c.strip() or VALUE_CELL.match(c) for c in cells)


# A number put back together from two cells under one column head (15|44 under 处理决|定数量): the head's pieces
# say they are one column, yet the cut is the converter's; below the recovery's READER_TRUSTED (0.9), never sure.
CUT_UNDER_ONE_HEAD = 0.8
_PLAIN_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_SIGNED_NUMBER = re.compile(r"^\s*[+\-−]?\d+(?:\.\d+)?\s*$")
# Three pieces or more under one head join only into a number as wide as an amount in 万元 prints, with its decimals
# and no leading zero (6|177.8|828 under 采购总|金额|（万元）): a row of zeros or small counts under heads set a
# character a line (|1591|0|0|0|0|0|1591| under |自然|商|科|会|律||总计|) is no number 000.
_CUT_THRICE = re.compile(r"^\s*[+\-−]?(?:0|[1-9]\d*)\.\d+\s*$")
# A sign alone in the head's first piece (|-|5| under 本年|增/减): the change's sign, the border drawn right after it.
_SIGN_ALONE = re.compile(r"^\s*[+\-−]\s*$")


@lru_cache(maxsize=1)
def _column_heads() -> tuple[tuple[str, bool], ...]:
    """The template's heads in their compared form, longest first, each with whether it heads a column of values
    (结果维持) rather than a group of columns or the labels' column (法人或其他组织, 信息内容)."""
    heads = {(e.text, e.category.startswith("column.")) for e in lexicon()
             if e.category.startswith(("column.", "header.")) and len(e.text) > 2}
    return tuple(sorted(heads, key=lambda h: (-len(h[0]), not h[1])))


def _head_spans(cells: list[str]) -> list[int | None] | None:
    """For a pipe row of column heads (no value, two cells or more, a column's head among them), the head each
    cell's text stands in (by the head's place in the row), None for a cell in none, in two, or under a head of
    several columns; None for a row that is no row of heads. A table finder that drew a column border through a
    head's text (处理决|定数量) puts two cells under one head."""
    if any(VALUE_CELL.match(c) for c in cells) or sum(1 for c in cells if c.strip()) < 2:
        return None
    texts = [normalize_label(c) for c in cells]
    row = "".join(texts)
    owner: list[tuple[int, bool] | None] = [None] * len(row)
    for head, of_values in _column_heads():
        start = row.find(head)
        while start >= 0:
            if all(o is None for o in owner[start:start + len(head)]):
                owner[start:start + len(head)] = [(start, of_values)] * len(head)
            start = row.find(head, start + 1)
    if not any(o is not None and o[1] for o in owner):
        return None
    spans: list[int | None] = []
    at = 0
    for text in texts:
        heads = {owner[k] for k in range(at, at + len(text))} - {None}
        one = heads.pop() if len(heads) == 1 else None
        spans.append(one[0] if one is not None and one[1] else None)
        at += len(text)
    return spans


def _first_heads_of_table(lines: list[str | None], start: int) -> tuple[list[int | None], frozenset] | None:
    """The head spans (``_head_spans``) of the first row of heads of the pipe table whose first line is
    ``lines[start]``, with the template's columns those heads name (``_columns_named``); None if it has none. A
    table finder draws one grid for a whole table (pymupdf4llm's Markdown gives its rows as many cells each), so
    a border it drew through a head's text (本年|增/减) cuts the rows above that head as well: a page's table that
    opens with the last rows of a section whose heads stood on the page before (|其他对外管理服务事项|537||1|4||||
    over ||第二十条|第（六|）项|… and |信息内容<br>上|…|本年|增/减|…) has its 14 cut into 1|4 by the border the heads
    below show. (``_heads_of_its_section`` says which rows those are.)"""
    for raw in lines[start:]:
        if raw is None:
            continue    # a line joined to the row above it (``_join_broken_pipe_rows``)
        line = normalize_chars(raw) if not raw.isascii() else raw
        stripped = line.strip(" ")
        if not stripped.startswith("|"):
            return None
        if stripped.count("|") >= 2:
            cells = pipe_cells(stripped, keep_leading=True)
            heads = _head_spans(cells)
            if heads is not None:
                return heads, _columns_named(cells)
    return None


def _columns_named(cells: list[str]) -> frozenset:
    """The template's columns a row of heads names (上一年项目数量, 本年增/减, 处理决定数量), by the column heads of
    ``_column_heads``: which columns a section has, and so how its table's cells are set over the page."""
    row = "".join(normalize_label(c) for c in cells)
    return frozenset(e.category for e in lexicon() if e.category.startswith("column.") and len(e.text) > 2
                     and e.text in row)


def _heads_of_its_section(heads_below: tuple[list[int | None], frozenset] | None,
                          own_columns: frozenset | None) -> list[int | None] | None:
    """The heads below a pipe row, above the first heads of its pipe table, if they name the columns its own heads
    (the last read before it, on the page before) name: a section of the same columns is set over the page the
    same way, so the border drawn through its heads cuts the row too. The next section's heads may name other
    columns (（八）'s 上一年项目数量 | 本年增/减 under （六）'s rows of three; table 4's heads under table 3's last rows),
    set otherwise, their borders elsewhere: those tell nothing of the row's cuts."""
    if heads_below is None or not own_columns:
        return None
    spans, columns = heads_below
    return spans if columns == own_columns else None


def _cells_under_one_head(cells: list[str], head_spans: list[int | None]) -> tuple[list[str], set[int], set[int]]:
    """A row's cells under one column head made one cell, as the template has it: a table finder that drew column
    borders through a head's text (处理决|定数量) splits its column, and the row's value stands in one of the pieces,
    or is cut across two or more (15|44, -|5, 6|177.8|828). A head's cells all empty are one blank cell; one with
    text is that cell; several side by side holding digits (the first perhaps a sign alone) that join into one
    number are one number cut by borders (joined, never sure: ``CUT_UNDER_ONE_HEAD``); any other mix is
    left as printed. Returns the cells, the indexes of the joined ones, and those of the cells merged away."""
    out = list(cells)
    joined: set[int] = set()
    gone: set[int] = set()
    k = 0
    while k < len(out):
        end = k + 1
        while head_spans[k] is not None and end < len(out) and head_spans[end] == head_spans[k]:
            end += 1
        if end - k > 1:
            filled = [j for j in range(k, end) if out[j].strip()]
            if len(filled) <= 1:
                keep = filled[0] if filled else k
                gone.update(j for j in range(k, end) if j != keep)
            elif (filled == list(range(filled[0], filled[0] + len(filled)))
                  and (_SIGNED_NUMBER.match(out[filled[0]]) or _SIGN_ALONE.match(out[filled[0]]))
                  and all(_PLAIN_NUMBER.match(out[j]) for j in filled[1:])
                  and (len(filled) == 2 or _CUT_THRICE.match("".join(out[j].strip() for j in filled)))
                  and _SIGNED_NUMBER.match("".join(out[j].strip() for j in filled))):
                # pieces side by side, one number once joined (6|177.8|828 under 采购总|金额|（万元）)
                out[filled[0]] = "".join(out[j].strip() for j in filled)
                joined.add(filled[0])
                gone.update(j for j in range(k, end) if j != filled[0])
        k = end
    return out, joined, gone


_DECIMAL_TAIL = re.compile(r"^\s*\.\d+\s*(?:万元|元)?\s*$")
_DIGITS_END = re.compile(r"\d\s*$")
# The other cut: the figure with its decimal point, the decimals in the next cell (2505. | 31).
_DECIMAL_POINT_END = re.compile(r"^\s*\d+\.\s*$")
_DECIMALS = re.compile(r"^\s*\d+\s*(?:万元|元)?\s*$")


def _decimals_rejoined(cells: list[str]) -> list[str]:
    """A number a table finder cut at a column border (222 | .2976, 2505. | 31: pymupdf4llm's Markdown): no cell
    begins or ends with a decimal point, so the two pieces are one figure again."""
    out: list[str] = []
    for cell in cells:
        if out and ((_DECIMAL_TAIL.match(cell) and _DIGITS_END.search(out[-1]))
                    or (_DECIMALS.match(cell) and _DECIMAL_POINT_END.match(out[-1]))):
            out[-1] = out[-1].rstrip() + cell.strip()
        else:
            out.append(cell)
    return out


def _cell(cell: str, number: int) -> list[Token]:
    """One cell of the layout: a value, a blank, a label, or a run of several cells glued together.

    What a cell's text reads as depends on that text alone: each text is read once (``_read_cell``), and its
    tokens made anew for each line that prints it (the recovery changes tokens in place). A report prints the
    template's labels and a few numbers over and over, and a batch prints them in every report."""
    recipe = _cell_recipes.get(cell)
    if recipe is None:
        if len(cell) > CELL_KEPT_CHARS:
            return _read_cell(cell, number)
        recipe = tuple((t.kind, t.text, t.splittable) for t in _read_cell(cell, 0))
        if len(_cell_recipes) >= CELL_RECIPES_KEPT:
            _cell_recipes.clear()
        _cell_recipes[cell] = recipe
    return [Token(kind, text, number, splittable) for kind, text, splittable in recipe]


# How many cells' readings are kept, and the longest cell kept: the bound on the cache (past it, it starts again
# empty), some 1 KB an entry, 16 MB at most beside a batch worker's 250 MB. A longer text (a paragraph, a
# one-line page) is read each time: it does not come again.
CELL_RECIPES_KEPT = 16384
CELL_KEPT_CHARS = 200
_cell_recipes: dict[str, tuple[tuple[str, str, bool], ...]] = {}


def _read_cell(cell: str, number: int) -> list[Token]:
    """``_cell``, read from the text."""
    body = cell.strip(_WS)
    if not body:
        return [Token(BLANK, "", number)]
    if VALUE_CELL.match(body) or NA_CELL.match(body) or body == CUT_CELL:
        return [Token(VALUE, body, number)]
    if FURNITURE.match(body):
        return []
    if "://" in body or "www." in body:
        # A link (a printed page's footer: file:///…/rf007-2019-grid.html 3/4) holds no cell: its digits are not
        # the table's numbers.
        body = _LINK.sub(" ", body).strip(_WS)
        if not body:
            return []
    if not any(map(str.isdigit, body)):
        # Column heads set side by side by a text tool (结果维持  结果纠正  其他结果): one label each.
        return [Token(LABEL, part, number) for part in _HEADS_APART.split(body)]
    return _run_on(body, number)


_LINK = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s\u3000]*")
# Two spaces or more (or an ideographic space) between two words of a line without numbers part its cells.
_HEADS_APART = re.compile(r"(?<=\S)(?: {2,}|\u3000+)(?=\S)")


_SLASHES = re.compile(r"/+")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def _glued_slash_marks(text: str) -> str:
    """Space out the / marks of blank cells glued to their row (规章/0/规范性文件//0, 事项0/38, 许可 0/54), so that they
    and the numbers beside them read as cells (行政许可 0/1119其他…); a / between two words (本年增/减), in a
    date (2024/1/2), a URL or a page number (3/12, 第3/12页) stays as it is; numbers chained by more slashes than a
    date has (1///1//0//1/102) are a row's cells wherever they stand."""
    if "/" not in text:
        return text
    cell_chains = [m.span() for m in _DIGIT_SLASH_CHAIN.finditer(text) if _cells_not_a_date(m.group())]

    def spaced(m: re.Match) -> str:
        before, after = text[m.start() - 1:m.start()], text[m.end():m.end() + 1]
        cjk_before, cjk_after = bool(_CJK_CHAR.match(before)), bool(_CJK_CHAR.match(after))
        if any(start < m.start() < end for start, end in cell_chains):
            return " " + " ".join(m.group()) + " "
        if before.isdigit() and after.isdigit():
            # A row's label ends just before the left number, or a space before it (行政许 可 0/5469其他…: a glued
            # row body set off from its label), or the next label starts right after the right number.
            left, right = re.search(r"\d+$", text[:m.start()]), m.end() + re.match(r"\d+", text[m.end():]).end()
            label_end, label_start = text[:left.start()].rstrip(_WS)[-1:], text[right:right + 1]
            glued_to_label = ((bool(_CJK_CHAR.match(label_end)) and label_end != "第")
                              or bool(_CJK_CHAR.match(label_start)))
            if m.group() != "/" or not glued_to_label or (label_start and label_start in "/页年月日号"):
                return m.group()     # 2024/1/2, 3/12: a date or a page, unless glued to a row's label
        elif not ((before.isdigit() and (cjk_after or not after.strip(_WS)))
                  or (after.isdigit() and (cjk_before or not before.strip(_WS)))
                  or (len(m.group()) > 1 and (cjk_before or before.isdigit() or cjk_after or after.isdigit()))):
            return m.group()
        return " " + " ".join(m.group()) + " "
    return _SLASHES.sub(spaced, text)


# A chain of numbers joined by slashes; a date has three numbers, a page two, and neither a double slash.
# From the start of a digit run only: tried at each digit of a long run with no / after it, the pattern would
# take the rest of the run and give it back digit by digit (a 100-digit run: some 5,000 steps, 14 ms a page).
_DIGIT_SLASH_CHAIN = re.compile(r"(?<!\d)\d+(?:/+\d+)+")


def _cells_not_a_date(chain: str) -> bool:
    """1///1//0//1/102, 00/004/026000/0: a row's cells with / for the blank ones, not a date or a page."""
    return "//" in chain or chain.count("/") >= 3


_NONE_RUN = re.compile(r"无+")
_DIGITS = re.compile(r"\d+")
_MARK_CHARS = set("/／-—－")


@lru_cache(maxsize=1)
def _label_openings_with_none() -> frozenset[str]:
    """无 and the character after it, for every label that starts with 无 (无法提供, 无正当理由…): a 无 right
    before them opens the label, it is no blank cell's mark."""
    return frozenset(body[:2] for e in lexicon() if (body := strip_numbering(e.text)).startswith("无") and len(body) > 1)


# How many characters before a 无 are compared with the labels that hold 无 inside (申请人无正当理由…).
LABEL_NONE_CONTEXT = 3


@lru_cache(maxsize=1)
def _label_runs_into_none() -> frozenset[str]:
    """The LABEL_NONE_CONTEXT characters before each 无 inside a label (请人 of 1.申请人无正当理由逾期不补正…), with
    the 无: a label wrapped right after its 无 prints 申请人无 at a line's end, its values after it."""
    out = set()
    for e in lexicon():
        body = strip_numbering(e.text)
        for k, ch in enumerate(body):
            if ch == "无" and k >= LABEL_NONE_CONTEXT:
                out.add(body[k - LABEL_NONE_CONTEXT:k + 1])
    return frozenset(out)


# All a line holds before a 无: a numbering or its end (（四）, or ）under （四 where a PDF's text wraps a narrow label
# cell: （四 / ）无 / 法提 / 供). A template row's label follows its numbering and a blank cell's mark follows a label,
# so a 无 right after a numbering is the first character of its label (（四）无法提供), not a blank cell.
_NUMBERING_TAIL = re.compile(r"[ \t\u3000\xa0]*[（(]?[一二三四五六七八九十]{0,3}[)）][ \t\u3000\xa0]*$")


def _glued_none_marks(text: str) -> str:
    """Space out the 无 marks of blank cells glued to their row (总计无无无无0无无000, 规章无 0, 规章无 无 无行政规范性文件):
    a 无 with a number or another mark beside it (spaces between allowed) is a cell; a 无 inside prose (本年度无,
    有无, 事项无 2024年) or opening a label (无法提供) is not."""
    if "无" not in text:
        return text
    openings = _label_openings_with_none()

    def value_beside(at: int, step: int) -> bool:
        while 0 <= at < len(text) and text[at] in _WS:
            at += step
        if not 0 <= at < len(text):
            return False
        if text[at] in _MARK_CHARS or text[at] == "无":
            return True
        if not text[at].isdigit():
            return False
        if step > 0:   # 2024年, 3个: a number of the prose; 2.没有现成…: a label's numbering
            number_end = _DIGITS.match(text, at).end()
            return (text[number_end:number_end + 1] not in _PROSE_AFTER
                    and not _NUMBERING_AFTER.match(text[number_end:]))
        return True

    def spaced(m: re.Match) -> str:
        run = m.group()
        opens_label = text[m.end() - 1:m.end() + 1] in openings or (
            len(run) == 1 and _NUMBERING_TAIL.match(text, 0, m.start()) is not None)
        if len(run) == 1 and text[max(0, m.start() - LABEL_NONE_CONTEXT):m.end()] in _label_runs_into_none():
            return run      # 1.申请人无 34 …: the label's own 无, its values after it
        marks = len(run) - opens_label
        beside_value = value_beside(m.start() - 1, -1) or (not opens_label and value_beside(m.end(), 1))
        if marks == 0 or (marks == 1 and not beside_value):
            return run
        return " " + " ".join("无" * marks) + " " + ("无" if opens_label else "")
    return _NONE_RUN.sub(spaced, text)


def _run_on(text: str, number: int) -> list[Token]:
    """Split text where labels and numbers run together: 规章000行政规范性文件005, 40000042.没有现成信息…"""
    text = _glued_none_marks(_glued_slash_marks(text))
    out: list[Token] = []
    pending = ""          # text accumulated for the next label token
    position = 0
    addresses = [a.span() for a in _ADDRESS.finditer(text)] if "/" in text or "www." in text else []
    for m in _RUN_NUMBER.finditer(text):
        if any(start <= m.start() < end for start, end in addresses):
            continue    # rf030-2019-template.html: part of the address, left inside the label text
        if m.group("dashes"):
            # Not-applicable marks glued to their neighbours (—规范性文件, 3——): one cell per dash run,
            # which the recovery may cut further ("——" is one mark or two).
            _flush_label(out, pending + text[position:m.start()], number)
            pending, position = "", m.end()
            out.append(Token(VALUE, m.group("dashes"), number, splittable=True))
            continue
        digits, unit = m.group(1), m.group(2) or ""
        # What follows the number, looked at where it stands (a copy of the rest of a one-line page for each of
        # its numbers would cost the square of its length).
        end = m.end()
        after = text[end:end + 1]
        if _NUMBERING_BEFORE_A_GAP.match(text, m.start()):
            continue  # 4.   1   1: the numbering, left inside the label text
        if _NUMBERING_AT.match(text, end):
            # 00000002.其他法律…: the last digit numbers the next label, the rest are the previous row's cells.
            body, numbering = digits[:-1], digits[-1]
            pending += text[position:m.start()]
            if body.strip("+-−"):
                _flush_label(out, pending, number)
                pending = ""
                out.append(Token(VALUE, body, number, splittable=True))
            pending += numbering
            position = m.end()
            continue
        if not unit and (after in _PROSE_AFTER or _SPACED_DATE_AT.match(text, end)):
            continue  # 2020年, 12家, 3个, 2023 年度: a number of the prose, left inside the text
        if text[m.start() - 1:m.start()] in ("(", "（") and after in (")", "）"):
            continue  # (3)危及…: a label's numbering
        pending += text[position:m.start()]
        _flush_label(out, pending, number)
        pending = ""
        for piece in _SPACED_DIGITS.split(digits + unit):
            out.append(Token(VALUE, piece, number, splittable=True))
        position = m.end()
    pending += text[position:]
    _flush_label(out, pending, number)
    return out


_SPACED_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")
_SENTENCE_MARK = re.compile(r"[（()）。；;！？!?]")     # brackets, and the sentence ends that count outside them


_NA_IN_RUN = re.compile(r"(?<!\S)(无|/|／|-|—|－|——)(?!\S)")


def _flush_label(out: list[Token], text: str, number: int) -> None:
    """Emit the text between numbers as label tokens (and 无 / — marks standing alone as value cells)."""
    if not text.strip(_WS):
        return      # the spaces between two numbers (most of a one-line page's): no mark, no label
    start = 0
    for m in _NA_IN_RUN.finditer(text):
        _flush_sentences(out, text[start:m.start()], number)
        out.append(Token(VALUE, m.group(1), number))
        start = m.end()
    _flush_sentences(out, text[start:], number)


def _flush_sentences(out: list[Token], text: str, number: int) -> None:
    """Cut label text at sentence ends outside brackets.

    On one-line pages a row label arrives fused with the prose and headings before it; cutting at sentence
    ends leaves the label with only its headings, which the classifier sees through.
    """
    depth, start = 0, 0
    for m in _SENTENCE_MARK.finditer(text):
        ch = m.group()
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif depth == 0:
            _emit_label(out, text[start:m.end()], number)
            start = m.end()
    _emit_label(out, text[start:], number)


def _emit_label(out: list[Token], text: str, number: int) -> None:
    body = text.strip(_WS)
    if body and not FURNITURE.match(body):
        out.append(Token(LABEL, body, number))
