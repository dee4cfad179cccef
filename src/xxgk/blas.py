"""One BLAS thread for the pipeline's small matrix products.

Every product the pipeline computes is small (a label's n-grams through the student, the repair search's few
dozen least-squares solves): BLAS threads only add their start and their spinning, and on a loaded machine one
report's repair search took 0.5 s with one thread and up to 14 s with a thread per core. So every entry point
runs with one:

- a process of xxgk's own (the command line, a batch worker) pins it for good with ``pin_process`` — before
  numpy loads, through the variables BLAS reads when it starts, and after, through threadpoolctl;
- a library call (``xxgk.extract_file``, ``check_record``, …) runs inside ``one_blas_thread``, which leaves the
  caller's setting as it was (some 40 µs a call; nothing in a pinned process).
"""
from __future__ import annotations

import functools
import os
import sys
from contextlib import contextmanager

# The variables the BLAS and OpenMP runtimes read when they start.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class _process:
    pinned = False
    limits = None       # threadpoolctl's limiter, kept for the process's life


def pin_process(threads: int = 1) -> None:
    """Give this process's numerical libraries ``threads`` threads each, for good (a variable already set by
    the user stands)."""
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, str(threads))
    if "numpy" in sys.modules:
        # Started already, BLAS no longer reads the variables.
        from threadpoolctl import threadpool_limits
        _process.limits = threadpool_limits(threads, user_api="blas")
    _process.pinned = True


def _controller():
    """The BLAS libraries loaded in this process, looked for again when a module was imported since the last
    look (a library that loads another BLAS, as scipy or torch do, would otherwise run it unlimited)."""
    modules = len(sys.modules)
    if _seen.modules != modules:
        import numpy  # noqa: F401  (the BLAS it loads is what the controller finds)
        from threadpoolctl import ThreadpoolController
        _seen.controller, _seen.modules = ThreadpoolController(), len(sys.modules)
    return _seen.controller


class _seen:
    controller = None
    modules = -1


@contextmanager
def one_blas_thread():
    """BLAS on one thread while the block runs, the caller's setting back after."""
    if _process.pinned:
        yield
        return
    with _controller().limit(limits=1, user_api="blas"):
        yield


def single_threaded(function):
    """``function`` run inside ``one_blas_thread`` (a library entry point)."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        with one_blas_thread():
            return function(*args, **kwargs)
    return run
