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
import statistics
import sys
import tempfile
import time
from pathlib import Path

from xxgk.extract import extract_text
from xxgk.generate import FORMS, generate_set

EVAL_DIR = Path(__file__).resolve().parent
TARGET_MEDIAN_MS = 20.0
WARMUP_REPORTS = 3


def text_forms() -> list[str]:
    return [form for form in FORMS if "html" not in form.lower()]


def stats(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    p90 = statistics.quantiles(ordered, n=10)[-1] if len(ordered) > 1 else ordered[0]
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
            raw = outdir / "raw" / f"{entry['name']}.txt"
            if raw.exists():
                reports.append((entry["name"], entry["form"], raw.read_text(encoding="utf-8")))
    return reports


def time_reports(reports: list[tuple[str, str, str]]) -> dict[str, list[float]]:
    for name, _, text in reports[:WARMUP_REPORTS]:
        extract_text(text, name)
    by_form: dict[str, list[float]] = {}
    for name, form, text in reports:
        started = time.perf_counter()
        extract_text(text, name)
        by_form.setdefault(form, []).append((time.perf_counter() - started) * 1000)
    return by_form


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="reports to generate (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "bench.json", help="results file")
    args = parser.parse_args(argv)

    forms = text_forms()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        generate_set(Path(tmp), args.n, seed=args.seed, forms=forms)
        reports = load_texts(Path(tmp))
    if not reports:
        print("error: the generator wrote no text reports", file=sys.stderr)
        return 2
    by_form = time_reports(reports)

    overall = stats([t for times in by_form.values() for t in times])
    per_form = {form: stats(times) for form, times in sorted(by_form.items())}
    print(f"extract_text over {overall['reports']} text reports (warm-up excluded)")
    print(f"{'':<22}{'reports':>8}{'median':>10}{'p90':>10}{'max':>10}  (ms)")
    for label, s in [("all", overall), *per_form.items()]:
        print(f"{label:<22}{s['reports']:>8}{s['median_ms']:>10.2f}{s['p90_ms']:>10.2f}{s['max_ms']:>10.2f}")
    meets = overall["median_ms"] < TARGET_MEDIAN_MS
    print(f"target: median < {TARGET_MEDIAN_MS:g} ms — {'met' if meets else 'NOT met'}")

    result = {"config": {"n": args.n, "seed": args.seed, "forms": forms, "warmup_reports": WARMUP_REPORTS},
              "target_median_ms": TARGET_MEDIAN_MS, "target_met": meets,
              "overall": overall, "per_form": per_form}
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
