"""The fast paths of the recovery read exactly what the plain algorithms they replace read.

Each reference below is the straightforward version (every cut enumerated, the orientation programme
as a memoised recursion); the library's version prunes, caches and iterates instead, and must give the
same readings in the same order, truncated at the same limit, on random rows and tables.
"""
from __future__ import annotations

import difflib
import gc
import random
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

import pytest

from xxgk.checks import narrative
from xxgk.tables import placement
from xxgk.pipeline import extract_text
from xxgk.generate import FORMS, random_record, render
from xxgk.labels import dictionary
from xxgk.labels.dictionary import Match, allowed_categories
from xxgk.tables.placement import NUMBER, Piece, place_rows, row_readings
from xxgk.tables.tokens import BLANK, BREAK, LABEL, VALUE, Token, tokenize


def reference_digit_splits(values: list[Token], n: int, limit: int = 20000) -> list[list[Piece]]:
    def cuts(digits: str) -> list[list[str]]:
        out: list[list[str]] = []

        def walk(rest: str, acc: list[str]):
            if len(out) >= limit or len(acc) > n:
                return
            if not rest:
                out.append(acc)
                return
            for end in ([1] if rest[0] == "0" else range(1, len(rest) + 1)):
                walk(rest[end:], acc + [rest[:end]])

        walk(digits, [])
        return out

    runs = []
    for t in values:
        text = t.text.replace(" ", "")
        if t.splittable and re.fullmatch(r"[—－]{2,6}", text):
            runs.append([[Piece(p, t.line, split=len(parts) > 1) for p in parts]
                         for parts in placement._dash_cuts(text, n)])
            continue
        m = NUMBER.match(text)
        if not t.splittable or not m or m.group(3):
            runs.append([[Piece(t.text, t.line)]])
            continue
        sign, unit = m.group(1), m.group(4) or ""
        runs.append([[Piece((sign if k == 0 else "") + p + (unit if k == len(parts) - 1 else ""), t.line,
                            split=len(parts) > 1) for k, p in enumerate(parts)] for parts in cuts(m.group(2))])
    out: list[list[Piece]] = []

    def walk(i: int, acc: list[Piece]):
        if len(out) >= limit or len(acc) > n:
            return
        if i == len(runs):
            if len(acc) == n:
                out.append(list(acc))
            return
        for option in runs[i]:
            walk(i + 1, acc + option)

    walk(0, [])
    return out


def _random_run(rng: random.Random, line: int) -> Token:
    kind = rng.random()
    if kind < 0.6:
        digits = "".join(rng.choice("0000123456789") for _ in range(rng.randint(1, 17)))
        text = rng.choice(["", "", "-"]) + digits + rng.choice(["", "", "件", "元"])
        return Token(VALUE, text, line, splittable=True)
    if kind < 0.75:
        return Token(VALUE, "—" * rng.randint(2, 6), line, splittable=True)
    return Token(VALUE, rng.choice(["12", "0", "3.5", "无", "/"]), line, splittable=rng.random() < 0.5)


def _plain(readings) -> list:
    return [[(p.raw, p.line, p.blank, p.split) for p in r] for r in readings]


