"""The figures of the meetings analysis: labels in the report language, drawn from the
result tables (rule ``figures_meetings``).

Fitted values, counterfactuals and intervals come from the result tables the analysis
wrote (``fitted``, ``scan``, ...): this job imports matplotlib, never statsmodels. The
captions are those the report prints (:func:`analysis.report.meetings.captions`).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.stage import stage_run
from analysis.core.store import read_tables, write_figure
from analysis.meetings import FIGURE_TABLES, FIGURES
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
    frames: dict[str, pd.DataFrame], codebook: pd.DataFrame, settings: dict, language: str, _: Gettext
) -> dict[str, dict]:
    """{figure key: labels} for :mod:`figures.meetings` (titles, axes, legends, groups)."""
    lab = code_labels(codebook, language)
    names = series_names(settings, codebook, language, _)
    conf = confidence_text(settings["confidence"], language)
    shares, fitted = frames["shares"], frames["fitted"]
    groups = {f"variable:{v}": name for v, name in variable_names(_).items()}
    groups |= {(r.table_id, r.group): lab(r.table_id, r.group) for r in shares.itertuples()}
    groups |= {(r.table_id, r.group): lab(r.table_id, r.group) for r in frames["odds_ratios"].itertuples()}
    share_labels = groups | {
        "title": _("Share of sick-leave cases with at least one meeting"),
        "xlabel": _("Share with at least one meeting (%)"),
        "share": _("share with %(conf)s interval") % {"conf": conf},
        "censored": _("not ended (censored): sensitivity only"),
    }
    series = {
        **names,
        "title": section_title(half_year_years(fitted["label"]), _),
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
    series |= {f"event:{e.id}": str(int(e.number)) for e in frames["events_marked"].itertuples()}
    return {
        "series": series,
        "end_reason": share_labels,
        "groups": share_labels,
        "odds_ratios": groups
        | {
            "title": _("Risk ratios and odds ratios of having a meeting"),
            "xlabel": _("Ratio against the reference group (log scale)"),
            "reference": _("reference"),
            "risk_ratio": _("risk ratio with %(conf)s interval") % {"conf": conf},
            "odds_ratio": _("odds ratio (for comparison)"),
        },
        "scan": {
            **names,
            "title": _("Breakpoint scan: one break at each half-year"),
            "xlabel": _("Half-year of the break"),
            "ylabel": _("F statistic (break vs no break)"),
            "f_stat": _("F statistic of a break at this half-year"),
            "threshold": _("5 % threshold adjusted for the search (bootstrap)"),
            "documented": _("documented breakpoint"),
        },
    }


def meetings_figures(
    frames: dict[str, pd.DataFrame], codebook: pd.DataFrame, settings: dict, language: str, _, keys=None
) -> dict:
    """{key: Figure} for every key of :data:`analysis.meetings.FIGURES` (or of ``keys``)."""
    from figures import meetings as fm

    labels = figure_labels(frames, codebook, settings, language, _)
    cap = captions(settings, language, _)
    shares = frames["shares"]
    end = shares["variable"] == "end_reason"
    draw = {
        "series": lambda: fm.series_with_counterfactual(
            frames["fitted"], frames["breaks"], frames["events_marked"], labels["series"], cap["series"], language
        ),
        "end_reason": lambda: fm.group_shares(shares[end], labels["end_reason"], cap["end_reason"], language),
        "groups": lambda: fm.group_shares(shares[~end], labels["groups"], cap["groups"], language),
        "odds_ratios": lambda: fm.forest(frames["odds_ratios"], labels["odds_ratios"], cap["odds_ratios"], language),
        "scan": lambda: fm.breakpoint_scan(frames["scan"], labels["scan"], cap["scan"], language),
    }
    return {key: figure() for key, figure in draw.items() if keys is None or key in keys}


def run(input, output, params, log=None, keys=None) -> list[str]:
    """Stage: the result tables (+ codebook) -> the figures of :data:`FIGURES` (or of
    ``keys``) in each format; returns the log lines."""
    keys = list(FIGURES if keys is None else keys)
    with stage_run("figures_meetings " + " ".join(keys), output, log) as record:
        frames = read_tables(input, FIGURE_TABLES, record)
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
