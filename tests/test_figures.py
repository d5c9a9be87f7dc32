"""The figures register (analysis.ingest.figures): checks against the source's data, pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.core.errors import InputError
from analysis.core.yamlio import load_yaml, validate
from analysis.ingest.figures import FIGURE_COLUMNS, check_figures, figures_frame

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = yaml.safe_load((ROOT / "schemas/figures.schema.yaml").read_text(encoding="utf-8"))
ONE = """figures:
  - number: Figur 1
    title: Antal
    title_en: Count
    shows: A count.
    shows_sv: Ett antal.
    redrawn: false
    why_not: Not printed.
    why_not_sv: Redovisas inte.
    facts: [f1]
    location: {section: S, seed_line: 12}
"""
SOURCE = {"pages": {"basis": "table_of_contents", "note": "n", "anchors": [{"line": 10, "page": 4, "heading": "H"}]}}


def doc(text: str):
    d = load_yaml("figures.yaml", text)
    validate(d, SCHEMA, "figures register")
    return d


def test_a_figure_row_with_its_page():
    d = doc(ONE)
    check_figures(d, 100, set(), {"f1"}, set())
    f = figures_frame("s", d, SOURCE)
    assert f.columns.tolist() == FIGURE_COLUMNS
    row = f.iloc[0]
    # Line 12 follows the only anchor (line 10, page 4): page 4, end unknown.
    assert (row["number"], row["redrawn"], row["facts"], row["page"]) == ("Figur 1", False, "f1", 4)
    assert pd.isna(row["page_last"])
    assert figures_frame("s", d, {"pages": None, "page_note": "web"}).iloc[0]["page_note"] == "web"


@pytest.mark.parametrize(
    ("text", "seed_lines", "problem", "where"),
    [
        (ONE, 100, "unknown fact", (10, 13)),  # the facts list names f1, which is not there
        (ONE.replace("seed_line: 12", "seed_line: 120"), 100, "line beyond the document", (11, 39)),
        (ONE + ONE[len("figures:\n") :], 100, "duplicate figure", (12, 13)),
    ],
)
def test_bad_registers_are_located(text, seed_lines, problem, where):
    facts = set() if problem == "unknown fact" else {"f1"}
    with pytest.raises(InputError) as exc:
        check_figures(doc(text), seed_lines, set(), facts, set())
    assert exc.value.problem.startswith(problem)
    assert (exc.value.line, exc.value.column) == where


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        ("    why_not: Not printed.\n", "", "why_not"),  # not redrawn: say why
        ("redrawn: false", "redrawn: true", "tables"),  # redrawn: from which table
        ("number: Figur 1", "number: Fig. 1", "number"),
    ],
)
def test_the_schema_requires_reasons_and_sources(old, new, missing):
    with pytest.raises(InputError, match=missing):
        doc(ONE.replace(old, new))
