"""Worker processes on this machine that share what their parent loaded: ``xxgk batch``'s local engine and
``xxgk extract``'s pool over a folder (``local_pool``).

The parent loads what every worker needs — jieba's dictionary, the label tables, the cheap learned label
stages and the transformer — by extracting one clean generated report, and freezes it out of the garbage
collector's reach (``load_before_fork``); the workers forked after share its pages instead of each loading its
own. Each worker runs its numerical libraries on its share of the cores, collects its garbage less often, lets
its parent handle Ctrl-C and dies with it (``start_worker``).

Only the standard library is imported here, so that a command that extracts a folder does not load the
dataset's libraries (Arrow) to start its workers; and multiprocessing only when a pool is made.
"""
from __future__ import annotations

import gc
import os
import random
import signal
import threading
import time
from typing import TYPE_CHECKING

from ..blas import pin_process
from ..options import Options

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

WORKER_GC_YOUNG = 10_000        # allocations between two young collections in a worker (Python's: 700)
PR_SET_PDEATHSIG = 1            # linux/prctl.h
PARENT_POLL = 1.0               # seconds between two looks at the parent, where the kernel cannot be asked


class worker_state:
    """This process as a worker: whether to freeze what its first task loaded, and whether it has."""
    freeze_when_warm = False
    frozen = False


def cores() -> int:
    """The cores this process may run on (a CPU affinity set by the user or a scheduler counts)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):   # not on Linux
        return os.cpu_count() or 1


def threads_for(workers: int) -> int:
    """Each worker's numerical threads: its share of the cores."""
    return max(1, (os.cpu_count() or 1) // workers)


def start_worker(threads: int, parent: int | None = None) -> None:
    """A pool's initializer: what a worker process sets once, as it starts."""
    # A worker must not outlive the batch: killed (kill -9), the batch cannot stop its workers itself.
    die_with_parent(parent)
    # Ctrl-C is the main process's to handle: it stops the pool and leaves a journal to resume from.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_state.freeze_when_warm = True
    # A report allocates some hundred thousand objects, nearly all freed by their counts: at the default
    # threshold (700) the collector ran about twice a report and took 0.2 ms of its 10; every WORKER_GC_YOUNG
    # allocations it takes a twentieth of that, and the cycles it finds wait a few reports longer at most.
    gc.set_threshold(WORKER_GC_YOUNG, *gc.get_threshold()[1:])
    # Numerical libraries (a label model) would start a thread per core in every worker process; numpy's BLAS,
    # started in the parent before the fork, spun after every small product of the label stages and took a
    # worker's core from the other.
    pin_process(threads)


def freeze_once_warm() -> None:
    """After a worker's first task: the first task loaded what the parent had not (the label transformer, if a
    label needed it) and the caches it filled, objects that live as long as the worker. Frozen, the garbage
    collector stops walking them on every full collection (a twentieth of a report's time otherwise)."""
    if worker_state.freeze_when_warm and not worker_state.frozen:
        gc.freeze()
        worker_state.frozen = True


def die_with_parent(parent: int | None) -> None:
    """Have the kernel kill this process when its parent dies (Linux), and look every second elsewhere."""
    if parent is None:
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        asked = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        asked = False
    if os.getppid() != parent:        # the parent died before the kernel was asked
        os._exit(1)
    if not asked:
        def watch():
            while os.getppid() == parent:
                time.sleep(PARENT_POLL)
            os._exit(1)
        threading.Thread(target=watch, name="xxgk-parent-watch", daemon=True).start()


def load_before_fork(options: Options, threads: int) -> None:
    """Load here what every worker needs — jieba's dictionary, the label tables, the cheap learned label stages
    and the transformer — by extracting one clean generated report, and freeze it out of the garbage
    collector's reach: the workers forked after share its pages instead of each loading its own, and their
    collections leave them be. ``threads``: what each worker's numerical libraries get (``start_worker``)."""
    from ..generate import random_record, render
    from ..labels import ngrams, student
    from ..pipeline import extract_text

    rng = random.Random(0)
    extract_text(render(random_record("2021", rng), "cells_tabbed", rng, noise=0.0), "<warm-up>", options)
    ngrams.load()
    student.load()
    if options.transformer:
        load_transformer(threads)
    gc.freeze()


def load_transformer(threads: int) -> None:
    """The label transformer, loaded once here for the workers to share: its weights (some 135 MB of heap) were
    each worker's own, and a generated set meets a label only it reads within its first few dozen reports.
    Only where the workers run it on one thread, as the command line's always do: a session with a thread
    pool cannot be forked (its threads stay behind), and one made with another thread count than the
    workers' could sum its products in another order. Nothing is asked of it here, so that its tokenizer
    starts no threads before the fork either. A model that cannot be loaded fails here as it would have
    in each worker, and each worker's cheap stages answer alone, as before."""
    if os.environ.get("OMP_NUM_THREADS", str(threads)) != "1":
        return
    from ..labels import model

    saved = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"     # the session's thread count (``LabelModel``)
    try:
        model.load()
    except Exception:   # noqa: BLE001 - LabelModelUnavailable or a missing extra: remembered by ``model.load``
        pass
    finally:
        if saved is None:
            del os.environ["OMP_NUM_THREADS"]


def prepare_label_runtime(options: Options) -> None:
    """Build the label classifier's runtime here, once, before the workers start (each would otherwise race to
    build it on its first hard label); a failure is left to the workers, which fall back to the cheap stages."""
    if not options.transformer:
        return
    from ..labels import runtime
    try:
        runtime.ensure_runtime()
    except (runtime.RuntimeUnavailable, OSError):
        pass


def process_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` processes started from this one (forked where the platform's default is to fork, as on
    Linux: they then share the pages it loaded)."""
    from concurrent.futures import ProcessPoolExecutor     # here: multiprocessing is no cost of one file's start

    return ProcessPoolExecutor(workers, initializer=start_worker, initargs=(threads_for(workers), os.getpid()))


def local_pool(workers: int, options: Options) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes ready to extract with ``options``, sharing what this process loaded for
    them (``load_before_fork``)."""
    prepare_label_runtime(options)
    load_before_fork(options, threads_for(workers))
    return process_pool(workers)


def kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker of ``pool`` at once (a stuck or interrupted one cannot be asked to)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()
