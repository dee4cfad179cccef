"""Reproduce the README's accuracy table: extract every evaluation set in-process and score it.

Sets: the real seeds and examples (the project's ``corpus/`` copy, else ``../shared``), one generated
set per text form of the generator (noise 0.3, the generator's template mix: 2019 and 2021 about equally,
some 2021 ones hybrids), one set of all forms, HTML included, at noise 0.8, and one whose labels carry
hard OCR slips (lookalike glyphs, lost characters: half the label occurrences) that the dictionary alone
cannot read. Prints Markdown tables (per set, per form, and how many distinct labels each stage of the
label classifier settled per set) and writes ``eval/results.json``.

    .venv/bin/python eval/run.py            # full run, 60 reports per generated set
    .venv/bin/python eval/run.py --quick    # 8 reports per generated set
    .venv/bin/python eval/run.py --compare-label-model   # each set with and without the transformer stage
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from xxgk.evaluate import evaluate, load_records
from xxgk.generate import FORMS, generate_set
from xxgk.labels import reset_caches, stage_counts
from xxgk.options import Options
from xxgk.pipeline import ReadError, extract_file

from readme_section import comparison_table, markdown_table, stage_table

EVAL_DIR = Path(__file__).resolve().parent
REPO = EVAL_DIR.parent
SHARED = REPO.parent / "shared"
REAL_SETS = {
    # name: (raw folders, gold folders), the project's copy first
    "seeds": ((REPO / "corpus/seeds/raw", SHARED / "seeds"), (REPO / "corpus/seeds/gold", SHARED / "gold")),
    "examples": ((REPO / "corpus/examples/raw", SHARED / "examples/raw"),
                 (REPO / "corpus/examples/gold", SHARED / "examples/gold")),
    # A generated set frozen in the repository (every form, both templates, hybrids, noise 0.5, a fifth with
    # broken arithmetic, some GB18030/UTF-16 files): its figures do not move when the generator changes.
    "frozen-v1": ((EVAL_DIR / "sets/frozen-v1/raw",), (EVAL_DIR / "sets/frozen-v1/gold",)),
    # Real published PDFs, and the plain pdftotext text of each (one gold for both: scored apart).
    "real-pdf": ((REPO / "corpus/real/raw", SHARED / "real/raw"), (REPO / "corpus/real/gold", SHARED / "real/gold")),
    "real-pdftotext": ((REPO / "corpus/real/raw", SHARED / "real/raw"),
                       (REPO / "corpus/real/gold", SHARED / "real/gold")),
}
# Which files of a real set's folder it reads (by suffix); the others read text and saved pages.
SET_SUFFIXES = {"real-pdf": (".pdf",), "real-pdftotext": (".txt",)}
RAW_SUFFIXES = (".txt", ".html", ".htm")
TEXT_FORMS = [form for form in FORMS if form != "html"]
WRONG_KEPT = 20
NOISE, HEAVY_NOISE = 0.3, 0.8
GARBLED_NOISE, GARBLE = 0.5, 0.5


@dataclass
class EvalSet:
    name: str
    gold: dict[str, dict]
    pred: dict[str, dict] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    form_of: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    stages: dict[str, int] = field(default_factory=dict)
    raws: dict[str, Path] = field(default_factory=dict)
    without_model: dict | None = None


def first_existing(candidates: tuple[Path, ...]) -> Path | None:
    return next((p for p in candidates if p.is_dir() and any(p.iterdir())), None)


def raw_files(folder: Path, suffixes: tuple[str, ...] = RAW_SUFFIXES) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in suffixes}


def extract_all(eval_set: EvalSet, raws: dict[str, Path], pred_dir: Path | None, options: Options,
                compare: bool = False) -> None:
    """Extract each raw file that has gold; a failure becomes a missing prediction, never a stop.
    With ``compare``, the set is first extracted with the dictionary alone (no learned label stage) and scored."""
    eval_set.raws = raws
    if compare:
        extract_set(eval_set, Options(label_stages="dictionary"))
        eval_set.without_model = evaluate(eval_set.gold, eval_set.pred)
        eval_set.pred, eval_set.failures = {}, {}
    extract_set(eval_set, options)
    if pred_dir is not None:
        out = pred_dir / eval_set.name
        out.mkdir(parents=True, exist_ok=True)
        for name, record in eval_set.pred.items():
            (out / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def extract_set(eval_set: EvalSet, options: Options) -> None:
    reset_caches()
    raws = eval_set.raws
    started = time.perf_counter()
    for name in sorted(eval_set.gold):
        path = raws.get(name)
        if path is None:
            eval_set.failures[name] = "no raw file"
            continue
        try:
            eval_set.pred[name] = extract_file(path, options)
        except ReadError as exc:
            eval_set.failures[name] = f"unreadable: {exc}"
        except Exception as exc:  # an extractor bug must cost this report, not the whole run
            where = traceback.extract_tb(exc.__traceback__)[-1]
            eval_set.failures[name] = (f"crash: {type(exc).__name__}: {exc}"
                                       f" (at {Path(where.filename).name}:{where.lineno})")
    eval_set.seconds = time.perf_counter() - started
    eval_set.stages = dict(stage_counts())


def real_set(name: str, pred_dir: Path | None, options: Options, compare: bool = False) -> EvalSet | None:
    raw_candidates, gold_candidates = REAL_SETS[name]
    raw_dir, gold_dir = first_existing(raw_candidates), first_existing(gold_candidates)
    if raw_dir is None or gold_dir is None:
        print(f"warning: set {name!r} not found, skipped", file=sys.stderr)
        return None
    eval_set = EvalSet(name, load_records(gold_dir))
    eval_set.form_of = {n: "real" for n in eval_set.gold}
    extract_all(eval_set, raw_files(raw_dir, SET_SUFFIXES.get(name, RAW_SUFFIXES)), pred_dir, options, compare)
    return eval_set


def generated_set(name: str, workdir: Path, n: int, seed: int, forms: list[str] | None, noise: float,
                  pred_dir: Path | None, options: Options, compare: bool = False, garble: float = 0.0) -> EvalSet:
    """``n`` generated reports; the seed alone fixes the records, so sets of one seed differ only in form."""
    outdir = workdir / name
    generate_set(outdir, n, seed=seed, forms=forms, noise=noise, garble=garble)
    eval_set = EvalSet(name, load_records(outdir / "gold"))
    with (outdir / "manifest.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                entry = json.loads(line)
                eval_set.form_of[entry["name"]] = entry["form"]
    extract_all(eval_set, raw_files(outdir / "raw"), pred_dir, options, compare)
    return eval_set


def summary(result: dict, eval_set: EvalSet | None = None) -> dict:
    kept = {k: v for k, v in result.items() if k not in ("per_report", "wrong")}
    kept["wrong"] = result["wrong"][:WRONG_KEPT]
    if eval_set is not None:
        kept["failures"] = eval_set.failures
        kept["seconds"] = round(eval_set.seconds, 2)
        kept["label_stages"] = eval_set.stages
        if eval_set.without_model is not None:
            kept["without_label_model"] = {k: eval_set.without_model[k]
                                           for k in ("fields", "nonzero", "perfect", "silent_errors")}
    return kept


def merged(sets: list[EvalSet]) -> tuple[dict, dict, dict]:
    """Gold, predictions and forms of several sets, with names made unique by the set name."""
    gold, pred, form_of = {}, {}, {}
    for s in sets:
        gold.update({f"{s.name}/{k}": v for k, v in s.gold.items()})
        pred.update({f"{s.name}/{k}": v for k, v in s.pred.items()})
        form_of.update({f"{s.name}/{k}": v for k, v in s.form_of.items()})
    return gold, pred, form_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=60, help="reports per generated set (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--quick", action="store_true", help="small run: 8 reports per generated set")
    parser.add_argument("--keep", type=Path, help="keep generated sets and predictions in this folder")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "results.json", help="results file")
    parser.add_argument("--compare-label-model", action="store_true",
                        help="also extract every set with the dictionary alone (no learned label stage) and compare")
    parser.add_argument("--label-stages", choices=("all", "ngrams", "dictionary"), default="all",
                        help="label stages the extractor may use: all (default), ngrams (no transformer), dictionary")
    args = parser.parse_args(argv)
    options = Options(label_stages=args.label_stages)
    compare = args.compare_label_model
    n = 8 if args.quick else args.n

    with tempfile.TemporaryDirectory(prefix="xxgk-eval-") as tmp:
        workdir = args.keep or Path(tmp)
        pred_dir = workdir / "pred" if args.keep else None
        sets = [s for s in (real_set(name, pred_dir, options, compare) for name in REAL_SETS) if s]
        generated = [generated_set(f"gen-{form}", workdir, n, args.seed, [form], NOISE, pred_dir, options, compare)
                     for form in TEXT_FORMS]
        generated.append(generated_set("gen-noisy", workdir, n, args.seed + 1, None, HEAVY_NOISE, pred_dir, options,
                                       compare))
        generated.append(generated_set("gen-garbled-labels", workdir, n, args.seed + 2, None, GARBLED_NOISE,
                                       pred_dir, options, compare, garble=GARBLE))
    sets += generated

    per_set = {s.name: evaluate(s.gold, s.pred) for s in sets}
    gold, pred, form_of = merged(generated)
    per_set["all generated"] = evaluate(gold, pred)
    per_form = {}
    for form in sorted(set(form_of.values())):
        names = [k for k, f in form_of.items() if f == form]
        per_form[form] = evaluate({k: gold[k] for k in names}, {k: pred[k] for k in names if k in pred})

    print(markdown_table("set", per_set))
    print()
    print(markdown_table("form (all generated sets)", per_form))
    print()
    print(stage_table({s.name: s.stages for s in sets}))
    if compare:
        print()
        print(comparison_table({s.name: {**evaluate(s.gold, s.pred), "without_label_model": s.without_model}
                                for s in sets}))
    failures = {f"{s.name}/{k}": why for s in sets for k, why in s.failures.items()}
    if failures:
        print(f"\n{len(failures)} reports without a prediction:")
        by_reason: dict[str, list[str]] = {}
        for name, why in failures.items():
            by_reason.setdefault(why, []).append(name)
        for why, names in sorted(by_reason.items(), key=lambda item: -len(item[1]))[:15]:
            print(f"  {len(names):>4} × {why}  (e.g. {names[0]})")
    extracted = sum(len(s.pred) for s in sets)
    seconds = sum(s.seconds for s in sets)
    print(f"\nextracted {extracted} reports in {seconds:.1f} s")

    by_name = {s.name: s for s in sets}
    results = {
        "config": {"n": n, "seed": args.seed, "noise": NOISE, "noisy_set_noise": HEAVY_NOISE,
                   "garbled_set": {"noise": GARBLED_NOISE, "garble": GARBLE},
                   "label_stages": args.label_stages,
                   "text_forms": TEXT_FORMS, "noisy_set_forms": list(FORMS)},
        "sets": {name: summary(r, by_name.get(name)) for name, r in per_set.items()},
        "forms": {form: summary(r) for form, r in per_form.items()},
    }
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
