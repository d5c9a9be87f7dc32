"""The Försäkringskassan meetings analysis: frames in, tidy frames out (no I/O).

Two parts, two rules: the series (:func:`analyse_series`: trend, the segmented count
models, the breakpoint scan; statsmodels and scipy.stats) and the registers by group
(:func:`analysis.meetings.groups.analyse_groups`: closed forms only), which run at once
in two worker processes.
"""

from __future__ import annotations

import pandas as pd

from analysis.meetings.models import (
    best_pair,
    break_shift,
    breakpoint_scan,
    counterfactual,
    date_position,
    event_half_year,
    fit_segmented,
    half_year_series,
    model_comparison,
    trend_table,
)

# The result tables with one block of rows per series (concatenated in config order).
SERIES_TABLES = ("coefficients", "effects", "diagnostics", "fitted", "scan", "model_comparison", "break_shift")


def resolve_breaks(events: pd.DataFrame, ids: list[str], half: pd.DataFrame) -> pd.DataFrame:
    """Map event ids to the half-year index that contains each event's first day."""
    rows = []
    known = events.set_index("id")
    labels = dict(zip(half["label"], half["t"], strict=False))
    for k, eid in enumerate(ids, start=1):
        if eid not in known.index:
            raise KeyError(f"breakpoint event '{eid}' (config meetings.breakpoints) is not in events.csv")
        year, h = event_half_year(known.loc[eid, "start"])
        label = f"{year}H{h}"
        if label not in labels or labels[label] == 0:
            raise KeyError(f"breakpoint event '{eid}' falls in {label}, not inside the series")
        rows.append(
            {
                "break": k,
                "event": eid,
                "date": known.loc[eid, "date"],
                "label": label,
                "t": labels[label],
                "description": known.loc[eid, "description"],
            }
        )
    return pd.DataFrame.from_records(rows, columns=["break", "event", "date", "label", "t", "description"])


def _models(s: pd.DataFrame, b: list[int], settings: dict) -> dict[str, pd.DataFrame]:
    """Every series-level result of one series (``s``) with documented breaks ``b``."""
    c, e, d, fit = fit_segmented(s, b, settings["hac_maxlags"], settings["confidence"])
    scan = breakpoint_scan(s, settings["min_segment"], b, settings["bootstrap_replicates"], settings["seed"])
    models = {"no_break": [], "documented": b, "best_single": [int(scan.loc[scan["best"], "t"].iloc[0])]}
    pair = best_pair(s, settings["min_segment"])
    if pair is not None:
        models["best_pair"] = list(pair)
    # QAIC is scaled by the dispersion of the most general prespecified model.
    comparison = model_comparison(s, models, "documented" if b else "no_break")
    best = scan[scan["best"]].iloc[0]
    # The bootstrap's search-adjusted p-value belongs to the searched single break.
    comparison["p_search_adjusted"] = comparison["model"].map({"best_single": best["p_search_adjusted"]})
    comparison["searched"] = comparison["model"].isin(["best_single", "best_pair"])
    return {
        "coefficients": c,
        "effects": e,
        "diagnostics": d,
        "fitted": counterfactual(s, b, fit, settings["confidence"]),
        "scan": scan,
        "model_comparison": comparison,
        "break_shift": break_shift(s, b, settings["break_shifts"], settings["confidence"]),
    }


def analyse_series(series_frame: pd.DataFrame, events: pd.DataFrame, settings: dict) -> dict[str, pd.DataFrame]:
    """The series part of the analysis: {result table: frame} for
    :data:`analysis.meetings.SERIES_RESULTS` (trend and index, the breaks, the marked
    events, and each series' models, scan and counterfactuals in the order of
    ``settings["series"]``)."""
    half = half_year_series(series_frame, settings["series"])
    first = half[half["series"] == next(iter(settings["series"]))]
    breaks = resolve_breaks(events, settings["breakpoints"], first)
    b = list(breaks["t"])
    per_series = [
        _models(half[half["series"] == sid].reset_index(drop=True), b, settings) for sid in settings["series"]
    ]
    out = {k: pd.concat([r[k] for r in per_series], ignore_index=True) for k in SERIES_TABLES}

    annual_rows = series_frame[series_frame["half"] == "year"]
    inverse = {v: k for k, v in settings["series"].items()}
    annual = pd.DataFrame(
        {
            "series": annual_rows["series"].map(inverse),
            "year": annual_rows["year"].astype(int),
            "count": annual_rows["value"],
        }
    ).dropna(subset=["series"])
    marked = events[events["id"].isin(settings["events_marked"])].copy()
    y0, h0 = int(first["year"].iloc[0]), int(first["half"].iloc[0])
    marked["t"] = [date_position(d, y0, h0) for d in marked["start"]]
    marked = marked[(marked["t"] >= -0.5) & (marked["t"] < len(first) - 0.5)].reset_index(drop=True)
    marked.insert(0, "number", range(1, len(marked) + 1))
    return out | {
        "trend": trend_table(half, annual, settings["index_base_year"]),
        "breaks": breaks,
        "events_marked": marked,
    }