@pytest.mark.parametrize("seed", range(8))
def test_digit_splits_are_the_plain_enumeration(seed):
    rng = random.Random(seed)
    for _ in range(60):
        values = [_random_run(rng, rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
        n = rng.choice([1, 3, 5, 7, 7, 15])
        limit = rng.choice([7, 300, 20000])
        got = placement._digit_splits(values, n, limit)
        assert _plain(got) == _plain(reference_digit_splits(values, n, limit)), ([t.text for t in values], n, limit)
        assert all(len(r) == n for r in got)


def test_a_long_run_that_fills_the_limit_is_cut_short_where_the_plain_enumeration_is():
    values = [Token(VALUE, "1234567891234567", 4, splittable=True)]
    got = placement._digit_splits(values, 15, 20000)
    assert len(got) == 15      # 16 digits into 15 numbers: one pair kept together, in 15 places
    assert _plain(got) == _plain(reference_digit_splits(values, 15, 20000))
    assert placement._cuts("1234567891234567", 15, 20000, fewest=15) == placement._cuts("1234567891234567", 15, 20000)


@dataclass
class _Anchor:
    index: int
    row: str


def reference_place_rows(tokens, matches, anchors, widths, hi):
    k = len(anchors)
    after, before, shared = [], [], []
    for i, a in enumerate(anchors):
        stop = anchors[i + 1].index if i + 1 < k else hi
        cells, end = placement.span_to(tokens, matches, a.index, stop, +1)
        after.append(cells)
        shared.append(i + 1 < k and end == anchors[i + 1].index)
        before.append(placement.span_to(tokens, matches, a.index, anchors[i - 1].index if i > 0 else -1, -1)[0])
    same_line = [bool(run) and next((t.line for t in run if t.kind != BREAK), None) == tokens[a.index].line
                 for run, a in zip(after, anchors)]

    def cells_for(i, o_prev, o, o_next):
        if o == "A":
            if shared[i] and o_next == "B":
                return placement._first_cells(after[i], widths[i])
            return placement.trim_placeholders(after[i])
        if i > 0 and shared[i - 1] and o_prev == "A":
            return placement._drop_first_cells(before[i], widths[i - 1])
        return placement.lead_placeholders(before[i])

    memo: dict = {}

    def best(i, o_prev, o):
        if i == k:
            return 0.0, []
        if (i, o_prev, o) not in memo:
            options = []
            for o_next in (("A", "B") if i + 1 < k else (None,)):
                found = row_readings(cells_for(i, o_prev, o, o_next), widths[i])
                score = (3.0 if found and min(p for p, _ in found) == 0 else 1.0 if found else 0.0)
                score += 0.01 if o == "A" else 0.0
                if o == "B" and score >= 3 and same_line[i]:
                    after_fit = row_readings(cells_for(i, o_prev, "A", o_next), widths[i])
                    if after_fit and min(p for p, _ in after_fit) == 0:
                        score -= 1.5
                    elif after_fit:
                        score -= 2.5
                if o != "A" and not (shared[i] and o_next == "B") and any(t.kind == VALUE for t in after[i]):
                    score -= 1
                if i == 0 and o == "A" and any(t.kind == VALUE for t in before[0]):
                    score -= 1
                rest, path = best(i + 1, o, o_next) if o_next else (0.0, [])
                options.append((score + rest, [(o, found)] + path))
            memo[(i, o_prev, o)] = max(options, key=lambda x: x[0])
        return memo[(i, o_prev, o)]

    _, path = max((best(0, None, o) for o in ("A", "B")), key=lambda x: x[0])
    return {a.row: found for a, (_, found) in zip(anchors, path)}, [o for o, _ in path]


def _random_table(rng: random.Random):
    tokens, matches, anchors, line = [], {}, [], 1
    for row in range(rng.randint(1, 9)):
        if rng.random() < 0.3:
            tokens.append(Token(LABEL, "本年度办理结果说明文字很长的一段话用来隔开两个表格的行", line))
            matches[len(tokens) - 1] = Match("none", 1.0, "ngram")
        cells = [rng.choice([Token(VALUE, str(rng.randint(0, 30)), line), Token(BLANK, "", line),
                             Token(VALUE, "0", line), Token(BREAK, "", line)]) for _ in range(rng.randint(0, 9))]
        label = Token(LABEL, f"第{row}行", line)
        placed = [label] + cells if rng.random() < 0.7 else cells + [label]
        for t in placed:
            if t is label:
                matches[len(tokens)] = Match(f"requests.r{row}", 1.0, "exact")
                anchors.append(_Anchor(len(tokens), f"r{row}"))
            tokens.append(t)
        line += rng.randint(0, 2)
    widths = [rng.choice([1, 2, 3, 7]) for _ in anchors]
    return tokens, matches, anchors, widths


@pytest.mark.parametrize("seed", range(6))
def test_row_orientations_are_those_of_the_plain_recursion(seed):
    rng = random.Random(100 + seed)
    for _ in range(80):
        tokens, matches, anchors, widths = _random_table(rng)
        got, orientations = place_rows(tokens, matches, anchors, widths, len(tokens))
        want, want_orientations = reference_place_rows(tokens, matches, anchors, widths, len(tokens))
        assert orientations == want_orientations
        assert {row: [(p, _plain([r])) for p, r in found] for row, found in got.items()} == \
               {row: [(p, _plain([r])) for p, r in found] for row, found in want.items()}


def test_extraction_leaves_no_reference_cycles_of_its_own():
    """Cycles wait for the garbage collector, whose full passes walk every object of the loaded NLP
    libraries: extraction's own objects must go as soon as they are unused."""
    rng = random.Random(7)
    texts = [render(random_record(("2019", "2021")[k % 2], rng), form, rng) for k, form in enumerate(FORMS)]
    extract_text(texts[0])
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for text in texts:
            extract_text(text)
        gc.collect()
        ours = sorted({type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith("xxgk")})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert ours == []


# ------------------------------------------------------------------------------------------------ the prose's words

def _spacy_reference():
    """The spaCy pipeline the prose was read with before issue 25: jieba's words as a Doc, an EntityRuler for the
    quantities, a PhraseMatcher for the cues. narrative now finds the same words, cues and quantities without it."""
    spacy = pytest.importorskip("spacy")
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    nlp = spacy.blank("zh")
    nlp.tokenizer.segmenter = "jieba"
    nlp.tokenizer.jieba_seg = narrative._segmenter()
    ruler = nlp.add_pipe("entity_ruler")
    number, approx = {"LIKE_NUM": True}, {"ORTH": {"IN": ["余", "多"]}, "OP": "?"}
    units = lambda *words: {"TEXT": {"IN": list(words)}}      # noqa: E731
    ruler.add_patterns(
        [{"label": "COUNT", "pattern": [number, approx, units(*narrative.COUNT_UNITS)]},
         {"label": "COUNT", "pattern": [number, units(*("余" + u for u in narrative.COUNT_UNITS),
                                                      *("多" + u for u in narrative.COUNT_UNITS))]},
         {"label": "MONEY", "pattern": [number, approx, units(*narrative.MONEY_UNITS)]}])
    matcher = PhraseMatcher(nlp.vocab)
    for q in narrative.QUANTITIES:
        matcher.add(q.name, [Doc(nlp.vocab, words=w) for cue in q.cues for w in narrative._phrases(cue)])
        if q.negations:
            matcher.add("NOT " + q.name, [Doc(nlp.vocab, words=w) for cue in q.negations for w in narrative._phrases(cue)])
    return nlp, matcher


def _prose_sentences(rng: random.Random) -> list[str]:
    """Sentences of generated reports' prose, and sentences made of cue words, numbers of every kind, units,
    余/多, negations, clause breaks and spaces in random order."""
    out = []
    for k, form in enumerate(FORMS):
        text = render(random_record(("2019", "2021")[k % 2], rng), form, rng)
        out += narrative.sentences(narrative.prose_of(text))
    cues = ["".join(words) for words in narrative.CUES]
    numbers = ["12", "0", "3.5", "1,200", "１２", "十二", "三千五百", "两", "一", "+3", "2/3", "120万"]
    units = list(narrative.COUNT_UNITS + narrative.MONEY_UNITS) + ["余件", "多条", "人"]
    other = ["，", "。", "；", " ", "  ", "政府信息", "其中", "全年", "申请", "行政复议", "未", "本级", "全区", "余", "多", "和"]
    for _ in range(400):
        pieces = [rng.choice(rng.choice([cues, numbers, units, other, numbers])) for _ in range(rng.randint(2, 14))]
        out.append("".join(pieces).strip())
    return [s for s in out if s]


def test_the_prose_is_read_as_spacy_read_it():
    nlp, matcher = _spacy_reference()
    rng = random.Random(25)
    for sentence in _prose_sentences(rng):
        doc = nlp(sentence)
        words = [t.text for t in doc]
        assert narrative._words_of(sentence) == words, sentence
        assert narrative._cues_in(words) == [(nlp.vocab.strings[m], a, b) for m, a, b in matcher(doc)], sentence
        assert narrative._quantities_in(words) == [(e.start, e.end) for e in doc.ents], sentence


def test_numbers_are_told_as_spacy_tells_them():
    pytest.importorskip("spacy")
    from spacy.lang.zh.lex_attrs import like_num

    words = ["12", "1,200", "3.5", "-4", "±5", "~6", "2/3", "2/3/4", "a/3", "１２", "十二", "十", "两", "三千五百", "五百三",
             "一百零五", "壹佰", "廿", "万", "一万二", "件", "", "余", "百", "十一", "〇", "亿", "三亿五千万"]
    assert [narrative.like_number(w) for w in words] == [like_num(w) for w in words]


# ------------------------------------------------------------------------------------------------ the fuzzy stage

class _MatrixIndex:
    """The dictionary's fuzzy stage as it was before issue 25: every entry scored in numpy arrays."""

    def __init__(self, entries):
        self.entries = entries
        self.gram_column = {g: i for i, g in enumerate(sorted({g for e in entries for g in e.grams}))}
        self.char_column = {c: i for i, c in enumerate(sorted({c for e in entries for c in e.chars}))}
        self.has_gram = np.zeros((len(entries), len(self.gram_column)), dtype=np.int64)
        self.char_count = np.zeros((len(entries), len(self.char_column)), dtype=np.int64)
        for row, e in enumerate(entries):
            self.has_gram[row, [self.gram_column[g] for g in e.grams]] = 1
            for ch, n in e.chars.items():
                self.char_count[row, self.char_column[ch]] = n
        self.gram_count = np.array([len(e.grams) for e in entries], dtype=np.float64)
        self.length = np.array([len(e.text) for e in entries], dtype=np.int64)


def reference_fuzzy(norm: str, index: _MatrixIndex):
    grams = dictionary.bigrams(norm)
    shared = index.has_gram[:, [index.gram_column[g] for g in grams if g in index.gram_column]].sum(axis=1)
    score = 0.5 * (shared / index.gram_count) + 0.5 * (2 * shared / (len(grams) + index.gram_count))
    near = (np.abs(index.length - len(norm)) <= 3) & (score < 0.8)
    if near.any():
        counts = [(index.char_column[ch], n) for ch, n in Counter(norm).items() if ch in index.char_column]
        shared_chars = (np.minimum(index.char_count[:, [c for c, _ in counts]], [n for _, n in counts]).sum(axis=1)
                        if counts else np.zeros(len(index.entries), dtype=np.int64))
        for row in np.flatnonzero(near & (2 * shared_chars / (len(norm) + index.length) >= 0.6)):
            aligned = difflib.SequenceMatcher(None, norm, index.entries[row].text, autojunk=False).ratio()
            score[row] = max(score[row], aligned)
    scores: dict = {}
    for row in np.flatnonzero(score):
        e = index.entries[row]
        if score[row] > scores.get(e.category, (0.0, ""))[0]:
            scores[e.category] = (float(score[row]), e.text)
    if not scores:
        return Match("none", 1.0, "ngram")
    ranked = sorted(scores.items(), key=lambda kv: -kv[1][0])
    category, (best, text) = ranked[0]
    second = ranked[1][1][0] if len(ranked) > 1 else 0.0
    if best < 0.5 or len(norm) > max(2.5 * len(text), len(text) + 12):
        return Match("none", round(max(1 - best, 0.5), 3), "ngram")
    return Match(category, round(min(0.95, best * (0.6 + min(best - second, 0.4))), 3), "ngram", text)


@pytest.mark.parametrize("seed", range(3))
def test_the_fuzzy_stage_scores_as_the_matrices_did(seed):
    rng = random.Random(seed)
    texts = [render(random_record(("2019", "2021")[k % 2], rng), form, rng, noise=0.8, garble=0.5)
             for k, form in enumerate(FORMS)]
    strings = {dictionary.normalize_label(t.text) for text in texts for t in tokenize(text) if t.kind == LABEL}
    strings |= {a + b for a, b in zip(sorted(strings), sorted(strings)[1:])}     # joined neighbours, as rows are
    indexes = [None, allowed_categories("requests"), allowed_categories("disclosure"), allowed_categories("appeals")]
    for allowed in indexes:
        index = dictionary._index(allowed)
        matrices = _MatrixIndex(index.entries)
        for norm in sorted(s for s in strings if s):
            assert dictionary._fuzzy(norm, index) == reference_fuzzy(norm, matrices), (norm, allowed)


def test_the_segmenter_cuts_block_by_block_as_jieba_cuts_the_whole():
    """The segmenter keeps each block's words (a block met again is not cut again): the words are jieba's for
    the whole text, spaces, punctuation, Latin letters and digits included, whether the block was kept or not."""
    segmenter = narrative._segmenter()
    rng = random.Random(11)
    texts = _prose_sentences(rng)
    alphabet = "政府信息公开申请件12 3.5，。、；（）()abcX%-_#&+\t\n\u3000无未收到行政复议诉讼"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts + texts[::-1]:
        assert segmenter.cut(text) == list(segmenter.segmenter.cut(text, HMM=False)), repr(text)


def _row_run_together(rng: random.Random, groups: int) -> tuple[list[Token], int, tuple]:
    """A row of ``groups`` groups of five cells (four parts and their total), its numbers run together into a few
    tokens (a lone number now and then left apart, not splittable), and its identities as ``row_readings``
    takes them."""
    cells = []
    for _ in range(groups):
        parts = [rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 99)]) for _ in range(4)]
        cells += [str(p) for p in parts] + [str(sum(parts))]
    tokens, k = [], 0
    while k < len(cells):
        size = rng.randint(1, 6)
        text = "".join(cells[k:k + size])
        tokens.append(Token(VALUE, text, 1, splittable=size > 1 or rng.random() < 0.7))
        k += size
    sums = tuple((tuple(range(g * 5, g * 5 + 4)), (g * 5 + 4,)) for g in range(groups))
    return tokens, len(cells), sums


