"""PDF reports to text (part of stage 1): prose one paragraph per line, every table as tab rows.

Tables are read by pdfplumber (ruling lines, fast) and, where its reading is not beyond doubt, by camelot
(lattice first, stream for pages without rulings). Each candidate is judged against the template on a
trial extraction by the ``TableJudge`` the caller hands over (the pipeline's: ``xxgk.tables.judge``): how
many template cells it yields and whether the template's sums hold on them; the better one is kept per
table (ties go to pdfplumber, which places text by its glyph boxes). Without a judge, pdfplumber's tables
stand and no second opinion is asked.
Tables that run on across a page break are stitched (a row cut in two by the break is put back
together, when the judge reads the joined label as the template's); page headers and footers (lines
repeated in the margins, page numbers) are dropped; Kangxi radicals and compatibility ideographs that some
producers emit for ordinary characters (⽂ for 文) are folded (``xxgk.text.fold_lookalikes``). A PDF whose
pages carry no text is a scan, read by the OCR reader (``ocr``; ``NeedsOCR`` naming the extra without it); in a
mixed PDF only the pages without text but with an image go to OCR, each in its place between the text pages.
"""
from __future__ import annotations

import logging
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO

from ..datamodel import CUT_CELL, TableJudge, TableScore
from ..text import fold_lookalikes, join_lines
from . import ocr
from .base import NeedsOCR, ReadError, Source, tab_rows

MARGIN = 0.1                 # share of the page height at the top and bottom where headers and footers sit
SLIVER = 5.0                 # points: thinner columns cannot hold a character
# points: rulings closer than this are one ruling drawn double (Word's double border: lines 0.5-1.5 pt apart);
# a row this high or more is a row, though it holds no line of text (LibreOffice draws a row of empty cells
# 4.7 pt high).
DOUBLE_RULING = 3.0
JOIN = 2.0                   # points: ruling ends this close meet (a cell's border drawn as its own thin box)
PAPER_EDGE = 1.0             # points: a table this close to the paper's edge reaches it (and runs on past it)
# A row cut at the paper's edge lost its cells past it, how many the file does not say: counts up to this are
# tried and the judge keeps the one the template reads best (past two lost columns the rows are left unread).
MOST_LOST_CELLS = 2
MIN_TEXT_CHARS = 20          # fewer characters than this in the whole file: no text layer
MIN_PAGE_CHARS = 5           # a page with fewer characters than this and an image is a scanned page (OCR)
PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3}"
                         r"|共\s*\d+\s*页\s*第\s*\d+\s*页|\d{1,3}|page\s*\d+(?:\s*of\s*\d+)?)\s*$", re.I)
_NUMERIC = re.compile(r"^[\s\d.,+\-−%／/—–]+$")
_LETTER = re.compile(r"[^\W\d_]")
# A pdfplumber table is doubtful, and camelot is asked, when the trial finds a sum failing or a cell unsure in
# it, or no template cell in a table holding at least this many numbers (a table the recovery could not read).
DOUBTFUL_UNREAD_NUMBERS = 3
# A page without ruled tables is read by camelot's stream flavour when it has at least this many numbers in its
# lines (a table drawn without rulings); fewer are the prose's figures.
TABULAR_NUMBERS = 12
# A camelot table replaces the pdfplumber table whose box it covers more than this share of (else it is added).
REPLACES_OVERLAP = 0.5


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str = ""


@dataclass
class Fragment:
    """One table as found on one page by one strategy."""
    page: int
    bbox: tuple[float, float, float, float]     # x0, top, x1, bottom (pdfplumber's coordinates)
    rows: list[list[str]]
    strategy: str
    score: TableScore | None = None
    rejected: dict = field(default_factory=dict)   # strategy -> score of a candidate not kept
    # Where the table runs off the page (pdfplumber's tables), and how many cells its rows of values lost past
    # each cut side (the judge's count: the file does not say).
    cut: Cut | None = None
    lost: tuple[int, int] = (0, 0)

    def cells(self) -> list[list[str]]:
        """The rows as read, each row of values of a cut table with its lost cells marked (``CUT_CELL``)."""
        if self.cut is None or self.lost == (0, 0):
            return self.rows
        left, right = self.lost
        return [[CUT_CELL] * (left * on_left) + row + [CUT_CELL] * (right * on_right)
                for row, on_left, on_right in zip(self.rows, self.cut.values_left, self.cut.values_right)]

    def may_have_lost(self) -> list[tuple[int, int]]:
        """The counts of lost cells to try, (left, right): on each side that is cut and has rows of values."""
        cut = self.cut
        if cut is None:
            return [(0, 0)]
        lefts = range(MOST_LOST_CELLS + 1) if cut.left and any(cut.values_left) else [0]
        rights = range(MOST_LOST_CELLS + 1) if cut.right and any(cut.values_right) else [0]
        return [(a, b) for a in lefts for b in rights]


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    fragments: list[Fragment]
    numeric_words: int = 0
    scan: object = None          # a scanned page: its OCR reading (``ocr.ScanResult``), put in the page's place


