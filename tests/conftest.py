"""Shared fixtures: small in-memory tables and helpers to build sidecars."""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import configuration as hypothesis_configuration
from hypothesis import settings

from analysis.core.yamlio import load_yaml, validate

# Hypothesis keeps its example database and a cache of source constants (which records
# absolute file paths) under ./.hypothesis. Nothing of a test run is kept in the tree:
# both go to a temporary directory removed at exit, and no example database is used.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="servicestat-hypothesis-")
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)
hypothesis_configuration.set_hypothesis_home_dir(_HYPOTHESIS_HOME)
settings.register_profile("servicestat", database=None)
settings.load_profile("servicestat")


ROOT = Path(__file__).resolve().parent.parent
# What a pipeline test, the browser test or a fault drill copies to run Snakemake on.
COPY = ["Snakefile", "config.yaml", "rules", "schemas", "data/raw", "profiles", "src/analysis", "src/figures"]


def make_copy(dest: Path) -> Path:
    """The project (workflow, config, raw data, code) copied to ``dest``, for a Snakemake run."""
    for item in COPY:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item)
        else:
            (dest / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / item)
    return dest


@pytest.fixture(scope="session")
def schemas() -> dict:
    return {
        name: yaml.safe_load((ROOT / "schemas" / f"{name}.schema.yaml").read_text(encoding="utf-8"))
        for name in ("table", "source", "known_issues")
    }


LIKERT_CSV = """;Helt;Delvis;Inte
Alfa;50,0 %;30,0 %;20,0 %
Beta;33,3 %;33,3 %;33,3 %
"""

LIKERT_SIDECAR = {
    "id": "t1",
    "number": "Tabell 1",
    "title": "Testfråga",
    "title_en": "Test question",
    "location": {"chapter": "1", "section": "1.1"},
    "unit": "percent",
    "population": "Test respondents",
    "fields": {"decimalChar": ",", "groupChar": " ", "missingValues": ["-"]},
    "layout": {"delimiter": ";", "stub": ["org"], "header": ["resp"]},
    "measure": "percent",
    "measures": {"percent": {"unit": "percent", "label_en": "Percent"}},
    "dimensions": {
        "org": {
            "label": None,
            "label_en": "Organisation",
            "categories": [{"label": "Alfa", "en": "Alpha"}, {"label": "Beta", "en": "Beta"}],
        },
        "resp": {
            "label_en": "Response",
            "categories": [
                {"label": "Helt", "en": "Fully"},
                {"label": "Delvis", "en": "Partly"},
                {"label": "Inte", "en": "Not"},
            ],
        },
    },
    "relations": [{"id": "rows_sum", "type": "shares_sum", "dimension": "resp", "measure": "percent"}],
}


def sidecar_doc(data: dict, schemas: dict, path: str = "t1.yaml"):
    doc = load_yaml(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    validate(doc, schemas["table"], "table sidecar")
    return doc


@pytest.fixture
def likert():
    return LIKERT_CSV, copy.deepcopy(LIKERT_SIDECAR)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say loudly when the provenance tests were skipped for want of the source documents:
    a green run without them has not checked a single transcription."""
    skipped = terminalreporter.stats.get("skipped", [])
    missing = [r for r in skipped if "no shared/seeds" in str(getattr(r, "longrepr", ""))]
    if missing:
        terminalreporter.write_sep("=", "source documents not found", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{len(missing)} provenance tests were skipped: no source documents were found, so no "
            "transcribed number was checked against its document. Set SERVICESTAT_SEEDS to the "
            "folder of the documents (or put shared/seeds beside the clone); with CI set they fail."
        )
