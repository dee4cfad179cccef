"""Markdown (pipe tables, as converters and some sites write reports): the text, with what converters put
inside a cell that is not the cell's text taken out, raw HTML tables and drawn (grid) tables read as grids. The
pipe rows themselves are read by the table recovery."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import schema
from ..datamodel import TableJudge
from ..text import fold_lookalikes, normalize_chars, pipe_cells, strip_numbering, to_simplified
from .base import Source
from .html import html_tables, inline_tables
from .textgrid import text_grids

# Markup left inside the Markdown (pandoc's gfm writer keeps Word's spans, divs and any table with merged cells
# as raw HTML): such a text is rendered to HTML whole (markdown-it) and read by the HTML reader.
_RAW_MARKUP = re.compile(r"<(?:span|div|table|p|font)\b", re.I)


_COMMENT = re.compile(r"<!--.*?-->")
_BREAKS = re.compile(r"(?:\s*<br\s*/?>\s*)+", re.I)


# A cell whose first line is a lone hyphen (|-<br>）项|1|: a blank cell's mark, or the sign of the number in the next
# cell, cut off by a column border a table finder drew through the value (pymupdf4llm). Joined to the wrapped text
# after it, it would be lost inside a label (-）项); kept a word of its own, it stays a mark the recovery accounts
# for (``recover._doubt_numbers_after_a_parted_sign``).
_MARK_BEFORE_BREAK = re.compile(r"(?<=\|)\s*([-−－])\s*<br\s*/?>\s*", re.I)


def clean_markdown(text: str) -> str:
    """What converters put inside pipe cells that is not the cell's text (<br>, bold marks, escaped pipes), and
    the comments and line breaks they wrap a picture's text in."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            line = _MARK_BEFORE_BREAK.sub(r"\1 ", line)
            line = re.sub(r"<br\s*/?>", "", line, flags=re.I).replace("\\|", "｜").replace("&nbsp;", " ")
            line = re.sub(r"\*\*(.*?)\*\*|__(.*?)__", lambda m: m.group(1) or m.group(2) or "", line)
        elif _COMMENT.search(line) and _BREAKS.search(line):
            # A PDF converter's text of a picture or a text box: its lines joined by <br> inside HTML comments
            # (pymupdf4llm). Each line is a cell of its own, the whole a pipe row (one line keeps the record's line
            # numbers those of the file): 行政处罚<br>行政强制 117 is two rows, not one label 行政处罚行政强制. It is
            # a table's text whose columns are not the template's (a row's values stand on one line, its blank
            # cells left out), as a pipe row that lost columns is: the recovery places them by the sums.
            pieces = [p.strip().replace("|", "｜") for p in _BREAKS.split(_COMMENT.sub("", line))]
            line = "|" + "|".join(p for p in pieces if p) + "|"
        elif "<" in line:
            line = _BREAKS.sub("\t", _COMMENT.sub("", line))
        lines.append(line)
    return "\n".join(lines)


def read_markdown(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict], dict]:
    """The Markdown's raw HTML tables and its drawn tables (pandoc's grid tables, html2text's) as tab rows; its
    pipe rows cleaned, for the recovery to read, a cell that stacks several rows parted into them; and the lines
    whose cells' rows are in doubt (``Document.line_confidence``)."""
    if _RAW_MARKUP.search(source.text):
        from markdown_it import MarkdownIt
        return html_tables(MarkdownIt("commonmark").enable("table").render(source.text))
    text, html_meta = inline_tables(source.text)
    text, drawn = text_grids(text)
    text = drop_running_heads(text)
    text = part_group_names(text)
    text = join_cut_labels(text)
    text = rejoin_cut_numberings(text)
    text, unsure = split_stacked_rows(text)
    text = split_stacked_values(text)
    text, unsure = part_headings_from_rows(text, unsure)
    text, unsure = part_pictures_of_small_tables(text, unsure)
    return clean_markdown(text), html_meta + drawn, unsure