def read_pdf(source: Source, judge: TableJudge | None = None) -> tuple[str, list[dict], dict[int, list[float]]]:
    """The PDF's text (tables as tab rows) and one entry per table: page, strategy, rows, cols, score."""
    import pdfplumber

    data, path = source.data, source.path
    quiet = logging.getLogger("pdfminer")
    level = quiet.level
    quiet.setLevel(logging.ERROR)      # font-descriptor gripes on every Chromium PDF say nothing to a user
    try:
        with pdfplumber.open(BytesIO(data)) as pdf:
            pages = [_read_page(page) for page in pdf.pages]
    except Exception as exc:  # pdfminer raises assorted errors on broken or encrypted files
        raise ReadError(path, f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        quiet.setLevel(level)
    chars = sum(len(line.text) for p in pages for line in p.lines) + sum(
        len(c) for p in pages for f in p.fragments for row in f.rows for c in row)
    scanned = _scanned_pages(data, pages)
    if chars < MIN_TEXT_CHARS or (scanned and len(scanned) == len(pages)):
        if not ocr.available():
            raise NeedsOCR(path, f"needs OCR: a scanned PDF ({len(pages)} page(s) without a text layer); "
                                 f"install the extra {ocr.OCR_EXTRA} (pip install '{ocr.OCR_EXTRA}') to read it offline")
        return ocr.read_image(source, judge)
    if scanned and ocr.available():
        # a mixed PDF: its scanned pages read by OCR, page by page (without the engine they stay unread, as before)
        for number, scan in ocr.ocr_pages(data, scanned, path).items():
            pages[number - 1].scan = scan
    _drop_furniture(pages)
    _cut_past_the_text(pages)
    if judge is not None:
        _trial(pages, judge)
        _count_lost_cells(pages, judge)
        _second_opinion(data, pages, judge)
    return _compose(pages, judge)


def _read_page(page) -> Page:
    fragments = []
    tables = page.find_tables()
    closing = closing_rulings(page.edges, [t.bbox for t in tables])
    if closing:
        tables = page.find_tables(table_settings={"explicit_horizontal_lines": closing})
    for table in tables:
        rows = table_cells(table, page.chars, page.width)
        cut, bbox = cut_sides(table, rows, page)
        kept = _without_slivers(table, rows)
        rows = [rows[i] for i in kept]
        if rows and any(any(row) for row in rows):
            fragments.append(Fragment(page.page_number, bbox, rows, "pdfplumber", cut=Cut(
                [cut.values_left[i] for i in kept], [cut.values_right[i] for i in kept], cut.left, cut.right)))
    boxes = [f.bbox for f in fragments]
    # Text printed off the paper is a wide table's (LibreOffice keeps the characters of the cells it cuts), not
    # prose: read with the table's cells, or not at all.
    chars = [c for c in page.chars if 0 <= (c["x0"] + c["x1"]) / 2 <= page.width
             and not any(_inside(c, box) for box in boxes)]
    lines = text_lines(chars)
    numeric = 0 if fragments else sum(1 for ln in lines for w in re.split(r"[\s\t]+", ln.text) if _NUMERIC.match(w))
    return Page(page.page_number, page.width, page.height, lines, fragments, numeric)


def closing_rulings(edges: list[dict], boxes: list[tuple]) -> list[dict]:
    """The horizontal rulings a grid lacks at its top or bottom: where the vertical rulings of a table run on past
    its outermost horizontal ruling by a row's height (a header row drawn without a top border, a row cut by a
    page break), a ruling joining their ends closes the row they hold, so that it is read as the table's."""
    vertical = [e for e in edges if e["orientation"] == "v"]
    out = []
    for x0, top, x1, bottom in boxes:
        x0, x1 = _ruled_reach(edges, x0, top, x1, bottom)
        for past, end in ((lambda e: e["top"] < top - SLIVER and e["bottom"] >= top - JOIN, "top"),
                          (lambda e: e["bottom"] > bottom + SLIVER and e["top"] <= bottom + JOIN, "bottom")):
            ends = sorted((e[end], e["x0"]) for e in vertical if x0 - JOIN <= e["x0"] <= x1 + JOIN and past(e))
            # the rulings whose ends meet (within JOIN of the outermost one) make the row's sides
            if not ends:
                continue
            edge = ends[0][0] if end == "top" else ends[-1][0]
            xs = [x for y, x in ends if abs(y - edge) <= JOIN]
            if len(xs) >= 2:
                out.append({"x0": min(xs), "x1": max(xs), "width": max(xs) - min(xs), "top": edge, "bottom": edge,
                            "height": 0, "orientation": "h", "object_type": "closing_edge"})
    return out


def _ruled_reach(edges: list[dict], x0: float, top: float, x1: float, bottom: float) -> tuple[float, float]:
    """A table's sides moved out along the horizontal rulings that run on from them within its height: a column
    of merged label cells the table finder left out (三、本年度办理结果 over a page's rows, its ruling closed at
    neither end there), whose rulings hold the cut row's label (四、结转下年度继续办理, two columns wide, at the
    page's foot)."""
    horizontal = [(e["x0"], e["x1"]) for e in edges
                  if e["orientation"] == "h" and top - JOIN <= e["top"] <= bottom + JOIN]
    grown = True
    while grown:
        grown = False
        for a, b in horizontal:
            if a < x0 - JOIN and b >= x0 - JOIN:
                x0, grown = a, True
            if b > x1 + JOIN and a <= x1 + JOIN:
                x1, grown = b, True
    return x0, x1


def table_cells(table, chars: list[dict], paper_width: float | None = None) -> list[list[str]]:
    """The table's rows of cell texts. Each character goes to the smallest cell around it: ruling
    detection sometimes yields a merged cell overlapping its neighbours, and the first match (what
    pdfplumber's own extract does) would pour their text into it. A table reaching the paper's edge
    (``paper_width`` given) runs on past it: a character printed across the edge (LibreOffice keeps the text
    of a cell it cuts whole) belongs to its cell at that edge."""
    boxes = [tuple(c) for c in table.cells]
    x0, top, x1, bottom = table.bbox
    held: dict[tuple, list[dict]] = {box: [] for box in boxes}
    for ch in chars:
        mx, my = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if paper_width is not None and top <= my <= bottom:
            # a character across the edge is its cell's (one wholly past it may be a column's lost there)
            if mx < 0 < ch["x1"] and x0 <= PAPER_EDGE:
                mx = x0 + JOIN
            elif ch["x0"] < paper_width < mx and x1 >= paper_width - PAPER_EDGE:
                mx = x1 - JOIN
        if not (x0 <= mx <= x1 and top <= my <= bottom):
            continue
        around = [b for b in boxes if b[0] <= mx <= b[2] and b[1] <= my <= b[3]]
        if around:
            held[min(around, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))].append(ch)
    text = {box: join_lines(line.text for line in text_lines(cs)) for box, cs in held.items()}
    rows = [[text.get(tuple(c), "") if c else "" for c in row.cells] for row in table.rows]
    _repeat_merged_labels(table, rows, boxes)
    return rows