@pytest.mark.parametrize("seed", range(4))
def test_the_sums_cut_what_the_plain_enumeration_cuts_where_they_hold(seed):
    """The search by the sums gives the cuts of the plain enumeration whose identities hold, in its order; where
    none holds, the plain enumeration itself."""
    rng = random.Random(500 + seed)
    for _ in range(40):
        values, n, sums = _row_run_together(rng, rng.choice([1, 1, 2]))
        plain = reference_digit_splits(values, n, 20000)
        if len(plain) >= 20000:
            continue
        holding = [r for r in plain if all(
            sum(placement.numbers([r[i] for i in left])) == sum(placement.numbers([r[i] for i in right]))
            for left, right in sums)]
        placement._plans_by_sums.cache_clear()
        got = placement._digit_splits(values, n, 20000, sums)
        assert _plain(got) == _plain(holding or plain), [t.text for t in values]


@pytest.mark.parametrize("seed", range(6))
def test_one_reading_holds_where_the_search_finds_it(seed):
    """A reading cut into rows (one placement a row) holds where ``solve`` finds a solution: on the template's
    rows with numbers that keep every identity, one cell changed, or money with decimals (rounding to millionths)."""
    from xxgk import schema
    from xxgk.tables.arrange import Budget, Placement, RowToPlace, one_reading_holds, solve
    from xxgk.generate import random_record

    rng = random.Random(f"one-reading:{seed}")
    checked = held = 0
    for _ in range(40):
        record = random_record(rng.choice(("2019", "2021")), rng)
        template = schema.template(record["template"])
        for table in ("disclosure", "requests"):
            rows = template.rows_of(table)
            keys = {r.row: tuple(k for k in record["fields"] if k.startswith(f"{table}.{r.row}.")) for r in rows}
            keys = {row: ks for row, ks in keys.items() if ks}
            if not keys:
                continue
            fields = dict(record["fields"])
            if rng.random() < 0.5:
                key = rng.choice([k for ks in keys.values() for k in ks])
                fields[key] = (fields[key] or 0) + rng.choice([1, -1, 0.000001, 0.3])
            to_place = [RowToPlace(row, ks, [Placement((), tuple(fields[k] or 0 for k in ks), 0.0)])
                        for row, ks in keys.items()]
            rules = template.rules
            assert one_reading_holds(to_place, rules) == (solve(to_place, rules, Budget(len(to_place) + 1)) is not None)
            checked += 1
            held += one_reading_holds(to_place, rules)
    assert checked >= 60 and 0 < held < checked


