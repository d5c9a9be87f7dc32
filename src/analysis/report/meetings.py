"""The Markdown section of the meetings analysis (reports/forsakringskassan.md), and the
labels and figure captions it shares with the figures job.

The report job (:func:`run`) reads the result tables of the analysis and renders the
template ``meetings.md.j2``, which holds every sentence; this module turns result rows
into formatted table cells and gives the few words that label data (series, variables,
effects, models) through ``_()``. Light on import: pandas, Babel and Jinja2 only (no
scipy, statsmodels or matplotlib), so a wording change rebuilds in well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pandas as pd

from analysis.core.i18n import fmt_number, fmt_p, fmt_pct, method_name
from analysis.core.stage import stage_run
from analysis.core.store import read_tables, write_text
from analysis.meetings import REPORT_TABLES
from analysis.report.render import catalog_path, render, translations

Gettext = Callable[[str], str]
FAMILIES = ("quasi_poisson", "negative_binomial")
SE_TYPES = ("model", "hac")


# Labels shared by the report and the figures -------------------------------------------


def confidence_text(confidence: float, language: str) -> str:
    """'95 %' (Swedish with a no-break space)."""
    return fmt_number(100 * confidence, language, 0) + ("\u00a0%" if language == "sv" else " %")


def code_labels(codebook: pd.DataFrame, language: str) -> Callable[[str, str], str]:
    """label(table_id, printed label) -> the label in the report language: as printed in
    Swedish, the codebook's ``label_en`` in English (a printed label such as 'Saknas' means
    different things in different tables)."""
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    return lambda tid, label: label if language == "sv" else en.get((tid, label), label)


def variable_names(_: Gettext) -> dict[str, str]:
    """Names of the grouping variables (ids derived in the source's sidecars)."""
    return {
        "end_reason": _("End reason"),
        "sex": _("Sex"),
        "age": _("Age"),
        "education": _("Education"),
        "diagnosis": _("Diagnosis"),
    }


def series_names(settings: dict, codebook: pd.DataFrame, language: str, _: Gettext) -> dict[str, str]:
    """{series id: name}; a series without a name here is named by its printed column."""
    known = {"meetings": _("Follow-up meetings"), "sassam": _("SASSAM mappings")}
    lab = code_labels(codebook, language)
    return {sid: known.get(sid) or lab(settings["series_table"], column) for sid, column in settings["series"].items()}


def half_year_years(labels: Iterable[str]) -> list[int]:
    """Years of half-year labels such as '2011H1'."""
    return [int(re.match(r"^(\d{4})", str(label)).group(1)) for label in labels]


def period_text(years: Iterable[int]) -> str:
    """'2011–2019' (or one year) for the years a series covers."""
    years = [int(y) for y in years]
    first, last = min(years), max(years)
    return str(first) if first == last else f"{first}–{last}"


def section_title(years: Iterable[int], _: Gettext) -> str:
    """Title of the section and of the series figure, with the period of the data."""
    return _("Försäkringskassan: follow-up meetings (avstämningsmöten) %(period)s") % {"period": period_text(years)}


def captions(settings: dict, language: str, _: Gettext) -> dict[str, str]:
    """The caption of each figure (:data:`analysis.meetings.FIGURES`): drawn under the
    figure by the figures job and printed under its link by the report job."""
    conf = confidence_text(settings["confidence"], language)
    method = method_name(settings["interval_method"])
    return {
        "series": _(
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 1. Points: printed counts; lines: "
            "quasi-Poisson segmented model with %(conf)s intervals; dashed: projection without the "
            "interruptions; dotted verticals: breakpoints; numbered: events (listed in the report)."
        )
        % {"conf": conf},
        "end_reason": _(
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 2 (the report's Figur 7). Share of cases "
            "with at least one meeting with %(conf)s %(method)s intervals; the printed total row is left out."
        )
        % {"conf": conf, "method": method},
        "groups": _(
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 4 (diagnosis: the report's Figur 8). Share "
            "of cases with at least one meeting with %(conf)s %(method)s intervals."
        )
        % {"conf": conf, "method": method},
        "odds_ratios": _(
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 2 and 4. Odds ratios from binomial GLMs on "
            "the grouped counts, one variable at a time, against the largest group, with %(conf)s Wald "
            "intervals."
        )
        % {"conf": conf},
        "scan": _(
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 1. Deviance of the quasi-Poisson model with "
            "one level-and-slope break at each half-year, relative to the best; diamonds: breakpoints "
            "from the events in config.yaml."
        ),
    }


def event_descriptions(events: pd.DataFrame, language: str) -> dict[str, str]:
    """{event id: description}: Swedish (``description_sv``) when the report is Swedish and
    the events carry it, else the English ``description``."""
    out = {}
    for r in events.to_dict("records"):
        sv = r.get("description_sv") if language == "sv" else None
        out[r["id"]] = sv if isinstance(sv, str) and sv else r["description"]
    return out


# Rows of the section's tables --------------------------------------------------------


def family_names(_: Gettext) -> dict[str, str]:
    return {"quasi_poisson": _("quasi-Poisson"), "negative_binomial": _("negative binomial")}


def effect_names(_: Gettext) -> dict[str, str]:
    return {
        "change_per_half_year": _("change per half-year"),
        "level_change": _("level change"),
        "second_half_year": _("second half-year vs first"),
    }


def segment_name(segment: str, _: Gettext) -> str:
    """A segment of the effects table ('after break 2', ...) in the report language."""
    m = re.fullmatch(r"(after|at) break (\d+)", segment)
    if m:
        text = _("after break %(k)s") if m.group(1) == "after" else _("at break %(k)s")
        return text % {"k": m.group(2)}
    fixed = {"before first break": _("before first break"), "whole series": _("whole series"), "all": _("all")}
    return fixed.get(segment, segment)


def trend_rows(trend: pd.DataFrame, series: Iterable[str], language: str) -> list[list[str]]:
    """Per year: count, change on the previous year and index of each series (and the
    SASSAM ratio when both series are analysed)."""
    series = list(series)
    yearly = trend[trend["period_type"] == "year"]
    ratio = "sassam" in series and "sassam_per_100_meetings" in trend.columns
    rows = []
    for y in sorted(yearly["year"].unique()):
        cells = [str(y)]
        for sid in series:
            r = yearly[(yearly["series"] == sid) & (yearly["year"] == y)].iloc[0]
            change = "" if r["change_pct"] != r["change_pct"] else fmt_pct(r["change_pct"] / 100, language)
            cells += [fmt_number(r["count"], language, 0), change, fmt_number(r["index"], language, 1)]
        if ratio:
            r = yearly[(yearly["series"] == "sassam") & (yearly["year"] == y)].iloc[0]
            cells.append(fmt_number(r["sassam_per_100_meetings"], language, 1))
        rows.append(cells)
    return rows


def break_rows(breaks: pd.DataFrame, described: dict[str, str]) -> list[list[str]]:
    return [[f"`{b.event}`", b.date, b.label, described.get(b.event, b.description)] for b in breaks.itertuples()]


def event_items(events: pd.DataFrame, described: dict[str, str]) -> list[dict]:
    """The numbered events of the series figure."""
    return [
        {"number": int(e.number), "date": e.date, "description": described.get(e.id, e.description)}
        for e in events.itertuples()
    ]


def effect_rows(effects: pd.DataFrame, sid: str, language: str, _: Gettext) -> list[list[str]]:
    """Effects of one series: one row per effect and segment, one column per family and SE type."""
    n = lambda x: fmt_number(x, language, 1)  # noqa: E731
    names = effect_names(_)
    e = effects[effects["series"] == sid]
    rows = []
    for (effect, segment), sub in e.groupby(["effect", "segment"], sort=False):
        cells = [names.get(effect, effect), segment_name(segment, _)]
        for fam in FAMILIES:
            for se in SE_TYPES:
                r = sub[(sub["family"] == fam) & (sub["se_type"] == se)].iloc[0]
                cells.append(f"{n(r['percent'])} ({n(r['lower'])} – {n(r['upper'])})")
        rows.append(cells)
    return rows


def diagnostic_rows(diagnostics: pd.DataFrame, names: dict[str, str], language: str, _: Gettext) -> list[list[str]]:
    families = family_names(_)
    return [
        [
            names.get(r.series, r.series),
            families.get(r.family, r.family),
            fmt_number(r.dispersion, language, 4 if r.family == "negative_binomial" else 1),
            fmt_number(r.deviance, language, 0),
            fmt_number(r.durbin_watson, language, 2),
            fmt_p(r.ljung_box_p, language),
        ]
        for r in diagnostics.itertuples()
    ]


def scan_rows(scan: pd.DataFrame, names: dict[str, str], language: str) -> list[list[str]]:
    """Rank of each documented breakpoint among the candidates, and the best candidate."""
    rows = []
    for sid in dict.fromkeys(scan["series"]):
        sub = scan[scan["series"] == sid]
        best = sub.sort_values("deviance").iloc[0]
        for r in sub[sub["documented"]].itertuples():
            rank = f"{fmt_number(r.rank, language, 0)} / {fmt_number(len(sub), language, 0)}"
            rows.append([names.get(sid, sid), r.label, rank, best["label"]])
    return rows


def group_rows(
    shares: pd.DataFrame, odds: pd.DataFrame, lab: Callable, variables: dict[str, str], language: str
) -> list[list[str]]:
    """Share with a meeting and odds ratio per group (the reference group has OR 1)."""
    n = lambda x, d=0: fmt_number(x, language, d)  # noqa: E731
    p = lambda x: fmt_pct(x, language)  # noqa: E731
    rows = []
    for r in shares.merge(odds, on=["table_id", "variable", "group"]).itertuples():
        oddsr = n(1) if r.reference else f"{n(r.odds_ratio, 2)} ({n(r.lower_y, 2)} – {n(r.upper_y, 2)})"
        rows.append(
            [
                variables.get(r.variable, r.variable),
                lab(r.table_id, r.group),
                n(r.n),
                n(r.x),
                f"{p(r.share)} ({p(r.lower_x)} – {p(r.upper_x)})",
                oddsr,
            ]
        )
    return rows


def test_rows(tests: pd.DataFrame, lab: Callable, variables: dict[str, str], language: str) -> list[list[str]]:
    return [
        [
            variables.get(r.variable, r.variable),
            lab(r.table_id, r.reference),
            fmt_number(r.chi_square, language, 1),
            fmt_number(r.df, language, 0),
            fmt_p(r.p_value, language),
        ]
        for r in tests.itertuples()
    ]


def diagnosis_rows(dist: pd.DataFrame, lab: Callable, language: str) -> list[list[str]]:
    return [
        [lab(r.table_id, r.group), fmt_number(r.x, language, 0), r.printed_percent, fmt_pct(r.share, language, 2)]
        for r in dist.itertuples()
    ]


def context(
    frames: dict[str, pd.DataFrame],
    events: pd.DataFrame,
    codebook: pd.DataFrame,
    settings: dict,
    figures: dict[str, str],
    language: str,
    _: Gettext,
) -> dict:
    """Everything the template ``meetings.md.j2`` prints, formatted in ``language``."""
    lab = code_labels(codebook, language)
    names = series_names(settings, codebook, language, _)
    variables = variable_names(_)
    described = event_descriptions(events, language)
    trend, diagnostics, scan = frames["trend"], frames["diagnostics"], frames["scan"]
    series = [sid for sid in settings["series"] if sid in set(trend["series"])]
    return {
        "title": section_title(trend["year"], _),
        "conf": confidence_text(settings["confidence"], language),
        "method": method_name(settings["interval_method"]),
        "lags": settings["hac_maxlags"],
        "min_segment": settings["min_segment"],
        "breakpoint_events": ", ".join(f"`{e}`" for e in settings["breakpoints"]),
        "n_obs": int(diagnostics["n_obs"].iloc[0]),
        "n_params": int(diagnostics["n_params"].min()),
        "series_names": [names[sid] for sid in series],
        "base_year": settings["index_base_year"],
        "sassam_ratio": "sassam" in series and "sassam_per_100_meetings" in trend.columns,
        "trend": trend_rows(trend, series, language),
        "breaks": break_rows(frames["breaks"], described),
        "events": event_items(frames["events_marked"], described),
        "models": [{"name": names[sid], "rows": effect_rows(frames["effects"], sid, language, _)} for sid in series],
        "diagnostics": diagnostic_rows(diagnostics, names, language, _),
        "ljung_box_lag": int(diagnostics["ljung_box_lag"].iloc[0]),
        "candidates": int(scan.groupby("series").size().iloc[0]),
        "scan": scan_rows(scan, names, language),
        "groups": group_rows(frames["shares"], frames["odds_ratios"], lab, variables, language),
        "tests": test_rows(frames["group_tests"], lab, variables, language),
        "diagnosis": diagnosis_rows(frames["diagnosis_meetings"], lab, language),
        "captions": captions(settings, language, _),
        "figures": figures,
    }


def run(input, output, params, log=None) -> None:
    """Stage: the result tables (+ events, codebook) -> ``output.md`` (the section)."""
    with stage_run("report_meetings", output, log) as record:
        frames = read_tables(input, REPORT_TABLES, record)
        events = pd.read_parquet(input.events)
        codebook = pd.read_parquet(input.codebook)
        record.read(input.events, events)
        record.read(input.codebook, codebook)
        language = params.language
        trans = translations(language, catalog_path(input.catalogs))
        ctx = context(frames, events, codebook, params.settings, dict(params.figures), language, trans.gettext)
        write_text(render(input.template, language, trans, **ctx), output.md)
        record.wrote(output.md)