def column_edges(table) -> list[float]:
    """The x of each column's left ruling, then the table's right edge. (A column's own box takes in the cells
    merged from it over the next columns.)"""
    return [c.bbox[0] for c in table.columns] + [table.bbox[2]]


def _repeat_merged_labels(table, rows: list[list[str]], boxes: list[tuple]) -> None:
    """A row's label merged over several columns is printed in each of them: its other slots are not blank
    cells. Left blank, a slot reads as the row's first value cell (a row one value short, its last column cut
    off the page, would then read as whole, every value one column off); repeated, the label ends where the
    values start (the recovery reads a label repeated in a row as one). Only a row's label is repeated: text
    with nothing but values or blanks after it in its row."""
    edges = column_edges(table)
    columns = list(zip(edges, edges[1:]))
    for r, band in enumerate(table.rows):
        if len(band.cells) != len(columns) or len(rows[r]) != len(columns):
            continue
        row_top = band.bbox[1]
        row_bottom = min(cell[3] for cell in band.cells if cell is not None)   # a row's box takes in its rowspans
        for c, slot in enumerate(band.cells):
            if slot is not None:
                continue
            mx, my = (columns[c][0] + columns[c][1]) / 2, (row_top + row_bottom) / 2
            around = [b for b in boxes if b[0] <= mx <= b[2] and b[1] <= my <= b[3] and abs(b[1] - row_top) <= JOIN]
            if not around:
                continue        # merged from the row above: a group's label, not this row's
            origin = next((k for k in range(c - 1, -1, -1) if band.cells[k] is not None
                           and tuple(band.cells[k]) == around[0]), None)
            if origin is None or not _LETTER.search(rows[r][origin]):
                continue
            end = max(k for k, col in enumerate(columns) if col[0] < around[0][2] - JOIN)
            if not any(_LETTER.search(cell) for cell in rows[r][end + 1:]):
                rows[r][c] = rows[r][origin]


