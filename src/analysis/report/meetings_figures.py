"""The figures of the meetings analysis: labels in the report language, drawn from the
result tables (rules ``figures_meetings``: the series and the scan; ``figures_meetings_groups``:
the registers by group).

Fitted values, counterfactuals and intervals come from the result tables the analysis
wrote (``fitted``, ``scan``, ...): this job imports matplotlib, never statsmodels. The
captions are those the report prints (:func:`analysis.report.meetings.captions`).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.stage import stage_run
from analysis.core.store import read_tables, write_figure
from analysis.meetings import FIGURES, figure_tables
from analysis.report.meetings import (
    Gettext,
    captions,
    code_labels,
    confidence_text,
    half_year_years,
    section_title,
    series_names,
    variable_names,
)
from analysis.report.render import catalog_path, translations


def figure_labels(
    frames: dict[str, pd.DataFrame], codebook: pd.DataFrame, settings: dict, language: str, _: Gettext, keys=None
) -> dict[str, dict]:
    """{figure key: labels} for :mod:`figures.meetings` (titles, axes, legends, groups), for
    every figure of :data:`~analysis.meetings.FIGURES` (or of ``keys``) from the result
    tables it is drawn from (:data:`~analysis.meetings.FIGURE_TABLES`)."""
    keys = list(FIGURES if keys is None else keys)
    lab = code_labels(codebook, language)
    conf = confidence_text(settings["confidence"], language)

    def groups() -> dict:
        out = {f"variable:{v}": name for v, name in variable_names(_).items()}
        for name in ("shares", "odds_ratios"):
            if name in frames:
                out |= {(r.table_id, r.group): lab(r.table_id, r.group) for r in frames[name].itertuples()}
        return out

    def shares() -> dict:
        return groups() | {
            "title": _("Share of sick-leave cases with at least one meeting"),
            "xlabel": _("Share with at least one meeting (%)"),
            "share": _("share with %(conf)s interval") % {"conf": conf},
            "censored": _("not ended (censored): sensitivity only"),
        }

    def series() -> dict:
        labels = {
            **series_names(settings, codebook, language, _),
            "title": section_title(half_year_years(frames["fitted"]["label"]), _),
            "ylabel": _("count per half-year"),
            "xlabel": _("Half-year"),
            "observed": _("observed (printed)"),
            "fitted": _("fitted (quasi-Poisson)"),
            "fitted_band": _("%(conf)s interval of the fitted mean") % {"conf": conf},
            "counterfactual": _("without the interruptions"),
            "counterfactual_band": _("%(conf)s prediction interval without the interruptions") % {"conf": conf},
            "extrapolation": _("outside the observed range (extrapolation)"),
            "max_observed": _("highest observed half-year"),
            "breakpoint": _("breakpoint (documented event)"),
            "event": _("event (numbered, see the list)"),
        }
        return labels | {f"event:{e.id}": str(int(e.number)) for e in frames["events_marked"].itertuples()}

    def odds_ratios() -> dict:
        return groups() | {
            "title": _("Risk ratios and odds ratios of having a meeting"),
            "xlabel": _("Ratio against the reference group (log scale)"),
            "reference": _("reference"),
            "risk_ratio": _("risk ratio with %(conf)s interval") % {"conf": conf},
            "odds_ratio": _("odds ratio (for comparison)"),
        }

    def scan() -> dict:
        return {
            **series_names(settings, codebook, language, _),
            "title": _("Breakpoint scan: one break at each half-year"),
            "xlabel": _("Half-year of the break"),
            "ylabel": _("F statistic (break vs no break)"),
            "f_stat": _("F statistic of a break at this half-year"),
            "threshold": _("5 % threshold adjusted for the search (bootstrap)"),
            "documented": _("documented breakpoint"),
        }

    builders = {"series": series, "end_reason": shares, "groups": shares, "odds_ratios": odds_ratios, "scan": scan}
    return {key: builders[key]() for key in keys}


def meetings_figures(
    frames: dict[str, pd.DataFrame], codebook: pd.DataFrame, settings: dict, language: str, _, keys=None
) -> dict:
    """{key: Figure} for every key of :data:`analysis.meetings.FIGURES` (or of ``keys``);
    ``frames`` holds the result tables those figures are drawn from."""
    from figures import meetings as fm

    keys = list(FIGURES if keys is None else keys)
    labels = figure_labels(frames, codebook, settings, language, _, keys)
    cap = captions(settings, language, _)
    shares = frames.get("shares")
    end = shares["variable"] == "end_reason" if shares is not None else None
    draw = {
        "series": lambda: fm.series_with_counterfactual(
            frames["fitted"], frames["breaks"], frames["events_marked"], labels["series"], cap["series"], language
        ),
        "end_reason": lambda: fm.group_shares(shares[end], labels["end_reason"], cap["end_reason"], language),
        "groups": lambda: fm.group_shares(shares[~end], labels["groups"], cap["groups"], language),
        "odds_ratios": lambda: fm.forest(frames["odds_ratios"], labels["odds_ratios"], cap["odds_ratios"], language),
        "scan": lambda: fm.breakpoint_scan(frames["scan"], labels["scan"], cap["scan"], language),
    }
    return {key: draw[key]() for key in keys}


def run(input, output, params, log=None, keys=None) -> list[str]:
    """Stage: the result tables (+ codebook) -> the figures of :data:`FIGURES` (or of
    ``keys``) in each format; returns the log lines."""
    keys = list(FIGURES if keys is None else keys)
    with stage_run("figures_meetings " + " ".join(keys), output, log) as record:
        frames = read_tables(input, figure_tables(keys), record)
        codebook = pd.read_parquet(input.codebook)
        record.read(input.codebook, codebook)
        language = params.language
        _ = translations(language, catalog_path(input.catalogs)).gettext
        drawn = meetings_figures(frames, codebook, params.settings, language, _, keys)
        for key in keys:
            paths = {fmt: getattr(output, f"{key}_{fmt}") for fmt in params.formats}
            write_figure(drawn.pop(key), paths)
            for path in paths.values():
                record.wrote(path)
    return record.lines
