"""Scanned reports read offline: image-only PDF pages and images (PNG, JPEG, TIFF) to text with tab rows.

A page is rendered (pypdfium2) or decoded (Pillow), turned grey by its lightest channel (a red or blue seal
stamped over the print fades, black ink stays), deskewed by the angle that sharpens its row profile, and cut:

* tables drawn with rules: the rules are found by OpenCV morphology, the regions they enclose are the cells
  (a merged cell is one region), the cells' edges give the grid's rows and columns; every cell is read on its
  own crop, line by line ("ocr-grid");
* tables without rules: the text boxes of the detector are grouped into rows, and the columns are cut where no
  box of the block's rows lies ("ocr-boxes");
* everything else is prose: the detector's boxes, read and joined into lines (page headers and footers that
  repeat, and page numbers, are dropped, as the PDF reader does).

The recogniser is PP-OCRv4 (the detection and recognition models shipped inside the ``rapidocr-onnxruntime``
wheel, run by onnxruntime; nothing is downloaded). The recognition model is called directly, not through
rapidocr's pipeline, because the cell path needs what that pipeline throws away: each character's probability
(a cell's confidence is its least sure character) and the logits, so that a value cell can be read again with
the character set cut to digits. A confusion (0/O, 1/l/丨, 7/1, 5/6, 8/3) is never fixed silently: the cell
keeps the reading, its confidence drops below the trusted level, and the rival readings are listed in
``tables_meta[..]["unsure"]`` for the template's sums to settle (see docs/ocr.md for the engine's choice).
"""
from __future__ import annotations

import difflib
import logging
import re
import statistics
import time
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Callable, Iterable

from ..text import join_lines
from .base import NeedsOCR, ReadError, Source, tab_rows

# Each page read is told here (INFO: "<file>: page 3/5 read in 4.2 s"): ``xxgk extract`` and ``xxgk batch`` show it
# on stderr; a library caller attaches a handler, or passes ``progress`` to ``read_scan``.
log = logging.getLogger(__name__)

OCR_EXTRA = "xxgk[ocr]"
MISSING_ENGINE = (f"needs OCR: the offline OCR engine is not installed; install the extra {OCR_EXTRA} "
                  f"(pip install '{OCR_EXTRA}')")

RENDER_DPI = 150            # PDF pages are rendered at this resolution: 10.5 pt text is 22 px high, well over the
                            # recogniser's 48 px line once scaled, and higher costs time without reading better
MAX_IMAGE_WIDTH = 1700      # images wider than this (an A4 page over ~200 dpi) are scaled down to it, for speed
A4_RATIO = 297 / 210
LONG_IMAGE = 1.3            # an image this many A4 pages high (at its width) holds several pages, one under another
DET_SIDE = 960              # the detector sees prose at this size (long side); at 960 it finds the same boxes as
                            # at full size on A4 pages and takes a quarter of the time
MAX_SKEW = 3.0              # degrees: the largest tilt looked for (a sheet fed crooked); the generator tilts ±1°
TRUSTED = 0.9               # the evaluation's line: a cell read with less confidence is flagged, not trusted
DIGIT_RECHECK = 0.97        # a value cell read less surely than this is read again with the digit-only set
UNSURE = 0.5                # the confidence given to a cell whose two readings disagree
TRAINED_WIDTH = 320         # px: the recognition model's training width; a narrow crop padded to it reads a lone
                            # digit the narrow crop misses (costs 7 times as much: only for the few unsure)
ALTERNATIVE = 0.05          # a rival character this probable is offered as a candidate
MIN_RULE = 40               # px at 150 dpi (7 mm): a rule is at least this long; a character's strokes are shorter
                            # (10.5 pt print is 22 px high), a rule beside the shortest cell longer
MIN_CELL = 6                # px at 150 dpi: thinner regions between rules are the gap of a double rule
EDGE_RULE = 16              # px at 150 dpi: a piece of rule this long counts along a cell's edge where the lattice
EDGE_COVERED = 0.8          # says a rule runs, if such pieces cover this share of the edge: a rule broken by the
                            # scan (blur, JPEG) into bits shorter than MIN_RULE still parts two cells, while a
                            # character's stroke on the lattice line inside a merged cell covers far less of it
MIN_ROW = 16                # px at 150 dpi: a row lower than this holds no line of print (10.5 pt is 22 px); at a
                            # table's top or bottom it is the stub of a row cut by the page's edge, not a row
DASH = 5                    # px at 150 dpi: an ink component this wide and DASH_RATIO times wider than high is a
DASH_RATIO = 2.5            # minus sign or a dash (print), however small; the scanner's specks are round dots
SPECK = 12                  # px² at 150 dpi: ink components smaller than this are scanner dust, not print (the
                            # smallest digit stroke piece is larger; a decimal point is not, see BESIDE)
BESIDE = 2                  # px at 150 dpi: a small component this close to print (a decimal point) is print
MIN_TABLE_LINES = 3         # lines of boxes in columns that make a table without rules (a label and two values)
MARGIN = 0.07               # share of the page height at the top and bottom where headers and footers sit

_DIGITS = set("0123456789")
DIGIT_SET = set("0123456789.,+-")
STRAY_MARKS = ".,。·、"                # marks a speck beside a value's digits is read as    # what a value cell may hold: the digit pass reads nothing else
_VALUE_CHARS = set("0123456789.,+-−")
_NUMERIC_CELL = re.compile(r"^[+\-−]?\d[\d,]*(?:\.\d+)?$")
_UNIT = re.compile(r"(?:万元|元|件|个|项)$")
_FULL_WIDTH_DIGITS = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)})
# Characters the recogniser gives for a digit it misread (O for 0, l/丨/I/| for 1, S for 5, B for 8, Z for 2):
# a cell of digits and these is a value cell whose reading is in doubt.
_DIGIT_LOOKALIKES = set("OoaDQlI|丨iLSsBZzbgq〇○。")
# Each letter the recogniser gives for a digit of the same shape: in a value cell, where no letter can stand,
# the letter is that digit (the digit pass confirms it; a reading whose digits differ stays unsure).
LETTER_DIGITS = str.maketrans({**dict.fromkeys("OoDQ〇○", "0"), **dict.fromkeys("lI|丨i", "1"), "S": "5", "s": "5",
                               "B": "8", "Z": "2", "z": "2", "b": "6", "g": "9", "q": "9",
                               **{chr(0xFF10 + d): str(d) for d in range(10)}})
PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
                         r"|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$")


@dataclass
class ScanResult:
    """What a scan reads to: the text (prose one paragraph per line, tables as tab rows), one entry per table,
    and for each output line that is a table row (1-based) the recogniser's confidence of each tab cell."""
    text: str
    tables_meta: list[dict] = field(default_factory=list)
    cell_confidence: dict[int, list[float]] = field(default_factory=dict)
    pages: int = 0
    page_seconds: list[float] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ the engine


