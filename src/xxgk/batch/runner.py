"""``xxgk batch``: a whole corpus in one command, in parallel, resumable, as datasets users can open.

How a run goes:

1. The dataset folder is locked (``.lock``, holding the batch's pid): a second batch into it stops at once.
   The sources are walked and every file hashed. A report's id is its path as the sources name it (the
   source argument, then the path below it; relative to the current folder, or absolute without its root
   outside it): it does not change when other sources are added. Its *content key* is the hash of its bytes
   and its suffix. Files past the size limit go to ``errors`` with the reason.
2. Each content not yet in the journal (``DATASET/.journal.sqlite``) for this extractor is extracted
   by a pool of worker processes, or by Dask workers, in chunks. A worker writes the report's record
   (``records/<id>.json``, atomically) and hands back a compact summary; the main process commits
   every finished chunk to the journal in one transaction. A crash or Ctrl-C loses at most the chunks
   in flight, and a rerun extracts only what the journal does not hold.
   A file that takes longer than the time limit is stopped (an alarm in the worker; a worker that no
   longer answers is killed and its chunk retried one report at a time) and goes to ``errors``.
   Workers die with the batch: a ``kill -9`` of it leaves none behind.
3. The tables are then rebuilt from the journal, in id order (``dataset``), for every report the dataset
   holds: those of this run's sources and those of earlier runs' other sources (a batch adds, it never drops;
   ``prune`` removes the reports of the given sources whose files are gone). A killed and rerun batch writes
   the same bytes as an uninterrupted one. A full or read-only disk stops the batch with ``BatchError``
   (one line); the tables are replaced only once every one of them is written.

The extractor id is the xxgk version, a digest of the package's code and data and the options when they
are not the defaults, so a changed extractor redoes everything and an unchanged one redoes nothing.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import sqlite3
import stat
import threading
import time
import zlib
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..options import DEFAULT_OPTIONS, Options
from ..pipeline import ReadError, extract_document, one_report, read_report
from ..readers import MissingExtra
from ..readers.walk import iter_inputs
from ..record import NEW_FILE_MODE, dumps_compact, process_umask, write_text_atomically
from ..version import __version__
from .dataset import DatasetWriter, figures_key, find_duplicates, summarize, text_key
from .workers import (freeze_once_warm, kill_workers, load_before_fork, prepare_label_runtime, process_pool,
                      threads_for)

JOURNAL_NAME = ".journal.sqlite"
JOURNAL_FORMAT = 2  # the journal's layout; format 1 is carried over, another is started afresh
LOCK_NAME = ".lock"
RECORDS_DIR = "records"
BUILD_CHUNK = 256
# Per-file limits, far above what a real report needs (the largest real PDFs here, 0.4 MB, take 5-7 s with
# the start-up; a scanned 100-page report is some 50 MB), so that only a pathological file reaches them.
DEFAULT_MAX_BYTES = 200 * 2**20
DEFAULT_TIME_LIMIT = 600.0
# A worker that does not answer within twice its chunk's time limits (plus this) is stuck in code an alarm
# cannot interrupt: it is killed, and its chunk retried one report at a time to find the file at fault.
STUCK_GRACE = 30.0
WATCH_INTERVAL = 1.0    # how often the batch looks for a stuck worker (seconds)


@dataclass(frozen=True)
class Report:
    id: str            # path below the folder holding its source (e.g. raw/a.txt for source raw/), with '/'
    path: str          # as found, for reading and for the record's source
    content: str = ""  # sha256 of the bytes + suffix; empty when the file could not be opened
    sha256: str = ""
    error: str = ""    # why the file could not be opened


@dataclass(frozen=True)
class Limits:
    """What one file may cost: its size, and its time in a worker (None: no limit)."""
    max_bytes: int | None = DEFAULT_MAX_BYTES
    seconds: float | None = DEFAULT_TIME_LIMIT


@dataclass
class BatchSummary:
    out: Path
    reports: int = 0      # reports of this run's sources
    extracted: int = 0    # reports whose content was extracted in this run
    reused: int = 0       # reports whose content the journal already held
    errors: int = 0       # reports of this run's sources that could not be read
    duplicates: int = 0   # in the whole dataset
    kept: int = 0         # reports of earlier runs' other sources, kept in the dataset
    pruned: int = 0       # reports of the given sources whose files are gone, removed (``prune``)
    dataset: int = 0      # reports the dataset holds
    seconds: float = 0.0
    tables_rebuilt: bool = False
    interrupted: bool = False

    @property
    def rate(self) -> float:
        return self.reports / self.seconds if self.seconds else 0.0


class BatchError(Exception):
    """A batch that cannot start (no sources, a missing source, an unknown engine) or cannot go on (a full or
    read-only disk): the message is one line."""


class DatasetBusy(BatchError):
    """Another batch holds the dataset folder's lock."""

    def __init__(self, folder: Path, pid: int | None):
        self.folder, self.pid = folder, pid
        holder = f"process {pid}" if pid else "another process"
        super().__init__(f"{folder}: in use by another batch ({holder}); wait for it to finish, or stop it")