def test_folding_by_runs_is_the_plain_translation():
    """The folds translate only the runs of characters they change: the same text as translating the whole."""
    from xxgk import text

    rng = random.Random(7)
    blocks = [*range(0x2E70, 0x2FF0), *range(0xF8F0, 0xFB10), *range(0xFF00, 0xFF70),
              0x3000, 0xA0, 0x2002, 0x2003, 0x2009, 0x200B, 0x4E00, 0x6587, 0x41, 0x20]
    chars = [chr(c) for c in blocks] + list("".join(map(chr, dictionary._PUNCT)))
    for _ in range(20000):
        s = "".join(rng.choice(chars) for _ in range(rng.randint(0, 10)))
        assert text.normalize_chars(s) == s.translate(text._fold_table())
        assert text.fold_lookalikes(s) == s.translate(text._LOOKALIKE_TABLE)
        assert dictionary._PUNCT_RUN.sub(dictionary._punct_run, s) == s.translate(dictionary._PUNCT)


def test_the_end_of_the_tables_is_found_where_the_regex_finds_it():
    """``narrative._after_tables`` runs AFTER_TABLES only at the first of its words: the same match."""
    rng = random.Random(11)
    pieces = ["五", "5", "５", "六", "6", "６", "、", ".", "．", " ", "\n", "\u3000", "存在的主要问题", "其他需要报告的事项",
              "存在", "其他", "文", "。"]
    for _ in range(50000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        pos = rng.randint(0, len(text))
        mine, regex = narrative._after_tables(text, pos), narrative.AFTER_TABLES.search(text, pos)
        assert (mine and mine.span()) == (regex and regex.span()), (text, pos)


def reference_block_orders(base: int, count: int, width: int) -> list[list[list[int]]]:
    """The orders counted off segment by segment, as the text prints them."""
    if count == 1:
        return [[list(range(base, base + width))]]
    orders = []
    for segments in ([(c, c + 1) for c in range(width)], [(0, 1), (1, width)], [(0, width - 1), (width - 1, width)]):
        rows_at = [[0] * width for _ in range(count)]
        position = base
        for first, last in segments:
            for r in range(count):
                for c in range(first, last):
                    rows_at[r][c] = position
                    position += 1
        orders.append(rows_at)
    return orders


def test_block_orders_are_the_numbers_counted_off_segment_by_segment():
    from xxgk.tables.sequence import _block_orders
    for base in (0, 3, 17):
        for count in range(1, 27):
            for width in range(1, 17):
                assert _block_orders(base, count, width) == reference_block_orders(base, count, width)


@pytest.mark.parametrize("seed", range(4))
def test_the_arrays_meet_the_halves_where_the_walk_meets_them(seed, monkeypatch):
    """A group's parts met in the middle with whole arrays (floats to bound, sums modulo 2 ** 64 to meet) are
    the cuts the walk finds, on long runs whose sums hold (once or many times: runs of zeros and repeats) and
    whose sums do not (one digit changed), several runs in a row among them."""
    rng = random.Random(f"arrays:{seed}")
    compared = found = 0
    for _ in range(30):
        k = rng.randint(4, 7)
        parts = [rng.choice([0, rng.randrange(1, 10 ** rng.randint(1, 16))]) for _ in range(k)]
        if rng.random() < 0.3:
            parts = [p * 10 ** rng.randint(0, 8) + 1 for p in parts]
        bodies = [str(p) for p in parts] + [str(sum(parts))]
        text = "".join(bodies)
        if rng.random() < 0.3:      # a digit changed: most such rows hold no cut
            at = rng.randrange(len(text))
            text = text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1:]
        cut = rng.randrange(1, len(text)) if rng.random() < 0.3 else len(text)
        runs = tuple(("digits", body, False) for body in (text[:cut], text[cut:]) if body)
        for t in range(1, len(text) - k + 1):
            if text[len(text) - t] == "0" and t > 1:
                continue
            total = int(text[len(text) - t:])
            search = placement._SumSearch(runs, k + 1, {0: k})
            if not search._whole_numbers(0, len(text) - t):
                continue
            got = sorted(search._parts_arrays(k, 0, len(text) - t, total))
            monkeypatch.setattr(placement, "WHOLE_ARRAYS", 10 ** 9)
            walked = sorted(placement._SumSearch(runs, k + 1, {0: k})._parts_met(k, 0, len(text) - t, total))
            monkeypatch.undo()
            assert got == walked, (text, t)
            compared += 1
            found += bool(got)
    assert compared > 500 and found >= 10


