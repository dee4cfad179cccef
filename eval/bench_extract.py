"""Extraction-speed benchmark: milliseconds of ``extract_text`` per text report.

Generates a set across the generator's text forms, reads every raw file first, runs a warm-up
(first-call costs such as dictionary loading are not per-report costs), then times ``extract_text``
alone on each report. Prints median / p90 / max overall and per form; writes ``eval/bench.json``.

    .venv/bin/python eval/bench_extract.py            # 300 reports
    .venv/bin/python eval/bench_extract.py --n 60
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from xxgk.pipeline import extract_text
from xxgk.generate import FORMS, generate_set
from xxgk.readers import read_file

from readme_section import replace_section

EVAL_DIR = Path(__file__).resolve().parent
TARGET_MEDIAN_MS = 20.0
TEXT_FORMS = [form for form in FORMS if form != "html"]
WARMUP_REPORTS = 3


def stats(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[-1] if len(ordered) > 1 else ordered[0]
    return {"reports": len(ordered), "median_ms": round(statistics.median(ordered), 3),
            "p90_ms": round(p90, 3), "max_ms": round(ordered[-1], 3),
            "mean_ms": round(statistics.fmean(ordered), 3)}


def load_texts(outdir: Path) -> list[tuple[str, str, str]]:
    """(name, form, text) of every text report of a generated set, in manifest order."""
    reports = []
    with (outdir / "manifest.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            entry = json.loads(line)
            if entry["file"].endswith(".txt"):
                reports.append((entry["name"], entry["form"], read_file(outdir / entry["file"]).text))
    return reports


CPU_MS: list[float] = []     # process CPU time per timed report: what a busy machine does not inflate


def _timed_extract(text: str, name: str) -> float | None:
    """Milliseconds of one extraction, or None when it raised (a crash is not a speed)."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        extract_text(text, name)
    except Exception:
        return None
    CPU_MS.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000


def time_reports(reports: list[tuple[str, str, str]]) -> tuple[dict[str, list[float]], list[str]]:
    """Times per form, and the names of the reports whose extraction raised."""
    for name, _, text in reports[:WARMUP_REPORTS]:
        _timed_extract(text, name)
    by_form: dict[str, list[float]] = {}
    failed = []
    for name, form, text in reports:
        ms = _timed_extract(text, name)
        if ms is None:
            failed.append(name)
        else:
            by_form.setdefault(form, []).append(ms)
    return by_form, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="reports to generate (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "bench.json", help="results file")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)

    forms = TEXT_FORMS
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        generate_set(Path(tmp), args.n, seed=args.seed, forms=forms)
        reports = load_texts(Path(tmp))
    if not reports:
        print("error: the generator wrote no text reports", file=sys.stderr)
        return 2
    load = os.getloadavg()[0]
    by_form, failed = time_reports(reports)
    if not by_form:
        print("error: every extraction raised", file=sys.stderr)
        return 2

    overall = stats([t for times in by_form.values() for t in times])
    per_form = {form: stats(times) for form, times in sorted(by_form.items())}
    print(f"extract_text over {overall['reports']} text reports (warm-up excluded)")
    print(f"{'':<22}{'reports':>8}{'median':>10}{'p90':>10}{'max':>10}  (ms)")
    for label, s in [("all", overall), *per_form.items()]:
        print(f"{label:<22}{s['reports']:>8}{s['median_ms']:>10.2f}{s['p90_ms']:>10.2f}{s['max_ms']:>10.2f}")
    if failed:
        print(f"{len(failed)} reports raised and are not timed (e.g. {failed[0]})")
    cpu = stats(CPU_MS[WARMUP_REPORTS:])
    print(f"CPU time per report: median {cpu['median_ms']:.2f} ms, p90 {cpu['p90_ms']:.2f} ms "
          f"(load average {load:.1f} on {os.cpu_count()} cores when the run started)")
    meets = overall["median_ms"] < TARGET_MEDIAN_MS
    print(f"target: median < {TARGET_MEDIAN_MS:g} ms — {'met' if meets else 'NOT met'}")

    result = {"config": {"n": args.n, "seed": args.seed, "forms": forms, "warmup_reports": WARMUP_REPORTS},
              "target_median_ms": TARGET_MEDIAN_MS, "target_met": meets,
              "overall": overall, "cpu": cpu, "load_average": round(load, 2), "per_form": per_form,
              "failed": failed}
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")
    if args.readme:
        replace_section("speed-figures", "\n".join([
            "| per text report (warm-up excluded) | median | p90 |", "|---|---:|---:|",
            f"| wall time | {overall['median_ms']:.1f} ms | {overall['p90_ms']:.1f} ms |",
            f"| CPU time | {cpu['median_ms']:.1f} ms | {cpu['p90_ms']:.1f} ms |", "",
            f"Measured by `python eval/bench_extract.py` ({overall['reports']} reports, load average {load:.2f} on "
            f"{os.cpu_count()} cores when the run started)."]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
