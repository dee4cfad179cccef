"""The pipeline, end to end, and the one place that names the order of the stages:

1. read (``readers``): bytes → text, a PDF's candidate tables judged by the template (``tables.judge``);
2. recover the tables (``tables``): text → tokens → row labels (``labels``) → cells;
3. the year and issuer (``meta``);
4. check (``checks``): the template's arithmetic, then what the prose says;
5. the record (``record``).

``extract_file``, ``extract_bytes`` and ``extract_text`` are the library entry points (``xxgk extract`` calls
them); each takes an ``Options`` (which label stages the recovery may ask, its limits).
"""
from __future__ import annotations

import functools
import gc
from dataclasses import replace
from pathlib import Path

from . import meta, record, schema
from .blas import single_threaded
from .checks import arithmetic as check, narrative
from .checks.confidence import answer_to_identities, answer_to_magnitudes
from .datamodel import Cell, CheckResult, Document
from .options import DEFAULT_OPTIONS, Options
from .readers import ReadError, read_bytes, read_file, text_document
from .readers.decode import REPLACEMENT
from .tables import recover, tokens
from .tables.judge import TemplateJudge

__all__ = ["NotAReport", "ReadError", "SeveralReports", "check_record", "extract_bytes", "extract_document",
           "extract_file", "extract_reports", "extract_text", "read_report", "read_report_bytes", "split_reports"]


class NotAReport(ReadError):
    """Readable text, but no table of a disclosure report in it."""


class SeveralReports(ReadError):
    """A file holding more than one report (pages a crawler concatenated): ``extract_reports`` reads each."""

    def __init__(self, path: str, documents: list[Document]):
        self.documents = documents
        super().__init__(path, f"holds {len(documents)} reports, one after the other: read each with "
                               f"xxgk.extract_reports (the command line writes NAME#1, NAME#2, …)")


def read_report(path: str | Path, options: Options = DEFAULT_OPTIONS) -> Document:
    """A report file read as the pipeline reads it: a PDF's candidate tables judged against the template."""
    return read_file(path, TemplateJudge(options))


def read_report_bytes(data: bytes, name: str = "<stdin>", options: Options = DEFAULT_OPTIONS) -> Document:
    """``read_report`` for bytes already read."""
    return read_bytes(data, name, TemplateJudge(options))


def split_reports(doc: Document, options: Options = DEFAULT_OPTIONS) -> list[Document]:
    """The reports a document holds, one document each (``NAME#1``, ``NAME#2``, … when there are several): it
    is cut where a report's title and overview begin again, and a part counts as a report only when tables of a
    report are found in it; a file that repeats its title (page headers) is one report."""
    starts = meta.report_starts(doc.text)
    if not starts:
        return [doc]
    bounds = [0, *starts, len(doc.text)]
    parts = [doc.text[a:b] for a, b in zip(bounds, bounds[1:])]
    with_tables = [k for k, part in enumerate(parts)
                   if any(t.found for t in recover.recover(tokens.tokenize(part), options).tables.values())]
    if len(with_tables) < 2:
        return [doc]
    # A part without tables (a preface, a list of links) goes with the report after it.
    cuts = [0] + [bounds[k] for k in with_tables[1:]] + [len(doc.text)]
    out = []
    for n, (a, b) in enumerate(zip(cuts, cuts[1:]), 1):
        # Line numbers stay those of the file: the part keeps the line breaks before it.
        text = "\n" * doc.text.count("\n", 0, a) + doc.text[a:b]
        out.append(replace(doc, text=text, name=f"{doc.name}#{n}",
                           tables_meta=[t for t in doc.tables_meta if _line_of(t, doc.text, a, b)]))
    return out


def _line_of(table_meta: dict, text: str, a: int, b: int) -> bool:
    line = table_meta.get("line")
    return line is None or text.count("\n", 0, a) < line <= text.count("\n", 0, b) + 1


def one_report(doc: Document, options: Options) -> Document:
    """``doc`` when it holds one report; ``SeveralReports`` (a read error naming how many) when it holds more."""
    parts = split_reports(doc, options)
    if len(parts) > 1:
        raise SeveralReports(doc.path, parts)
    return doc


