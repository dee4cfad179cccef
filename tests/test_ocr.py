"""The OCR reader on scans made by the real tools: a report printed by Chromium, rasterised and damaged by the scan
generator, read back offline through the readers table; a picture without a table; a text PDF and a mixed one; the
engine missing; and the path by which a reader's confidence reaches the record's cells."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
import time

import pytest

from xxgk.datamodel import Document
from xxgk.readers.base import NeedsOCR

ocr = pytest.importorskip("xxgk.readers.ocr")
pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra (xxgk[ocr]) is not installed")
pytest.importorskip("cv2")
needs_chromium = pytest.mark.skipif(not any(shutil.which(b) for b in ("chromium", "chromium-browser")),
                                    reason="Chromium prints the reports the scans are made of")


# A page of prose is skipped after its layout and the text detector (no recognition): about a second of CPU here;
# a page that is read costs three.
PROSE_PAGE_CPU_SECONDS = 2.0


@pytest.fixture(scope="module")
def scan_set(tmp_path_factory):
    from xxgk.generate.scans import generate_scans

    folder = tmp_path_factory.mktemp("scans")
    entries = generate_scans(folder, 2, seed=5, damages=["all", "clean"], dpis=[150, 100], formats=["pdf", "png"])
    return folder, entries


@needs_chromium
@pytest.mark.parametrize("index", [0, 1])
def test_generated_scan_reads_to_the_gold_numbers(scan_set, index, caplog):
    from xxgk.evaluate import evaluate
    from xxgk.pipeline import extract_bytes, read_report_bytes

    folder, entries = scan_set
    entry = entries[index]
    data = (folder / entry["file"]).read_bytes()
    assert not data.startswith(b"%PDF") or ocr.image_pages(data) == list(range(1, entry["pages"] + 1))
    seen = []
    scan = ocr.read_scan(data, entry["file"], progress=lambda done, total, seconds: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == scan.pages
    assert any(meta["strategy"] == "ocr-grid" for meta in scan.tables_meta)
    # every table row line carries one confidence per tab cell
    lines = scan.text.split("\n")
    for number, confidences in scan.cell_confidence.items():
        assert len(confidences) == len(lines[number - 1].split("\t"))
    # the readers table sends the scan to the OCR reader, and its confidences travel with the document
    with caplog.at_level(logging.INFO, logger=ocr.log.name):
        doc = read_report_bytes(data, entry["file"])
    # each page read is told (the CLI shows it on stderr)
    told = [r.getMessage() for r in caplog.records if r.name == ocr.log.name]
    assert len(told) == scan.pages and told[-1].startswith(f"{entry['file']}: page {scan.pages}/{scan.pages} read in")
    assert doc.reader == ("pdf" if entry["format"] == "pdf" else "image")
    assert doc.line_confidence and set(doc.line_confidence) <= set(range(1, doc.text.count("\n") + 2))
    record = extract_bytes(data, entry["file"])
    gold = json.loads((folder / "gold" / f"{entry['name']}.json").read_text(encoding="utf-8"))
    assert record["template"] == gold["template"]
    result = evaluate({"x": gold}, {"x": record})
    # a number read with confidence is the document's: no silent error, whatever the damage
    wrong_and_trusted = [w for w in result["wrong"] if not w["flagged"]]
    assert wrong_and_trusted == []
    # no cell is surer than the recogniser was of the text it came from
    doc_lines = doc.text.split("\n")
    for key, cell in record["cells"].items():
        if cell["line"] in doc.line_confidence and cell["raw"]:
            texts = doc_lines[cell["line"] - 1].split("\t")
            own = [c for t, c in zip(texts, doc.line_confidence[cell["line"]]) if t.replace(" ", "") == cell["raw"]]
            # (the same text twice on a line: the cell is one of them)
            assert not own or cell["confidence"] <= max(own) + 1e-3, key
    if entry["damage"] == "clean":
        assert result["fields"]["accuracy"] >= 0.97
        trusted = [k for k, c in record["cells"].items() if c["confidence"] >= ocr.TRUSTED and c["kind"] in ("number", "zero")]
        assert len(trusted) >= 0.8 * len(gold["fields"])
    else:
        assert result["fields"]["accuracy"] >= 0.7


def test_image_without_a_table_is_skipped_quickly():
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 28)
    except OSError:
        font = ImageFont.load_default()
    for k in range(12):
        draw.text((120, 150 + 60 * k), "本机关坚持以公开为常态、不公开为例外，扎实推进政务公开工作。", fill="black", font=font)
    rng = np.random.default_rng(1)
    pixels = np.asarray(image).copy()
    pixels[rng.random(pixels.shape[:2]) < 0.001] = 0
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    data = buffer.getvalue()
    assert ocr.is_image(data)
    ocr.engine()                     # loading the models is not part of the page's time
    # CPU time, not wall time: the machine is shared, and a page skipped costs its layout and the detector only
    started = time.process_time()
    scan = ocr.read_scan(data, "prose.png")
    assert time.process_time() - started < PROSE_PAGE_CPU_SECONDS
    assert scan.text == "" and scan.tables_meta == [] and scan.pages == 1


@needs_chromium
def test_text_pdf_is_never_sent_to_ocr_and_a_mixed_pdf_only_its_scanned_page(tmp_path, scan_set, monkeypatch):
    import random

    import pypdfium2 as pdfium

    from xxgk.generate import random_record, render_report
    from xxgk.generate.producers import chromium_pdf
    from xxgk.pipeline import read_report_bytes

    rng = random.Random(3)
    rendering = render_report(random_record("2021", rng), "html", rng, noise=0.0)
    page = tmp_path / "report.html"
    page.write_bytes(rendering.text.encode("gb18030" if rendering.charset == "gbk" else "utf-8"))
    text_pdf = chromium_pdf(page, tmp_path / "report.pdf").read_bytes()
    assert not ocr.is_image(text_pdf)
    assert ocr.image_pages(text_pdf) == []
    # a mixed PDF: the text pages stay with the PDF reader, only the scanned page goes to OCR
    folder, entries = scan_set
    scanned = pdfium.PdfDocument((folder / entries[0]["file"]).read_bytes())
    mixed = pdfium.PdfDocument(text_pdf)
    text_pages = len(mixed)
    mixed.import_pages(scanned, [1])
    buffer = io.BytesIO()
    mixed.save(buffer)
    pages = len(mixed)
    assert ocr.image_pages(buffer.getvalue()) == [pages]
    sent = []
    real_ocr_pages = ocr.ocr_pages
    monkeypatch.setattr(ocr, "ocr_pages", lambda data, numbers, *a, **k: sent.append(list(numbers))
                        or real_ocr_pages(data, numbers, *a, **k))
    doc = read_report_bytes(buffer.getvalue(), "mixed.pdf")
    assert sent == [[pages]] and doc.reader == "pdf"
    lines = doc.text.split("\n")
    ocr_tables = [t for t in doc.tables_meta if t["strategy"].startswith("ocr")]
    assert ocr_tables and all(t["page"] == pages for t in ocr_tables)
    # the scanned page's rows come after the text pages' text, and its confidences name those rows' lines
    first = min(t["first_line"] for t in ocr_tables)
    assert doc.line_confidence and min(doc.line_confidence) >= first
    for line, confidences in doc.line_confidence.items():
        assert len(confidences) == len(lines[line - 1].split("\t"))
    assert text_pages == pages - 1
    # a text PDF: the OCR reader is never called, and the record is what the PDF reader alone gives
    monkeypatch.setattr(ocr, "read_scan", lambda *a, **k: pytest.fail("a text PDF was sent to OCR"))
    monkeypatch.setattr(ocr, "ocr_pages", lambda *a, **k: pytest.fail("a text PDF was sent to OCR"))
    text_doc = read_report_bytes(text_pdf, "report.pdf")
    assert text_doc.reader == "pdf" and text_doc.line_confidence == {}
    assert all(not t["strategy"].startswith("ocr") for t in text_doc.tables_meta)


def test_missing_engine_names_the_extra(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(NeedsOCR) as raised:
        ocr.read_scan(b"\x89PNG\r\n\x1a\n", "scan.png")
    message = str(raised.value)
    assert "\n" not in message and "xxgk[ocr]" in message and message.startswith("scan.png: ")


def test_images_are_their_own_kind_and_other_pictures_are_refused():
    from xxgk.readers import READERS, ReadError, read_bytes, sniff

    from PIL import Image

    for fmt in ("PNG", "JPEG", "TIFF"):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), "white").save(buffer, fmt)
        assert sniff(buffer.getvalue()) == "image"
    assert READERS["image"] is ocr.read_image
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "GIF")
    with pytest.raises(ReadError, match="GIF"):
        read_bytes(buffer.getvalue(), "picture.gif")


def test_missing_engine_for_an_image_names_the_extra(monkeypatch):
    from PIL import Image

    from xxgk.readers import read_bytes

    monkeypatch.setattr(ocr, "available", lambda: False)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "PNG")
    with pytest.raises(NeedsOCR, match=r"xxgk\[ocr\]"):
        read_bytes(buffer.getvalue(), "scan.png")


def test_the_cli_shows_each_page_on_stderr(capsys):
    from xxgk.cli.common import show_scan_progress

    show_scan_progress()
    show_scan_progress()                 # twice: still one line per page
    try:
        ocr._log_progress("scan.pdf")(2, 5, 3.14)
        assert capsys.readouterr().err == "xxgk: scan.pdf: page 2/5 read in 3.1 s\n"
    finally:
        for handler in [h for h in ocr.log.handlers if getattr(h, "xxgk_cli", False)]:
            ocr.log.removeHandler(handler)
        ocr.log.propagate = True
