"""Saving a review as gold: ``GOLD/NAME.json``, one audit line per save, the raw report copied to ``RAW/``.

Two reviewers may open the same report. Every save names the version of the gold it was made from (``None``:
there was no gold yet); the version is a digest of the gold file's bytes, so any change to the file — a
colleague's save, an edit by hand — is seen. Under a lock on the gold folder, a save made from a version that
is no longer the file's is refused (``StaleSave``): nothing is overwritten, and the refused save is written to
the audit log beside the one it would have undone, so the audit shows both and no correction is lost.

Values are what the document prints: finite numbers or null, within the size of any count or amount a report
prints. The messages are the page's (Chinese): they are shown to the reviewer as they are.
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from ..record import write_record
from ..version import __version__
from .catalog import Report

# Beyond any count, or amount in 元, a report prints; a longer number is a typing slip (digits typed twice).
MAX_ABS_VALUE = 10 ** 12
# No annual report predates the 条例 (in force 1 May 2008); a year past next year is a typing slip.
FIRST_REPORT_YEAR = 2008
LAST_REPORT_YEAR = datetime.now(timezone.utc).year + 1
MAX_ISSUER_CHARS = 200     # the longest 发布机关 names are under 40 characters
MAX_REVIEWER_CHARS = 100
# One lock for the whole gold folder: a save takes milliseconds, and one hidden file is all it leaves behind.
LOCK_NAME = ".xxgk-review.lock"
LOCK_TIMEOUT_S = 30


class GoldError(ValueError):
    """A save that is not a gold record (the message is the page's)."""


class StaleSave(GoldError):
    """A save made from a version of the gold that is no longer the file's."""

    def __init__(self, made_from: str | None, current: str | None, last_save: dict | None, conflicts: list[str]):
        self.made_from, self.current, self.last_save, self.conflicts = made_from, current, last_save, conflicts
        who = (last_save or {}).get("reviewer") or "别人"
        when = (last_save or {}).get("at") or ""
        clash = f"；其中 {len(conflicts)} 格对方改成了别的值" if conflicts else ""
        super().__init__(f"这份报告在你打开之后已由 {who} {when} 保存过（版本 {current or '无'}，你的是 "
                         f"{made_from or '无'}）：为免覆盖对方的更正，这次保存没有写入{clash}。"
                         f"你的更正已记在审核日志里；按 R 载入最新版本后再改。")


# ---------------------------------------------------------------- reading

def gold_path(gold_dir: Path, name: str) -> Path:
    return gold_dir / f"{name}.json"


def audit_path(gold_dir: Path, name: str) -> Path:
    return gold_dir / f"{name}.audit.jsonl"


def version_of(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest()[:16] if data is not None else None


def gold_version(gold_dir: Path, name: str) -> str | None:
    """The version of a report's gold: a digest of the file's bytes, or None when there is no gold."""
    try:
        return version_of(gold_path(gold_dir, name).read_bytes())
    except FileNotFoundError:
        return None


def _refuse_constant(word: str):
    raise ValueError(f"{word} 不是数字")


def loads_finite(text: str | bytes):
    """JSON without NaN or Infinity (Python's json reads them; a browser's JSON.parse cannot)."""
    return json.loads(text, parse_constant=_refuse_constant)


def read_gold(gold_dir: Path, name: str) -> dict | None:
    """The saved gold of a report, or None (none saved, or a file that is not gold: it stays as it is)."""
    try:
        gold = loads_finite(gold_path(gold_dir, name).read_bytes())
    except (OSError, ValueError):
        return None
    if not (isinstance(gold, dict) and isinstance(gold.get("fields"), dict)):
        return None
    if any(v is not None and not is_value(v) for v in gold["fields"].values()):
        return None
    return gold


def last_save(gold_dir: Path, name: str) -> dict | None:
    """The audit line of the last save written (refused saves are skipped)."""
    try:
        lines = audit_path(gold_dir, name).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and not entry.get("refused"):
            return entry
    return None


# ---------------------------------------------------------------- checking what is saved

def is_value(v) -> bool:
    """A value a gold cell may hold: a finite number within MAX_ABS_VALUE (null is checked apart)."""
    return (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            and abs(v) <= MAX_ABS_VALUE)


def check_fields(report: Report, fields) -> dict:
    """FIELDS checked as a correction of REPORT: template keys, each a finite number or null."""
    if not isinstance(fields, dict):
        raise GoldError("fields 应是「键: 数值」的对象")
    keys = set(report.template.keys)
    unknown = sorted(set(fields) - keys)
    if unknown:
        raise GoldError(f"模板 {report.record['template']} 中没有这些键：{', '.join(unknown[:5])}")
    bad = [k for k, v in fields.items() if v is not None and not is_value(v)]
    if bad:
        raise GoldError(f"不是有限的数值（或超出 ±{MAX_ABS_VALUE:,}）：{', '.join(bad[:5])}")
    return fields


def gold_record(report: Report, fields: dict, year, issuer) -> dict:
    keys = report.template.keys
    check_fields(report, fields)
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)
                                 and FIRST_REPORT_YEAR <= year <= LAST_REPORT_YEAR):
        raise GoldError(f"年度应是 {FIRST_REPORT_YEAR}–{LAST_REPORT_YEAR} 之间的整数，不是 {year!r}")
    if issuer is not None and not (isinstance(issuer, str) and len(issuer) <= MAX_ISSUER_CHARS):
        raise GoldError(f"发布机关应是不超过 {MAX_ISSUER_CHARS} 字的文字")
    merged = {**report.record["fields"], **fields}
    return {"template": report.record["template"], "year": year, "issuer": issuer or "",
            "fields": {k: merged.get(k) for k in keys}}