def extract_reports(path: str | Path, options: Options = DEFAULT_OPTIONS) -> list[dict]:
    """The record of every report a file holds: one for an ordinary report; ``NAME#1``, ``NAME#2``, … (their
    ``source.name``) for a file holding several one after the other (a crawler's concatenated pages)."""
    return [extract_document(part, options) for part in split_reports(read_report(path, options), options)]


def extract_file(path: str | Path, options: Options = DEFAULT_OPTIONS) -> dict:
    """The canonical record of one report file (PDF, DOCX, old .doc, HTML, Markdown or text; the kind is told
    by the bytes, the encoding detected).

    The record's ``template``, ``year``, ``issuer`` and ``fields`` are the contract of SCHEMA.md; ``verdict``
    says whether the template's arithmetic holds; ``cells`` give each value's printed text, line and confidence.
    Raises ``ReadError`` (``NeedsOCR`` for a scan) when the file cannot be read, ``NotAReport`` when it holds
    no table of such a report, ``SeveralReports`` when it holds more than one (``extract_reports`` reads each).
    """
    return extract_document(one_report(read_report(path, options), options), options)


def extract_bytes(data: bytes, name: str = "<stdin>", options: Options = DEFAULT_OPTIONS) -> dict:
    """``extract_file`` for bytes already read (``name`` is the record's source name)."""
    return extract_document(one_report(read_report_bytes(data, name, options), options), options)


def extract_text(text: str, source_name: str = "<text>", options: Options = DEFAULT_OPTIONS) -> dict:
    """``extract_file`` for a report's text already decoded (a scrape's text, a page's text, a table as tab rows)."""
    return extract_document(one_report(text_document(text, source_name), options), options)


def _freeze_once_loaded(extract):
    """After the first report, what the stages loaded on the way (jieba's dictionary, the label tables and
    models: some 200,000 objects that live as long as the process) is moved out of the garbage collector's
    reach: its full collections no longer walk them (0.3-0.45 s per 900 reports otherwise). The objects
    alive then stay frozen too; extraction's own leave no cycles behind."""
    @functools.wraps(extract)
    def run(*args, **kwargs):
        out = extract(*args, **kwargs)
        if not _frozen:
            gc.freeze()
            _frozen.append(True)
        return out
    _frozen: list[bool] = []
    return run


@_freeze_once_loaded
@single_threaded
def extract_document(doc: Document, options: Options = DEFAULT_OPTIONS, *, require_tables: bool = True) -> dict:
    """The record of a document a reader gave: the stages after reading, in order."""
    token_list = tokens.tokenize(doc.text, doc.line_confidence)
    recovered = recover.recover(token_list, options)
    if require_tables and not any(t.found for t in recovered.tables.values()):
        raise NotAReport(doc.path, "no table of a disclosure report found (not a 政府信息公开工作年度报告, "
                                   "or its tables are missing)")
    info = meta.read_meta(doc.text)
    statements = narrative.read_statements(doc.text)
    _groups_the_prose_says_are_none(recovered.cells, statements)
    fields = {k: c.value for k, c in recovered.cells.items()}
    hybrid = recovered.hybrid_other_row or {}
    stand_in = {k for k in fields if k.split(".")[1] in schema.OTHER_SPLIT_ROWS} if hybrid else set()
    # A number of a table that no cell took (not a zero: a placeholder printed as 0 hides no count) leaves the
    # table unfinished: never consistent.
    unreadable = sum(1 for k, c in recovered.cells.items()
                     if c.kind in ("ambiguous", "missing") and k not in stand_in) + \
        sum(1 for t in recovered.tables.values() for u in t.unplaced if recover.counts(u["raw"]))
    missing_tables = sum(1 for t in recovered.tables.values() if not t.found)
    checks, repairs, splits, story = assess(recovered.template, fields, {**recovered.cells, **hybrid},
                                            {k: c.value for k, c in hybrid.items()}, statements)
    _doubt_rows_the_prose_disputes(recovered.cells, checks)
    answer_to_identities({**recovered.cells, **hybrid}, checks,
                         check.report_rules(recovered.template, hybrid=bool(hybrid)))
    answer_to_magnitudes(recovered.cells)
    damaged = _doubt_cells_on_damaged_lines({**recovered.cells, **hybrid}, doc.text)
    warnings = list(recovered.warnings)
    if doc.bad_bytes:
        warnings.append(f"{doc.bad_bytes} byte(s) could not be decoded as {doc.encoding} and were replaced; "
                        f"{damaged} cell(s) on the lines they touch are marked unsure")
    if info.year is None:
        warnings.append("year not found in the title or text")
    if not info.issuer:
        warnings.append("issuer not found in the title")
    return record.build_record(
        template=recovered.template, year=info.year, issuer=info.issuer, cells=recovered.cells,
        checks=checks, repairs=repairs, split_runs=splits, narrative=story,
        verdict=check.verdict(checks, unreadable, missing_tables),
        source={"path": doc.path, "name": doc.name, "encoding": doc.encoding, "reader": doc.reader,
                "sha256": doc.sha256, "tables": doc.tables_meta},
        title=info.title, tables={name: t.as_dict() for name, t in recovered.tables.items()},
        template_evidence={**recovered.template_evidence, "year_source": info.year_source,
                           "issuer_source": info.issuer_source},
        warnings=warnings, hybrid_other_row=recovered.hybrid_other_row)


