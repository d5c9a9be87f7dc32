"""Försäkringskassan meetings analysis: trend series, segmented count models, groups.

Light on import (names only): the rules read which result tables each of the two analysis
jobs writes (:data:`SERIES_RESULTS`: rule ``meetings``, the series and their count
models; :data:`GROUP_RESULTS`: rule ``meetings_groups``, the registers by group), which
settings each reads, which figures each figures job draws and from which tables
(:data:`FIGURE_TABLES`), and which tables the report reads (:data:`REPORT_TABLES`).
"""

# Rule meetings: the half-year series, their segmented count models (statsmodels), the
# breakpoint scan and the counterfactuals.
SERIES_RESULTS = (
    "trend",
    "breaks",
    "coefficients",
    "effects",
    "diagnostics",
    "fitted",
    "scan",
    "model_comparison",
    "break_shift",
    "events_marked",
)
# Rule meetings_groups: the registers by group (closed forms; runs beside the models).
GROUP_RESULTS = ("shares", "odds_ratios", "group_tests", "diagnosis_meetings")
TABLES = SERIES_RESULTS + GROUP_RESULTS

# The keys of the config section `meetings` each analysis job reads (its settings file
# holds only these, so a change to a group setting never refits the models, and back).
SERIES_SETTINGS = (
    "source",
    "series_table",
    "series",
    "index_base_year",
    "breakpoints",
    "events_marked",
    "hac_maxlags",
    "min_segment",
    "bootstrap_replicates",
    "seed",
    "break_shifts",
    "confidence",
)
GROUP_SETTINGS = (
    "source",
    "end_reason_table",
    "group_table",
    "diagnosis_table",
    "exclude_groups",
    "censored_groups",
    "interval_method",
    "confidence",
)

# Every figure, in the order of the report; each figures job draws one group of them.
FIGURES = ("series", "end_reason", "groups", "odds_ratios", "scan")
SERIES_FIGURES = ("series", "scan")
GROUP_FIGURES = ("end_reason", "groups", "odds_ratios")
# The result tables each figure is drawn from.
FIGURE_TABLES = {
    "series": ("fitted", "breaks", "events_marked"),
    "scan": ("scan",),
    "end_reason": ("shares",),
    "groups": ("shares",),
    "odds_ratios": ("odds_ratios",),
}
# Drawing time of each figure in seconds (measured on this project's 2-core machine), only
# to split a figures job into parts of about equal time (analysis.core.pool.split).
FIGURE_COST = {"series": 0.88, "end_reason": 0.29, "groups": 0.52, "odds_ratios": 0.80, "scan": 0.70}
# The section shows every result table but the model coefficients (fitted values give the
# counterfactual's numbers).
REPORT_TABLES = tuple(t for t in TABLES if t != "coefficients")


def figure_tables(keys) -> tuple[str, ...]:
    """The result tables the figures ``keys`` are drawn from (each once, in table order)."""
    needed = {t for k in keys for t in FIGURE_TABLES[k]}
    return tuple(t for t in TABLES if t in needed)