# Free space below which a write that failed in other words ("disk I/O error") is put down to a full disk.
NEARLY_FULL_BYTES = 1 << 20


def _nearly_full(where) -> bool:
    import shutil
    path = Path(where)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def output_failure(exc: BaseException, where: Path) -> BatchError:
    """A write that failed (full disk, read-only, permission) as the one line a person needs."""
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        advice = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
                  errno.EROFS: "the disk is mounted read-only", errno.EACCES: "no permission"}.get(exc.errno)
        where = exc.filename if isinstance(exc.filename, str) else where
    else:   # sqlite, DuckDB and Arrow say it in their own words ("disk I/O error")
        reason, advice = str(exc).splitlines()[0] if str(exc) else type(exc).__name__, None
    if advice is None and _nearly_full(where):
        advice = "the disk is full"
    return BatchError(f"{where}: cannot write: {reason}" + (f" ({advice})" if advice else "")
                      + "; finished reports are kept, run the same command again to resume")


def extractor_id(options: Options = DEFAULT_OPTIONS) -> str:
    """The xxgk version, a digest of the package's code and data, and the options that differ from the
    defaults: what a cached extraction depends on. (``run_batch(extractor=...)`` pins another: a journal is
    then kept across a change known to alter no record.)"""
    changed = [f"{name}={value}" for name, value in asdict(options).items()
               if value != getattr(DEFAULT_OPTIONS, name)]
    return "+".join([_code_digest(), *changed])


@lru_cache(maxsize=None)
def _code_digest() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in [*root.rglob("*.py"), *root.glob("data/*")] if p.is_file()):
        # Every module of the package, this one too: what a worker hands back is made here and in dataset.py.
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


# ---------------------------------------------------------------- finding and hashing the reports

