"""Find each table's row labels among the tokens (stage 2b of the recovery).

Every label token is mapped to a category (``labels.match_label``). Labels wrapped over two cells, or split
around their values by PDF text extraction, are joined; the row labels of a table are then kept only in the
template's order (a longest increasing run), which drops header cells and prose that merely look like labels;
a garbled label between two recognised rows is matched against just the rows that belong in that place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import schema
from ..datamodel import BLANK, LABEL, VALUE, Match, Token
from ..labels.dictionary import match_label, normalize_label, numbering_fits, ordinals
from ..labels.stages import LEARNED_STAGES, model_match, second_opinion
from ..options import Options

# Row orders of both templates together: the 2021 （六） sub-rows follow the 2019 single （六） row.
DISCLOSURE_ORDER = [r.row for r in schema.template("2019").rows_of("disclosure")]
REQUEST_ORDER = [r.row for r in schema.template("2019").rows_of("requests")]
REQUEST_ORDER[REQUEST_ORDER.index("other") + 1:REQUEST_ORDER.index("other") + 1] = list(schema.OTHER_SPLIT_ROWS)


# Tables whose rows are named by a label before (or after) their cells; table 4's cells sit under a header.
ROW_ORDERS = {"disclosure": DISCLOSURE_ORDER, "requests": REQUEST_ORDER}

# How sure a reading of a label must be, for each use. A label read at SURE_LABEL or more is taken as read: the
# label stages settle a string from there (their SETTLED), and the evaluation counts a cell as confident from there.
SURE_LABEL = 0.9
# A row label read at better than even odds anchors its row (below, the reading is as likely wrong as right).
ROW_ANCHOR = 0.5
# A row label read at ROW_READ or more counts as that row where a weaker reading would not: inside a run of
# headings (one-line pages), and as the evidence of the 2021 layout's split （六） rows.
ROW_READ = 0.6
# A row found by its place (the rows missing between two read ones, or past the first or last) is held at
# middling confidence: enough to anchor a row, not to vouch for its label.
BY_PLACE_LOWEST, BY_PLACE_HIGHEST = 0.5, 0.7
# A label that repeats through the document and is this long is a running page header, not a row.
RUNNING_HEADER_CHARS = 8
# A label this long with a space inside is a run of headings glued together (one-line pages); its last pieces
# (up to TAIL_PIECES) may be the row's garbled label.
HEADING_RUN_CHARS = 12
TAIL_PIECES = 4
# Two cells are read as one wrapped label when the joint reading beats each half by more than this.
JOIN_GAIN = 0.05


@dataclass
class Anchor:
    index: int          # position in the token list
    row: str
    match: Match


# A line that ends a sentence is prose, whatever row label its words resemble (……街道办事处未 / 收到政府信息公开申请。:
# a paragraph's wrapped tail before the tables, read as 一、本年新收's label, opened table 3 above table 2's heading
# and table 2 went unread); no cell of the template's tables ends one. (A section's heading run into its first
# sentence, 六、其他需要报告的事项 无其他需要报告的事项。, still ends the table above it.)
SENTENCE_ENDS = ("。", "！", "？")


def classify_tokens(tokens: list[Token], options: Options) -> dict[int, Match]:
    counts: dict[str, int] = {}
    for t in tokens:
        if t.kind == LABEL:
            counts[t.text] = counts.get(t.text, 0) + 1
    out = {}
    for i, t in enumerate(tokens):
        if t.kind != LABEL:
            continue
        m = second_opinion(t.text, match_label(t.text), options)
        if is_row(m) and t.text.rstrip().endswith(SENTENCE_ENDS):
            out[i] = Match("none", 1.0, "sentence")
            continue
        if m.category == "none" and counts[t.text] > 1 and len(t.text) >= RUNNING_HEADER_CHARS:
            continue    # a running page header repeated through the document
        heading_run = len(t.text) >= HEADING_RUN_CHARS and " " in t.text.strip()
        if heading_run and not (is_row(m) and m.confidence >= ROW_READ):
            m = max(m, _tail_match(t.text, options), key=lambda x: (is_row(x), x.confidence))
        elif heading_run and m.stage == "contained" and m.category.partition(".")[0] in ROW_ORDERS:
            m = _row_that_ends_the_run(t.text, m, options)
        out[i] = m
    _join_wrapped_runs(tokens, out)
    _join_broken_labels(tokens, out, options)
    return out


# A label wrapped over more than two lines (a cell's text cut at every word's span: 一、本年 / 新收政 / 府信息 / 公开申请
# / 数量, 5.要求行 / 政机 / 关确认 / 或重 / 新出具 / 已获取 / 信息) is joined from at most this many pieces.
MAX_LABEL_PIECES = 8
# ... and to at most this many characters (normalised): the longest label of the template, 申请人逾期未按收费通知要求
# 缴纳费用行政机关不再处理其政府信息公开申请, has 34; a few more leave room for a slip or a stray character. A longer
# stretch is prose, which no whole label reads, and matching it costs the most (the fuzzy stage).
MAX_LABEL_CHARS = 40
# A piece that opens with a numbering opens another label (2. / 重复申请, （二）部分公开…): a wrapped label's run ends
# before it.
# The forms a row's numbering takes in the template (2., （二）, 二、); ``arrange.LAST_NUMBERING`` finds them at a
# piece's end.
NUMBERING_FORMS = r"(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)"
_NUMBERED = re.compile(r"^\s*" + NUMBERING_FORMS)


def _join_wrapped_runs(tokens: list[Token], matches: dict[int, Match]) -> None:
    """Labels wrapped over three or more lines, read whole: in a run of label pieces with no cell between them,
    the stretch from a piece that reads no label surely, through pieces that read no label surely either (a
    label in its own right ends the stretch, as does a numbered piece, another row's start), whose joint reads
    surely as a row or a section's heading (``SURE_LABEL``; as a whole, not a label inside more words: 未经复议直接 /
    起诉 / 复议 / 后起诉 holds two names) and better than each piece; of equally sure stretches, the longest. Two
    pieces are left to ``_join_broken_labels``, which weighs their halves' readings."""
    i = 0
    while i < len(tokens):
        if i not in matches or _confident_label(matches[i]):
            i += 1      # (a cell, or a label in its own right: its text need not be normalised)
            continue
        length = len(normalize_label(tokens[i].text))
        if not (length or _NUMBERED.match(tokens[i].text)) or length >= MAX_LABEL_CHARS:
            i += 1
            continue
        pieces = [i]
        j, crossed, values_after = i + 1, False, False
        while j < len(tokens) and len(pieces) < MAX_LABEL_PIECES:
            if tokens[j].kind != LABEL:
                if tokens[j].kind == BLANK or (tokens[j].kind == VALUE and crossed and not values_after):
                    break
                # One run of values may stand amid the pieces: a PDF centres a row's values in its height, its
                # label wrapped around them (1.申请人无正 / 当理由逾期不 / 补正、行政机 / 0 0 0 0 0 0 0 / 关不再处理其 …).
                values_after = values_after or tokens[j].kind == VALUE
                j += 1
                continue
            piece_length = len(normalize_label(tokens[j].text))
            if (j not in matches or _confident_label(matches[j]) or _NUMBERED.match(tokens[j].text)
                    or not piece_length):
                break       # (a piece with no words: a page's form feed, a stray bracket, ends the label too)
            length += piece_length
            if length > MAX_LABEL_CHARS:
                break
            crossed = crossed or values_after
            values_after = False
            pieces.append(j)
            j += 1
        best = None
        for count in range(2, len(pieces) + 1):
            joint = match_label("".join(tokens[k].text for k in pieces[:count]))
            parts = [matches[k].confidence for k in pieces[:count] if matches[k].category != "none"]
            if (not (is_row(joint) or joint.category.startswith("section.")) or joint.confidence < SURE_LABEL
                    or joint.stage == "contained"
                    or joint.confidence <= max(parts, default=0.0) + JOIN_GAIN):
                continue
            if best is None or joint.confidence >= best[1].confidence:
                best = (count, joint)
        if best is None or best[0] == 2:
            i += 1
            continue
        count, joint = best
        tokens[i] = Token(LABEL, "".join(tokens[k].text for k in pieces[:count]), tokens[i].line,
                          confidence=min(tokens[k].confidence for k in pieces[:count]))
        matches[i] = joint
        for k in pieces[1:count]:
            matches[k] = Match("none", 1.0, "joined")
        i = pieces[count - 1] + 1


