"""Label benchmark: what mapping the labels costs a 1,000-report batch.

For each share of garbled labels asked for (default: none, and a fifth of label occurrences with hard OCR
slips so that the transformer has work to do), generates N text reports (every text form, noise 0.5), then

1. runs ``xxgk batch`` on them twice on all cores, with the dictionary alone and with every label stage
   (``XXGK_LABEL_STAGES``), and reports what the learned stages add to the batch's wall time;
2. collects every distinct label string of the batch (the label cells the tokenizer finds, up to 40
   characters: longer runs are prose) and times the whole classifier on them from a cold cache in one
   process (``label_stages.classify_detailed``: dictionary, n-gram classifier, the student, and the transformer
   for what they leave), and again only those inside the tables,
   model loading reported apart, against the batch's time without it.

    .venv/bin/python eval/bench_labels.py [--n 1000] [--readme]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from xxgk import label_model, label_ngrams, label_stages, label_student
from xxgk.labels import match_label, public_category
from xxgk.generate import FORMS, generate_set
from xxgk.read import read_file
from xxgk.tokens import LABEL, tokenize

from readme_section import replace_section

EVAL_DIR = Path(__file__).resolve().parent
TEXT_FORMS = [form for form in FORMS if form != "html"]
CORES = os.cpu_count() or 1
LABEL_MAX_CHARS = 40
TARGET_SHARE = 0.10


def batch_seconds(src: Path, out: Path, model: bool) -> float:
    env = {**os.environ, "XXGK_LABEL_STAGES": "all" if model else "dictionary"}
    command = [sys.executable, "-c", "from xxgk.cli import app; app()", "batch", str(src), "-o", str(out),
               "-j", str(CORES), "--quiet"]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr}")
    return time.perf_counter() - started


def distinct_labels(raw: Path) -> tuple[list[str], list[str]]:
    """Every distinct label-cell string of the batch, and those inside the tables: from a report's first
    label the dictionary reads as a table's row or column to its last value (titles, dates and footers
    outside the tables left out)."""
    seen: dict[str, None] = {}
    inside: dict[str, None] = {}
    for path in sorted(raw.iterdir()):
        tokens = [t for t in tokenize(read_file(path).text) if t.kind != LABEL or len(t.text) <= LABEL_MAX_CHARS]
        labels = [i for i, t in enumerate(tokens) if t.kind == LABEL]
        first = next((i for i in labels if _table_label(tokens[i].text)), len(tokens))
        last = max((i for i, t in enumerate(tokens) if t.kind != LABEL), default=-1)
        for i in labels:
            seen.setdefault(tokens[i].text)
            if first <= i <= last:
                inside.setdefault(tokens[i].text)
    return list(seen), list(inside)


def _table_label(text: str) -> bool:
    m = match_label(text)
    return m.confidence >= 0.9 and public_category(m.category).split(".")[0] not in ("none", "section")


def measure(n: int, seed: int, garble: float, workdir: Path) -> dict:
    src = workdir / f"gen-{garble}"
    generate_set(src, n, seed=seed, forms=TEXT_FORMS, noise=0.5, garble=garble)
    off = batch_seconds(src / "raw", workdir / f"ds-off-{garble}", model=False)
    on = batch_seconds(src / "raw", workdir / f"ds-on-{garble}", model=True)
    texts, in_tables = distinct_labels(src / "raw")
    started = time.perf_counter()
    label_model.load()
    label_ngrams.load()
    label_student.load()
    loading = time.perf_counter() - started
    label_stages.reset_caches()
    started = time.perf_counter()
    label_stages.classify_detailed(texts, use_model=False)
    cheap_mapping = time.perf_counter() - started
    label_stages.reset_caches()
    started = time.perf_counter()
    results = label_stages.classify_detailed(texts)
    mapping = time.perf_counter() - started
    label_stages.reset_caches()
    started = time.perf_counter()
    inside = label_stages.classify_detailed(in_tables)
    mapping_inside = time.perf_counter() - started
    return {"garble": garble, "batch_seconds_model_off": round(off, 2), "batch_seconds_model_on": round(on, 2),
            "learned_stages_add": round(on / off - 1, 4), "distinct_labels": len(texts),
            "stages": dict(Counter(r.stage for r in results)), "mapping_seconds": round(mapping, 2),
            "model_loading_seconds": round(loading, 2), "mapping_share_of_batch": round(mapping / off, 4),
            "mapping_seconds_without_transformer": round(cheap_mapping, 2),
            "mapping_share_without_transformer": round(cheap_mapping / off, 4),
            "distinct_labels_in_tables": len(in_tables), "stages_in_tables": dict(Counter(r.stage for r in inside)),
            "mapping_seconds_in_tables": round(mapping_inside, 2),
            "mapping_share_in_tables": round(mapping_inside / off, 4)}


def markdown(runs: list[dict], n: int, load: tuple) -> str:
    lines = [f"| N = {n:,} generated reports, {CORES} cores | " + " | ".join(
                 f"{r['garble']:.0%} of labels garbled" for r in runs) + " |",
             "|---|" + "---:|" * len(runs)]

    def row(name, cell):
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in runs) + " |")
    row("`xxgk batch`, dictionary only", lambda r: f"{r['batch_seconds_model_off']:.1f} s")
    row("`xxgk batch`, every label stage (learned stages asked where a row is missing)",
        lambda r: f"{r['batch_seconds_model_on']:.1f} s ({r['learned_stages_add'] * 100:+.1f} %)")
    row("distinct label-cell strings (≤ 40 characters) in the batch", lambda r: f"{r['distinct_labels']:,}")
    row("settled by exact / contained / dictionary n-grams / n-gram classifier / student / transformer",
        lambda r: " / ".join(f"{r['stages'].get(s, 0):,}" for s in ("exact", "contained", "ngram", "ngrams", "student", "model")))
    row("mapping all of them with the whole classifier, cold cache, one process", lambda r: (
        f"{r['mapping_seconds']:.1f} s ({r['mapping_share_of_batch'] * 100:.0f} % of the batch)"))
    row("of them inside the tables (first table label to last value)", lambda r: f"{r['distinct_labels_in_tables']:,}")
    row("mapping those with the whole classifier, cold cache (transformer asked)", lambda r: (
        f"{r['mapping_seconds_in_tables']:.1f} s ({r['mapping_share_in_tables'] * 100:.0f} % of the batch; "
        f"{r['stages_in_tables'].get('model', 0):,})"))
    row("mapping all of them without the transformer (dictionary, n-gram classifier, student)", lambda r: (
        f"{r['mapping_seconds_without_transformer']:.1f} s ({r['mapping_share_without_transformer'] * 100:.0f} % "
        f"of the batch)"))
    lines += ["", f"Measured by `python eval/bench_labels.py` (load average before the run {load[0]:.2f}; model "
                  f"loading, {runs[0]['model_loading_seconds']:.1f} s per process, is inside the batch figures)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--garble", type=float, nargs="+", default=[0.0, 0.2],
                        help="shares of label occurrences with hard slips, one run each")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "bench_labels.json")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-labels-") as tmp:
        runs = [measure(args.n, args.seed, garble, Path(tmp)) for garble in args.garble]
    table = markdown(runs, args.n, load)
    print(table)
    for r in runs:
        print(f"garble {r['garble']:.0%}: learned stages add {r['learned_stages_add']:+.1%} to the batch; "
              f"mapping every distinct label-cell string: {r['mapping_share_of_batch']:.0%} of the batch, those "
              f"inside the tables: {r['mapping_share_in_tables']:.0%} (target < {TARGET_SHARE:.0%}: "
              f"{'met' if max(r['mapping_share_of_batch'], r['mapping_share_in_tables']) < TARGET_SHARE else 'NOT met'})")
    args.json.write_text(json.dumps({"n": args.n, "cores": CORES, "load_average": load, "runs": runs}, indent=1),
                         encoding="utf-8")
    if args.readme:
        replace_section("label-bench", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
