"""Fault drills: bad input of every kind, and the run-level faults (a failed, killed,
concurrent run; read-only raw data).

Every bad-input case is checked for its located message (file, line and column worked
out here from the text the test wrote, not taken from the code) and for what it leaves:
the outputs of an earlier build are gone (the stage removes its declared outputs, so
nothing of the old data can pass for current), a config error leaves no validation stamp.
Most cases call the stage and config functions directly; the runs of Snakemake are
marked ``pipeline``.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import LIKERT_CSV, LIKERT_SIDECAR, make_copy

from analysis.core.config import load_config
from analysis.core.errors import InputError
from analysis.core.registers import load_claims, load_cost_model
from analysis.core.stage import StageError
from analysis.core.summary import claim_run, failure_summary, orphans, remove_orphans, remove_unfinished
from analysis.ingest import stage
from analysis.ingest.relations import check_relations

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = [str(ROOT / f"schemas/{n}.schema.yaml") for n in ("known_issues", "source", "table")]
CONFIG_SCHEMA = str(ROOT / "schemas/config.schema.yaml")
REGISTERS_SCHEMA = str(ROOT / "schemas/registers.schema.yaml")
CONFIG = (ROOT / "config.yaml").read_text(encoding="utf-8")
SID = "s1"

SOURCE_YAML = (ROOT / "data/raw/isf_2017/source.yaml").read_text(encoding="utf-8").replace("isf_2017", SID)
SEED_LINES = 40  # seed_lines of that source.yaml

COUNT_CSV = "Grupp;Antal\nA;1 200\nB;800\nTotalt;2 000\n"
COUNT_SIDECAR = {
    "id": "t2",
    "number": "Tabell 2",
    "title": "Antal",
    "title_en": "Counts",
    "location": {"chapter": "1", "section": "1.2", "page": None, "page_note": "no pages", "seed_line": 12},
    "unit": "count",
    "population": "Test cases",
    "fields": {"decimalChar": ",", "groupChar": " ", "missingValues": ["-"]},
    "layout": {"delimiter": ";", "stub": ["grupp"], "header": ["stat"]},
    "measures": {"count": {"unit": "count", "label": "Antal", "label_en": "Count"}},
    "dimensions": {
        "grupp": {
            "label": "Grupp",
            "label_en": "Group",
            "categories": [{"label": "A", "en": "A"}, {"label": "B", "en": "B"}, {"label": "Totalt", "en": "Total"}],
        },
        "stat": {
            "label_en": "Statistic",
            "role": "measure",
            "categories": [{"label": "Antal", "en": "Count", "measure": "count"}],
        },
    },
    "relations": [{"id": "total", "type": "sum", "measure": "count", "dimension": "grupp", "total": "Totalt"}],
}
FACTS = (
    "id;value;unit;period;qualifier;location;description;description_sv;seed_line\n"
    "staff;1 200;persons;2020;drygt;1.2;Staff in the test;Personal i testet;12\n"
)
EVENTS = (
    "id;date;precision;description;description_sv;location;seed_line\nreform;2016-03;month;A reform;En reform;1.1;12\n"
)
KNOWN = """- id: t1_beta_rounding
  table: t1
  relation: rows_sum
  group: {org: Beta}
  description: Beta's shares add up to 99,9.
  description_sv: Betas andelar summerar till 99,9.
  evidence: 33,3 x 3 = 99,9
  evidence_sv: 33,3 x 3 = 99,9
