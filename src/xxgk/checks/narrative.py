"""The numbers the prose states, found in jieba's words and held against the tables.

The prose of 一、总体情况 (and of the sections after the tables) states counts the tables also hold — 收到申请
N件, 予以公开N件, 上年结转N件, 被申请行政复议N件 — and counts they do not (主动公开信息N条, 政务新媒体发布N条,
信件N件). jieba cuts each sentence that may state one into words (its dictionary and the cue words, no
downloaded model); a quantity is a number word and its unit (12件, 3600余条, 0元), a cue a run of words that
names what is counted, and each quantity takes the nearest cue before it in its own clause. Sentences that say
none happened (未收到政府信息公开申请, 未发生…行政复议、行政诉讼) state a zero.

``read_statements(text)`` gives what the prose says; ``compare(statements, template, values, repairs)`` turns
those with a table counterpart into prose checks and keeps the others as the record's ``narrative``.
"""
from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .. import schema
from ..datamodel import CheckResult
from ..labels.files import jieba_cache_dir
from ..text import nfkc

CLAUSE_BREAKS = [",", ";", "。", ":", "!", "?", "，", "；", "：", "！", "？"]
REQUEST_UNITS = frozenset({"件", "个", "宗", "条", "份"})
CASE_UNITS = frozenset({"件", "个", "宗", "起", "例", "次"})
DOCUMENT_UNITS = frozenset({"件", "个", "份", "部"})
COUNT_UNITS = ("件", "条", "次", "篇", "个", "期", "场", "人次", "封", "起", "宗", "例", "份", "部", "家", "项")
MONEY_UNITS = ("元", "万元")
ANY_UNIT = frozenset(COUNT_UNITS + MONEY_UNITS)

# A figure for the whole area or for the body alone (全区 175件, 区本级 48件) may not be the table's scope.
SCOPE = re.compile(r"全(?:区|市|县|省|州|盟|旗|镇|乡|街道|系统)|各(?:部门|单位|乡镇|镇|街道|县区|区县|县|区|级)"
                   r"|本级|辖区|下属|所属|系统内")
_UNITS = "|".join(sorted(COUNT_UNITS + MONEY_UNITS, key=len, reverse=True))
WORTH_READING = re.compile(rf"\d\s*[余多]?\s*(?:{_UNITS})|未收到|没有收到|未接到|未发生|没有发生|没有|未收取|不收取")
TABLES_START = re.compile(r"(?:^|(?<=[\s。>*#|]))(?:[二2２]\s*[、.．]\s*)?主动公开政府信息情况", re.MULTILINE)
TABLES_FALLBACK = re.compile(r"第二十条第|信息内容")
AFTER_TABLES = re.compile(r"(?:[五5５]\s*[、.．]\s*)?存在的主要问题|(?:[六6６]\s*[、.．]\s*)?其他需要报告的事项")
SENTENCE_END = "。！？!?；;"


def _words(*words: str) -> dict:
    return {"TEXT": {"IN": list(words)}}


RECEIVE = ("收到", "共收到", "受理", "共受理", "接收", "接到", "新收")
APPLICATION = ("申请", "依申请公开", "申请件")
NORMATIVE = ("规范性文件", "行政规范性文件")
NEGATION = ("未发生", "没有发生", "没有", "未有", "无")


@dataclass(frozen=True)
class Quantity:
    name: str
    label: str
    cues: tuple                     # token patterns (word sets), found with a PhraseMatcher
    units: frozenset
    weak: bool = False              # used only when no other cue is in the clause
    negations: tuple = ()           # patterns that, followed in their clause by ``negated``, state a zero
    then: tuple = ()                # words one of which must come between the cue and the number
    negated: tuple = ()


