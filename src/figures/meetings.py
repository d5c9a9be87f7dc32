"""Figures of the meetings analysis (data in, Figure out; object API only, no saving)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from babel.numbers import format_decimal
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

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
    """One panel per series: observed counts, fitted model with the interval of its mean,
    the projection without the interruptions with its prediction interval (open markers
    where it leaves the observed range: extrapolation), breakpoints and marked events.

    ``fitted`` has ``series, label, t, count, fitted, fitted_lower, fitted_upper,
    counterfactual, cf_pred_lower, cf_pred_upper, outside_observed``; ``events`` has
    ``id`` and ``t`` (position on the half-year axis, see
    :func:`analysis.meetings.date_position`) and a display number in
    ``labels['event:<id>']``. Every drawn element has a legend entry; the legend sits
    above the panels, clear of the data.
    """
    series = list(dict.fromkeys(fitted["series"]))
    fig = Figure(figsize=(8.5, 2.6 * len(series) + 2.0), layout="constrained")
    axes = fig.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
    ticks = fitted[fitted["series"] == series[0]]
    for ax, sid in zip(axes, series, strict=True):
        f = fitted[fitted["series"] == sid]
        t = f["t"].to_numpy()
        # The projection is drawn where it differs from the fit: from the last half-year
        # before the first break (so that it joins the fitted line) on.
        first = int(np.argmax(f["extrapolated"].to_numpy())) if f["extrapolated"].any() else len(f)
        cf = f.iloc[max(first - 1, 0) :]
        ax.fill_between(
            cf["t"],
            cf["cf_pred_lower"],
            cf["cf_pred_upper"],
            color=COUNTERFACTUAL,
            alpha=0.10,
            linewidth=0,
            label=labels["counterfactual_band"],
        )
        ax.plot(
            cf["t"],
            cf["counterfactual"],
            color=COUNTERFACTUAL,
            linestyle="--",
            linewidth=1.2,
            label=labels["counterfactual"],
        )
        out = f[f["outside_observed"]]
        ax.plot(
            out["t"],
            out["counterfactual"],
            linestyle="none",
            marker="o",
            markersize=5,
            markerfacecolor="white",
            markeredgecolor=COUNTERFACTUAL,
            label=labels["extrapolation"],
        )
        ax.fill_between(
            t, f["fitted_lower"], f["fitted_upper"], color=FITTED, alpha=0.18, linewidth=0, label=labels["fitted_band"]
        )
        ax.plot(t, f["fitted"], color=FITTED, linewidth=1.5, label=labels["fitted"])
        ax.plot(t, f["count"], color=OBSERVED, marker="o", markersize=3.5, linewidth=0.8, label=labels["observed"])
        ax.axhline(f["count"].max(), color=OBSERVED, linewidth=0.6, linestyle=(0, (1, 3)), label=labels["max_observed"])
        # The whole prediction band is shown: clipping it would hide how far the projection
        # runs from the observed series.
        ax.set_ylim(
            0, 1.08 * max(f["count"].max(), f["fitted_upper"].max(), np.max(cf["cf_pred_upper"].to_numpy(), initial=0))
        )
        for k, b in enumerate(breaks.itertuples()):
            ax.axvline(
                b.t - 0.5,
                color=COUNTERFACTUAL,
                linewidth=1,
                linestyle=":",
                label=labels["breakpoint"] if k == 0 else None,
            )
        for k, e in enumerate(events.itertuples()):
            x = e.t
            ax.axvline(x, color=EVENT, linewidth=0.6, alpha=0.6, label=labels["event"] if k == 0 else None)
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
        ax.set_ylabel(f"{labels[sid]}\n{labels['ylabel']}", fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xticks(ticks["t"][::2], ticks["label"][::2], rotation=0, fontsize=8)
    axes[-1].set_xlabel(labels["xlabel"])
    # Above the top panel, outside the data (constrained layout makes room for it).
    axes[0].legend(loc="lower left", bbox_to_anchor=(0.0, 1.08), ncol=2, fontsize=8, frameon=False)
    title(fig, labels["title"])
    caption(fig, caption_text)
    return fig


def group_shares(shares: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Share with at least one meeting per group with intervals; one row per group, in
    printed order, grouped by ``variable`` when there are several. Group labels are looked
    up as ``labels[(table_id, group)]``; censored groups (``censored``) are drawn with open
    markers and their own legend entry."""
    fig, ax = new_figure(width=8.5, height=1.3 + 0.32 * len(shares) + 0.2 * shares["variable"].nunique())
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
    s = shares.assign(y=y)
    censored = s["censored"].to_numpy(bool) if "censored" in s else np.zeros(len(s), bool)
    for mask, face, key in ((~censored, FITTED, "share"), (censored, "white", "censored")):
        sub = s[mask]
        if sub.empty:
            continue
        share = 100 * sub["share"].to_numpy()
        err = np.vstack([share - 100 * sub["lower"].to_numpy(), 100 * sub["upper"].to_numpy() - share])
        ax.errorbar(
            share,
            sub["y"],
            xerr=err,
            fmt="o",
            color=FITTED,
            markerfacecolor=face,
            markersize=4,
            capsize=2,
            linewidth=1,
            label=labels[key],
        )
    ax.set_yticks(yticks, ylabels, fontsize=8)
    ax.set_xlim(0, max(100, float(np.nanmax(100 * s["upper"]))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent_formatter(v, language)))
    ax.set_xlabel(labels["xlabel"])
    ax.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.9)
    return finish(fig, ax, labels["title"], caption_text, grid="x")


