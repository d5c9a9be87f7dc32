"""What a run leaves behind: nothing that can be mistaken for current, and no stale lock.

The policy, applied by the Snakefile's ``onerror`` and ``onsuccess`` hooks:

* After a failed run every output that Snakemake had planned to (re)build but that was
  not built is **removed**: the outputs of failed jobs (Snakemake removes those itself)
  and those of every job that could not run because something it reads failed. Left
  in place they would show results of inputs that have changed since (the old
  ``reports/index.html`` after a failed ingest). Everything kept is up to date with the
  current inputs, so ``snakemake --summary`` and the files agree. Logs of jobs that did
  not run in this run are removed too (they describe an earlier run).
* After any run, files under ``data/processed/`` and ``reports/`` that no rule of the
  workflow produces any more (the datasets and figures of a deleted table, a format no
  longer configured, the temporary file of a killed write) are removed.
* A run killed with ``kill -9`` leaves Snakemake's lock behind. Every Snakemake process
  of the project holds a shared ``flock`` on ``.snakemake/servicestat.run`` for its
  lifetime (the kernel releases it when the process dies, however it dies); one that
  can take it exclusively knows that no other is alive, so the lock left in
  ``.snakemake/locks`` is stale and is removed (what ``snakemake --unlock`` does). While
  another run is alive nothing is removed and Snakemake refuses to start as usual.

The functions take plain paths and duck-typed jobs (``job.output``, ``job.log``), so
this module never imports Snakemake.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

# The folders whose every file is an output of some rule (never raw data), but for the
# outputs of make targets outside the workflow: the browser test's screenshots and the
# `snakemake --report` archive (make report-archive).
GENERATED = ("data/processed", "reports")
NOT_RULE_OUTPUTS = ("reports/screenshots", "reports/report.zip")
RUN_FILE = "servicestat.run"
_held: list = []  # the open run file of this process (keeps its flock until exit)


def claim_run(state_dir: str | Path = ".snakemake") -> bool:
    """Hold this process's shared lock on the project; clear a killed run's Snakemake lock.

    Returns True when a stale lock of an earlier run was removed (no other Snakemake
    process of this project was alive to hold it).
    """
    import fcntl

    state = Path(state_dir)
    state.mkdir(parents=True, exist_ok=True)
    fd = os.open(state / RUN_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    _held.append(fd)
    cleared = False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another Snakemake process of this project is alive: its lock is real
    else:
        locks = state / "locks"
        if locks.is_dir() and any(locks.glob("*.lock")):
            shutil.rmtree(locks)
            cleared = True
    fcntl.flock(fd, fcntl.LOCK_SH)
    return cleared


def _remove(paths: Iterable[str | Path]) -> list[str]:
    removed = []
    for p in sorted({str(p) for p in paths}):
        path = Path(p)
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(p)
    return removed


def remove_unfinished(jobs, logs_before: float | None = None) -> list[str]:
    """Remove the existing outputs of ``jobs`` (planned in this run, not finished).

    With ``logs_before`` (a time stamp: the start of the run), their logs written before
    it are removed too: those are the logs of an earlier run. Returns the removed
    outputs, sorted.
    """
    outputs, old_logs = [], []
    for job in jobs:
        outputs += [str(f) for f in job.output]
        if logs_before is not None:
            old_logs += [str(f) for f in job.log if Path(f).is_file() and Path(f).stat().st_mtime < logs_before]
    _remove(old_logs)
    return _remove(outputs)


def orphans(known: Iterable[str], roots: Iterable[str] = GENERATED) -> list[str]:
    """Files under ``roots`` that are not among ``known`` (the outputs of every rule)."""
    known = {os.path.normpath(str(p)) for p in known}
    kept = tuple(os.path.normpath(p) for p in NOT_RULE_OUTPUTS)
    found = []
    for root in roots:
        for p in Path(root).rglob("*") if Path(root).is_dir() else []:
            path = os.path.normpath(str(p))
            if path in kept or path.startswith(tuple(k + os.sep for k in kept)):
                continue
            if (p.is_file() or p.is_symlink()) and path not in known:
                found.append(str(p))
    return sorted(found)


def remove_orphans(known: Iterable[str], roots: Iterable[str] = GENERATED) -> list[str]:
    """Remove :func:`orphans` and the folders they leave empty; returns what was removed."""
    removed = _remove(orphans(known, roots))
    for root in roots:
        for d in sorted((p for p in Path(root).rglob("*") if p.is_dir()), reverse=True) if Path(root).is_dir() else []:
            if not any(d.iterdir()):
                d.rmdir()
    return removed


def _errors(log_dir: str, since: float | None) -> list[str]:
    errors = []
    for log in sorted(Path(log_dir).glob("*.log")):
        if since is not None and log.stat().st_mtime < since:
            continue  # an earlier run's log
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()
        errors += [f"  {log.stem}: {line[len('error: ') :]}" for line in text if line.startswith("error: ")]
    return errors


def failure_summary(log_dir: str, targets, removed: Iterable[str] = (), since: float | None = None) -> str:
    """The message a failed run ends with.

    Every ``error:`` line of the stage logs under ``log_dir`` (written since ``since``,
    when given), the outputs removed as out of date (``removed``), every other target
    path that does not exist, and how to get back to a clean state.
    """
    lines = ["", "servicestat: the run failed."]
    errors = _errors(log_dir, since)
    if errors:
        lines += ["Failed stages (from their logs):", *errors]
    removed = sorted(set(map(str, removed)))
    if removed:
        lines += [
            "Removed as out of date (their inputs changed or failed, and the job to rebuild them could not run):",
            *(f"  {p}" for p in removed),
        ]
    missing = sorted({str(p) for p in targets if not Path(p).exists()} - set(removed))
    if missing:
        lines += ["Outputs not produced by this run:", *(f"  {p}" for p in missing)]
    lines += [
        "Every output still present is up to date with the current inputs (`snakemake --summary` shows each).",
        "Fix the input named above and run `make` (or `snakemake`) again: only the failed jobs and what depends",
        "on them run. `make clean-outputs && make` rebuilds everything from scratch (raw data is never touched).",
    ]
    return "\n".join(lines)


def success_note(removed: Iterable[str]) -> str:
    """One line per orphan removed after a successful run ('' when there were none)."""
    removed = sorted(map(str, removed))
    if not removed:
        return ""
    return "\n".join(["servicestat: removed outputs that no rule produces any more:", *(f"  {p}" for p in removed)])
