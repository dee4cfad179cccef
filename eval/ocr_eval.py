"""The OCR row of the evaluation: generated scans read back by the offline OCR reader and scored.

Reports of both templates and hybrids are printed by Chromium, rasterised at 100, 150 and 200 dpi and damaged
(``xxgk.generate.scans``: tilt, blur, speckle, JPEG, a red seal over a table's corner, or all at once), written as
image-only PDFs, multi-page TIFFs and long PNG/JPEG images, then read as ``xxgk extract`` reads them
(``extract_bytes``: the readers table sends them to the OCR reader, and the recogniser's confidence of each cell
travels into the record's cells) and scored against their gold (``xxgk.evaluate``), overall, per resolution, per
damage kind, per format and per template. A cell is flagged when the record says so (kind ambiguous/missing,
confidence < 0.9); a silent error is a wrong value the record trusts.

    .venv/bin/python eval/ocr_eval.py                      # 42 reports, seed 23
    .venv/bin/python eval/ocr_eval.py --n 6 --seed 1       # quicker
    .venv/bin/python eval/ocr_eval.py --scans DIR          # read a set made before (python -m xxgk.generate.scans)
    .venv/bin/python eval/ocr_eval.py --compare-engines    # rapidocr against tesseract, tables only
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from pathlib import Path

from xxgk.evaluate import evaluate
from xxgk.pipeline import extract_bytes, extract_document
from xxgk.generate.scans import generate_scans
from xxgk.datamodel import Document
from xxgk.readers.base import ReadError
from xxgk.readers import ocr

EVAL_DIR = Path(__file__).resolve().parent


class PageTimes(logging.Handler):
    """The seconds of each page the OCR reader logs (``xxgk.readers.ocr.log``)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.seconds: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.args and len(record.args) == 4:
            self.seconds.append(float(record.args[3]))


def read_set(folder: Path, names: list[str] | None = None) -> tuple[dict, dict, dict, dict]:
    """Every scan of a generated set read and extracted as ``xxgk extract`` does (the readers table sends images
    and image-only PDFs to the OCR reader): records, gold, manifest entries, timings."""
    manifest = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    pred, gold, entries, timing = {}, {}, {}, {}
    pages = PageTimes()
    ocr.log.addHandler(pages)
    ocr.log.setLevel(logging.INFO)
    ocr.engine()                     # loaded once, before the first report's clock starts
    try:
        for entry in manifest:
            name = entry["name"]
            if names and name not in names:
                continue
            entries[name] = entry
            gold[name] = json.loads((folder / "gold" / f"{name}.json").read_text(encoding="utf-8"))
            data = (folder / entry["file"]).read_bytes()
            pages.seconds = []
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                pred[name] = extract_bytes(data, entry["file"])
            except ReadError as exc:
                print(f"{name}: {exc}", file=sys.stderr)
            except Exception as exc:  # a reader bug costs this report, not the run
                where = traceback.extract_tb(exc.__traceback__)[-1]
                print(f"{name}: crash {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})",
                      file=sys.stderr)
            timing[name] = {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                            "pages": len(pages.seconds), "page_seconds": list(pages.seconds)}
    finally:
        ocr.log.removeHandler(pages)
    return pred, gold, entries, timing


def scores(gold: dict, pred: dict) -> dict:
    result = evaluate(gold, pred)
    return {"reports": result["reports"], "fields": result["fields"]["accuracy"],
            "nonzero": result["nonzero"]["accuracy"], "perfect": result["perfect"]["correct"],
            "silent": result["silent_errors"], "flagged": result["flagged_errors"],
            "right_flagged": result.get("right_flagged"),
            "wrong": result["wrong"][:40]}


def grouped(gold: dict, pred: dict, entries: dict, key) -> dict:
    groups = defaultdict(list)
    for name, entry in entries.items():
        groups[key(entry)].append(name)
    return {str(g): scores({n: gold[n] for n in names}, {n: pred[n] for n in names if n in pred})
            for g, names in sorted(groups.items(), key=lambda kv: str(kv[0]))}


def row(label: str, s: dict) -> str:
    def f(v):
        return "n/a" if v is None else f"{v:.4f}"
    return f"| {label} | {s['reports']} | {f(s['fields'])} | {f(s['nonzero'])} | {s['perfect']}/{s['reports']} | " \
           f"{s['silent']} | {s['flagged']} |"


