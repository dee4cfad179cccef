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
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO

from ..datamodel import TableJudge, TableScore
from ..text import fold_lookalikes, join_lines
from . import ocr
from .base import NeedsOCR, ReadError, Source, tab_rows

MARGIN = 0.1                 # share of the page height at the top and bottom where headers and footers sit
SLIVER = 5.0                 # points: thinner rows and columns cannot hold a line of text
MIN_TEXT_CHARS = 20          # fewer characters than this in the whole file: no text layer
MIN_PAGE_CHARS = 5           # a page with fewer characters than this and an image is a scanned page (OCR)
PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3}"
                         r"|共\s*\d+\s*页\s*第\s*\d+\s*页|\d{1,3}|page\s*\d+(?:\s*of\s*\d+)?)\s*$", re.I)
_NUMERIC = re.compile(r"^[\s\d.,+\-−%／/—–]+$")
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
    if judge is not None:
        _trial(pages, judge)
        _second_opinion(data, pages, judge)
    return _compose(pages, judge)


def _read_page(page) -> Page:
    fragments = []
    for table in page.find_tables():
        rows = _without_slivers(table, table_cells(table, page.chars))
        if rows and any(any(row) for row in rows):
            fragments.append(Fragment(page.page_number, tuple(table.bbox), rows, "pdfplumber"))
    boxes = [f.bbox for f in fragments]
    chars = [c for c in page.chars if not any(_inside(c, box) for box in boxes)]
    lines = text_lines(chars)
    numeric = 0 if fragments else sum(1 for ln in lines for w in re.split(r"[\s\t]+", ln.text) if _NUMERIC.match(w))
    return Page(page.page_number, page.width, page.height, lines, fragments, numeric)


def table_cells(table, chars: list[dict]) -> list[list[str]]:
    """The table's rows of cell texts. Each character goes to the smallest cell around it: ruling
    detection sometimes yields a merged cell overlapping its neighbours, and the first match (what
    pdfplumber's own extract does) would pour their text into it."""
    boxes = [tuple(c) for c in table.cells]
    x0, top, x1, bottom = table.bbox
    held: dict[tuple, list[dict]] = {box: [] for box in boxes}
    for ch in chars:
        mx, my = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if not (x0 <= mx <= x1 and top <= my <= bottom):
            continue
        around = [b for b in boxes if b[0] <= mx <= b[2] and b[1] <= my <= b[3]]
        if around:
            held[min(around, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))].append(ch)
    text = {box: join_lines(line.text for line in text_lines(cs)) for box, cs in held.items()}
    return [[text.get(tuple(c), "") if c else "" for c in row.cells] for row in table.rows]


def _without_slivers(table, rows: list[list[str]]) -> list[list[str]]:
    """Empty rows and columns that are not real ones are dropped, so they add no blank row or cell: too
    thin to hold text (two rulings drawn a hair apart), or a row only part of the table wide (a stray
    ruling inside a merged cell)."""
    x0, _, x1, _ = table.bbox
    thin = [r.bbox[3] - r.bbox[1] < SLIVER or r.bbox[2] - r.bbox[0] < 0.6 * (x1 - x0) for r in table.rows]
    widths = [c.bbox[2] - c.bbox[0] for c in table.columns]
    if len(thin) == len(rows):
        rows = [row for row, narrow in zip(rows, thin) if not narrow or any(row)]
    if rows and len(widths) == len(rows[0]):
        keep = [i for i, w in enumerate(widths) if w >= SLIVER or any(row[i] for row in rows)]
        rows = [[row[i] for i in keep] for row in rows]
    return rows


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
        tables.append(tab_rows(rows, max(map(len, rows), default=0) if continues else None))
    total = TableScore()
    for fragment, score in zip(fragments, judge.score(tables)):
        fragment.score = score
        total = total + score
    return total


def _doubtful(fragment: Fragment) -> bool:
    score = fragment.score
    values = sum(1 for row in fragment.rows for c in row if c and _NUMERIC.match(c))
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
            rows, continues = list(item.rows), None
            if previous is not None and previous.page != item.page:
                continues = previous.page
                while rows and not any(rows[0]):
                    rows = rows[1:]
                before = out[id(previous)][0]
                if rows and before and _cut_row(before[-1], rows[0], judge):
                    before[-1] = [join_lines([a, b]) for a, b in zip(before[-1], rows[0])]
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
            out.extend(tab_rows(rows, max(map(len, rows)) if continues else None))
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


def _cut_row(last: list[str], first: list[str], judge: TableJudge | None) -> bool:
    """The page break cut a row in two: the continuation's text sits only in cells that the row above
    holds text in, no column has values on both sides, and the joined labels fit the template better
    than either half (结果 + 维持 → 结果维持; a new row's own label fits better alone). Without a judge to
    read the labels, no row is taken for cut."""
    if judge is None or len(last) != len(first) or not any(last) or not any(first):
        return False
    if any(a and b for a, b in zip(last, first) if _NUMERIC.match(a) or _NUMERIC.match(b)):
        return False
    label_columns = {i for i, c in enumerate(first) if c and not _NUMERIC.match(c)}
    last_columns = {i for i, c in enumerate(last) if c and not _NUMERIC.match(c)}
    if not label_columns or not label_columns <= last_columns:
        return False
    if any(c and _NUMERIC.match(c) for c in first) and any(c and _NUMERIC.match(c) for c in last):
        return False
    joined = [join_lines([a, b]) if i in label_columns else "" for i, (a, b) in enumerate(zip(last, first))]
    halves = [[c if i in label_columns else "" for i, c in enumerate(row)] for row in (last, first)]
    return judge.label_fit(joined) > max(judge.label_fit(half) for half in halves)
