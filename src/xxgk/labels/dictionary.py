"""Map free-text row/column labels to canonical categories: the dictionary, the label classifier's first stage.

Normalisation (the folding of ``xxgk.text``, traditional→simplified, punctuation, numbering), an exact
dictionary of official labels plus known variants, a label found inside a longer string, and character
bigrams/alignment that absorb OCR slips, glued neighbours and dropped characters. These settle what they are
sure of; ``stages`` runs the whole classifier (the n-gram classifier, the student and the transformer for
what is left).

Results are cached per normalised string, so a batch pays once per distinct label.
"""
from __future__ import annotations

import difflib
import itertools
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .. import schema
from ..datamodel import Match
from ..text import normalize_chars, run_translator, strip_numbering, to_simplified

NONE = "none"

# Pseudo-categories for table structure the official category list folds into "none": the group headings of
# table 3 and the header cells of tables 2 and 3. The extractor needs them; ``classify_labels`` reports them as none.
STRUCTURAL = {
    "group.outcomes": ["三、本年度办理结果", "本年度办理结果"],
    "group.denied": ["（三）不予公开", "不予公开"],
    "group.unavailable": ["（四）无法提供", "无法提供"],
    "group.rejected": ["（五）不予处理", "不予处理"],
    "group.litigation": ["行政诉讼"],
    "header.applicant": ["申请人情况"],
    "header.legal_person": ["法人或其他组织"],
    "header.content": ["信息内容"],
    "header.article": ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项", "第二十条第（九）项"],
    "header.note": ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"],
}

# Wording seen in real reports beside the official labels (old templates, abbreviations, local habits).
VARIANTS = {
    "requests.new": ["本年新收政府信息公开申请", "本年新收申请数量", "新收政府信息公开申请数量"],
    "requests.carried_over": ["上年结转政府信息公开申请", "上年结转申请数量"],
    "requests.granted": ["予以公开"],
    "requests.partially_granted": ["部分公开", "部分公开（区分处理的只计这一情形不计其他情形）"],
    "requests.denied_prohibited_by_law": ["其他法律法规禁止公开", "其他法律、行政法规禁止公开"],
    "requests.denied_security_stability": ["危及三安全一稳定", "危及\"三安全一稳定\""],
    "requests.unavailable_not_held": ["本机关不掌握相关信息", "不掌握相关政府信息", "不掌握相关信息"],
    "requests.unavailable_needs_creation": ["没有现成信息需要另行制作", "需要另行制作"],
    "requests.unavailable_unclear": ["补正后申请内容仍不明确", "申请内容不明确"],
    "requests.rejected_complaint": ["信访举报投诉类申请"],
    "requests.rejected_confirmation": ["要求行政机关确认或重新出具已获取信息"],
    "requests.other": ["其他处理"],
    "requests.carried_forward": ["结转下年度继续办理", "结转下年度"],
    "disclosure.normative_documents": ["规范性文件"],
    "disclosure.other_services": ["其他对外管理服务事项"],
    "disclosure.fees": ["行政事业性收费"],
    "disclosure.procurement": ["政府集中采购"],
    "appeals.litigation_direct": ["未经复议直接起诉"],
    "appeals.litigation_after_review": ["复议后起诉"],
    "column.amount_wan": ["采购总金额", "本年收费金额", "收费金额"],
    "column.decisions": ["处理决定数量", "本年处理决定数量"],
    "column.total": ["对外公开总数量"],
    "column.made": ["本年新制作数量", "本年制作数量"],
    "column.published": ["本年新公开数量", "本年公开数量"],
    "column.change": ["本年增/减", "本年增减"],
    "section.problems": ["五、存在的主要问题及改进情况", "存在的主要问题及改进情况", "存在的主要问题及明年工作计划"],
    "section.other": ["六、其他需要报告的事项", "其他需要报告的事项"],
}

# Punctuation as labels are compared: scrapes swap ，、；（( freely (normalize_label then drops it).
_PUNCT = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "，": "、", ",": "、",
                        "；": "、", ";": "、", "：": ":", "“": "", "”": "", '"': "", "‘": "", "’": "", "「": "", "」": "",
                        "．": ".", "。": ".", "／": "/", "－": "-", "—": "-", "–": "-", "　": " ", "\xa0": " "})
