"""Försäkringskassan meetings analysis: trend series, segmented count models, groups.

Light on import (names only): the rules read :data:`TABLES` and :data:`FIGURES`.
"""

TABLES = (
    "trend",
    "breaks",
    "coefficients",
    "effects",
    "diagnostics",
    "fitted",
    "scan",
    "shares",
    "odds_ratios",
    "group_tests",
    "diagnosis_meetings",
)
FIGURES = ("series", "end_reason", "groups", "odds_ratios", "scan")