def _without_slivers(table, rows: list[list[str]]) -> list[int]:
    """The rows to keep, empty rows and columns that are not real ones dropped (columns in place), so that
    they add no blank row or cell: a row between two rulings drawn a hair apart (a double border) or only
    part of the table wide (a stray ruling inside a merged cell), a column too thin to hold a character."""
    x0, _, x1, _ = table.bbox
    thin = [r.bbox[3] - r.bbox[1] < DOUBLE_RULING or r.bbox[2] - r.bbox[0] < 0.6 * (x1 - x0)
            for r in table.rows]
    kept = [i for i, row in enumerate(rows) if len(thin) != len(rows) or not thin[i] or any(row)]
    edges = column_edges(table)
    widths = [b - a for a, b in zip(edges, edges[1:])]
    if rows and len(widths) <= len(rows[0]):
        narrow = [i for i, w in enumerate(widths) if w < SLIVER and not any(rows[k][i] for k in kept)]
        for row in rows:
            row[:] = [c for i, c in enumerate(row) if i not in narrow]
    return kept


@dataclass
class Cut:
    """How a table runs off the page on its two sides: which rows are rows of values at each side (those that
    run on past a cut), and whether each side is cut (or may be: the judge then counts the cells lost)."""
    values_left: list[bool]
    values_right: list[bool]
    left: bool = False
    right: bool = False


def cut_sides(table, rows: list[list[str]], page) -> tuple[Cut, tuple]:
    """Where a table runs off the page, its rows' cells at a cut settled, and its box (taking in a cut strip).

    A side is cut where the table reaches the paper's edge (the column there is cut), or, on the right, where
    its horizontal rulings run on past its last vertical ruling (Chromium clips a table wider than the page at
    the printable area: the open strip is the cut column). In a row of values the cell at the cut is marked
    ``CUT_CELL`` when it may have lost its text: empty (its text may lie wholly past the edge), or a number
    reaching within an em of the edge unless the producer keeps the characters it cuts (LibreOffice prints a
    cell's text whole when it crosses the paper's edge; Chromium drops what lies past its clip: 214 prints as 2).
    A row of values at a side: its cell there is a cell of its own (not part of a merged head) holding no word
    (on the left no cell of the row holds one: there a row's label stands); a row of heads holds words there
    (结果维持…) or a merged head's blank part."""
    x0, top, x1, bottom = table.bbox
    width = len(table.columns)
    edges = column_edges(table)

    def of_values(at: int) -> list[bool]:
        return [len(band.cells) == width and len(row) == width and band.cells[at] is not None and any(row)
                and not _LETTER.search(row[at]) for row, band in zip(rows, table.rows)]

    # On the left a row's label stands: only a row of nothing but values (table 4's fifteen) runs on past it.
    cut = Cut([v and not any(_LETTER.search(c) for c in row) for v, row in zip(of_values(0), rows)],
              of_values(-1))
    keeps_cut_text = any(c["x0"] < 0 or c["x1"] > page.width for c in page.chars)
    strip = None
    if x1 >= page.width - PAPER_EDGE:
        cut.right = True
    else:
        # rulings between the table's rows (its top and bottom ones may be a neighbouring table's, wider)
        running = [e for e in page.edges if e["orientation"] == "h" and top + JOIN < e["top"] < bottom - JOIN
                   and e["x0"] <= x1 + JOIN and e["x1"] > x1 + SLIVER]
        if len(running) >= 2:
            cut.right = True
            strip = (x1, max(e["x1"] for e in running))
    cut.left = x0 <= PAPER_EDGE
    for k, (row, band) in enumerate(zip(rows, table.rows)):
        if len(row) != width:
            continue
        row_top = band.bbox[1]
        row_bottom = min(cell[3] for cell in band.cells if cell is not None)

        def at_the_cut(left: float, right: float, edge: float, values: bool, keeps: bool) -> str:
            """The text of the row's cell between ``left`` and ``right``, cut at ``edge`` (the left edge when it
            is the paper's left)."""
            inside = [c for c in page.chars if row_top <= (c["top"] + c["bottom"]) / 2 <= row_bottom
                      and left < (c["x0"] + c["x1"]) / 2 <= right]
            text = join_lines(line.text for line in text_lines(inside))
            if not values:
                return text
            if not text:
                return CUT_CELL
            em = max(c["size"] for c in inside)
            reaches = (min(c["x0"] for c in inside) < edge + em if edge == 0.0
                       else max(c["x1"] for c in inside) > edge - em)
            return CUT_CELL if _NUMERIC.match(text) and reaches and not keeps else text

        if strip is not None:
            row.append(at_the_cut(strip[0], strip[1] + JOIN, strip[1], cut.values_right[k], False))
        elif cut.right:
            row[-1] = at_the_cut(edges[-2], math.inf, page.width, cut.values_right[k],
                                 keeps_cut_text)
        if cut.left:
            row[0] = at_the_cut(-math.inf, edges[1], 0.0, cut.values_left[k], keeps_cut_text)
    return cut, (x0, top, strip[1], bottom) if strip else tuple(table.bbox)