# ---------------------------------------------------------------- saving

def _changes(report: Report, gold: dict) -> list[dict]:
    extracted = report.record
    changes = [{"key": k, "extracted": extracted["fields"].get(k), "gold": v,
                "raw": (extracted["cells"].get(k) or {}).get("raw")}
               for k, v in gold["fields"].items() if v != extracted["fields"].get(k)]
    changes += [{"key": part, "extracted": extracted.get(part), "gold": gold[part]}
                for part in ("year", "issuer") if gold[part] != extracted.get(part)]
    return changes


def _append_audit(gold_dir: Path, name: str, entry: dict) -> Path:
    path = audit_path(gold_dir, name)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, allow_nan=False) + "\n")
    return path


def _copy_raw(report: Report, raw_dir: Path | None) -> Path | None:
    """The raw report copied beside the gold corpus, if its source is a file inside the folders given."""
    source = report.readable_source()
    if raw_dir is None or source is None:
        return None
    raw_copy = raw_dir / f"{report.name}{report.source_path.suffix}"
    if raw_copy.exists() and raw_copy.resolve() == source:
        return raw_copy
    raw_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, raw_copy)
    return raw_copy


def save_gold(report: Report, fields: dict, *, year, issuer, gold_dir: Path, raw_dir: Path | None,
              reviewer: str, made_from: str | None, accepted: Iterable[str] = (), verdict: str | None = None) -> dict:
    """Write GOLD/NAME.json, append the audit line, copy the raw report; returns what was written.

    ``made_from`` is the version of the gold the correction was made from (``gold_version``; None when there
    was none). When the gold has changed since, nothing is written but the refused save's audit line, and
    ``StaleSave`` is raised.
    """
    from filelock import FileLock

    gold = gold_record(report, fields, year, issuer)
    accepted = sorted(set(accepted))
    unknown = set(accepted) - set(report.template.keys)
    if unknown:
        raise GoldError(f"确认的键不在模板中：{', '.join(sorted(unknown)[:5])}")
    if not isinstance(reviewer, str) or not reviewer or len(reviewer) > MAX_REVIEWER_CHARS:
        raise GoldError(f"审核人应是不超过 {MAX_REVIEWER_CHARS} 字的名字")
    gold_dir.mkdir(parents=True, exist_ok=True)
    changes = _changes(report, gold)
    entry = {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reviewer": reviewer,
        "report": report.name,
        "source": str(report.source_path) if report.source_path else None,
        "sha256": (report.record.get("source") or {}).get("sha256"),
        "xxgk_version": __version__,
        "made_from": made_from,
    }
    with FileLock(str(gold_dir / LOCK_NAME), timeout=LOCK_TIMEOUT_S):
        current = gold_version(gold_dir, report.name)
        if current != made_from:
            saved = read_gold(gold_dir, report.name) or {"fields": {}}
            conflicts = [c["key"] for c in changes
                         if c["key"] in gold["fields"] and saved["fields"].get(c["key"]) != c["gold"]
                         and saved["fields"].get(c["key"]) != c["extracted"]]
            refused = StaleSave(made_from, current, last_save(gold_dir, report.name), conflicts)
            _append_audit(gold_dir, report.name, {**entry, "refused": "stale", "gold_version": current,
                                                  "changes": changes, "accepted": accepted,
                                                  "conflicts": conflicts})
            raise refused
        previous = read_gold(gold_dir, report.name)
        written = write_record(gold, gold_path(gold_dir, report.name))
        version = gold_version(gold_dir, report.name)
        raw_copy = _copy_raw(report, raw_dir)
        audit = _append_audit(gold_dir, report.name, {
            **entry, "version": version, "verdict": verdict, "replaced_earlier_gold": previous is not None,
            "raw_copy": str(raw_copy) if raw_copy else None, "changes": changes, "accepted": accepted})
    return {"gold": str(written), "audit": str(audit), "raw": str(raw_copy) if raw_copy else None,
            "changes": changes, "version": version}
