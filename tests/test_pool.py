"""Stages offloaded to the worker pool behave as when called in the rule's thread."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from analysis.core import pool
from analysis.core.errors import InputError
from analysis.core.stage import StageError, stage_run


def write_stage(input, output, params, log=None):
    """A module-level stage (picklable): writes its input text times params.times."""
    with stage_run("write", output, log) as record:
        text = Path(input.src).read_text(encoding="utf-8")
        if "bad" in text:
            raise InputError(input.src, 1, 1, text.strip(), "no bad words")
        Path(output.out).write_text(text * params.times, encoding="utf-8")
        record.wrote(output.out)


class Named:
    """Snakemake's named lists give items(); this stands in for them."""

    def __init__(self, **kw):
        self._kw = kw
        self.__dict__.update(kw)

    def items(self):
        return self._kw.items()


def test_plain_turns_named_lists_into_picklable_namespaces():
    ns = pool.plain(Named(a="x", b=["y", "z"]))
    assert ns == SimpleNamespace(a="x", b=["y", "z"])
    same = SimpleNamespace(c="d")
    assert pool.plain(same) is same


@pytest.mark.pipeline
def test_offloaded_stage_runs_in_a_worker_and_reports_located_errors(tmp_path):
    src, out, log = tmp_path / "in.txt", tmp_path / "out.txt", tmp_path / "job.log"
    src.write_text("ab", encoding="utf-8")
    pool.warm()
    pool.offload(write_stage, Named(src=str(src)), Named(out=str(out)), SimpleNamespace(times=3), [str(log)])
    assert out.read_text(encoding="utf-8") == "ababab"
    assert f"wrote {out}" in log.read_text(encoding="utf-8")
    src.write_text("bad", encoding="utf-8")
    with pytest.raises(StageError, match=r"in.txt:1:1: bad value 'bad'; expected no bad words"):
        pool.offload(write_stage, Named(src=str(src)), Named(out=str(out)), SimpleNamespace(times=3), str(log))
    assert not out.exists()  # the worker removed the declared output
    pool.shutdown()
    pool.shutdown()  # idempotent


def test_without_workers_the_stage_runs_in_the_calling_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "WORKERS", 0)
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("x", encoding="utf-8")
    pool.warm()  # nothing to start
    assert pool._pool is None
    pool.offload(write_stage, Named(src=str(src)), Named(out=str(out)), SimpleNamespace(times=2), None)
    assert out.read_text(encoding="utf-8") == "xx"


def test_finish_cancels_pending_timers_and_stops_the_workers(monkeypatch):
    fired = []
    timer = threading.Timer(30.0, lambda: fired.append(True))
    timer.start()
    stopped = []
    monkeypatch.setattr(pool, "shutdown", lambda: stopped.append(True))
    start = time.perf_counter()
    pool.finish()
    timer.join(timeout=5)
    assert not timer.is_alive()  # ended long before its 30 s
    assert time.perf_counter() - start < 5
    assert fired == [] and stopped == [True]


def part_stage(input, output, params, log=None, keys=None):
    """A module-level stage in parts: writes one file per key of its part; 'bad' fails."""
    with stage_run("parts " + " ".join(keys), output, log) as record:
        for key in keys:
            if key.startswith("bad"):
                raise InputError(input.src, 2, 3, key, "a good key")
            Path(getattr(output, key)).write_text(key * params.times, encoding="utf-8")
            record.wrote(getattr(output, key))
    return record.lines


def test_split_deals_keys_round_robin_in_order():
    assert pool.split(["a", "b", "c", "d", "e"], 2) == [["a", "c", "e"], ["b", "d"]]
    assert pool.split(["a"], 2) == [["a"]]  # never an empty part
    assert pool.split(["a", "b"], 0) == [["a", "b"]]


