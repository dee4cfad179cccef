"""The types that travel between the stages, defined once below all of them.

A reader gives a ``Document``; the table recovery cuts its text into ``Token``\\ s, reads each label as a
``Match`` and each canonical key as a ``Cell`` (with its ``TableResult`` and the whole ``Recovery``); the checks
give ``CheckResult``\\ s and ``Repairs``; the record is built from them. A PDF reader has its candidate tables
scored by a ``TableJudge`` the pipeline hands it (a ``TableScore`` each), so that the reader never imports the
stages that judge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


# ------------------------------------------------------------------------------------------------ reading

@dataclass
class Document:
    text: str
    name: str               # file name without its extension: the record's output name
    path: str
    encoding: str
    reader: str             # text | html | markdown | pdf | docx | doc
    sha256: str
    # One entry per table the reader found: {"page", "strategy", "rows", "cols", "score", ...}
    # (PDF: page and the strategy kept, lattice/stream/pdfplumber; DOCX/HTML: strategy "grid").
    tables_meta: list[dict] = field(default_factory=list)
    # How sure the reader is of what it read, where it is not sure of everything (OCR, bad bytes): text line
    # (1-based) -> one confidence per tab cell of that line, or a single one for the whole line. A line not
    # named is read beyond doubt. The table recovery caps each cell's confidence by its token's (``tokens``).
    line_confidence: dict[int, list[float]] = field(default_factory=dict)
    # Bytes the text's encoding could not read (replaced by U+FFFD): the lines holding one are damaged.
    bad_bytes: int = 0


@dataclass(frozen=True)
class TableScore:
    """How a table fits the template, from a trial extraction: cells read, sums that hold or fail."""
    cells: int = 0           # template cells read from this table
    ok: int = 0              # sums of the template over its cells that hold
    failed: int = 0          # sums that fail
    unsure: int = 0          # cells the recovery could not settle

    def __add__(self, other: TableScore) -> TableScore:
        return TableScore(self.cells + other.cells, self.ok + other.ok, self.failed + other.failed,
                          self.unsure + other.unsure)

    def as_dict(self) -> dict:
        return {"cells": self.cells, "sums_ok": self.ok, "sums_failed": self.failed, "unsure": self.unsure}


class TableJudge(Protocol):
    """What a reader asks about the tables it found (``xxgk.tables.judge`` answers; the pipeline hands it over)."""

    def score(self, tables: list[list[str]]) -> list[TableScore]:
        """Each table's score (its tab rows, in reading order), from one trial extraction of them all."""

    def value(self, score: TableScore) -> float:
        """One number to compare two readings by: the higher, the better the tables fit the template."""

    def label_fit(self, cells: list[str]) -> int:
        """How many of the cells read as a label of the template beyond doubt."""


# ------------------------------------------------------------------------------------------------ tables

LABEL, VALUE, BLANK, BREAK = "label", "value", "blank", "break"
# A cell a reader knows is there but whose content is not in the file (a table wider than the page, cut at the
# paper's edge): a value cell that states no number, so that its row keeps its width and the cell is unread.
CUT_CELL = "\ufffd"