"""


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def make_source(tmp_path: Path) -> Path:
    """A small valid source: a Likert table (t1), a count table (t2), facts and events."""
    raw = tmp_path / "data/raw" / SID
    (raw / "tables").mkdir(parents=True)
    sidecar = copy.deepcopy(LIKERT_SIDECAR)
    sidecar["location"] |= {"page": None, "page_note": "no pages", "seed_line": 10}
    files = {
        "source.yaml": SOURCE_YAML,
        "tables/t1.csv": LIKERT_CSV,
        "tables/t1.yaml": dump(sidecar),
        "tables/t2.csv": COUNT_CSV,
        "tables/t2.yaml": dump(COUNT_SIDECAR),
        "facts.csv": FACTS,
        "events.csv": EVENTS,
    }
    for name, text in files.items():
        (raw / name).write_text(text, encoding="utf-8")
    return raw


def stage_io(raw: Path):
    """The ingest stage's inputs and outputs for the source at ``raw``."""
    tables = sorted({p.stem for p in (raw / "tables").glob("*.*")})
    opt = {
        k: [str(raw / f"{k}.{e}")] if (raw / f"{k}.{e}").exists() else []
        for k, e in (("known_issues", "yaml"), ("facts", "csv"), ("events", "csv"))
    }
    inp = SimpleNamespace(
        source=str(raw / "source.yaml"),
        tables=sorted(str(p) for p in (raw / "tables").glob("*.*")),
        schemas=SCHEMAS,
        **opt,
    )
    proc = raw.parent.parent.parent / "processed" / SID
    names = {t: str(proc / f"{t}.parquet") for t in tables}
    names |= {k: str(proc / f"{k}.parquet") for k in ("facts", "events", "catalog", "codebook", "validation")}
    names["known_issues"] = str(proc / "known_issues.parquet")
    params = SimpleNamespace(source=SID, tables=tables, stale="error")
    return inp, SimpleNamespace(**names), params


def edit(raw: Path, name: str, old: str | bytes, new: str | bytes) -> None:
    path = raw / name
    if isinstance(old, bytes):
        data = path.read_bytes()
        assert old in data, (name, old)
        path.write_bytes(data.replace(old, new, 1))
        return
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def position(raw: Path, name: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in the (UTF-8 or raw) file."""
    data = (raw / name).read_bytes()
    i = data.index(needle.encode("utf-8") if isinstance(needle, str) else needle)
    return data[:i].count(b"\n") + 1, i - (data.rfind(b"\n", 0, i) + 1) + 1


def ingest_fails(raw: Path) -> tuple[str, str]:
    """Run the ingest stage over an earlier build's outputs; it must fail and remove them all."""
    inp, out, params = stage_io(raw)
    outputs = [Path(p) for p in vars(out).values()]
    for p in outputs:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"output of an earlier build")
    log = raw.parent.parent.parent / "logs" / "ingest.log"
    with pytest.raises(StageError) as exc:
        stage.run(inp, out, params, log=str(log))
    left = [str(p) for p in outputs if p.exists()]
    assert not left, f"outputs of the earlier build left behind: {left}"
    assert str(exc.value).removeprefix("error: ").splitlines()[0] in log.read_text(encoding="utf-8")
    return str(exc.value), log.read_text(encoding="utf-8")


def test_the_fixture_source_is_valid(tmp_path):
    raw = make_source(tmp_path)
    inp, out, params = stage_io(raw)
    stage.run(inp, out, params)
    assert pd.read_parquet(out.t2)["value"].tolist() == [1200.0, 800.0, 2000.0]
    assert pd.read_parquet(out.facts)["value"].tolist() == [1200.0]


# Each case: (id, mutation of the source folder, file the error names, where (line, col) or
# a needle whose position in the mutated file is where, words the message must hold).
def _over(raw):
    edit(raw, "tables/t1.csv", "20,0 %", "120,0 %")


