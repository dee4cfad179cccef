"""``xxgk batch``: a whole corpus in one command, in parallel, resumable, as datasets users can open.

How a run goes:

1. The sources are walked and every file hashed. A report's id is its path relative to the folder
   above the sources (stable across runs); its *content key* is the hash of its bytes and its suffix.
2. Each content not yet in the journal (``DATASET/.journal.sqlite``) for this extractor is extracted
   by a pool of worker processes, or by Dask workers, in chunks. A worker writes the report's record
   (``records/<id>.json``, atomically) and hands back a compact summary; the main process commits
   every finished chunk to the journal in one transaction. A crash or Ctrl-C loses at most the chunks
   in flight, and a rerun extracts only what the journal does not hold.
3. The tables are then rebuilt from the journal, in id order (``dataset``): a killed and rerun
   batch writes the same bytes as an uninterrupted one.

The extractor id is the xxgk version, a digest of the package's code and data and the options when they
are not the defaults, so a changed extractor redoes everything and an unchanged one redoes nothing.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import signal
import sqlite3
import tempfile
import time
import zlib
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..blas import pin_process
from ..options import DEFAULT_OPTIONS, Options
from ..pipeline import ReadError, extract_document, read_report
from ..readers.walk import iter_inputs
from ..version import __version__
from .dataset import DatasetWriter, figures_key, find_duplicates, summarize, text_key

JOURNAL_NAME = ".journal.sqlite"
JOURNAL_FORMAT = 1  # the journal's layout; a journal of another layout is started afresh
RECORDS_DIR = "records"
BUILD_CHUNK = 256


@dataclass(frozen=True)
class Report:
    id: str            # path below the folder holding its source (e.g. raw/a.txt for source raw/), with '/'
    path: str          # as found, for reading and for the record's source
    content: str = ""  # sha256 of the bytes + suffix; empty when the file could not be opened
    sha256: str = ""
    error: str = ""    # why the file could not be opened


@dataclass
class BatchSummary:
    out: Path
    reports: int = 0
    extracted: int = 0  # reports whose content was extracted in this run
    reused: int = 0     # reports whose content the journal already held
    errors: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    tables_rebuilt: bool = False
    interrupted: bool = False

    @property
    def rate(self) -> float:
        return self.reports / self.seconds if self.seconds else 0.0


class BatchError(Exception):
    """A batch that cannot start: no sources, a missing source, an unknown engine."""


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

def find_reports(sources: Iterable[str | Path], out: str | Path) -> list[Report]:
    """Every file of the sources (folders recursively, hidden files skipped), the dataset folder excluded."""
    sources = [Path(s) for s in sources]
    if not sources:
        raise BatchError("no source given")
    for source in sources:
        if not source.exists():
            raise BatchError(f"{source}: no such file or folder")
    parents = [os.path.dirname(os.path.abspath(s)) for s in sources]
    if len({os.path.basename(os.path.abspath(s)) for s in sources}) < len(sources):
        parents = [os.path.commonpath(parents)] * len(sources)  # two sources of one name: ids keep more path
    excluded = os.path.abspath(out) + os.sep
    found: dict[str, Report] = {}
    for source, parent in zip(sources, parents):
        for path in iter_inputs([source]):
            absolute = os.path.abspath(path)
            if (absolute + os.sep).startswith(excluded):
                continue
            report_id = Path(os.path.relpath(absolute, parent)).as_posix()
            found.setdefault(report_id, Report(report_id, str(path)))
    return [found[k] for k in sorted(found)]


def hash_report(report: Report) -> Report:
    try:
        with open(report.path, "rb") as fh:
            sha = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        return Report(report.id, report.path, error=f"cannot open: {exc.strerror or exc}")
    return Report(report.id, report.path, f"{sha}{Path(report.path).suffix.lower()}", sha)


# ---------------------------------------------------------------- the worker side

class _worker:
    """State of this process as a worker of the local pool."""
    freeze_when_warm = False
    frozen = False


def extract_chunk(tasks: list[tuple[str, str, str, str]], records_dir: str, options: Options) -> list[tuple]:
    """Extract ``(report id, path, content key, sha256)`` tasks; write each record; return journal rows."""
    rows = [_extract_one(*task, records_dir, options) for task in tasks]
    if _worker.freeze_when_warm and not _worker.frozen:
        # The first chunk loaded what the parent had not (the label transformer, if a label needed it) and
        # the caches it filled: objects that live as long as the worker. Frozen, the garbage collector stops
        # walking them on every full collection (a twentieth of a report's time otherwise).
        gc.freeze()
        _worker.frozen = True
    return rows


def _extract_one(report_id: str, path: str, content: str, sha256: str, records_dir: str, options: Options) -> tuple:
    try:
        doc = read_report(path, options)
        if doc.sha256 != sha256:
            return (content, "retry", "the file changed while the batch ran; run the batch again", None, None, None,
                    None)
        record = extract_document(doc, options)
    except ReadError as exc:
        return (content, "error", exc.reason, None, None, None, None)
    except Exception as exc:  # a bug must not stop the batch; it is retried on the next run
        return (content, "retry", f"internal error: {type(exc).__name__}: {exc}", None, None, None, None)
    text = _compact(record)
    write_record_line(Path(records_dir) / f"{report_id}.json", text)
    return (content, "ok", None, text_key(doc.text), figures_key(record), _pack(summarize(record)),
            zlib.compress(text.encode("utf-8"), 1))


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_record_line(path: Path, text: str) -> None:
    """A record as one line of compact JSON, written atomically.

    Compact, not indented like ``xxgk extract``'s: the C encoder only runs without indentation, and
    that is a sixth of a report's time; ``cat records/*/*.json`` also makes JSON Lines this way.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pack(value) -> bytes:
    return zlib.compress(_compact(value).encode("utf-8"), 1)