def report_id(path: str | Path) -> str:
    """A file's id: its path relative to the current folder, or its absolute path without the root outside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = os.path.splitdrive(absolute)[1].lstrip(os.sep)
    return Path(relative).as_posix()


def within(report: str, scope: str) -> bool:
    """Whether report id ``report`` is ``scope`` or below it (a source's id)."""
    return scope == "." or report == scope or report.startswith(scope.rstrip("/") + "/")


def find_reports(sources: Iterable[str | Path], out: str | Path) -> list[Report]:
    """Every file of the sources (folders recursively, hidden files skipped), the dataset folder excluded;
    folders that cannot be listed are reports with an error, so that they reach the errors table."""
    sources = [Path(s) for s in sources]
    if not sources:
        raise BatchError("no source given")
    for source in sources:
        if not os.path.lexists(source):
            raise BatchError(f"{source}: no such file or folder")
    excluded = os.path.abspath(out) + os.sep
    found: dict[str, Report] = {}

    def unlisted(folder: Path, reason: str) -> None:
        found.setdefault(report_id(folder), Report(report_id(folder), str(folder), error=reason))

    for source in sources:
        for path in iter_inputs([source], on_error=unlisted):
            if (os.path.abspath(path) + os.sep).startswith(excluded):
                continue
            rid = report_id(path)
            if rid not in found:
                found[rid] = Report(rid, str(path))
    return [found[k] for k in sorted(found)]


def hash_report(report: Report, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Report:
    if report.error:
        return report
    try:
        # Non-blocking: a FIFO named as a source must not wait for a writer; it is refused below.
        fd = os.open(report.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return Report(report.id, report.path, error=f"cannot open: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Report(report.id, report.path, error="not a regular file; only files are read")
        if max_bytes is not None and info.st_size > max_bytes:
            return Report(report.id, report.path, error=f"larger than the size limit ({info.st_size / 2**20:,.1f} MB"
                                                        f" > {max_bytes / 2**20:,.0f} MB; see --max-size)")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            sha = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        return Report(report.id, report.path, error=f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    return Report(report.id, report.path, f"{sha}{Path(report.path).suffix.lower()}", sha)


# ---------------------------------------------------------------- the worker side

class _worker:
    """State of this process as a worker of the local pool."""
    base = ""            # the batch's current folder, which relative paths are relative to
    mode: int | None = None  # the permissions of a new file here (``extract_chunk``)


class TimeLimit(Exception):
    """A file took longer than the time limit."""


def extract_chunk(tasks: list[tuple[str, str, str, str]], records_dir: str, options: Options,
                  seconds: float | None = None, base: str = "") -> list[tuple]:
    """Extract ``(report id, path, content key, sha256)`` tasks (paths relative to ``base``); write each
    record; return journal rows.

    A record that cannot be written (full or read-only disk) raises its ``OSError``: the batch stops there."""
    _worker.base = base
    # The records' permissions, read once a chunk rather than once a record (32 us of /proc each).
    _worker.mode = NEW_FILE_MODE & ~process_umask()
    rows = [_extract_one(*task, records_dir, options, seconds) for task in tasks]
    freeze_once_warm()
    return rows


def _extract_one(report_id: str, path: str, content: str, sha256: str, records_dir: str, options: Options,
                 seconds: float | None = None) -> tuple:
    try:
        with _alarm(seconds):
            # Read where the batch found it: a Dask worker's current folder may be another than the batch's.
            doc = read_report(os.path.join(_worker.base, path) if _worker.base else path, options)
            if doc.sha256 != sha256:
                return (content, "retry", "the file changed while the batch ran; run the batch again", None, None,
                        None, None, None)
            # A file holding several reports is refused with that reason (``SeveralReports``, a read error): a
            # dataset keeps one row per file; ``xxgk extract`` writes each report's record.
            record = extract_document(one_report(doc, options), options)
            record["source"]["path"] = path
    except TimeLimit:
        return (content, "slow", f"took longer than the time limit ({seconds:g} s; see --time-limit)", None, None,
                None, None, seconds)
    except MissingExtra as exc:     # tried again once the extra is installed
        return (content, "retry", exc.reason, None, None, None, None, None)
    except ReadError as exc:
        return (content, "error", exc.reason, None, None, None, None, None)
    except Exception as exc:  # a bug must not stop the batch; it is retried on the next run
        return (content, "retry", f"internal error: {type(exc).__name__}: {exc}", None, None, None, None, None)
    # Encoded once, for the record's file and for the journal's copy of it (57 KB: 0.07 ms a time).
    line = _compact(record).encode("utf-8")
    write_record_line(Path(records_dir) / f"{report_id}.json", line, _worker.mode)
    return (content, "ok", None, text_key(doc.text), figures_key(record), _pack(summarize(record)),
            zlib.compress(line, 1), None)


class _alarm:
    """Raise ``TimeLimit`` in this thread after ``seconds`` (only where signals can be had: the main thread of
    a local worker; a Dask worker runs tasks in threads, where the batch has no time limit)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds if seconds and threading.current_thread() is threading.main_thread() else None

    def __enter__(self):
        if self.seconds:
            self.previous = signal.signal(signal.SIGALRM, _time_is_up)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def _time_is_up(signum, frame):
    raise TimeLimit()


def _compact(value) -> str:
    return dumps_compact(value)


# What a text file opened for writing ends a line with (``"\n"`` becomes ``os.linesep``): a record line written
# as bytes ends as it did when it was written as text.
LINE_END = os.linesep.encode("ascii")


def write_record_line(path: Path, line: bytes, mode: int | None = None) -> None:
    """A record as one line of compact JSON (UTF-8), written atomically (with the process umask).

    Compact, not indented like ``xxgk extract``'s: the C encoder only runs without indentation, and
    that is a sixth of a report's time; ``cat records/*/*.json`` also makes JSON Lines this way.
    """
    write_text_atomically(path, line + LINE_END, mode)


def _pack(value) -> bytes:
    return zlib.compress(_compact(value).encode("utf-8"), 1)


def _unpack(blob: bytes):
    return json.loads(zlib.decompress(blob))


# ---------------------------------------------------------------- the journal

class Journal:
    """Finished extractions, per content key, committed a chunk at a time (sqlite: atomic, crash-safe), and
    the dataset's members: every report it holds, from this run's sources and earlier runs' others."""

    def __init__(self, path: Path, extractor: str):
        self.extractor = extractor
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        with self.db:
            if version not in (1, JOURNAL_FORMAT):
                for table in ("extraction", "written", "built", "members"):
                    self.db.execute(f"DROP TABLE IF EXISTS {table}")
            self.db.execute("""CREATE TABLE IF NOT EXISTS extraction (
                content TEXT PRIMARY KEY, extractor TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
                text_key TEXT, figures_key TEXT, summary BLOB, record BLOB, limit_seconds REAL)""")
            self.db.execute("""CREATE TABLE IF NOT EXISTS written (
                report TEXT PRIMARY KEY, content TEXT NOT NULL, source TEXT NOT NULL)""")
            self.db.execute("CREATE TABLE IF NOT EXISTS built (id INTEGER PRIMARY KEY CHECK (id = 1), digest TEXT)")
            self.db.execute("""CREATE TABLE IF NOT EXISTS members (
                report TEXT PRIMARY KEY, source TEXT NOT NULL, content TEXT NOT NULL, sha256 TEXT NOT NULL,
                error TEXT NOT NULL)""")
            if version == 1:    # format 1 had no members: the reports with a record are carried over
                self.db.execute("ALTER TABLE extraction ADD COLUMN limit_seconds REAL")
                self.db.execute("""INSERT OR IGNORE INTO members SELECT report, source, content,
                                   substr(content, 1, 64), '' FROM written""")
            self.db.execute(f"PRAGMA user_version = {JOURNAL_FORMAT}")
            stale = self.db.execute("DELETE FROM extraction WHERE extractor != ?", (extractor,)).rowcount
            if stale:
                self.db.execute("DELETE FROM written")

    def done(self, seconds: float | None = None) -> set[str]:
        """Content keys whose outcome stands: records, files that cannot be read, and files that took longer
        than a time limit at least as long as ``seconds`` (None: no limit, so those are tried again)."""
        rows = self.db.execute("SELECT content, status, limit_seconds FROM extraction WHERE status IN "
                               "('ok', 'error', 'slow')")
        return {content for content, status, limit in rows
                if status != "slow" or (seconds is not None and limit is not None and limit >= seconds)}

    def add(self, rows: list[tuple], written: list[tuple[str, str, str]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO extraction VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [(r[0], self.extractor, *r[1:]) for r in rows])
            self.db.executemany("INSERT OR REPLACE INTO written VALUES (?, ?, ?)", written)

    def members(self) -> dict[str, "Report"]:
        return {row[0]: Report(*row) for row in self.db.execute(
            "SELECT report, source, content, sha256, error FROM members")}

    def set_members(self, reports: list["Report"], removed: list[str]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?)",
                                [(r.id, r.path, r.content, r.sha256, r.error) for r in reports])
            self.db.executemany("DELETE FROM members WHERE report = ?", [(r,) for r in removed])

    def keys(self) -> dict[str, tuple[str, str | None, str | None]]:
        """content → (status, text key, figures key), for the duplicate search."""
        return {row[0]: row[1:] for row in self.db.execute(
            "SELECT content, status, text_key, figures_key FROM extraction")}

    def outcomes(self, contents: list[str]) -> dict[str, tuple]:
        """content → (status, reason, summary)."""
        marks = ",".join("?" * len(contents))
        return {row[0]: row[1:] for row in self.db.execute(
            f"SELECT content, status, reason, summary FROM extraction WHERE content IN ({marks})", contents)}

    def record(self, content: str) -> dict:
        return _unpack(self.db.execute("SELECT record FROM extraction WHERE content = ?", (content,)).fetchone()[0])

    def written(self) -> dict[str, tuple[str, str]]:
        return {row[0]: row[1:] for row in self.db.execute("SELECT report, content, source FROM written")}

    def built_digest(self) -> str | None:
        row = self.db.execute("SELECT digest FROM built").fetchone()
        return row[0] if row else None

    def set_built(self, digest: str | None) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO built VALUES (1, ?)", (digest,))

    def close(self) -> None:
        self.db.close()


class DatasetLock:
    """An exclusive lock on the dataset folder (``flock`` on ``.lock``, which holds the holder's pid). The
    kernel lets go of it when the holder dies, even by ``kill -9``: a stale lock cannot block a later batch."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self.folder = folder
        self.fh = None

    def __enter__(self):
        import fcntl
        fh = open(self.path, "a+", encoding="ascii")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            fh.close()
            raise DatasetBusy(self.folder, int(holder) if holder.isdigit() else None) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self.fh = fh
        return self

    def __exit__(self, *exc):
        if self.fh is not None:
            self.fh.close()   # closing lets go of the lock; the file stays (removing it would race a newcomer)
        return False


# ---------------------------------------------------------------- engines

class LocalEngine:
    """Worker processes on this machine."""

    watches_time = True   # a stuck worker can be found and killed

    def __init__(self, workers: int):
        self.workers = workers
        self.executor = process_pool(workers)

    def submit(self, *args):
        return self.executor.submit(extract_chunk, *args)

    def wait(self, futures, timeout: float | None = None):
        return wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            self.kill()
        self.executor.shutdown(wait=not cancel, cancel_futures=cancel)

    def kill(self) -> None:
        """Stop every worker at once (a stuck one cannot be asked to)."""
        kill_workers(self.executor)


class DaskEngine:
    """Dask distributed: a scheduler ADDRESS, or 'local' for a LocalCluster of worker processes here.

    Workers read the reports and write the records themselves, so they must see the same file system.
    """

    def __init__(self, scheduler: str, workers: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - the batch extra installs it
            raise BatchError("the dask engine needs dask distributed: pip install 'xxgk[batch]'") from exc
        self.cluster = None
        if scheduler == "local":
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            scheduler = self.cluster.scheduler_address
        self.client = Client(scheduler)
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    watches_time = False  # tasks run in the workers' threads: no alarm, and no process of ours to kill

    def submit(self, *args):
        return self.client.submit(extract_chunk, *args, pure=False)

    def wait(self, futures, timeout: float | None = None):
        from distributed import wait as dask_wait
        return dask_wait(futures, return_when="FIRST_COMPLETED")

    def close(self, cancel: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(engine: str, scheduler: str | None, workers: int | None):
    workers = workers or os.cpu_count() or 1
    if scheduler and engine == "local":
        engine = "dask"
    if engine == "local":
        return LocalEngine(workers)
    if engine == "dask":
        return DaskEngine(scheduler or "local", workers)
    raise BatchError(f"unknown engine {engine!r}; expected 'local' or 'dask'")


# ---------------------------------------------------------------- the run

@dataclass
class _Todo:
    report: Report
    sharing: int = 1   # reports with this content, all done by one extraction


def run_batch(sources: Iterable[str | Path], out: str | Path, *, engine: str = "local", scheduler: str | None = None,
              workers: int | None = None, chunk_size: int | None = None, force: bool = False,
              progress: bool = True, options: Options = DEFAULT_OPTIONS, extractor: str | None = None,
              prune: bool = False, limits: Limits = Limits()) -> BatchSummary:
    """Extract every report of the sources into the dataset folder ``out``: ``records/``, the tables (Parquet,
    CSV) and ``xxgk.duckdb``. Resumable (a rerun extracts only what the journal lacks) and parallel
    (``workers`` local processes, or Dask with ``engine="dask"``); ``extractor`` pins the journal's extractor id
    (default: ``extractor_id(options)``). The dataset keeps the reports of earlier runs' other sources;
    ``prune`` removes those of the given sources whose files are gone. ``limits``: per file, the size and the
    time (local workers). Raises ``BatchError`` (``DatasetBusy`` when another batch holds the folder), with
    every finished report kept. See the module docstring."""
    started = time.perf_counter()
    out = Path(out)
    found = find_reports(sources, out)
    scopes = [report_id(s) for s in sources]
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / RECORDS_DIR).mkdir(exist_ok=True)
        lock = DatasetLock(out).__enter__()
    except OSError as exc:
        raise output_failure(exc, out) from None
    summary = BatchSummary(out, reports=len(found))
    try:
        journal = Journal(out / JOURNAL_NAME, extractor or extractor_id(options))
    except sqlite3.Error as exc:
        lock.__exit__()
        raise output_failure(exc, out / JOURNAL_NAME) from None
    try:
        with _Progress(progress) as bar:
            found = [hash_report(r, limits.max_bytes) for r in bar.track(found, "hashing")]
            if force:
                with journal.db:
                    journal.db.execute("DELETE FROM extraction")
                    journal.db.execute("DELETE FROM written")
            reports = _members(found, scopes, journal, prune, summary)
            done = journal.done(limits.seconds)
            # Earlier runs' reports are extracted again too when the extractor changed (their files permitting).
            todo = _todo(reports, done)
            summary.reused = sum(1 for r in found if r.content and r.content in done)
            if todo:
                _extract(todo, journal, out, bar, engine, scheduler, workers, chunk_size, options, limits.seconds)
            summary.extracted = sum(t.sharing for t in todo)
            current = {r.id for r in found}
            summary.tables_rebuilt = build_dataset(reports, journal, out, bar, summary, current)
    except KeyboardInterrupt:
        summary.interrupted = True  # the journal keeps every finished chunk; a rerun resumes from it
    except (OSError, sqlite3.Error) as exc:
        raise output_failure(exc, out) from None
    finally:
        journal.close()
        lock.__exit__()
    return _finish(summary, started)


def _members(found: list[Report], scopes: list[str], journal: Journal, prune: bool,
             summary: BatchSummary) -> list[Report]:
    """The reports the dataset holds after this run: this run's, and earlier runs' that it was not given
    (with ``prune``, those inside the given sources whose files are gone are removed)."""
    earlier = journal.members()
    now = {r.id: r for r in found}
    gone = [rid for rid in earlier if rid not in now and any(within(rid, scope) for scope in scopes)]
    removed = gone if prune else []
    summary.pruned = len(removed)
    journal.set_members(found, removed)
    kept = {rid: r for rid, r in earlier.items() if rid not in now and rid not in removed}
    summary.kept = len(kept)
    reports = {**kept, **now}
    summary.dataset = len(reports)
    return [reports[k] for k in sorted(reports)]


def _finish(summary: BatchSummary, started: float) -> BatchSummary:
    summary.seconds = time.perf_counter() - started
    return summary


def _todo(reports: list[Report], done: set[str]) -> list[_Todo]:
    todo: dict[str, _Todo] = {}
    for report in reports:
        if not report.content or report.content in done:
            continue
        if report.content in todo:
            todo[report.content].sharing += 1
        else:
            todo[report.content] = _Todo(report)
    return list(todo.values())


@dataclass
class _Chunk:
    todo: list[_Todo]
    isolated: bool = False            # one report, retried alone after its worker got stuck
    running_since: float | None = None

    def deadline(self, seconds: float) -> float | None:
        if self.running_since is None:
            return None
        return self.running_since + 2 * seconds * len(self.todo) + STUCK_GRACE


def _extract(todo: list[_Todo], journal: Journal, out: Path, bar: "_Progress", engine_name: str,
             scheduler: str | None, workers: int | None, chunk_size: int | None, options: Options,
             seconds: float | None) -> None:
    prepare_label_runtime(options)
    if engine_name == "local" and not scheduler:
        load_before_fork(options, threads_for(workers or os.cpu_count() or 1))
    engine = make_engine(engine_name, scheduler, workers)
    size = chunk_size or max(1, min(32, -(-len(todo) // (engine.workers * 4))))
    queue = [_Chunk(todo[i:i + size]) for i in range(0, len(todo), size)]
    queue.reverse()                    # popped from the end: in order
    bar.start_extraction(sum(t.sharing for t in todo))
    records_dir = os.path.abspath(out / RECORDS_DIR)
    watch = seconds if engine.watches_time and seconds else None
    pending: dict = {}
    cancel = True
    try:
        while True:
            while len(pending) < engine.workers * 2 and queue:
                chunk = queue.pop()
                tasks = [(t.report.id, t.report.path, t.report.content, t.report.sha256) for t in chunk.todo]
                pending[engine.submit(tasks, records_dir, options, seconds, os.getcwd())] = chunk
            if not pending:
                break
            finished, _ = engine.wait(list(pending), timeout=WATCH_INTERVAL if watch else None)
            for future in finished:
                chunk = pending.pop(future)
                rows = future.result()   # an OSError here is a record that could not be written: the batch stops
                written = [(t.report.id, t.report.content, t.report.path)
                           for t, row in zip(chunk.todo, rows) if row[1] == "ok"]
                journal.add(rows, written)
                bar.advance(sum(t.sharing for t in chunk.todo), errors=sum(row[1] != "ok" for row in rows))
            if watch and not finished:
                stuck = _stuck(pending, watch)
                if stuck is not None:
                    engine = _restart(engine, engine_name, scheduler, workers, pending, queue, stuck, journal, bar,
                                      watch)
        cancel = False
    finally:
        engine.close(cancel=cancel)


def _stuck(pending: dict, seconds: float) -> _Chunk | None:
    now = time.monotonic()
    for future, chunk in pending.items():
        if chunk.running_since is None and future.running():
            chunk.running_since = now
        deadline = chunk.deadline(seconds)
        if deadline is not None and now > deadline:
            return chunk
    return None


def _restart(engine, engine_name, scheduler, workers, pending: dict, queue: list, stuck: _Chunk,
             journal: Journal, bar: "_Progress", seconds: float):
    """A worker stopped answering: kill the pool; a single report at fault goes to errors, a chunk is retried
    one report at a time (to find which), and every other chunk in flight is queued again."""
    engine.close(cancel=True)
    for chunk in pending.values():
        if chunk is stuck and chunk.isolated:
            t = chunk.todo[0]
            journal.add([(t.report.content, "slow", f"took longer than the time limit ({seconds:g} s; the worker "
                          "no longer answered and was stopped; see --time-limit)", None, None, None, None,
                          seconds)], [])
            bar.advance(t.sharing, errors=1)
        elif chunk is stuck:
            queue.extend(_Chunk([t], isolated=True) for t in reversed(chunk.todo))
        else:
            queue.append(_Chunk(chunk.todo, chunk.isolated))
    pending.clear()
    return make_engine(engine_name, scheduler, workers)


# ---------------------------------------------------------------- the tables

def _dataset_digest(reports: list[Report], journal: Journal) -> str:
    digest = hashlib.sha256(journal.extractor.encode())
    statuses = journal.keys()
    for r in reports:
        digest.update(f"{r.id}\0{r.path}\0{r.content}\0{r.error}\0{statuses.get(r.content, ('',))[0]}\n".encode())
    return digest.hexdigest()


def build_dataset(reports: list[Report], journal: Journal, out: Path, bar: "_Progress",
                  summary: BatchSummary, current: set[str] | None = None) -> bool:
    """Records for every report, then every table, from the journal; skipped when nothing changed.
    ``current``: the ids of this run's reports, whose failures ``summary.errors`` counts (default: all)."""
    keys = journal.keys()
    duplicates = find_duplicates([(r.id, r.sha256, *keys[r.content][1:]) for r in reports
                                  if keys.get(r.content, ("",))[0] == "ok"])
    summary.duplicates = len(duplicates)
    summary.errors = sum(1 for r in reports if (current is None or r.id in current)
                         and (r.error or keys.get(r.content, ("retry",))[0] != "ok"))
    _sync_records(reports, journal, out, keys)
    digest = _dataset_digest(reports, journal)
    if digest == journal.built_digest() and all((out / f).exists() for f in ("reports.parquet", "xxgk.duckdb")):
        return False
    journal.set_built(None)
    writer = DatasetWriter(out)
    try:
        for start in bar.track(range(0, len(reports), BUILD_CHUNK), "writing tables",
                               total=-(-len(reports) // BUILD_CHUNK)):
            chunk = reports[start:start + BUILD_CHUNK]
            outcomes = journal.outcomes([r.content for r in chunk if r.content])
            for r in chunk:
                status, reason, report_summary = outcomes.get(r.content, ("retry", None, None))
                if r.error:
                    writer.add_error(r.id, r.path, r.error)
                elif status == "ok":
                    writer.add_report(r.id, r.path, _unpack(report_summary), *duplicates.get(r.id, (None, None)))
                else:
                    writer.add_error(r.id, r.path, reason or "not extracted (the batch was interrupted)")
            writer.flush()
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
    journal.set_built(digest)
    return True


def _sync_records(reports: list[Report], journal: Journal, out: Path, keys: dict) -> None:
    """``records/`` holds exactly one record per readable report: copies and moved files get theirs here."""
    records = out / RECORDS_DIR
    written = journal.written()
    wanted = {}
    missing = []
    for r in reports:
        if keys.get(r.content, ("",))[0] != "ok":
            continue
        path = records / f"{r.id}.json"
        wanted[str(path)] = r
        if written.get(r.id) != (r.content, r.path) or not path.exists():
            missing.append((r, path))
    if missing:
        done = []
        for r, path in missing:
            record = journal.record(r.content)
            record["source"].update(path=r.path, name=Path(r.path).stem)
            write_record_line(path, _compact(record).encode("utf-8"))
            done.append((r.id, r.content, r.path))
        journal.add([], done)
    for path in [*records.rglob("*.json"), *records.rglob(".*.tmp")]:
        if str(path) not in wanted:
            path.unlink()  # a moved or deleted source's record, or one half-written when a batch was killed
    for folder in sorted((p for p in records.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    wanted_ids = {r.id for r in wanted.values()}
    stale = [r for r in written if r not in wanted_ids]
    if stale:
        with journal.db:
            journal.db.executemany("DELETE FROM written WHERE report = ?", [(r,) for r in stale])


# ---------------------------------------------------------------- progress

class _Progress:
    """A rich progress bar on stderr: reports done, rate, ETA and errors so far; nothing when quiet."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress = None
        self.task = None
        self._errors = 0

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)
            self.progress = Progress(
                TextColumn("{task.description:<15}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
                TimeElapsedColumn(), TextColumn("{task.fields[errors]}"),
                console=Console(stderr=True), transient=False)
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def track(self, items, description: str, total: int | None = None):
        if not self.progress:
            yield from items
            return
        task = self.progress.add_task(description, total=total if total is not None else len(items),
                                      rate="", errors="")
        for item in items:
            yield item
            self.progress.advance(task)

    def start_extraction(self, total: int) -> None:
        if self.progress:
            self.task = self.progress.add_task("extracting", total=total, rate="", errors="0 errors")

    def advance(self, n: int, errors: int = 0) -> None:
        self._errors += errors
        if self.progress:
            task = self.progress.tasks[self.task]
            self.progress.advance(self.task, n)
            speed = task.speed
            self.progress.update(self.task, rate=f"{speed:,.0f} reports/s" if speed else "",
                                 errors=f"{self._errors} error{'s' if self._errors != 1 else ''}")