RATIO_TICKS = [m * 10.0**e for e in range(-3, 4) for m in (1, 2, 3, 5)]


def _ratio_limits(low: float, high: float) -> tuple[float, float]:
    """Axis limits on the 1-2-3-5 ticks around [low, high], at least 0.5-2 so that 1 has
    two labelled ticks on each side."""
    lo = max([v for v in RATIO_TICKS if v <= min(low, 0.5)], default=RATIO_TICKS[0])
    hi = min([v for v in RATIO_TICKS if v >= max(high, 2.0)], default=RATIO_TICKS[-1])
    return lo, hi


def forest(odds: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Risk ratios (filled) and odds ratios (open, for comparison) with intervals on a log
    axis with 1-2-3-5 ticks, at least two on each side of 1; the reference group of each variable at 1.
    Censored groups (``censored``) are left out."""
    odds = odds[~odds["censored"]] if "censored" in odds else odds
    fig, ax = new_figure(width=8.5, height=1.4 + 0.3 * len(odds) + 0.25 * odds["variable"].nunique())
    pos, yticks, ylabels = 0.0, [], []
    seen = set()

    def once(key):
        if key in seen:
            return None
        seen.add(key)
        return labels[key]

    for var, sub in odds.groupby("variable", sort=False):
        heading(ax, pos, labels.get(f"variable:{var}", var), 8)
        pos -= 1
        for r in sub.itertuples():
            if r.reference:
                ax.plot(
                    [1.0], [pos], marker="s", color="#999999", markersize=4, linestyle="none", label=once("reference")
                )
                ylabels.append(f"{labels.get((r.table_id, r.group), r.group)} ({labels['reference']})")
            else:
                ax.errorbar(
                    [r.risk_ratio],
                    [pos + 0.15],
                    xerr=[[r.risk_ratio - r.rr_lower], [r.rr_upper - r.risk_ratio]],
                    fmt="o",
                    color=FITTED,
                    markersize=4,
                    capsize=2,
                    linewidth=1,
                    label=once("risk_ratio"),
                )
                ax.errorbar(
                    [r.odds_ratio],
                    [pos - 0.15],
                    xerr=[[r.odds_ratio - r.lower], [r.upper - r.odds_ratio]],
                    fmt="o",
                    color="#888888",
                    markerfacecolor="white",
                    markersize=4,
                    capsize=2,
                    linewidth=0.8,
                    label=once("odds_ratio"),
                )
                ylabels.append(labels.get((r.table_id, r.group), r.group))
            yticks.append(pos)
            pos -= 1
        pos -= 0.5
    ax.axvline(1.0, color="#333333", linewidth=0.8)
    ax.set_xscale("log")
    values = pd.concat([odds["rr_lower"], odds["rr_upper"], odds["lower"], odds["upper"]]).dropna()
    low, high = _ratio_limits(float(values.min()), float(values.max()))
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(FixedLocator([v for v in RATIO_TICKS if low <= v <= high]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, locale=LOCALES[language])))
    ax.set_yticks(yticks, ylabels, fontsize=8)
    ax.set_xlabel(labels["xlabel"])
    ax.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.9)
    return finish(fig, ax, labels["title"], caption_text, grid="x")


def breakpoint_scan(scan: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """F statistic of a single break at each candidate half-year against no break, per
    series (one panel each), with the bootstrap threshold of the largest F (the search-
    adjusted 5 % line) and the documented breakpoints highlighted."""
    series = list(dict.fromkeys(scan["series"]))
    fig = Figure(figsize=(8.5, 1.6 + 2.3 * len(series)), layout="constrained")
    axes = fig.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
    for ax, sid in zip(axes, series, strict=True):
        s = scan[scan["series"] == sid]
        ax.plot(s["t"], s["f_stat"], color=FITTED, marker="o", markersize=3.5, linewidth=1, label=labels["f_stat"])
        ax.axhline(
            s["sup_f_critical"].iloc[0], color="#333333", linestyle="--", linewidth=0.9, label=labels["threshold"]
        )
        doc = s[s["documented"]]
        ax.plot(
            doc["t"],
            doc["f_stat"],
            linestyle="none",
            marker="D",
            markersize=7,
            markerfacecolor="none",
            markeredgecolor=COUNTERFACTUAL,
            label=labels["documented"],
        )
        ax.set_ylim(0, 1.1 * max(s["f_stat"].max(), s["sup_f_critical"].iloc[0]))
        ax.set_title(labels[sid], loc="left", fontsize=9)
        ax.set_ylabel(labels["ylabel"], fontsize=9)
        ax.yaxis.set_major_formatter(_decimals(language, 0))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    first = scan[scan["series"] == series[0]]
    axes[-1].set_xticks(first["t"], first["label"], fontsize=8, rotation=45)
    axes[-1].set_xlabel(labels["xlabel"])
    # Above the top panel, outside the data (constrained layout makes room for it).
    axes[0].legend(loc="lower left", bbox_to_anchor=(0.0, 1.08), ncol=2, fontsize=8, frameon=False)
    title(fig, labels["title"])
    caption(fig, caption_text)
    return fig
