"""What the review page shows: a report's source with its cells marked, its tables laid out as the official
template, and its checks and verdict — as extracted, and again after every correction.

The verdict of a corrected report is the extractor's own (``checks.arithmetic.verdict`` over
``pipeline.assess``): the template's arithmetic on the corrected values, the prose compared with them again
(from the source's text, read when the report is opened; a record whose source cannot be read keeps its
prose checks as extracted), and a cell counted as unreadable only while nobody has corrected or confirmed it.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .. import schema
from ..checks import arithmetic as check, narrative
from ..datamodel import CheckResult
from ..evaluate import CONFIDENT, UNSURE_KINDS
from ..options import DEFAULT_OPTIONS, Options
from ..pipeline import ReadError, assess, read_report
from . import words
from .catalog import PIPELINE_LOCK, Report
from .gold import gold_version, read_gold


# ---------------------------------------------------------------- cells to look at

def is_unsure(cell: dict) -> bool:
    """The evaluation's notion of a flagged cell: the reader said it was unsure."""
    confidence = cell.get("confidence")
    return cell.get("kind") in UNSURE_KINDS or (isinstance(confidence, (int, float)) and confidence < CONFIDENT)


def _stand_in_keys(record: dict) -> set[str]:
    """A hybrid's three （六） sub-rows: null by design, carried by its single （六） row."""
    if not record.get("hybrid_other_row"):
        return set()
    return {k for k in record["fields"] if k.split(".")[1] in schema.OTHER_SPLIT_ROWS}


def unsure_keys(record: dict) -> list[str]:
    stand_in = _stand_in_keys(record)
    return [k for k, c in record.get("cells", {}).items() if k not in stand_in and is_unsure(c)]


# ---------------------------------------------------------------- checks and verdict

def _arithmetic(template: str, results: list[CheckResult], rules, values: dict) -> list[dict]:
    keys = set(schema.template(template).keys)
    by_name = {r.name: r for r in rules}
    out = []
    for result in results:
        # The printed side (a total) is where a person confirms a check that fails as the document prints it.
        right = [k for k in by_name[result.rule].right if k in keys] or [k for k in result.cells if k in keys][-1:]
        shown = {**result.as_dict(), "printed_cells": right,
                 "missing": [k for k in result.cells if values.get(k) is None]}
        shown["title"] = words.check_title(result.rule, result.cells, template, result.description)
        shown["outcome"] = words.check_outcome(shown, template)
        out.append(shown)
    return out


def recheck(record: dict, fields: dict) -> list[dict]:
    """Every arithmetic rule the extractor checks this report by, on FIELDS (a hybrid's single （六） row included)."""
    hybrid = record.get("hybrid_other_row")
    rules = check.report_rules(record["template"], hybrid=bool(hybrid))
    values = check.report_values(fields, hybrid)
    return _arithmetic(record["template"], check.check_fields(record["template"], values, rules), rules, values)


def _prose_as_extracted(record: dict) -> list[CheckResult]:
    return [CheckResult(**{k: c.get(k, "") for k in ("rule", "ok", "cells", "expected", "printed", "severity",
                                                     "description", "kind", "text", "note")})
            for c in record.get("checks", []) if c.get("kind") == "prose"]


def _other_check(c: dict, template: str) -> dict:
    """A prose (or cross-year) check in words: what the text says against what the table gives."""
    label = (c.get("description") or "").partition(" = ")[0]
    if c.get("kind") == "prose":
        title = f"正文「{label}」与表格{words.keys_text(c.get('cells') or [], template)}"
        said = f"正文 {words._number(c.get('printed'))}"
        outcome = {True: f"一致：{said}，表格 {words._number(c.get('expected'))}",
                   False: f"不一致：{said}，表格 {words._number(c.get('expected'))}",
                   None: f"无法比较：{said}"}[c.get("ok")]
    else:
        title = words.labels_in(c.get("description") or c.get("rule") or "", template)
        outcome = f"{words._number(c.get('expected'))} / {words._number(c.get('printed'))}"
    return {**c, "title": title, "outcome": outcome, "note_zh": words.zh(c.get("note") or "", template),
            "kind_zh": words.CHECK_KINDS.get(c.get("kind"), c.get("kind"))}