def _row_that_ends_the_run(text: str, inside: Match, options: Options) -> Match:
    """The values after a run of headings are the row's named last: in 规章 无无无 规性文仵 (a row whose 无 marks
    were glued on, then the next row's garbled label) they are 规范性文件's, not 规章's. Only a row later in the
    table's order takes over: 结转下年度继续办理的 申请 is one label wrapped, not 重复申请."""
    pieces = text.split()
    last = max((k for k, piece in enumerate(pieces) if inside.matched in normalize_label(piece)), default=None)
    if last is None or last == len(pieces) - 1:
        return inside
    after = _tail_match(" ".join(pieces[last + 1:]), options)
    return after if _later_row(after.category, inside.category) else inside


def _later_row(category: str, than: str) -> bool:
    table, _, row = category.partition(".")
    other_table, _, other_row = than.partition(".")
    order = ROW_ORDERS.get(table, [])
    return table == other_table and row in order and other_row in order and order.index(row) > order.index(other_row)


def _tail_match(text: str, options: Options, allowed: frozenset | None = None) -> Match:
    """On one-line pages a garbled row label ends a long run of headings; read the run's last pieces."""
    pieces = text.split()
    best = Match("none", 0.0, "tail")
    for k in range(1, min(TAIL_PIECES, len(pieces)) + 1):
        tail = "".join(pieces[-k:])
        m = match_label(tail, allowed) if allowed else second_opinion(tail, match_label(tail), options)
        if is_row(m) and m.confidence >= ROW_READ and m.confidence > best.confidence:
            best = m
    return best