@dataclass
class Reading:
    text: str
    confidence: float
    # per character: (character, probability, rival characters above ALTERNATIVE)
    chars: list[tuple[str, float, tuple[str, ...]]] = field(default_factory=list)


class Engine:
    """PP-OCRv4 detection (through rapidocr) and recognition (its ONNX model run here, for the logits)."""

    REC_HEIGHT = 48

    def __init__(self):
        try:
            import cv2  # noqa: F401
            import numpy as np
            import onnxruntime as ort
            import rapidocr_onnxruntime
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise NeedsOCR("<ocr>", MISSING_ENGINE) from exc
        models = Path(rapidocr_onnxruntime.__file__).parent / "models"
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # onnxruntime's worker threads spin while they wait for work; on a laptop's few cores shared with other work
        # that spinning is CPU taken from everything else (40 % of the recogniser's CPU here) for no speed
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.rec = ort.InferenceSession(str(models / "ch_PP-OCRv4_rec_infer.onnx"), options,
                                        providers=["CPUExecutionProvider"])
        charset = self.rec.get_modelmeta().custom_metadata_map["character"].splitlines()
        self.charset = ["", *charset, " "]          # CTC blank first, the space last (as PaddleOCR trains it)
        # the digit set: each class that is a digit or a value's sign or point, its full-width form folded into it
        import unicodedata
        folded = [unicodedata.normalize("NFKC", ch) for ch in self.charset]
        self.digit_classes = sorted({f for f in folded if f in DIGIT_SET})
        self.digit_fold = np.zeros((len(self.charset), len(self.digit_classes) + 1), dtype=np.float32)
        self.digit_fold[0, 0] = 1.0                     # the blank stays the blank (column 0)
        for i, f in enumerate(folded):
            if i and f in DIGIT_SET:
                self.digit_fold[i, 1 + self.digit_classes.index(f)] = 1.0
        detector = RapidOCR(use_cls=False)
        self.det = detector.text_det
        # the same detection model, in a session that does not spin either (rapidocr's own one does)
        self.det.infer.session = ort.InferenceSession(str(models / "ch_PP-OCRv4_det_infer.onnx"), options,
                                                      providers=["CPUExecutionProvider"])
        self.det.limit_type = "max"
        self.det.limit_side_len = DET_SIDE

    def detect(self, gray) -> list[tuple[int, int, int, int]]:
        """Text boxes (x0, y0, x1, y1) of a grey page, found on a copy scaled to DET_SIDE."""
        import cv2
        import numpy as np

        scale = min(1.0, DET_SIDE / max(gray.shape))
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
        boxes, _ = self.det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
        out = []
        for quad in ([] if boxes is None else boxes):
            quad = np.asarray(quad) / scale
            x0, y0 = quad.min(axis=0)
            x1, y1 = quad.max(axis=0)
            out.append((max(0, int(x0)), max(0, int(y0)), min(gray.shape[1], int(np.ceil(x1))),
                        min(gray.shape[0], int(np.ceil(y1)))))
        return out

    def recognise(self, crops: list, digits_only: bool = False, min_width: int = 0) -> list[Reading]:
        """Each crop (a grey image of one line of text) read; batches of similar width run together."""
        import cv2
        import numpy as np

        out: list[Reading | None] = [None] * len(crops)
        resized = []
        for crop in crops:
            h, w = crop.shape[:2]
            width = max(8, int(round(w * self.REC_HEIGHT / max(h, 1))))
            resized.append(cv2.resize(crop, (width, self.REC_HEIGHT), interpolation=cv2.INTER_AREA
                                      if h > self.REC_HEIGHT else cv2.INTER_CUBIC))
        order = sorted(range(len(crops)), key=lambda i: resized[i].shape[1])
        batch: list[int] = []
        for i in order + [None]:
            if i is not None and (not batch or (len(batch) < 32 and resized[i].shape[1] <= 1.5 * resized[batch[0]].shape[1] + 16)):
                batch.append(i)
                continue
            if batch:
                width = max([min_width] + [resized[j].shape[1] for j in batch])
                tensor = np.zeros((len(batch), 3, self.REC_HEIGHT, width), dtype=np.float32)
                for k, j in enumerate(batch):
                    image = resized[j].astype(np.float32) / 127.5 - 1.0
                    tensor[k, :, :, :image.shape[1]] = image
                probs = self.rec.run(None, {self.rec.get_inputs()[0].name: tensor})[0]
                for k, j in enumerate(batch):
                    out[j] = self._decode(probs[k], digits_only)
            batch = [i] if i is not None else []
        return out

    def _decode(self, probs, digits_only: bool) -> Reading:
        """Greedy CTC decoding. A frame holds a character where the blank is not its likeliest class; with the digit
        set, that character is the likeliest digit (full-width forms counted with their digit; a frame reading O is
        a frame reading some character, and among digits it reads 0). A character's probability is its best
        frame's, among the digit set renormalised over it; its rivals are the runners-up there."""
        import numpy as np

        best = probs.argmax(axis=1)
        charset = self.charset
        if digits_only:
            folded = probs @ self.digit_fold
            digits = folded[:, 1:]
            best = np.where(best != 0, digits.argmax(axis=1) + 1, 0)
            probs = np.concatenate([folded[:, :1], digits / np.maximum(digits.sum(axis=1, keepdims=True), 1e-12)],
                                   axis=1)
            charset = ["", *self.digit_classes]
        chars: list[tuple[str, float, tuple[str, ...]]] = []
        previous, frame = 0, -1
        for t, k in enumerate(best):
            if k != previous and previous != 0:
                chars.append(self._char(probs[frame], previous, charset))
            if k != 0 and (k != previous or probs[t, k] > probs[frame, k]):
                frame = t
            previous = k
        if previous != 0:
            chars.append(self._char(probs[frame], previous, charset))
        text = "".join(c for c, _, _ in chars).strip()
        return Reading(text, min((p for _, p, _ in chars), default=0.0), chars)

    def _char(self, row, k: int, charset: list[str]) -> tuple[str, float, tuple[str, ...]]:
        import numpy as np

        p = float(row[k])
        if p >= 1 - ALTERNATIVE:            # no rival can reach ALTERNATIVE: spare the search of 6,625 classes
            return charset[k], p, ()
        row = row.copy()
        row[k] = row[0] = 0
        top = np.argpartition(row, -3)[-3:]
        rivals = tuple(charset[i] for i in top[np.argsort(row[top])[::-1]] if row[i] >= ALTERNATIVE)
        return charset[k], p, rivals


@lru_cache(maxsize=1)
def engine() -> Engine:
    """The engine, loaded once (about a second: two ONNX sessions)."""
    return Engine()


