"""What every stage entry point shares: a log of what it did, and clean failure.

A stage is called by its Snakemake rule with the rule's named ``input``, ``output``,
``params`` and ``log`` (any objects with attribute access and iteration will do, so
tests pass ``SimpleNamespace``). Inside ``with stage_run(name, output, log) as log:``
the stage reads its declared inputs, calls pure functions and writes its declared
outputs, logging inputs read, rows written and warnings. On bad input the declared
outputs are removed, the located message is written to the log and
:class:`StageError` carries it to Snakemake (which then reports the job as failed).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from analysis.core.errors import InputError


class StageError(RuntimeError):
    """A stage failed on bad input; the message is the located error line(s)."""


class StageLog:
    """Lines of what a stage did, written to its log file when it ends."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    def read(self, path: str | Path, frame=None) -> None:
        """Record an input read (with its row count when a frame is given)."""
        self.info(f"read {path}" + (f" ({len(frame)} rows)" if frame is not None else ""))

    def wrote(self, path: str | Path, frame=None) -> None:
        self.info(f"wrote {path}" + (f" ({len(frame)} rows)" if frame is not None else ""))


def flatten(paths) -> list[str]:
    """Every path in a (nested) Snakemake input/output object, a list or a string."""
    if isinstance(paths, str | Path):
        return [str(paths)]
    if isinstance(paths, dict):
        paths = paths.values()
    elif not isinstance(paths, Iterable) and hasattr(paths, "__dict__"):
        paths = vars(paths).values()  # a SimpleNamespace of named paths (tests, the CLI)
    out: list[str] = []
    for p in paths if isinstance(paths, Iterable) else []:
        out += flatten(p)
    return out


def _first_log(log) -> str | None:
    if log is None:
        return None
    logs = flatten(log)
    return logs[0] if logs else None


@contextlib.contextmanager
def stage_run(name: str, output, log=None, errors: tuple[type[Exception], ...] = ()) -> Iterator[StageLog]:
    """Run a stage body: collect its log, fail cleanly on bad input.

    Warnings are not captured here (``warnings.catch_warnings`` is not thread-safe and
    stages run in threads of one process); stages log the warnings their results carry.

    ``errors`` are further exception types that mean bad input (besides
    :class:`InputError`); their message is taken as already located.
    """
    record = StageLog(name)
    path = _first_log(log)
    message = ""
    start = time.perf_counter()
    try:
        yield record
    except (InputError, *errors) as exc:
        for p in flatten(output):
            Path(p).unlink(missing_ok=True)
        # a StageError (from a part of the stage run elsewhere) is already a log line
        message = str(exc) if isinstance(exc, StageError) else f"error: {exc}"
        record.info(message)
    finally:
        record.info(f"{name}: {time.perf_counter() - start:.2f} s")
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text("".join(f"{line}\n" for line in record.lines), encoding="utf-8")
    if message:
        raise StageError(message)
