"""Benchmark of the checks: is every injected error flagged, and is no clean report flagged?

For each of N generated reports (every form, both templates and hybrids) it renders the clean report and,
laid out the same way, one copy per kind of injected error:

- the table kinds of ``generate.BREAK_KINDS`` (a total row printed as zeros, a blank 总计 column, a wrong
  total, two cells swapped), printed by ``generate.break_record``;
- ``prose``: a copy whose prose contradicts its tables — one number of the 总体情况 paragraphs (a count
  in 件, which the generator's prose only uses for figures the tables hold) changed by a few.

Each copy is extracted, and the script measures

- recall per kind: the share of broken reports whose verdict is ``inconsistent`` (prose: through a failing
  prose check of severity error), and the share whose failing checks also name every cell that was changed
  (or leave it unread);
- the false-flag rate: the share of clean reports whose verdict is ``inconsistent``; and per kind how many
  reports are not ``consistent`` at all (``incomplete`` too: the reader could not read every cell);
- repairs: the share of broken reports whose repairs restore every changed cell, and repairs whose value is
  not the clean report's (wrong repairs);
- the extra time the checks and the narrative add per report;
- the verdicts on the committed generated set ``eval/sets/frozen-v1`` (its manifest says what was broken).

    .venv/bin/python eval/check_eval.py              # 200 reports x 6 variants
    .venv/bin/python eval/check_eval.py --n 60 --json /tmp/check.json
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from xxgk import generate
from xxgk.checks import narrative
from xxgk.pipeline import extract_bytes

EVAL_DIR = Path(__file__).resolve().parent
FROZEN = EVAL_DIR / "sets" / "frozen-v1"
KINDS = ("clean", *generate.BREAK_KINDS, "prose")
PROSE_COUNT = re.compile(r"(?<![\d.])(\d+)件")
TABLES_HEADING = generate.HEADINGS[1][1]            # 主动公开政府信息情况


def perturb_prose(text: str, rng: random.Random) -> tuple[str, dict] | None:
    """The text with one count of the prose before the tables changed, and what changed; None if it has none."""
    end = text.find(TABLES_HEADING)
    counts = list(PROSE_COUNT.finditer(text, 0, end if end > 0 else len(text)))
    if not counts:
        return None
    m = rng.choice(counts)
    old = int(m.group(1))
    new = old
    while new == old or new < 0:
        new = old + rng.choice([-2, -1, 1, 2, 3, 10])
    info = {"kind": "prose", "printed": new, "original": old, "context": text[max(0, m.start() - 12):m.end()]}
    return text[:m.start(1)] + str(new) + text[m.end(1):], info


def clean_values(record: dict) -> dict:
    """The clean report's values under the keys the checks use (a hybrid's single （六） row included)."""
    values = dict(record["fields"])
    for column, value in (record.get("hybrid_other") or {}).items():
        values[f"{generate.HYBRID_OTHER}.{column}"] = value
    return values


def variants(i: int, seed: int):
    """(kind, text, name, info) for report i: the clean copy and one per kind of injected error."""
    rng = random.Random(f"xxgk-check-eval:{seed}:{i}")
    form = generate.FORMS[i % len(generate.FORMS)]
    template = rng.choice(["2019", "2021"])
    hybrid = template == "2021" and rng.random() < 0.1
    record = generate.random_record(template, rng, hybrid=hybrid)
    layout = f"xxgk-check-eval:{seed}:{i}:layout"
    suffix = ".html" if form == "html" else ".txt"
    clean_text = generate.render(record, form, random.Random(layout))
    yield "clean", clean_text, f"r{i:04d}-{form}{suffix}", None, record
    for kind in generate.BREAK_KINDS:
        try:
            broken, info = generate.break_record(record, kind, random.Random(f"{layout}:{kind}"))
        except ValueError:          # nothing to break this way (no two unequal neighbours)
            continue
        if not changed_cells(info):  # the break printed what was there already (a total row of zeros)
            continue
        # The truth is the broken record with the injected cells as they were (breaking may first give an
        # empty report a few requests, so the clean record is not it).
        truth = {**broken, "fields": {**broken["fields"], **{k: v for k, v in info["original"].items()
                                                             if k in broken["fields"]}}}
        if broken.get("hybrid_other"):
            truth["hybrid_other"] = {**broken["hybrid_other"], **{k.rsplit(".", 1)[1]: v for k, v in info["original"].items()
                                                                  if k.startswith(generate.HYBRID_OTHER + ".")}}
        yield kind, generate.render(broken, form, random.Random(layout)), f"r{i:04d}-{form}-{kind}{suffix}", info, truth
    changed = perturb_prose(clean_text, random.Random(f"{layout}:prose"))
    if changed:
        yield "prose", changed[0], f"r{i:04d}-{form}-prose{suffix}", changed[1], record


def changed_cells(info: dict) -> list[str]:
    return [k for k in info["cells"] if info["printed"][k] != info["original"][k]]


def assess(kind: str, rec: dict, info: dict | None, clean: dict) -> dict:
    failing = [c for c in rec["checks"] if c["ok"] is False]
    # A changed cell is flagged when a failing check names it or the record holds no value for it (unreadable).
    flagged_cells = {k for c in failing for k in c["cells"]}
    flagged_cells |= {k for k, v in rec["fields"].items() if v is None}
    flagged_cells |= {k for k, c in (rec.get("hybrid_other_row") or {}).items() if c["value"] is None}
    inconsistent = rec["verdict"] == "inconsistent"
    out = {"verdict": rec["verdict"], "repairs": len(rec["repairs"]),
           "wrong_repairs": sum(1 for k, r in rec["repairs"].items() if clean.get(k) != r["value"]),
           "unresolved": len(rec["repair_candidates"])}
    if kind == "clean":
        out["flagged"] = inconsistent
        out["prose_disagreements"] = sum(1 for c in failing if c["kind"] == "prose")
        return out
    if kind == "prose":
        out["flagged"] = inconsistent and any(c["kind"] == "prose" and c["severity"] == "error" for c in failing)
        return out
    cells = changed_cells(info)
    out["changed"] = cells
    out["flagged"] = inconsistent
    out["cells_named"] = set(cells) <= flagged_cells
    out["restored"] = bool(cells) and all(k in rec["repairs"] and rec["repairs"][k]["value"] == info["original"][k]
                                          for k in cells)
    return out


def frozen_verdicts(root: Path) -> dict:
    """Verdicts on the committed generated set (``eval/sets/frozen-v1``): (injected kind or clean) -> verdict -> n."""
    from xxgk.pipeline import extract_file

    out: dict[str, Counter] = defaultdict(Counter)
    with (root / "manifest.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            entry = json.loads(line)
            out[entry["broken"] or "clean"][extract_file(root / entry["file"])["verdict"]] += 1
    return {kind: dict(verdicts) for kind, verdicts in sorted(out.items())}


def timed_narrative(text: str) -> float:
    started = time.perf_counter()
    narrative.read_statements(text)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="clean reports to generate (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--show", type=int, default=5, help="misses to print per kind")
    args = parser.parse_args(argv)

    results: dict[str, list[dict]] = defaultdict(list)
    misses: dict[str, list[str]] = defaultdict(list)
    check_ms, extract_ms = [], []
    for i in range(args.n):
        for kind, text, name, info, record in variants(i, args.seed):
            started = time.perf_counter()
            try:
                rec = extract_bytes(text.encode("utf-8"), name)
            except Exception as exc:          # a report the reader refuses is a miss, not a crash
                results[kind].append({"flagged": False, "verdict": f"error: {type(exc).__name__}"})
                misses[kind].append(f"{name}: {exc}")
                continue
            extract_ms.append((time.perf_counter() - started) * 1000)
            if kind == "clean":
                check_ms.append(timed_narrative(text))
            result = assess(kind, rec, info, clean_values(record))
            results[kind].append(result)
            wrong = result["flagged"] if kind == "clean" else not (result["flagged"] and result.get("cells_named", True))
            if wrong or result["wrong_repairs"]:
                failing = [f"{c['rule']} ({c['expected']} vs {c['printed']})" for c in rec["checks"] if c["ok"] is False]
                unflagged = [k for k in result.get("changed", []) if not any(
                    k in c["cells"] for c in rec["checks"] if c["ok"] is False) and rec["fields"].get(k, 0) is not None]
                wrong_repairs = {k: (r["value"], clean_values(record).get(k)) for k, r in rec["repairs"].items()
                                 if clean_values(record).get(k) != r["value"]}
                misses[kind].append(f"{name}: verdict {rec['verdict']}, unflagged {unflagged}, "
                                    f"changed { {k: (info['original'][k], info['printed'][k]) for k in result.get('changed', [])} }, "
                                    f"failing {failing[:5]}, wrong repairs (repaired, truth) {wrong_repairs}, "
                                    f"candidates {[c['reason'][:50] for c in rec['repair_candidates']]}")

    summary = {}
    print(f"{'kind':<20}{'reports':>8}{'flagged':>9}{'rate':>8}{'not consistent':>15}{'cells named':>12}{'restored':>10}"
          f"{'wrong rep.':>11}{'unresolved':>11}")
    for kind in KINDS:
        rows = results.get(kind, [])
        if not rows:
            continue
        flagged = sum(r["flagged"] for r in rows)
        restored = sum(r.get("restored", False) for r in rows)
        wrong = sum(r.get("wrong_repairs", 0) for r in rows)
        unresolved = sum(1 for r in rows if r.get("unresolved"))
        named = sum(r.get("cells_named", False) for r in rows)
        unsure = sum(r["verdict"] != "consistent" for r in rows)
        summary[kind] = {"reports": len(rows), "flagged": flagged, "rate": round(flagged / len(rows), 4),
                         "not_consistent": unsure, "cells_named": named, "restored": restored, "wrong_repairs": wrong,
                         "with_unresolved": unresolved, "verdicts": dict(Counter(r["verdict"] for r in rows))}
        table_kind = kind not in ("clean", "prose")
        print(f"{kind:<20}{len(rows):>8}{flagged:>9}{flagged / len(rows):>8.3f}{unsure:>15}{named if table_kind else '-':>12}"
              f"{restored if table_kind else '-':>10}{wrong:>11}{unresolved:>11}")
    injected = [r for k in KINDS[1:] for r in results.get(k, [])]
    recall = sum(r["flagged"] for r in injected) / len(injected) if injected else 0.0
    clean = results.get("clean", [])
    false_flag = sum(r["flagged"] for r in clean) / len(clean) if clean else 0.0
    not_consistent = sum(r["verdict"] != "consistent" for r in clean) / len(clean) if clean else 0.0
    timing = {"narrative_median_ms": round(statistics.median(check_ms), 3) if check_ms else None,
              "extract_median_ms": round(statistics.median(extract_ms), 3) if extract_ms else None}
    print(f"recall over every injected error: {recall:.4f}   false-flag rate (clean → inconsistent): {false_flag:.4f}"
          f"   clean not consistent: {not_consistent:.4f}")
    print(f"median ms per report: extract (with checks and narrative) {timing['extract_median_ms']}, "
          f"of which the narrative {timing['narrative_median_ms']}")
    for kind, lines in misses.items():
        for line in lines[:args.show]:
            print(f"  miss [{kind}] {line[:600]}")
    frozen = frozen_verdicts(FROZEN) if FROZEN.exists() else {}
    for kind, verdicts in frozen.items():
        print(f"frozen set {FROZEN.name}, {kind}: {verdicts}")
    if args.json:
        args.json.write_text(json.dumps({"config": {"n": args.n, "seed": args.seed}, "kinds": summary,
                                         "recall": recall, "false_flag_rate": false_flag,
                                         "clean_not_consistent": not_consistent, "timing": timing,
                                         "frozen_set": frozen},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
