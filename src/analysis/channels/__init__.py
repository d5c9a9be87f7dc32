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
