"""A reader that is not sure of what it read (OCR, bytes decoded with doubt) says so per line and tab cell
(``Document.line_confidence``); the record's cells never claim more than that. Reports come from the generator's
tab-row form, the shape the OCR reader writes its tables in."""
from __future__ import annotations

import random

import pytest

from xxgk.datamodel import Document
from xxgk.generate import random_record, render_report
from xxgk.pipeline import extract_document
from xxgk.tables import tokens


@pytest.fixture(scope="module")
def report():
    rng = random.Random(11)
    record = random_record("2019", rng)
    text = render_report(record, "tab_rows", rng, noise=0.0).text
    return text, text.split("\n")


def _line_of(lines: list[str], label: str) -> int:
    return next(i for i, line in enumerate(lines, 1) if label in line and "\t" in line)


def _extract(text: str, line_confidence: dict) -> dict:
    return extract_document(Document(text, "r", "r", "utf-8", "text", "", [], line_confidence))


def test_without_confidences_nothing_changes(report):
    text, _ = report
    plain = extract_document(Document(text, "r", "r", "utf-8", "text", ""))
    assert _extract(text, {})["cells"] == plain["cells"]


def test_an_unsure_value_caps_its_cell_and_puts_its_row_in_doubt(report):
    text, lines = report
    baseline = _extract(text, {})
    line = _line_of(lines, "（一）予以公开")
    cells = lines[line - 1].split("\t")
    first_value = next(i for i, c in enumerate(cells) if c.strip().isdigit())
    confidences = [1.0] * len(cells)
    confidences[first_value] = 0.4
    record = _extract(text, {line: confidences})
    row = {k: c for k, c in record["cells"].items() if k.startswith("requests.granted.")}
    assert row and all(c["line"] == line for c in row.values())
    assert record["cells"]["requests.granted.natural_person"]["confidence"] == pytest.approx(0.4)
    assert "confidence 0.40 by the reader" in record["cells"]["requests.granted.natural_person"]["note"]
    # the row's other cells: placed by their order beside an unsure one, no surer than it
    assert all(c["confidence"] <= 0.4 for c in row.values())
    assert all("in doubt" in c["note"] for k, c in row.items() if k != "requests.granted.natural_person")
    # every other cell as it was
    others = {k: c for k, c in record["cells"].items() if not k.startswith("requests.granted.")}
    assert others == {k: c for k, c in baseline["cells"].items() if k in others}
    assert record["fields"] == baseline["fields"]


def test_an_unsure_chinese_label_places_no_doubt_on_the_values(report):
    text, lines = report
    baseline = _extract(text, {})
    line = _line_of(lines, "规范性文件")
    cells = lines[line - 1].split("\t")
    confidences = [0.3 if "规范性文件" in c else 1.0 for c in cells]
    record = _extract(text, {line: confidences})
    assert record["cells"] == baseline["cells"]


def test_a_whole_line_marked_unsure_caps_every_cell_read_from_it(report):
    text, lines = report
    line = _line_of(lines, "（七）总计")
    record = _extract(text, {line: [0.55]})
    row = {k: c for k, c in record["cells"].items() if k.startswith("requests.total.")}
    assert row and all(c["confidence"] <= 0.55 for c in row.values())


def test_tokens_carry_the_confidence_of_the_cell_they_come_from():
    text = "标题\n规章\t12\t0\t7\n其他\t3 4\t5"
    got = tokens.tokenize(text, {2: [1.0, 0.8, 0.6, 0.97], 3: [0.5]})
    by_text = {(t.line, t.text): t.confidence for t in got if t.kind != "break"}
    assert by_text[(1, "标题")] == 1.0
    assert by_text[(2, "规章")] == 1.0 and by_text[(2, "12")] == 0.8 and by_text[(2, "0")] == 0.6
    assert by_text[(2, "7")] == 0.97
    assert by_text[(3, "3")] == by_text[(3, "4")] == by_text[(3, "5")] == 0.5