QUANTITIES = (
    Quantity("requests.received", "收到的政府信息公开申请",
             ([_words(*RECEIVE)],), REQUEST_UNITS, then=APPLICATION,
             negations=([_words("未收到", "没有收到", "未接到", "没有接到", "未受理")],), negated=APPLICATION),
    Quantity("requests.received_bare", "收到（句中说申请）", ([_words(*RECEIVE)],), REQUEST_UNITS, weak=True),
    Quantity("requests.received.natural_person", "自然人提出的申请", ([_words("自然人")],), REQUEST_UNITS),
    Quantity("requests.received.organisations", "法人或其他组织提出的申请",
             ([_words("法人或其他组织", "法人和其他组织", "法人及其他组织", "法人或者其他组织")],
              [_words("法人"), _words("或", "和", "及", "或者"), _words("其他"), _words("组织")]), REQUEST_UNITS),
    Quantity("requests.carried_over", "上年结转的申请",
             ([_words("上年结转", "上年度结转")], [_words("上年", "上年度", "上一年度", "去年"), _words("结转")]),
             REQUEST_UNITS),
    Quantity("requests.carried_forward", "结转下年度继续办理的申请",
             ([_words("结转下年度", "结转下年")],
              [_words("结转", "转入"), _words("下", "至", "到", "入", "下一"), _words("年度", "下年度", "下年", "一年度")]),
             REQUEST_UNITS),
    Quantity("requests.granted", "予以公开", ([_words("予以公开", "同意公开", "全部公开")],), REQUEST_UNITS),
    Quantity("requests.partially_granted", "部分公开", ([_words("部分公开", "区分处理")],), REQUEST_UNITS),
    Quantity("requests.denied", "不予公开", ([_words("不予公开")],), REQUEST_UNITS),
    Quantity("requests.unavailable", "无法提供", ([_words("无法提供")],), REQUEST_UNITS),
    Quantity("requests.rejected", "不予处理", ([_words("不予处理")],), REQUEST_UNITS),
    Quantity("requests.other", "其他处理", ([_words("其他处理")],), REQUEST_UNITS),
    Quantity("requests.handled", "办结（答复）的申请", ([_words("办结", "已办结", "答复", "办理完毕")],), REQUEST_UNITS),
    Quantity("appeals.review", "行政复议", ([_words("行政复议", "复议")],), CASE_UNITS,
             negations=([_words(*NEGATION)],), negated=("行政复议", "复议")),
    Quantity("appeals.litigation", "行政诉讼", ([_words("行政诉讼", "诉讼", "起诉")],), CASE_UNITS,
             negations=([_words(*NEGATION)],), negated=("行政诉讼", "诉讼")),
    Quantity("disclosure.normative_documents.issued", "制发（新制作）的规范性文件",
             ([_words("制发", "新制作", "制定", "出台", "印发", "新制定")],), DOCUMENT_UNITS, then=NORMATIVE),
    Quantity("disclosure.normative_documents.repealed", "废止的规范性文件",
             ([_words("废止")],), DOCUMENT_UNITS, then=NORMATIVE),
    Quantity("disclosure.normative_documents.in_force", "现行有效的规范性文件",
             ([_words("现行有效")],), DOCUMENT_UNITS, then=NORMATIVE),
    # No counterpart in the tables: kept in the record's narrative.
    Quantity("active_disclosure", "主动公开政府信息", ([_words("主动公开")],), ANY_UNIT),
    Quantity("information_published", "公开、发布的信息",
             ([_words("公开", "发布", "公布", "上传")],), ANY_UNIT, weak=True,
             then=("信息", "政府信息", "政务信息", "各类信息")),
    Quantity("new_media_posts", "政务新媒体发布", ([_words("政务新媒体", "新媒体", "微信", "微博", "公众号", "微信公众号",
                                                         "抖音", "头条号", "客户端", "视频号")],), ANY_UNIT),
    Quantity("interpretations", "政策解读", ([_words("解读", "政策解读", "图解")],), ANY_UNIT),
    Quantity("responses", "回应社会关切", ([_words("回应")],), ANY_UNIT),
    Quantity("letters", "信件、留言办理", ([_words("信箱", "信件", "来信", "留言")],), ANY_UNIT),
    Quantity("press_conferences", "新闻发布会", ([_words("新闻发布会", "发布会", "新闻发布")],), ANY_UNIT),
    Quantity("trainings", "培训", ([_words("培训", "培训会", "业务培训")],), ANY_UNIT),
    Quantity("website_visits", "网站访问量", ([_words("访问量", "浏览量", "点击量", "访问")],), ANY_UNIT),
    Quantity("solicitations", "意见征集、调查", ([_words("征集", "调查", "问卷", "意见征集", "民意征集")],), ANY_UNIT),
    Quantity("fees", "收取的信息处理费", ([_words("信息处理费", "处理费", "费用", "收费")],), frozenset(MONEY_UNITS),
             negations=([_words("未收取", "没有收取", "不收取", "未收")],), negated=("费用", "费", "信息处理费", "处理费")),
)
BY_NAME = {q.name: q for q in QUANTITIES}
ALIASES = {"requests.received_bare": "requests.received"}

