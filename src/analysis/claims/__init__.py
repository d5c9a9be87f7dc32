"""Claims audit: the reports' numeric claims recomputed from their own tables.

Light on import (names only): the rules read :data:`TABLES`, :data:`SOURCE_TABLES` and
:data:`REPORT_TABLES`, the report reads :data:`VERDICTS`.
"""

VERDICTS = ("inconsistent", "ambiguous", "not reproducible", "consistent")
"""Verdicts from worst to best (a set of groups takes the worst)."""

TABLES = (
    "claims",
    "claims_detail",
    "claims_readings",
    "claims_evidence",
    "claims_items",
    "claims_terms",
    "claims_standalone",
)
"""The audit's result tables over every audited report (rule ``claims``)."""

SOURCE_TABLES = (*TABLES, "claims_uses")
"""The result tables of one report's audit (rules ``claims_<source>``): as :data:`TABLES`,
with the standalone facts provisional (only its own register considered) and the facts
of other sources its register uses (``claims_uses``)."""

REPORT_TABLES = (
    "claims",
    "claims_readings",
    "claims_evidence",
    "claims_items",
    "claims_terms",
    "claims_standalone",
)
"""The tables the section (reports/claims.md) is written from."""