@pytest.mark.parametrize("seed", range(3))
def test_the_arrays_find_the_plans_the_walk_finds(seed, monkeypatch):
    """Rows of long runs (table 3's row of six parts and their total, table 4's three groups of four, their
    numbers scaled up to dozens of digits, now and then a digit changed or the run cut in two) are cut by the
    arrays, each group for all its totals at once, into the same plans as by the walk."""
    rng = random.Random(f"plans:{seed}")
    compared = found = 0
    for _ in range(12):
        groups, parts = rng.choice([(1, 6), (3, 4), (2, 4)])
        factor = rng.randrange(1, 10 ** rng.randint(1, 12)) | 1
        cells = []
        for _ in range(groups):
            values = [rng.choice([0, rng.randint(1, 999)]) * factor for _ in range(parts)]
            cells += [str(v) for v in values] + [str(sum(values))]
        text = "".join(cells)
        if rng.random() < 0.3:
            at = rng.randrange(len(text))
            text = text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1:]
        cut = rng.randrange(1, len(text)) if rng.random() < 0.3 else len(text)
        runs = tuple(("digits", body, False) for body in (text[:cut], text[cut:]) if body)
        n = len(cells)
        sums = tuple((tuple(range(g * (parts + 1), g * (parts + 1) + parts)), (g * (parts + 1) + parts,))
                     for g in range(groups))
        got = placement._plans_by_sums.__wrapped__(runs, n, sums, 20000)
        monkeypatch.setattr(placement, "WHOLE_ARRAYS", 10 ** 9)
        walked = placement._plans_by_sums.__wrapped__(runs, n, sums, 20000)
        monkeypatch.undo()
        if walked is None:
            continue            # past the walk's budget
        assert got == walked, text
        monkeypatch.setattr(placement, "HALF_ARRAY_CUTS", 50)     # too many cuts for the arrays: walked
        assert placement._plans_by_sums.__wrapped__(runs, n, sums, 20000) == walked, text
        monkeypatch.undo()
        compared += 1
        found += bool(got)
    assert compared >= 8 and found >= 4


