"""Figures of the meetings analysis (data in, Figure out; object API only, no saving)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from babel.numbers import format_decimal
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from figures.style import LOCALES, caption, finish, heading, new_figure, percent_formatter, title

OBSERVED, FITTED, COUNTERFACTUAL, EVENT = "#1b1b1b", "#2166ac", "#b2182b", "#777777"


def _thousands(language: str):
    return FuncFormatter(lambda v, _: format_decimal(round(v), locale=LOCALES[language]))


def _decimals(language: str, decimals: int):
    pattern = "#,##0." + "0" * decimals
    return FuncFormatter(lambda v, _: format_decimal(v, format=pattern, locale=LOCALES[language]))


def series_with_counterfactual(
    fitted: pd.DataFrame,
    breaks: pd.DataFrame,
    events: pd.DataFrame,
    labels: dict,
    caption_text: str,
    language: str,
) -> Figure:
    """One panel per series: observed counts, fitted model with interval, the projection
    without the interruptions with interval, breakpoints and marked events.

    ``fitted`` has ``series, label, t, count, fitted, fitted_lower, fitted_upper,
    counterfactual, cf_lower, cf_upper``; ``events`` has ``id`` and ``t`` (position on the
    half-year axis, see :func:`analysis.meetings.date_position`) and a display number in
    ``labels['event:<id>']``.
    """
    series = list(dict.fromkeys(fitted["series"]))
    fig = Figure(figsize=(8.5, 2.6 * len(series) + 1.4), layout="constrained")
    axes = fig.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
    ticks = fitted[fitted["series"] == series[0]]
    for ax, sid in zip(axes, series, strict=True):
        f = fitted[fitted["series"] == sid]
        t = f["t"].to_numpy()
        ax.fill_between(t, f["cf_lower"], f["cf_upper"], color=COUNTERFACTUAL, alpha=0.12, linewidth=0)
        ax.plot(
            t, f["counterfactual"], color=COUNTERFACTUAL, linestyle="--", linewidth=1.2, label=labels["counterfactual"]
        )
        ax.fill_between(t, f["fitted_lower"], f["fitted_upper"], color=FITTED, alpha=0.18, linewidth=0)
        ax.plot(t, f["fitted"], color=FITTED, linewidth=1.5, label=labels["fitted"])
        ax.plot(t, f["count"], color=OBSERVED, marker="o", markersize=3.5, linewidth=0.8, label=labels["observed"])
        # The whole counterfactual band is shown: clipping it would hide how far the
        # projection runs from the observed series.
        ax.set_ylim(0, 1.08 * max(f["count"].max(), f["fitted_upper"].max(), f["cf_upper"].max()))
        for b in breaks.itertuples():
            ax.axvline(b.t - 0.5, color=COUNTERFACTUAL, linewidth=1, linestyle=":")
        for e in events.itertuples():
            x = e.t
            ax.axvline(x, color=EVENT, linewidth=0.6, alpha=0.6)
            ax.text(
                x,
                0.98,
                labels[f"event:{e.id}"],
                transform=ax.get_xaxis_transform(),
                fontsize=7,
                ha="center",
                va="top",
                color="#333333",
                bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": EVENT, "lw": 0.5},
            )
        ax.yaxis.set_major_formatter(_thousands(language))
        ax.set_ylabel(labels[sid], fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xticks(ticks["t"][::2], ticks["label"][::2], rotation=0, fontsize=8)
    axes[0].legend(loc="upper right", bbox_to_anchor=(1.0, 0.9), fontsize=8, frameon=False)
    title(fig, labels["title"])
    caption(fig, caption_text)
    return fig


def group_shares(shares: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Share with at least one meeting per group with intervals; one row per group, in
    printed order, grouped by ``variable`` when there are several. Group labels are looked
    up as ``labels[(table_id, group)]``."""
    fig, ax = new_figure(width=8.5, height=1.0 + 0.32 * len(shares) + 0.2 * shares["variable"].nunique())
    y, yticks, ylabels, pos = [], [], [], 0.0
    for var, sub in shares.groupby("variable", sort=False):
        if shares["variable"].nunique() > 1:
            heading(ax, pos, labels.get(f"variable:{var}", var), 8)
            pos -= 1
        for r in sub.itertuples():
            y.append(pos)
            yticks.append(pos)
            ylabels.append(labels.get((r.table_id, r.group), r.group))
            pos -= 1
        pos -= 0.5
    s = shares
    share = 100 * s["share"].to_numpy()
    err = np.vstack([share - 100 * s["lower"].to_numpy(), 100 * s["upper"].to_numpy() - share])
    ax.errorbar(share, y, xerr=err, fmt="o", color=FITTED, markersize=4, capsize=2, linewidth=1)
    ax.set_yticks(yticks, ylabels, fontsize=8)
    ax.set_xlim(0, max(100, float(np.nanmax(100 * s["upper"]))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent_formatter(v, language)))
    ax.set_xlabel(labels["xlabel"])
    return finish(fig, ax, labels["title"], caption_text, grid="x")


