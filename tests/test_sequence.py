"""Tables whose row labels stand apart from their numbers, read in the template's order (``xxgk.tables.sequence``).

The input is real: the plain ``pdftotext`` text of the real PDFs in corpus/real (labels detached from their
numbers, blocks of short rows printed column by column, table 4's groups interleaved), scored against their
hand-checked gold; and the same tool on a generated page printed to PDF by Chromium.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from xxgk.evaluate import evaluate
from xxgk.generate import gold_of, random_record, render_report
from xxgk.generate.forms import draw_page_style
from xxgk.generate.tools import PDF_CHROMIUM, make_files, pdftotext
from xxgk.pipeline import extract_text

REAL = Path(__file__).resolve().parents[1] / "corpus" / "real"
CONFIDENT = 0.9


def _real(name: str) -> tuple[dict, dict]:
    text = (REAL / "raw" / f"{name}.txt").read_text(encoding="utf-8")
    gold = json.loads((REAL / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    pred = extract_text(text, name)
    return pred, evaluate({name: gold}, {name: pred})


@pytest.mark.parametrize("name", ["011_huaian-szf-2024", "101_huaian-hongze-qzf-2023", "102_huaian-hongze-qzf-2024"])
def test_real_pdftotext_tables_read_in_the_templates_order(name):
    """Plain pdftotext of three real reports: table 3's labels stand after their numbers or in a block of their
    own, and runs of short rows are printed column by column (0 1 0 0 0 1 1 0 10 3 / 0 … for ten rows). Before,
    most of table 3 and all of table 4 were unread; now every cell is the gold's, none wrong and trusted."""
    pred, result = _real(name)
    assert result["per_table"]["requests"]["accuracy"] == 1.0
    assert result["per_table"]["appeals"]["accuracy"] == 1.0
    assert result["silent_errors"] == 0


def test_groups_the_totals_cannot_tell_apart_are_flagged():
    """011's table 4 prints its groups' columns interleaved (72 64 178 37 / 12 1 1 6 / 351 / 13 4 8 1 26 / 20):
    the totals split them into groups in two ways (which of the 1s is whose), so the cells those ways disagree on
    are ambiguous, flagged, with both values as candidates. Of the cells they agree on, the totals are read; the
    parts are flagged too: a group's total holds whichever column each part stands in, and plain pdftotext can print
    a group's parts in another order than the page's (seed 0's rf009, tests/fixtures/forms)."""
    pred, _ = _real("011_huaian-szf-2024")
    cells = {k.removeprefix("appeals."): c for k, c in pred["cells"].items() if k.startswith("appeals.")}
    open_cells = {k for k, c in cells.items() if c["kind"] == "ambiguous"}
    assert open_cells == {"litigation_direct.upheld", "litigation_direct.corrected", "litigation_direct.other",
                          "litigation_direct.pending", "litigation_after_review.other",
                          "litigation_after_review.pending"}
    for key in open_cells:
        assert cells[key]["confidence"] < CONFIDENT and len(cells[key]["candidates"]) == 2
    totals = {k for k in cells if k.endswith(".total")}
    assert all(cells[k]["confidence"] >= CONFIDENT for k in totals)
    assert all(c["confidence"] < CONFIDENT and "whichever of its columns" in c["note"]
               for k, c in cells.items() if k not in open_cells | totals)


def test_a_row_missing_from_the_text_leaves_the_order_unread():
    """With one row's seven numbers cut out of 011's text, the numbers no longer fill the template's rows: the
    order says nothing, and nothing it would misplace is read with confidence."""
    text = (REAL / "raw" / "011_huaian-szf-2024.txt").read_text(encoding="utf-8")
    row = "\n\n".join(["447", "7", "0", "0", "0", "0", "454"])
    assert row in text
    gold = json.loads((REAL / "gold" / "011_huaian-szf-2024.json").read_text(encoding="utf-8"))
    pred = extract_text(text.replace(row, "", 1), "cut")
    result = evaluate({"cut": gold}, {"cut": pred})
    assert result["silent_errors"] == 0
    assert not any("template's order" in c.get("note", "") for k, c in pred["cells"].items()
                   if k.startswith("requests."))
    assert any(c["kind"] == "missing" for k, c in pred["cells"].items() if k.startswith("requests."))


def test_chromium_pdf_of_a_zero_printing_page_read_through_pdftotext(tmp_path):
    """Chromium prints a page whose every zero is printed; plain pdftotext of that PDF puts all of table 3's labels
    before its numbers. The numbers fill the template's rows in order and every identity holds: table 3 read."""
    for n in range(200):
        record = random_record("2019", random.Random(f"test-sequence:{n}"))
        if record["fields"]["requests.total.total"] and record["fields"]["requests.granted.total"]:
            break
    style = draw_page_style(random.Random("test-sequence"), shell="site", spans="run", cell_paragraphs=False,
                            blank="nbsp", wide=False, misaligned_row=False, label_breaks=0.0, zeros="printed",
                            appeals_layout="template", charset="utf-8")
    page = tmp_path / "page.html"
    page.write_text(render_report(record, "html", random.Random("page"), noise=0.0, page=style).text, "utf-8")
    pdf = make_files({"page": page}, tmp_path, {PDF_CHROMIUM})[PDF_CHROMIUM]["page"]
    pred = extract_text(pdftotext(pdf), "page")
    result = evaluate({"page": gold_of(record)}, {"page": pred})
    assert result["per_table"]["requests"]["accuracy"] == 1.0
    assert result["silent_errors"] == 0