def _unsettled(report: Report, fields: dict, settled) -> set[str]:
    """Cells read as missing or ambiguous that nobody has corrected or confirmed since."""
    record = report.record
    stand_in = _stand_in_keys(record)
    return {k for k, c in record["cells"].items()
            if c.get("kind") in UNSURE_KINDS and k not in stand_in and k not in settled
            and fields.get(k) == record["fields"].get(k)}


def assessment(report: Report, fields: dict, settled=()) -> dict:
    """Checks, repairs and verdict of REPORT with FIELDS (corrected), SETTLED being the cells confirmed."""
    record = report.record
    template = record["template"]
    hybrid = record.get("hybrid_other_row") or {}
    cells = {**record["cells"], **hybrid}
    statements = report.statements
    results, repairs, _, _ = assess(template, fields, cells, hybrid, statements,
                                    prose_checks=None if statements is not None else _prose_as_extracted(record))
    rules = check.report_rules(template, hybrid=bool(hybrid))
    values = check.report_values(fields, hybrid)
    arithmetic = [r for r in results if r.kind == "arithmetic"]
    unsettled = _unsettled(report, fields, set(settled))
    missing_tables = sum(1 for name, t in (record.get("tables") or {}).items()
                         if not t.get("found", True)
                         and not any(k not in unsettled for k in report.template.keys if k.startswith(name + ".")))
    verdict = check.verdict(results, len(unsettled), missing_tables)
    extracted = {c.get("rule") for c in record.get("checks", []) if c.get("kind") in ("arithmetic", "prose")}
    others = [r.as_dict() for r in results if r.kind != "arithmetic"]
    others += [c for c in record.get("checks", []) if c.get("kind") not in ("arithmetic", "prose")
               and c.get("rule") not in extracted]
    return {
        "verdict": verdict,
        "verdict_zh": words.VERDICTS.get(verdict, verdict),
        "checks": _arithmetic(template, arithmetic, rules, values),
        "other_checks": [_other_check(c, template) for c in others],
        "prose_rechecked": statements is not None,
        "repairs": {k: {**r, "reason_zh": words.zh(r.get("reason", ""), template)}
                    for k, r in repairs.repairs.items()},
        "candidates": [{**c, "reason_zh": words.zh(c.get("reason", ""), template)} for c in repairs.candidates],
        "failed_checks": sum(1 for r in results if r.ok is False),
        "unsettled": len(unsettled),
    }


# ---------------------------------------------------------------- the tables as the template lays them out

def layout(template_name: str) -> list[dict]:
    """The canonical tables as the official template lays them out, with its Chinese labels.

    Each table is blocks of header rows (cells {text, colspan, rowspan}) and body rows {label, keys}.
    """
    tpl = schema.template(template_name)
    tables = []
    for table in schema.TABLES:
        rows = tpl.rows_of(table)
        blocks = _wide_blocks(tpl, rows) if table == "appeals" else _row_blocks(tpl, rows)
        tables.append({"name": table, "title": schema.TABLE_TITLES[table], "blocks": blocks})
    return tables


def _column_labels(tpl: schema.Template, row: schema.RowSpec) -> list[dict]:
    return [{"text": tpl.field(k).column_label} for k in row.keys]


def _split_label(label: str) -> tuple[str, str]:
    head, _, rest = label.partition(" ")
    return (head, rest) if rest else ("", label)


def _row_blocks(tpl: schema.Template, rows) -> list[dict]:
    """One block per run of rows sharing their columns (and, in table 2, their article of 第二十条)."""
    blocks: list[dict] = []
    last = None
    for row in rows:
        article, item = _split_label(row.label) if row.table == "disclosure" else ("", row.label)
        if (article, row.columns) != last:
            blocks.append({"head": [[{"text": article}] + _column_labels(tpl, row)], "rows": []})
            last = (article, row.columns)
        blocks[-1]["rows"].append({"label": item, "keys": list(row.keys)})
    return blocks