CASES = [
    # numbers
    ("text_in_cell", lambda r: edit(r, "tables/t1.csv", "50,0 %", "femtio"), "t1.csv", (2, 2), "not a number"),
    ("decimal_point", lambda r: edit(r, "tables/t1.csv", "30,0 %", "30.0 %"), "t1.csv", (2, 3), "not a number"),
    ("share_over_100", _over, "t1.csv", (2, 4), "above the maximum"),
    ("negative_share", lambda r: edit(r, "tables/t1.csv", "Beta;33,3", "Beta;-33,3"), "t1.csv", (3, 2), "negative"),
    ("count_not_whole", lambda r: edit(r, "tables/t2.csv", "B;800", "B;800,5"), "t2.csv", (3, 2), "not a count"),
    ("negative_count", lambda r: edit(r, "tables/t2.csv", "B;800", "B;-800"), "t2.csv", (3, 2), "not a count"),
    ("percent_in_count", lambda r: edit(r, "tables/t2.csv", "B;800", "B;800 %"), "t2.csv", (3, 2), "percent sign"),
    ("unknown_missing_marker", lambda r: edit(r, "tables/t2.csv", "B;800", "B;.."), "t2.csv", (3, 2), "not a number"),
    ("double_separator", lambda r: edit(r, "tables/t2.csv", "1 200", "1  200"), "t2.csv", (2, 2), "not a number"),
    ("fact_not_a_number", lambda r: edit(r, "facts.csv", ";1 200;", ";1,2,0;"), "facts.csv", (2, 2), "not a number"),
    # encodings
    ("latin1_in_table", lambda r: edit(r, "tables/t1.csv", b"Beta", b"B\xe9ta"), "t1.csv", (3, 2), "not UTF-8"),
    (
        "utf16_table",
        lambda r: (r / "tables/t2.csv").write_bytes(COUNT_CSV.encode("utf-16")),
        "t2.csv",
        (1, 1),
        "not UTF-8",
    ),
    (
        "latin1_in_sidecar",
        lambda r: edit(r, "tables/t1.yaml", "Testfråga".encode(), "Testfråga".encode("latin-1")),
        "t1.yaml",
        b"\xe5",
        "UTF-8",
    ),
    ("latin1_in_facts", lambda r: edit(r, "facts.csv", b"Personal", b"P\xe9rsonal"), "facts.csv", b"\xe9", "UTF-8"),
    (
        "latin1_in_events",
        lambda r: edit(r, "events.csv", b"En reform", b"En r\xe9form"),
        "events.csv",
        b"\xe9",
        "UTF-8",
    ),
    # structure
    ("ragged_row", lambda r: edit(r, "tables/t1.csv", "33,3 %\n", "33,3 %;1\n"), "t1.csv", (3, 5), "ragged row"),
    ("duplicate_row", lambda r: edit(r, "tables/t1.csv", "Beta;", "Alfa;"), "t1.csv", (3, 1), "duplicate row label"),
    ("duplicate_column", lambda r: edit(r, "tables/t1.csv", ";Inte", ";Delvis"), "t1.csv", (1, 4), "duplicate column"),
    ("unknown_row", lambda r: edit(r, "tables/t1.csv", "Beta;", "Gamma;"), "t1.csv", (3, 1), "unknown row label"),
    ("unknown_column", lambda r: edit(r, "tables/t1.csv", ";Inte", ";Nej"), "t1.csv", (1, 4), "unknown column label"),
    ("stub_heading", lambda r: edit(r, "tables/t2.csv", "Grupp;", "Grp;"), "t2.csv", (1, 1), "stub heading"),
    ("no_data_rows", lambda r: (r / "tables/t2.csv").write_text("Grupp;Antal\n"), "t2.csv", (1, 1), "no data rows"),
    ("empty_table", lambda r: (r / "tables/t2.csv").write_text(""), "t2.csv", (None, None), "empty table"),
    ("facts_header", lambda r: edit(r, "facts.csv", ";unit;", ";units;"), "facts.csv", (1, 3), "unexpected column"),
    ("event_bad_date", lambda r: edit(r, "events.csv", "2016-03;", "2016-13;"), "events.csv", (2, 2), "bad date"),
    # sidecars
    (
        "sidecar_unknown_key",
        lambda r: edit(r, "tables/t2.yaml", "population:", "colour: red\npopulation:"),
        "t2.yaml",
        "colour",
        "unknown key",
    ),
    (
        "sidecar_nested_unknown_key",
        lambda r: edit(r, "tables/t2.yaml", "  section: '1.2'", "  section: '1.2'\n  pagee: 3"),
        "t2.yaml",
        "pagee",
        "unknown key",
    ),
    (
        "sidecar_missing_key",
        lambda r: edit(r, "tables/t2.yaml", "population: Test cases\n", ""),
        "t2.yaml",
        (1, 1),
        "population",
    ),
    (
        "sidecar_wrong_type",
        lambda r: edit(r, "tables/t2.yaml", "number: Tabell 2", "number: [2]"),
        "t2.yaml",
        "[2]",
        "invalid value",
    ),
    (
        "sidecar_row_csv_lacks",
        lambda r: edit(r, "tables/t2.yaml", "  - label: B\n", "  - label: B\n      en: B\n    - label: C\n"),
        "t2.yaml",
        "C\n",
        "lacks",
    ),
    ("sidecar_id_differs", lambda r: edit(r, "tables/t2.yaml", "id: t2", "id: t9"), "t2.yaml", "t9", "differs"),
    (
        "sidecar_unknown_layout_dim",
        lambda r: edit(r, "tables/t2.yaml", "stub:\n  - grupp", "stub:\n  - grp"),
        "t2.yaml",
        "grp",
        "unknown dimension",
    ),
    ("unpaired_table", lambda r: (r / "tables/t2.yaml").unlink(), "t2.csv", (None, None), "unpaired"),
    (
        "seed_line_beyond",
        lambda r: edit(r, "tables/t2.yaml", "seed_line: 12", "seed_line: 999999"),
        "t2.yaml",
        "999999",
        "beyond the document",
    ),
    (
        "fact_seed_line_beyond",
        lambda r: edit(r, "facts.csv", ";12\n", ";41\n"),
        "facts.csv",
        (2, 9),
        "beyond the document",
    ),
    # YAML tags, anchors, template expressions
    (
        "sidecar_python_tag",
        lambda r: edit(r, "tables/t2.yaml", "title: Antal", "title: !!python/object/apply:os.system ['true']"),
        "t2.yaml",
        "!!python",
        "tag refused",
    ),
    (
        "sidecar_custom_tag",
        lambda r: edit(r, "tables/t2.yaml", "title: Antal", "title: !include other.yaml"),
        "t2.yaml",
        "!include",
        "tag refused",
    ),
    (
        "sidecar_plain_tag",
        lambda r: edit(r, "tables/t2.yaml", "title: Antal", "title: !!str Antal"),
        "t2.yaml",
        "!!str",
        "tag refused",
    ),
    (
        "sidecar_anchor",
        lambda r: edit(r, "tables/t2.yaml", "title: Antal\ntitle_en: Counts", "title: &t Antal\ntitle_en: *t"),
        "t2.yaml",
        "&t",
        "anchor refused",
    ),
    (
        "source_use_yte",
        lambda r: edit(r, "source.yaml", "id: s1", "__use_yte__: true\nid: s1"),
        "source.yaml",
        "__use_yte__",
        "template engine",
    ),
    (
        "sidecar_expression",
        lambda r: edit(r, "tables/t2.yaml", "title_en: Counts", "title_en: ?__import__('os').getcwd()"),
        "t2.yaml",
        "?__import__",
        "expression refused",
    ),
    (
        "known_issues_tag",
        lambda r: (r / "known_issues.yaml").write_text("- !!binary aGVsbG8=\n"),
        "known_issues.yaml",
        "!!binary",
        "tag refused",
    ),
    # registers
    (
        "known_issue_unknown_key",
        lambda r: (r / "known_issues.yaml").write_text(KNOWN.replace("  evidence:", "  proof: x\n  evidence:")),
        "known_issues.yaml",
        "proof",
        "unknown key",
    ),
    (
        "known_issue_duplicate",
        lambda r: (r / "known_issues.yaml").write_text(KNOWN + KNOWN),
        "known_issues.yaml",
        (9, 7),
        "duplicate",
    ),
    (
        "known_issue_stale",
        lambda r: (r / "known_issues.yaml").write_text(KNOWN.replace("Beta", "Alfa", 1)),
        "known_issues.yaml",
        (None, None),
        "no longer fails",
    ),
    # path traversal
    (
        "source_id_traversal",
        lambda r: edit(r, "source.yaml", "id: s1", "id: ../../evil"),
        "source.yaml",
        "../../evil",
        "does not match",
    ),
    (
        "fact_id_traversal",
        lambda r: edit(r, "facts.csv", "\nstaff;", "\n../staff;"),
        "facts.csv",
        (2, 1),
        "bad fact id",
    ),
    # a relation that fails
    (
        "relation_fails",
        lambda r: edit(r, "tables/t1.csv", "20,0 %", "20,3 %"),
        "t1.csv",
        (2, 2),
        "cells at line:column 2:2 2:3 2:4",
    ),
]