def text_lines(chars: list[dict]) -> list[Line]:
    """Characters grouped into lines by their vertical middle (a bold Latin year inside a Chinese title
    sits a little higher than its neighbours); a wide gap between characters becomes a tab, so a table
    drawn without rulings still comes out as cells."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        mid = (ch["top"] + ch["bottom"]) / 2
        if lines:
            last = lines[-1]
            last_mid = sum((c["top"] + c["bottom"]) / 2 for c in last) / len(last)
            if abs(mid - last_mid) <= 0.35 * max(ch["size"], max(c["size"] for c in last)):
                last.append(ch)
                continue
        lines.append([ch])
    out = []
    for group in lines:
        group.sort(key=lambda c: c["x0"])
        text, previous = "", None
        for ch in group:
            if previous is not None:
                gap = ch["x0"] - previous["x1"]
                size = max(ch["size"], previous["size"])
                if gap > 1.8 * size:
                    text = text.rstrip(" ") + "\t"
                elif gap > 0.25 * size and not text.endswith((" ", "\t")) and ch["text"] != " ":
                    text += " "
            text += ch["text"]
            previous = ch
        text = fold_lookalikes(re.sub(r" *\t[\t ]*", "\t", re.sub(r" {2,}", " ", text))).strip(" \t")
        if text:
            sizes = sorted(c["size"] for c in group)
            fonts = Counter(c.get("fontname", "") for c in group)
            out.append(Line(text, group[0]["x0"], max(c["x1"] for c in group), min(c["top"] for c in group),
                            max(c["bottom"] for c in group), sizes[len(sizes) // 2], fonts.most_common(1)[0][0]))
    return out


def _inside(obj, box) -> bool:
    x0, top, x1, bottom = box
    mx, my = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return x0 - 1 <= mx <= x1 + 1 and top - 1 <= my <= bottom + 1


def _cell(text: str | None) -> str:
    return join_lines(fold_lookalikes(text).split("\n")) if text else ""

# ------------------------------------------------------------------------------------------------ judging


def _ordered(pages: list[Page]) -> list[Fragment]:
    return [f for p in pages for f in sorted(p.fragments, key=lambda f: f.bbox[1])]


def _trial(pages: list[Page], judge: TableJudge) -> TableScore:
    """One extraction of all the tables in reading order; each table's score is what it contributed."""
    fragments = _ordered(pages)
    stitched = _stitch(pages, judge)
    tables = []
    for fragment in fragments:
        rows, continues = stitched[id(fragment)]
        # A ruled grid's columns are all real: a column of blank cells (zeros printed as nothing) stays.
        tables.append(tab_rows(rows, max(map(len, rows), default=0)))
    total = TableScore()
    for fragment, score in zip(fragments, judge.score(tables)):
        fragment.score = score
        total = total + score
    return total


def _cut_past_the_text(pages: list[Page]) -> None:
    """Tables that may be cut off at the right though no ruling shows it: wider than the text (their right edge
    past the prose's, where a page's printable area may end exactly at one of their column rulings), and the rest
    of a cut table continued on the next page. The judge then counts the cells they lost (none, if the
    template reads them whole)."""
    right = max((ln.x1 for p in pages for ln in p.lines), default=None)
    for table in _tables(pages):
        cuts = [f.cut for f in table if f.cut is not None]
        wide = any(right is not None and f.bbox[2] > right + JOIN for f in table)
        left_cut, right_cut = any(c.left for c in cuts), wide or any(c.right for c in cuts)
        for cut in cuts:
            cut.left, cut.right = left_cut, right_cut


