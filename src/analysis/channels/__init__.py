"""Arbetsförmedlingen channel shift: Tabell 1 composition, indicators, cost model.

Light on import (names only): the rules read :data:`TABLES` and :data:`FIGURES`.
"""

TABLES = (
    "shares",
    "org_differences",
    "week_changes",
    "weighted_mean",
    "indicators",
    "staff",
    "cost_model",
    "allocations",
    "sensitivity",
    "factors",
)
FIGURES = ("composition", "transfers", "staff", "cost_model", "tornado")
# Drawing time of each figure in seconds (measured on this project's 2-core machine), only
# to split the figures job into parts of about equal time (analysis.core.pool.split).
FIGURE_COST = {"composition": 0.35, "transfers": 0.29, "staff": 0.30, "cost_model": 1.17, "tornado": 0.43}