def accuracy_tables(reports: int, seed: int, overall: dict, parts: dict, times: dict) -> str:
    """The figures as docs/ocr.md shows them: overall and per resolution, damage, format, template; the timing."""
    lines = [f"{reports} scanned reports (seed {seed}), {times['pages']} pages", "",
             "| scans | reports | field acc | non-zero acc | perfect | silent | flagged |",
             "|---|---:|---:|---:|---:|---:|---:|", row("all", overall)]
    for part, groups in parts.items():
        for label, s in groups.items():
            lines.append(row(f"{part} {label}", s))
    right = overall.get("right_flagged") or {}
    if right.get("total"):
        lines += ["", f"Right cells flagged (the cost of caution): {right['correct']} of {right['total']} "
                      f"({right['correct'] / right['total']:.1%})."]
    lines += ["", f"Page read time: median {times['page_median']:.2f} s (p90 {times['page_p90']:.2f} s; CPU "
                  f"{times['cpu_per_page_median']:.2f} s per page), by dpi "
                  + ", ".join(f"{d}: {v:.2f} s" for d, v in times["page_median_by_dpi"].items()) + "."]
    if times["five_page_median"] is not None:
        lines.append(f"5-page scans: {times['five_page_scans']}, median {times['five_page_median']:.1f} s, "
                     f"slowest {times['five_page_max']:.1f} s.")
    lines.append(f"Load average while measuring: {', '.join(f'{v:.1f}' for v in times['load_average'])} "
                 "(1, 5, 15 min; 2 cores, shared with other work).")
    return "\n".join(lines)


def timing_summary(timing: dict, entries: dict) -> dict:
    pages = [p for t in timing.values() for p in t["page_seconds"]]
    five = [t["seconds"] for name, t in timing.items() if t["pages"] == 5]
    cpu_per_page = [t["cpu"] / max(1, t["pages"]) for t in timing.values()]
    by_dpi = defaultdict(list)
    for name, t in timing.items():
        by_dpi[entries[name]["dpi"]] += t["page_seconds"]
    return {"pages": len(pages), "page_median": statistics.median(pages) if pages else None,
            "page_p90": sorted(pages)[int(0.9 * (len(pages) - 1))] if pages else None,
            "cpu_per_page_median": statistics.median(cpu_per_page) if cpu_per_page else None,
            "five_page_scans": len(five), "five_page_median": statistics.median(five) if five else None,
            "five_page_max": max(five) if five else None,
            "page_median_by_dpi": {str(d): statistics.median(v) for d, v in sorted(by_dpi.items())},
            "load_average": os.getloadavg()}


# ------------------------------------------------------------------------------------------------ engines


def tesseract_cells(grey, clean, boxes, scale, masks=None, **_):
    """The cells of one table read by Tesseract (chi_sim): the table's crop read once as a block of sparse text,
    each word put into the cell holding its middle (one process per table: one per cell costs ~0.1 s each)."""
    import cv2

    if not boxes:
        return []
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    crop = grey[y0:y1, x0:x1].copy()
    ok, png = cv2.imencode(".png", crop)
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "11", "tsv"],
                         input=png.tobytes(), capture_output=True, check=True).stdout.decode("utf-8")
    words = defaultdict(list)
    for line in out.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or not parts[11].strip() or float(parts[10]) < 0:
            continue
        left, top, width, height = map(int, parts[6:10])
        mx, my = x0 + left + width / 2, y0 + top + height / 2
        for i, (bx0, by0, bx1, by1) in enumerate(boxes):
            if bx0 <= mx <= bx1 and by0 <= my <= by1:
                words[i].append((top, left, parts[11].strip(), float(parts[10]) / 100))
                break
    cells = []
    for i in range(len(boxes)):
        ws = sorted(words[i])
        text = "".join(w for _, _, w, _ in ws)
        cells.append(ocr.CellText(text, min((c for *_, c in ws), default=1.0)))
    return cells


def label_texts(page_html: str) -> list[str]:
    """The label cells a page prints (cells holding a Chinese character), squeezed, line breaks out."""
    import html as html_module

    texts = []
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", page_html, re.S):
        text = html_module.unescape(re.sub(r"<br\s*/?>", "", re.sub(r"<(?!br)[^>]+>", "", cell)))
        text = re.sub(r"\s+", "", text)
        if re.search(r"[\u4e00-\u9fff]", text):
            texts.append(text)
    return texts


