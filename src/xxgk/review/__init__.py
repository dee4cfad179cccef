"""Review in the browser: what was read beside the source, corrected and saved as gold.

``catalog`` finds and loads the reports (only inside the paths given), ``page`` makes what the page shows
(tables, marked source, checks and verdict after each correction), ``gold`` saves (versions, validation,
audit), ``words`` says it in Chinese, ``server`` serves it; the page's plain HTML/CSS/JS is in ``assets``.
"""
from .catalog import Catalog, Report, Skip, SourceFolders, load_reports
from .gold import GoldError, StaleSave, gold_version, save_gold
from .page import assessment, cell_spans, layout, recheck, source_lines, unsure_keys
from .server import MAX_BODY_BYTES, create_app

__all__ = ["Catalog", "GoldError", "MAX_BODY_BYTES", "Report", "Skip", "SourceFolders", "StaleSave", "assessment",
           "cell_spans", "create_app", "gold_version", "layout", "load_reports", "recheck", "save_gold",
           "source_lines", "unsure_keys"]