# How sure the reader is of the cells of rows that a table finder stacked in one cell when it cannot tell which of
# them a value belongs to: below the recovery's READER_TRUSTED (0.9), so that they are flagged, never sure.
STACKED_ROW_UNSURE = 0.5

_BR = re.compile(r"\s*<br\s*/?>\s*", re.I)
# A line of a label cell that opens a row of the template by its numbering (三、, （二）, 2.), and how deep the
# numbering is: a row opened by a shallower numbering and followed by a deeper one is a heading (（三）不予公开 over
# 1.属于国家秘密), not a row of its own. 第二十条第（五）项 is table 2's heading, no row.
_ROW_OPENING = re.compile(r"^(?:(?P<chapter>[一二三四五六七八九十]{1,3}、)|(?P<group>[（(][一二三四五六七八九十]{1,3}[）)])(?!项)"
                          r"|(?P<item>\d{1,2}\s*[.．、])(?!\d))")
_DEPTH = {"chapter": 0, "group": 1, "item": 2}
_NUMBER = r"[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:万元|元|件|个|项)?"
_NUMBER_LINE = re.compile(rf"^{_NUMBER}$")
_VALUE_LINE = re.compile(rf"^{_NUMBER}$|^(?:[-—–/／]{{1,2}}|无)$")


def split_stacked_rows(text: str) -> tuple[str, dict[int, list[float]]]:
    """Rows a table finder stacked in one Markdown row (pymupdf4llm, where it missed the rule between them: a label
    cell 1.本机关不掌握…<br>2.没有现成信息… over value cells 3<br>0) parted again, one pipe row each: a value cell
    with as many lines as the rows gives each its line. A value cell with fewer lines (its row's blank cell left no
    line) could be any of the rows': its lines go to the last row, and every cell of the rows is marked unsure.

    Returns the text (a parted row's extra rows on lines of their own, after it) and line -> confidences of the
    lines in doubt."""
    out: list[str] = []
    unsure: dict[int, list[float]] = {}
    lines = text.split("\n")
    stacked = _columns_stacked(lines)
    for number, line in enumerate(lines):
        parted = _parted_rows(line, number in stacked) if line.lstrip().startswith("|") and "<br" in line.lower() \
            else None
        if parted is None:
            out.append(line)
            continue
        rows, sure = parted
        for row in rows:
            out.append(row)
            if not sure:
                unsure[len(out)] = [STACKED_ROW_UNSURE]
    return "\n".join(out), unsure


def _columns_stacked(lines: list[str]) -> set[int]:
    """The lines of the pipe tables (runs of pipe rows) in which a row of one row stacks several values in a cell:
    a table finder that missed the borders between columns, so that a cell's lines are columns, not rows."""
    out: set[int] = set()
    block: list[int] = []
    stacking = False
    for number, line in enumerate(lines + [""]):
        if line.lstrip().startswith("|"):
            block.append(number)
            stacking = stacking or ("<br" in line.lower() and _one_row_stacking_values(line))
            continue
        if stacking:
            out.update(block)
        block, stacking = [], False
    return out


def _one_row_stacking_values(line: str) -> bool:
    row = _row_kinds(line)
    if row is None:
        return False
    pieces, kinds, last_label = row
    return len(max((_row_starts(pieces[c], c) for c in range(last_label + 1)), key=len)) < 2 and any(
        kind == "value" and len(ps) > 1 for ps, kind in zip(pieces, kinds))


def _row_kinds(line: str) -> tuple[list[list[str]], list[str], int] | None:
    """A pipe row's cells as lines, each cell's kind (blank, value, label) and the last label cell's index; None
    for a row that is not a body row as the template prints it (no label, labels after values, no cell after the
    labels)."""
    cells = pipe_cells(line.replace("\\|", "｜"))
    pieces = [[p for p in _BR.split(cell.strip()) if p] for cell in cells]
    kinds = ["blank" if not ps else "value" if all(_VALUE_LINE.match(p) for p in ps) else "label" for ps in pieces]
    if "label" not in kinds:
        return None
    last_label = max(i for i, kind in enumerate(kinds) if kind == "label")
    if "value" in kinds[:last_label] or last_label == len(kinds) - 1:
        return None
    # A row whose cells after its labels are all empty is a body row too: rows stacked in it print nothing there.
    return pieces, kinds, last_label


