"""``record.dumps`` writes ujson's text only where it is ``json.dumps(ensure_ascii=False, indent=1)``'s, byte
for byte: on real records, and on the values where the two libraries could part (floats of every magnitude,
control characters, keys that are not strings, what ujson refuses)."""
from __future__ import annotations

import json
import math
import random
import struct
from pathlib import Path

import pytest

from xxgk import record
from xxgk.pipeline import extract_reports

REPO = Path(__file__).resolve().parent.parent
FORMS = REPO / "tests" / "fixtures" / "forms"


def reference(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def test_ujson_is_installed():
    # A dependency of the core: without it every record is written by json, slower.
    assert record._ujson is not None


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.txt"))[:12], ids=lambda p: p.name)
def test_real_records_are_written_as_json_writes_them(path):
    for rec in extract_reports(path):
        assert record.dumps(rec) == reference(rec)


def _floats() -> list[float]:
    rng = random.Random(7)
    floats = [rng.uniform(-1e4, 1e4) for _ in range(5000)]
    floats += [10 ** rng.uniform(-30, 30) for _ in range(5000)]
    floats += [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(5000)]
    floats += [0.0, -0.0, 1e16, 1e15, 1e-4, 1e-5, 9.9e-5, 1e-9, 1e-10, 0.1, 1 / 3, 5e-324, 1.7976931348623157e308]
    return [f for f in floats if math.isfinite(f)]


VALUES = [
    _floats(),
    {"confidence": 1e-05, "other": [2.5e-07, 3e-9]},        # the exponents ujson writes with one digit
    [0, -1, 2**63 - 1, -2**63, 2**64 - 1, 2**64, 10**30, True, False, None],
    ["".join(map(chr, range(0x80))), "\u2028\u2029", "a/b", "中文\ud7ff\ue000\uffff\U0001f600", "\x7f\x80\x9f",
     "e-5 written in a string"],
    {1: 1, "b": 2}, {True: 1}, {1.5: 1}, {None: 1},
    float("nan"), [float("inf"), float("-inf")],
    [[], {}, [[]], {"a": {}}], (1, 2), "\ud800",
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_where_the_libraries_could_part(value):
    assert record.dumps(value) == reference(value)


def compact_reference(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.txt"))[:12], ids=lambda p: p.name)
def test_real_records_are_written_compact_as_json_writes_them(path):
    # A batch's record line (``record.dumps_compact``): ujson's compact text where it is json's.
    for rec in extract_reports(path):
        assert record.dumps_compact(rec) == compact_reference(rec)


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_compact_values_where_the_libraries_could_part(value):
    assert record.dumps_compact(value) == compact_reference(value)


def test_without_ujson_json_writes(monkeypatch):
    monkeypatch.setattr(record, "_ujson", None)
    value = {"a": [1, 2.5, "中"]}
    assert record.dumps(value) == reference(value)
    assert record.dumps_compact(value) == compact_reference(value)