# A row whose figure the report's own prose contradicts (not loosely: one number, no other scope) may be another
# row's cells, read in a scrambled order whose sums still hold: its cells keep their values, marked unsure.
DISPUTED_BY_PROSE = 0.6


def _doubt_rows_the_prose_disputes(cells: dict, checks: list) -> None:
    for c in checks:
        if c.kind != "prose" or c.ok is not False or c.severity != "error":
            continue
        rows = {key.rsplit(".", 1)[0] for key in c.cells}
        for key, cell in cells.items():
            if key.rsplit(".", 1)[0] in rows and cell.value is not None and cell.confidence > DISPUTED_BY_PROSE:
                cell.confidence = DISPUTED_BY_PROSE
                cell.note = f"the report's prose says {c.printed:g} where the table gives {c.expected:g}: {c.text}"
        # A disputed row that printed nothing, in a text that leaves blank cells out, may have had its cells taken by
        # another row: in the same table, the row whose total is the amount the disputed row lacks (部分公开 read
        # blank where the prose says 5, and 3.要求提供公开出版物 read 5: the five may be either's).
        printed_nothing = all(cells[k].kind == "blank" for k in c.cells if k in cells)
        lacking = c.printed - c.expected if printed_nothing else 0
        tables = {key.split(".", 1)[0] for key in c.cells}
        holders = {key.rsplit(".", 1)[0] for key, cell in cells.items()
                   if lacking > 0 and key.endswith(".total") and key.split(".", 1)[0] in tables
                   and key.rsplit(".", 1)[0] not in rows and cell.value == lacking}
        for key, cell in cells.items():
            if key.rsplit(".", 1)[0] in holders and cell.value is not None:
                cell.doubt(DISPUTED_BY_PROSE, f"this row's figures may be those the report's prose gives another row "
                                              f"({c.printed:g} where the table gives {c.expected:g}): {c.text}")


# A group of table 4 whose cells the text lacks (a tool dropped its small table: trafilatura leaves out a table the
# same as one before it), where the report's prose says how many cases there were and the groups read leave none:
# its five cells are zeros (counts, none below zero, that add up to nothing), but by the prose's word, about
# another part of the report: never confident.
STATED_BY_THE_PROSE = 0.8
# The groups each quantity of the prose counts (被申请行政复议N件; 提起行政诉讼N件: both kinds of suit).
PROSE_GROUPS = {"appeals.review": ("review",), "appeals.litigation": ("litigation_direct", "litigation_after_review")}