def _count_lost_cells(pages: list[Page], judge: TableJudge) -> None:
    """How many cells each row of a cut table lost past each cut side: the counts under which the template reads
    the most cells, then fits best (the file does not tell; the template does: six values under seven heads lost
    one). Cells read come first: a row one cell short can still be read whole by borrowing a cell of the next
    row, and with zeros about the sums hold on that as well as on the true reading; the true count reads every
    row. On a table not cut, a lost cell only makes each row one cell too long: no more cells, and the fewer
    lost is kept. One table continued across pages lost as many on every page."""
    for table in _tables(pages):
        counts = sorted({c for f in table for c in f.may_have_lost()})
        if len(counts) == 1:
            continue
        tried = []
        for lost in counts:
            for fragment in table:
                fragment.lost = lost
            score = _trial(pages, judge)
            tried.append((score.cells - score.unsure, judge.value(score), -sum(lost), lost))
        best = max(tried)[3]
        for fragment in table:
            fragment.lost = best
    _trial(pages, judge)


def _tables(pages: list[Page]) -> list[list[Fragment]]:
    """The fragments in reading order, those of one table (continued across a page break) together: a table
    cut at the paper's edge lost as many cells per row on every page."""
    out: list[list[Fragment]] = []
    previous: Fragment | None = None
    for page in pages:
        for item in _items(page):
            if isinstance(item, Line):
                previous = None
                continue
            if previous is not None and previous.page != item.page:
                out[-1].append(item)
            else:
                out.append([item])
            previous = item
    return out


def _doubtful(fragment: Fragment) -> bool:
    score = fragment.score
    values = sum(1 for row in fragment.cells() for c in row if c and _NUMERIC.match(c))
    return score.failed > 0 or score.unsure > 0 or (score.cells == 0 and values >= DOUBTFUL_UNREAD_NUMBERS)


def _second_opinion(data: bytes, pages: list[Page], judge: TableJudge) -> None:
    """Camelot on the pages whose pdfplumber reading is in doubt, or that look tabular without rulings;
    a candidate replaces the table it overlaps (or is added) when the whole trial extraction gains."""
    doubtful = [p for p in pages if any(_doubtful(f) for f in p.fragments)
                or (not p.fragments and p.numeric_words >= TABULAR_NUMBERS)]
    if not doubtful:
        return
    lattice = _camelot(data, [p.number for p in doubtful], "lattice")
    no_rulings = [p for p in doubtful if not p.fragments and not lattice.get(p.number)]
    stream = _camelot(data, [p.number for p in no_rulings], "stream") if no_rulings else {}
    best = judge.value(_trial(pages, judge))
    for page in doubtful:
        for candidate in lattice.get(page.number, []) + stream.get(page.number, []):
            rivals = [f for f in page.fragments if _overlap(f.bbox, candidate.bbox) > REPLACES_OVERLAP]
            if any(f.cut is not None and (f.cut.left or f.cut.right) for f in rivals):
                continue    # a grid of its own cannot tell a cell cut off the page from a blank one
            saved = (list(page.fragments), list(page.lines))
            if rivals:
                page.fragments[page.fragments.index(rivals[0])] = candidate
            else:
                page.fragments.append(candidate)
                page.lines = [ln for ln in page.lines if not _inside(
                    {"x0": ln.x0, "x1": ln.x1, "top": ln.top, "bottom": ln.bottom}, candidate.bbox)]
            value = judge.value(_trial(pages, judge))
            if value > best:
                best = value
                if rivals:
                    candidate.rejected = {**rivals[0].rejected, rivals[0].strategy: rivals[0].score.as_dict()}
            else:
                page.fragments, page.lines = saved
                if rivals:
                    rivals[0].rejected[candidate.strategy] = candidate.score.as_dict()
    _trial(pages, judge)


def _camelot(data: bytes, numbers: list[int], flavor: str) -> dict[int, list[Fragment]]:
    try:
        import camelot
    except ImportError:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tables = camelot.read_pdf(BytesIO(data), pages=",".join(map(str, numbers)), flavor=flavor)
        except Exception:  # camelot gives up on some files; pdfplumber's reading stands then
            return {}
    out: dict[int, list[Fragment]] = {}
    for table in tables:
        height = table.pdf_size[1]
        x1, y1, x2, y2 = table._bbox
        rows = [[_cell(c.text) for c in row] for row in table.cells]
        if rows and any(any(row) for row in rows):
            out.setdefault(int(table.page), []).append(
                Fragment(int(table.page), (x1, height - y2, x2, height - y1), rows, flavor))
    return out


