"""The Försäkringskassan meetings analysis: frames in, tidy frames out (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.meetings.models import (
    breakpoint_scan,
    counterfactual,
    event_half_year,
    fit_segmented,
    group_shares,
    half_year_series,
    homogeneity,
    odds_ratios,
    trend_table,
)


@dataclass
class MeetingsResults:
    trend: pd.DataFrame
    breaks: pd.DataFrame
    coefficients: pd.DataFrame
    effects: pd.DataFrame
    diagnostics: pd.DataFrame
    fitted: pd.DataFrame
    scan: pd.DataFrame
    shares: pd.DataFrame
    odds_ratios: pd.DataFrame
    group_tests: pd.DataFrame
    diagnosis_meetings: pd.DataFrame
    events_marked: pd.DataFrame


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


def analyse_meetings(tables: dict[str, pd.DataFrame], events: pd.DataFrame, settings: dict) -> MeetingsResults:
    """Run the series models and the group comparisons of the meetings analysis."""
    series_frame = tables[settings["series_table"]]
    half = half_year_series(series_frame, settings["series"])
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
    first = half[half["series"] == next(iter(settings["series"]))]
    breaks = resolve_breaks(events, settings["breakpoints"], first)
    b = list(breaks["t"])

    coefs, effects, diags, fitted, scans = [], [], [], [], []
    for sid in settings["series"]:
        s = half[half["series"] == sid].reset_index(drop=True)
        c, e, d, fits = fit_segmented(s, b, settings["hac_maxlags"], settings["confidence"])
        coefs.append(c)
        effects.append(e)
        diags.append(d)
        fitted.append(counterfactual(s, b, fits["quasi_poisson"], settings["confidence"]))
        scans.append(breakpoint_scan(s, settings["min_segment"], b))

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
        sh = group_shares(x, n, settings["interval_method"], settings["confidence"])
        sh.insert(0, "variable", var)
        sh.insert(0, "table_id", tid)
        share_rows.append(sh)
        reference = n.idxmax()  # the largest group: the most precise baseline
        o = odds_ratios(x, n, reference, settings["confidence"])
        o.insert(0, "variable", var)
        o.insert(0, "table_id", tid)
        or_rows.append(o)
        test_rows.append({"table_id": tid, "variable": var, "reference": reference, **homogeneity(x, n)})

    diag = tables[settings["diagnosis_table"]]
    meetings = diag[diag["measure"] == "meetings"].set_index("diagnosis_group")["value"]
    total = meetings[[g for g in meetings.index if g in settings["exclude_groups"]]].sum()
    parts = meetings[[g for g in meetings.index if g not in settings["exclude_groups"]]]
    dist = group_shares(parts, pd.Series(total, index=parts.index), settings["interval_method"], settings["confidence"])
    printed = diag[diag["measure"] == "share_of_meetings"].set_index("diagnosis_group")["printed"]
    dist["printed_percent"] = dist["group"].map(printed)
    dist.insert(0, "table_id", settings["diagnosis_table"])

    from analysis.meetings.models import date_position

    marked = events[events["id"].isin(settings["events_marked"])].copy()
    y0, h0 = int(first["year"].iloc[0]), int(first["half"].iloc[0])
    marked["t"] = [date_position(d, y0, h0) for d in marked["start"]]
    marked = marked[(marked["t"] >= -0.5) & (marked["t"] < len(first) - 0.5)].reset_index(drop=True)
    marked.insert(0, "number", range(1, len(marked) + 1))
    return MeetingsResults(
        trend=trend,
        breaks=breaks,
        coefficients=pd.concat(coefs, ignore_index=True),
        effects=pd.concat(effects, ignore_index=True),
        diagnostics=pd.concat(diags, ignore_index=True),
        fitted=pd.concat(fitted, ignore_index=True),
        scan=pd.concat(scans, ignore_index=True),
        shares=pd.concat(share_rows, ignore_index=True),
        odds_ratios=pd.concat(or_rows, ignore_index=True),
        group_tests=pd.DataFrame.from_records(test_rows),
        diagnosis_meetings=dist,
        events_marked=marked,
    )