# Words the segmenter must keep whole for the cues to match.
USER_WORDS = ("予以公开", "同意公开", "全部公开", "部分公开", "区分处理", "不予公开", "无法提供", "不予处理", "其他处理",
              "上年结转", "上年度结转", "结转下年度", "结转下年", "自然人", "法人或其他组织", "法人和其他组织",
              "法人及其他组织", "法人或者其他组织", "行政复议", "行政诉讼", "主动公开", "政务新媒体", "规范性文件",
              "行政规范性文件", "制发", "新制作", "现行有效", "信息处理费", "未收到", "没有收到", "未发生", "没有发生",
              "未收取", "不收取", "政策解读", "新闻发布会", "访问量", "依申请公开", "共收到", "共受理", "新收", "办结",
              "已办结", "办理完毕", "微信公众号", "意见征集", "民意征集")


@dataclass
class Statement:
    quantity: str
    value: float
    unit: str
    text: str
    approximate: bool = False
    negated: bool = False
    scoped: bool = False

    def as_dict(self) -> dict:
        out = {"quantity": self.quantity, "label": BY_NAME[self.quantity].label, "value": _num(self.value),
               "unit": self.unit, "text": self.text}
        if self.approximate:
            out["approximate"] = True
        if self.negated:
            out["stated_as"] = "none"
        return out


def _num(x):
    return int(x) if float(x).is_integer() else x

# ------------------------------------------------------------------------------------------------ reading


@lru_cache(maxsize=1)
def _segmenter():
    """jieba, with the cue words, built once on first use. A private segmenter, so that the cue words added here
    do not change jieba for anyone else, and the only one: nothing here loads jieba's global dictionary. Its
    words are read a first character at a time from a file under the xxgk cache (``segmenter``: a whole
    dictionary is 54 MB and 0.2-0.7 s of CPU in every process)."""
    import logging

    import jieba

    from .segmenter import load

    jieba.setLogLevel(logging.WARNING)
    try:
        folder = jieba_cache_dir()
    except OSError:         # a read-only cache: the words made in memory, every time
        folder = None
    return _NoHmm(load(jieba, USER_WORDS, folder))


def segmenter_ready() -> None:
    """Make the segmenter now (``xxgk setup``): its words' file is written to the cache on first use."""
    _segmenter()


def _phrases(pattern: list[dict]) -> list[list[str]]:
    """The word sequences a cue pattern spells out."""
    return [list(words) for words in itertools.product(*(t["TEXT"]["IN"] for t in pattern))]


