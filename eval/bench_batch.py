"""Batch benchmark: throughput and peak memory of ``xxgk batch`` on N generated text reports.

For each N, generates N text reports (every text form of ``xxgk.generate``), then runs the real
command in a fresh dataset folder once per engine — one worker process, every core, and a Dask
``LocalCluster`` with a worker per core — timing the whole command (hashing, extraction, records,
tables, DuckDB) and sampling the memory (RSS) of the command and all its processes, and the largest PSS of
one worker. A rerun on the finished dataset (nothing to extract) is timed too. Each run is set beside a floor
pass over the same files in the same run (read, decode, one ``re.findall(r"\d+")``) and the load average
as it starts (issue 25): the machine is shared. Prints a Markdown table, writes JSON, and with ``--readme``
puts the table into docs/batch.md between the batch-figures markers.

    .venv/bin/python eval/bench_batch.py                     # N = 1,000 and 10,000
    .venv/bin/python eval/bench_batch.py --n 300 --modes all
    .venv/bin/python eval/bench_batch.py --n 2000 --modes all --baseline ../wt-main --json /tmp/pair.json
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from xxgk.generate import FORMS, generate_set

from readme_section import replace_section

EVAL_DIR = Path(__file__).resolve().parent
TEXT_FORMS = [form for form in FORMS if form != "html"]
CORES = os.cpu_count() or 1
MODES = {
    "single": ["-j", "1"],
    "all": ["-j", str(CORES)],
    "dask": ["-j", str(CORES), "--engine", "dask", "--scheduler", "local"],
}
MODE_NAMES = {"single": "1 process", "all": f"all cores ({CORES} processes)",
              "dask": f"Dask LocalCluster ({CORES} workers)"}
TARGET_RATE = 250.0          # issue 25: 10,000 reports on 2 cores at 250 reports/s
TARGET_WORKER_MB = 250.0


class PeakMemory:
    """Samples the summed RSS of a process and all its descendants until stopped, and keeps the peak; and, less
    often (reading a process's page map costs), the largest PSS of any one worker: its own pages plus its share
    of those it shares with the parent and the other workers — what one more worker costs."""

    def __init__(self, pid: int, every: float = 0.05, pss_every: float = 1.0):
        self.root = psutil.Process(pid)
        self.every, self.pss_every = every, pss_every
        self.peak = 0
        self.peak_worker_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last_pss = 0.0
        while not self._stop.is_set():
            try:
                workers = self.root.children(recursive=True)
            except psutil.Error:
                break
            total = 0
            for process in [self.root, *workers]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            if time.monotonic() - last_pss >= self.pss_every:
                last_pss = time.monotonic()
                for process in workers:
                    try:
                        self.peak_worker_pss = max(self.peak_worker_pss, process.memory_full_info().pss)
                    except (psutil.Error, AttributeError):
                        pass
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(command: list[str], env: dict | None = None) -> tuple[float, float, int, str, int]:
    """Wall seconds, CPU seconds, peak RSS bytes of the process tree, stderr, and the peak PSS bytes of any one
    worker process of one command."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    memory = PeakMemory(proc.pid)
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{err}")
    return seconds, _children_cpu() - cpu_before, peak, err, memory.peak_worker_pss


_NUMBERS = re.compile(r"\d+")


def floor_pass(folder: Path) -> float:
    """CPU seconds to read, decode and scan every file of the folder once: the floor the batch is set beside."""
    started = time.process_time()
    for path in sorted(folder.iterdir()):
        _NUMBERS.findall(path.read_bytes().decode("utf-8", "replace"))
    return time.process_time() - started


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process and its descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_command(src: Path, out: Path, mode: str) -> list[str]:
    # What the console script runs (pyproject.toml: xxgk = "xxgk.cli:main").
    return [sys.executable, "-c", "import sys; from xxgk.cli import main; sys.exit(main())", "batch", str(src),
            "-o", str(out), *MODES[mode]]


def source_env(checkout: Path) -> dict:
    """The environment that runs the xxgk of a checkout (its ``src`` first on the path)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout / "src"), os.environ.get("PYTHONPATH", "")])}


def paired(n: int, modes: list[str], workdir: Path, seed: int, baseline: Path, repeat: int) -> list[dict]:
    """This checkout and ``baseline`` (another checkout, e.g. a worktree of main) on the same generated reports,
    run by run alternately (``repeat`` runs each per mode): on a shared machine only figures of one run, taken
    turn about, can be set side by side. One row per run, ``side`` naming the checkout."""
    src = workdir / f"gen-{n}"
    generate_set(src, n, seed=seed, forms=TEXT_FORMS)
    sides = {"this": source_env(EVAL_DIR.parent), "baseline": source_env(baseline)}
    rows = []
    for mode in modes:
        for turn in range(repeat):
            for side, env in sides.items():
                out = workdir / f"ds-{n}-{mode}-{side}-{turn}"
                floor = floor_pass(src / "raw")
                load = os.getloadavg()[0]
                seconds, cpu, peak, err, worker_pss = run(batch_command(src / "raw", out, mode), env)
                row = {"n": n, "mode": mode, "side": side, "turn": turn, "seconds": round(seconds, 2),
                       "reports_per_s": round(n / seconds, 1), "cpu_ms_per_report": round(cpu / n * 1000, 2),
                       "floor_ratio": round(cpu / floor, 1), "load_average": round(load, 2),
                       "peak_rss_mb": round(peak / 2**20, 1), "peak_worker_pss_mb": round(worker_pss / 2**20, 1)}
                print(f"N={n} {mode} {side} #{turn + 1}: {row['cpu_ms_per_report']} CPU ms per report, "
                      f"{row['reports_per_s']} reports/s, load {row['load_average']}", file=sys.stderr)
                rows.append(row)
    return rows


def paired_summary(rows: list[dict]) -> str:
    lines = ["| reports | engine | checkout | CPU ms per report (each run) | median | reports/s (median) | loads |",
             "|---:|---|---|---|---:|---:|---|"]
    for key in dict.fromkeys((r["n"], r["mode"], r["side"]) for r in rows):
        runs = [r for r in rows if (r["n"], r["mode"], r["side"]) == key]
        cpu = [r["cpu_ms_per_report"] for r in runs]
        rate = sorted(r["reports_per_s"] for r in runs)[len(runs) // 2]
        loads = [r["load_average"] for r in runs]
        lines.append(f"| {key[0]:,} | {MODE_NAMES[key[1]]} | {key[2]} | {', '.join(f'{c:.2f}' for c in cpu)} | "
                     f"{sorted(cpu)[len(cpu) // 2]:.2f} | {rate:,.0f} | "
                     f"{', '.join(f'{load:.1f}' for load in loads)} |")
    return "\n".join(lines)


def bench(n: int, modes: list[str], workdir: Path, seed: int) -> list[dict]:
    src = workdir / f"gen-{n}"
    started = time.perf_counter()
    generate_set(src, n, seed=seed, forms=TEXT_FORMS)
    print(f"N={n}: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows = []
    for mode in modes:
        out = workdir / f"ds-{n}-{mode}"
        floor = floor_pass(src / "raw")
        load = os.getloadavg()[0]
        seconds, cpu, peak, err, worker_pss = run(batch_command(src / "raw", out, mode))
        floor = (floor + floor_pass(src / "raw")) / 2
        failed = int(re.search(r"(\d+) failed", err).group(1))
        rerun_seconds, _, _, _, _ = run(batch_command(src / "raw", out, mode))
        row = {"n": n, "mode": mode, "seconds": round(seconds, 2), "reports_per_s": round(n / seconds, 1),
               "cpu_ms_per_report": round(cpu / n * 1000, 2), "peak_rss_mb": round(peak / 2**20, 1),
               "peak_worker_pss_mb": round(worker_pss / 2**20, 1),
               "floor_ms_per_report": round(floor / n * 1000, 4), "floor_ratio": round(cpu / floor, 1),
               "load_average": round(load, 2), "rerun_seconds": round(rerun_seconds, 2), "failed": failed}
        print(f"N={n} {mode}: {row}", file=sys.stderr)
        rows.append(row)
    return rows


def markdown(rows: list[dict], load: tuple[float, float, float]) -> str:
    lines = ["| reports | engine | load | seconds | reports/s | CPU ms per report | ÷ floor pass | cores-bound reports/s "
             "| peak memory (all processes) | per worker (PSS) | rerun, nothing new |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        pss = f"{r['peak_worker_pss_mb']:,.0f} MB" if r.get("peak_worker_pss_mb") else "n/a"
        lines.append(f"| {r['n']:,} | {MODE_NAMES[r['mode']]} | {r.get('load_average', 0):.1f} | {r['seconds']:.1f} | "
                     f"{r['reports_per_s']:,.0f} | {r['cpu_ms_per_report']:.1f} | {r.get('floor_ratio', 0):,.0f}× | "
                     f"{cores_bound(r):,.0f} | {r['peak_rss_mb']:,.0f} MB | {pss} | {r['rerun_seconds']:.1f} s |")
    lines.append("")
    lines.append(f"Measured by `python eval/bench_batch.py` on this {CORES}-core machine (load average before the run: "
                 f"{load[0]:.2f}; *load* is the one-minute average as each command started: other work shares the "
                 f"cores); the whole command, from the walk to the DuckDB file. *CPU ms per report* is the CPU "
                 f"time of all the command's processes over N, *÷ floor pass* that time over a floor pass timed in "
                 f"the same run (read, decode, one `re.findall(r\"\\d+\")` per file); *cores-bound* is the rate that "
                 f"CPU time allows on {CORES} otherwise idle cores ({CORES} × 1000 / CPU ms; 1000 / CPU ms for one "
                 f"process). *Per worker* is the largest proportional set size of one worker process (its pages, and "
                 f"its share of those it shares with the others).")
    return "\n".join(lines)


def cores_bound(row: dict) -> float:
    cores = 1 if row["mode"] == "single" else CORES
    return cores * 1000 / row["cpu_ms_per_report"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000], help="report counts (default 1000 10000)")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "bench_batch.json", help="results file")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. a worktree of main): run it and this "
                        "one alternately on the same reports and print both")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each checkout with --baseline (default 2)")
    args = parser.parse_args(argv)

    if args.baseline:
        with tempfile.TemporaryDirectory(prefix="xxgk-bench-batch-") as tmp:
            rows = [row for n in args.n
                    for row in paired(n, args.modes, Path(tmp), args.seed, args.baseline.resolve(), args.repeat)]
        print(paired_summary(rows))
        args.json.write_text(json.dumps({"cores": CORES, "baseline": str(args.baseline), "runs": rows}, indent=1),
                             encoding="utf-8")
        return 0

    load = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-batch-") as tmp:
        for n in args.n:
            rows.extend(bench(n, args.modes, Path(tmp), args.seed))
    table = markdown(rows, load)
    print(table)
    best = max((r for r in rows if r["n"] == max(args.n)), key=lambda r: r["reports_per_s"])
    meets = best["reports_per_s"] >= TARGET_RATE
    print(f"target: ≥ {TARGET_RATE:g} reports/s at N={best['n']:,} — {'met' if meets else 'NOT met'} "
          f"({best['reports_per_s']:,.0f}/s, {MODE_NAMES[best['mode']]}, load {best['load_average']:.1f})")
    worst_worker = max((r["peak_worker_pss_mb"] for r in rows if r["peak_worker_pss_mb"]), default=0.0)
    print(f"target: ≤ {TARGET_WORKER_MB:g} MB per worker — {'met' if worst_worker <= TARGET_WORKER_MB else 'NOT met'} "
          f"({worst_worker:,.0f} MB PSS at most)")
    args.json.write_text(json.dumps({"cores": CORES, "load_average": load, "target_rate": TARGET_RATE,
                                     "target_met": meets, "runs": rows}, indent=1), encoding="utf-8")
    if args.readme:
        replace_section("batch-figures", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