def test_slash_chains_are_found_where_the_plain_pattern_finds_them():
    """The chains of numbers and / marks (blank cells glued to their row) are looked for from the start of a digit
    run only: the same spans as the pattern tried at every digit, on text with long runs, dates and URLs."""
    from xxgk.tables import tokens
    plain = re.compile(r"\d+(?:/+\d+)+")
    rng = random.Random("slashes")
    pieces = ["/", "//", "///", "0", "12", "2024/1/2", "规章", " ", "行政许可", "http://x.cn/1/2",
              "1///1//0//1/102", "9" * 60, "305" * 30]
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert ([m.span() for m in tokens._DIGIT_SLASH_CHAIN.finditer(text)]
                == [m.span() for m in plain.finditer(text)]), text


@pytest.mark.parametrize("seed", range(3))
def test_split_runs_are_confirmed_as_rule_by_rule(seed):
    """The rows whose digits ran together are confirmed by the identities through their cells, each judged once
    a row: the same rows, values and identities as judging them cell by cell through every rule."""
    from xxgk import schema
    from xxgk.checks import arithmetic
    from xxgk.checks.arithmetic import _holds, _through

    def plain(rules, values, cells):
        rows = {}
        for key, cell in cells.items():
            if "split" in cell.get("note", "") and values.get(key) is not None:
                rows.setdefault(key.rsplit(".", 1)[0], []).append(key)
        return {row: sorted({r.name for k in keys for r in _through(k, rules) if _holds(r, values)})
                for row, keys in rows.items()}

    rng = random.Random(f"split-runs:{seed}")
    for _ in range(20):
        record = random_record(rng.choice(("2019", "2021")), rng)
        rules = schema.template(record["template"]).rules
        values = dict(record["fields"])
        for key in rng.sample(sorted(values), 5):
            values[key] = rng.choice([None, (values[key] or 0) + 1])
        cells = {key: {"note": rng.choice(["", "", "split by the sums", "x"])} for key in values}
        confirmed, unconfirmed = arithmetic.split_runs(rules, values, cells)
        expected = plain(rules, values, cells)
        got = {c["row"]: c["confirmed_by"] for c in confirmed}
        assert {row for row, names in expected.items() if names} == set(got)
        for row, names in got.items():
            full = sorted(expected[row], key=lambda name: (not name.startswith(row.replace(".", ".row_total.", 1)),
                                                           name))
            assert names == full[:3] + ([f"{len(full) - 3} more"] if len(full) > 3 else [])
        assert len(unconfirmed) == sum(1 for names in expected.values() if not names)


