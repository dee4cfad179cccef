"""Score predicted records against gold records, cell by cell.

Only the contract part of a record is scored (``template``, ``year``, ``issuer``, ``fields``);
the prediction's ``cells`` are read solely to tell a flagged error (the reader said it was unsure)
from a silent one (the reader was confident and wrong), since silent errors are the costly kind.
"""
from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from xxgk.schema import TABLES

FLOAT_TOLERANCE = 1e-6
CONFIDENT = 0.9
UNSURE_KINDS = ("ambiguous", "missing")


class RecordError(ValueError):
    """A record file that cannot be used: unreadable, not JSON, or not a record."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _read_record(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(path, f"cannot read file ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise RecordError(path, f"invalid JSON ({exc})") from exc
    if not isinstance(record, dict):
        raise RecordError(path, f"top level is {type(record).__name__}, expected an object")
    if not isinstance(record.get("fields"), dict):
        raise RecordError(path, "no 'fields' object")
    return record


def load_records(path: str | Path, *, errors: dict[str, str] | None = None) -> dict[str, dict]:
    """Records of a folder (``*.json``, recursively) or of one file, keyed by file stem.

    A bad file raises :class:`RecordError`, unless ``errors`` is given: then the file is skipped
    and ``errors[stem]`` says why (how predictions are loaded, so one bad file cannot stop a run).
    """
    path = Path(path)
    if not path.exists():
        raise RecordError(path, "no such file or folder")
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    records: dict[str, dict] = {}
    origin: dict[str, Path] = {}
    for file in files:
        try:
            if file.stem in origin:
                raise RecordError(file, f"same name as {origin[file.stem]}")
            records[file.stem] = _read_record(file)
            origin[file.stem] = file
        except RecordError as exc:
            if errors is None:
                raise
            errors[file.stem] = str(exc)
    return records


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def values_match(gold: Any, read: Any) -> bool:
    if gold is None:
        return read is None
    if not (_is_number(gold) and _is_number(read)):
        return False
    if isinstance(gold, float) or isinstance(read, float):
        return math.isclose(gold, read, rel_tol=0.0, abs_tol=FLOAT_TOLERANCE)
    return gold == read


class _Tally:
    def __init__(self) -> None:
        self.correct = 0
        self.total = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += bool(ok)

    def as_dict(self) -> dict:
        accuracy = self.correct / self.total if self.total else None
        return {"correct": self.correct, "total": self.total, "accuracy": accuracy}


def _cell_of(pred: dict, key: str) -> dict:
    cell = (pred.get("cells") or {}).get(key)
    return cell if isinstance(cell, dict) else {}


def _flagged(cell: dict, read: Any) -> bool:
    """The record itself says the cell is unsure: no value, an unsure kind, or a confidence under the line."""
    confidence = cell.get("confidence")
    return (read is None or cell.get("kind") in UNSURE_KINDS
            or (_is_number(confidence) and confidence < CONFIDENT))


def _wrong_cell(name: str, key: str, gold: Any, read: Any, pred: dict) -> dict:
    cell = _cell_of(pred, key)
    return {"report": name, "key": key, "gold": gold, "read": read, "raw": cell.get("raw"),
            "kind": cell.get("kind"), "confidence": cell.get("confidence"), "flagged": _flagged(cell, read)}


def evaluate(gold: dict[str, dict], pred: dict[str, dict], *,
             unreadable: dict[str, str] | None = None) -> dict:
    """Compare every gold report with its prediction (same key); see the module doc for the scoring.

    ``unreadable`` names prediction files that could not be loaded; their reports count as missing.
    """
    fields, nonzero, perfect = _Tally(), _Tally(), _Tally()
    # The cost of caution: right cells the record flags as unsure (a user checks them for nothing).
    right_flagged = _Tally()
    template_ok, year_ok, issuer_ok = _Tally(), _Tally(), _Tally()
    per_table: dict[str, _Tally] = {t: _Tally() for t in TABLES}
    per_template: dict[str, _Tally] = defaultdict(_Tally)
    per_report: dict[str, dict] = {}
    wrong: list[dict] = []
    missing: list[str] = []

    for name in sorted(gold):
        gold_record = gold[name]
        record = pred.get(name)
        if record is None:
            missing.append(name)
            record = {}
        read_fields = record.get("fields") or {}
        for tally, part in ((template_ok, "template"), (year_ok, "year"), (issuer_ok, "issuer")):
            tally.add(bool(record) and record.get(part) == gold_record.get(part))
        report = _Tally()
        report_wrong: list[dict] = []
        for key, gold_value in gold_record["fields"].items():
            read = read_fields.get(key)
            ok = bool(record) and values_match(gold_value, read)
            report.add(ok)
            fields.add(ok)
            per_table.setdefault(key.split(".", 1)[0], _Tally()).add(ok)
            per_template[str(gold_record.get("template"))].add(ok)
            if gold_value is not None and gold_value != 0:
                nonzero.add(ok)
            if not ok and record:
                report_wrong.append(_wrong_cell(name, key, gold_value, read, record))
            elif ok and record and gold_value is not None:
                right_flagged.add(_flagged(_cell_of(record, key), read))
        perfect.add(report.correct == report.total)
        wrong.extend(report_wrong)
        per_report[name] = {**report.as_dict(), "predicted": bool(record),
                            "silent": sum(not w["flagged"] for w in report_wrong)}

    silent = sum(not w["flagged"] for w in wrong)
    return {
        "reports": len(gold),
        "predicted": len(gold) - len(missing),
        "missing": missing,
        "unreadable": dict(sorted((unreadable or {}).items())),
        "extra": sorted(set(pred) - set(gold)),
        "fields": fields.as_dict(),
        "nonzero": nonzero.as_dict(),
        "perfect": perfect.as_dict(),
        "template": template_ok.as_dict(),
        "year": year_ok.as_dict(),
        "issuer": issuer_ok.as_dict(),
        "per_table": {t: tally.as_dict() for t, tally in per_table.items() if tally.total},
        "per_template": {t: per_template[t].as_dict() for t in sorted(per_template)},
        "silent_errors": silent,
        "flagged_errors": len(wrong) - silent,
        "right_flagged": right_flagged.as_dict(),
        # Silent errors first: they are the ones a user would never notice.
        "wrong": sorted(wrong, key=lambda w: w["flagged"]),
        "per_report": per_report,
    }


def _ratio(tally: dict) -> str:
    accuracy = "   n/a" if tally["accuracy"] is None else f"{tally['accuracy']:.4f}"
    return f"{accuracy}  ({tally['correct']}/{tally['total']})"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


def _shorten(value: Any, limit: int = 24) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _wrong_table(wrong: list[dict]) -> list[str]:
    header = ("report", "key", "gold", "read", "raw", "kind", "conf", "error")
    rows = [header]
    for w in wrong:
        confidence = "" if w["confidence"] is None else f"{w['confidence']:.2f}"
        rows.append((_shorten(w["report"], 28), w["key"], _shorten(w["gold"], 12),
                     "null" if w["read"] is None else _shorten(w["read"], 12), _shorten(w["raw"]),
                     _shorten(w["kind"], 10), confidence, "flagged" if w["flagged"] else "SILENT"))
    widths = [max(cell_len(r[i]) for r in rows) for i in range(len(header))]
    return ["  " + "  ".join(_pad(c, wd) for c, wd in zip(r, widths)).rstrip() for r in rows]


def format_report(result: dict, max_wrong: int = 30) -> str:
    perfect = result["perfect"]
    lines = [
        f"reports             {result['reports']}  (predicted {result['predicted']})",
        f"field accuracy      {_ratio(result['fields'])}",
        f"non-zero accuracy   {_ratio(result['nonzero'])}",
        f"perfect reports     {perfect['correct']}/{perfect['total']}",
        f"template accuracy   {_ratio(result['template'])}",
        f"year accuracy       {_ratio(result['year'])}",
        f"issuer accuracy     {_ratio(result['issuer'])}",
        f"wrong cells         {result['silent_errors'] + result['flagged_errors']}"
        f"  (silent {result['silent_errors']}, flagged {result['flagged_errors']})",
    ]
    if "right_flagged" in result:
        lines.append(f"right cells flagged {_ratio(result['right_flagged'])}")
    lines += [f"  table {t:<13} {_ratio(tally)}" for t, tally in result["per_table"].items()]
    lines += [f"  template {t:<10} {_ratio(tally)}" for t, tally in result["per_template"].items()]
    if result["missing"]:
        lines.append(f"no prediction       {len(result['missing'])}: {', '.join(result['missing'])}")
    for name, reason in result["unreadable"].items():
        lines.append(f"unreadable          {name}: {reason}")
    if result["extra"]:
        lines.append(f"not in gold         {len(result['extra'])} predictions ignored")
    wrong = result["wrong"]
    if wrong:
        shown = wrong[:max_wrong]
        lines.append("")
        lines.append(f"wrong cells (silent first), {len(shown)} of {len(wrong)}:")
        lines += _wrong_table(shown)
    return "\n".join(lines)


def run_eval(gold_path: str | Path, pred_path: str | Path, json_out: str | Path | None = None,
             max_wrong: int = 30) -> int:
    """Print the report of PRED against GOLD (``json_out`` "-": the results as JSON instead); 2 when nothing
    could be evaluated, else 0. Messages are ``xxgk: PATH: reason`` on stderr."""
    try:
        gold = load_records(gold_path)
    except RecordError as exc:
        _say(f"{exc} (gold)")
        return 2
    if not gold:
        _say(f"{gold_path}: no gold records (*.json)")
        return 2
    unreadable: dict[str, str] = {}
    try:
        pred = load_records(pred_path, errors=unreadable)
    except RecordError as exc:
        _say(f"{exc} (predictions)")
        return 2
    result = evaluate(gold, pred, unreadable=unreadable)
    as_json = json.dumps(result, ensure_ascii=False, indent=1)
    if json_out is not None and str(json_out) == "-":
        print(as_json)
    else:
        print(format_report(result, max_wrong=max_wrong))
        if json_out is not None:
            Path(json_out).write_text(as_json + "\n", encoding="utf-8")
    if result["predicted"] == 0:
        _say(f"{pred_path}: no gold report has a readable prediction here (predictions are matched by file name)")
        return 2
    return 0


def _say(message: str) -> None:
    print(f"xxgk: {message}", file=sys.stderr)
