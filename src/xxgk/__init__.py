"""xxgk: China's government information-disclosure annual reports (政府信息公开工作年度报告) as clean, checked data.

    import xxgk

    record = xxgk.extract_file("report.pdf")          # or .html, .docx, .doc, .md, .txt
    record["fields"]["requests.new.total"]            # a canonical key of SCHEMA.md
    record["verdict"]                                  # consistent | inconsistent | incomplete

The public API is ``__all__``; its names are loaded on first use, so ``import xxgk`` costs nothing.
The package, one subpackage per stage, each importing only those below it:

- ``readers``: a file's bytes to text (PDF, DOCX/DOC, HTML, Markdown, text);
- ``labels``: label strings to canonical categories (dictionary, n-grams, student, transformer);
- ``checks``: the template's arithmetic, the prose against the tables, the years of one issuer;
- ``tables``: text to the template's cells (tokens, row labels, placement, recovery, the PDF tables' judge);
- ``meta`` and ``record``: year, issuer and the JSON record; ``pipeline``: the stages in order;
- ``evaluate``, ``generate``, ``batch``, ``review``, ``training``: scoring, generated reports, whole corpora,
  review in the browser, the label classifier's training; ``cli``: the ``xxgk`` command.

``text``, ``schema``, ``datamodel`` and ``options`` are the ground they stand on.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .version import __version__

__all__ = ["NotAReport", "Options", "ReadError", "SeveralReports", "__version__", "check_record", "classify_labels",
           "extract_bytes", "extract_file", "extract_reports", "extract_text", "run_batch"]

# name -> the module that defines it (imported when the name is first used)
_PUBLIC = {
    "extract_file": "xxgk.pipeline",
    "extract_text": "xxgk.pipeline",
    "extract_bytes": "xxgk.pipeline",
    "check_record": "xxgk.pipeline",
    "NotAReport": "xxgk.pipeline",
    "SeveralReports": "xxgk.pipeline",
    "extract_reports": "xxgk.pipeline",
    "ReadError": "xxgk.readers.base",
    "Options": "xxgk.options",
    "classify_labels": "xxgk.labels.stages",
    "run_batch": "xxgk.batch.runner",
}

if TYPE_CHECKING:
    from .batch.runner import run_batch
    from .labels.stages import classify_labels
    from .options import Options
    from .pipeline import (NotAReport, SeveralReports, check_record, extract_bytes, extract_file, extract_reports,
                           extract_text)
    from .readers.base import ReadError


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_PUBLIC[name]), name)
    globals()[name] = value      # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
