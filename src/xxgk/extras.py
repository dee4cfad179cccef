"""Which optional part of xxgk (a pip *extra*) brings which module, so that a missing one is one line naming
what to install, never "internal error: No module named …".

``pip install xxgk`` (the core) reads text, HTML, Markdown and DOCX, checks the arithmetic and the prose, and
maps labels with every stage but the transformer's encoder build; the extras add the rest (pyproject.toml).
"""
from __future__ import annotations

# The top-level module an ImportError names → the extra that installs it.
EXTRA_OF_MODULE = {
    "pdfplumber": "pdf", "camelot": "pdf", "pdfminer": "pdf", "pypdfium2": "pdf",
    "rapidocr_onnxruntime": "ocr", "cv2": "ocr", "PIL": "ocr",
    "distributed": "batch", "dask": "batch", "pyarrow": "batch", "duckdb": "batch",
    "starlette": "review", "uvicorn": "review", "playwright": "review", "nbclient": "review",
    "nbformat": "review", "matplotlib": "review",
    "torch": "train", "transformers": "train", "sentence_transformers": "train", "peft": "train",
    "sklearn": "train",
    "html2text": "forms", "inscriptis": "forms", "trafilatura": "forms", "markdownify": "forms", "bs4": "forms",
    "pymupdf": "forms", "fitz": "forms", "pymupdf4llm": "forms", "weasyprint": "forms",
    "pandas": "dev", "pytest": "dev",
}


def missing_module(exc: BaseException) -> str | None:
    """The top-level name of the module an ImportError could not find, or None."""
    name = getattr(exc, "name", None)
    return name.split(".")[0] if isinstance(exc, ImportError) and name else None


def extra_for(exc: BaseException) -> str | None:
    """The extra that installs the module an ImportError could not find, or None (not one of ours)."""
    module = missing_module(exc)
    return EXTRA_OF_MODULE.get(module) if module else None


def install_hint(exc: BaseException, needed_for: str) -> str:
    """``reading a PDF needs the [pdf] extra: pip install 'xxgk[pdf]'`` (or the module when no extra has it)."""
    extra = extra_for(exc)
    if extra:
        return f"{needed_for} needs the [{extra}] extra: pip install 'xxgk[{extra}]'"
    return f"{needed_for} needs the Python module {missing_module(exc) or exc} (not installed)"
