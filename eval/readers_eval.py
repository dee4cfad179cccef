"""Reproduce the README's readers table: labelled reports rendered by real producers, read back, scored.

Every labelled report (the project's real gold records in ``corpus/``, plus generated ones of both
templates and hybrids) is printed as a saved web page by the generator (``render(record, "html")``,
noise 0.3), then turned into the files users are sent: PDF by Chromium, LibreOffice and WeasyPrint,
DOCX by LibreOffice and python-docx, old .doc by LibreOffice. Each file is extracted by content
(``extract_file``) and scored against the record it was printed from.

    .venv/bin/python eval/readers_eval.py              # 7 real + 30 generated records
    .venv/bin/python eval/readers_eval.py --n 6        # quicker
    .venv/bin/python eval/readers_eval.py --keep DIR   # keep the files and the records
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

from xxgk.evaluate import evaluate
from xxgk.pipeline import extract_file
from xxgk.generate import gold_of, random_record, render_report
from xxgk.generate.producers import chromium_pdf, libreoffice_convert, python_docx, weasyprint_pdf
from xxgk.readers import ReadError
from xxgk.readers.decode import decode

EVAL_DIR = Path(__file__).resolve().parent
REPO = EVAL_DIR.parent
CORPUS = REPO / "corpus"
# The hand-labelled sets whose gold records are printed as pages (those the documented figures were measured
# on; corpus/real holds PDFs of its own, read as they are published).
LABELLED_SETS = ("seeds", "examples")
NOISE = 0.3
# (form, producer): how the file is made from the page
ROUTES = (("html", "page"), ("pdf", "chromium"), ("pdf", "libreoffice"), ("pdf", "weasyprint"),
          ("docx", "libreoffice"), ("docx", "python-docx"), ("doc", "libreoffice"))


def labelled_records(n_generated: int, seed: int) -> dict[str, dict]:
    records = {}
    for gold in sorted(g for name in LABELLED_SETS for g in (CORPUS / name / "gold").glob("*.json")):
        records[f"real-{gold.stem}"] = json.loads(gold.read_text(encoding="utf-8"))
    for i in range(n_generated):
        rng = random.Random(f"xxgk-readers-eval:{seed}:{i}")
        kind = ("2019", "2021", "hybrid")[i % 3]
        records[f"gen-{i:03d}-{kind}"] = random_record("2021" if kind == "hybrid" else kind, rng,
                                                       hybrid=kind == "hybrid")
    return records


def write_pages(records: dict[str, dict], folder: Path, seed: int) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pages = {}
    for name, record in records.items():
        rendering = render_report(record, "html", random.Random(f"xxgk-readers-page:{seed}:{name}"), noise=NOISE)
        path = folder / f"{name}.html"
        path.write_bytes(rendering.text.encode("gb18030" if rendering.charset == "gbk" else "utf-8"))
        pages[name] = path
    return pages


def produce(pages: dict[str, Path], work: Path) -> tuple[dict[tuple[str, str], dict[str, Path]], dict]:
    """Every route's files, and the seconds each producer took."""
    files: dict[tuple[str, str], dict[str, Path]] = {("html", "page"): dict(pages)}
    seconds = {}

    def timed(route, make):
        started = time.perf_counter()
        try:
            files[route] = make()
        except Exception as exc:  # a missing producer costs its rows, not the run
            print(f"{route[0]}/{route[1]}: not produced ({type(exc).__name__}: {exc})", file=sys.stderr)
        seconds[route] = time.perf_counter() - started

    def each(route, suffix, make_one):
        out = work / f"{route[0]}-{route[1]}"
        out.mkdir(parents=True, exist_ok=True)
        return {name: make_one(page, out / f"{name}.{suffix}") for name, page in pages.items()}

    timed(("pdf", "chromium"), lambda: each(("pdf", "chromium"), "pdf", chromium_pdf))
    timed(("pdf", "weasyprint"), lambda: each(("pdf", "weasyprint"), "pdf", weasyprint_pdf))
    names = list(pages)
    timed(("pdf", "libreoffice"), lambda: dict(zip(names, libreoffice_convert(
        list(pages.values()), work / "pdf-libreoffice", "pdf"))))
    timed(("docx", "libreoffice"), lambda: dict(zip(names, libreoffice_convert(
        list(pages.values()), work / "docx-libreoffice", "docx"))))
    timed(("docx", "python-docx"), lambda: each(("docx", "python-docx"), "docx",
                                                lambda page, path: python_docx(decode(page.read_bytes())[0], path)))
    if ("docx", "python-docx") in files:
        timed(("doc", "libreoffice"), lambda: dict(zip(names, libreoffice_convert(
            list(files[("docx", "python-docx")].values()), work / "doc-libreoffice", "doc"))))
    return files, seconds


def read_back(files: dict[str, Path]) -> tuple[dict[str, dict], dict[str, str], list[float]]:
    pred, failures, seconds = {}, {}, []
    for name, path in files.items():
        started = time.perf_counter()
        try:
            pred[name] = extract_file(path)
        except ReadError as exc:
            failures[name] = str(exc)
        except Exception as exc:  # a reader bug costs this file, not the run
            where = traceback.extract_tb(exc.__traceback__)[-1]
            failures[name] = f"crash: {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
        seconds.append(time.perf_counter() - started)
    return pred, failures, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30, help="generated records besides the real ones (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep pages, files and records in this folder")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "readers_results.json")
    args = parser.parse_args(argv)

    records = labelled_records(args.n, args.seed)
    gold = {name: gold_of(r) for name, r in records.items()}
    with tempfile.TemporaryDirectory(prefix="xxgk-readers-") as tmp:
        work = args.keep or Path(tmp)
        pages = write_pages(records, work / "page", args.seed)
        files, make_seconds = produce(pages, work)
        rows, results = [], {}
        for route in ROUTES:
            if route not in files:
                rows.append(f"| {route[0]} | {route[1]} | not produced | | | | |")
                continue
            pred, failures, seconds = read_back(files[route])
            result = evaluate(gold, pred)
            label = f"{route[0]}/{route[1]}"
            results[label] = {"fields": result["fields"], "nonzero": result["nonzero"], "perfect": result["perfect"],
                              "failures": failures, "read_seconds_median": statistics.median(seconds),
                              "produce_seconds": make_seconds.get(route),
                              "wrong": result.get("wrong", [])[:20]}
            rows.append(f"| {route[0]} | {route[1]} | {len(gold)} | {result['fields']['accuracy']:.4f} | "
                        f"{result['nonzero']['accuracy']:.4f} | {result['perfect']['correct']}/{len(gold)} | "
                        f"{statistics.median(seconds):.2f} s |")
            for name, reason in failures.items():
                print(f"{label} {name}: {reason}", file=sys.stderr)
            if args.keep:
                out = work / "records" / label.replace("/", "-")
                out.mkdir(parents=True, exist_ok=True)
                for name, record in pred.items():
                    (out / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    real = sum(1 for name in records if name.startswith("real-"))
    print(f"{len(records)} labelled reports ({real} real, {len(records) - real} generated), noise {NOISE}\n")
    print("| form | producer | reports | field acc | non-zero acc | perfect | read time (median) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