def _parted_rows(line: str, columns_stacked: bool = False) -> tuple[list[str], bool] | None:
    """The rows one pipe row stacks, and whether every value's row is known; None for a row of one row. In a table
    whose cells stack columns (``_columns_stacked``), a value cell's lines may be one row's columns as well as a
    line per row: no value's row is known."""
    row = _row_kinds(line)
    if row is None:
        return None
    pieces, kinds, last_label = row
    # The rows are told by the label cell that opens most of them: another label cell may repeat the same label (a
    # merged cell written out in every column it spans) or hold the group's name beside them.
    starts = max((_row_starts(pieces[c], c) for c in range(last_label + 1)), key=len)
    if len(starts) < 2:
        return None
    # Each row's label: the lines of each label cell from its opening to the next row's; what stands before the
    # first opening (a heading, a group's name) goes with the first row.
    bounds = [(0, 0)] + starts[1:] + [(last_label + 1, 0)]
    labels = [["<br>".join(text for p, text in enumerate(pieces[c]) if lo <= (c, p) < hi) for c in range(last_label + 1)]
              for lo, hi in zip(bounds, bounds[1:])]
    n = len(labels)
    values = pieces[last_label + 1:]
    sure = all(len(v) == 0 for v in values) if columns_stacked else all(len(v) in (0, n) for v in values)
    rows = []
    for j, label in enumerate(labels):
        # A cell's lines that are no row's each go to the last row as they stand, one value a line (parted into
        # cells later: ``split_stacked_values``), never glued into one number.
        row_values = [(v[j] if len(v) == n and not columns_stacked else "<br>".join(v) if j == n - 1 else "")
                      for v in values]
        rows.append("|" + "|".join(label + row_values) + "|")
    return rows, sure


def _row_starts(lines: list[str], cell: int) -> list[tuple[int, int]]:
    """(cell, line) of each line of a label cell that opens a row: a numbering not followed by a deeper one."""
    openings = [(p, _DEPTH[m.lastgroup]) for p, text in enumerate(lines)
                if (m := _ROW_OPENING.match(fold_lookalikes(text).strip()))]
    return [(cell, p) for k, (p, depth) in enumerate(openings) if k + 1 == len(openings) or openings[k + 1][1] <= depth]


def _row_cells(line: str) -> list[str]:
    """Every cell of a pipe row, the empty ones at either end included (an escaped pipe is a character)."""
    return pipe_cells(line.replace("\\|", "｜"), keep_leading=True)


# A row label's numbering cut from its words by a column border a table finder drew between them (|3|.危及“三安全…|,
# |5|.属于三类内部事务信息|1|…): read apart, the numbering would be a value of the row.
_CUT_NUMBERING = re.compile(r"^\d{1,2}$")
_NUMBERING_REST = re.compile(r"^[.．、]\s*[^\d\s.．、]")


# A row label's numbering glued to its words, its dot cut off onto another line (||1属于国| over ||.<br>家秘密|,
# |（四）无|2没有现成信息需要另行制|: pymupdf4llm): read as it stands, the numbering is a value of the row.
_NUMBERING_GLUED = re.compile(r"^(\d{1,2})(?=[\u4e00-\u9fff])")
# The fewest characters of a table-3 row's label after the numbering that tell it (属于国, 没有现成…).
GLUED_LABEL_OPENING = 2


# What a label's words are compared by here: the reader stands below the label dictionary (``labels``), so it
# folds a label as far as telling a row's opening needs (simplified, no numbering, no spaces or punctuation).
_NOT_A_WORD = re.compile(r"[^\w]")