def _cue_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Word sequence -> the cues it spells (a quantity's name, or "NOT " and the name for a negation), in the
    order the quantities are listed."""
    table: dict[tuple[str, ...], list[str]] = {}
    for q in QUANTITIES:
        for name, patterns in ((q.name, q.cues), ("NOT " + q.name, q.negations)):
            for words in (tuple(w) for cue in patterns for w in _phrases(cue)):
                if name not in table.setdefault(words, []):
                    table[words].append(name)
    return {words: tuple(names) for words, names in table.items()}


CUES = _cue_table()
LONGEST_CUE = max(map(len, CUES))
# The words a cue opens with: a cue is looked for only from them (most words of a sentence open none).
CUE_OPENINGS = frozenset(words[0] for words in CUES)


def _cues_in(words: list[str]) -> list[tuple[str, int, int]]:
    """(cue, start, end) of every cue in the words: by start, the shorter first, then in list order."""
    found = []
    for start in range(len(words)):
        if words[start] not in CUE_OPENINGS:
            continue
        for end in range(start + 1, min(start + LONGEST_CUE, len(words)) + 1):
            for name in CUES.get(tuple(words[start:end]), ()):
                found.append((name, start, end))
    return found


APPROXIMATE = ("余", "多")
# The words that end a quantity after its number: a unit, 余 or 多 then a unit, or the two as one word (余件).
_UNIT_AFTER_NUMBER = frozenset(COUNT_UNITS + MONEY_UNITS + tuple(a + u for a in APPROXIMATE for u in COUNT_UNITS))
_UNIT_AFTER_APPROXIMATE = frozenset(COUNT_UNITS + MONEY_UNITS)


def _quantities_in(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each quantity — a number word, then a unit (or 余/多 and a unit, or the two as one word:
    余件) — in order; where two overlap the longer is kept, of two as long the first."""
    spans = []
    for i, word in enumerate(words[:-1]):
        # What follows first (a set's look-up): most words have no unit after them, and need not be read.
        unit_after = words[i + 1] in _UNIT_AFTER_NUMBER
        approximate_after = (words[i + 1] in APPROXIMATE and i + 2 < len(words)
                             and words[i + 2] in _UNIT_AFTER_APPROXIMATE)
        if not (unit_after or approximate_after) or not like_number(word):
            continue
        if unit_after:
            spans.append((i, i + 2))
        if approximate_after:
            spans.append((i, i + 3))
    kept, taken = [], set()
    for start, end in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if start not in taken and end - 1 not in taken:
            kept.append((start, end))
            taken.update(range(start, end))
    return sorted(kept)


_CHINESE_NUMERALS = ("〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
                     "十六", "十七", "十八", "十九", "廿", "卅", "卌", "皕", "零", "壹", "贰", "叁", "肆", "伍", "陆", "柒",
                     "捌", "玖", "拾", "拾壹", "拾贰", "拾叁", "拾肆", "拾伍", "拾陆", "拾柒", "拾捌", "拾玖")
_COUNTED = "一二三四五六七八九壹贰叁肆伍陆柒捌玖"
_CHINESE_NUMBER = re.compile(f"^(?:[{_COUNTED}][十百千万亿兆拾佰仟])+[{_COUNTED}]?$")


def like_number(word: str) -> bool:
    """A word that writes a number: digits (signed, with separators or a fraction bar) or a Chinese numeral
    (十二, 三千五百). A Chinese numeral is a quantity's number, though not one whose value is read."""
    if word.startswith(("+", "-", "±", "~")):
        word = word[1:]
    word = word.replace(",", "").replace(".", "").replace("，", "").replace("。", "")
    if word.isdigit():
        return True
    if word.count("/") == 1:
        numerator, denominator = word.split("/")
        if numerator.isdigit() and denominator.isdigit():
            return True
    return word in _CHINESE_NUMERALS or bool(_CHINESE_NUMBER.match(word))


def _words_of(sentence: str) -> list[str]:
    """The sentence cut into words: jieba's, whitespace between them kept as a word of its own except one
    space after a word."""
    cut = [w for w in _segmenter().cut(sentence) if w and not w.isspace()]
    words, at = [], 0
    for word in cut:
        start = sentence.index(word, at)
        if start > at:
            words.append(sentence[at:start])
        words.append(word)
        at = start + len(word)
        if at < len(sentence) and sentence[at] == " ":
            at += 1
    if at < len(sentence):
        words.append(sentence[at:])
    return words


class _NoHmm:
    """jieba without its HMM guesser for unknown words: the cues are dictionary words, and it halves the time.

    jieba cuts a text block by block (runs of Chinese characters, letters and digits, ``jieba.re_han_default``),
    each on its own: the blocks of the prose recur from report to report (依法依规妥善处理, 政府信息公开工作), so
    each block's words are kept (``BLOCKS_KEPT``) and a block met again is not cut again."""

    def __init__(self, segmenter):
        import jieba

        self.segmenter = segmenter
        self.blocks = jieba.re_han_default
        self._cut_block = lru_cache(maxsize=BLOCKS_KEPT)(self._block)

    def _block(self, block: str) -> tuple[str, ...]:
        return tuple(self.segmenter.cut(block, HMM=False))

    def cut(self, text: str, cut_all: bool = False):
        if cut_all:
            return self.segmenter.cut(text, cut_all=True, HMM=False)
        out: list[str] = []
        for block in self.blocks.split(text):
            if not block:
                continue
            if self.blocks.match(block):
                out.extend(self._cut_block(block))      # a whole block: jieba cuts it as it would in the text
            else:
                out.extend(self.segmenter.cut(block, HMM=False))    # spaces and punctuation, as jieba splits them
        return out


# Blocks whose words are kept (some 400 bytes each with their words: 3 MB at most); past it the least recently
# met go.
BLOCKS_KEPT = 8192


def prose_of(text: str) -> str:
    """The prose around the tables: everything before table 2's heading, and everything from section 五 (or 六) on."""
    start = TABLES_START.search(text) or TABLES_FALLBACK.search(text)
    if not start:
        return _unwrap(nfkc(text))
    after = _after_tables(text, start.end())
    return _unwrap(nfkc(text[:start.start()])) + "\n" + (_unwrap(nfkc(text[after.start():])) if after else "")


# The words AFTER_TABLES ends with, and the characters of the numbering it may open with.
_AFTER_TABLES_WORDS = ("存在的主要问题", "其他需要报告的事项")
_AFTER_TABLES_NUMBERING = frozenset("五5５六6６、.．")


def _after_tables(text: str, pos: int) -> re.Match | None:
    """``AFTER_TABLES.search(text, pos)``, the regex run only where it can match: at the first of its words
    (the optional numbering before it lets the regex itself find no literal to skip ahead to, so alone it tries
    every character of the report) and the numbering and spaces right before that."""
    found = [at for at in (text.find(word, pos) for word in _AFTER_TABLES_WORDS) if at >= 0]
    if not found:
        return None
    at = lo = min(found)
    while lo > pos and (text[lo - 1] in _AFTER_TABLES_NUMBERING or text[lo - 1].isspace()):
        lo -= 1
    return AFTER_TABLES.search(text, lo, at + max(map(len, _AFTER_TABLES_WORDS)))


def _unwrap(text: str) -> str:
    """Join lines a PDF dump wrapped mid-sentence (a long line that does not end a sentence)."""
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if out and out[-1] and len(out[-1]) >= 20 and out[-1][-1] not in SENTENCE_END + ":：" and line:
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def sentences(prose: str) -> list[str]:
    parts = re.split(r"(?<=[。！？!?；;])|\n", prose)
    return [s.strip() for s in parts if s.strip() and WORTH_READING.search(s)]


# A statement needs a cue (or a negation) in its sentence, and a cue's first word is in the sentence's text
# whatever the segmenter makes of it: a sentence without any is not worth segmenting.
_CUE_WORDS = re.compile("|".join(re.escape(word) for word in sorted(
    {word for q in QUANTITIES for pattern in q.cues + q.negations for word in pattern[0]["TEXT"]["IN"]},
    key=len, reverse=True)))


def read_statements(text: str) -> list[Statement]:
    """Every quantity the prose states with the cue that says what it counts."""
    out: list[Statement] = []
    for sentence in sentences(prose_of(text)):
        if _CUE_WORDS.search(sentence):
            out.extend(_statements_in(_words_of(sentence), sentence))
    return out


def _statements_in(words: list[str], sentence: str) -> list[Statement]:
    breaks = [i for i, w in enumerate(words) if w in CLAUSE_BREAKS] + [len(words)]

    def follows(wanted: tuple, start: int, stop: int) -> bool:
        return any(w in wanted for w in words[start:stop])

    says_application = "申请" in sentence
    cues, zeros = [], []
    for name, start, end in _cues_in(words):
        if name.startswith("NOT "):
            q = BY_NAME[name[4:]]
            if follows(q.negated, end, next(b for b in breaks if b >= end)):
                zeros.append((q.name, start, end))
        elif name != "requests.received_bare" or says_application:
            cues.append((BY_NAME[name], start, end))
    scoped = bool(SCOPE.search(sentence))
    text = sentence if len(sentence) <= 160 else sentence[:157] + "…"
    out = []
    previous_end = 0
    for ent_start, ent_end in _quantities_in(words):
        clause_start = max([previous_end] + [b + 1 for b in breaks if b < ent_start])
        previous_end = ent_end
        try:
            value = float(words[ent_start])
        except ValueError:          # a Chinese numeral: 十二件
            continue
        unit_token = words[ent_end - 1]
        unit = unit_token.lstrip("余多")
        approximate = unit != unit_token or any(w in APPROXIMATE for w in words[ent_start:ent_end])
        in_clause = [(q, s, e) for q, s, e in cues if s >= clause_start and e <= ent_start and unit in q.units
                     and (not q.then or follows(q.then, e, ent_start))]
        strong = [c for c in in_clause if not c[0].weak]
        pick = max(strong or in_clause, key=lambda c: (c[2], c[2] - c[1]), default=None)
        if pick is None:
            continue
        out.append(Statement(ALIASES.get(pick[0].name, pick[0].name), value, unit, text,
                             approximate=approximate, scoped=scoped))
    said = {s.quantity for s in out}
    for name, start, end in zeros:
        if name not in said:
            out.append(Statement(name, 0.0, "", text, negated=True, scoped=scoped))
            said.add(name)
    return out

# ------------------------------------------------------------------------------------------------ comparing


def _row_total(tpl: schema.Template, row: str) -> str:
    return tpl.row(f"requests.{row}").key("total")


def _outcome_totals(tpl: schema.Template, prefix: str) -> list[str]:
    return [r.key("total") for r in tpl.rows_of("requests") if r.row.startswith(prefix)]


def _group_totals(*groups: str) -> list[str]:
    return [f"appeals.{g}.{schema.APPEAL_COLUMNS[-1]}" for g in groups]


# quantity -> template -> readings of the table that the phrase may mean, the usual one first (keys summed)
COUNTERPARTS: dict[str, Callable[[schema.Template], list[list[str]]]] = {
    "requests.received": lambda t: [[_row_total(t, "new")], [_row_total(t, "new"), _row_total(t, "carried_over")]],
    "requests.received.natural_person": lambda t: [[t.row("requests.new").key(schema.APPLICANT_COLUMNS[0])]],
    "requests.received.organisations": lambda t: [[t.row("requests.new").key(c) for c in schema.APPLICANT_COLUMNS[1:-1]]],
    "requests.carried_over": lambda t: [[_row_total(t, "carried_over")]],
    "requests.carried_forward": lambda t: [[_row_total(t, "carried_forward")]],
    "requests.granted": lambda t: [[_row_total(t, "granted")]],
    "requests.partially_granted": lambda t: [[_row_total(t, "partially_granted")]],
    "requests.denied": lambda t: [_outcome_totals(t, "denied_")],
    "requests.unavailable": lambda t: [_outcome_totals(t, "unavailable_")],
    "requests.rejected": lambda t: [_outcome_totals(t, "rejected_")],
    "requests.other": lambda t: [_outcome_totals(t, "other")],
    "requests.handled": lambda t: [[_row_total(t, "total")], [_row_total(t, "new")],
                                   [_row_total(t, "new"), _row_total(t, "carried_over")]],
    "appeals.review": lambda t: [_group_totals("review")],
    "appeals.litigation": lambda t: [_group_totals("litigation_direct", "litigation_after_review")],
    "disclosure.normative_documents.issued": lambda t: (
        [["disclosure.normative_documents.issued"]] if t.name == "2021"
        else [["disclosure.normative_documents.made"], ["disclosure.normative_documents.published"]]),
    "disclosure.normative_documents.repealed": lambda t: (
        [["disclosure.normative_documents.repealed"]] if t.name == "2021" else []),
    "disclosure.normative_documents.in_force": lambda t: (
        [["disclosure.normative_documents.in_force"]] if t.name == "2021" else []),
}


def _sum(values: dict, keys: list[str]):
    got = [values.get(k) for k in keys]
    return None if not keys or None in got else sum(got)


def _readings(tpl: schema.Template, name: str, values: dict) -> list[list[str]]:
    readings = [keys for keys in COUNTERPARTS[name](tpl) if all(k in values for k in keys)]
    if name == "requests.other" and readings and _sum(values, readings[0]) is None:
        # A hybrid keeps its single （六） row in the detail under the 2019 key.
        single = "requests.other.total"
        readings = [[single]] if values.get(single) is not None else readings
    return readings


def compare(statements: list[Statement], template: str, values: dict,
            repairs: dict | None = None) -> tuple[list[CheckResult], list[dict]]:
    """Prose checks for the quantities the tables hold, and the narrative of those they do not."""
    tpl = schema.template(template)
    repaired = {**values, **{k: r["value"] for k, r in (repairs or {}).items()}}
    by_quantity: dict[str, list[Statement]] = {}
    narrative = []
    for s in statements:
        if s.quantity in COUNTERPARTS and not s.approximate:
            by_quantity.setdefault(s.quantity, []).append(s)
        else:
            narrative.append(s.as_dict())
    checks = []
    for name, said in by_quantity.items():
        readings = _readings(tpl, name, values)
        if not readings:
            narrative.extend(s.as_dict() for s in said)
            continue
        checks.append(_prose_check(name, said, readings, values, repaired))
    return checks, narrative


def _keys_text(keys: list[str]) -> str:
    """Keys summed, shortly: requests.rejected_*.total for the five rows of （五）不予处理."""
    if len(keys) <= 2:
        return " + ".join(keys)
    parts = [k.split(".") for k in keys]
    table, rows, columns = parts[0][0], [p[1] for p in parts], [p[2] for p in parts]
    if len(set(columns)) == 1:
        common = os.path.commonprefix(rows)
        return f"{table}.{common}*.{columns[0]}" if common else " + ".join(keys)
    if len(set(rows)) == 1:
        return f"{table}.{rows[0]}.{columns[0]} … {columns[-1]}"
    return " + ".join(keys)


def _prose_check(name: str, said: list[Statement], readings, values: dict, repaired: dict) -> CheckResult:
    label = BY_NAME[name].label
    main = readings[0]
    table = _sum(values, main)
    stated = sorted({s.value for s in said})
    first = said[0]
    description = f"{label} = {_keys_text(main)}"
    if table is None:
        return CheckResult(f"prose.{name}", None, main, None, first.value, "info", description, "prose", first.text,
                           note="the table's cells are missing or unreadable")
    others = f"; the prose also states {', '.join(str(_num(v)) for v in stated if v != table)}" if len(stated) > 1 else ""
    if table in stated:
        text = next(s.text for s in said if s.value == table)
        return CheckResult(f"prose.{name}", True, main, table, table, "info", description, "prose", text,
                           note=others.lstrip("; "))
    for keys in readings:
        for source, where in ((values, ""), (repaired, "repaired ")):
            value = _sum(source, keys)
            if value in stated and (keys != main or source is repaired):
                text = next(s.text for s in said if s.value == value)
                return CheckResult(f"prose.{name}", True, keys, value, value, "info", description, "prose", text,
                                   note=f"agrees with the {where}table value of {_keys_text(keys)}")
    unsure = len(stated) > 1 or any(s.scoped or s.negated for s in said)
    note = ("the prose may count another scope (全区, 本级…) or say it loosely" if unsure else
            "the prose and the table disagree")
    return CheckResult(f"prose.{name}", False, main, table, first.value, "warning" if unsure else "error",
                       description, "prose", first.text, note=note + others)
