"""The label classifier's held-out figures, from ``xxgk/models/labels/metrics.json`` (written by
``xxgk train-labels``, or re-measured with ``xxgk train-labels --measure-only``), as README tables.

    .venv/bin/python eval/label_report.py [--readme]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from readme_section import replace_section

METRICS = Path(__file__).resolve().parent.parent / "src" / "xxgk" / "models" / "labels" / "metrics.json"
TARGET_ACCURACY, TARGET_NONE_PRECISION = 0.995, 0.99
STAGE_NAMES = {"exact": "exact dictionary", "contained": "label inside a longer string", "ngram": "dictionary n-grams",
               "ngrams": "n-gram classifier (sure alone)",
               "student": "student (sure, and the n-grams agree)", "model": "transformer + n-gram classifier"}


def render(metrics: dict) -> str:
    held = metrics["heldout"]
    staged = held["classifier"]
    grams = held["ngram_classifier"]
    corpus = metrics["corpus"]
    training = metrics.get("training", {})
    lines = [
        f"Held-out split of `corpus/labels/` ({held['n']:,} strings never used in training: fresh noise draws of the "
        f"training labels, whole variant families and the prose of held-out reports; {corpus['train']:,} training "
        f"and {corpus['calibration']:,} calibration strings):",
        "",
        "| measured on the held-out split | whole classifier (stages) | n-gram classifier alone | transformer alone "
        "| target |",
        "|---|---:|---:|---:|---:|",
        f"| correct category | {staged['accuracy']:.4f} | {grams['accuracy']:.4f} | {held['accuracy']:.4f} "
        f"| ≥ {TARGET_ACCURACY} |",
        f"| \"not a label\" precision | {staged['none_precision']:.4f} | {grams['none_precision']:.4f} "
        f"| {held['none_precision']:.4f} | ≥ {TARGET_NONE_PRECISION} |",
        f"| \"not a label\" recall | {staged['none_recall']:.4f} | {grams['none_recall']:.4f} "
        f"| {held['none_recall']:.4f} | |",
        f"| expected calibration error | {staged['expected_calibration_error']:.4f} "
        f"| {grams['expected_calibration_error']:.4f} | {held['expected_calibration_error']:.4f} | |",
        "",
        "| stage | strings settled | correct |",
        "|---|---:|---:|",
    ]
    for stage in ("exact", "contained", "ngram", "ngrams", "student", "model"):
        if stage in staged["stages"]:
            s = staged["stages"][stage]
            lines.append(f"| {STAGE_NAMES[stage]} | {s['n']:,} | {s['accuracy']:.4f} |")
    lines += ["", "The classifier's errors on the held-out split (truth → predicted):", "",
              "| truth → predicted | count |", "|---|---:|"]
    lines += [f"| {pair} | {count} |" for pair, count in staged["confusion"].items()]
    seconds = training.get("seconds", {}).get("total")
    if seconds:
        lines += ["", f"Training (`xxgk train-labels`): {seconds / 60:.0f} min with {training.get('threads', '?')} "
                      f"threads on this 2-core machine; transformer {metrics['predict_ms_per_string']:.1f} ms per "
                      f"string (batched, ONNX runtime, every core)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--metrics", type=Path, default=METRICS)
    parser.add_argument("--readme", action="store_true", help="write the tables into README.md")
    args = parser.parse_args(argv)
    table = render(json.loads(args.metrics.read_text(encoding="utf-8")))
    print(table)
    if args.readme:
        replace_section("label-figures", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
