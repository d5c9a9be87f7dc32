"""Riksrevisionen survey analysis: recovered denominators, intervals and tests.

Light on import (names only): the rules read :data:`TABLES` and :data:`FIGURES` to
declare the outputs.
"""

TABLES = (
    "denominators",
    "intersections",
    "estimates",
    "positive_shares",
    "tests",
    "pairwise",
    "ordinal_effects",
    "answers",
    "answer_checks",
)
"""Result tables of the analysis (``reports/tables/<source>_<name>.parquet`` and ``.csv``).

``estimates``: every share at the chosen N, with its interval and the envelope of the
intervals over every feasible N (``lower_range``, ``upper_range``); ``positive_shares``:
the positive share of every row under each middle coding and denominator scenario;
``tests``: homogeneity tests per scenario; ``pairwise``: Fréchet bounds on the paired
difference of the positive share per coding and scenario; ``ordinal_effects``:
probability of superiority and Cliff's delta per pair and scenario.
"""

FIGURES = ("dotplot",)
"""Figures besides the one drawn for every table of the source (keyed by table id)."""