def _label_words(text: str) -> str:
    return _NOT_A_WORD.sub("", strip_numbering(to_simplified(normalize_chars(text))))


@lru_cache(maxsize=1)
def _numbered_labels() -> tuple[str, ...]:
    """The template's labels of table 3's rows (categories.tsv and both templates' rows), the ones a numbering 1.
    to 8. opens, as ``_label_words`` gives them."""
    labels = {label for cat in schema.categories().values() if cat.name.startswith("requests.")
              for label in cat.labels}
    labels |= {r.label.split(" ")[-1] for t in schema.TEMPLATES for r in schema.template(t).rows
               if r.category.startswith("requests.")}
    return tuple({_label_words(label) for label in labels} - {""})


def _numbering_glued(line: str) -> bool:
    """Whether a label cell's line opens with a row's numbering glued to the label's words: the digits, then the
    opening of one of table 3's row labels."""
    m = _NUMBERING_GLUED.match(line)
    if not m:
        return False
    rest = _label_words(line[m.end():])
    return len(rest) >= GLUED_LABEL_OPENING and any(t.startswith(rest) or rest.startswith(t)
                                                    for t in _numbered_labels())


def split_stacked_values(text: str) -> str:
    """A cell of one row that stacks values a line each (|1<br>1|, |10<br>1<br>11|: a table finder that missed the
    column borders between them, pymupdf4llm) parted into a cell per value. The blank cells between them left no
    trace: the row is short, and the recovery places its values by the template's sums."""
    out = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            cells = _row_cells(line)
            for c in range(len(cells) - 1):
                # The numbering is the cell's last line: after the empty lines of the label's height or its group's
                # name (|5<br><br>|.要求行政<br>…|, |（三）<br>4|.保护第三方|).
                lines = [p for p in _BR.split(cells[c].strip()) if p]
                if lines and _CUT_NUMBERING.match(lines[-1]) and _NUMBERING_REST.match(cells[c + 1].strip()):
                    cells[c], cells[c + 1] = "<br>".join(lines[:-1]), lines[-1] + cells[c + 1].strip()
            for c, cell in enumerate(cells):
                lines = _BR.split(cell.strip())
                if lines and _numbering_glued(lines[0].strip()):
                    m = _NUMBERING_GLUED.match(lines[0].strip())
                    lines[0] = m.group(1) + "." + lines[0].strip()[m.end():]
                    cells[c] = "<br>".join(lines)
            parted = []
            for cell in cells:
                pieces = [p for p in _BR.split(cell.strip()) if p]
                if len(pieces) > 1 and all(_VALUE_LINE.match(p) for p in pieces):
                    parted.extend(pieces)
                    continue
                # A label cell that took its row's values below the label's lines (2.没有现成信息需<br>要另行制作
                # <br>1<br>1): the label, then a cell per number.
                last_label = max((k for k, p in enumerate(pieces) if not _NUMBER_LINE.match(p)), default=-1)
                if 0 <= last_label < len(pieces) - 1:
                    parted.append("<br>".join(pieces[:last_label + 1]))
                    parted.extend(pieces[last_label + 1:])
                else:
                    parted.append(cell)
            if parted != _row_cells(line):
                indent = line[:len(line) - len(line.lstrip())]
                line = indent + "|" + "|".join(parted) + "|"
        out.append(line)
    return "\n".join(out)


# A browser's running head over each printed page: the date and time, then the page's title (12/7/26, 1:21 PM
# 2020年…政府信息公开工作年度报告). A table finder that takes a table piece's box from the top of the page draws it
# into the piece's first row, a line of its cells each, cut where its column borders fall (pymupdf4llm:
# |5.属于三类内<br>部事务信息<br>201|9年平潭…年度报告|, |0<br>政府|0<br>信息公开⼯作|0<br>年度报告|).
_TITLE_END = "年度报告"
_PRINT_TIME = re.compile(r"^(?:(?:\d{1,2}/)?\d{1,2}/\d{2},?\s*)?(?:\d{1,2}:\d{2}\s*)?[AP]M$")
# The shortest run of a title's pieces taken for it (年度报告 and a word more): less could be a label's own words.
MIN_TITLE_RUN = 6


