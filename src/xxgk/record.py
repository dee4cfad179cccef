"""Assemble and write the canonical record (stage 5).

The top level (`template`, `year`, `issuer`, `fields`) is the contract of SCHEMA.md; everything else is
detail for people and tools: per-cell provenance, the checks and their repairs, the verdict, warnings.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import __version__, schema
from .check import CheckResult


def build_record(*, template: str, year, issuer: str, cells: dict, checks: list[CheckResult], repairs: dict,
                 verdict: str, source: dict, title: str, tables: dict, template_evidence: dict,
                 warnings: list[str], hybrid_other_row: dict | None = None) -> dict:
    spec = schema.template(template)
    record = {
        "template": template,
        "year": year,
        "issuer": issuer,
        "fields": {key: cells[key].value for key in spec.keys},
        "verdict": verdict,
        "xxgk_version": __version__,
        "source": source,
        "title": title,
        "template_evidence": template_evidence,
        "tables": tables,
        "cells": {key: cells[key].as_dict() for key in spec.keys},
        "checks": [c.as_dict() for c in checks if c.ok is not True],
        "checks_passed": sum(1 for c in checks if c.ok is True),
        "repairs": repairs,
        "warnings": warnings,
    }
    if hybrid_other_row:
        record["hybrid_other_row"] = {k: c.as_dict() for k, c in hybrid_other_row.items()}
    return record


def dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1)


def write_record(record: dict, path: str | Path) -> Path:
    """Write atomically, so an interrupted batch never leaves a half-written record."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps(record))
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
