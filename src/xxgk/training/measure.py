"""Measuring the label classifier on the held-out split: the transformer alone, with its embedding gate, the
n-gram classifier alone, and the whole classifier as users get it, stage by stage (``metrics.json``)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from ..labels import model as transformer_stage, ngrams as ngram_stage, stages as label_stages, student as student_stage
from ..labels.files import MODEL_DIR
from ..labels.stages import model_form
from .calibration import fit_ensemble_temperature
from .corpus import CORPUS_DIR, NONE, SPLITS, load_split


def measure(out_dir: Path = MODEL_DIR, corpus: Path = CORPUS_DIR, training: dict | None = None) -> dict:
    """Set the "not a label" gate on the calibration split, then score the held-out split; write metrics.json."""
    data = {split: load_split(split, corpus) for split in ("calibration", "heldout")}
    if training is None and (out_dir / "metrics.json").is_file():  # re-measuring keeps the training record
        training = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8")).get("training")
    config = json.loads((out_dir / "config.json").read_text(encoding="utf-8"))
    classifier = transformer_stage.LabelModel(out_dir)
    # the gate sits just below the lowest similarity any calibration label had to an official label
    calibration_forms = [model_form(ex["text"]) for ex in data["calibration"]]
    calibration_probs, likeness = classifier.scores(calibration_forms)
    config["likeness_floor"] = float(min(s for s, ex in zip(likeness, data["calibration"]) if ex["category"] != NONE)) - 0.02
    classifier.likeness_floor = config["likeness_floor"]
    ngrams = ngram_stage.load(out_dir)
    if ngrams is not None:
        assert classifier.labels == ngrams.labels
        config["ensemble_temperature"] = fit_ensemble_temperature(
            calibration_probs, ngrams.probabilities(calibration_forms), data["calibration"], classifier.labels)
        classifier.config["ensemble_temperature"] = config["ensemble_temperature"]
    (out_dir / "config.json").write_text(json.dumps(config, indent=1, ensure_ascii=False), encoding="utf-8")

    started = time.time()
    texts = [model_form(ex["text"]) for ex in data["heldout"]]
    probs, likeness = classifier.scores(texts)
    heldout = evaluate(transformer_stage.decide(classifier.labels, probs), data["heldout"])
    seconds_per_string = (time.time() - started) / len(texts)
    gated = evaluate(transformer_stage.decide(classifier.labels, probs, likeness, config["likeness_floor"]), data["heldout"])
    truly_none = np.array([ex["category"] == NONE for ex in data["heldout"]])
    rejected = likeness < config["likeness_floor"]
    heldout["embedding_gate"] = {
        "alone": {"rejected": int(rejected.sum()), "none_precision": float(truly_none[rejected].mean()) if rejected.any() else None,
                  "none_recall": float(rejected[truly_none].mean())},
        "overruling_the_head": {k: gated[k] for k in ("accuracy", "none_precision", "none_recall")},
    }
    if ngrams is not None:
        gram_probs = ngrams.probabilities(texts)
        heldout["ngram_classifier"] = {k: v for k, v in evaluate(
            [(ngrams.labels[int(p.argmax())], float(p.max())) for p in gram_probs], data["heldout"]).items()
            if k in ("accuracy", "none_precision", "none_recall", "expected_calibration_error")}
    heldout["classifier"] = measure_stages(classifier, data["heldout"])
    metrics = {
        "heldout": heldout,
        "temperature": config["temperature"], "likeness_floor": config["likeness_floor"],
        "corpus": {split: sum(1 for _ in (corpus / f"{split}.jsonl").open(encoding="utf-8")) for split in SPLITS},
        "predict_ms_per_string": round(seconds_per_string * 1000, 2),
        "training": training or {},
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False), encoding="utf-8")
    return metrics


def measure_stages(classifier, examples: list[dict]) -> dict:
    """The whole classifier as users get it (``label_stages.classify_detailed``: dictionary, n-grams, the
    student, then this transformer for what they leave) on the held-out split, with how many strings each
    stage settled."""
    from collections import Counter

    transformer_stage.use(classifier)
    ngrams = ngram_stage.load(classifier.directory)
    if ngrams is not None:
        ngram_stage.use(ngrams)
    student_stage.use(student_stage.load(classifier.directory))
    label_stages.reset_caches()
    results = label_stages.classify_detailed([ex["text"] for ex in examples])
    scores = evaluate([(r.category, r.confidence) for r in results], examples)
    stages = Counter(r.stage for r in results)
    correct = Counter(r.stage for r, ex in zip(results, examples) if r.category == ex["category"])
    scores["stages"] = {stage: {"n": n, "accuracy": correct[stage] / n} for stage, n in stages.items()}
    return scores


def evaluate(predictions: list[tuple[str, float]], examples: list[dict]) -> dict:
    truth = [ex["category"] for ex in examples]
    guess = [p[0] for p in predictions]
    correct = [t == g for t, g in zip(truth, guess)]
    said_none = [t for t, g in zip(truth, guess) if g == NONE]
    confusion: dict[str, int] = {}
    for t, g, ex in zip(truth, guess, examples):
        if t != g:
            confusion[f"{t} -> {g}"] = confusion.get(f"{t} -> {g}", 0) + 1
    by_kind = {}
    for kind in sorted({ex["kind"] for ex in examples}):
        picks = [c for c, ex in zip(correct, examples) if ex["kind"] == kind]
        by_kind[kind] = {"n": len(picks), "accuracy": sum(picks) / len(picks)}
    bins = np.linspace(0, 1, 11)
    confidences = np.array([p[1] for p in predictions])
    hits = np.array(correct, dtype=float)
    ece = sum(abs(hits[m].mean() - confidences[m].mean()) * m.mean()
              for lo, hi in zip(bins[:-1], bins[1:]) if (m := (confidences > lo) & (confidences <= hi)).any())
    return {
        "n": len(examples), "accuracy": sum(correct) / len(correct),
        "none_precision": sum(t == NONE for t in said_none) / max(len(said_none), 1),
        "none_recall": sum(t == NONE and g == NONE for t, g in zip(truth, guess)) / max(truth.count(NONE), 1),
        "expected_calibration_error": float(ece), "by_kind": by_kind,
        "confusion": dict(sorted(confusion.items(), key=lambda kv: -kv[1])),
        "errors": [{"text": ex["text"], "truth": t, "predicted": g, "confidence": round(p[1], 3)}
                   for t, g, p, ex in zip(truth, guess, predictions, examples) if t != g],
    }


def report(metrics: dict) -> None:
    held = metrics["heldout"]
    seconds = metrics.get("training", {}).get("seconds", {}).get("total")
    staged = held["classifier"]
    print(f"held-out ({held['n']} strings): classifier accuracy {staged['accuracy']:.4f}, none precision "
          f"{staged['none_precision']:.4f}; transformer alone {held['accuracy']:.4f} / {held['none_precision']:.4f}, "
          f"ECE {held['expected_calibration_error']:.4f}" + (f"; training {seconds}s" if seconds else ""))
    print("  settled by stage: " + ", ".join(f"{k} {v['n']} ({v['accuracy']:.4f})" for k, v in staged["stages"].items()))
    for pair, count in list(staged["confusion"].items())[:15]:
        print(f"  {count:3d}  {pair}")
