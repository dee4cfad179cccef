"""Bad bytes, odd-length UTF-16, binaries and FIFOs: a report with a few damaged bytes is read, its damaged
lines' cells marked unsure; only real binaries are refused; nothing hangs."""
from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from xxgk.generate import random_record, render
from xxgk.pipeline import extract_bytes
from xxgk.readers import ReadError, read_bytes
from xxgk.readers.decode import REPLACEMENT, bad_byte_budget, decode_text

XXGK = [sys.executable, "-c", "from xxgk.cli import app; app()"]


@pytest.fixture(scope="module")
def report_text() -> str:
    """A 2021 report with applications as a scrape prints it, one table row per line (tabs), with no noise."""
    rng = random.Random(7)
    record = random_record("2021", rng)
    while not record["fields"]["requests.new.total"]:
        record = random_record("2021", rng)
    return render(record, "tab_rows", random.Random(8), noise=0.0)


def _line_of(text: str, label: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if label in line and "\t" in line)


def _damage(data: bytes, after: bytes, bad: bytes = b"\xff") -> bytes:
    at = data.index(after) + len(after)
    return data[:at] + bad + data[at:]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_bad_byte_is_replaced_and_the_cells_of_its_line_marked_unsure(report_text, encoding):
    clean = extract_bytes(report_text.encode(encoding), "clean.txt")
    label = "本年新收政府信息公开申请数量"
    line = _line_of(report_text, label)
    damaged = extract_bytes(_damage(report_text.encode(encoding), label.encode(encoding)), "damaged.txt")

    assert damaged["source"]["encoding"] == encoding
    assert damaged["fields"] == clean["fields"]                   # the digits were not touched: same values
    on_line = {k for k, c in damaged["cells"].items() if c["line"] == line}
    assert len(on_line) == 7                                      # the row's seven columns
    for key, cell in damaged["cells"].items():
        if key in on_line:
            assert cell["confidence"] < 0.9 and "could not read" in cell["note"], key
        else:
            assert cell["confidence"] == clean["cells"][key]["confidence"], key
    warning = next(w for w in damaged["warnings"] if "could not be decoded" in w)
    assert warning.startswith("1 byte(s)") and "7 cell(s)" in warning


def test_a_bad_byte_inside_a_number_is_flagged_never_read_as_sure(report_text):
    line = _line_of(report_text, "本年新收政府信息公开申请数量")
    lines = report_text.split("\n")
    row = lines[line - 1]
    digit = next(i for i, ch in enumerate(row) if ch in "123456789")     # the first non-zero digit of the row
    before = "\n".join(lines[:line - 1] + [row[:digit]]).encode("utf-8")
    after = "\n".join([row[digit + 1:]] + lines[line:]).encode("utf-8")
    record = extract_bytes(before + b"\x80" + after, "lost-digit.txt")
    assert all(c["confidence"] < 0.9 for c in record["cells"].values() if c["line"] == line)
    assert any(c["line"] == line for c in record["cells"].values())
    assert any("could not be decoded" in w for w in record["warnings"])


def test_utf16_with_a_bom_and_an_odd_byte_count_is_read(report_text):
    data = report_text.encode("utf-16")            # with its BOM
    clean = extract_bytes(data, "u16.txt")
    record = extract_bytes(data + b"\x00", "u16-odd.txt")
    assert record["source"]["encoding"] == "utf-16-le" and record["fields"] == clean["fields"]
    assert any(w.startswith("1 byte(s)") for w in record["warnings"])


def test_utf16_without_a_bom_and_an_odd_byte_count_is_read(report_text):
    data = report_text.encode("utf-16-be")
    record = extract_bytes(data[:-1], "u16be-odd.txt")             # the last character cut in half
    assert record["source"]["encoding"] == "utf-16-be"
    assert record["fields"] == extract_bytes(data, "u16be.txt")["fields"]


def test_real_binaries_and_texts_full_of_bad_bytes_are_refused(report_text):
    rng = random.Random(0)
    with pytest.raises(ReadError, match="binary input"):
        read_bytes(bytes(rng.randrange(256) for _ in range(4000)), "noise.bin")
    data = bytearray(report_text.encode("utf-8"))
    for i in rng.sample(range(len(data)), bad_byte_budget(len(data)) * 4):
        data[i] = 0xFF
    with pytest.raises(ReadError, match="binary input"):
        read_bytes(bytes(data), "shredded.txt")


def test_a_few_bad_bytes_are_counted_each_run_shown_once():
    decoded = decode_text("政府信息公开".encode("utf-8") + b"\xff\xfe" + "工作年度报告".encode("utf-8"))
    assert (decoded.encoding, decoded.bad_bytes) == ("utf-8", 2)
    assert decoded.text == f"政府信息公开{REPLACEMENT}工作年度报告"


def test_a_gbk_text_is_not_taken_for_damaged_utf8(report_text):
    decoded = decode_text(report_text.encode("gb18030"))
    assert (decoded.encoding, decoded.bad_bytes, decoded.text) == ("gb18030", 0, report_text)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_on_the_command_line_is_one_line_and_no_hang(tmp_path, report_text):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text(report_text, encoding="utf-8")
    done = subprocess.run([*XXGK, "extract", str(fifo), str(good), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    lines = [line for line in done.stderr.splitlines() if "pipe.txt" in line]
    assert lines == [f"xxgk: {fifo}: not a regular file (a FIFO); only files are read"]
    assert done.returncode == 1 and (tmp_path / "out" / "good.json").is_file()