def test_a_line_is_cut_into_the_words_its_cells_make():
    """``textgrid._tokens`` finds a line's words from its characters' widths: the words the cell-by-cell cut
    finds (``cells_of``), in every measure, with wide, ambiguous, zero-width and space characters about."""
    from xxgk.readers import textgrid

    rng = random.Random(5)
    chars = list(" \xa0\u3000\t\u0301\u200b\f│─┼“”·ａ１万元件.、1234567890一二三abc-—")
    for _ in range(20000):
        line = "".join(rng.choice(chars) for _ in range(rng.randint(0, 30)))
        cut = line.rstrip().expandtabs(8)
        for widths in (*textgrid.WIDTHS, textgrid.CHARACTERS):
            assert textgrid._tokens(line, widths) == textgrid._tokens_by_cells(cut, widths), (line, widths)


def test_a_cell_read_again_reads_as_it_did_the_first_time():
    """``tokens._cell`` keeps each cell text's reading: the tokens are those read afresh, new objects each time."""
    from xxgk.tables import tokens as tokens_module

    rng = random.Random(3)
    for template in ("2019", "2021"):
        for form in FORMS:
            text = render(random_record(template, rng), form, rng, noise=0.3, garble=0.3)
            for line in text.split("\n"):
                for cell in line.split("\t"):
                    first, again = tokens_module._cell(cell, 7), tokens_module._cell(cell, 9)
                    assert repr(tokens_module._read_cell(cell, 7)) == repr(first)
                    assert repr(tokens_module._read_cell(cell, 9)) == repr(again)
                    assert not any(a is b for a, b in zip(first, again))


def test_a_table_is_written_as_asdict_writes_it():
    """``TableResult.as_dict`` is ``dataclasses.asdict``, keys in order, for a table with every field filled."""
    from dataclasses import asdict, fields

    from xxgk.datamodel import TableResult

    table = TableResult("requests", True, "mixed", ["new", "total"], ["other"], ["a note"],
                        [{"raw": "12", "line": 3}, {"raw": "0", "line": 9}])
    assert all(getattr(table, f.name) not in ("", [], False) for f in fields(table))
    assert table.as_dict() == asdict(table)
    assert list(table.as_dict()) == list(asdict(table))
    assert table.as_dict()["unplaced"][0] is not table.unplaced[0]


