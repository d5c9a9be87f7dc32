"""The Försäkringskassan meetings analysis: frames in, tidy frames out (no I/O)."""

from __future__ import annotations

import pandas as pd

from analysis.meetings import GROUPS, part_keys
from analysis.meetings.models import (
    best_pair,
    break_shift,
    breakpoint_scan,
    counterfactual,
    event_half_year,
    fit_segmented,
    group_shares,
    half_year_series,
    homogeneity,
    model_comparison,
    odds_ratios,
    trend_table,
)
from analysis.meetings.results import MeetingsResults, combine_parts


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


def _group_rows(frame: pd.DataFrame, group_col: str, exclude: list[str]):
    cases = frame[frame["measure"] == "cases"].set_index(group_col)["value"]
    with_meeting = frame[frame["measure"] == "cases_with_meeting"].set_index(group_col)["value"]
    keep = [g for g in cases.index if g not in exclude]
    return with_meeting[keep], cases[keep]


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


def _comparisons(tid: str, var: str, x: pd.Series, n: pd.Series, settings: dict):
    """Shares, risk/odds-ratio rows and the spread of one grouping variable. Censored
    groups (cases still open) are left out of the comparisons and added back as a
    sensitivity: their own row (``censored``) and a spread row with them included."""
    censored = [g for g in x.index if g in settings["censored_groups"]]
    ended = [g for g in x.index if g not in censored]
    sh = group_shares(x, n, settings["interval_method"], settings["confidence"])
    sh.insert(0, "variable", var)
    sh.insert(0, "table_id", tid)
    sh["censored"] = sh["group"].isin(censored)
    reference = n[ended].idxmax()  # the largest group: the most precise baseline
    o = odds_ratios(x, n, reference, settings["confidence"])
    o.insert(0, "variable", var)
    o.insert(0, "table_id", tid)
    o["censored"] = o["group"].isin(censored)
    tests = []
    for included in (False, True) if censored else (False,):
        keep = list(x.index) if included else ended
        tests.append(
            {
                "table_id": tid,
                "variable": var,
                "reference": reference,
                **homogeneity(x[keep], n[keep]),
                "n": float(n[keep].sum()),
                "x": float(x[keep].sum()),
                "pooled_share": float(x[keep].sum() / n[keep].sum()),
                "censored_included": included,
            }
        )
    return sh, o, tests


def analyse_meetings(
    tables: dict[str, pd.DataFrame], events: pd.DataFrame, settings: dict, periods: dict[str, str] | None = None
) -> MeetingsResults:
    """Run the series models and the group comparisons of the meetings analysis.

    ``periods``: {table id: period as the sidecar states it} (for the diagnosis table).
    """
    return combine_parts([analyse_part(tables, events, settings, periods, part_keys(settings))], settings)


def analyse_part(
    tables: dict[str, pd.DataFrame],
    events: pd.DataFrame,
    settings: dict,
    periods: dict[str, str] | None,
    keys: list[str],
) -> dict:
    """The part of the analysis named by ``keys``: series ids (their segmented models,
    scan and counterfactuals: the costly part, independent between series) and
    :data:`GROUPS` (trend, breaks, group comparisons, diagnosis shares, marked events).

    Returns {"series": {series id: {table: frame}}, table: frame, ...};
    :func:`combine_parts` joins parts into the full results.
    """
    series_frame = tables[settings["series_table"]]
    half = half_year_series(series_frame, settings["series"])
    first = half[half["series"] == next(iter(settings["series"]))]
    breaks = resolve_breaks(events, settings["breakpoints"], first)
    b = list(breaks["t"])
    out: dict = {
        "series": {
            sid: _models(half[half["series"] == sid].reset_index(drop=True), b, settings)
            for sid in settings["series"]
            if sid in keys
        }
    }
    if GROUPS in keys:
        out |= _group_results(tables, events, settings, periods, series_frame, half, first, breaks)
    return out


def _group_results(tables, events, settings, periods, series_frame, half, first, breaks) -> dict:
    """Every result table that is not per series."""
    annual_rows = series_frame[series_frame["half"] == "year"]
    inverse = {v: k for k, v in settings["series"].items()}
    annual = pd.DataFrame(
        {
            "series": annual_rows["series"].map(inverse),
            "year": annual_rows["year"].astype(int),
            "count": annual_rows["value"],
        }
    ).dropna(subset=["series"])
    trend = trend_table(half, annual, settings["index_base_year"])

    share_rows, or_rows, test_rows = [], [], []
    end_tid = settings["end_reason_table"]
    x, n = _group_rows(tables[end_tid], "end_reason", settings["exclude_groups"])
    variables = [(end_tid, "end_reason", x, n)]
    g4_tid = settings["group_table"]
    g4 = tables[g4_tid]
    for var in dict.fromkeys(g4["variable"]):
        x, n = _group_rows(g4[g4["variable"] == var], "group", settings["exclude_groups"])
        variables.append((g4_tid, var, x, n))
    for tid, var, x, n in variables:
        sh, o, tests = _comparisons(tid, var, x, n, settings)
        share_rows.append(sh)
        or_rows.append(o)
        test_rows.extend(tests)

    diag = tables[settings["diagnosis_table"]]
    meetings = diag[diag["measure"] == "meetings"].set_index("diagnosis_group")["value"]
    total = meetings[[g for g in meetings.index if g in settings["exclude_groups"]]].sum()
    parts = meetings[[g for g in meetings.index if g not in settings["exclude_groups"]]]
    dist = group_shares(parts, pd.Series(total, index=parts.index), settings["interval_method"], settings["confidence"])
    printed = diag[diag["measure"] == "share_of_meetings"].set_index("diagnosis_group")["printed"]
    dist["printed_percent"] = dist["group"].map(printed)
    dist.insert(0, "table_id", settings["diagnosis_table"])
    dist["period"] = (periods or {}).get(settings["diagnosis_table"], "")

    from analysis.meetings.models import date_position

    marked = events[events["id"].isin(settings["events_marked"])].copy()
    y0, h0 = int(first["year"].iloc[0]), int(first["half"].iloc[0])
    marked["t"] = [date_position(d, y0, h0) for d in marked["start"]]
    marked = marked[(marked["t"] >= -0.5) & (marked["t"] < len(first) - 0.5)].reset_index(drop=True)
    marked.insert(0, "number", range(1, len(marked) + 1))
    return {
        "trend": trend,
        "breaks": breaks,
        "shares": pd.concat(share_rows, ignore_index=True),
        "odds_ratios": pd.concat(or_rows, ignore_index=True),
        "group_tests": pd.DataFrame.from_records(test_rows),
        "diagnosis_meetings": dist,
        "events_marked": marked,
    }