def is_row(m: Match | None) -> bool:
    return m is not None and m.category.startswith(schema.TABLES)


def _join_broken_labels(tokens: list[Token], matches: dict[int, Match], options: Options) -> None:
    """A label wrapped over two cells (信访、举 / 报、投诉类申请) is read as one when that reads better.

    Cells that are labels in their own right (结果纠正, 其他结果) are never joined.
    """
    joined: set[int] = set()
    for i in sorted(matches):
        if i in joined or _confident_label(matches[i]) or matches[i].stage == "joined":
            continue
        # The next label: right after (a wrapped cell), or past a run of cells (PDF text that put the
        # values in the middle of a two-line label: 一、本年新收政府 / 78 0 … / 信息公开申请数量).
        j, crossed = i + 1, False
        while j < len(tokens) and tokens[j].kind != LABEL:
            crossed = crossed or tokens[j].kind in (VALUE, BLANK)
            j += 1
        if j not in matches or matches[j].stage == "joined":
            continue    # (a piece ``_join_wrapped_runs`` joined to the label before it)
        joint = match_label(tokens[i].text + tokens[j].text)
        parts = [m.confidence for m in (matches[i], matches[j]) if is_row(m)]
        if crossed and joint.confidence < SURE_LABEL:
            continue
        # 一、本年 / 新收政府信息公开申请数量: the second half reads alone, but the first half is the row's too.
        if not normalize_label(tokens[i].text) and not _NUMBERED.match(tokens[i].text):
            continue    # a stray quote or bracket left over from a wrapped label (a numbering alone, （二） / 部分公开…,
            # opens its row: ``numbered_start`` below)
        head_of_known_row = (not crossed and _confident_label(matches[j]) and is_row(joint)
                             and joint.category == matches[j].category and joint.confidence >= matches[j].confidence)
        # 4.保 46 1 … 60 / 护第三方合法权益: a row's numbered start, the row's values beside it on its line, the
        # rest of its words broken by hand onto the next line. That rest names the row by itself, but unnumbered it
        # opens no row of its own (every row of the template under a group opens with its number); read whole,
        # surely and no worse than the rest alone, it is that row, and the values beside its start are the row's.
        # (Values on a line of their own between the two pieces, a PDF's row centred in its height, are left to
        # the orientations' choice.) The start may read the same row unsurely (2. 没有现成信息 / 需要另行制作: 0.46).
        numbered_start = (crossed and bool(_NUMBERED.match(tokens[i].text)) and not _NUMBERED.match(tokens[j].text)
                          and all(tokens[k].line == tokens[i].line for k in range(i + 1, j) if tokens[k].kind == VALUE)
                          and (not is_row(matches[i]) or matches[i].category == joint.category)
                          and is_row(joint) and joint.stage != "contained"
                          and joint.category == matches[j].category and joint.confidence >= SURE_LABEL
                          and joint.confidence >= matches[j].confidence)
        if _confident_label(matches[j]) and not (head_of_known_row or numbered_start):
            continue
        # 2. 其他 / 去律行政法规禁止公开: the first half is a word that names several labels (其他, 总计) and begins
        # the official wording the joint reads as; its rivals drag the joint's dictionary score below the second
        # half's, so the learned stages, sure of the whole, decide. (A fragment of the row above, 仍然不明确, or a
        # row of its own before the next, 总计 / 结转下年继续办, is never glued on.)
        shared_word = (matches[i].stage == "exact" and matches[i].confidence < SURE_LABEL
                       and joint.matched.startswith(normalize_label(tokens[i].text)))
        if (shared_word and not crossed and not head_of_known_row and is_row(joint)
                and joint.category == matches[j].category):
            confirmed = model_match(tokens[i].text + tokens[j].text, frozenset({joint.category}), options)
            if confirmed.category == joint.category and confirmed.confidence >= JOIN_CONFIRMED:
                joint = confirmed
        if head_of_known_row or numbered_start or (is_row(joint)
                                                   and joint.confidence > max(parts, default=0.0) + JOIN_GAIN):
            tokens[i] = Token(LABEL, tokens[i].text + tokens[j].text, tokens[i].line)
            matches[i] = joint
            matches[j] = Match("none", 1.0, "joined")
            joined.add(j)