def compare_engines(n: int, seed: int, work: Path) -> dict:
    """Tables only (prose skipped by both): value cells through the extraction, label cells against the page's
    own label texts, seconds per page. Same grids, same crops; only the recogniser differs."""
    from xxgk.generate import gold_of, random_record, render_report
    from xxgk.generate.scans import damage_page, print_pdf, rasterise, scan_profile
    import random

    if not shutil.which("tesseract"):
        raise SystemExit("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
    results = {}
    samples = []
    for i in range(n):
        rng = random.Random(f"xxgk-ocr-engines:{seed}:{i}")
        kind = ("2019", "2021", "hybrid")[i % 3]
        record = random_record("2021" if kind == "hybrid" else kind, rng, hybrid=kind == "hybrid")
        rendering = render_report(record, "html", rng, noise=0.3)
        profile = scan_profile(rng, damage=("clean", "all")[i % 2], dpi=(150, 200, 100)[i % 3], fmt="pdf")
        pdf = print_pdf(rendering.text, rendering.charset, work / f"engines-{i}.pdf")
        pages = [damage_page(p, profile, rng, record["issuer"]) for p in rasterise(pdf, profile["dpi"])]
        samples.append((f"e{i}", record, rendering.text, pages, profile["dpi"]))
    original_read_cells, original_detect = ocr.read_cells, ocr.Engine.detect
    ocr.Engine.detect = lambda self, grey: []
    try:
        for engine_name, reader in (("rapidocr", original_read_cells), ("tesseract", tesseract_cells)):
            ocr.read_cells = reader
            pred, gold, seconds, found, total = {}, {}, [], 0, 0
            for name, record, page_html, pages, dpi in samples:
                readings = []
                for k, page in enumerate(pages, 1):
                    started = time.perf_counter()
                    readings.append(ocr.read_page(page[:, :, ::-1], k, dpi))
                    seconds.append(time.perf_counter() - started)
                scan = ocr.compose(readings)
                pred[name] = extract_document(Document(scan.text, name, name, "binary", "ocr", "", scan.tables_meta,
                                                       scan.cell_confidence), require_tables=False)
                gold[name] = gold_of(record)
                read = [t.replace(" ", "") for line in scan.text.split("\n") for t in line.split("\t")]
                for label in label_texts(page_html):
                    total += 1
                    if label in read:
                        found += 1
                        read.remove(label)
            s = scores(gold, pred)
            results[engine_name] = {**{k: s[k] for k in ("fields", "nonzero", "silent", "flagged")},
                                    "labels_exact": found / total if total else None,
                                    "page_median_seconds": statistics.median(seconds), "pages": len(seconds)}
            print(engine_name, json.dumps(results[engine_name]), file=sys.stderr)
    finally:
        ocr.read_cells, ocr.Engine.detect = original_read_cells, original_detect
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=42, help="generated scanned reports (default 42)")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--scans", type=Path, help="a set made by python -m xxgk.generate.scans, read instead")
    parser.add_argument("--keep", type=Path, help="keep the scans and the records in this folder")
    parser.add_argument("--unruled-share", type=float, default=0.0)
    parser.add_argument("--compare-engines", type=int, nargs="?", const=6, metavar="N",
                        help="compare rapidocr and tesseract on N reports (default 6), tables only")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "ocr_results.json")
    parser.add_argument("--readme", action="store_true",
                        help="write the tables into docs/ocr.md and the scans' row into the README's table")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="xxgk-ocr-eval-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.compare_engines:
            results = compare_engines(args.compare_engines, args.seed, work)
            print("| engine | field acc | non-zero acc | silent | labels exact | s/page (median) |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, r in results.items():
                print(f"| {name} | {r['fields']:.4f} | {r['nonzero']:.4f} | {r['silent']} | {r['labels_exact']:.4f} "
                      f"| {r['page_median_seconds']:.2f} |")
            args.json.with_name("ocr_engines.json").write_text(json.dumps(results, indent=1) + "\n", "utf-8")
            return 0
        folder = args.scans
        if folder is None:
            folder = work / "set"
            started = time.perf_counter()
            damages = list(("clean", "tilt", "blur", "speckle", "jpeg", "seal", "all"))
            generate_scans(folder, args.n, args.seed, damages=damages, dpis=[100, 150, 200, 150, 200, 100, 200],
                           formats=["pdf", "tiff", "pdf", "png", "pdf", "jpeg"], ruled_share=1 - args.unruled_share)
            print(f"generated {args.n} scans in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        pred, gold, entries, timing = read_set(folder)
        if args.keep:
            out = work / "records"
            out.mkdir(parents=True, exist_ok=True)
            for name, record in pred.items():
                (out / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    overall = scores(gold, pred)
    parts = {
        "dpi": grouped(gold, pred, entries, lambda e: e["dpi"]),
        "damage": grouped(gold, pred, entries, lambda e: e["damage"]),
        "format": grouped(gold, pred, entries, lambda e: e["format"]),
        "template": grouped(gold, pred, entries, lambda e: "hybrid" if e["hybrid"] else e["template"]),
        "rules": grouped(gold, pred, entries, lambda e: "ruled" if e.get("ruled", True) else "unruled"),
    }
    times = timing_summary(timing, entries)
    report = accuracy_tables(len(gold), args.seed, overall, parts, times)
    print(report)
    for w in overall["wrong"][:15]:
        print(f"  {w['report']} {w['key']} gold {w['gold']} read {w['read']} raw {w['raw']!r} "
              f"conf {w['confidence']} {'flagged' if w['flagged'] else 'SILENT'}", file=sys.stderr)
    args.json.write_text(json.dumps({"seed": args.seed, "overall": overall, **parts, "timing": times},
                                    ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.readme:
        import readme_section

        print("wrote", readme_section.replace_section("ocr-accuracy", report))
        results = json.loads(readme_section.RESULTS.read_text(encoding="utf-8"))
        ocr_row = json.loads(args.json.read_text(encoding="utf-8"))
        print("wrote", readme_section.replace_section("accuracy", readme_section.summary_table(results, ocr_row)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
