"""The results of the meetings analysis, and how its parts join (light on import: joining
parts needs neither statsmodels nor scipy, whichever process computed them)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class MeetingsResults:
    """Every result table of the analysis (:data:`analysis.meetings.TABLES`)."""

    trend: pd.DataFrame
    breaks: pd.DataFrame
    coefficients: pd.DataFrame
    effects: pd.DataFrame
    diagnostics: pd.DataFrame
    fitted: pd.DataFrame
    scan: pd.DataFrame
    model_comparison: pd.DataFrame
    break_shift: pd.DataFrame
    shares: pd.DataFrame
    odds_ratios: pd.DataFrame
    group_tests: pd.DataFrame
    diagnosis_meetings: pd.DataFrame
    events_marked: pd.DataFrame


# The result tables with one block of rows per series (concatenated in config order).
SERIES_TABLES = ("coefficients", "effects", "diagnostics", "fitted", "scan", "model_comparison", "break_shift")


def combine_parts(parts: list[dict], settings: dict) -> MeetingsResults:
    """The results of :func:`analysis.meetings.analysis.analyse_part` calls that together
    cover every series and :data:`analysis.meetings.GROUPS`; per-series tables in the
    order of ``settings["series"]``."""
    per_series = {sid: r for part in parts for sid, r in part["series"].items()}
    ordered = [per_series[sid] for sid in settings["series"]]
    joined = {k: pd.concat([r[k] for r in ordered], ignore_index=True) for k in SERIES_TABLES}
    rest = next(part for part in parts if "trend" in part)
    return MeetingsResults(**joined, **{k: v for k, v in rest.items() if k != "series"})