def drop_running_heads(text: str) -> str:
    """Pipe rows with the pieces of the page's running head taken out of their cells: the title's (a run of cell
    lines, one line of each cell at most, that spells the end of a title the text prints outside its tables) and
    the time's. A cell left with nothing stays an empty cell of its row."""
    lines = text.split("\n")
    titles = {_squeezed(line) for line in lines if not line.lstrip().startswith("|") and _TITLE_END in line}
    titles = {t[:t.rindex(_TITLE_END) + len(_TITLE_END)] for t in titles}
    if not titles:
        return text
    out = []
    for line in lines:
        if line.lstrip().startswith("|") and (_TITLE_END in _words_of_cells(line) or re.search(r"[AP]M\b", line)):
            line = _without_running_head(line, titles)
        out.append(line)
    return "\n".join(out)


def _words_of_cells(line: str) -> str:
    """A pipe row's text with its values left out, every cell line joined: a title cut over the row's cells, one
    piece under each value (|0<br>公开工作年度|0<br>报告|), spells itself again."""
    pieces = _BR.split(line.replace("|", "<br>"))
    return _squeezed("".join(p for p in pieces if not _VALUE_LINE.match(p.strip())))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", normalize_chars(text))


def _without_running_head(line: str, titles: set[str]) -> str:
    cells = [[p for p in _BR.split(c.strip())] for c in _row_cells(line)]
    drop: set[tuple[int, int]] = set()
    for c, lines in enumerate(cells):
        for k, piece in enumerate(lines):
            if _PRINT_TIME.match(piece.strip()):
                drop.add((c, k))
    for c, lines in enumerate(cells):
        for k, piece in enumerate(lines):
            # the title's last piece: its end, cut anywhere (…工作年|度报告)
            if (c, k) in drop or not _squeezed(piece) or not any(t.endswith(_squeezed(piece)) for t in titles):
                continue
            run, spelled = [(c, k)], _squeezed(piece)
            # Back through the cells before, the last line of each, as long as the run still spells a title's end.
            at_c, at_k = c - 1, None
            while at_c >= 0:
                at_lines = cells[at_c]
                at_k = len(at_lines) - 1 if at_k is None else at_k
                while at_k >= 0 and (at_c, at_k) in drop:
                    at_k -= 1
                if at_k < 0:
                    at_c, at_k = at_c - 1, None
                    continue
                longer = _squeezed(at_lines[at_k]) + spelled
                if not longer or not any(t.endswith(longer) for t in titles):
                    break
                run.append((at_c, at_k))
                spelled = longer
                at_c, at_k = at_c - 1, None
            if len(spelled) >= MIN_TITLE_RUN and _TITLE_END in spelled and any(t.endswith(spelled) for t in titles):
                drop.update(run)
    if not drop:
        return line
    kept = ["<br>".join(p for k, p in enumerate(lines) if (c, k) not in drop) for c, lines in enumerate(cells)]
    indent = line[:len(line) - len(line.lstrip())]
    return indent + "|" + "|".join(kept) + "|"



_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
# The names of table 4's groups as the template prints them (``categories.tsv``), over their small tables or down
# the side, compared without punctuation: whole (行政诉讼 before the last two, joined by a dash or in brackets) or
# by the group's own last word (未经复议直接起诉).
_GROUP_NAMES = frozenset(name for group in schema.APPEAL_GROUPS
                         for label in schema.categories()[f"appeals.{group}"].labels
                         for name in (_NOT_CJK.sub("", label), _NOT_CJK.sub("", label.split()[-1])))