_SPACE = re.compile(r"\s+")
# The runs of those characters, translated alone: ``str.translate`` with a dict pays a failed lookup for each
# character it does not map (every Chinese one).
_PUNCT_RUN = re.compile("[" + re.escape("".join(map(chr, _PUNCT))) + "]+")
_punct_run = run_translator(_PUNCT)


# A row's numbering: 一、/（一） the rows and outcome groups of table 3, 1./(1) the sub-rows under a group.
# Found anywhere in a label (a group heading glued before it); the last one is nearest the row's words.
# 第二十条第（五）项 cites an article, and numbers no row.
_ORDINAL = re.compile(r"(?<!第)[(（](?P<p>[一二三四五六七八九十]{1,3}|[0-9]{1,2})[)）]"
                      r"|(?<![一二三四五六七八九十第])(?P<c>[一二三四五六七八九十]{1,3})、"
                      r"|(?<![0-9.．])(?P<a>[0-9]{1,2})\s*[.、．](?![0-9])")
_CHINESE_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", 1)}


def _ordinal_value(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    tens, _, units = numeral.rpartition("十")
    if "十" not in numeral:
        return _CHINESE_DIGITS.get(numeral, 0)
    return (_CHINESE_DIGITS.get(tens, 0) if tens else 1) * 10 + _CHINESE_DIGITS.get(units, 0)


def ordinals(text: str) -> list[tuple[int, str]]:
    """The ordinals a label is numbered with, in order, each with the words after it: 3 and 1 in
    （三）不予公开 1.属于国家秘密."""
    text = normalize_chars(text)
    marks = list(_ORDINAL.finditer(text))
    return [(_ordinal_value(m.group(m.lastgroup)), text[m.end():]) for m in marks]


@lru_cache(maxsize=None)
def _official_numbering(category: str) -> tuple[tuple[int, ...], int]:
    """Ordinals of a row's official label, its group heading's first (（六）其他处理 3.其他 is (6, 3)), and
    the length of its words."""
    for t in schema.TEMPLATES:
        try:
            r = schema.template(t).row(category)
        except KeyError:
            continue
        return tuple(n for n, _ in ordinals(r.label)), len(normalize_label(r.label))
    return (), 0


def numbering_fits(text: str, category: str) -> bool:
    """False when the label's numbering is not the row's: neither its own ordinal nor that of a heading that
    could be glued right before it (the heading of a group whose first sub-row it is). （六）其他… is the head
    （六）其他处理 or its sub-row 1., never its sub-row 3.其他.

    A numeral followed by more words than the row's whole label numbers something else (a section heading
    glued before the row: 三、收到和处理政府信息公开申请情况 … 本年新收申请数量) and says nothing."""
    printed = ordinals(text)
    official, length = _official_numbering(category)
    if not printed or not official:
        return True
    last, words = printed[-1]
    if len(normalize_label(words)) > length + 2:
        return True
    return any(o == last and all(below == 1 for below in official[k + 1:]) for k, o in enumerate(official))


_DROP = re.compile(r"[^\w/]")


@lru_cache(maxsize=65536)
def normalize_label(text: str) -> str:
    """The form labels are compared in: simplified, no spaces, no numbering, no punctuation.

    Punctuation goes entirely: scrapes swap ，、；（( freely, and no two labels differ only in it. Cached (bounded
    as the match caches are): the recovery asks again for the same cells' text (boundaries, joins, headers).
    """
    text = _PUNCT_RUN.sub(_punct_run, to_simplified(normalize_chars(text)))
    text = strip_numbering(_SPACE.sub("", text))
    return _DROP.sub("", text)


@dataclass(frozen=True)
class Entry:
    category: str
    text: str        # normalised label text
    grams: frozenset
    chars: Counter = field(compare=False, hash=False, default_factory=Counter)


def bigrams(s: str) -> frozenset:
    # Each character added to the next (map in C, not a slice a step): the same pairs, in a third less time.
    return frozenset(map(operator.add, s, s[1:])) if len(s) > 1 else frozenset([s])


@lru_cache(maxsize=1)
def lexicon() -> tuple[Entry, ...]:
    """Every known label (official, variant, structural), normalised, with its category."""
    pairs: list[tuple[str, str]] = []
    for cat in schema.categories().values():
        if cat.name == NONE:
            continue
        for label in cat.labels:
            pairs.append((cat.name, label))
    for t in schema.TEMPLATES:
        for r in schema.template(t).rows:
            pairs.append((r.category, r.label.split(" ")[-1]))
    for source in (VARIANTS, STRUCTURAL):
        for cat, labels in source.items():
            pairs.extend((cat, lab) for lab in labels)
    seen, entries = set(), []
    for cat, label in pairs:
        norm = normalize_label(label)
        if norm and (cat, norm) not in seen:
            seen.add((cat, norm))
            entries.append(Entry(cat, norm, bigrams(norm), Counter(norm)))
    return tuple(entries)


@lru_cache(maxsize=1)
def _exact() -> dict[str, str]:
    table: dict[str, str] = {}
    for e in lexicon():
        # A text shared by two categories (其他: column.other_org vs requests.other_misc) is left to context.
        table[e.text] = e.category if table.get(e.text, e.category) == e.category else "ambiguous"
    return table


# Numbers, units and punctuation alone: no label.
NOT_LABEL = re.compile(r"^[\d\s.+\-%/()万元件个条次]*$")


_PRIORITY = {"disclosure": 3, "requests": 3, "appeals": 3, "section": 2, "column": 1, "group": 0, "header": 0}


@lru_cache(maxsize=65536)
def match_label(text: str, allowed: frozenset | None = None) -> Match:
    """Best category for one label string; ``allowed`` restricts the categories (the table's context)."""
    return match_normalized(normalize_label(text), allowed)


# normalised string -> (stage that settled it, whether it was taken for a label); the counts of the strings
# met since the last reset (``stages.stage_counts``), bounded as the match caches are: past the bound the
# oldest half goes.
SETTLED_BY: dict[str, tuple[str, bool]] = {}
SETTLED_KEPT = 65536


@lru_cache(maxsize=65536)
def match_normalized(norm: str, allowed: frozenset | None) -> Match:
    """``match_label`` of a string already in ``normalize_label`` form."""
    # Scrapes print one label many ways (numbering, spacing, punctuation): pay once per normalised form.
    m = _cheap_match(norm, allowed)
    if norm and (m.category != NONE or norm not in SETTLED_BY):
        if len(SETTLED_BY) >= SETTLED_KEPT:
            for key in list(itertools.islice(SETTLED_BY, SETTLED_KEPT // 2)):
                del SETTLED_BY[key]
        SETTLED_BY[norm] = (m.stage, m.category != NONE)
    return m


def _cheap_match(norm: str, allowed: frozenset | None) -> Match:
    if not norm or NOT_LABEL.match(norm):
        return Match(NONE, 1.0, "exact")
    exact = _exact().get(norm)
    if exact and exact != "ambiguous" and (allowed is None or exact in allowed):
        return Match(exact, 1.0, "exact", norm)
    index = _index(allowed)
    hits = index.by_text.get(norm, [])
    if hits:
        # 总计 / 其他 name a row and a column alike; the table's position decides, so say it is unsure.
        categories = sorted({e.category for e in hits}, key=lambda c: -_PRIORITY.get(c.split(".")[0], 0))
        return Match(categories[0], 1.0 if len(categories) == 1 else 0.5, "exact", norm)
    grams = bigrams(norm)
    return _contained(norm, index, grams) or _fuzzy(norm, index, grams)


class _Candidates:
    """The dictionary entries a label may match (all, or a table's), indexed for the fuzzy stage — the
    costliest step of the dictionary, which most label cells of a scrape reach: the entries holding each
    bigram (a string shares bigrams with a few entries, not all), and the entries of each length (only those
    within three characters are aligned)."""

    def __init__(self, entries: tuple[Entry, ...]):
        self.entries = entries
        self.with_gram: dict[str, list[int]] = {}
        self.of_length: dict[int, list[int]] = {}
        for row, e in enumerate(entries):
            for gram in e.grams:
                self.with_gram.setdefault(gram, []).append(row)
            self.of_length.setdefault(len(e.text), []).append(row)
        self.grams = frozenset(self.with_gram)
        self.gram_count = [float(len(e.grams)) for e in entries]
        self.char_copies = [_copies(e.text) for e in entries]
        # For the exact and contained stages: the entries of each text, in order, and the entries a label may
        # hold (two characters or more, a text no two categories share) by their first two characters — a text
        # inside the label starts at one of its places, so only the entries starting with its pairs are tried.
        self.longest = max((len(e.text) for e in entries), default=0)
        self._near: dict[int, list[int]] = {}
        self.by_text: dict[str, list[Entry]] = {}
        self.starting_with: dict[str, list[int]] = {}
        shared = _exact()
        for row, e in enumerate(entries):
            self.by_text.setdefault(e.text, []).append(e)
            if len(e.text) >= 2 and shared.get(e.text) != "ambiguous":
                self.starting_with.setdefault(e.text[:2], []).append(row)
        self.starts = frozenset(self.starting_with)


    def near(self, length: int) -> list[int]:
        """The entries within ``NEAR_LENGTH`` characters of a string of this length (those the fuzzy stage
        aligns), listed once per length: no more lengths than the longest entry's."""
        if length > self.longest + NEAR_LENGTH:
            return []
        rows = self._near.get(length)
        if rows is None:
            rows = self._near[length] = [row for size in range(length - NEAR_LENGTH, length + NEAR_LENGTH + 1)
                                         for row in self.of_length.get(size, ())]
        return rows


# The fuzzy stage aligns a string only with entries this many characters longer or shorter at most: an entry
# further away in length could not reach the alignment a near-spelling needs.
NEAR_LENGTH = 3


@lru_cache(maxsize=64)
def _index(allowed: frozenset | None) -> _Candidates:
    return _Candidates(tuple(e for e in lexicon() if allowed is None or e.category in allowed))


def _contained(norm: str, index: _Candidates, grams: frozenset | None = None) -> Match | None:
    """A label glued to its neighbours (headers, group headings, page furniture): the most specific row inside.

    Accepted only when dictionary text covers most of the string, so a sentence of prose that mentions
    规范性文件 is not taken for the row of that name. ``grams`` are the string's ``bigrams`` when known.
    """
    # An entry inside the string starts at one of its character pairs: only the entries starting with a pair
    # the string has are looked for (its pairs met in one set operation, not place by place).
    entries, starting_with = index.entries, index.starting_with
    if grams is None:
        grams = bigrams(norm)
    rows = {row for pair in grams & index.starts for row in starting_with[pair] if entries[row].text in norm}
    # In the dictionary's order, as every entry found inside would be listed.
    inside = [entries[row] for row in sorted(rows)]
    if not inside:
        return None
    spans = {e.text: [(m.start(), m.start() + len(e.text)) for m in re.finditer(re.escape(e.text), norm)]
             for e in inside}
    # An entry found only inside a longer one (其他 in 其他结果) says nothing of its own.
    inside = [e for e in inside if any(not any(a <= s and t <= b and (b - a) > (t - s)
                                               for o, occ in spans.items() if o != e.text for a, b in occ)
                                       for s, t in spans[e.text])]
    covered = [False] * len(norm)
    for e in inside:
        for start, end in spans[e.text]:
            covered[start:end] = [True] * (end - start)
    coverage = sum(covered) / len(norm)
    best = max(inside, key=lambda e: (_PRIORITY.get(e.category.split(".")[0], 0), len(e.text)))
    rivals = {e.category for e in inside if len(e.text) == len(best.text)
              and _PRIORITY.get(e.category.split(".")[0], 0) == _PRIORITY.get(best.category.split(".")[0], 0)}
    if len(rivals) > 1:
        return None
    if coverage >= 0.6 or len(norm) <= len(best.text) + 4:
        return Match(best.category, round(0.8 + 0.19 * coverage, 3), "contained", best.text)
    return None


@lru_cache(maxsize=16384)
def categories_within(text: str) -> frozenset:
    """Every category whose dictionary wording appears whole inside the text (headers fused into one run)."""
    norm = normalize_label(text)
    shared = _exact()
    return frozenset(e.category for e in lexicon() if len(e.text) >= 3 and e.text in norm
                     and shared.get(e.text) != "ambiguous")


def _copies(text: str) -> frozenset:
    """Each character of the text with the count of it so far (政府信息公开政府: 政1 府1 信1 息1 公1 开1 政2 府2): two
    texts have as many characters in common, each as often as both have it, as such copies in common — one set
    intersection, not a sum over the characters."""
    seen: dict[str, int] = {}
    out = []
    for ch in text:
        seen[ch] = seen.get(ch, 0) + 1
        out.append((ch, seen[ch]))
    return frozenset(out)


def _fuzzy(norm: str, index: _Candidates, grams: frozenset | None = None) -> Match:
    if grams is None:
        grams = bigrams(norm)
    with_gram = index.with_gram
    shared = Counter(itertools.chain.from_iterable(map(with_gram.__getitem__, grams & index.grams)))
    # Coverage of the dictionary label (OCR slips and dropped characters cost a little) blended with
    # Dice (so that a short label does not win inside a long sentence); an entry sharing no bigram scores 0.
    gram_count, n_grams = index.gram_count, len(grams)
    score: dict[int, float] = {row: 0.5 * (n / gram_count[row]) + 0.5 * (2 * n / (n_grams + gram_count[row]))
                               for row, n in shared.items()}
    # One slip in a short label (重复中请) breaks two bigrams of three; characters still line up. difflib's
    # quick_ratio bound (shared characters) decides whom the alignment is paid for.
    near = index.near(len(norm))
    if near:
        entries, char_copies = index.entries, index.char_copies
        copies = _copies(norm)
        for row in near:
            if score.get(row, 0.0) >= 0.8:
                continue
            entry = entries[row]
            # Characters in common, each as often as both have it: the copies both hold.
            shared_chars = len(copies & char_copies[row])
            if 2 * shared_chars / (len(norm) + len(entry.text)) >= 0.6:
                aligned = difflib.SequenceMatcher(None, norm, entry.text, autojunk=False).ratio()
                score[row] = max(score.get(row, 0.0), aligned)
    # A string no entry scores half for is no label whichever entry is best (most strings here are prose):
    # the best score alone says so, and how sure.
    top = max(score.values(), default=0.0)
    if not top:
        return Match(NONE, 1.0, "ngram")
    if top < 0.5:
        return Match(NONE, round(max(1 - top, 0.5), 3), "ngram")
    # Each category's best entry (the first, in the dictionary's order, of those that score as well).
    entries, best_of = index.entries, {}
    for row in sorted(score):
        value = score[row]
        if value:
            category = entries[row].category
            held = best_of.get(category)
            if held is None or value > held[0]:
                best_of[category] = (value, row)
    if not best_of:
        return Match(NONE, 1.0, "ngram")
    ranked = sorted(best_of.items(), key=lambda kv: -kv[1][0])
    category, (score, row) = ranked[0]
    text = entries[row].text
    second = ranked[1][1][0] if len(ranked) > 1 else 0.0
    # A sentence that merely mentions a label is prose, not the label.
    if score < 0.5 or len(norm) > max(2.5 * len(text), len(text) + 12):
        return Match(NONE, round(max(1 - score, 0.5), 3), "ngram")
    confidence = min(0.95, score * (0.6 + min(score - second, 0.4)))
    return Match(category, round(confidence, 3), "ngram", text)


def public_category(category: str) -> str:
    """The category as the outside world sees it: structural pseudo-categories are "none"."""
    return NONE if category.split(".")[0] in ("group", "header") else category


@lru_cache(maxsize=None)
def allowed_categories(table: str) -> frozenset:
    """Categories a label inside the given table can take (its rows, columns, headers, the section headings)."""
    cats = {e.category for e in lexicon()}
    prefix = {"disclosure": ("disclosure.",), "requests": ("requests.",), "appeals": ("appeals.",)}[table]
    keep = {c for c in cats if c.startswith(prefix) or c.startswith(("section.", "group.", "header."))}
    columns = {"disclosure": {"made", "published", "total", "previous", "change", "decisions", "projects",
                              "amount_wan", "issued", "repealed", "in_force"},
               "requests": set(schema.APPLICANT_COLUMNS),
               "appeals": set(schema.APPEAL_COLUMNS)}[table]
    keep |= {f"column.{c}" for c in columns if f"column.{c}" in cats}
    return frozenset(keep)
