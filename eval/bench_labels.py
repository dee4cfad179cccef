"""Label benchmark: what mapping the labels costs a 1,000-report batch.

For each share of garbled labels asked for (default: none, then 5, 10 and 20 % of label occurrences with
hard OCR slips, so that the transformer has work to do and the curve shows where the share crosses 10 %),
generates N text reports (every text form, noise 0.5), then

1. runs ``xxgk batch`` on them on all cores, with the dictionary alone and with every label stage
   (``XXGK_LABEL_STAGES``), three times each (medians), and reports what the learned stages add to the batch's
   wall time;
2. times the whole classifier (``label_stages.classify_detailed``: dictionary, n-gram classifier, the student,
   and the transformer for what they leave) from a cold cache in one process, against the batch's time
   without it, on
   - every distinct label the batch prints (the generator's own list, kept in its manifest: each row and
     column label and section heading with its noise, slips and line breaks inside) — the issue's measure,
     counted with the models' loading;
   - and, stricter, every distinct label-like cell the tokenizer finds (up to 40 characters: longer runs are
     prose), which adds the halves of labels broken over two lines and page text (titles, dates, footers),
     and again only those inside the tables.

    .venv/bin/python eval/bench_labels.py [--n 1000] [--readme]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from xxgk.labels import model as label_model, ngrams as label_ngrams, stages as label_stages, student as label_student
from xxgk.labels.dictionary import match_label, public_category
from xxgk.generate import FORMS, generate_set, printed_labels
from xxgk.readers import read_file
from xxgk.tables.tokens import LABEL, tokenize

from readme_section import replace_section

EVAL_DIR = Path(__file__).resolve().parent
TEXT_FORMS = [form for form in FORMS if form != "html"]
CORES = os.cpu_count() or 1
TARGET_SHARE = 0.10
BATCH_REPEATS = 3


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
        tokens = [t for t in tokenize(read_file(path).text)
                  if t.kind != LABEL or len(t.text) <= label_stages.LABEL_MAX_CHARS]
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


def loading_seconds() -> float:
    """What a fresh process pays before its first label: the transformer, the n-gram classifier, the student."""
    started = time.perf_counter()
    label_model.load()
    label_ngrams.load()
    label_student.load()
    return time.perf_counter() - started


def cold_mapping(texts: list[str], use_model: bool = True) -> tuple[list, float]:
    """The whole classifier's answers for ``texts`` from empty caches, and the seconds they took."""
    label_stages.reset_caches()
    started = time.perf_counter()
    results = label_stages.classify_detailed(texts, use_model=use_model)
    return results, time.perf_counter() - started


def measure(n: int, seed: int, garble: float, workdir: Path, loading: float) -> dict:
    src = workdir / f"gen-{garble}"
    generate_set(src, n, seed=seed, forms=TEXT_FORMS, noise=0.5, garble=garble)
    # the two arms in turn, BATCH_REPEATS times each, the median kept: one run of each differs by a few per cent
    times: dict[bool, list[float]] = {False: [], True: []}
    for repeat in range(BATCH_REPEATS):
        for model in (False, True):
            times[model].append(batch_seconds(src / "raw", workdir / f"ds-{model}-{garble}-{repeat}", model))
    off, on = statistics.median(times[False]), statistics.median(times[True])
    texts, in_tables = distinct_labels(src / "raw")
    printed = printed_labels(src)
    labels, mapping_printed = cold_mapping(printed)
    _, cheap_printed = cold_mapping(printed, use_model=False)
    questions = sum(r.stage == "model" for r in labels)
    _, cheap_mapping = cold_mapping(texts, use_model=False)
    results, mapping = cold_mapping(texts)
    inside, mapping_inside = cold_mapping(in_tables)
    return {"garble": garble, "batch_seconds_model_off": round(off, 2), "batch_seconds_model_on": round(on, 2),
            "batch_runs_model_off": [round(t, 2) for t in times[False]],
            "batch_runs_model_on": [round(t, 2) for t in times[True]],
            "learned_stages_add": round(on / off - 1, 4), "printed_labels": len(printed),
            "stages_printed": dict(Counter(r.stage for r in labels)),
            "mapping_seconds_printed": round(mapping_printed, 2),
            "mapping_share_printed": round((mapping_printed + loading) / off, 4),
            "mapping_seconds_printed_without_transformer": round(cheap_printed, 2),
            # what the transformer's questions cost each, and what the target would leave each of them
            "transformer_ms_per_question": round(1000 * (mapping_printed - cheap_printed) / questions, 2)
            if questions else None,
            "transformer_budget_ms_per_question": round(
                1000 * (TARGET_SHARE * off - loading - cheap_printed) / questions, 2) if questions else None,
            "distinct_labels": len(texts),
            "stages": dict(Counter(r.stage for r in results)), "mapping_seconds": round(mapping, 2),
            "model_loading_seconds": round(loading, 2), "mapping_share_of_batch": round(mapping / off, 4),
            "mapping_seconds_without_transformer": round(cheap_mapping, 2),
            "mapping_share_without_transformer": round(cheap_mapping / off, 4),
            "distinct_labels_in_tables": len(in_tables), "stages_in_tables": dict(Counter(r.stage for r in inside)),
            "mapping_seconds_in_tables": round(mapping_inside, 2),
            "mapping_share_in_tables": round(mapping_inside / off, 4)}


