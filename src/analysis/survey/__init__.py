"""Riksrevisionen survey analysis: recovered denominators, intervals and tests.

Light on import (names only): the rules read :data:`TABLES` and :data:`FIGURES` to
declare the outputs.
"""

TABLES = ("denominators", "intersections", "estimates", "tests", "pairwise", "answers", "answer_checks")
"""Result tables of the analysis (``reports/tables/<source>_<name>.parquet`` and ``.csv``)."""

FIGURES = ("dotplot",)
"""Figures besides the one drawn for every table of the source (keyed by table id)."""