def _overlap(a, b) -> float:
    """Intersection over the smaller box."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) or 1.0
    return w * h / smaller

# ------------------------------------------------------------------------------------------------ layout


def _drop_furniture(pages: list[Page]) -> None:
    """Lines in the top and bottom margins that repeat on other pages (digits aside), and page numbers."""
    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text)

    def in_margin(page: Page, line: Line) -> bool:
        return line.bottom < page.height * MARGIN or line.top > page.height * (1 - MARGIN)

    seen: dict[str, set[int]] = {}
    for page in pages:
        for line in page.lines:
            if in_margin(page, line):
                seen.setdefault(key(line), set()).add(page.number)
    for page in pages:
        page.lines = [ln for ln in page.lines if not in_margin(page, ln) or not (
            PAGE_NUMBER.match(ln.text) or len(seen.get(key(ln), ())) >= 2)]


_NUMBERED_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d))")


def _items(page: Page) -> list[Line | Fragment]:
    """The page's prose lines and tables from top to bottom."""
    items = sorted([(ln.top, 0, ln) for ln in page.lines] + [(f.bbox[1], 1, f) for f in page.fragments],
                   key=lambda item: (item[0], item[1]))
    return [item for _, _, item in items]


def _stitch(pages: list[Page], judge: TableJudge | None) -> dict[int, tuple[list[list[str]], int | None]]:
    """Each table's rows (by ``id``) once joined to the table it continues, and the page it continues from.

    A table continues the one before it when nothing but page furniture lies between them across a page
    break; its leading empty rows (the cut-off ends of merged cells) go, and a row the break cut in two
    is put back together."""
    out: dict[int, tuple[list[list[str]], int | None]] = {}
    previous: Fragment | None = None
    for page in pages:
        if page.scan is not None:
            previous = None
        for item in _items(page):
            if isinstance(item, Line):
                previous = None
                continue
            rows, continues = list(item.cells()), None
            if previous is not None and previous.page != item.page:
                continues = previous.page
                while rows and not any(rows[0]):
                    rows = rows[1:]
                before = out[id(previous)][0]
                merged = _merged_from_above(before, rows[0]) if rows and before else {}
                if rows and before and _cut_row(before[-1], rows[0], judge, merged):
                    for c, k in merged.items():     # a group's name cut too: its end goes back to its start
                        before[k] = list(before[k])     # a copy: the fragment's own rows are read again
                        before[k][c] = join_lines([before[k][c], rows[0][c]])
                    before[-1] = [a if c in merged else join_lines([a, b])
                                  for c, (a, b) in enumerate(zip(before[-1], rows[0]))]
                    rows = rows[1:]
            out[id(item)] = (rows, continues)
            previous = item
    return out


def _compose(pages: list[Page], judge: TableJudge | None) -> tuple[str, list[dict], dict[int, list[float]]]:
    out: list[str] = []
    meta: list[dict] = []
    line_confidence: dict[int, list[float]] = {}
    open_line: Line | None = None        # the last prose line, if it ran to the right edge (a wrapped paragraph)
    body_size = _body_size(pages)
    stitched = _stitch(pages, judge)
    for page in pages:
        right = max((ln.x1 for ln in page.lines), default=page.width)
        left = min((ln.x0 for ln in page.lines), default=0.0)
        if page.scan is not None:
            open_line = None
            _put_scan(page.scan, out, meta, line_confidence)
        for item in _items(page):
            if isinstance(item, Line):
                if open_line is not None and _continues(open_line, item, left, right, body_size):
                    out[-1] = join_lines([out[-1], item.text])
                else:
                    out.append(item.text)
                open_line = item if item.x1 >= right - 3 * (item.size or 10) else None
                continue
            open_line = None
            rows, continues = stitched[id(item)]
            if not rows:
                continue
            meta.append({"page": item.page, "strategy": item.strategy, "rows": len(rows),
                         "cols": max(len(r) for r in rows),
                         "score": item.score.as_dict() if item.score else None,
                         **({"continues_from_page": continues} if continues else {}),
                         **({"rejected": item.rejected} if item.rejected else {})})
            out.extend(tab_rows(rows, max(map(len, rows))))
    return "\n".join(out), meta, line_confidence


