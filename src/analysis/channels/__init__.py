"""Arbetsförmedlingen channel shift: Tabell 1 composition, indicators, cost model.

Light on import (names only): the rules read :data:`TABLES` and :data:`FIGURES`.
"""

TABLES = ("composition", "weighted_mean", "indicators", "staff", "cost_model", "sensitivity", "factors")
FIGURES = ("composition", "transfers", "staff", "cost_model", "tornado")
