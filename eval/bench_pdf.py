"""How long a 5-page PDF report takes to extract: the README's PDF speed figure.

A labelled report is printed as a page by the generator and made into a 5-page PDF by each producer
(LibreOffice, Chromium, WeasyPrint); each PDF is extracted ``--runs`` times in this process after one
warm-up run (which also pays the imports, reported apart as the first run), and the median is printed.

    .venv/bin/python eval/bench_pdf.py            # 15 runs per producer
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from xxgk.generate import random_record, render_report
from xxgk.generate.producers import chromium_pdf, libreoffice_convert, weasyprint_pdf

PAGES = 5
LIMIT = 2.0


def page_count(path: Path) -> int:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def five_page_pdfs(work: Path) -> dict[str, Path]:
    """One PDF of five pages (or more) per producer, from the first generated report that prints so."""
    makers = {"libreoffice": lambda html, pdf: libreoffice_convert([html], pdf.parent, "pdf")[0],
              "chromium": chromium_pdf, "weasyprint": weasyprint_pdf}
    found: dict[str, Path] = {}
    for i in range(40):
        rng = random.Random(f"xxgk-bench-pdf:{i}")
        record = random_record(rng.choice(["2019", "2021"]), rng)
        html = work / f"report-{i}.html"
        rendering = render_report(record, "html", rng)
        html.write_bytes(rendering.text.encode("gb18030" if rendering.charset == "gbk" else "utf-8"))
        for producer, make in makers.items():
            if producer in found:
                continue
            out = work / producer
            out.mkdir(exist_ok=True)
            pdf = make(html, out / f"report-{i}.pdf")
            if page_count(pdf) >= PAGES:
                found[producer] = pdf
            else:
                pdf.unlink()
        if len(found) == len(makers):
            break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    from xxgk.pipeline import extract_file

    slow = False
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-pdf-") as tmp:
        pdfs = five_page_pdfs(Path(tmp))
        print("| producer | pages | first run (imports included) | median of warm runs |")
        print("|---|---:|---:|---:|")
        for producer, pdf in pdfs.items():
            started = time.perf_counter()
            extract_file(pdf)
            first = time.perf_counter() - started
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                extract_file(pdf)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            slow |= median >= LIMIT
            print(f"| {producer} | {page_count(pdf)} | {first:.2f} s | {median:.2f} s |")
    return 1 if slow or not pdfs else 0


if __name__ == "__main__":
    sys.exit(main())