def available() -> bool:
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True

# ------------------------------------------------------------------------------------------------ input


def is_image(data: bytes) -> bool:
    """PNG, JPEG or TIFF, told by the bytes."""
    return data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*"))


def page_images(data: bytes, path: str | Path = "<scan>", pages: Iterable[int] | None = None):
    """(page number, RGB array, dpi) of each page: a PDF's pages rendered, an image's frames (multi-page TIFF)."""
    import numpy as np

    wanted = set(pages) if pages is not None else None
    if data[:1024].find(b"%PDF-") >= 0:
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(data)
        except Exception as exc:  # pdfium raises its own error type on broken files
            raise ReadError(path, f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
        try:
            for number in range(1, len(pdf) + 1):
                if wanted is None or number in wanted:
                    bitmap = pdf[number - 1].render(scale=RENDER_DPI / 72)
                    yield number, np.ascontiguousarray(bitmap.to_numpy()[:, :, :3][:, :, ::-1]), RENDER_DPI
        finally:
            pdf.close()
        return
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(BytesIO(data))
    except (UnidentifiedImageError, OSError) as exc:
        raise ReadError(path, f"unreadable image ({exc})") from exc
    number = 0
    for frame in ImageSequence.Iterator(image):
        frame = frame.convert("RGB")
        dpi = float((frame.info.get("dpi") or image.info.get("dpi") or (0,))[0] or 0)
        scale = min(1.0, MAX_IMAGE_WIDTH / frame.size[0])
        if scale < 1:
            frame = frame.resize((round(frame.size[0] * scale), round(frame.size[1] * scale)), Image.LANCZOS)
            dpi *= scale
        rgb = np.asarray(frame)
        # no resolution recorded: the image is taken to be an A4 page's width (210 mm)
        dpi = dpi or rgb.shape[1] / (210 / 25.4)
        for sheet in split_long_image(rgb):
            number += 1
            if wanted is None or number in wanted:
                yield number, sheet, dpi


def split_long_image(rgb) -> list:
    """A long image (a report's pages posted one under the other) cut into page-high sheets, each cut made at the
    emptiest row near an A4 page's height, so no line of print, and no table (its rules leave no row empty), is cut."""
    import numpy as np

    height, width = rgb.shape[:2]
    page = int(width * A4_RATIO)
    if height <= page * LONG_IMAGE:
        return [rgb]
    ink = (rgb.min(axis=2) < 128).sum(axis=1)
    sheets, top = [], 0
    while height - top > page * LONG_IMAGE:
        lo, hi = top + int(page * 0.6), min(height - 1, top + int(page * 1.15))
        window = ink[lo:hi]
        least = window.min()
        candidates = np.nonzero(window <= least)[0] + lo
        cut = int(candidates[np.argmin(np.abs(candidates - (top + page)))])
        sheets.append(rgb[top:cut])
        top = cut
    sheets.append(rgb[top:])
    return sheets


def image_pages(pdf_bytes: bytes) -> list[int]:
    """Pages of a PDF that carry no text layer but an image: the ones to send to OCR in a mixed PDF."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        out = []
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            chars = page.get_textpage().count_chars()
            images = any(obj.type == raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())
            if chars < 5 and images:
                out.append(number)
        return out
    finally:
        pdf.close()

# ------------------------------------------------------------------------------------------------ page geometry


def ink_grey(rgb):
    """Grey from the lightest channel: black print stays dark, a coloured seal or stamp over it fades."""
    return rgb.max(axis=2)


def skew_angle(binary) -> float:
    """The tilt (degrees, counter-clockwise positive) whose correction gives the sharpest row profile."""
    import cv2
    import numpy as np

    scale = min(1.0, 1000 / binary.shape[1])
    small = cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else binary
    ys, xs = np.nonzero(small > 127)
    if len(xs) < 200:
        return 0.0
    ys, xs = ys.astype(np.float64), xs.astype(np.float64) - small.shape[1] / 2

    def sharpness(angle: float) -> float:
        rows = ys + xs * np.tan(np.radians(angle))
        hist = np.bincount((rows - rows.min()).astype(np.int64))
        return float(np.dot(hist, hist))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return float(best)


def deskew(grey, angle: float):
    import cv2

    if abs(angle) < 0.05:
        return grey
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def binarise(grey):
    import cv2

    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary


def without_specks(binary, scale: float):
    """Ink components too small to be print (scanner dust, speckle) removed, unless they lie right beside print:
    a decimal point or the dot of a numbering is as small as a speck, but it sits against a character."""
    import cv2
    import numpy as np

    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    dash = (width >= DASH * scale) & (width >= DASH_RATIO * height)      # a minus sign: print, not a speck
    big = (stats[:, cv2.CC_STAT_AREA] >= max(2, SPECK * scale * scale)) | dash
    big[0] = False
    print_mask = np.where(big[labels], 255, 0).astype(np.uint8)
    reach = max(1, int(round(BESIDE * scale)))
    near = cv2.dilate(print_mask, np.ones((reach, 2 * reach + 1), np.uint8)) > 0
    beside = np.bincount(labels[near], minlength=count) > 0
    keep = big | beside
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def paper_where_no_print(grey, binary, clean):
    """The grey page with everything the clean ink leaves out (specks, rules) painted paper white: what the
    recogniser is shown, so a speck beside a digit is not read as a decimal point."""
    import numpy as np

    return np.where((binary > 0) & (clean == 0), 255, grey).astype(np.uint8)


@dataclass
class GridCell:
    box: tuple[int, int, int, int]      # x0, y0, x1, y1 inside the rules
    row: int = 0
    col: int = 0
    rowspan: int = 1
    colspan: int = 1
    # the lattice slots of a cell that is not a rectangle (a merged cell beside a row cut short by the page's end)
    slots: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class TableGrid:
    box: tuple[int, int, int, int]
    cells: list[GridCell]
    rows: int
    cols: int


def find_rules(binary, scale: float, least: float = MIN_RULE):
    """Horizontal and vertical rules (masks), by opening the ink with long thin kernels (``least`` px long at 150
    dpi)."""
    import cv2

    length = max(8, int(least * scale))
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return horizontal, vertical


def find_tables(binary, scale: float) -> tuple[list[TableGrid], object]:
    """The ruled tables of a page and the mask of their rules."""
    import cv2
    import numpy as np

    horizontal, vertical = find_rules(binary, scale)
    horizontal_bits, vertical_bits = find_rules(binary, scale, EDGE_RULE)
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    # the print off the rules, specks left out: what tells a table's cut-off stub (no print) from a row
    page_print = without_specks(np.where(rules > 0, 0, binary).astype(np.uint8), scale) > 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    tables = []
    keep = np.zeros(count, bool)
    min_side = 40 * scale
    for k in range(1, count):
        x, y, w, h, _ = stats[k]
        if w < min_side * 3 or h < min_side:
            continue
        part = labels[y:y + h, x:x + w] == k
        print_ink = page_print[y:y + h, x:x + w]
        grid = _lattice(horizontal[y:y + h, x:x + w] & part, vertical[y:y + h, x:x + w] & part,
                        (x, y, x + w, y + h), scale, print_ink,
                        (horizontal_bits[y:y + h, x:x + w], vertical_bits[y:y + h, x:x + w]))
        if grid is not None:
            keep[k] = True
            tables.append(grid)
    mask = np.where(keep[labels], 255, 0).astype(np.uint8)
    return sorted(tables, key=lambda t: t.box[1]), mask


def _rule_positions(mask, axis: int, least: float, size: int, tolerance: int) -> list[int]:
    """Where the rules of one direction lie (rows for horizontal rules, columns for vertical ones), the two
    sides of a double rule taken as one, and the table's outer edges added where no rule was drawn."""
    import numpy as np

    profile = (mask > 0).sum(axis=axis)
    on = np.nonzero(profile >= least)[0]
    groups: list[list[int]] = []
    for v in on:
        if groups and v - groups[-1][-1] <= tolerance:
            groups[-1].append(int(v))
        else:
            groups.append([int(v)])
    positions = [(g[0] + g[-1]) // 2 for g in groups]
    if not positions or positions[0] > tolerance:
        positions.insert(0, 0)
    if positions[-1] < size - 1 - tolerance:
        positions.append(size - 1)
    return positions


def _ruled_at(horizontal, y: int, tolerance: int, least: float) -> bool:
    """Whether a horizontal rule runs at ``y`` (not only the table's outline added where none was drawn)."""
    band = horizontal[max(0, y - tolerance):y + tolerance + 1]
    return bool(((band > 0).sum(axis=1) >= least).any())


def _lattice(horizontal, vertical, box, scale: float, print_ink=None, bits=None) -> TableGrid | None:
    """The table's grid: a line of rules' positions each way; two neighbouring slots of the lattice are one
    (merged) cell where no rule runs along most of the edge between them. A table cut by the page's end, whose
    last rule is missing, is closed by its outer edge."""

    x0, y0, x1, y1 = box
    height, width = horizontal.shape
    tolerance = max(3, int(round(MIN_CELL * scale)))
    least = max(12, MIN_RULE * scale)
    ys = _rule_positions(horizontal, 1, least, height, tolerance)
    xs = _rule_positions(vertical, 0, least, width, tolerance)
    # the stub of a row cut by the page's edge, below the last rule or above the first (too low for print, or closed
    # by no rule and holding no print: merged cells running on to the next page) is outside the table; else its
    # slots, with no rule between them, merge into one cell with the row beside it
    stub = MIN_ROW * scale

    def empty(top: int, bottom: int) -> bool:
        return print_ink is not None and not print_ink[top + tolerance:bottom - tolerance].any()

    if len(ys) > 2 and (ys[-1] - ys[-2] < stub or (not _ruled_at(horizontal, ys[-1], tolerance, least)
                                                   and empty(ys[-2], ys[-1]))):
        ys = ys[:-1]
    if len(ys) > 2 and (ys[1] - ys[0] < stub or (not _ruled_at(horizontal, ys[0], tolerance, least)
                                                 and empty(ys[0], ys[1]))):
        ys = ys[1:]
    # a table is two rows or more, or one row of three cells or more (the last row of a table, run on to a page)
    if len(ys) < 2 or len(xs) < 3 or (len(ys) < 3 and len(xs) < 4):
        return None
    band = max(2, int(round(2 * scale)))
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    horizontal_bits, vertical_bits = bits if bits is not None else (horizontal, vertical)

    def inner(edge):
        return edge[tolerance:-tolerance] if len(edge) > 2 * tolerance + 2 else edge

    def ruled(edge, edge_bits) -> bool:
        """A rule along most of the edge, or bits of one (a rule the scan broke) along nearly all of it."""
        edge, edge_bits = inner(edge), inner(edge_bits)
        return edge.size > 0 and (edge.mean() >= 0.5 or edge_bits.mean() >= EDGE_COVERED)

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols:      # the edge to the right: a vertical rule along it?
                across = slice(max(0, xs[c + 1] - band), xs[c + 1] + band + 1)
                if not ruled(vertical[ys[r]:ys[r + 1], across].any(axis=1),
                             vertical_bits[ys[r]:ys[r + 1], across].any(axis=1)):
                    parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows:      # the edge below
                across = slice(max(0, ys[r + 1] - band), ys[r + 1] + band + 1)
                if not ruled(horizontal[across, xs[c]:xs[c + 1]].any(axis=0),
                             horizontal_bits[across, xs[c]:xs[c + 1]].any(axis=0)):
                    parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    cells = []
    for slots in groups.values():
        r0, r1 = min(r for r, _ in slots), max(r for r, _ in slots) + 1
        c0, c1 = min(c for _, c in slots), max(c for _, c in slots) + 1
        shape = [] if len(slots) == (r1 - r0) * (c1 - c0) else [
            (x0 + xs[c], y0 + ys[r], x0 + xs[c + 1], y0 + ys[r + 1]) for r, c in slots]
        cells.append(GridCell((x0 + xs[c0], y0 + ys[r0], x0 + xs[c1], y0 + ys[r1]), r0, c0, r1 - r0, c1 - c0,
                              shape))
    if len(cells) < 2:
        return None
    return TableGrid(box, sorted(cells, key=lambda c: (c.row, c.col)), rows, cols)


# ------------------------------------------------------------------------------------------------ reading cells


def text_lines_in(binary, box, scale: float, mask=None) -> list[tuple[int, int, int, int]]:
    """The lines of text inside a box (page coordinates; only where ``mask`` is set, if given), from its row
    profile: the print of a table cell, one line of a wrapped label or one character of a label printed down a
    narrow cell each."""
    import numpy as np

    x0, y0, x1, y1 = box
    ink = binary[y0:y1, x0:x1]
    if mask is not None:
        ink = ink & mask
    if not ink.any():
        return []
    rows = ink.any(axis=1)
    out = []
    start = None
    gap_rows = max(1, int(round(scale)))
    for i, on in enumerate(np.concatenate([rows, [False] * (gap_rows + 1)])):
        if on and start is None:
            start, last = i, i
        elif on:
            last = i
        elif start is not None and i - last > gap_rows:
            band = ink[start:last + 1]
            cols = np.nonzero(band.any(axis=0))[0]
            if last + 1 - start >= max(3, 4 * scale) or cols[-1] - cols[0] >= 6 * scale:
                out.append((x0 + int(cols[0]), y0 + start, x0 + int(cols[-1]) + 1, y0 + last + 1))
            start = None
    return _merge_split_lines(out, scale)


def _merge_split_lines(lines, scale: float):
    """A line whose profile broke in two (the strokes of 三 or 二 lie apart) put back together: two bands
    closer than a stroke gap with one of them lower than half a line."""
    out = []
    for line in lines:
        if out:
            px0, py0, px1, py1 = out[-1]
            height = max(py1 - py0, line[3] - line[1])
            if line[1] - py1 <= 3 * scale and min(py1 - py0, line[3] - line[1]) < 0.5 * height:
                out[-1] = (min(px0, line[0]), py0, max(px1, line[2]), line[3])
                continue
        out.append(line)
    return out


def _crop(grey, box, pad: int):
    x0, y0, x1, y1 = box
    h, w = grey.shape
    import numpy as np

    crop = grey[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]
    # pad with paper: the recogniser reads a character cut at a crop's edge worse than one with a margin
    return np.pad(crop, ((pad, pad), (pad, pad)), constant_values=255)


@dataclass
class CellText:
    text: str
    confidence: float
    candidates: list[str] = field(default_factory=list)


def read_cells(grey, clean, boxes: list[tuple[int, int, int, int]], scale: float, masks=None, raw=None,
               specks=None) -> list[CellText]:
    """Each box (a table cell) read line by line; value cells the first pass is unsure of read again, digits only.
    ``masks`` (one per box, or None) keep a cell that is not a rectangle to its own part of its box. ``raw`` and
    ``specks`` (the page before the specks were left out, and where they were) let a value cell beside which a speck
    was left out be read as printed too: a minus sign or a decimal point is a speck's size."""
    ocr = engine()
    masks = masks or [None] * len(boxes)
    lines_of = [text_lines_in(clean, box, scale, mask) for box, mask in zip(boxes, masks)]
    pad = max(2, int(4 * scale))
    crops, owner = [], []
    for i, lines in enumerate(lines_of):
        for line in lines:
            crops.append(_crop(grey, line, pad))
            owner.append(i)
    readings = ocr.recognise(crops) if crops else []
    parts: list[list[Reading]] = [[] for _ in boxes]
    for i, reading in zip(owner, readings):
        parts[i].append(reading)
    out = [_cell_text(p) for p in parts]
    # the digit pass: single-line cells that read as values (or as nothing, though inked) and not beyond doubt
    recheck = [i for i, (cell, lines) in enumerate(zip(out, lines_of))
               if len(lines) == 1 and (_value_like(cell.text) or not cell.text)
               and (cell.confidence < DIGIT_RECHECK or " " in cell.text
                    or not _NUMERIC_CELL.match(cell.text.replace(" ", "")))]
    if recheck:
        crop_of = {i: crops[owner.index(i)] for i in recheck}
        second = dict(zip(recheck, ocr.recognise([crop_of[i] for i in recheck], digits_only=True)))
        # the few the narrow crop leaves unread or unsure, read again padded to the recogniser's trained width
        again = [i for i in recheck if second[i].confidence < TRUSTED]
        if again:
            for i, reading in zip(again, ocr.recognise([crop_of[i] for i in again], digits_only=True,
                                                       min_width=TRAINED_WIDTH)):
                second[i] = _surer(second[i], reading)
        for i in recheck:
            out[i] = _settle(out[i], parts[i][0], _without_stray_marks(second[i]))
    if raw is not None and specks is not None:
        _doubt_values_beside_specks(out, lines_of, boxes, raw, specks, scale)
    for i, lines in enumerate(lines_of):
        if lines and not out[i].text:
            out[i] = CellText("", 0.0, out[i].candidates)     # ink read as nothing: not a blank to trust
        elif len(lines) > 1 and all(_NUMERIC_CELL.match(p.text.replace(" ", "")) for p in parts[i]):
            # digits on several lines of one cell: a number wrapped in a narrow column, or two numbers; the cell
            # holds one value, so the joined digits are offered, unsure, beside the lines as read
            joined = "".join(p.text.replace(" ", "") for p in parts[i])
            out[i] = CellText(joined, min(UNSURE, out[i].confidence), [joined, out[i].text])
    return out


def _doubt_values_beside_specks(out: list[CellText], lines_of, boxes, raw, specks, scale: float) -> None:
    """A value cell read without a speck that lay on its line, among its digits or within a digit's width before
    them, is read again with the speck (digits only): a minus sign or a decimal point the filter took for dust
    (-2 read 2, 91.2 read 912) reads differently, and then the cell is unsure, both readings offered. A speck
    that is dust reads the same and changes nothing."""
    pad = max(2, int(4 * scale))
    suspects = []
    for i, (cell, lines, box) in enumerate(zip(out, lines_of, boxes)):
        if len(lines) != 1 or not _NUMERIC_CELL.match(_UNIT.sub("", cell.text.replace(" ", ""))):
            continue
        x0, y0, x1, y1 = lines[0]
        left = max(box[0], x0 - (y1 - y0))           # a character's width before the digits (inside the cell)
        if specks[y0:y1, left:x1].any():
            suspects.append((i, (left, y0, x1, y1)))
    if not suspects:
        return
    # the whole character set: a unit printed in the cell (万元) reads as itself
    again = engine().recognise([_crop(raw, box, pad) for _, box in suspects])
    for (i, _), reading in zip(suspects, again):
        printed = _without_stray_marks(reading).text.replace(" ", "").translate(_FULL_WIDTH_DIGITS)
        read = out[i].text.replace(" ", "")
        if printed and printed != read:
            out[i] = CellText(out[i].text, min(UNSURE, out[i].confidence),
                              list(dict.fromkeys([read, printed, *out[i].candidates])))


def _surer(a: Reading, b: Reading) -> Reading:
    """Two digit readings of one crop: the same text, the surer; different texts, neither is sure."""
    if a.text == b.text:
        return a if a.confidence >= b.confidence else b
    if not a.text:
        return b
    if not b.text:
        return a
    return Reading(a.text if a.confidence >= b.confidence else b.text, min(UNSURE, a.confidence, b.confidence),
                   a.chars if a.confidence >= b.confidence else b.chars)


def _cell_text(parts: list[Reading]) -> CellText:
    if not parts:
        return CellText("", 1.0)
    text = join_lines(p.text for p in parts)
    return CellText(text, min(p.confidence for p in parts))


def _value_like(text: str) -> bool:
    """A value cell, or one that would be with its digit lookalikes read as digits (a misread 0 as O)."""
    squeezed = text.replace(" ", "")
    if not squeezed or len(squeezed) > 12:
        return False
    digits = sum(ch in _DIGITS for ch in squeezed)
    odd = [ch for ch in squeezed if ch not in _VALUE_CHARS]
    return all(ch in _DIGIT_LOOKALIKES for ch in odd) and (digits > 0 or len(squeezed) <= 3)


def _settle(first: CellText, reading: Reading, digits: Reading) -> CellText:
    """The first reading and the digit-only one of a value cell.

    They agree, or the first differs only by letters that have the digit's shape (O for 0, l for 1: no reading of
    a value, so the digit set leaves one): the digit reading stands, as sure as the digit pass is among digits.
    They differ in a digit (7/1, 5/6, 8/3), in length, or the first read nothing: the digit reading is kept
    unsure, and both (and the digit pass's rival digits) are offered as candidates for the sums to settle."""
    plain = first.text.replace(" ", "").strip(STRAY_MARKS)
    candidates = [c for c in dict.fromkeys([digits.text, plain] + _rivals(digits)) if c and c != digits.text]
    if digits.text and _NUMERIC_CELL.match(digits.text) and plain and plain.translate(LETTER_DIGITS) == digits.text:
        confidence = digits.confidence if plain != digits.text else max(first.confidence, digits.confidence)
        rival_digits = [c for c in candidates if c != plain]
        return CellText(digits.text, confidence, [digits.text, *rival_digits] if rival_digits else [])
    if not _NUMERIC_CELL.match(digits.text):
        return CellText(first.text, min(UNSURE, first.confidence), [c for c in [digits.text, plain] if c])
    return CellText(digits.text, min(UNSURE, first.confidence, digits.confidence), [digits.text, *candidates])


def _without_stray_marks(reading: Reading) -> Reading:
    """A point or comma read surely at a value's start or end, with no digit as its rival, is a speck beside the
    digits, not part of the value (a decimal point stands between digits): left out of the digit reading."""
    chars = list(reading.chars)

    def stray(char) -> bool:
        ch, p, rivals = char
        return ch in STRAY_MARKS and p >= DIGIT_RECHECK and not set(rivals) & _DIGITS

    while chars and stray(chars[-1]):
        chars.pop()
    while chars and stray(chars[0]):
        chars.pop(0)
    if len(chars) == len(reading.chars) or not chars:
        return reading
    return Reading("".join(c for c, _, _ in chars).strip(), min(p for _, p, _ in chars), chars)


def _rivals(reading: Reading) -> list[str]:
    """Readings with one character swapped for its rival, for a character that had one."""
    out = []
    for i, (ch, _, rivals) in enumerate(reading.chars):
        for rival in rivals:
            if rival in _DIGITS:
                out.append("".join(c for c, _, _ in reading.chars[:i]) + rival
                           + "".join(c for c, _, _ in reading.chars[i + 1:]))
    return out

# ------------------------------------------------------------------------------------------------ a page


@dataclass
class ProseLine:
    text: str
    box: tuple[int, int, int, int]
    confidence: float


@dataclass
class PageTable:
    rows: list[list[str]]
    confidence: list[list[float]]
    box: tuple[int, int, int, int]
    strategy: str
    unsure: list[dict]


@dataclass
class PageReading:
    number: int
    height: int
    width: int
    items: list                      # ProseLine | PageTable, top to bottom
    skew: float
    dpi: float
    seconds: float = 0.0


@dataclass
class PageLayout:
    """A page before reading: deskewed, its ruled tables found, the detector's text boxes outside them."""
    number: int
    dpi: float
    skew: float
    grey: object
    clean: object
    tables: list[TableGrid]
    boxes: list[tuple[int, int, int, int]]
    seconds: float
    raw: object = None          # the grey page with only the rules painted out: the specks still on it
    specks: object = None       # the ink left out as specks (a mask)

    @property
    def scale(self) -> float:
        return self.dpi / 150

    def shows_table(self) -> bool:
        """A ruled table, or lines of boxes standing in columns (a table without rules): a page worth reading."""
        return bool(self.tables) or sum(1 for line in _box_lines(self.boxes) if _columned(line)) >= MIN_TABLE_LINES


def layout_page(rgb, number: int, dpi: float) -> PageLayout:
    import numpy as np

    started = time.perf_counter()
    scale = dpi / 150
    grey = ink_grey(rgb)
    angle = skew_angle(binarise(grey))
    grey = deskew(grey, angle)
    binary = binarise(grey)
    tables, rule_mask = find_tables(binary, scale)
    clean = without_specks(np.where(rule_mask > 0, 0, binary).astype(np.uint8), scale)
    specks = (binary > 0) & (rule_mask == 0) & (clean == 0)
    raw = np.where(rule_mask > 0, 255, grey).astype(np.uint8)
    grey = paper_where_no_print(grey, binary, clean)
    # prose and tables without rules: the detector's boxes outside the ruled tables
    outside = grey.copy()
    for grid in tables:
        x0, y0, x1, y1 = grid.box
        outside[y0:y1, x0:x1] = 255
    boxes = [b for b in engine().detect(outside) if b[2] - b[0] >= 3 and b[3] - b[1] >= 3] if _has_ink(
        clean, tables) else []
    return PageLayout(number, dpi, angle, grey, clean, tables, boxes, time.perf_counter() - started, raw, specks)


def read_layout(layout: PageLayout) -> PageReading:
    started = time.perf_counter()
    marks = {"raw": layout.raw, "specks": layout.specks}
    items: list = [_read_grid(layout.grey, layout.clean, grid, layout.scale, marks) for grid in layout.tables]
    items += _read_boxes(layout.grey, layout.clean, layout.boxes, layout.scale, marks)
    items.sort(key=lambda it: it.box[1])
    return PageReading(layout.number, layout.grey.shape[0], layout.grey.shape[1], items, layout.skew, layout.dpi,
                       layout.seconds + time.perf_counter() - started)


def read_page(rgb, number: int, dpi: float) -> PageReading:
    return read_layout(layout_page(rgb, number, dpi))


def _box_lines(boxes) -> list[list[tuple[int, int, int, int]]]:
    """Boxes whose vertical middles fall within each other's extent, as lines, left to right."""
    lines: list[list] = []
    for box in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        middle = (box[1] + box[3]) / 2
        if lines and lines[-1][0][1] <= middle <= lines[-1][0][3]:
            lines[-1].append(box)
        else:
            lines.append([box])
    return [sorted(line) for line in lines]


def _columned(line) -> bool:
    """A line of at least three boxes, the ones after the first short (a value each) and set apart."""
    if len(line) < 3:
        return False
    height = statistics.median(b[3] - b[1] for b in line)
    short = [b for b in line[1:] if b[2] - b[0] <= 4 * height]
    gaps = [b[0] - a[2] for a, b in zip(line, line[1:])]
    return len(short) >= 2 and min(gaps) >= height


def _has_ink(clean, tables) -> bool:
    import numpy as np

    outside = clean.copy()
    for grid in tables:
        x0, y0, x1, y1 = grid.box
        outside[y0:y1, x0:x1] = 0
    return bool(np.count_nonzero(outside))


def _read_grid(grey, clean, grid: TableGrid, scale: float, marks: dict | None = None) -> PageTable:
    inset = max(2, int(round(3 * scale)))     # clear of the rule's half-width and the blur around it
    boxes = [(c.box[0] + inset, c.box[1] + inset, c.box[2] - inset, c.box[3] - inset) for c in grid.cells]
    texts = read_cells(grey, clean, boxes, scale, [_slot_mask(c, box, inset) for c, box in zip(grid.cells, boxes)],
                       **(marks or {}))
    rows = [[""] * grid.cols for _ in range(grid.rows)]
    confidence = [[1.0] * grid.cols for _ in range(grid.rows)]
    unsure = []
    for cell, text in zip(grid.cells, texts):
        rows[cell.row][cell.col] = text.text
        confidence[cell.row][cell.col] = text.confidence
        # a merged cell that is no rectangle is a grid the rules did not settle: the slots it swallowed may be
        # values of their own, so each is an unread cell, not a trusted blank
        for sx0, sy0, sx1, sy1 in cell.slots:
            r, c = _slot_index(grid, cell, sx0, sy0)
            if (r, c) != (cell.row, cell.col):
                confidence[r][c] = 0.0
        if text.candidates:
            unsure.append({"row": cell.row, "col": cell.col, "read": text.text, "candidates": text.candidates,
                           "confidence": round(text.confidence, 3)})
    rows, confidence, unsure = _drop_empty_rows(rows, confidence, unsure)
    return PageTable(rows, confidence, grid.box, "ocr-grid", unsure)


def _slot_index(grid: TableGrid, cell: GridCell, sx0: int, sy0: int) -> tuple[int, int]:
    """The lattice row and column of one slot of a merged cell, from its corner."""
    rows = sorted({sy for _, sy, _, _ in cell.slots})
    cols = sorted({sx for sx, _, _, _ in cell.slots})
    return cell.row + rows.index(sy0), cell.col + cols.index(sx0)


def _slot_mask(cell: GridCell, box, inset: int):
    """The part of ``box`` a cell that is not a rectangle covers, kept ``inset`` clear of its outline."""
    import cv2
    import numpy as np

    if not cell.slots:
        return None
    x0, y0 = cell.box[0], cell.box[1]
    mask = np.zeros((cell.box[3] - y0, cell.box[2] - x0), np.uint8)
    for sx0, sy0, sx1, sy1 in cell.slots:
        mask[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = 255
    mask = cv2.erode(mask, np.ones((2 * inset + 1, 2 * inset + 1), np.uint8))
    return mask[inset:inset + box[3] - box[1], inset:inset + box[2] - box[0]]


def _drop_empty_rows(rows, confidence, unsure):
    """Rows and columns with no cell of their own (a sliver between two close rules) go."""
    keep_rows = [i for i, row in enumerate(rows) if any(row) or any(c < 1.0 for c in confidence[i])]
    width = len(rows[0]) if rows else 0
    keep_cols = [j for j in range(width) if any(rows[i][j] or confidence[i][j] < 1.0 for i in keep_rows)]
    row_index = {old: new for new, old in enumerate(keep_rows)}
    col_index = {old: new for new, old in enumerate(keep_cols)}
    rows = [[rows[i][j] for j in keep_cols] for i in keep_rows]
    confidence = [[confidence[i][j] for j in keep_cols] for i in keep_rows]
    unsure = [{**u, "row": row_index[u["row"]], "col": col_index[u["col"]]} for u in unsure
              if u["row"] in row_index and u["col"] in col_index]
    return rows, confidence, unsure


def _read_boxes(grey, clean, boxes, scale: float, marks: dict | None = None) -> list:
    """The detector's boxes grouped into lines; a run of lines whose boxes stand in columns of values is a table
    without rules (cut by the boxes' geometry), the rest is prose."""
    if not boxes:
        return []
    ocr = engine()
    pad = max(2, int(3 * scale))
    readings = ocr.recognise([_crop(grey, b, pad) for b in boxes])
    words = [(b, r) for b, r in zip(boxes, readings) if r.text]
    lines = _group_lines(words)
    items: list = []
    block: list = []
    for line in lines + [None]:
        if line is not None and _tabular(line):
            block.append(line)
            continue
        if len(block) >= 3:
            items.append(_boxes_table(grey, clean, block, scale, marks))
        else:
            items += [_prose(b) for b in block]
        block = []
        if line is not None:
            items.append(_prose(line))
    return items


def _group_lines(words):
    """Words whose vertical middles fall within each other's extent form one line, left to right."""
    lines: list[list] = []
    for box, reading in sorted(words, key=lambda w: (w[0][1] + w[0][3]) / 2):
        middle = (box[1] + box[3]) / 2
        if lines:
            last = lines[-1]
            top = statistics.median(b[1] for b, _ in last)
            bottom = statistics.median(b[3] for b, _ in last)
            if top <= middle <= bottom:
                last.append((box, reading))
                continue
        lines.append([(box, reading)])
    return [sorted(line, key=lambda w: w[0][0]) for line in lines]


def _tabular(line) -> bool:
    """A line of a table without rules: a label and at least two value words beside it."""
    values = sum(1 for _, r in line if _value_like(r.text))
    return values >= 2 and len(line) >= 3


def _prose(line) -> ProseLine:
    box = (min(b[0] for b, _ in line), min(b[1] for b, _ in line), max(b[2] for b, _ in line),
           max(b[3] for b, _ in line))
    parts = []
    for i, (b, r) in enumerate(line):
        if i and b[0] - line[i - 1][0][2] > 2 * (b[3] - b[1]):
            parts.append("\t")
        parts.append(r.text)
    text = re.sub(r" *\t *", "\t", "".join(parts) if "\t" in parts else join_lines([p for p in parts]))
    return ProseLine(text.strip(), box, min(r.confidence for _, r in line))


def _boxes_table(grey, clean, lines, scale: float, marks: dict | None = None) -> PageTable:
    """A table without rules: its columns are the stretches no word of its lines covers between value words,
    each cell (a row's line × a column) read on its own crop as a ruled cell is."""
    top = min(b[1] for line in lines for b, _ in line)
    bottom = max(b[3] for line in lines for b, _ in line)
    left = min(b[0] for line in lines for b, _ in line)
    right = max(b[2] for line in lines for b, _ in line)
    covered = sorted((b[0], b[2]) for line in lines for b, _ in line)
    columns: list[list[int]] = []
    for x0, x1 in covered:
        if columns and x0 <= columns[-1][1] + 2 * scale:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    boxes, where = [], []
    for r, line in enumerate(lines):
        y0 = min(b[1] for b, _ in line)
        y1 = max(b[3] for b, _ in line)
        for c, (x0, x1) in enumerate(columns):
            boxes.append((x0, y0, x1, y1))
            where.append((r, c))
    texts = read_cells(grey, clean, boxes, scale, **(marks or {}))
    rows = [[""] * len(columns) for _ in lines]
    confidence = [[1.0] * len(columns) for _ in lines]
    unsure = []
    for (r, c), text in zip(where, texts):
        rows[r][c], confidence[r][c] = text.text, text.confidence
        if text.candidates:
            unsure.append({"row": r, "col": c, "read": text.text, "candidates": text.candidates,
                           "confidence": round(text.confidence, 3)})
    return PageTable(rows, confidence, (left, top, right, bottom), "ocr-boxes", unsure)

# ------------------------------------------------------------------------------------------------ the document


def read_image(source: Source, judge=None) -> tuple[str, list[dict], dict[int, list[float]]]:
    """The reader of kind "image" (and of a PDF whose every page is an image): the text, one entry per table, and
    the recogniser's confidence of each table row's cells (``Document.line_confidence``)."""
    scan = read_scan(source.data, source.path)
    return scan.text, scan.tables_meta, scan.cell_confidence


def _log_progress(path):
    def progress(done: int, total: int, seconds: float) -> None:
        log.info("%s: page %d/%d read in %.1f s", path, done, total, seconds)
    return progress


def read_scan(data: bytes, path: str | Path = "<scan>", *, pages: Iterable[int] | None = None,
              progress: Callable[[int, int, float], None] | None = None) -> ScanResult:
    """A scanned PDF or an image read to text (tables as tab rows) with its tables and each cell's confidence.

    ``pages`` limits the reading to those page numbers (1-based); ``progress(done, total, seconds)`` is called
    after each page (by default each page is logged, see ``log``). A document in which no page shows a table is
    returned without text (not a report).
    """
    if not available():
        raise NeedsOCR(path, MISSING_ENGINE)
    progress = progress or _log_progress(path)
    engine()
    numbers = list(pages) if pages is not None else None
    layouts = [layout_page(rgb, number, dpi) for number, rgb, dpi in page_images(data, path, numbers)]
    if not any(layout.shows_table() for layout in layouts):
        # no table on any page: not a report; its text is not worth the recogniser's time
        return ScanResult("", [], {}, len(layouts), [round(layout.seconds, 3) for layout in layouts])
    readings = []
    for layout in layouts:
        readings.append(read_layout(layout))
        progress(len(readings), len(layouts), readings[-1].seconds)
    return compose(readings)


def ocr_pages(pdf_bytes: bytes, page_numbers: Iterable[int], path: str | Path = "<pdf>",
              progress: Callable[[int, int, float], None] | None = None) -> dict[int, ScanResult]:
    """The image pages of a mixed PDF read one by one: page number → that page's ScanResult (its own line numbers),
    for the caller to put between the text pages the PDF reader reads."""
    if not available():
        raise NeedsOCR(path, MISSING_ENGINE)
    progress = progress or _log_progress(path)
    numbers = list(page_numbers)
    out = {}
    for number, rgb, dpi in page_images(pdf_bytes, path, numbers):
        out[number] = compose([read_page(rgb, number, dpi)])
        progress(len(out), len(numbers), out[number].page_seconds[0])
    return out


def compose(readings: list[PageReading]) -> ScanResult:
    """Pages to one text: furniture dropped, wrapped prose lines joined, tables as tab rows (a table running on
    from the page before keeps its width), each table row's cell confidences by output line."""
    _drop_furniture(readings)
    out: list[str] = []
    meta: list[dict] = []
    confidences: dict[int, list[float]] = {}
    previous_table: tuple[int, int] | None = None      # (page, width) of the last item if it was a table
    open_line: ProseLine | None = None
    for page in readings:
        right = max((it.box[2] for it in page.items if isinstance(it, ProseLine)), default=page.width)
        left = min((it.box[0] for it in page.items if isinstance(it, ProseLine)), default=0)
        for item in page.items:
            if isinstance(item, ProseLine):
                height = item.box[3] - item.box[1]
                if open_line is not None and item.box[0] <= left + height and item.box[1] - open_line.box[3] < height:
                    out[-1] = join_lines([out[-1], item.text])
                else:
                    out.append(item.text)
                open_line = item if item.box[2] >= right - 2 * height and "\t" not in item.text else None
                previous_table = None
                continue
            open_line = None
            rows, conf = item.rows, item.confidence
            continues = previous_table is not None and previous_table[0] != page.number
            if continues:
                while rows and not any(rows[0]):
                    rows, conf = rows[1:], conf[1:]
            if not rows:
                continue
            # a table running on from the page before keeps its trailing blank columns (as the PDF reader does)
            lines = tab_rows(rows, max(map(len, rows)) if continues else None)
            cols = len(lines[0].split("\t")) if lines else 0
            for i, (line, row_conf) in enumerate(zip(lines, conf)):
                confidences[len(out) + 1 + i] = [round(c, 3) for c in (row_conf + [1.0] * cols)[:cols]]
            first = len(out) + 1
            out.extend(lines)
            meta.append({"page": page.number, "strategy": item.strategy, "rows": len(rows), "cols": cols,
                         "dpi": round(page.dpi), "skew": round(page.skew, 2), "first_line": first,
                         "cells_unsure": sum(1 for row in conf for c in row if c < TRUSTED),
                         **({"continues_from_page": previous_table[0]} if continues else {}),
                         **({"unsure": [{**u, "line": first + u["row"]} for u in item.unsure]}
                            if item.unsure else {})})
            previous_table = (page.number, cols)
    return ScanResult("\n".join(out), meta, confidences, len(readings), [round(p.seconds, 3) for p in readings])


def _drop_furniture(readings: list[PageReading]) -> None:
    """Prose lines in the top and bottom margins that recur on another page (digits aside, read loosely: OCR
    varies a little from page to page), and page numbers."""
    def key(line: ProseLine) -> str:
        return re.sub(r"[\d\s]+", "#", line.text)

    margins = {}
    for page in readings:
        margins[page.number] = [it for it in page.items if isinstance(it, ProseLine) and (
            it.box[3] < page.height * MARGIN or it.box[1] > page.height * (1 - MARGIN))]
    for page in readings:
        drop = set()
        for line in margins[page.number]:
            if PAGE_NUMBER.match(line.text):
                drop.add(id(line))
                continue
            for other, lines in margins.items():
                if other != page.number and any(
                        difflib.SequenceMatcher(None, key(line), key(o)).ratio() >= 0.8 for o in lines):
                    drop.add(id(line))
                    break
        page.items = [it for it in page.items if id(it) not in drop]