@pytest.mark.parametrize(("mutate", "name", "where", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_located_and_leaves_no_earlier_output(tmp_path, mutate, name, where, words):
    raw = make_source(tmp_path)
    mutate(raw)
    message, _log = ingest_fails(raw)
    first = message.removeprefix("error: ").splitlines()[0]
    rel = next(p for p in [*(raw / "tables").glob("*"), *raw.glob("*")] if p.name == name)
    if isinstance(where, str | bytes):
        where = position(raw, str(rel.relative_to(raw)), where)
    line, col = where
    loc = str(rel) + (f":{line}" if line else "") + (f":{col}" if col else "")
    assert first.startswith(loc + ":"), (first, loc)
    assert words in message


def test_there_are_at_least_thirty_bad_input_cases():
    assert len(CASES) + len(CONFIG_CASES) + len(REGISTER_CASES) >= 30


def test_a_failing_relation_names_every_cell_of_its_group():
    # Beta's row: 33,3 x 3 = 99,9 -> holds; Alfa's row 50,0 + 30,0 + 20,3 = 100,3 fails, and
    # its check names the three cells, line 2, columns 2 to 4 of the CSV.
    f = pd.DataFrame(
        {
            "org": ["Alfa"] * 3 + ["Beta"] * 3,
            "resp": ["Helt", "Delvis", "Inte"] * 2,
            "measure": ["percent"] * 6,
            "value": [50.0, 30.0, 20.3, 33.3, 33.3, 33.3],
            "raw_line": [2, 2, 2, 3, 3, 3],
            "raw_column": [2, 3, 4, 2, 3, 4],
        }
    )
    f["lo"], f["hi"] = f["value"] - 0.05, f["value"] + 0.05
    rel = {"id": "rows_sum", "type": "shares_sum", "dimension": "resp", "measure": "percent"}
    checks = check_relations(f, [rel], ["org", "resp"], []).set_index("group")
    assert checks.loc['{"org": "Alfa"}', "status"] == "fails"
    assert checks.loc['{"org": "Alfa"}', "cells"] == "2:2 2:3 2:4"
    assert checks.loc['{"org": "Beta"}', "status"] == "holds"


# Config: every case is an edit of the project's config.yaml (or the raw folder it names).
CONFIG_CASES = [
    ("unknown_top_key", ("language: en", "colour: red\nlanguage: en"), "colour", "unknown key"),
    ("unknown_nested_key", ("  similar_within:", "  similar_witin:"), "similar_witin", "unknown key"),
    ("wrong_type", ("  similar_within: ", "  similar_within: many #"), "many", "invalid value"),
    ("bad_enum", ("language: en", "language: deutsch"), "deutsch", "'en', 'sv'"),
    ("use_yte", ("language: en", "__use_yte__: true\nlanguage: en"), "__use_yte__", "template engine"),
    ("yte_expression", ("language: en", "language: ?__import__('os').system('true')"), "?__import__", "expression"),
    ("python_tag", ("language: en", "language: !!python/object/apply:os.system ['true']"), "!!python", "tag refused"),
    ("survey_source_traversal", ("  source: riksrevisionen_2022", "  source: ../../../evil"), "../../../evil", "match"),
    ("sources_traversal", ("  - isf_2017", "  - ../isf_2017"), "../isf_2017", "match"),
]


@pytest.mark.parametrize(("change", "needle", "words"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_config_error_is_located_at_startup_and_nothing_is_written(tmp_path, change, needle, words):
    old, new = change
    assert old in CONFIG
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.replace(old, new, 1), encoding="utf-8")
    stamp = tmp_path / "build/config.validated"
    with pytest.raises(InputError) as exc:
        load_config(str(path), CONFIG_SCHEMA, raw_dir=str(ROOT / "data/raw"), stamp=str(stamp))
    text = path.read_text(encoding="utf-8")
    i = text.index(needle)
    line, col = text[:i].count("\n") + 1, i - (text.rfind("\n", 0, i) + 1) + 1
    assert (exc.value.path, exc.value.line, exc.value.column) == (str(path), line, col)
    assert words in str(exc.value)
    assert "\n" not in str(exc.value)  # one line, no schema dump
    assert not stamp.exists()


def test_a_table_file_name_that_is_not_an_id_stops_the_start(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data/raw", raw)
    bad = raw / "isf_2017/tables/Tabell 3.csv"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text("x;y\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_config(str(ROOT / "config.yaml"), CONFIG_SCHEMA, raw_dir=str(raw), stamp=str(tmp_path / "stamp"))
    assert (exc.value.path, exc.value.text, exc.value.problem) == (str(bad), "Tabell 3", "bad table id")
    assert not (tmp_path / "stamp").exists()


REGISTER_CASES = [
    (
        "claims_unknown_key",
        "riksrevisionen_2022/claims.yaml",
        "    location: 4.1.1, text after Tabell 3\n",
        "    locaton: x\n    location: 4.1.1, text after Tabell 3\n",
        "locaton",
        "unknown key",
    ),
    (
        "claims_tag",
        "riksrevisionen_2022/claims.yaml",
        "printed: Tydligast",
        "printed: !shell Tydligast",
        "!shell",
        "tag refused",
    ),
    (
        "cost_model_tag",
        "arbetsformedlingen_2019/cost_model.yaml",
        "{value: 60,",
        "{value: !!python/name:os.system 60,",
        "!!python",
        "tag refused",
    ),
    (
        "cost_model_use_yte",
        "arbetsformedlingen_2019/cost_model.yaml",
        "estimates:",
        "__use_yte__: true\nestimates:",
        "__use_yte__",
        "template engine",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "needle", "words"), [c[1:] for c in REGISTER_CASES], ids=[c[0] for c in REGISTER_CASES]
)
def test_register_error_is_located(tmp_path, name, old, new, needle, words):
    text = (ROOT / "data/raw" / name).read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / Path(name).name
    path.write_text(text, encoding="utf-8")
    load = load_claims if name.endswith("claims.yaml") else load_cost_model
    with pytest.raises(InputError) as exc:
        load(str(path), REGISTERS_SCHEMA)
    i = text.index(needle)
    assert (exc.value.line, exc.value.column) == (text[:i].count("\n") + 1, i - (text.rfind("\n", 0, i) + 1) + 1)
    assert words in str(exc.value)


# What a run leaves: the functions the Snakefile's hooks call.


def test_unfinished_jobs_lose_their_outputs_and_old_logs(tmp_path):
    old_log, new_log = tmp_path / "old.log", tmp_path / "new.log"
    kept, stale = tmp_path / "kept.md", tmp_path / "stale.html"
    for p in (old_log, new_log, kept, stale):
        p.write_text("x")
    os.utime(old_log, (1, 1))
    started = time.time() - 5
    os.utime(new_log, (started + 1, started + 1))
    jobs = [
        SimpleNamespace(output=[str(stale), str(tmp_path / "never.csv")], log=[str(old_log)]),
        SimpleNamespace(output=[], log=[str(new_log)]),  # a job that failed in this run
    ]
    assert remove_unfinished(jobs, logs_before=started) == [str(stale)]
    assert kept.exists() and not stale.exists() and not old_log.exists() and new_log.exists()


def test_orphans_are_the_files_no_rule_produces(tmp_path):
    root = tmp_path / "reports"
    (root / "figures").mkdir(parents=True)
    (root / "old").mkdir()
    for name in ("index.md", "figures/a.png", "figures/gone.png", "figures/.a.png.tmp123", "old/x.csv"):
        (root / name).write_text("x")
    known = [str(root / "index.md"), str(root / "figures/a.png")]
    expected = sorted(str(root / n) for n in ("figures/gone.png", "figures/.a.png.tmp123", "old/x.csv"))
    assert orphans(known, [str(root)]) == expected
    assert remove_orphans(known, [str(root)]) == expected
    assert sorted(str(p) for p in root.rglob("*")) == sorted([str(root / "figures"), *known])


def test_outputs_of_make_targets_are_not_orphans(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports/screenshots").mkdir(parents=True)
    for name in ("screenshots/index.png", "report.zip", "stale.md"):
        (tmp_path / "reports" / name).write_text("x")
    # the browser test's screenshots and the Snakemake report archive come from make targets
    assert orphans([], ["reports"]) == ["reports/stale.md"]


def test_failure_summary_reads_only_this_runs_logs(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "old.log").write_text("error: t.csv:1:1: from an earlier run\n")
    os.utime(logs / "old.log", (1, 1))
    (logs / "ingest_x.log").write_text("read a\nerror: t.csv:3:2: not a number 'x'; expected a number\n")
    gone = tmp_path / "gone.html"
    text = failure_summary(str(logs), [str(gone)], removed=[str(gone)], since=2)
    assert "ingest_x: t.csv:3:2: not a number" in text
    assert "earlier run" not in text
    assert (
        f"Removed as out of date (their inputs changed or failed, and the job to rebuild them could not run):\n  {gone}"
        in text
    )
    assert "Outputs not produced" not in text  # the removed output is listed once
    assert "make clean-outputs && make" in text


def test_a_stale_snakemake_lock_is_removed_only_when_no_run_is_alive(tmp_path):
    state = tmp_path / ".snakemake"
    # Another process of the project is alive (holds its shared lock): its lock is real.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from analysis.core.summary import claim_run; claim_run({str(state)!r}); print('ok', flush=True); input()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        (state / "locks").mkdir()
        (state / "locks/0.output.lock").write_text("reports/index.html\n")
        assert claim_run(state) is False
        assert (state / "locks/0.output.lock").exists()
    finally:
        holder.kill()
        holder.wait()
    # The other process died (kill -9): the kernel released its lock; ours is now alone.
    import analysis.core.summary as summary

    for fd in summary._held:
        os.close(fd)
    summary._held.clear()
    assert claim_run(state) is True
    assert not (state / "locks").exists()
    for fd in summary._held:
        os.close(fd)
    summary._held.clear()


# Snakemake runs on temporary copies of the project.


def snakemake_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--cores", "2", *args]


def snakemake(work: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(work / "src")}
    return subprocess.run(snakemake_cmd(*args), cwd=work, capture_output=True, text=True, timeout=600, env=env)


def digests(work: Path, *dirs: str) -> dict[str, str]:
    out = {}
    for d in dirs:
        for p in sorted((work / d).rglob("*")):
            if p.is_file():
                out[str(p.relative_to(work))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def raw_state(work: Path) -> dict[str, tuple]:
    return {
        str(p.relative_to(work)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted((work / "data/raw").rglob("*"))
        if p.is_file()
    }


def summary_states(work: Path) -> dict[str, str]:
    """{output: plan} from `snakemake --summary` ('no update' or 'update pending')."""
    res = snakemake(work, "--summary")
    assert res.returncode == 0, res.stderr
    rows = [line.split("\t") for line in res.stdout.splitlines() if "\t" in line]
    return {r[0]: r[-1] for r in rows[1:]}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict]:
    """A clean build with read-only raw data; its outputs' digests."""
    work = make_copy(tmp_path_factory.mktemp("reference"))
    before = raw_state(work)
    for p in (work / "data/raw").rglob("*"):
        p.chmod(0o555 if p.is_dir() else 0o444)
    (work / "data/raw").chmod(0o555)
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    assert raw_state(work) == before  # raw data read, never written
    return work, digests(work, "data/processed", "reports")


@pytest.mark.pipeline
def test_a_failed_run_leaves_only_current_outputs_and_the_fix_restores_the_build(reference, tmp_path):
    ref_work, ref = reference
    work = make_copy(tmp_path)
    shutil.copytree(ref_work / "data/processed", work / "data/processed")
    shutil.copytree(ref_work / "reports", work / "reports")
    shutil.copytree(ref_work / ".snakemake", work / ".snakemake", ignore=shutil.ignore_patterns("locks", "log"))
    for p in (work / "data/raw").rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    table = work / "data/raw/riksrevisionen_2022/tables/tabell_3.csv"
    good = table.read_text(encoding="utf-8")
    table.write_text(good.replace("44,5 %", "44X5 %", 1), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode != 0
    assert "tabell_3.csv:2:2: not a number: '44X5 %'" in res.stderr
    assert "Removed as out of date" in res.stderr and "  reports/index.html" in res.stderr
    # Nothing that depends on the bad table survives; what survives is current.
    assert not (work / "reports/index.html").exists() and not (work / "reports/riksrevisionen.md").exists()
    assert (work / "reports/forsakringskassan.md").exists()  # independent of the failure: kept
    states = summary_states(work)
    for path, plan in states.items():
        if (work / path).exists():
            assert plan == "no update", path
    table.write_text(good, encoding="utf-8")
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    assert digests(work, "data/processed", "reports") == ref


@pytest.mark.pipeline
def test_outputs_of_a_removed_table_do_not_survive_a_rebuild(reference, tmp_path):
    ref_work, ref = reference
    work = make_copy(tmp_path)
    for d in ("data/processed", "reports"):
        shutil.copytree(ref_work / d, work / d)
    shutil.copytree(ref_work / ".snakemake", work / ".snakemake", ignore=shutil.ignore_patterns("locks", "log"))
    for p in (work / "data/raw").rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    # A table added to a source without analyses (ISF), built, then removed again.
    tables = work / "data/raw/isf_2017/tables"
    tables.mkdir()
    sidecar = copy.deepcopy(LIKERT_SIDECAR)
    sidecar["location"] |= {"page": None, "page_note": "a web page without page numbers", "seed_line": 10}
    (tables / "t1.csv").write_text(LIKERT_CSV, encoding="utf-8")
    (tables / "t1.yaml").write_text(dump(sidecar), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    dataset = work / "data/processed/isf_2017/t1.parquet"
    assert dataset.exists()
    shutil.rmtree(tables)
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    assert "removed outputs that no rule produces any more:\n  data/processed/isf_2017/t1.parquet" in res.stderr
    assert not dataset.exists()
    assert digests(work, "data/processed", "reports") == ref


@pytest.mark.pipeline
def test_a_killed_run_recovers_without_unlock_and_matches_a_clean_build(reference, tmp_path):
    _, ref = reference
    work = make_copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(work / "src")}
    proc = subprocess.Popen(
        snakemake_cmd(), cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list((work / "data/processed").rglob("*.parquet")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list((work / ".snakemake/locks").glob("*.lock")), "the killed run left its lock"
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    assert "removed the lock left by an interrupted run" in res.stderr
    assert digests(work, "data/processed", "reports") == ref


@pytest.mark.pipeline
def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path):
    work = make_copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(work / "src")}
    err = (tmp_path / "first.err").open("w")  # a file, not a pipe: a full pipe would stall the run
    first = subprocess.Popen(snakemake_cmd(), cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 120
    while time.time() < deadline and not list((work / ".snakemake/locks").glob("*.lock")):
        time.sleep(0.1)
    second = snakemake(work)
    assert second.returncode != 0
    assert "LockException" in second.stderr or "locked" in second.stderr.lower()
    assert first.wait(timeout=600) == 0, (tmp_path / "first.err").read_text()
    err.close()
    assert (work / "reports/index.html").exists()


@pytest.mark.pipeline
def test_a_config_error_leaves_the_previous_build_exactly_as_it_was(reference, tmp_path):
    ref_work, ref = reference
    work = make_copy(tmp_path)
    for d in ("data/processed", "reports"):
        shutil.copytree(ref_work / d, work / d)
    cfg = work / "config.yaml"
    cfg.write_text(CONFIG.replace("  source: riksrevisionen_2022", "  source: ../../../evil", 1), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode != 0
    line = next(i for i, t in enumerate(CONFIG.splitlines(), 1) if t.startswith("  source: riksrevisionen_2022"))
    assert f"error: config.yaml:{line}:11: invalid value '../../../evil'" in res.stderr
    assert digests(work, "data/processed", "reports") == ref
