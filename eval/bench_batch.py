"""Batch benchmark: throughput and peak memory of ``xxgk batch`` on N generated text reports.

For each N, generates N text reports (every text form of ``xxgk.generate``), then runs the real
command in a fresh dataset folder once per engine — one worker process, every core, and a Dask
``LocalCluster`` with a worker per core — timing the whole command (hashing, extraction, records,
tables, DuckDB) and sampling the memory (RSS) of the command and all its processes. A rerun on the
finished dataset (nothing to extract) is timed too. Prints a Markdown table, writes JSON, and with
``--readme`` puts the table into README.md between the batch-figures markers.

    .venv/bin/python eval/bench_batch.py                     # N = 1,000 and 10,000
    .venv/bin/python eval/bench_batch.py --n 300 --modes all
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
TARGET_RATE = 100.0


class PeakMemory:
    """Samples the summed RSS of a process and all its descendants until stopped; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.05):
        self.root = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for process in processes:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak RSS bytes of the process tree, and stderr of one command."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid)
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{err}")
    return seconds, _children_cpu() - cpu_before, peak, err


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process and its descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_command(src: Path, out: Path, mode: str) -> list[str]:
    return [sys.executable, "-c", "from xxgk.cli import app; app()", "batch", str(src), "-o", str(out), *MODES[mode]]


def bench(n: int, modes: list[str], workdir: Path, seed: int) -> list[dict]:
    src = workdir / f"gen-{n}"
    started = time.perf_counter()
    generate_set(src, n, seed=seed, forms=TEXT_FORMS)
    print(f"N={n}: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows = []
    for mode in modes:
        out = workdir / f"ds-{n}-{mode}"
        seconds, cpu, peak, err = run(batch_command(src / "raw", out, mode))
        failed = int(re.search(r"(\d+) failed", err).group(1))
        rerun_seconds, _, _, _ = run(batch_command(src / "raw", out, mode))
        row = {"n": n, "mode": mode, "seconds": round(seconds, 2), "reports_per_s": round(n / seconds, 1),
               "cpu_ms_per_report": round(cpu / n * 1000, 2), "peak_rss_mb": round(peak / 2**20, 1),
               "rerun_seconds": round(rerun_seconds, 2), "failed": failed}
        print(f"N={n} {mode}: {row}", file=sys.stderr)
        rows.append(row)
    return rows


def markdown(rows: list[dict], load: tuple[float, float, float]) -> str:
    lines = ["| reports | engine | seconds | reports/s | CPU ms per report | cores-bound reports/s "
             "| peak memory (all processes) | rerun, nothing new |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {MODE_NAMES[r['mode']]} | {r['seconds']:.1f} | {r['reports_per_s']:,.0f} | "
                     f"{r['cpu_ms_per_report']:.1f} | {cores_bound(r):,.0f} | {r['peak_rss_mb']:,.0f} MB | "
                     f"{r['rerun_seconds']:.1f} s |")
    lines.append("")
    lines.append(f"Measured by `python eval/bench_batch.py` on this {CORES}-core machine (load average before the run: "
                 f"{load[0]:.2f}); the whole command, from the walk to the DuckDB file. *CPU ms per report* is the CPU "
                 f"time of all the command's processes over N; *cores-bound* is the rate that CPU time allows on "
                 f"{CORES} otherwise idle cores ({CORES} × 1000 / CPU ms; 1000 / CPU ms for one process).")
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
    args = parser.parse_args(argv)

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
          f"({best['reports_per_s']:,.0f}/s, {MODE_NAMES[best['mode']]})")
    args.json.write_text(json.dumps({"cores": CORES, "load_average": load, "target_rate": TARGET_RATE,
                                     "target_met": meets, "runs": rows}, indent=1), encoding="utf-8")
    if args.readme:
        replace_section("batch-figures", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
