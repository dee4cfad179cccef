"""The reports under review: found under the paths given, loaded in the background, each with its source.

A path given on the command line is the only place a file is read, shown or copied from: ``SourceFolders``
holds those paths (resolved, symbolic links followed) and admits a file only when its real path lies inside
one of them. A record's ``source.path`` names its source; a source outside the folders (``/etc/shadow``, or a
link out of a folder) is refused: the record is still reviewed, from its cells, and the refusal is said.

``Catalog`` lists the candidate files at once (names only) and loads them one by one in a background thread —
a record is read, a raw report extracted — so the page opens at once and shows its progress.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .. import schema
from ..options import DEFAULT_OPTIONS, Options
from ..pipeline import ReadError, extract_file

# The extractor's stages keep models and caches that were not written to be shared between threads: the
# loading thread and the server's threads (a report opened, its prose read) take turns.
PIPELINE_LOCK = threading.Lock()

NOT_REPORTS = {".jsonl", ".py", ".pyc", ".parquet", ".duckdb", ".tsv", ".csv", ".zip", ".gz", ".lock"}


class SourceFolders:
    """The files and folders given on the command line: a file is admitted when its real path is one of them or
    lies inside one. Checked when a report is loaded and again each time its source is read, shown or copied."""

    def __init__(self, paths: Iterable[str | Path]):
        self.roots = tuple(Path(os.path.realpath(p)) for p in paths)

    def admits(self, path: str | Path | None) -> bool:
        if path is None:
            return False
        real = Path(os.path.realpath(path))
        return any(real.is_relative_to(root) for root in self.roots)


NO_FOLDERS = SourceFolders(())


@dataclass(frozen=True)
class Skip:
    """A file not loaded, and why (the reader's reason, in the record's English; the page translates it)."""
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Report:
    name: str
    record: dict
    record_path: Path | None = None      # None when extracted on load
    source_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    options: Options = DEFAULT_OPTIONS   # how the source is read again to show it
    folders: SourceFolders = NO_FOLDERS  # where the source may be read from (none: a report made by hand)
    statements: list | None = None       # what the source's prose states, read once when the report is opened
    cache: dict = field(default_factory=dict, repr=False)   # what the list shows of its saved gold, by version

    @property
    def template(self) -> schema.Template:
        return schema.template(self.record["template"])

    def readable_source(self) -> Path | None:
        """The source file, if it still is a regular file inside the folders given; else None."""
        path = self.source_path
        if path is None or not self.folders.admits(path) or not path.is_file():
            return None
        return Path(os.path.realpath(path))


def candidates(paths: Iterable[Path]) -> Iterable[Path]:
    """The files under PATHS that may be reports or records (names only: nothing is read)."""
    for path in paths:
        if path.is_dir():
            files = (f for f in sorted(path.rglob("*")) if f.is_file()
                     and not any(p.startswith(".") for p in f.relative_to(path).parts))
        else:
            files = iter([path])
        for f in files:
            if f.suffix.lower() not in NOT_REPORTS and not f.name.endswith(".audit.jsonl"):
                yield f


def source_of(record: dict, record_path: Path, folders: SourceFolders) -> tuple[Path | None, str | None]:
    """The source file a record names, looked for as given and beside the record; and why it is not used."""
    given = (record.get("source") or {}).get("path")
    if not given or given.startswith("<"):
        return None, None
    refused = None
    for candidate in (Path(given), record_path.parent / given, record_path.parent / Path(given).name):
        try:
            if not candidate.is_file():
                continue
        except OSError:
            continue
        if folders.admits(candidate):
            return candidate, None
        refused = candidate
    if refused is not None:
        return None, f"source {refused} is outside the folders given on the command line: not read, shown or copied"
    return None, None


class Catalog:
    """Reports by name, in the order found, filled by ``load`` (at once, or in a thread by ``start``).

    The same source met twice (same sha256) is loaded once; names are the file stems, made unique.
    """

    def __init__(self, paths: Iterable[str | Path], options: Options = DEFAULT_OPTIONS, *,
                 sources: Iterable[str | Path] = (), on_finished: Callable[["Catalog"], None] | None = None):
        """PATHS are loaded; SOURCES are more folders a record's source may be read from (nothing in them is
        loaded); ON_FINISHED is called when the last file is loaded."""
        self.paths = [Path(p) for p in paths]
        self.folders = SourceFolders([*self.paths, *sources])
        self.on_finished = on_finished
        self.options = options
        self.pending = list(candidates(self.paths))
        self.total = len(self.pending)
        self.done = 0
        self.reports: dict[str, Report] = {}
        self.skipped: list[Skip] = []
        self.notices: list[Skip] = []       # loaded, with something said (a source refused), by report name
        self.finished = threading.Event()
        self._seen_sources: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def of(cls, reports: dict[str, Report], skipped: Iterable[Skip] = ()) -> "Catalog":
        """A finished catalog of reports loaded already."""
        catalog = cls(())
        catalog.reports = dict(reports)
        catalog.skipped = list(skipped)
        catalog.total = catalog.done = len(reports)
        catalog.finished.set()
        return catalog

    def load(self) -> "Catalog":
        for path in self.pending:
            report, reason = self._load_one(path)
            with self._lock:
                if reason:
                    self.skipped.append(reason)
                elif report is not None:
                    self._add(report)
                self.done += 1
        self.finished.set()
        if self.on_finished is not None:
            self.on_finished(self)
        return self

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.load, name="xxgk-review-load", daemon=True)
        thread.start()
        return thread

    def snapshot(self, since: int = 0) -> list[Report]:
        with self._lock:
            return list(self.reports.values())[since:]

    def get(self, name: str) -> Report | None:
        with self._lock:
            return self.reports.get(name)

    def _add(self, report: Report) -> None:
        sha = (report.record.get("source") or {}).get("sha256")
        if sha and sha in self._seen_sources:
            return
        if sha:
            self._seen_sources.add(sha)
        report.name = _unique_name(report.name, self.reports)
        self.reports[report.name] = report
        self.notices += [Skip(report.name, p) for p in report.problems]

    def _load_one(self, path: Path) -> tuple[Report | None, Skip | None]:
        """The report of one file, or None (nothing to review: a gold file), or why it was skipped."""
        if not self.folders.admits(path):
            return None, Skip(str(path), "a link to outside the folders given on the command line: not read")
        try:
            if path.suffix.lower() == ".json":
                record = json.loads(path.read_text(encoding="utf-8"))
                if not (isinstance(record, dict) and isinstance(record.get("cells"), dict)
                        and record.get("template") in schema.TEMPLATES):
                    return None, None            # a gold file or other JSON: nothing to review
                source, refused = source_of(record, path, self.folders)
                return Report(path.stem, record, path, source, [refused] if refused else [], self.options,
                              self.folders), None
            with PIPELINE_LOCK:
                record = extract_file(path, self.options)
            return Report(path.stem, record, None, path, [], self.options, self.folders), None
        except ReadError as exc:
            return None, Skip(exc.path, exc.reason)
        except (OSError, ValueError) as exc:
            return None, Skip(str(path), str(exc))
        except Exception as exc:  # a bug in one extraction must not keep the others from review
            return None, Skip(str(path), f"internal error: {type(exc).__name__}: {exc}")


def _unique_name(name: str, taken: dict) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}__{n}"
    return candidate


def load_reports(paths: Iterable[Path], options: Options = DEFAULT_OPTIONS) -> tuple[dict[str, Report], list[Skip]]:
    """Reports under PATHS by name, and the files skipped with why (loaded at once; ``Catalog`` for the rest).

    A JSON file with ``cells`` is a record; a JSON without them (a gold file) is skipped; any other
    file is extracted (with ``options``). The same source met twice (same sha256) is loaded once.
    """
    catalog = Catalog(paths, options).load()
    return catalog.reports, catalog.skipped
