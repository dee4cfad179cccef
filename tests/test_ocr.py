"""The OCR reader on scans made by the real tools: a report printed by Chromium, rasterised and damaged by the scan
generator, read back offline; a picture without a table; a text PDF; the engine missing."""
from __future__ import annotations

import hashlib
import io
import json
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


@pytest.fixture(scope="module")
def scan_set(tmp_path_factory):
    from xxgk.generate.scans import generate_scans

    folder = tmp_path_factory.mktemp("scans")
    entries = generate_scans(folder, 2, seed=5, damages=["all", "clean"], dpis=[150, 100], formats=["pdf", "png"])
    return folder, entries


def _trusted_cells(record: dict, scan) -> dict:
    """The record's cells with the OCR confidence carried in, as the evaluation does."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("ocr_eval", Path(__file__).parents[1] / "eval" / "ocr_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.carry_confidence(record, scan)
    return record["cells"]


@needs_chromium
@pytest.mark.parametrize("index", [0, 1])
def test_generated_scan_reads_to_the_gold_numbers(scan_set, index):
    from xxgk.evaluate import evaluate
    from xxgk.pipeline import extract_document

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
    record = extract_document(Document(scan.text, entry["name"], entry["file"], "binary", "ocr",
                                       hashlib.sha256(data).hexdigest(), scan.tables_meta))
    gold = json.loads((folder / "gold" / f"{entry['name']}.json").read_text(encoding="utf-8"))
    assert record["template"] == gold["template"]
    cells = _trusted_cells(record, scan)
    result = evaluate({"x": gold}, {"x": record})
    # a number read with confidence is the document's: no silent error, whatever the damage
    wrong_and_trusted = [w for w in result["wrong"] if not w["flagged"]]
    assert wrong_and_trusted == []
    if entry["damage"] == "clean":
        assert result["fields"]["accuracy"] >= 0.97
        trusted = [k for k, c in cells.items() if c["confidence"] >= ocr.TRUSTED and c["kind"] in ("number", "zero")]
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
    started = time.perf_counter()
    scan = ocr.read_scan(data, "prose.png")
    assert time.perf_counter() - started < 3.0
    assert scan.text == "" and scan.tables_meta == [] and scan.pages == 1


@needs_chromium
def test_text_pdf_is_never_sent_to_ocr(tmp_path, scan_set):
    import random

    import pypdfium2 as pdfium

    from xxgk.generate import random_record, render_report
    from xxgk.generate.producers import chromium_pdf

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
    mixed.import_pages(scanned, [1])
    buffer = io.BytesIO()
    mixed.save(buffer)
    pages = len(mixed)
    assert ocr.image_pages(buffer.getvalue()) == [pages]
    read = ocr.ocr_pages(buffer.getvalue(), [pages])
    assert list(read) == [pages] and read[pages].cell_confidence


def test_missing_engine_names_the_extra(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(NeedsOCR) as raised:
        ocr.read_scan(b"\x89PNG\r\n\x1a\n", "scan.png")
    message = str(raised.value)
    assert "\n" not in message and "xxgk[ocr]" in message and message.startswith("scan.png: ")
