"""The pipeline, end to end: read → tokens → recover tables → map labels → check → record.

``extract_file`` and ``extract_text`` are the library entry points; ``xxgk extract`` calls them.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from . import check, meta, recover, record, schema, tokens
from .read import Document, ReadError, read_bytes, read_file

__all__ = ["extract_text", "extract_file", "extract_document", "NotAReport", "ReadError"]


class NotAReport(ReadError):
    """Readable text, but no table of a disclosure report in it."""


def extract_text(text: str, source_name: str = "<text>") -> dict:
    doc = Document(text, Path(source_name).stem, source_name, "str", "text", "")
    return extract_document(doc)


def extract_file(path: str | Path) -> dict:
    return extract_document(read_file(path))


def extract_bytes(data: bytes, name: str = "<stdin>") -> dict:
    return extract_document(read_bytes(data, name))


def extract_document(doc: Document, *, require_tables: bool = True) -> dict:
    token_list = tokens.tokenize(doc.text)
    recovered = recover.recover(token_list)
    if require_tables and not any(t.found for t in recovered.tables.values()):
        raise NotAReport(doc.path, "no table of a disclosure report found (not a 政府信息公开工作年度报告, "
                                   "or its tables are missing)")
    info = meta.read_meta(doc.text)
    fields = {k: c.value for k, c in recovered.cells.items()}
    checks = check.check_fields(recovered.template, fields)
    stand_in = set()
    if recovered.hybrid_other_row:
        stand_in = {k for k in fields if k.split(".")[1] in schema.OTHER_SPLIT_ROWS}
        checks = [c for c in checks if not stand_in & set(c.cells)] + _hybrid_checks(recovered, fields)
    repairs = check.propose_repairs(recovered.template, fields, checks)
    unreadable = sum(1 for k, c in recovered.cells.items()
                     if c.kind in ("ambiguous", "missing") and k not in stand_in)
    missing_tables = sum(1 for t in recovered.tables.values() if not t.found)
    warnings = list(recovered.warnings)
    if info.year is None:
        warnings.append("year not found in the title or text")
    if not info.issuer:
        warnings.append("issuer not found in the title")
    return record.build_record(
        template=recovered.template, year=info.year, issuer=info.issuer, cells=recovered.cells,
        checks=checks, repairs=repairs,
        verdict=check.verdict(checks, unreadable, missing_tables),
        source={"path": doc.path, "name": doc.name, "encoding": doc.encoding, "reader": doc.reader,
                "sha256": doc.sha256},
        title=info.title, tables={name: asdict(t) for name, t in recovered.tables.items()},
        template_evidence={**recovered.template_evidence, "year_source": info.year_source,
                           "issuer_source": info.issuer_source},
        warnings=warnings, hybrid_other_row=recovered.hybrid_other_row)


def _hybrid_checks(recovered, fields):
    """A hybrid's single （六） row stands in for the three sub-rows in the table-3 identities."""
    values = dict(fields)
    values.update({k: c.value for k, c in recovered.hybrid_other_row.items()})
    rules = [r for r in schema.template("2019").rules if r.name.startswith("requests.outcomes.")
             or r.name == "requests.row_total.other"]
    return check.check_fields("2019", values, rules)