def part_group_names(text: str) -> str:
    """A table-4 group's name stacked in a pipe cell with other words (pymupdf4llm, where its table finder drew no
    border between them: 四、政府信息公开<br>行政复议, the section's title over the first small table's name;
    行政诉讼（未经复议直接起诉<br>结果维持<br>结果纠正, a name over its table's heads) set on a pipe row of its own,
    before the row when it is the cell's first line, after it when it is the last. Joined to the other words, the
    name is lost in them, or in a row of heads, and its group's row goes unread."""
    out = []
    for line in text.split("\n"):
        if not (line.lstrip().startswith("|") and "<br" in line.lower()):
            out.append(line)
            continue
        before, after, cells = [], [], []
        for cell in _row_cells(line):
            pieces = [p for p in _BR.split(cell.strip()) if p]
            at = _group_name_line(pieces)
            if at is None:
                cells.append(cell)
                continue
            (before if at == 0 else after).append(pieces[at])
            cells.append("<br>".join(pieces[:at] + pieces[at + 1:]))
        indent = line[:len(line) - len(line.lstrip())]
        out.extend(f"{indent}|{name}|" for name in before)
        out.append(indent + "|" + "|".join(cells) + "|" if before or after else line)
        out.extend(f"{indent}|{name}|" for name in after)
    return "\n".join(out)


def _group_name_line(pieces: list[str]) -> int | None:
    """The line of a cell of words (no value) that is a table-4 group's name, its first or its last; None for none."""
    if len(pieces) < 2 or any(_VALUE_LINE.match(p) for p in pieces):
        return None
    names = [k for k, p in enumerate(pieces) if _NOT_CJK.sub("", normalize_chars(p)) in _GROUP_NAMES]
    if len(names) != 1 or names[0] not in (0, len(pieces) - 1):
        return None
    return names[0]


# How many lines the label cells of a row cut by column borders may have for their lines to be read across the
# cells: pymupdf4llm leaves a cell's empty lines out, so that past the second line the cells' lines no longer stand
# side by side (reading three-line cells so lost more rows than it read at seeds 23, 31, 41 and 0).
MAX_CUT_LABEL_LINES = 2


def join_cut_labels(text: str) -> str:
    """A row's label that a table finder cut with its column borders, its pieces in several label cells of one
    line or two each (|一、本<br>申请数|年新收<br>量|政府信息公开|4|2|…: pymupdf4llm), joined into one cell read line
    by line across the cells, as the text runs on the page (一、本年新收政府信息公开 / 申请数量); read cell by cell, the
    label is 一、本申请数年新收量政府信息公开 and its row goes unread. Only a body row (values after the labels) whose
    first label cell opens a row by its numbering and whose other cells open none: cells that each open a row, or a
    group's label beside a row's (三、本年 | （一）予以公开), are labels of their own."""
    out = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|") and "<br" in line.lower():
            cells = _row_cells(line)
            pieces = [[p for p in _BR.split(c.strip()) if p] for c in cells]
            first_value = 0
            while first_value < len(cells) and pieces[first_value] and not any(
                    _VALUE_LINE.match(p) for p in pieces[first_value]):
                first_value += 1
            labels = pieces[:first_value]
            # A cell whose line break leads to nothing (|年新收政<br>|) is wrapped too: its text stands on the first line.
            wrapped = [bool(_BR.search(c.strip())) for c in cells[:first_value]]
            if _one_label_cut(labels, wrapped) and any(ps and all(_VALUE_LINE.match(p) for p in ps)
                                              for ps in pieces[first_value:]):
                depth = max(len(ps) for ps in labels)
                joined = "<br>".join("".join(ps[k] for ps in labels if k < len(ps)) for k in range(depth))
                indent = line[:len(line) - len(line.lstrip())]
                line = indent + "|" + "|".join([joined] + cells[first_value:]) + "|"
        out.append(line)
    return "\n".join(out)