def reference_beside_whole_rows(lines: list[str], page_of: list[int]) -> dict[int, list[str]]:
    """``tokens._beside_whole_rows`` as it was: every line of numbers of the text scanned for each line."""
    from xxgk.tables import tokens as tokens_module

    spans = {}
    for j, line in enumerate(lines):
        if not tokens_module._ADDRESS.search(line):
            found = [m.span() for m in tokens_module._NUMBER_AT.finditer(line.replace("\f", ""))]
            if found:
                spans[j] = found
    out = {}
    for j, found in spans.items():
        best = None
        for r in sorted((r for r in spans if 0 < abs(r - j) <= tokens_module.ROW_REACH and page_of[r] == page_of[j]
                         and len(spans[r]) > len(found)), key=lambda r: abs(r - j)):
            if best is not None and abs(r - j) > abs(best[0] - j):
                break
            at = tokens_module._columns_in(found, spans[r])
            if at is None:
                continue
            if best is not None and (best[1], len(spans[best[0]])) != (at, len(spans[r])):
                best = None
                break
            best = (r, at)
        if best is not None:
            out[j + 1] = [f"#{k}/{len(spans[best[0]])}" for k in best[1]]
    return out


def test_short_rows_stand_beside_the_rows_the_scan_of_every_line_finds():
    """``_beside_whole_rows`` looks only at the lines within reach of each: the columns the scan of every line of
    the text found, on the paged texts of the fixtures and the corpus and on random pages of numbers."""
    from pathlib import Path

    from xxgk.tables import tokens as tokens_module

    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8") for folder in (root / "tests/fixtures/forms", root / "corpus/real/raw")
             for p in sorted(folder.glob("*.txt"))]
    texts = [t for t in texts if "\f" in t]
    rng = random.Random(5)
    for _ in range(300):
        rows = []
        for _ in range(rng.randint(1, 60)):
            cells = rng.randint(0, 7)
            at = [rng.choice((3, 4, 5, 6)) * k + rng.randint(0, 2) for k in range(1, cells + 1)]
            rows.append("".join(f"{' ' * max(1, a - 2)}{rng.randint(0, 999)}" for a in at)
                        + ("\f" if rng.random() < 0.05 else ""))
        texts.append("\n".join(rows))
    assert len(texts) > 300
    for text in texts:
        lines = text.split("\n")
        page_of = _pages_of(lines)
        assert tokens_module._beside_whole_rows(lines, page_of) == reference_beside_whole_rows(lines, page_of)


def reference_disclosure_under_heads(lines: list[str], page_of: list[int]) -> dict[int, list[str]]:
    """``tokens._disclosure_under_heads`` as it was: every head of every small table searched on every line."""
    from xxgk.tables.tokens import (_ADDRESS, _DISCLOSURE_HEADS, _NUMBER_AT, DISCLOSURE_REACH, _squeezed)

    out: dict[int, list[str]] = {}
    for k, line in enumerate(lines):
        text = line.replace("\f", "")
        for row in _DISCLOSURE_HEADS:
            found = [(m.start(), m.end() - 1, column) for column, word in row
                     for m in [re.search(re.escape(word), text)] if m is not None and not _squeezed(text, m)]
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


def test_small_tables_stand_under_the_heads_every_search_finds():
    """``_disclosure_under_heads`` searches a line for its heads only when it holds one of them, with patterns
    compiled once: the columns every head searched on every line found, on the paged texts of the fixtures and
    the corpus and on random pages of heads (squeezed, out of order, repeated) and numbers."""
    from pathlib import Path

    from xxgk.tables import tokens as tokens_module

    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8") for folder in (root / "tests/fixtures/forms", root / "corpus/real/raw")
             for p in sorted(folder.glob("*.txt"))]
    texts = [t for t in texts if "\f" in t]
    heads = [word for row in tokens_module._DISCLOSURE_HEADS for _, word in row] + ["第二十条第（五）项", "信息内容"]
    rng = random.Random(7)
    for _ in range(300):
        rows = []
        for _ in range(rng.randint(1, 40)):
            if rng.random() < 0.4:
                words = rng.sample(heads, rng.randint(1, 4))
                rows.append("".join(" " * rng.choice((1, 1, 2, 4, 8)) + w for w in words))
            else:
                rows.append("".join(" " * rng.randint(1, 9) + str(rng.randint(0, 999)) for _ in range(rng.randint(0, 5))))
            if rng.random() < 0.05:
                rows[-1] += "\f"
        texts.append("\n".join(rows))
    assert len(texts) > 300
    found = 0
    for text in texts:
        lines = text.split("\n")
        page_of = _pages_of(lines)
        expected = reference_disclosure_under_heads(lines, page_of)
        found += len(expected)
        assert tokens_module._disclosure_under_heads(lines, page_of) == expected
    assert found > 100    # the heads stood over values often enough for the comparison to mean something


def _pages_of(lines: list[str]) -> list[int]:
    """Each line's page in a paged text (the form feeds before and on it), as the tokenizer counts them."""
    page_of, page = [], 0
    for line in lines:
        page += line.count("\f")
        page_of.append(page)
    return page_of
