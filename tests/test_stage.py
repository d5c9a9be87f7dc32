"""The stage helpers: logs of what a stage did, clean failure, the run's failure summary."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from analysis.core.errors import InputError
from analysis.core.stage import StageError, flatten, stage_run
from analysis.core.summary import failure_summary


def test_flatten_nested_outputs():
    assert flatten({"a": "x", "b": ["y", ["z"]]}) == ["x", "y", "z"]
    assert flatten("p") == ["p"]
    assert flatten(None) == []


def test_success_writes_the_log_of_what_was_done(tmp_path):
    out = tmp_path / "out.txt"
    log = tmp_path / "logs/s.log"
    with stage_run("s", [str(out)], [str(log)]) as record:
        out.write_text("x")
        record.read("in.csv", [1, 2, 3])
        record.wrote(out)
        record.info("warning: small expected counts")
    lines = log.read_text().splitlines()
    assert lines[:3] == ["read in.csv (3 rows)", f"wrote {out}", "warning: small expected counts"]
    assert re.fullmatch(r"s: \d+\.\d\d s", lines[3])  # the stage's run time closes its log
    assert out.exists()


def test_bad_input_removes_declared_outputs_and_logs_the_located_error(tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.csv"
    log = tmp_path / "s.log"
    with pytest.raises(StageError) as exc, stage_run("s", SimpleNamespace(x=[str(a), str(b)]).x, str(log)):
        a.write_text("partial")
        b.write_text("partial")
        raise InputError("data/raw/x/t.csv", 3, 7, "1,2,3", "a number")
    assert str(exc.value) == "error: data/raw/x/t.csv:3:7: bad value '1,2,3'; expected a number"
    assert not a.exists() and not b.exists()
    assert log.read_text().splitlines()[0] == str(exc.value)


def test_other_exceptions_pass_through_unchanged(tmp_path):
    with pytest.raises(ZeroDivisionError), stage_run("s", [], None):
        1 / 0  # noqa: B018


def test_failure_summary_lists_errors_and_missing_outputs(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "ingest_a.log").write_text("read x\nerror: data/raw/a/t.csv:2:3: bad value 'x'; expected a number\n")
    (logs / "ingest_b.log").write_text("read y\nwrote z\n")
    present = tmp_path / "ok.md"
    present.write_text("ok")
    text = failure_summary(str(logs), [str(present), "reports/missing.md"])
    assert "  ingest_a: data/raw/a/t.csv:2:3: bad value 'x'; expected a number" in text
    assert "ingest_b" not in text
    assert "  reports/missing.md" in text and str(present) not in text