def test_split_balances_the_cost_of_the_parts():
    cost = {"a": 0.9, "b": 0.3, "c": 0.5, "d": 0.8, "e": 0.7}
    parts = pool.split(list(cost), 2, cost)
    assert parts == [["a", "b", "c"], ["d", "e"]]  # 1.7 and 1.5; round-robin gave 2.1 and 1.1
    assert sorted(k for p in parts for k in p) == sorted(cost)
    assert pool.split(["x", "a"], 2, {"a": 5.0}) == [["a"], ["x"]]  # the costly key alone


@pytest.mark.pipeline
@pytest.mark.parametrize("workers", [2, 0])
def test_offload_parts_runs_every_part_and_writes_one_log(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(pool, "WORKERS", workers)
    keys = ["k1", "k2", "k3"]
    out = Named(**{k: str(tmp_path / f"{k}.txt") for k in keys})
    log = tmp_path / "job.log"
    pool.offload_parts(part_stage, "parts", Named(src="in.txt"), out, SimpleNamespace(times=2), [str(log)], keys)
    assert [Path(getattr(out, k)).read_text(encoding="utf-8") for k in keys] == ["k1k1", "k2k2", "k3k3"]
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sorted(line for line in lines if line.startswith("wrote")) == [f"wrote {getattr(out, k)}" for k in keys]
    # one timing line per part (two parts with workers, one without) and the job's own
    assert len([line for line in lines if line.endswith(" s")]) == (3 if workers else 2)
    assert lines[-1].startswith("parts: ")
    pool.shutdown()


@pytest.mark.pipeline
def test_offload_parts_failure_removes_every_output_and_logs_each_error(tmp_path):
    keys = ["bad1", "k1", "k2", "bad2"]  # parts ["bad1", "k2"] and ["k1", "bad2"]: both fail
    out = Named(**{k: str(tmp_path / f"{k}.txt") for k in keys})
    log = tmp_path / "job.log"
    with pytest.raises(StageError, match=r"^error: in.txt:2:3: bad value 'bad1'; expected a good key$"):
        pool.offload_parts(part_stage, "parts", Named(src="in.txt"), out, SimpleNamespace(times=1), str(log), keys)
    assert not list(tmp_path.glob("*.txt"))  # k1, written before its part failed, too
    text = log.read_text(encoding="utf-8")
    assert "error: in.txt:2:3: bad value 'bad1'" in text and "error: in.txt:2:3: bad value 'bad2'" in text
    pool.shutdown()


def test_the_rules_threads_import_no_statistics_or_plotting():
    """What the rules import in the Snakemake process (stage references for the workers,
    ingest, the claims audits, report text) stays light:
    scipy, statsmodels and matplotlib are imported in the workers only (the forkserver
    preloads them once)."""
    import subprocess
    import sys

    modules = [
        "analysis.ingest.stage",
        "analysis.survey.stage",
        "analysis.meetings.stage",
        "analysis.channels.stage",
        "analysis.claims.stage",
        "analysis.claims.audit",
        "analysis.claims.evaluate",
        "analysis.costmodel.model",
        "analysis.core.registers",
        "analysis.report.survey_figures",
        "analysis.report.meetings_figures",
        "analysis.report.channels_figures",
        "analysis.report.html",
    ]
    code = f"import sys\nfor m in {modules!r}: __import__(m)\n"
    code += "print(sorted(m for m in ('scipy', 'statsmodels', 'matplotlib') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_the_survey_channels_and_group_analyses_need_no_scipy_stats_or_statsmodels():
    """The worker server preloads scipy.special, not scipy.stats (a second more of its
    start, which every analysis waits for): the survey, channels and meetings-groups
    analyses, which run in a worker, must not import scipy.stats or statsmodels (the
    meetings models do, in the other worker)."""
    import subprocess
    import sys

    modules = [
        "analysis.survey.analysis",
        "analysis.survey.methods",
        "analysis.channels.analysis",
        "analysis.meetings.groups",
    ]
    code = f"import sys\nfor m in {modules!r}: __import__(m)\n"
    code += "print(sorted(m for m in ('scipy.stats', 'statsmodels') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"
    assert "scipy.special" in pool.PRELOAD and "scipy.stats" not in pool.PRELOAD