def _wide_blocks(tpl: schema.Template, rows) -> list[dict]:
    """Table 4 is one row: 行政复议 | 行政诉讼 (未经复议直接起诉 | 复议后起诉), each with its columns."""
    groups: dict[str, list[tuple[str, schema.RowSpec]]] = {}
    for row in rows:
        group, sub = _split_label(row.label) if " " in row.label else (row.label, "")
        groups.setdefault(group, []).append((sub, row))
    top, middle, columns = [], [], []
    for group, members in groups.items():
        width = sum(len(r.columns) for _, r in members)
        if all(not sub for sub, _ in members):
            top.append({"text": group, "colspan": width, "rowspan": 2})
        else:
            top.append({"text": group, "colspan": width})
            middle += [{"text": sub, "colspan": len(r.columns)} for sub, r in members]
        for _, r in members:
            columns += _column_labels(tpl, r)
    keys = [k for r in rows for k in r.keys]
    return [{"head": [top, middle, columns], "rows": [{"label": None, "keys": keys}]}]


# ---------------------------------------------------------------- the source with its cells marked

def source_lines(path: Path | None, options: Options = DEFAULT_OPTIONS) -> tuple[list[str] | None, str | None]:
    """The text the extractor read (HTML already turned into rows), split as its line numbers count."""
    lines, sha, _ = _read_source(path, options)
    return lines, sha


def _read_source(path: Path | None, options: Options) -> tuple[list[str] | None, str | None, str | None]:
    if path is None:
        return None, None, None
    try:
        with PIPELINE_LOCK:
            doc = read_report(path, options)
    except ReadError:
        return None, None, None
    return doc.text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), doc.sha256, doc.text


_NUMBERING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])")


def _label_anchor(label: str) -> str:
    """The start of a row label's own words (numbering dropped), to find the row on a run-together line."""
    core = label.split(" ")[-1]
    while _NUMBERING.match(core):
        core = _NUMBERING.sub("", core, count=1)
    return core[:4]


def cell_spans(lines: list[str], cells: dict, template: schema.Template) -> dict[str, list[int]]:
    """Where each cell's raw text sits: key -> [line, start, end] (1-based line, character offsets).

    A line holding one cell is searched whole. On a line where many cells run together (a crawler's
    one-line page) the search walks forward in template order: past the table's title, past the
    row's label, then from where the previous cell ended. A raw text not found marks the whole line.
    """
    per_line = Counter(c.get("line") for c in cells.values() if isinstance(c, dict))
    cursor: dict[int, int] = {}

    def advance(keys, needle: str) -> None:
        for number in {(cells.get(k) or {}).get("line") for k in keys}:
            if isinstance(number, int) and per_line[number] > 1 and 1 <= number <= len(lines) and needle:
                at = lines[number - 1].find(needle, cursor.get(number, 0))
                if at >= 0:
                    cursor[number] = at + len(needle)

    spans = {}
    for table in schema.TABLES:
        rows = template.rows_of(table)
        advance([k for r in rows for k in r.keys], schema.TABLE_TITLES[table])
        for row in rows:
            advance(row.keys, _label_anchor(row.label))
            for key in row.keys:
                cell = cells.get(key) or {}
                number, raw = cell.get("line"), (cell.get("raw") or "").strip()
                if not isinstance(number, int) or not 1 <= number <= len(lines):
                    continue
                text = lines[number - 1]
                start = text.find(raw, cursor.get(number, 0)) if raw else -1
                if start < 0 and raw:
                    start = text.find(raw)
                if start < 0:
                    spans[key] = [number, 0, len(text)]
                    continue
                cursor[number] = start + len(raw)
                spans[key] = [number, start, start + len(raw)]
    return spans


# ---------------------------------------------------------------- the list and one report

def summary(report: Report, gold_dir: Path) -> dict:
    """One row of the list: the report as extracted, or — once reviewed — as its saved gold reads."""
    record = report.record
    cells = record.get("cells", {})
    confidences = [c.get("confidence") for c in cells.values() if isinstance(c.get("confidence"), (int, float))]
    version = gold_version(gold_dir, report.name)
    reviewed = _reviewed_state(report, gold_dir, version) if version else None
    verdict = reviewed["verdict"] if reviewed else record.get("verdict")
    return {
        "name": report.name, "title": record.get("title"),
        "issuer": (reviewed or record).get("issuer"), "year": (reviewed or record).get("year"),
        "template": record.get("template"), "verdict": verdict, "verdict_zh": words.VERDICTS.get(verdict, verdict),
        "extracted_verdict": record.get("verdict"),
        "unsure": len(unsure_keys(record)),
        "min_confidence": min(confidences) if confidences else None,
        "mean_confidence": round(sum(confidences) / len(confidences), 3) if confidences else None,
        "failed_checks": reviewed["failed_checks"] if reviewed else
        sum(1 for c in record.get("checks", []) if c.get("ok") is False),
        "reviewed": reviewed is not None,
        "version": version,
    }