# The learned stages' confidence in a joint reading that outweighs the dictionary's doubt about it.
JOIN_CONFIRMED = 0.95


def _joined(tokens: list[Token], i: int, m: Match | None) -> bool:
    """The second half of a wrapped label, read as part of the first (一、本年 / 新收政府信息公开申请数量): it names
    no row of its own, so no missing row is looked for in it. Unless it is numbered: then it holds the next row's
    label too (2.其他法律行政法 / 规禁止公开 3.危及“三安全一稳定”), and that row may be read from it."""
    return m is not None and m.stage == "joined" and not ordinals(tokens[i].text)


def _confident_label(m: Match) -> bool:
    return m.category != "none" and m.confidence >= SURE_LABEL


def _ordered(anchors: list[Anchor], order: list[str]) -> list[Anchor]:
    """Longest run of anchors in strictly increasing template order (ties: the more confident labels)."""
    if not anchors:
        return []
    rank = {r: i for i, r in enumerate(order)}
    n = len(anchors)
    best = [(1, a.match.confidence) for a in anchors]
    prev = [-1] * n
    for j in range(n):
        for i in range(j):
            if rank[anchors[i].row] < rank[anchors[j].row]:
                cand = (best[i][0] + 1, best[i][1] + anchors[j].match.confidence)
                if cand > best[j]:
                    best[j], prev[j] = cand, i
    j = max(range(n), key=lambda k: best[k])
    chain = []
    while j >= 0:
        chain.append(anchors[j])
        j = prev[j]
    return chain[::-1]


