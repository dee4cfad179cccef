"""Assemble and write the canonical record (stage 5).

The top level (`template`, `year`, `issuer`, `fields`) is the contract of SCHEMA.md; then the report's
verdict and a summary of the checks; everything else is detail for people and tools: per-cell provenance,
every check (arithmetic and prose), the repairs kept apart from `fields`, the narrative, warnings.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from . import schema
from .datamodel import CheckResult, Repairs
from .version import __version__


def build_record(*, template: str, year, issuer: str, cells: dict, checks: list[CheckResult], repairs: Repairs,
                 verdict: str, source: dict, title: str, tables: dict, template_evidence: dict,
                 warnings: list[str], hybrid_other_row: dict | None = None, split_runs: list | None = None,
                 narrative: list | None = None) -> dict:
    spec = schema.template(template)
    record = {
        "template": template,
        "year": year,
        "issuer": issuer,
        "fields": {key: cells[key].value for key in spec.keys},
        "verdict": verdict,
        "summary": summary(checks, repairs),
        "xxgk_version": __version__,
        "source": source,
        "title": title,
        "template_evidence": template_evidence,
        "tables": tables,
        "cells": {key: cells[key].as_dict() for key in spec.keys},
        **check_part(checks, repairs, split_runs, narrative),
        "warnings": warnings,
    }
    if hybrid_other_row:
        record["hybrid_other_row"] = {k: c.as_dict() for k, c in hybrid_other_row.items()}
    return record


def check_part(checks: list[CheckResult], repairs: Repairs, split_runs: list | None = None,
               narrative: list | None = None) -> dict:
    """What the checks found: every result, the repairs (never written into ``fields``), what could not be
    repaired and why, the digit runs the sums split, and the prose's numbers that the tables do not hold."""
    return {
        "checks": [c.as_dict() for c in checks],
        "checks_passed": sum(1 for c in checks if c.ok is True),
        "repairs": repairs.repairs,
        "repair_candidates": repairs.candidates,
        "split_runs": split_runs or [],
        "narrative": narrative or [],
    }


def summary(checks: list[CheckResult], repairs: Repairs) -> dict:
    arithmetic = [c for c in checks if c.kind == "arithmetic"]
    prose = [c for c in checks if c.kind == "prose"]
    return {
        "identities": len(arithmetic),
        "hold": sum(c.ok is True for c in arithmetic),
        "fail": sum(c.ok is False for c in arithmetic),
        "uncheckable": sum(c.ok is None for c in arithmetic),
        "prose_agrees": sum(c.ok is True for c in prose),
        "prose_disagrees": sum(c.ok is False for c in prose),
        "repairs": len(repairs.repairs),
        "unresolved": len(repairs.candidates),
    }


def dumps(record: dict) -> str:
    """The record as written: ``json.dumps(record, ensure_ascii=False, indent=1)``, byte for byte.

    The standard library indents in Python (its C encoder writes only compact JSON): 1.6 ms or more of a
    report's 10. ujson writes the same text in C, with one difference in what a record can hold: it writes a
    float's exponent from -5 to -9 with one digit (``1e-5``) where ``json`` pads it to two (``1e-05``). Such a
    text (or a string that looks like one) goes to ``json`` instead, and so does whatever ujson refuses or
    when it is not installed: the output is ``json``'s always (tests/test_record_dumps.py compares the two)."""
    if _ujson is not None:
        try:
            text = _ujson.dumps(record, ensure_ascii=False, indent=1, escape_forward_slashes=False)
        except (TypeError, ValueError, OverflowError):
            text = None
        if text is not None and not _ONE_DIGIT_EXPONENT.search(text):
            return text
    return json.dumps(record, ensure_ascii=False, indent=1)


def dumps_compact(value) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, byte for byte: a batch's record line.

    The C encoder of ``json`` takes 0.45 ms of a generated report's record, ujson 0.26 ms (with the look for
    a one-digit exponent); the same fallback to ``json`` as ``dumps`` keeps the text ``json``'s always."""
    if _ujson is not None:
        try:
            text = _ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
        except (TypeError, ValueError, OverflowError):
            text = None
        if text is not None and not _ONE_DIGIT_EXPONENT.search(text):
            return text
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


try:
    import ujson as _ujson
except ImportError:      # a dependency (pyproject.toml), but json writes the same text, only slower
    _ujson = None
# Where ujson's text can differ from json's: a negative exponent of one digit (json writes e-05, ujson e-5).
_ONE_DIGIT_EXPONENT = re.compile(r"e-\d(?!\d)")


def write_record(record: dict, path: str | Path) -> Path:
    """Write atomically, so an interrupted batch never leaves a half-written record."""
    return write_text_atomically(path, dumps(record) + "\n")


def write_text_atomically(path: str | Path, text: str | bytes, mode: int | None = None) -> Path:
    """``text`` into ``path`` through a temporary file of a unique name beside it, renamed into place: a reader
    sees the old file or the new one, never half of one. The file gets the permissions any new file gets
    here (0666 less the umask), not the temporary file's 0600: others on a shared disk must read it.
    ``mode``: those permissions when the caller knows them already (reading the umask costs a read of /proc).
    Bytes are written as they are (a caller that has encoded its text already)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as fh:
            fh.write(text)
            os.fchmod(fh.fileno(), NEW_FILE_MODE & ~process_umask() if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


NEW_FILE_MODE = 0o666   # what open() asks for; the umask takes away from it


def process_umask() -> int:
    """The process's umask, read without changing it (/proc), or by setting it back at once elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