def _reviewed_state(report: Report, gold_dir: Path, version: str) -> dict | None:
    """Verdict and failing checks of a report's saved gold (every cell settled by the reviewer); kept on the
    report by the gold's version, and by whether the prose could be compared again."""
    key = ("reviewed", str(gold_dir), version, report.statements is not None)
    if key not in report.cache:
        gold = read_gold(gold_dir, report.name)
        if gold is None:
            return None
        fields = {k: gold["fields"].get(k) for k in report.template.keys}
        state = assessment(report, fields, settled=report.template.keys)
        report.cache[key] = {"verdict": state["verdict"], "failed_checks": state["failed_checks"],
                             "issuer": gold.get("issuer"), "year": gold.get("year")}
    return report.cache[key]


def open_source(report: Report) -> tuple[list[str] | None, str | None]:
    """Read the report's source (if it is inside the folders given) for its lines; its prose statements are
    kept on the report, so that each correction compares the prose again without reading the file."""
    lines, sha, text = _read_source(report.readable_source(), report.options)
    if text is not None and report.statements is None:
        with PIPELINE_LOCK:
            report.statements = narrative.read_statements(text)
    return lines, sha


def detail(report: Report, gold_dir: Path) -> dict:
    record = report.record
    template = record["template"]
    keys = report.template.keys
    lines, sha = open_source(report)
    stand_in = _stand_in_keys(record)
    cells = {}
    for key in keys:
        cell = record["cells"].get(key) or {}
        spec = report.template.field(key)
        cells[key] = {**cell, "unsure": key not in stand_in and is_unsure(cell), "stand_in": key in stand_in,
                      "row_label": spec.row_label, "column_label": spec.column_label,
                      "kind_zh": words.KINDS.get(cell.get("kind"), cell.get("kind")),
                      "note_zh": words.zh(cell.get("note") or "", template)}
    version = gold_version(gold_dir, report.name)
    gold = read_gold(gold_dir, report.name) if version else None
    current = dict(record["fields"]) if gold is None else {k: gold["fields"].get(k) for k in keys}
    source = record.get("source") or {}
    reader = source.get("reader")
    problems = [words.zh(p, template) for p in report.problems]
    if version and gold is None:
        problems.append(f"{gold_dir / (report.name + '.json')} 不是有效的审定记录（gold）："
                        "显示的是抽取值，保存会覆盖它")
    return {
        **summary(report, gold_dir),
        "title": record.get("title"),
        "version": version,
        "source": {"path": str(report.source_path) if report.source_path else source.get("path"),
                   "reader": reader, "reader_zh": words.READERS.get(reader, reader), "found": lines is not None,
                   "changed": bool(sha and source.get("sha256") and sha != source.get("sha256"))},
        "problems": problems,
        "lines": lines, "spans": cell_spans(lines, record["cells"], report.template) if lines else {},
        "layout": layout(template),
        "cells": cells,
        "extracted": {"fields": record["fields"], "year": record.get("year"), "issuer": record.get("issuer"),
                      "verdict": record.get("verdict")},
        "gold": gold,
        "current": {"fields": current, "year": (gold or record).get("year"), "issuer": (gold or record).get("issuer")},
        "state": assessment(report, current, settled=keys if gold is not None else ()),
        "narrative": record.get("narrative"),
        "warnings": [words.zh(w, template) for w in record.get("warnings") or []],
        "hybrid_other_row": record.get("hybrid_other_row"),
    }


def vocabulary() -> dict:
    """The page's words for the record's codes (one definition, in ``words``)."""
    return {"verdicts": words.VERDICTS, "verdict_meanings": words.VERDICT_MEANINGS, "kinds": words.KINDS}