def forest(odds: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Odds ratios with intervals on a log axis; the reference group of each variable at 1."""
    fig, ax = new_figure(width=8.5, height=1.0 + 0.3 * len(odds) + 0.25 * odds["variable"].nunique())
    pos, yticks, ylabels = 0.0, [], []
    for var, sub in odds.groupby("variable", sort=False):
        heading(ax, pos, labels.get(f"variable:{var}", var), 8)
        pos -= 1
        for r in sub.itertuples():
            if r.reference:
                ax.plot([1.0], [pos], marker="s", color="#999999", markersize=4)
                ylabels.append(f"{labels.get((r.table_id, r.group), r.group)} ({labels['reference']})")
            else:
                ax.errorbar(
                    [r.odds_ratio],
                    [pos],
                    xerr=[[r.odds_ratio - r.lower], [r.upper - r.odds_ratio]],
                    fmt="o",
                    color=FITTED,
                    markersize=4,
                    capsize=2,
                    linewidth=1,
                )
                ylabels.append(labels.get((r.table_id, r.group), r.group))
            yticks.append(pos)
            pos -= 1
        pos -= 0.5
    ax.axvline(1.0, color="#333333", linewidth=0.8)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, locale=LOCALES[language])))
    ax.set_yticks(yticks, ylabels, fontsize=8)
    ax.set_xlabel(labels["xlabel"])
    return finish(fig, ax, labels["title"], caption_text)


def breakpoint_scan(scan: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Profile deviance of a single break at each candidate half-year, per series (one
    panel each, relative to the best candidate); documented breakpoints highlighted."""
    series = list(dict.fromkeys(scan["series"]))
    fig = Figure(figsize=(8.5, 1.2 + 2.2 * len(series)), layout="constrained")
    axes = fig.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
    for ax, sid in zip(axes, series, strict=True):
        s = scan[scan["series"] == sid]
        rel = s["deviance"] / s["deviance"].min()
        ax.plot(s["t"], rel, color=FITTED, marker="o", markersize=3.5, linewidth=1)
        doc = s[s["documented"]]
        ax.plot(
            doc["t"],
            doc["deviance"] / s["deviance"].min(),
            linestyle="none",
            marker="D",
            markersize=7,
            markerfacecolor="none",
            markeredgecolor=COUNTERFACTUAL,
            label=labels["documented"],
        )
        ax.set_ylabel(f"{labels[sid]}\n{labels['ylabel']}" if "ylabel" in labels else labels[sid], fontsize=9)
        ax.yaxis.set_major_formatter(_decimals(language, 1))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    first = scan[scan["series"] == series[0]]
    axes[-1].set_xticks(first["t"], first["label"], fontsize=8, rotation=45)
    axes[-1].set_xlabel(labels["xlabel"])
    axes[0].legend(fontsize=8, frameon=False)
    title(fig, labels["title"])
    caption(fig, caption_text)
    return fig