def rejoin_cut_numberings(text: str) -> str:
    """Rows' numberings a column border cut from their labels, each a line of its own among the lines of the cell
    before (|1<br>握|.本机关不掌<br>相关政府信<br>息|, |理<br>4<br>大|.无正当理由<br>量反复申请|, two rows stacked:
    |（四）<br>无法提<br>供<br>2<br>3|.没有现成信<br>…<br>.补正后申请<br>…|: pymupdf4llm, the label's other characters left
    of the border going with them), put back at the head of the lines they open, in order: as many numbering lines
    as the next cell's lines that go on with a numbering's dot. Left apart, each numbering is a value no row takes.
    (One last line of the cell, after the label's empty lines, is put back later: ``split_stacked_values``.)"""
    out = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|") and "<br" in line.lower():
            cells = _row_cells(line)
            changed = False
            for c in range(len(cells) - 1):
                lines = [p for p in _BR.split(cells[c].strip()) if p]
                numberings = [k for k, p in enumerate(lines) if _CUT_NUMBERING.match(p)]
                if len(lines) < 2 or not numberings or len(numberings) == len(lines):
                    continue
                rest = [p for p in _BR.split(cells[c + 1].strip()) if p]
                openings = [k for k, p in enumerate(rest) if _NUMBERING_REST.match(p)]
                if not rest or openings[:1] != [0] or len(openings) != len(numberings):
                    continue
                for k, n in zip(openings, numberings):
                    rest[k] = lines[n] + rest[k]
                cells[c] = "<br>".join(p for k, p in enumerate(lines) if k not in numberings)
                cells[c + 1] = "<br>".join(rest)
                changed = True
            if changed:
                indent = line[:len(line) - len(line.lstrip())]
                line = indent + "|" + "|".join(cells) + "|"
        out.append(line)
    return "\n".join(out)


def _one_label_cut(labels: list[list[str]], wrapped: list[bool] | None = None) -> bool:
    """Whether label cells (each as its lines) are one row's label cut by column borders: two cells or more, the
    first of them or two wrapped (``wrapped``: a cell with a line break, even one to an empty line; by default, a
    cell of two lines or more), at most MAX_CUT_LABEL_LINES lines each, the first opening with a row's numbering
    and no other line opening one."""
    def opens(piece: str) -> bool:
        return bool(_ROW_OPENING.match(fold_lookalikes(piece).strip()))
    if wrapped is None:
        wrapped = [len(ps) > 1 for ps in labels]
    # The first cell alone wrapped is the label's second line too: a label's text runs on from its first line's end
    # back to the left, into the first cell (|一、本<br>数量|年新收政|府信息公开申请|).
    return (len(labels) >= 2 and (sum(wrapped) >= 2 or wrapped[0]) and all(labels)
            and max(len(ps) for ps in labels) <= MAX_CUT_LABEL_LINES and opens(labels[0][0])
            and not any(opens(p) for k, ps in enumerate(labels) for p in ps[1 if k == 0 else 0:]))


# Table 4's heads as the template prints them over each of its small tables, one after the other on a line.
_SMALL_TABLE_HEADS = re.compile(r"结果维持\s*结果纠正\s*其他结果\s*尚未审结\s*总计")


def part_pictures_of_small_tables(text: str, unsure: dict[int, list[float]]) -> tuple[str, dict[int, list[float]]]:
    """A PDF converter's text of a picture that holds table 4 as the template's small tables (pymupdf4llm: 行政复议
    <br>结果维持 结果纠正 其他结果 尚未审结 总计<br>2 1 1 4<br>行政诉讼—未经复议直接起诉<br>…), its lines set out one a
    line, as a text tool prints such tables: each group's name, its heads, then its row's values, their blank cells
    left out (placed by the group's total). Made one pipe row (``clean_markdown``), the three tables' names, heads and
    values in a row of cells, no layout of table 4 reads them. The lines after it move down: ``unsure``'s lines with
    them."""
    lines = text.split("\n")
    out: list[str] = []
    moved: dict[int, int] = {}
    for number, line in enumerate(lines, 1):
        pieces = ([p.strip() for p in _BREAKS.split(_COMMENT.sub("", line)) if p.strip()]
                  if not line.lstrip().startswith("|") and _COMMENT.search(line) and _BREAKS.search(line) else [])
        if _small_tables_named(pieces):
            out.extend(pieces)
        else:
            out.append(line)
        moved[number] = len(out)
    if len(out) == len(lines):
        return text, unsure
    return "\n".join(out), {moved[number]: cells for number, cells in unsure.items()}


