"""Försäkringskassan meetings analysis: trend series, segmented count models, groups.

Light on import (names only): the rules read :data:`TABLES` (written by the analysis),
:data:`FIGURES` (drawn by the figures job), and which result tables the figures job
(:data:`FIGURE_TABLES`) and the report job (:data:`REPORT_TABLES`) read.
"""

TABLES = (
    "trend",
    "breaks",
    "coefficients",
    "effects",
    "diagnostics",
    "fitted",
    "scan",
    "model_comparison",
    "break_shift",
    "shares",
    "odds_ratios",
    "group_tests",
    "diagnosis_meetings",
    "events_marked",
)
# The part of the analysis that is not per series (trend, breaks, group comparisons); the
# analysis can run as parts (each series' models, this), which rule meetings keeps in one
# worker: a second worker would import statsmodels and scipy.stats again (1.5 s) for
# 0.3 s of fitting.
GROUPS = "groups"


def part_keys(settings: dict) -> list[str]:
    """Every part of the analysis: each series id of ``settings``, then :data:`GROUPS`."""
    return [*settings["series"], GROUPS]


FIGURES = ("series", "end_reason", "groups", "odds_ratios", "scan")
# Drawing time of each figure in seconds (measured on this project's 2-core machine), only
# to split the figures job into parts of about equal time (analysis.core.pool.split).
FIGURE_COST = {"series": 0.88, "end_reason": 0.29, "groups": 0.52, "odds_ratios": 0.80, "scan": 0.70}
FIGURE_TABLES = ("fitted", "breaks", "events_marked", "shares", "odds_ratios", "scan")
# The section shows every result table but the model coefficients (fitted values give the
# counterfactual's numbers).
REPORT_TABLES = tuple(t for t in TABLES if t != "coefficients")