@dataclass(slots=True)
class Token:
    kind: str                  # LABEL | VALUE | BLANK | BREAK
    text: str                  # the raw text of the cell (for values: the digits as printed, sign and unit included)
    line: int                  # 1-based line in the source text
    splittable: bool = False   # a digit run that may hold several cells run together (one-line pages)
    confidence: float = 1.0    # how sure the reader is of this text (``Document.line_confidence``)
    # The layout shows a blank cell (one or more) right before this one: a cell set off the axis the text centres
    # its cells on (``tokens.off_axis_lines``).
    after_blank: bool = False
    # The table-3 column whose head a PDF's paged text (pdftotext -layout) sets this value under, on the same
    # page: "" where the layout does not tell (``tokens.columns_under_heads``). A preference among the placements
    # the template's sums leave open, never a reason to be surer of one.
    under: str = ""
    # Where a PDF's paged text (pdftotext -layout: pages parted by form feeds) sets this value: its page and twice
    # the character column of its centre (``tokens.value_places``); None elsewhere. pdftotext sets a table's column
    # at one character column all down a page, though at another on the next page.
    at: tuple[int, int] | None = None
    # Its place in a label's run on its line (``Token.at``'s text): 1 set one space past the label's last character,
    # 2 one space past that value, and so on; 0 set apart. pdftotext -layout prints a word that near the label in the
    # label's run (Chromium's PDF: 内部事务信 4, 申请 156 5), where the characters before it end, not in its column.
    label_run: int = 0
    # Read from a Markdown pipe row: a pipe table gives all its rows as many cells, so that a row of it short of its
    # template's columns lost whole columns to the converter (pymupdf4llm), not cells of its own.
    pipe_row: bool = False
    # Where a pipe row sets this value: (its pipe table's number in the text, the cell's index), in a row with as
    # many cells as the table's first. A converter that leaves out the columns blank all down a page's piece of a
    # table (pymupdf4llm) keeps the others in their order, each one column of the template in every row of the
    # piece: which values share a column, as a PDF's paged text tells by ``at``. None elsewhere.
    piece_column: tuple[int, int] | None = None
    # Read from a pipe row under a row of heads with an empty cell between two heads: a column the converter drew
    # that the template does not have may stand anywhere in the row (``placement.row_readings``).
    phantom_columns: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """A label string's category, as one stage of the label classifier read it."""
    category: str
    confidence: float
    stage: str           # exact | contained | ngram | ngrams | student | model | none (and the recovery's own)
    matched: str = ""    # the dictionary text it matched


@dataclass(slots=True)
class Cell:
    """What was read for one canonical key."""
    value: int | float | None
    raw: str = ""
    kind: str = "missing"          # number | zero | blank | na | text | missing | ambiguous
    line: int | None = None
    confidence: float = 1.0
    candidates: list = field(default_factory=list)
    note: str = ""
    # The token the value was read from (not written to the record): the numbers of a table that no cell took
    # are told by it.
    token: Token | None = field(default=None, repr=False, compare=False)

    def doubt(self, ceiling: float, note: str) -> None:
        """Offer the cell at most ``ceiling`` sure, ``note`` saying why (once, after any earlier reasons)."""
        self.confidence = min(self.confidence, ceiling)
        if note not in self.note:
            self.note = f"{self.note}; {note}" if self.note else note

    def as_dict(self) -> dict:
        out = {"value": self.value, "raw": self.raw, "kind": self.kind, "line": self.line,
               "confidence": round(self.confidence, 3)}
        if self.candidates:
            out["candidates"] = self.candidates
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class TableResult:
    name: str
    found: bool = False
    orientation: str = ""          # values "after" their label, or "before" it (PDF reading order)
    rows: list[str] = field(default_factory=list)
    missing_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Numbers printed inside the table's stretch of text that no cell took: {"raw", "line"} each.
    unplaced: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """``dataclasses.asdict(self)``, written out: asdict copies by recursion, field by field and item by
        item, a cost of every record (tests/test_speed_invariance.py holds the two equal)."""
        return {"name": self.name, "found": self.found, "orientation": self.orientation, "rows": list(self.rows),
                "missing_rows": list(self.missing_rows), "notes": list(self.notes),
                "unplaced": [dict(u) for u in self.unplaced]}


@dataclass
class Recovery:
    template: str
    template_evidence: dict
    cells: dict[str, Cell]
    tables: dict[str, TableResult]
    hybrid_other_row: dict[str, Cell] | None = None
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ checks

def plain_number(x):
    """A number as a record writes it: an int when it is whole, else rounded to six places."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(x, 6)


@dataclass
class CheckResult:
    rule: str
    ok: bool | None            # None: not checkable (a cell is missing or unreadable)
    cells: list[str]
    expected: float | None     # arithmetic: the parts' sum; prose: the table's value
    printed: float | None      # arithmetic: the total as printed; prose: the number the text states
    severity: str              # error | warning | info
    description: str = ""
    kind: str = "arithmetic"   # arithmetic | prose | cross_year
    text: str = ""             # prose: the sentence that states the number
    note: str = ""

    def as_dict(self) -> dict:
        out = {"rule": self.rule, "kind": self.kind, "ok": self.ok, "cells": self.cells,
               "expected": plain_number(self.expected), "printed": plain_number(self.printed),
               "severity": self.severity, "description": self.description}
        if self.text:
            out["text"] = self.text
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Repairs:
    repairs: dict[str, dict] = field(default_factory=dict)     # key -> {value, printed, rules, reason, kind}
    candidates: list[dict] = field(default_factory=list)       # {cells, rules, candidates, reason}