_COUNT_WORD = re.compile(r"^[件条个次篇份][，、；。,;]")


def counted_in_a_sentence(tokens: list[Token], i: int) -> bool:
    """A row's wording the overview's prose uses for a count (上年结转7件，其中予以公开60件、部分公开13件): the
    number is followed, on the same line, by its measure word and the sentence's punctuation, which no table cell
    prints. Taken for rows, such mentions outrank a table whose own first labels are garbled past reading."""
    def continues_sentence(k: int) -> bool:
        return (0 < k < len(tokens) and tokens[k].kind == LABEL and tokens[k - 1].kind == VALUE
                and tokens[k].line == tokens[k - 1].line and bool(_COUNT_WORD.match(tokens[k].text.strip())))
    after = i + 2 < len(tokens) and tokens[i + 1].kind == VALUE and tokens[i + 1].line == tokens[i].line
    return continues_sentence(i) or (after and continues_sentence(i + 2))


def find_rows(tokens: list[Token], matches: dict[int, Match], table: str, order: list[str], lo: int, hi: int,
              options: Options) -> list[Anchor]:
    def tokens_between(a: int, b: int) -> list[Token]:
        return tokens[a + 1:b]

    found = [Anchor(i, m.category.split(".", 1)[1], m) for i, m in sorted(matches.items())
             if lo <= i < hi and m.category.startswith(table + ".") and m.confidence >= ROW_ANCHOR
             and m.category.split(".", 1)[1] in order and not counted_in_a_sentence(tokens, i)]
    if any(a.row in schema.OTHER_SPLIT_ROWS[:2] and a.match.confidence >= ROW_READ for a in found):
        # The 2021 layout: （六）其他处理 only heads its three sub-rows, wherever PDF text put it.
        found = [a for a in found if a.row != "other"]
    # The same row twice in a row: a merged cell repeated (Markdown, HTML grids) — keep the copy next to the
    # values — or a label split around its values (部分公开（区分处理的，只计这 / 0 0 … / 一情形…）) — keep the first.
    merged: list[Anchor] = []
    for a in found:
        if merged and merged[-1].row == a.row:
            between = tokens_between(merged[-1].index, a.index)
            if not any(t.kind in (VALUE, BLANK) for t in between):
                merged[-1] = a
            continue
        merged.append(a)
    chain = _fill_gaps(tokens, matches, _ordered(merged, order), table, order, options)
    # 总计 / 其他 alone (table 4's header, table 3's) do not make a table: one row label must be unmistakable.
    if not any(a.match.confidence >= SURE_LABEL for a in chain):
        return []
    return _extend_edges(tokens, matches, chain, table, order, lo, hi, options)


def _anchor_by_place(matches: dict[int, Match], i: int, m: Match) -> Anchor:
    """A row label read because a row was missing in that place: held at middling confidence, and named as
    the label classifier's when it was."""
    stage = m.stage if m.stage in LEARNED_STAGES else "sequence"
    matches[i] = Match(m.category, max(BY_PLACE_LOWEST, min(m.confidence, BY_PLACE_HIGHEST)), stage, m.matched)
    return Anchor(i, m.category.split(".", 1)[1], matches[i])