def _groups_the_prose_says_are_none(cells: dict, statements: list) -> None:
    """Fill the groups of table 4 that the text lacks whole when the prose's count of their cases, less the totals
    of the groups read, leaves nothing (a negated sentence, 未发生…行政诉讼, counts zero): five zeros each, unsure."""
    for quantity, groups in PROSE_GROUPS.items():
        said = {s.value for s in statements if s.quantity == quantity and not s.approximate and not s.scoped}
        if len(said) != 1:
            continue
        keys = {g: [f"appeals.{g}.{c}" for c in schema.APPEAL_COLUMNS] for g in groups}
        if any(k not in cells for ks in keys.values() for k in ks):
            continue
        lacking = [g for g, ks in keys.items() if all(cells[k].kind == "missing" for k in ks)]
        read = [g for g in groups if g not in lacking]
        if not lacking or any(cells[k].value is None for g in read for k in keys[g]):
            continue
        left = said.pop() - sum(cells[f"appeals.{g}.total"].value for g in read)
        if left != 0:
            continue
        text = next(s.text for s in statements if s.quantity == quantity)
        for g in lacking:
            for k in keys[g]:
                cells[k] = Cell(0, "", "blank", None, STATED_BY_THE_PROSE,
                                note=f"this group's cells are not in the text; the report's prose leaves it no case: "
                                     f"{text}")


# A cell read from a line that lost characters (bytes no encoding could read, U+FFFD in the text): a digit or
# a label may be what was lost, so the cell is kept, never trusted.
DAMAGED_LINE = 0.5


def _doubt_cells_on_damaged_lines(cells: dict, text: str) -> int:
    """Mark unsure every cell read from a line holding U+FFFD; return how many were."""
    if REPLACEMENT not in text:
        return 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")    # numbered as the tokenizer does
    damaged = {number for number, line in enumerate(lines, 1) if REPLACEMENT in line}
    marked = 0
    for cell in cells.values():
        if cell.line in damaged:
            marked += 1
            if cell.confidence > DAMAGED_LINE:
                cell.confidence = DAMAGED_LINE
            cell.note = "; ".join(filter(None, [cell.note, "its line lost characters the file's encoding "
                                                           "could not read (shown as \ufffd)"]))
    return marked


def assess(template: str, fields: dict, cells: dict, hybrid_other_row: dict | None = None,
           statements: list | None = None, prose_checks: list | None = None):
    """Checks (arithmetic, then prose), repairs, split digit runs and the narrative of one report.

    ``statements`` are what the prose says (``narrative.read_statements``); a record read back from JSON
    has no text, so its earlier ``prose_checks`` are passed through instead.
    """
    rules = check.report_rules(template, hybrid=bool(hybrid_other_row))
    values = check.report_values(fields, hybrid_other_row)
    checks = check.check_fields(template, values, rules)
    repairs = check.propose_repairs(rules, values, cells)
    splits, unconfirmed = check.split_runs(rules, values, cells)
    repairs.candidates.extend(unconfirmed)
    story: list = []
    if statements is not None:
        prose_checks, story = narrative.compare(statements, template, values, repairs.repairs)
    return checks + list(prose_checks or []), repairs, splits, story


@single_threaded
def check_record(rec: dict) -> dict:
    """A record (written by ``xxgk extract``, or a bare gold record) checked again from its ``fields``: its
    ``verdict``, ``summary``, ``checks``, ``repairs`` and ``repair_candidates`` made anew (after a correction,
    say), the rest kept."""
    template, fields = rec["template"], rec["fields"]
    hybrid = rec.get("hybrid_other_row") or {}
    cells = {**rec.get("cells", {}), **hybrid}
    prose = [CheckResult(**{k: c.get(k, "") for k in ("rule", "ok", "cells", "expected", "printed",
                                                            "severity", "description", "kind", "text", "note")})
             for c in rec.get("checks", []) if c.get("kind") == "prose"]
    checks, repairs, splits, _ = assess(template, fields, cells, hybrid, prose_checks=prose)
    stand_in = {k for k in fields if k.split(".")[1] in schema.OTHER_SPLIT_ROWS} if hybrid else set()
    if rec.get("cells"):
        unreadable = sum(1 for k, c in rec["cells"].items()
                         if c.get("kind") in ("ambiguous", "missing") and k not in stand_in)
    else:
        unreadable = sum(1 for k, v in fields.items() if v is None and k not in stand_in)
    missing_tables = sum(1 for t in (rec.get("tables") or {}).values() if not t.get("found", True))
    out = {k: rec[k] for k in ("template", "year", "issuer", "fields") if k in rec}
    out["verdict"] = check.verdict(checks, unreadable, missing_tables)
    out["summary"] = record.summary(checks, repairs)
    out.update({k: v for k, v in rec.items() if k not in out})
    out.update(record.check_part(checks, repairs, splits, rec.get("narrative")))
    return out
