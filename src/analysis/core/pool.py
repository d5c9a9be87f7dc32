"""Run a stage in a worker process, so that two cores work at once.

Rules run in threads of the one Snakemake process (default profile), so the scientific
stack is imported once per build, not once per job; but threads take turns on the
interpreter lock, so models, audits and figures computed there would hold up every other
job. Every analysis, audit and figure stage is therefore handed to a small pool of worker
processes (:func:`offload`): the rule's thread waits without holding the lock, while the
Snakemake process goes on with the light jobs (ingest, the claims audits, report text,
the HTML page). A figure job is split over every worker (:func:`offload_parts`):
one worker drawing a section's figures one after the other left the other core idle.

The workers are forked from a ``forkserver`` that has already imported pandas, pyarrow,
scipy's special functions, matplotlib, Babel and Jinja2 (started in the background by
:func:`warm` from the first ingest job, never by a no-op or a report-only run), so a
worker costs no import of its own. The survey and channels analyses need nothing more
(scipy.stats alone would add a second to the server's start, which every analysis waits
for). A worker that needs more (statsmodels and scipy.stats for the meetings models)
imports it once and keeps it for the next task: preloading statsmodels too made every
other worker wait for it (measured with ``make bench``). Forking from the single-threaded
forkserver, not from the multi-threaded Snakemake process, is what makes this safe.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import multiprocessing
import os
import threading
from types import SimpleNamespace

# Imported once in the forkserver; every worker starts with them.
PRELOAD = [
    "pandas",
    "pyarrow.parquet",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "babel.numbers",
    "jinja2",
    "yaml",
    "analysis.core.store",
    "scipy.special",
]
# Worker processes; SERVICESTAT_WORKERS=0 runs every stage in the rule's own thread
# (for debugging with a plain traceback, or to compare timings).
WORKERS = int(os.environ.get("SERVICESTAT_WORKERS", "2"))

_lock = threading.Lock()
_pool: concurrent.futures.ProcessPoolExecutor | None = None


def _noop() -> None:
    return None


def pool() -> concurrent.futures.ProcessPoolExecutor:
    """The build's worker pool (created on first use)."""
    global _pool
    with _lock:
        if _pool is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _pool = concurrent.futures.ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx)
            # Shut the workers down before the interpreter tears its modules down (otherwise
            # the executor's clean-up can run too late and print an ignored exception).
            atexit.register(shutdown)
    return _pool


def shutdown() -> None:
    """Stop the workers (the next :func:`pool` call starts new ones)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def finish() -> None:
    """End of a build (the Snakefile's ``onsuccess``/``onerror``): stop the workers and
    cancel Snakemake's pending scheduler timers.

    Snakemake's scheduler starts a one-second ``threading.Timer`` after every scheduling
    round (to re-check its job-rate limit). The timers are not daemon threads, so the
    interpreter waits for the last one before it exits: up to a second added to every
    build that ran a job, for nothing, since no job is left to schedule once the handlers
    run. A cancelled timer ends at once.
    """
    shutdown()
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


def _start(executor: concurrent.futures.ProcessPoolExecutor) -> None:
    try:
        for _ in range(WORKERS):
            executor.submit(_noop)
    except RuntimeError:  # the pool was shut down meanwhile (a build that failed early)
        pass


def warm() -> None:
    """Start the forkserver and the workers in the background (returns at once).

    Starting a worker waits until the forkserver has imported :data:`PRELOAD` (about as
    long as the import baseline of ``make bench``). That wait happens in a thread of its
    own, so the calling job (an ingest) imports pandas and does its work on the other
    core meanwhile instead of waiting for it (measured: the one-table rebuild lost 1.5 s).
    """
    if WORKERS == 0:
        return
    threading.Thread(target=_start, args=(pool(),), name="servicestat-warm", daemon=True).start()


def plain(obj) -> SimpleNamespace:
    """Snakemake's named input/output (or any object with ``items()``/attributes) as a
    picklable namespace of strings and lists of strings."""
    if isinstance(obj, SimpleNamespace):
        return obj
    items = obj.items() if hasattr(obj, "items") else vars(obj).items()
    out = {}
    for name, value in items:
        out[name] = str(value) if isinstance(value, str) else [str(v) for v in value]
    return SimpleNamespace(**out)


def _log_paths(log) -> str | list[str] | None:
    """Snakemake's log list (or one path, or None) as picklable strings."""
    return [str(p) for p in log] if log is not None and not isinstance(log, str) else log


def offload(func, input, output, params, log=None) -> None:
    """Call ``func(input, output, params, log)`` in a worker process and wait for it.

    ``func`` must be a module-level stage function; its exceptions (a located
    :class:`~analysis.core.stage.StageError`) are raised here, in the rule's thread.
    """
    logs = _log_paths(log)
    if WORKERS == 0:
        func(input, output, params, logs)
        return
    future = pool().submit(func, plain(input), plain(output), params, logs)
    future.result()


def split(keys: list[str], parts: int, cost: dict[str, float] | None = None) -> list[list[str]]:
    """``keys`` in at most ``parts`` non-empty parts of about equal ``cost`` (the costliest
    key first to the cheapest part so far; a key without a cost counts 1), each part in
    the order of ``keys``."""
    parts = max(1, min(parts, len(keys)))
    cost = cost or {}
    totals, members = [0.0] * parts, [[] for _ in range(parts)]
    for key in sorted(keys, key=lambda k: -cost.get(k, 1.0)):  # stable: ties keep their order
        i = totals.index(min(totals))
        totals[i] += cost.get(key, 1.0)
        members[i].append(key)
    return [[k for k in keys if k in m] for m in members]


def offload_parts(func, name: str, input, output, params, log, keys: list[str], cost=None) -> None:
    """Call ``func(input, output, params, None, part)`` for parts of ``keys`` in every
    worker at once, and write one log for the job ``name``.

    For stages made of independent pieces of similar cost (the figures of a section): one
    worker would do them one after the other while the other core idles. ``func`` does
    only the keys of its part and returns its log lines. The job's log has every part's
    lines; ``cost`` ({key: relative cost}) balances the parts (:func:`split`). When a
    part fails the others are waited for, every declared output is removed and the first
    located error is raised (the log has all).
    """
    from analysis.core.stage import StageError, stage_run

    with stage_run(name, output, _log_paths(log), errors=(StageError,)) as record:
        returned, errors = [], []
        if WORKERS == 0:
            try:
                returned.append(func(input, output, params, None, list(keys)))
            except StageError as exc:
                errors.append(exc)
        else:
            args = (plain(input), plain(output), params, None)
            futures = [pool().submit(func, *args, part) for part in split(keys, WORKERS, cost)]
            concurrent.futures.wait(futures)
            for future in futures:
                if (exc := future.exception()) is None:
                    returned.append(future.result())
                else:
                    errors.append(exc)
        for exc in errors[1:]:
            record.info(str(exc))
        if errors:
            raise errors[0]
        for lines in returned:
            record.lines += lines