def _fill_gaps(tokens, matches, chain: list[Anchor], table: str, order: list[str], options: Options) -> list[Anchor]:
    """Rows missing between two recognised rows: a garbled label there (规竟, 重复中请) is matched against
    just the rows that belong in that place."""
    rank = {r: i for i, r in enumerate(order)}
    used = {a.index for a in chain}
    out: list[Anchor] = []
    for prev, nxt in zip(chain, chain[1:]):
        out.append(prev)
        missing = order[rank[prev.row] + 1:rank[nxt.row]]
        for i in range(prev.index + 1, nxt.index):
            if not missing or tokens[i].kind != LABEL or i in used:
                continue
            last = out[-1]
            if (last.index > prev.index and tokens[i].text == tokens[last.index].text
                    and not any(t.kind in (VALUE, BLANK) for t in tokens[last.index + 1:i])):
                # A merged cell repeated (Markdown, HTML grids: | 三、… | （六）其他处埋 | （六）其他处埋 |) is the
                # row just read again, not the next missing row: keep the copy next to the values.
                out[-1] = Anchor(i, last.row, last.match)
                continue
            current = matches.get(i)
            if _joined(tokens, i, current) or current is not None and current.category != "none" and (
                    current.confidence >= (ROW_ANCHOR if current.category.startswith(table + ".") else SURE_LABEL)):
                continue
            allowed = frozenset(f"{table}.{r}" for r in missing)
            # The label's numbering tells a row from its sub-rows when the words cannot (（六）其他外埋 is the
            # head 其他处理 garbled, not the sub-row 3.其他).
            allowed = frozenset(c for c in allowed if numbering_fits(tokens[i].text, c)) or allowed
            m = match_label(tokens[i].text, allowed)
            if m.category == "none":
                m = _tail_match(tokens[i].text, options, allowed)
            if m.category == "none":
                m = model_match(tokens[i].text, allowed, options)
            if m.category == "none":
                continue
            anchor = _anchor_by_place(matches, i, m)
            out.append(anchor)
            missing = missing[missing.index(anchor.row) + 1:]
    if chain:
        out.append(chain[-1])
    return out


# Rows every template has: only these are looked for past the first or last recognised row, as the rows
# of one template alone (2019's procurement, 2021's split （六）) are rightly absent from the other's reports.
COMMON_ROWS = {table: {r.row for r in schema.template("2019").rows_of(table)}
               & {r.row for r in schema.template("2021").rows_of(table)} for table in ("disclosure", "requests")}
EDGE_REACH = 40     # tokens scanned beyond the first or last recognised row
EDGE_LABELS = 3     # label tokens tried there


def _extend_edges(tokens, matches, chain: list[Anchor], table: str, order: list[str],
                  lo: int, hi: int, options: Options) -> list[Anchor]:
    """A first or last row whose label the dictionary could not read at all (OCR, lost characters): the
    transformer is asked about the label cells just before the first row and just after the last."""
    rank = {r: i for i, r in enumerate(order)}
    common = COMMON_ROWS[table]
    leading = [r for r in order[:rank[chain[0].row]] if r in common]
    trailing = [r for r in order[rank[chain[-1].row] + 1:] if r in common]
    before = range(chain[0].index - 1, max(lo, chain[0].index - EDGE_REACH) - 1, -1)
    after = range(chain[-1].index + 1, min(hi, chain[-1].index + EDGE_REACH))
    for missing, span, at_start in ((leading, before, True), (trailing, after, False)):
        tried = 0
        for i in span:
            if not missing or tried >= EDGE_LABELS:
                break
            if tokens[i].kind != LABEL:
                continue
            current = matches.get(i)
            if _joined(tokens, i, current):
                continue
            if current is not None and current.category != "none" and current.confidence >= SURE_LABEL:
                break   # another table's label or a heading: the table ends here
            tried += 1
            m = model_match(tokens[i].text, frozenset(f"{table}.{r}" for r in missing), options)
            if m.category == "none":
                continue
            anchor = _anchor_by_place(matches, i, m)
            if at_start:
                chain = [anchor] + chain
                missing = missing[:missing.index(anchor.row)]
            else:
                chain = chain + [anchor]
                missing = missing[missing.index(anchor.row) + 1:]
    return chain
