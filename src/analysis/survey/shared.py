"""What the survey's analysis, figure and report jobs share, without heavy imports.

Which ingested tables are Likert tables (row x ordered response percents) and which are
answer tables (answer x count and percent), which configured bound limits a row's N, and
the checks of the answer tables (their ``check`` text in the result table is the
English name; the report translates by key).
"""

from __future__ import annotations

import re

CHECKS = {
    "answers_given": "answers given = sum of answers per respondent x respondents",
    "respondents_by_answers": "respondents by number of answers add up to all respondents",
    "single_response": "answers add up to all respondents (single response)",
}
"""Key -> the name of an answer-table check as the ``answer_checks`` table records it."""


SCENARIOS = ("smallest", "largest", "median")
"""Which feasible N of each row an analysis uses (``denominator`` in the result tables)."""

CODINGS = ("positive", "negative")
"""How the configured middle categories count in the positive share."""


def natural_key(text: str) -> list:
    """Sort key that orders embedded numbers by value: ``tabell_9`` before ``tabell_10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(text))]


def classify_tables(tables: dict, settings: dict) -> tuple[list[str], list[str]]:
    """Likert tables (row x response percents) and answer tables (answer x count/percent)."""
    row, resp, ans = settings["row_dimension"], settings["response_dimension"], settings["answer_dimension"]
    likert = sorted(
        (t for t, f in tables.items() if {row, resp} <= set(f.columns) and "score" in f.columns), key=natural_key
    )
    answers = sorted(
        (t for t, f in tables.items() if ans in f.columns and {"count", "percent"} <= set(f["measure"])),
        key=natural_key,
    )
    return likert, answers


def select_bound(table_id: str, row_label: str, bounds: list[dict]) -> dict | None:
    """The configured bound on a row's N: one naming the table wins over one for every table."""
    best = None
    for b in bounds:
        if b["agency"] != row_label or b.get("table", table_id) != table_id:
            continue
        if best is None or ("table" in b and "table" not in best):
            best = b
    return best
