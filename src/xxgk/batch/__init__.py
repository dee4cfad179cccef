"""A whole corpus in one call, in parallel and resumable, as datasets users can open (``runner``: the run and
its journal; ``dataset``: the tables, Parquet/CSV/DuckDB)."""
from .runner import JOURNAL_NAME, BatchError, BatchSummary, extractor_id, run_batch

__all__ = ["JOURNAL_NAME", "BatchError", "BatchSummary", "extractor_id", "run_batch"]
