"""The report's year and issuer, read from its title and text (part of stage 3, mapping labels).

Titles come as `XX市XX区人民政府2020年政府信息公开工作年度报告`, `XX县2020年…`, `XX区政府信息公开工作年度报告
(2020年度)`, a bare `政府信息公开工作年度报告` with the issuer on the next line, or a crawler's `标题: …` header.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .text import normalize_chars

_MARKUP = re.compile(r"\[[^\]]{0,40}\]|<[^>]{0,80}>|^(?:标题|题目|文章标题|title)\s*[:：]\s*", re.I)
_YEAR = re.compile(r"(20[0-4]\d)\s*年")
_STATS_YEAR = re.compile(r"统计(?:期限|时限|时间|区间|范围)[^0-9]{0,12}(20[0-4]\d)\s*年")
_ORG_END = re.compile(r"(?:人民政府|政府|办公室|办公厅|委员会|管理委员会|局|委|办|厅|署|中心|院|所|站|处|队|会|管理局|"
                      r"街道办事处|办事处|公司|集团)$")
_PLACE_END = re.compile(r"(?:省|市|区|县|旗|自治区|自治州|自治县|州|盟|镇|乡)$")
_PREFIX = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:省|市|自治区|自治州|盟|地区)")


@dataclass
class Meta:
    title: str
    year: int | None
    issuer: str
    year_source: str
    issuer_source: str


_WIDGET = re.compile(r"【[^】]{0,12}】|(?:字号|字体)\s*[:：]?\s*大\s*中\s*小")   # 【打印】【关闭】, 字号：大 中 小


def _clean(line: str) -> str:
    return _MARKUP.sub("", _WIDGET.sub(" ", normalize_chars(line))).strip(" \t\u3000\"“”《》")


_TITLE = re.compile(r"(?P<pre>[^\s»>|/:：;{}\"'#\[\]<（(《》〈〉，,。、【】]{0,40}?)(?:[（(]?(?P<year>20[0-4]\d)\s*年度?[）)]?)?\s*"
                    r"(?:政府)?(?:信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)(?!格式)")
_LEADING_YEAR = re.compile(r"^[（(]?(20[0-4]\d)\s*年度?[）)]?")


def read_meta(text: str) -> Meta:
    lines = [_clean(ln) for ln in text.splitlines()[:80]]
    lines = [ln for ln in lines if ln]
    title, issuer, year, title_index = "", "", None, None
    for i, line in enumerate(lines):
        for m in _TITLE.finditer(line[:4000]):
            pre = re.sub(r"关于$", "", m.group("pre"))
            lead = _LEADING_YEAR.match(pre)
            found_year = int(m.group("year")) if m.group("year") else (int(lead.group(1)) if lead else None)
            if lead:
                pre = pre[lead.end():]
            inner = _INNER_YEAR.search(pre)
            if inner and _org_line(pre[inner.end():]):
                # 字号：大 中 小2021年安康市财政局…: a widget's last word glued before the year and the issuer.
                found_year, pre = found_year or int(inner.group(1)), pre[inner.end():]
            if len(pre) >= 2 and not _org_line(pre):
                # A breadcrumb glued to the title (年度报告政府信息公开工作年度报告): an issuer written right
                # after the title or on the next line is the better reading.
                named = _issuer_after(line[m.end():]) or (lines[i + 1] if i + 1 < len(lines)
                                                          and _org_line(lines[i + 1]) else "")
                pre = named or pre
            if len(pre) >= 2 or found_year:
                title, issuer, year, title_index = m.group(0).strip(), pre, found_year, i
                break
            before = [p for p in re.split(r"\s*[|｜_—–»>]\s*|\s+-\s+", line[:m.start()].strip()) if p]
            if before and _org_line(before[-1]):
                # A page title: "site | issuer | 政府信息公开工作年度报告".
                title, issuer, year, title_index = m.group(0).strip(), before[-1], None, i
                break
            if named := _issuer_after(line[m.end():]):
                # A bare title with the issuer right after it on the same line (one-line pages).
                title, issuer, year, title_index = m.group(0).strip(), named, None, i
                break
            if i + 1 < len(lines) and _org_line(lines[i + 1]):
                title, issuer, year, title_index = m.group(0).strip(), lines[i + 1], None, i
                break
            if title_index is None:
                title, title_index = m.group(0).strip(), i      # a bare title: the issuer may follow it
        if year or issuer:
            break
    if title_index is None and lines:
        title = lines[0][:120]
    year_source = "title" if year else ""
    if year is None:
        year, year_source = _year(lines, title_index, text)
    issuer, issuer_source = _issuer(_drop_glued_junk(issuer, text), lines, title_index, text)
    if issuer_source == "title" and title_index is not None and issuer == lines[min(title_index + 1, len(lines) - 1)]:
        issuer_source = "line after the title"
    return Meta(title, year, issuer, year_source, issuer_source)


_BARE_TITLE = re.compile(r"^(?:政府)?(?:信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)")
_INNER_YEAR = re.compile(r"(20[0-4]\d)\s*年度?")


def _issuer_after(rest: str) -> str:
    """The issuer written right after a bare title on the same line, or ""."""
    after = [re.split(r"20[0-4]\d\s*年|发布时间|来源", _BARE_TITLE.sub("", a))[0] for a in rest.split()[:1]]
    return after[0] if after and _org_line(after[0]) else ""


def _year(lines, title_index, text) -> tuple[int | None, str]:
    if title_index is not None:
        for ln in lines[title_index + 1:title_index + 4]:
            m = re.search(r"[（(]?\s*(20[0-4]\d)\s*年度?\s*[）)]?$", ln)
            if m and len(ln) <= 12:
                return int(m.group(1)), "line after the title"
        for ln in lines[title_index + 1:title_index + 4]:
            # A report dated under its title: late in the year it covers, or early in the next.
            m = re.fullmatch(r"(20[0-4]\d)\s*年\s*(\d{1,2})\s*月\s*\d{1,2}\s*日", ln)
            if m:
                year, month = int(m.group(1)), int(m.group(2))
                return (year if month >= 10 else year - 1), "date under the title"
    m = _STATS_YEAR.search(normalize_chars(text[:20000]))
    if m:
        return int(m.group(1)), "statistics period"
    years = Counter(int(y) for y in _YEAR.findall(normalize_chars(text[:6000])))
    if years:
        return years.most_common(1)[0][0], "most frequent year in the text"
    return None, "not found"


_PLACE_CHAR = re.compile(r"[省市区县旗州盟镇乡]")


def _drop_glued_junk(issuer: str, text: str) -> str:
    """Page widgets and breadcrumbs glued before a title (字号：大 中 小佛山市…, 年度报告潍坊市…): trust the name
    the text repeats. More than two characters are cut only when they hold no place name (宁波市 stays before
    海曙区人民政府 however often the text says 海曙区人民政府 alone)."""
    if len(issuer) <= 3 or text.count(issuer) != 1:
        return issuer
    for cut in range(1, min(7, len(issuer) - 2)):
        rest = issuer[cut:]
        if text.count(rest) > 1 and (cut <= 2 or not _PLACE_CHAR.search(issuer[:cut])):
            return rest
    return issuer


def _org_line(line: str) -> bool:
    return (2 <= len(line) <= 30 and bool(_ORG_END.search(line)) and not _YEAR.search(line)
            and not re.search(r"(?:网站|门户|网)$", line) and not _SENTENCE.search(line))


# A line of prose that happens to end on a body's name at a line break (本报告由淮安市人民政府办公室根据《中华人民
# 共和国政府 / 信息公开条例》…): a name stands alone, without a sentence's punctuation or its verbs.
_SENTENCE = re.compile(r"[《》，。；（）]|^本报告|根据|按照")


def _issuer(head, lines, title_index, text) -> tuple[str, str]:
    head = head.strip(" ：:·-—")
    source = "title"
    if len(head) < 2 and title_index is not None:
        # A PDF's title block sets the issuer on a line of its own above "2024 年政府信息公开工作年度报告".
        if title_index > 0 and _org_line(lines[title_index - 1]):
            head, source = lines[title_index - 1], "line before the title"
        else:
            head = next((ln for ln in lines[title_index + 1:title_index + 4] if _org_line(ln)), "")
            source = "line after the title"
    if not head:
        return "", "not found"
    if _PLACE_END.search(head):
        head += "人民政府"
    # A body that names itself without its city (鄞州区人民政府办公室) is given the full name the text uses.
    if not re.match(_PREFIX.pattern, head):
        prefixes = Counter(_city_before(text, m.start()) for m in re.finditer(re.escape(head), normalize_chars(text)))
        prefixes.pop("", None)
        if prefixes:
            return prefixes.most_common(1)[0][0] + head, source + ", completed from the text"
    return head, source


# Words a body's full name follows in a report's prose (本报告由淮安市洪泽区人民政府办公室编制, 请与…联系).
_BEFORE_A_NAME = frozenset("由与向对为经")


def _city_before(text: str, end: int) -> str:
    """The city (宁波市) written right before a position, or ""."""
    for k in (3, 4, 5):
        piece = text[max(0, end - k):end]
        if len(piece) < k or not re.fullmatch(r"[\u4e00-\u9fff]+(?:市|州|盟)", piece):
            continue
        before = text[end - k - 1:end - k] if end - k > 0 else ""
        if not before or not re.match(r"[\u4e00-\u9fff]", before) or before in _BEFORE_A_NAME:
            return piece
    return ""


# A report's first section heading; each report of a file holds one (crawlers concatenate pages).
_OVERVIEW_HEADING = re.compile(r"(?:^|(?<=[\s>*#|。]))(?:[一1１]\s*[、.．]\s*)?总体情况\s*(?=\S|$)", re.M)
# How far before a report's overview its title (and the issuer's name and the date under it) may stand.
TITLE_REACH = 600


def report_starts(text: str) -> list[int]:
    """Where each report of the text after the first begins (character offsets): at its title, or its overview
    heading when no title stands within reach before it. One report: an empty list."""
    if text.count("总体情况") < 2:
        return []       # one heading at most (each holds the words): the regex need not look
    headings = [m.start() for m in _OVERVIEW_HEADING.finditer(text)]
    starts = []
    for at in headings[1:]:
        window = text[max(0, at - TITLE_REACH):at]
        titles = [m for m in _TITLE.finditer(window)]
        start = at - len(window) + titles[-1].start() if titles else at
        # the title's own line
        start = text.rfind("\n", 0, start) + 1 if "\n" in text[max(0, start - 200):start] else start
        if not starts or start > starts[-1]:
            starts.append(start)
    return starts
