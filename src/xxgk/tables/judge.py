"""The judge of a reader's candidate tables: how well each fits the template, from one trial extraction.

A PDF holds its tables in ways no one reading settles (ruled or not, cut across pages, merged cells drawn
loosely), so the PDF reader reads them several ways and keeps the reading the template likes best. This
module is what it asks; the pipeline hands it over (``xxgk.datamodel.TableJudge``), the reader never imports
the stages that judge. A table's score counts the template cells read from it, the template's sums over
those cells that hold and that fail, and the cells the recovery could not settle.
"""
from __future__ import annotations

from ..checks.arithmetic import check_fields
from ..datamodel import TableScore
from ..labels.dictionary import match_label
from ..options import DEFAULT_OPTIONS, Options
from .recover import recover
from .tokens import tokenize

# What a reading is worth (``TemplateJudge.value``): every template cell read counts once; a sum of the
# template that holds over the table's cells counts twice (the cells are where the template wants them);
# a sum that fails costs six, so that a reading breaking the arithmetic loses to one that reads a few cells
# fewer and keeps it; a cell the recovery could not settle costs what a holding sum earns.
CELL_WEIGHT = 1
SUM_HOLDS_WEIGHT = 2
SUM_FAILS_WEIGHT = 6
UNSURE_WEIGHT = 2
# A label cell fits the template when the dictionary reads it exactly (no near-spelling) at this confidence:
# what tells a row cut in two by a page break (结果 + 维持) from two rows.
LABEL_FITS = 0.9


class TemplateJudge:
    """Scores tables by a trial extraction with the pipeline's own stages, run with ``options``."""

    def __init__(self, options: Options = DEFAULT_OPTIONS):
        self.options = options

    def score(self, tables: list[list[str]]) -> list[TableScore]:
        """Each table's score (its tab rows, in reading order): what it contributed to one extraction of all."""
        lines: list[str] = []
        owner: dict[int, int] = {}          # line number -> table
        for number, rows in enumerate(tables):
            owner.update({len(lines) + 1 + i: number for i in range(len(rows))})
            lines += rows
        recovered = recover(tokenize("\n".join(lines)), self.options)
        tally = [[0, 0, 0, 0] for _ in tables]   # cells, sums ok, sums failed, unsure
        for cell in recovered.cells.values():
            table = owner.get(cell.line)
            if table is None or cell.kind == "missing":
                continue
            if cell.kind == "ambiguous":
                tally[table][3] += 1
            elif cell.value is not None:     # a cell that states no number (cut off the page) reads nothing
                tally[table][0] += 1
        fields = {k: c.value for k, c in recovered.cells.items()}
        for result in check_fields(recovered.template, fields):
            if result.ok is None:
                continue
            touched = {owner[recovered.cells[k].line] for k in result.cells if recovered.cells[k].line in owner}
            for table in touched:
                tally[table][1 if result.ok else 2] += 1
        return [TableScore(*counts) for counts in tally]

    def value(self, score: TableScore) -> float:
        return (CELL_WEIGHT * score.cells + SUM_HOLDS_WEIGHT * score.ok - SUM_FAILS_WEIGHT * score.failed
                - UNSURE_WEIGHT * score.unsure)

    def label_fit(self, cells: list[str]) -> int:
        return sum(1 for c in cells
                   if c and match_label(c).stage == "exact" and match_label(c).confidence >= LABEL_FITS)
