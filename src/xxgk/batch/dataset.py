"""The tables of a batch: wide (one row per report), long (one row per cell), checks, errors, dictionary,
and in DuckDB the template's subtotals as views (docs/dataset.md says every column's unit and meaning).

Counts are nullable integers (BIGINT), amounts of money (万元) doubles; a field that is a list is a list.

A record is boiled down once, where it is extracted, to a compact *summary* (``summarize``): the
columns the tables need, in template key order. The tables are then written chunk by chunk in the
order of the report ids, so memory stays flat in the number of reports and the bytes of every file
depend only on the inputs, never on which worker finished first. Parquet for every table; CSV
(UTF-8 with a BOM, so that spreadsheet software reads the Chinese right) for the wide table, the
errors and the dictionary; one DuckDB database holding them all.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .. import schema
from ..record import NEW_FILE_MODE, process_umask

UTF8_BOM = b"\xef\xbb\xbf"
PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True}
DUCKDB_MEMORY = "64MB"

REPORT_COLUMNS = (
    ("report", pa.string(), "报告", "Report id: the source as the batch named it, then the file's path below it."),
    ("source", pa.string(), "来源文件", "The file as found by the batch."),
    ("template", pa.string(), "模板", "Template read from the labels: 2019 (国办公开办函〔2019〕60号) or 2021 (〔2021〕30号)."),
    ("year", pa.int64(), "年度", "Year the report covers."),
    ("issuer", pa.string(), "发布机关", "Issuing body, from the title."),
    ("title", pa.string(), "标题", "Title line of the report."),
    ("verdict", pa.string(), "核验结论",
     "consistent, inconsistent (an arithmetic identity fails) or incomplete (something missing or unreadable)."),
    ("checks_failed", pa.int64(), "未通过核验数", "Checks that fail (see the checks table)."),
    ("checks_unchecked", pa.int64(), "无法核验数", "Checks that cannot be made: a cell is missing or unreadable."),
    ("duplicate_of", pa.string(), "重复于", "Report id of the copy this report duplicates; empty for an original."),
    ("duplicate_by", pa.string(), "重复依据",
     "How the duplicate was recognised: same bytes, same text, or same figures, issuer and year."),
    ("reader", pa.string(), "读取方式", "How the file was read (text, html, ...)."),
    ("encoding", pa.string(), "编码", "Text encoding detected."),
    ("sha256", pa.string(), "文件哈希", "SHA-256 of the file's bytes."),
)
# The tidy long table: one row per cell, with what a plot or a GROUP BY needs beside it.
CELL_SCHEMA = pa.schema([
    ("report", pa.string()), ("issuer", pa.string()), ("year", pa.int64()), ("template", pa.string()),
    ("table", pa.string()), ("row", pa.string()), ("column", pa.string()), ("key", pa.string()),
    ("value", pa.int64()), ("amount_wan", pa.float64()), ("unit", pa.string()), ("raw", pa.string()),
    ("kind", pa.string()), ("confidence", pa.float64()), ("line", pa.int64()), ("reader", pa.string()),
])
CHECK_SCHEMA = pa.schema([
    ("report", pa.string()), ("rule", pa.string()), ("kind", pa.string()), ("ok", pa.bool_()),
    ("severity", pa.string()), ("expected", pa.float64()), ("printed", pa.float64()),
    ("cells", pa.list_(pa.string())), ("description", pa.string()), ("text", pa.string()), ("note", pa.string()),
])
UNIT_COUNT, UNIT_MONEY = "件", "万元"
ERROR_SCHEMA = pa.schema([("report", pa.string()), ("source", pa.string()), ("reason", pa.string())])
DICTIONARY_SCHEMA = pa.schema([
    ("key", pa.string()), ("templates", pa.string()), ("table", pa.string()), ("label", pa.string()),
    ("row_label", pa.string()), ("column_label", pa.string()), ("unit", pa.string()), ("description", pa.string()),
])


@lru_cache(maxsize=None)
def field_keys() -> tuple[str, ...]:
    """Every canonical key of both templates: the 2021 order, with the 2019-only keys after their neighbour."""
    keys = list(schema.template("2021").keys)
    previous = None
    for key in schema.template("2019").keys:
        if key not in keys:
            keys.insert(keys.index(previous) + 1 if previous else 0, key)
        previous = key
    return tuple(keys)


@lru_cache(maxsize=None)
def field_specs() -> dict[str, schema.FieldSpec]:
    """Every key's spec (the newest template's where both have it)."""
    return {spec.key: spec for name in schema.TEMPLATES for spec in schema.template(name).fields}


def is_money(key: str) -> bool:
    return field_specs()[key].is_money


@lru_cache(maxsize=None)
def report_schema() -> pa.Schema:
    return pa.schema([(name, kind) for name, kind, _, _ in REPORT_COLUMNS]
                     + [(key, pa.float64() if is_money(key) else pa.int64()) for key in field_keys()])


@lru_cache(maxsize=None)
def _column_of(template: str) -> tuple[int, ...]:
    position = {key: i for i, key in enumerate(field_keys())}
    return tuple(position[key] for key in schema.template(template).keys)


@lru_cache(maxsize=None)
def _money_columns() -> tuple[bool, ...]:
    """Whether each of ``field_keys`` is an amount of money."""
    return tuple(is_money(key) for key in field_keys())


@lru_cache(maxsize=None)
def _cell_columns(template: str) -> tuple[dict[str, list], tuple[bool, ...]]:
    """The long table's columns that describe a template's cells (the same for every report of it), and
    whether each cell is an amount of money."""
    specs = schema.template(template).fields
    described = {"table": [s.table for s in specs], "row": [s.row for s in specs],
                 "column": [s.column for s in specs], "key": [s.key for s in specs],
                 "unit": [UNIT_MONEY if s.is_money else UNIT_COUNT for s in specs]}
    return described, tuple(s.is_money for s in specs)


PER_REPORT_CELL_COLUMNS = ("report", "issuer", "year", "template", "reader")


@lru_cache(maxsize=None)
def _template_cell_array(template: str, column: str) -> pa.Array:
    """One of the long table's columns that describe a template's cells, as an Arrow array (made once)."""
    return pa.array(_cell_columns(template)[0][column], CELL_SCHEMA.field(column).type)


def _number(value):
    return None if value is None else float(value)


def _count(value):
    """A count as the integer it is; a count read with a fraction (a misread) has no integer: null in the
    integer columns (the record and the long table's ``raw`` keep what was printed)."""
    if value is None or type(value) is int:     # an int is its own integer (most of them: a quick way out)
        return value
    return int(value) if float(value).is_integer() else None


def summarize(record: dict) -> dict:
    """What the tables need of one record, columnar and in template key order (JSON-ready)."""
    keys = schema.template(record["template"]).keys
    cells = [record["cells"][key] for key in keys]
    checks = record["checks"]
    return {
        "template": record["template"], "year": record["year"], "issuer": record["issuer"],
        "title": record.get("title", ""), "verdict": record["verdict"],
        "reader": record["source"].get("reader"), "encoding": record["source"].get("encoding"),
        "sha256": record["source"].get("sha256"),
        "value": [c["value"] for c in cells], "raw": [c.get("raw") for c in cells],
        "kind": [c.get("kind") for c in cells], "confidence": [c.get("confidence") for c in cells],
        "line": [c.get("line") for c in cells],
        "checks": {"rule": [c["rule"] for c in checks], "kind": [c.get("kind", "arithmetic") for c in checks],
                   "ok": [c["ok"] for c in checks], "severity": [c.get("severity") for c in checks],
                   "expected": [_number(c.get("expected")) for c in checks],
                   "printed": [_number(c.get("printed")) for c in checks],
                   "cells": [list(c.get("cells") or []) for c in checks],
                   "description": [c.get("description", "") for c in checks],
                   "text": [c.get("text", "") for c in checks], "note": [c.get("note", "") for c in checks]},
    }


def figures_key(record: dict) -> str | None:
    """Fingerprint of what a report says (template, year, issuer, every field): equal for two forms of one report.

    None without a year or issuer: equal figures alone do not make two reports one.
    """
    if record["year"] is None or not record["issuer"]:
        return None
    payload = [record["template"], record["year"], record["issuer"], list(record["fields"].values())]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def text_key(text: str) -> str:
    """Hash of the text without its whitespace: equal for one page re-encoded or with other line breaks."""
    return hashlib.sha256("".join(text.split()).encode("utf-8")).hexdigest()


def find_duplicates(reports: list[tuple[str, str, str | None, str | None]]) -> dict[str, tuple[str, str]]:
    """``(id, sha256, text key, figures key)`` of readable reports → {id: (id of the first copy, how it was found)}.

    Copies are the same bytes, the same text (re-encoded, other line breaks), or the same figures with
    the same issuer and year (one page saved as .txt and as .html); the first is the smallest id.
    """
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_of: dict[tuple, str] = {}
    keys_of = {}
    for report_id, sha, text, figures in reports:
        keys_of[report_id] = (sha, text, figures)
        for key in (("bytes", sha), ("text", text), ("figures", figures)):
            if key[1] is None:
                continue
            if key in first_of:
                a, b = root(first_of[key]), root(report_id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first_of[key] = report_id
    out = {}
    for report_id, (sha, text, figures) in keys_of.items():
        original = root(report_id)
        if original == report_id:
            continue
        o_sha, o_text, o_figures = keys_of[original]
        how = ("same bytes" if sha == o_sha else "same text" if text == o_text
               else "same figures, issuer and year" if figures == o_figures else "same as another copy")
        out[report_id] = (original, how)
    return out


def temporary_name(final: Path) -> Path:
    """A temporary file's name beside ``final``, unique to this process and call (never another's to clobber)."""
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


class TableFile:
    """One table written in chunks to temporary files, moved into place only by ``commit``."""

    def __init__(self, folder: Path, name: str, table_schema: pa.Schema, *, csv: bool = False):
        self.schema = table_schema
        self.paths = [folder / f"{name}.parquet"] + ([folder / f"{name}.csv"] if csv else [])
        self._tmp = [temporary_name(p) for p in self.paths]
        self._parquet = pq.ParquetWriter(self._tmp[0], table_schema, **PARQUET_OPTIONS)
        self._csv = None
        if csv:
            self._csv_file = open(self._tmp[1], "wb")
            self._csv_file.write(UTF8_BOM)
            self._csv = pa_csv.CSVWriter(self._csv_file, table_schema)

    def write(self, columns: dict[str, list]) -> None:
        batch = pa.RecordBatch.from_pydict(columns, schema=self.schema)
        if batch.num_rows == 0:
            return
        self._parquet.write_batch(batch)
        if self._csv:
            self._csv.write_batch(batch)

    @property
    def parquet_written(self) -> Path:
        """The Parquet file as written, before ``commit`` moves it into place."""
        return self._tmp[0]

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
            _chmod_like_new(self._tmp[0])
        if self._csv:
            self._csv.close()
            self._csv_file.close()
            self._csv = None
            _chmod_like_new(self._tmp[1])

    def commit(self) -> None:
        self.close()
        for tmp, final in zip(self._tmp, self.paths):
            os.replace(tmp, final)

    def abandon(self) -> None:
        try:
            self.close()
        except OSError:
            pass
        for tmp in self._tmp:
            tmp.unlink(missing_ok=True)


def _chmod_like_new(path: Path) -> None:
    os.chmod(path, NEW_FILE_MODE & ~process_umask())


def _columns(table_schema: pa.Schema) -> dict[str, list]:
    return {name: [] for name in table_schema.names}


class DatasetWriter:
    """Writes the tables of one batch; add reports in id order, then ``commit``."""

    TABLES = ("reports", "cells", "checks", "errors", "dictionary")

    def __init__(self, folder: Path):
        self.folder = folder
        self.files = {
            "reports": TableFile(folder, "reports", report_schema(), csv=True),
            "cells": TableFile(folder, "cells", CELL_SCHEMA),
            "checks": TableFile(folder, "checks", CHECK_SCHEMA),
            "errors": TableFile(folder, "errors", ERROR_SCHEMA, csv=True),
        }
        self._pending = {name: _columns(f.schema) for name, f in self.files.items()}
        self._wide_fields: list[list] = []
        self._per_report: dict[str, list] = {column: [] for column in PER_REPORT_CELL_COLUMNS}
        self._cell_templates: list[str] = []

    def add_report(self, report: str, source: str, summary: dict, duplicate_of: str | None,
                   duplicate_by: str | None) -> None:
        wide = self._pending["reports"]
        meta = {"report": report, "source": source, "template": summary["template"], "year": summary["year"],
                "issuer": summary["issuer"], "title": summary["title"], "verdict": summary["verdict"],
                "checks_failed": summary["checks"]["ok"].count(False),
                "checks_unchecked": summary["checks"]["ok"].count(None), "duplicate_of": duplicate_of,
                "duplicate_by": duplicate_by, "reader": summary["reader"], "encoding": summary["encoding"],
                "sha256": summary["sha256"]}
        for name, value in meta.items():
            wide[name].append(value)
        # The field columns a row at a time, turned into columns by ``flush``: a report fills a few hundred.
        fields = [None] * len(field_keys())
        money = _money_columns()
        for column, value in zip(_column_of(summary["template"]), summary["value"]):
            if value is not None:
                fields[column] = float(value) if money[column] else _count(value)
        self._wide_fields.append(fields)

        cells = self._pending["cells"]
        # The columns that repeat one value per report, or the template's own per cell, are made in Arrow by
        # ``flush`` (a take, a concatenation) rather than converted from a Python object per cell.
        for column, value in (("report", report), ("issuer", summary["issuer"]), ("year", summary["year"]),
                              ("template", summary["template"]), ("reader", summary["reader"])):
            self._per_report[column].append(value)
        self._cell_templates.append(summary["template"])
        _, money = _cell_columns(summary["template"])
        cells["value"].extend([None if is_amount else _count(value)
                               for value, is_amount in zip(summary["value"], money)])
        cells["amount_wan"].extend([_number(value) if is_amount else None
                                    for value, is_amount in zip(summary["value"], money)])
        for column in ("raw", "kind", "confidence", "line"):
            cells[column].extend(summary[column])

        checks = self._pending["checks"]
        found = summary["checks"]
        checks["report"].extend([report] * len(found["rule"]))
        for column, values_ in found.items():
            checks[column].extend(values_)

    def _cell_arrays(self) -> dict[str, pa.Array]:
        """The long table's per-report and per-template columns of the reports added since the last flush."""
        counts = [len(schema.template(t).keys) for t in self._cell_templates]
        rows = pa.array(np.repeat(np.arange(len(counts)), counts))
        arrays = {column: pa.array(values, CELL_SCHEMA.field(column).type).take(rows)
                  for column, values in self._per_report.items()}
        for column in _cell_columns(self._cell_templates[0])[0]:
            arrays[column] = pa.concat_arrays([_template_cell_array(t, column) for t in self._cell_templates])
        return arrays

    def add_error(self, report: str, source: str, reason: str) -> None:
        errors = self._pending["errors"]
        errors["report"].append(report)
        errors["source"].append(source)
        errors["reason"].append(reason)

    def flush(self) -> None:
        if self._wide_fields:
            for key, column in zip(field_keys(), zip(*self._wide_fields)):
                self._pending["reports"][key] = list(column)
            self._wide_fields = []
        if self._cell_templates:
            self._pending["cells"].update(self._cell_arrays())
            self._per_report = {column: [] for column in PER_REPORT_CELL_COLUMNS}
            self._cell_templates = []
        for name, table in self.files.items():
            table.write(self._pending[name])
        self._pending = {name: _columns(f.schema) for name, f in self.files.items()}

    def commit(self) -> None:
        """Every table and the DuckDB file written in full beside the old ones, then all moved into place: a
        full disk or a crash while writing leaves the dataset as it was (renames need no space)."""
        self.flush()
        dictionary = TableFile(self.folder, "dictionary", DICTIONARY_SCHEMA, csv=True)
        self.files["dictionary"] = dictionary
        dictionary.write(data_dictionary())
        for table in self.files.values():
            table.close()
        database = self.folder / "xxgk.duckdb"
        database_tmp = temporary_name(database)
        self._database_tmp = database_tmp
        write_duckdb({name: table.parquet_written for name, table in self.files.items()}, database_tmp)
        _chmod_like_new(database_tmp)
        for table in self.files.values():
            table.commit()
        os.replace(database_tmp, database)

    def abandon(self) -> None:
        for table in self.files.values():
            table.abandon()
        tmp = getattr(self, "_database_tmp", None)
        if tmp is not None:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)


def data_dictionary() -> dict[str, list]:
    """Every column of the wide table: key, templates, official Chinese label, unit, description."""
    rows = _columns(DICTIONARY_SCHEMA)

    def add(**row):
        for name in DICTIONARY_SCHEMA.names:
            rows[name].append(row.get(name, ""))

    for name, _, label, description in REPORT_COLUMNS:
        add(key=name, templates="2019 2021", label=label, description=description)
    specs: dict[str, dict[str, schema.FieldSpec]] = {}
    for name in schema.TEMPLATES:
        for spec in schema.template(name).fields:
            specs.setdefault(spec.key, {})[name] = spec
    for key in field_keys():
        by_template = specs[key]
        spec = by_template[max(by_template)]
        row_label = _label(by_template, "row_label")
        column_label = _label(by_template, "column_label")
        unit = "万元" if spec.is_money else ("件（可为负：本年增/减）" if spec.is_signed else "件")
        add(key=key, templates=" ".join(by_template), table=spec.table, label=f"{row_label} · {column_label}",
            row_label=row_label, column_label=column_label, unit=unit,
            description=f"{schema.TABLE_TITLES[spec.table]}：{row_label}，{column_label}")
    return rows


def dictionary_markdown() -> str:
    """docs/dictionary.md: every column of the wide table (``reports``) with its unit and meaning."""
    rows = data_dictionary()
    lines = ["# Data dictionary: the wide table `reports`", "",
             "Generated by `python -m xxgk.batch.dataset > docs/dictionary.md` from the template tables (a test "
             "keeps it current); the same rows are the dataset's `dictionary` table. Counts are BIGINT (件), "
             "amounts DOUBLE (万元); a key the report's template does not have is null. The other tables and "
             "the views: [dataset.md](dataset.md).", "",
             "| column | templates | unit | meaning |", "|---|---|---|---|"]
    for i, key in enumerate(rows["key"]):
        meaning = rows["description"][i] if rows["table"][i] else f"{rows['label'][i]}: {rows['description'][i]}"
        lines.append(f"| `{key}` | {rows['templates'][i]} | {rows['unit'][i] or '—'} | {meaning} |")
    return "\n".join(lines) + "\n"


def _label(by_template: dict[str, schema.FieldSpec], attribute: str) -> str:
    """The newest template's label, and an older template's own wording after it where it differs."""
    newest = max(by_template)
    label = getattr(by_template[newest], attribute)
    for name, spec in sorted(by_template.items()):
        if getattr(spec, attribute) != label:
            label += f"（{name}模板：{getattr(spec, attribute)}）"
    return label


def write_duckdb(tables: dict[str, Path], path: Path) -> None:
    """All tables (name → Parquet file) in one new DuckDB file at ``path``, plus a view without duplicates."""
    import duckdb

    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        # A fixed memory budget keeps memory flat in the number of reports: DuckDB writes its blocks out instead.
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        con.execute("SET enable_progress_bar = false")
        # One thread: copying Parquet files in order into tables is no work to share; on 2 cores (2,000
        # reports, loaded) a thread per core took 1.15 s of CPU and 3.4 s of wall, one thread 0.78 s and 2.1 s.
        con.execute("SET threads = 1")
        for name, parquet in tables.items():
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(parquet)])
        con.execute("CREATE VIEW unique_reports AS SELECT * FROM reports WHERE duplicate_of IS NULL")
        for name, query in subtotal_views().items():
            con.execute(f"CREATE VIEW {name} AS {query}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    Path(f"{path}.wal").unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------ subtotal views

_SECTION = re.compile(r"（[一二三四五六七八九十]+）[^\s（]+")


def outcome_groups(template: str) -> dict[str, tuple[str, ...]]:
    """Table 3's outcome rows by the template's own sections: （三）不予公开 1.–8. are ``denied``, （四）无法提供
    ``unavailable``, （五）不予处理 ``rejected``, （六）其他处理 ``other`` (one row in 2019, three in 2021); a
    section of one row is that row (``granted``, ``partially_granted``). Named by the rows' common key prefix."""
    rows = schema.template(template).rows_of("requests")
    sections: dict[str, list[str]] = {}
    for row in rows:
        if row.row in schema.REQUEST_INPUT_ROWS or row.row in (schema.REQUEST_TOTAL_ROW, schema.REQUEST_FORWARD_ROW):
            continue
        section = _SECTION.search(row.label)
        sections.setdefault(section.group(0) if section else row.row, []).append(row.row)
    groups = {}
    for members in sections.values():
        name = members[0] if len(members) == 1 else os.path.commonprefix(members).rstrip("_")
        groups[name] = tuple(members)
    return groups


REPORT_ID_COLUMNS = "report, issuer, year, template"


def _sum(keys: list[str]) -> str:
    return "(" + " + ".join(f'"{k}"' for k in keys) + ")"


def subtotal_views() -> dict[str, str]:
    """DuckDB views of the template's subtotals, over the reports without their duplicates (``unique_reports``):

    - ``request_outcomes``: per report and applicant column (``applicant``: natural_person … total), the
      applications received and carried, and each outcome section summed: granted, partially_granted, denied
      (不予公开), unavailable (无法提供), rejected (不予处理), other (其他处理), total, carried_forward;
    - ``appeal_outcomes``: per report and ``proceeding`` (review 行政复议, litigation_direct, litigation_after_review,
      and litigation 行政诉讼 = the two summed): upheld, corrected, other, pending, total.

    A subtotal is null when one of its cells is (missing or unreadable): unknown, never a partial sum."""
    names = {t: outcome_groups(t) for t in schema.TEMPLATES}
    columns = list(dict.fromkeys(name for groups in names.values() for name in groups))
    selects = []
    for template, groups in names.items():
        for applicant in schema.APPLICANT_COLUMNS:
            parts = [f"'{applicant}' AS applicant"]
            parts += [f'"requests.{row}.{applicant}" AS {row}' for row in schema.REQUEST_INPUT_ROWS]
            parts += [f"{_sum([f'requests.{row}.{applicant}' for row in groups[name]])} AS {name}"
                      for name in columns]
            parts += [f'"requests.{row}.{applicant}" AS {row}'
                      for row in (schema.REQUEST_TOTAL_ROW, schema.REQUEST_FORWARD_ROW)]
            selects.append(f"SELECT {REPORT_ID_COLUMNS}, {', '.join(parts)} FROM unique_reports "
                           f"WHERE template = '{template}'")
    views = {"request_outcomes": " UNION ALL ".join(selects)}
    litigation = [g for g in schema.APPEAL_GROUPS if g.startswith("litigation")]
    proceedings = {group: [group] for group in schema.APPEAL_GROUPS} | {"litigation": litigation}
    selects = []
    for proceeding, groups in proceedings.items():
        parts = [f"'{proceeding}' AS proceeding"]
        parts += [f"{_sum([f'appeals.{g}.{column}' for g in groups])} AS {column}" for column in schema.APPEAL_COLUMNS]
        selects.append(f"SELECT {REPORT_ID_COLUMNS}, {', '.join(parts)} FROM unique_reports")
    views["appeal_outcomes"] = " UNION ALL ".join(selects)
    return views


if __name__ == "__main__":
    print(dictionary_markdown(), end="")
