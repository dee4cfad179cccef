"""The ``xxgk`` command's own costs, each beside a floor pass timed in the same run (issue 25).

- ``xxgk --version``: the command starting and answering, wall time;
- ``xxgk extract ONE_FILE``: a cold process reading one text report and writing its record, wall and CPU time
  (loading jieba's dictionary and the label tables is most of it; the label transformer loads only for a label
  nothing cheaper reads, so the file is timed twice: one whose labels the dictionary reads, one that needs the
  transformer);
- ``xxgk extract FOLDER``: ``--n`` generated text reports, records written, on every core (the command's default:
  a worker process per core) and in one process (``-j 1``): wall and CPU per report, start-up included; the
  one process's CPU beside the floor pass (read, decode, one ``re.findall(r"\\d+")``) over the same files in the
  same run. The wall time on every core is what a user waits; it falls with the cores only where they are free
  (on a machine busy with other work the workers share what one process would have had).

Each command runs ``--repeat`` times; medians are quoted, with the load average before and after. The package's
modules are byte-compiled first, as ``pip install`` does for an installed wheel: a checkout run with
``PYTHONDONTWRITEBYTECODE`` set (as CI and this machine do) would otherwise compile every module at every start,
about 0.17 s that no installed user pays.

    .venv/bin/python eval/bench_commands.py              # 1,000 reports for the folder
    .venv/bin/python eval/bench_commands.py --n 300 --repeat 3

Writes ``eval/bench_commands.json``; ``--readme`` puts the table into docs/evaluation.md (between its
``command-figures`` markers).
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xxgk
from xxgk.batch.workers import cores
from xxgk.generate import FORMS, generate_set, random_record, render

from readme_section import replace_section

EVAL_DIR = Path(__file__).resolve().parent
TEXT_FORMS = [form for form in FORMS if form != "html"]
# What the console script runs (pyproject.toml: xxgk = "xxgk.cli:main").
XXGK = [sys.executable, "-c", "import sys; from xxgk.cli import main; sys.exit(main())"]

TARGET_VERSION_S = 0.1
TARGET_ONE_FILE_S = 1.0
TARGET_FOLDER_MS = 6.0
TARGET_FLOOR_RATIO = 60.0

_NUMBERS = re.compile(r"\d+")


def run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*XXGK, *args], capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"xxgk {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def repeated(args: list[str], times: int) -> dict:
    runs = [run(args) for _ in range(times)]
    return {"wall_s": round(statistics.median(w for w, _ in runs), 3),
            "cpu_s": round(statistics.median(c for _, c in runs), 3),
            "wall_runs": [round(w, 3) for w, _ in runs]}


def floor_pass(paths: list[Path]) -> float:
    """CPU seconds to read, decode and scan every file once."""
    started = time.process_time()
    for path in paths:
        _NUMBERS.findall(path.read_bytes().decode("utf-8", "replace"))
    return time.process_time() - started


def one_file(folder: Path, template: str, form: str, noise: float, garble: float, seed: int) -> Path:
    rng = random.Random(seed)
    path = folder / f"one-{form}-{noise}-{garble}.txt"
    path.write_text(render(random_record(template, rng), form, rng, noise=noise, garble=garble), encoding="utf-8")
    return path


def markdown(result: dict) -> str:
    load = result["load_average"]
    v, clean, hard, folder = (result[k] for k in ("version", "one_file_dictionary", "one_file_transformer", "folder"))
    lines = ["| command | wall (median) | CPU | beside the floor pass |", "|---|---:|---:|---|",
             f"| `xxgk --version` | {v['wall_s']:.3f} s | {v['cpu_s']:.3f} s | |",
             f"| `xxgk extract ONE_FILE` (labels the dictionary reads) | {clean['wall_s']:.2f} s | {clean['cpu_s']:.2f} s | |",
             f"| `xxgk extract ONE_FILE` (a label for the transformer) | {hard['wall_s']:.2f} s | {hard['cpu_s']:.2f} s | |",
             f"| `xxgk extract FOLDER`, {folder['reports']:,} text reports, per report (every core: "
             f"{folder['jobs']} workers) | {folder['wall_ms_per_report']:.2f} ms | {folder['cpu_ms_per_report']:.2f} ms | |",
             f"| `xxgk extract -j 1 FOLDER`, the same, one process | {folder['one_wall_ms_per_report']:.2f} ms | "
             f"{folder['one_cpu_ms_per_report']:.2f} ms | "
             f"floor {folder['floor_ms_per_report'] * 1000:.0f} µs per report: {folder['floor_ratio']:.0f}× |",
             "",
             f"Measured by `python eval/bench_commands.py` ({result['repeat']} runs each, medians; start-up included in "
             f"the folder's figures); load average {load['before'][0]:.1f} before, {load['after'][0]:.1f} after, "
             f"on {os.cpu_count()} cores."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="reports in the folder (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "bench_commands.json", help="results file")
    parser.add_argument("--readme", action="store_true", help="write the table into docs/evaluation.md")
    args = parser.parse_args(argv)

    compileall.compile_dir(Path(xxgk.__file__).parent, quiet=1)
    before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-commands-") as tmp:
        tmp = Path(tmp)
        version = repeated(["--version"], args.repeat)
        clean = one_file(tmp, "2021", "cells_tabbed", 0.0, 0.0, args.seed)
        hard = one_file(tmp, "2019", "cells_plain", 0.5, 0.5, args.seed + 1)
        one_clean = repeated(["extract", str(clean), "-o", str(tmp / "out-one"), "-q"], args.repeat)
        one_hard = repeated(["extract", str(hard), "-o", str(tmp / "out-one"), "-q"], args.repeat)
        generate_set(tmp / "gen", args.n, seed=args.seed, forms=TEXT_FORMS)
        files = sorted((tmp / "gen" / "raw").iterdir())
        runs, one_runs, floors = [], [], []
        for k in range(max(1, args.repeat // 2)):     # in turn, so that a change of the machine's load is shared
            floors.append(floor_pass(files))
            runs.append(run(["extract", str(tmp / "gen" / "raw"), "-o", str(tmp / f"out-{k}"), "-q"]))
            one_runs.append(run(["extract", "-j", "1", str(tmp / "gen" / "raw"), "-o", str(tmp / f"out-one-{k}"),
                                 "-q"]))
        floors.append(floor_pass(files))
    after = os.getloadavg()
    floor_ms = statistics.median(floors) / len(files) * 1000

    def per_report(seconds) -> float:
        return round(statistics.median(seconds) / len(files) * 1000, 3)

    one_cpu_ms = per_report(c for _, c in one_runs)
    folder = {"reports": len(files), "jobs": cores(),
              "wall_ms_per_report": per_report(w for w, _ in runs), "cpu_ms_per_report": per_report(c for _, c in runs),
              "one_wall_ms_per_report": per_report(w for w, _ in one_runs), "one_cpu_ms_per_report": one_cpu_ms,
              "floor_ms_per_report": round(floor_ms, 4), "floor_ratio": round(one_cpu_ms / floor_ms, 1)}
    result = {"repeat": args.repeat, "load_average": {"before": before, "after": after}, "version": version,
              "one_file_dictionary": one_clean, "one_file_transformer": one_hard, "folder": folder,
              "targets": {"version_s": TARGET_VERSION_S, "one_file_s": TARGET_ONE_FILE_S,
                          "folder_ms": TARGET_FOLDER_MS, "floor_ratio": TARGET_FLOOR_RATIO}}
    result["met"] = {"version": version["wall_s"] <= TARGET_VERSION_S,
                     "one_file": max(one_clean["wall_s"], one_hard["wall_s"]) <= TARGET_ONE_FILE_S,
                     "folder_ms": folder["wall_ms_per_report"] <= TARGET_FOLDER_MS,
                     "folder_floor_ratio": folder["floor_ratio"] <= TARGET_FLOOR_RATIO}
    table = markdown(result)
    print(table)
    print("targets:", ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in result["met"].items()))
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")
    if args.readme:
        replace_section("command-figures", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