def _unpack(blob: bytes):
    return json.loads(zlib.decompress(blob))


def _start_worker(threads: int) -> None:
    # Ctrl-C is the main process's to handle: it stops the pool and leaves a journal to resume from.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.freeze_when_warm = True
    # Numerical libraries (a label model) would start a thread per core in every worker process; numpy's BLAS,
    # started in the parent before the fork, spun after every small product of the label stages and took a
    # worker's core from the other.
    pin_process(threads)


# ---------------------------------------------------------------- the journal

class Journal:
    """Finished extractions, per content key, committed a chunk at a time (sqlite: atomic, crash-safe)."""

    def __init__(self, path: Path, extractor: str):
        self.extractor = extractor
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if self.db.execute("PRAGMA user_version").fetchone()[0] != JOURNAL_FORMAT:
            with self.db:
                for table in ("extraction", "written", "built"):
                    self.db.execute(f"DROP TABLE IF EXISTS {table}")
                self.db.execute(f"PRAGMA user_version = {JOURNAL_FORMAT}")
        with self.db:
            self.db.execute("""CREATE TABLE IF NOT EXISTS extraction (
                content TEXT PRIMARY KEY, extractor TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
                text_key TEXT, figures_key TEXT, summary BLOB, record BLOB)""")
            self.db.execute("""CREATE TABLE IF NOT EXISTS written (
                report TEXT PRIMARY KEY, content TEXT NOT NULL, source TEXT NOT NULL)""")
            self.db.execute("CREATE TABLE IF NOT EXISTS built (id INTEGER PRIMARY KEY CHECK (id = 1), digest TEXT)")
            stale = self.db.execute("DELETE FROM extraction WHERE extractor != ?", (extractor,)).rowcount
            if stale:
                self.db.execute("DELETE FROM written")

    def done(self) -> set[str]:
        """Content keys whose outcome stands: records, and files that cannot be read."""
        return {row[0] for row in self.db.execute("SELECT content FROM extraction WHERE status IN ('ok', 'error')")}

    def add(self, rows: list[tuple], written: list[tuple[str, str, str]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO extraction VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                [(r[0], self.extractor, *r[1:]) for r in rows])
            self.db.executemany("INSERT OR REPLACE INTO written VALUES (?, ?, ?)", written)

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


# ---------------------------------------------------------------- engines

class LocalEngine:
    """Worker processes on this machine."""

    def __init__(self, workers: int):
        self.workers = workers
        threads = max(1, (os.cpu_count() or 1) // workers)
        self.executor = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(threads,))

    def submit(self, *args):
        return self.executor.submit(extract_chunk, *args)

    def wait(self, futures):
        return wait(futures, return_when=FIRST_COMPLETED)

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=not cancel, cancel_futures=cancel)


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

    def submit(self, *args):
        return self.client.submit(extract_chunk, *args, pure=False)

    def wait(self, futures):
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
              progress: bool = True, options: Options = DEFAULT_OPTIONS, extractor: str | None = None) -> BatchSummary:
    """Extract every report of the sources into the dataset folder ``out``: ``records/``, the tables (Parquet,
    CSV) and ``xxgk.duckdb``. Resumable (a rerun extracts only what the journal lacks) and parallel
    (``workers`` local processes, or Dask with ``engine="dask"``); ``extractor`` pins the journal's extractor id
    (default: ``extractor_id(options)``). See the module docstring."""
    started = time.perf_counter()
    out = Path(out)
    reports = find_reports(sources, out)
    out.mkdir(parents=True, exist_ok=True)
    (out / RECORDS_DIR).mkdir(exist_ok=True)
    summary = BatchSummary(out, reports=len(reports))
    journal = Journal(out / JOURNAL_NAME, extractor or extractor_id(options))
    try:
        with _Progress(progress) as bar:
            reports = [hash_report(r) for r in bar.track(reports, "hashing")]
            if force:
                with journal.db:
                    journal.db.execute("DELETE FROM extraction")
                    journal.db.execute("DELETE FROM written")
            todo = _todo(reports, journal.done())
            summary.reused = sum(1 for r in reports if r.content) - sum(t.sharing for t in todo)
            if todo:
                _extract(todo, journal, out, bar, engine, scheduler, workers, chunk_size, options)
            summary.extracted = sum(t.sharing for t in todo)
            summary.tables_rebuilt = build_dataset(reports, journal, out, bar, summary)
    except KeyboardInterrupt:
        summary.interrupted = True  # the journal keeps every finished chunk; a rerun resumes from it
    finally:
        journal.close()
    return _finish(summary, started)


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