SETTLED_BY = "settled by exact / contained / dictionary n-grams / n-gram classifier / student / transformer"


def settled(stages: dict) -> str:
    return " / ".join(f"{stages.get(s, 0):,}" for s in ("exact", "contained", "ngram", "ngrams", "student", "model"))


def markdown(runs: list[dict], n: int, load: tuple) -> str:
    lines = [f"| N = {n:,} generated reports, {CORES} cores | " + " | ".join(
                 f"{r['garble']:.0%} of labels garbled" for r in runs) + " |",
             "|---|" + "---:|" * len(runs)]

    def row(name, cell):
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in runs) + " |")
    row(f"`xxgk batch`, dictionary only (median of {BATCH_REPEATS})", lambda r: f"{r['batch_seconds_model_off']:.1f} s")
    row("`xxgk batch`, every label stage (learned stages asked where a row is missing)",
        lambda r: f"{r['batch_seconds_model_on']:.1f} s ({r['learned_stages_add'] * 100:+.1f} %)")
    row("**distinct labels the batch prints** (rows, columns, headings; noise and line breaks inside)",
        lambda r: f"{r['printed_labels']:,}")
    row(SETTLED_BY, lambda r: settled(r["stages_printed"]))
    row("**mapping them with the whole classifier, cold cache, one process, with loading the models**",
        lambda r: f"{r['mapping_seconds_printed']:.2f} s + {r['model_loading_seconds']:.2f} s "
                  f"(**{r['mapping_share_printed'] * 100:.1f} % of the batch**)")
    row("of it the transformer's questions: ms each, and what a share under the target would leave each", lambda r: (
        f"{r['transformer_ms_per_question']:.1f} ms; {r['transformer_budget_ms_per_question']:.2f} ms"
        if r.get("transformer_ms_per_question") is not None else "none asked"))
    row("stricter: distinct label-like cells (≤ 40 characters) the tokenizer finds, with halves of broken labels "
        "and page text", lambda r: f"{r['distinct_labels']:,}")
    row(SETTLED_BY, lambda r: settled(r["stages"]))
    row("mapping all of them with the whole classifier, cold cache, one process (loading apart)", lambda r: (
        f"{r['mapping_seconds']:.1f} s ({r['mapping_share_of_batch'] * 100:.0f} % of the batch)"))
    row("of them inside the tables (first table label to last value)", lambda r: f"{r['distinct_labels_in_tables']:,}")
    row("mapping those with the whole classifier, cold cache (transformer asked)", lambda r: (
        f"{r['mapping_seconds_in_tables']:.1f} s ({r['mapping_share_in_tables'] * 100:.0f} % of the batch; "
        f"{r['stages_in_tables'].get('model', 0):,})"))
    row("mapping all of them without the transformer (dictionary, n-gram classifier, student)", lambda r: (
        f"{r['mapping_seconds_without_transformer']:.1f} s ({r['mapping_share_without_transformer'] * 100:.0f} % "
        f"of the batch)"))
    lines += ["", f"Measured by `python eval/bench_labels.py` (load average before the run {load[0]:.2f}; model "
                  f"loading, {runs[0]['model_loading_seconds']:.1f} s per process, is inside the batch figures and "
                  f"the printed labels' share)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--garble", type=float, nargs="+", default=[0.0, 0.05, 0.1, 0.2],
                        help="shares of label occurrences with hard slips, one run each")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "bench_labels.json")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-labels-") as tmp:
        loading = loading_seconds()
        runs = [measure(args.n, args.seed, garble, Path(tmp), loading) for garble in args.garble]
    table = markdown(runs, args.n, load)
    print(table)
    for r in runs:
        print(f"garble {r['garble']:.0%}: mapping every distinct label the batch prints, loading included: "
              f"{r['mapping_share_printed']:.1%} of the batch (target < {TARGET_SHARE:.0%}: "
              f"{'met' if r['mapping_share_printed'] < TARGET_SHARE else 'NOT met'}); learned stages as the "
              f"extractor asks them add {r['learned_stages_add']:+.1%}; every label-like cell: "
              f"{r['mapping_share_of_batch']:.0%}, inside the tables {r['mapping_share_in_tables']:.0%}")
    args.json.write_text(json.dumps({"n": args.n, "cores": CORES, "load_average": load, "runs": runs}, indent=1),
                         encoding="utf-8")
    if args.readme:
        replace_section("label-bench", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
