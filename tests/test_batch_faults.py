"""What a batch promises under faults (docs/batch.md, "Guarantees"): two batches at once, kill -9, a full disk,
a read-only disk, other sources, file limits, permissions. Each case runs the real command in its own process,
on generated reports, and ends with the dataset either complete and right or untouched, and one line said."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from xxgk.batch.runner import LOCK_NAME, extractor_id, run_batch
from xxgk.generate import generate_set

from test_batch import _journaled     # the journal's count of extracted reports, read as a batch runs

TABLES = ("reports.parquet", "reports.csv", "cells.parquet", "checks.parquet", "errors.parquet", "errors.csv",
          "dictionary.parquet", "dictionary.csv", "xxgk.duckdb")
XXGK = [sys.executable, "-c", "from xxgk.cli import app; app()"]


def _environment(**extra) -> dict[str, str]:
    # One extractor id for every run, even while the package's files are being edited.
    return {**os.environ, "XXGK_EXTRACTOR_ID": extractor_id(), **extra}


def _xxgk(*args, cwd: Path, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*XXGK, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=_environment(), stdin=subprocess.DEVNULL, **kwargs)


def _start(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([*XXGK, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=cwd, env=_environment(), stdin=subprocess.DEVNULL)


def _corpus(folder: Path, n: int, seed: int) -> Path:
    generate_set(folder / "gen", n, seed=seed)
    shutil.move(folder / "gen" / "raw", folder / "raw")
    shutil.rmtree(folder / "gen")
    return folder / "raw"


def _tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES if (out / name).exists()}


def _records(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted((out / "records").rglob("*.json"))}


def _rows(out: Path) -> dict[str, list]:
    con = duckdb.connect(str(out / "xxgk.duckdb"), read_only=True)
    try:
        return {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
                for name in ("reports", "cells", "checks", "errors")}
    finally:
        con.close()


def _same_dataset(out: Path, reference: Path) -> bool:
    """The same tables, rows and records (DuckDB's file bytes differ from one build to the next)."""
    files = [name for name in TABLES if name != "xxgk.duckdb"]
    return ({n: (out / n).read_bytes() for n in files} == {n: (reference / n).read_bytes() for n in files}
            and _rows(out) == _rows(reference) and _records(out) == _records(reference))


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("xxgk: ") and "Traceback" not in stderr, stderr
    return lines[0]


def _wait_for(condition, proc: subprocess.Popen, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"the batch ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"no {what} in {seconds} s"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """raw/ (40 reports) and more/ (8 others), and the reference datasets an undisturbed batch writes."""
    root = tmp_path_factory.mktemp("faults")
    _corpus(root, 40, seed=21)
    more = root / "more"
    more.mkdir()
    _corpus(more, 8, seed=22)
    shutil.move(more / "raw", root / "more-raw")
    shutil.rmtree(more)
    (root / "more-raw").rename(more)
    with contextlib.chdir(root):
        run_batch([Path("raw")], root / "reference-raw", workers=2, progress=False, extractor=extractor_id())
        run_batch([Path("raw"), Path("more")], root / "reference-both", workers=2, progress=False,
                  extractor=extractor_id())
    return root


# ------------------------------------------------------------------------------------------------ concurrency


def test_a_second_batch_into_a_busy_dataset_names_the_holder_and_changes_nothing(work, tmp_path):
    out = tmp_path / "ds"
    first = _start("batch", "raw", "-o", out, "-j", "1", "--chunk-size", "1", cwd=work)
    _wait_for(lambda: _journaled(out) >= 1, first, "a first report")
    second = _xxgk("batch", "raw", "more", "-o", out, cwd=work)
    still_running = first.poll() is None
    assert second.returncode == 2
    line = _one_line(second.stderr)
    assert f"in use by another batch (process {first.pid})" in line and str(out) in line
    _, err = first.communicate(timeout=300)
    assert still_running and first.returncode == 0, err
    assert _same_dataset(out, work / "reference-raw")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def _children(pid: int) -> set[int]:
    out = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out.update(int(c) for c in (task / "children").read_text().split())
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find the workers")
def test_kill_9_leaves_no_worker_and_a_rerun_completes_the_dataset(work, tmp_path):
    out = tmp_path / "ds"
    batch = _start("batch", "raw", "-o", out, "-j", "2", "--chunk-size", "1", cwd=work)
    _wait_for(lambda: _journaled(out) >= 3, batch, "three reports")
    workers = _children(batch.pid)
    assert len(workers) >= 2
    os.kill(batch.pid, signal.SIGKILL)          # the batch alone, as the OOM killer would
    batch.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived the batch"
    assert "reports.parquet" not in os.listdir(out)

    again = _xxgk("batch", "raw", "-o", out, "-q", cwd=work)
    assert again.returncode == 0 and again.stderr == ""
    assert _same_dataset(out, work / "reference-raw")


# ------------------------------------------------------------------------------------------------ disks


@contextlib.contextmanager
def _small_disk(folder: Path, size: str):
    """A tmpfs of ``size`` at ``folder`` (root only): a disk that really fills up, or goes read-only."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
    return filler


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small disk needs root")
def test_a_full_disk_is_one_line_the_tables_untouched_and_a_rerun_completes(work, tmp_path):
    with _small_disk(tmp_path / "disk", "16m") as disk:
        out = disk / "ds"
        assert _xxgk("batch", "raw", "-o", out, "-q", cwd=work).returncode == 0
        tables, records = _tables(out), _records(out)
        (disk / "extracted").mkdir()
        filler = _fill(disk)

        full = _xxgk("batch", "raw", "more", "-o", out, cwd=work)
        assert full.returncode == 2
        assert "(the disk is full)" in _one_line(full.stderr)
        assert _tables(out) == tables
        assert {k: v for k, v in _records(out).items() if k in records} == records

        extracted = _xxgk("extract", "more", "-o", disk / "extracted", "-q", cwd=work)
        lines = extracted.stderr.splitlines()
        assert extracted.returncode == 1 and len(lines) == 8 and "Traceback" not in extracted.stderr
        assert all(line.startswith("xxgk: ") and "cannot write the record: No space left on device" in line
                   for line in lines)

        filler.unlink()
        again = _xxgk("batch", "raw", "more", "-o", out, "-q", cwd=work)
        assert again.returncode == 0, again.stderr
        assert _same_dataset(out, work / "reference-both")


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small disk needs root")
def test_a_read_only_disk_is_one_line_and_the_dataset_untouched(work, tmp_path):
    with _small_disk(tmp_path / "disk", "64m") as disk:
        out = disk / "ds"
        assert _xxgk("batch", "raw", "-o", out, "-q", cwd=work).returncode == 0
        tables, records = _tables(out), _records(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)

        refused = _xxgk("batch", "raw", "more", "-o", out, cwd=work)
        assert refused.returncode == 2 and "Read-only file system" in _one_line(refused.stderr)
        assert _tables(out) == tables and _records(out) == records
        extracted = _xxgk("extract", "more", "-o", disk / "extracted", cwd=work)
        assert extracted.returncode == 2 and "Read-only file system" in _one_line(extracted.stderr)


# ------------------------------------------------------------------------------------------------ sources


def test_a_batch_of_other_sources_adds_and_prune_removes_only_what_is_gone(work, tmp_path):
    shutil.copytree(work / "raw", tmp_path / "raw")
    shutil.copytree(work / "more", tmp_path / "more")
    out = tmp_path / "ds"
    assert _xxgk("batch", "raw", "-o", out, "-q", cwd=tmp_path).returncode == 0
    first = pd.read_parquet(out / "reports.parquet")

    added = _xxgk("batch", "more", "-o", out, cwd=tmp_path)
    assert added.returncode == 0 and "40 kept from other sources" in added.stderr
    both = pd.read_parquet(out / "reports.parquet")
    assert len(both) == 48 and set(first["report"]) <= set(both["report"])     # ids do not move either
    assert _same_dataset(out, work / "reference-both")

    gone = sorted((tmp_path / "more").iterdir())[0]
    gone.unlink()
    (tmp_path / "raw" / "late.txt").write_bytes(gone.read_bytes() if gone.exists() else b"")
    kept = _xxgk("batch", "more", "-o", out, "-q", cwd=tmp_path)
    assert kept.returncode == 0 and len(pd.read_parquet(out / "reports.parquet")) == 48
    pruned = _xxgk("batch", "more", "-o", out, "--prune", cwd=tmp_path)
    assert pruned.returncode == 0 and "1 pruned" in pruned.stderr
    after = pd.read_parquet(out / "reports.parquet")
    assert set(after["report"]) == set(both["report"]) - {f"more/{gone.name}"}
    assert not (out / "records" / "more" / f"{gone.name}.json").exists()


def test_files_past_the_size_or_time_limit_go_to_errors_with_the_reason(work, tmp_path):
    small = sorted((work / "raw").iterdir())[:4]
    src = tmp_path / "src"
    src.mkdir()
    for path in small:
        shutil.copy(path, src)
    sizes = sorted(p.stat().st_size for p in src.iterdir())
    limit_mb = (sizes[1] + sizes[2]) / 2 / 2**20          # two files above it, two below
    sized = _xxgk("batch", "src", "-o", tmp_path / "sized", "--max-size", f"{limit_mb:.6f}", "-q", cwd=tmp_path)
    assert sized.returncode == 1
    errors = pd.read_parquet(tmp_path / "sized" / "errors.parquet")
    assert len(errors) == 2 and all("larger than the size limit" in r for r in errors["reason"])

    timed = _xxgk("batch", "src", "-o", tmp_path / "timed", "--time-limit", "0.000001", "-q", cwd=tmp_path)
    assert timed.returncode == 1
    errors = pd.read_parquet(tmp_path / "timed" / "errors.parquet")
    assert len(errors) == 4 and all("longer than the time limit" in r for r in errors["reason"])
    # A longer limit tries them again; the default is far above what they need.
    again = _xxgk("batch", "src", "-o", tmp_path / "timed", "-q", cwd=tmp_path)
    assert again.returncode == 0 and len(pd.read_parquet(tmp_path / "timed" / "errors.parquet")) == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_source_is_an_error_not_a_hang(work, tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    shutil.copy(sorted((work / "raw").iterdir())[0], tmp_path / "good.txt")
    done = _xxgk("batch", "pipe.txt", "good.txt", "-o", tmp_path / "ds", "-q", cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    errors = pd.read_parquet(tmp_path / "ds" / "errors.parquet").set_index("report")["reason"].to_dict()
    assert errors == {"pipe.txt": "not a regular file; only files are read"}


def _without_file_permission_override() -> list[str]:
    """Root reads every folder; without these two capabilities it meets permissions as anyone does."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's override of permissions")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
            "--inh-caps", "-dac_override,-dac_read_search", "--"]


def test_an_unreadable_folder_inside_a_source_is_named_in_errors(work, tmp_path):
    src = tmp_path / "src"
    (src / "locked").mkdir(parents=True)
    shutil.copy(sorted((work / "raw").iterdir())[0], src / "good.txt")
    shutil.copy(sorted((work / "raw").iterdir())[1], src / "locked" / "hidden.txt")
    (src / "locked").chmod(0)
    try:
        done = subprocess.run([*_without_file_permission_override(), *XXGK, "batch", "src", "-o", "ds", "-q"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path, env=_environment())
        extracted = subprocess.run([*_without_file_permission_override(), *XXGK, "extract", "src", "-o", "out"],
                                   capture_output=True, text=True, timeout=300, cwd=tmp_path, env=_environment())
    finally:
        (src / "locked").chmod(0o755)
    assert done.returncode == 1, done.stderr
    errors = pd.read_parquet(tmp_path / "ds" / "errors.parquet").set_index("report")["reason"].to_dict()
    assert errors == {"src/locked": "cannot list the folder: Permission denied"}
    assert len(pd.read_parquet(tmp_path / "ds" / "reports.parquet")) == 1
    assert extracted.returncode == 1
    assert f"xxgk: {Path('src') / 'locked'}: cannot list the folder: Permission denied" in extracted.stderr


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_records_and_tables_are_written_with_the_process_umask(work, tmp_path, umask):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(sorted((work / "raw").iterdir())[0], src / "a.txt")
    previous = os.umask(umask)
    try:
        _xxgk("batch", "src", "-o", "ds", "-q", cwd=tmp_path)
        _xxgk("extract", "src", "-o", "out", "-q", cwd=tmp_path)
    finally:
        os.umask(previous)
    expected = 0o666 & ~umask
    written = [tmp_path / "ds" / "records" / "src" / "a.txt.json", tmp_path / "out" / "a.json",
               *(tmp_path / "ds" / name for name in TABLES)]
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == {p.name: oct(expected) for p in written}