def _load_before_fork(options: Options) -> None:
    """Load here what every worker needs — jieba's dictionary, the label tables, the cheap learned label stages
    — by extracting one clean generated report, and freeze it out of the garbage collector's reach: the
    workers forked after share its pages instead of each loading its own, and their collections leave them
    be. The transformer stays out (a clean report's labels never reach it): its runtime's threads do not
    survive a fork; a worker loads it when it meets a label nothing cheaper reads."""
    from ..generate import random_record, render
    from ..labels import ngrams, student
    from ..pipeline import extract_text

    rng = random.Random(0)
    extract_text(render(random_record("2021", rng), "cells_tabbed", rng, noise=0.0), "<warm-up>", options)
    ngrams.load()
    student.load()
    gc.freeze()


def _extract(todo: list[_Todo], journal: Journal, out: Path, bar: "_Progress", engine_name: str,
             scheduler: str | None, workers: int | None, chunk_size: int | None, options: Options) -> None:
    if engine_name == "local" and not scheduler:
        _load_before_fork(options)
    engine = make_engine(engine_name, scheduler, workers)
    size = chunk_size or max(1, min(32, -(-len(todo) // (engine.workers * 4))))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    bar.start_extraction(sum(t.sharing for t in todo))
    records_dir = str(out / RECORDS_DIR)
    pending: dict = {}
    cancel = True
    try:
        queue = iter(chunks)
        while True:
            while len(pending) < engine.workers * 2:
                chunk = next(queue, None)
                if chunk is None:
                    break
                tasks = [(t.report.id, t.report.path, t.report.content, t.report.sha256) for t in chunk]
                pending[engine.submit(tasks, records_dir, options)] = chunk
            if not pending:
                break
            finished, _ = engine.wait(list(pending))
            for future in finished:
                chunk = pending.pop(future)
                rows = future.result()
                written = [(t.report.id, t.report.content, t.report.path)
                           for t, row in zip(chunk, rows) if row[1] == "ok"]
                journal.add(rows, written)
                bar.advance(sum(t.sharing for t in chunk), errors=sum(row[1] != "ok" for row in rows))
        cancel = False
    finally:
        engine.close(cancel=cancel)


# ---------------------------------------------------------------- the tables

def _dataset_digest(reports: list[Report], journal: Journal) -> str:
    digest = hashlib.sha256(journal.extractor.encode())
    statuses = journal.keys()
    for r in reports:
        digest.update(f"{r.id}\0{r.path}\0{r.content}\0{r.error}\0{statuses.get(r.content, ('',))[0]}\n".encode())
    return digest.hexdigest()


def build_dataset(reports: list[Report], journal: Journal, out: Path, bar: "_Progress",
                  summary: BatchSummary) -> bool:
    """Records for every report, then every table, from the journal; skipped when nothing changed."""
    keys = journal.keys()
    duplicates = find_duplicates([(r.id, r.sha256, *keys[r.content][1:]) for r in reports
                                  if keys.get(r.content, ("",))[0] == "ok"])
    summary.duplicates = len(duplicates)
    summary.errors = sum(1 for r in reports if r.error or keys.get(r.content, ("retry",))[0] != "ok")
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
            write_record_line(path, _compact(record))
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