def _scanned_pages(data: bytes, pages: list[Page]) -> list[int]:
    """The pages without text that hold an image (asked of the file only when some page has almost no text: a
    text PDF is never looked at for OCR)."""
    bare = [p.number for p in pages if sum(len(ln.text) for ln in p.lines) + sum(
        len(c) for f in p.fragments for row in f.rows for c in row) < MIN_PAGE_CHARS]
    if not bare:
        return []
    try:
        with_images = set(ocr.image_pages(data))
    except Exception:  # pdfium refuses a file pdfplumber read: its pages stay as pdfplumber read them
        return []
    return [n for n in bare if n in with_images]


def _put_scan(scan, out: list[str], meta: list[dict], line_confidence: dict[int, list[float]]) -> None:
    """A scanned page's OCR reading appended to the text, its line numbers moved to where it lands."""
    shift = len(out)
    out.extend(scan.text.split("\n") if scan.text else [])
    line_confidence.update({shift + line: cells for line, cells in scan.cell_confidence.items()})
    for table in scan.tables_meta:
        moved = {**table, "first_line": table["first_line"] + shift}
        if "unsure" in table:
            moved["unsure"] = [{**u, "line": u["line"] + shift} for u in table["unsure"]]
        meta.append(moved)


def _body_size(pages: list[Page]) -> float:
    sizes: dict[float, int] = {}
    for page in pages:
        for line in page.lines:
            sizes[round(line.size, 1)] = sizes.get(round(line.size, 1), 0) + len(line.text)
    return max(sizes, key=sizes.get) if sizes else 10.0


def _continues(before: Line, line: Line, left: float, right: float, body_size: float) -> bool:
    """A paragraph wrapped onto the next line: same size and font, the next line starts at the left margin
    (or both are centred title lines), and it does not open a numbered heading after a full stop."""
    size = line.size or 10
    if abs(line.size - before.size) >= 0.5 or line.font != before.font or PAGE_NUMBER.match(line.text):
        return False
    if line.top - before.bottom > 1.5 * size:
        return False
    if _NUMBERED_START.match(line.text) and before.text.endswith(("。", "；", "：", ".", ";", ":")):
        return False
    if line.x0 <= left + 0.5 * size:
        return True
    centred = abs((line.x0 - left) - (right - line.x1)) < 2 * size
    return centred and size > body_size * 1.15


def _merged_from_above(before: list[list[str]], first: list[str]) -> dict[int, int]:
    """The columns where the continuation holds text and the row above the break holds none, because a group's
    name merged down over that row (and the break) is printed in a row higher up: column -> that row. The
    nearest text above in the column must be a name (letters), not a value; whether the continuation's text
    is that name's end is for the judge (``_cut_row``) to say. LibreOffice cuts such a name at the break as
    it cuts the row's own label: （三）不予公 / 开 beside 2.其他法律行 / 政法规禁止公开."""
    last = before[-1]
    out: dict[int, int] = {}
    for c, text in enumerate(first):
        if not text or _NUMERIC.match(text) or c >= len(last) or last[c]:
            continue
        k = next((k for k in range(len(before) - 2, -1, -1) if c < len(before[k]) and before[k][c]), None)
        if k is not None and _LETTER.search(before[k][c]) and not _NUMERIC.match(before[k][c]):
            out[c] = k
    return out


def _cut_row(last: list[str], first: list[str], judge: TableJudge | None,
             merged: dict[int, int] | None = None) -> bool:
    """The page break cut a row in two: the continuation's text sits only in cells that the row above
    holds text in (or that a group's name merged down from a higher row covers, ``merged``: column -> that
    row, judged here without the name's start, which the halves do not have either), no column has values
    on both sides, and the joined labels fit the template better than either half (结果 + 维持 → 结果维持; a
    new row's own label fits better alone). Without a judge to read the labels, no row is taken for cut."""
    if judge is None or len(last) != len(first) or not any(last) or not any(first):
        return False
    if any(a and b for a, b in zip(last, first) if _NUMERIC.match(a) or _NUMERIC.match(b)):
        return False
    label_columns = {i for i, c in enumerate(first) if c and not _NUMERIC.match(c)}
    last_columns = {i for i, c in enumerate(last) if c and not _NUMERIC.match(c)} | set(merged or ())
    if not label_columns or not label_columns <= last_columns:
        return False
    if any(c and _NUMERIC.match(c) for c in first) and any(c and _NUMERIC.match(c) for c in last):
        return False
    joined = [join_lines([a, b]) if i in label_columns else "" for i, (a, b) in enumerate(zip(last, first))]
    halves = [[c if i in label_columns else "" for i, c in enumerate(row)] for row in (last, first)]
    return judge.label_fit(joined) > max(judge.label_fit(half) for half in halves)
