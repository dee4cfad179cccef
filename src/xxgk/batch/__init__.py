"""A whole corpus in one call, in parallel and resumable, as datasets users can open (``runner``: the run and
its journal; ``dataset``: the tables, Parquet/CSV/DuckDB; ``workers``: the local worker processes, which
``xxgk extract`` uses too).

The names below load ``runner`` (and with it Arrow) on first use, so that ``workers`` alone stays light."""
__all__ = ["JOURNAL_NAME", "BatchError", "BatchSummary", "extractor_id", "run_batch"]


def __getattr__(name: str):
    if name in __all__:
        from . import runner
        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