def _small_tables_named(pieces: list[str]) -> bool:
    """Whether a picture's lines are table 4's small tables, two or more, each group's name before its heads: a
    picture that opens with heads whose name stands outside it (a heading above) holds a piece of the tables only,
    whose values' group no line of its own tells."""
    heads, named = 0, False
    for piece in pieces:
        text = normalize_chars(piece)
        if _SMALL_TABLE_HEADS.search(text):
            if not named:
                return False
            heads, named = heads + 1, False
        elif any(name in _NOT_CJK.sub("", text) for name in _GROUP_NAMES):
            named = True
    return heads >= 2


@lru_cache(maxsize=1)
def _article_headings() -> frozenset[str]:
    """Table 2's section headings (第二十条第（五）项: the first word of its rows' labels in both templates), as
    ``_label_words`` gives them."""
    return frozenset(_label_words(r.label.split(" ")[0]) for t in schema.TEMPLATES for r in schema.template(t).rows
                     if r.category.startswith("disclosure.") and " " in r.label)


def part_headings_from_rows(text: str, unsure: dict[int, list[float]]) -> tuple[str, dict[int, list[float]]]:
    """A row of table 2 that prints nothing, and the next section's heading drawn into its empty cells by a table
    finder that took the two for one row (|规范性文件<br>|第二十条第（五<br>|）项<br>||: pymupdf4llm), set on two pipe
    rows: the row's label over as many empty cells, then the heading. Read as one, the heading's pieces are the row's
    cells, and the row, a cell short of numbers, goes unread. Only where the label is one line and the cells after
    it hold the heading and nothing else but cells of values, the row's own. The lines after it move down: ``unsure``'s lines with them."""
    lines = text.split("\n")
    out: list[str] = []
    moved: dict[int, int] = {}
    for number, line in enumerate(lines, 1):
        parted = _row_and_heading(line) if line.lstrip().startswith("|") else None
        out.extend(parted or [line])
        moved[number] = len(out) - (1 if parted else 0)
    if len(out) == len(lines):
        return text, unsure
    return "\n".join(out), {moved[number]: cells for number, cells in unsure.items()}


def _row_and_heading(line: str) -> list[str] | None:
    cells = _row_cells(line)
    label = [p for p in _BR.split(cells[0].strip()) if p]
    # One line of label: labels stacked in the cell (规章<br>规范性文件) are rows a table finder stacked, read so.
    if len(cells) < 3 or len(label) != 1 or _VALUE_LINE.match(label[0]):
        return None
    rest = [[p for p in _BR.split(c.strip()) if p] for c in cells[1:]]
    # A cell of values is the row's own, kept in its column (|行政强制<br>|第二十条第（八<br>|）项<br>|47<br>|); a cell
    # mixing words and values is no such pair.
    values = [bool(ps) and all(_VALUE_LINE.match(p) for p in ps) for ps in rest]
    words = [ps if not is_value else [] for ps, is_value in zip(rest, values)]
    if not any(words) or any(_VALUE_LINE.match(p) for ps in words for p in ps):
        return None
    if _label_words("".join(p for ps in words for p in ps)) not in _article_headings():
        return None
    indent = line[:len(line) - len(line.lstrip())]
    own = ["<br>".join(ps) if is_value else "" for ps, is_value in zip(rest, values)]
    return [indent + "|" + "|".join([label[0]] + own) + "|",
            indent + "||" + "|".join("<br>".join(ps) for ps in words) + "|"]
