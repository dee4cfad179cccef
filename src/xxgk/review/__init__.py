"""Review in the browser: what was read beside the source, corrected and saved as gold (``server``; the page's
plain HTML/CSS/JS in ``assets``)."""
from .server import (GoldError, Report, cell_spans, create_app, layout, load_reports, recheck, save_gold,
                     source_lines, unsure_keys)

__all__ = ["GoldError", "Report", "cell_spans", "create_app", "layout", "load_reports", "recheck", "save_gold",
           "source_lines", "unsure_keys"]
