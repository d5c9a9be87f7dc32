"""Figures of the survey analysis. Each function takes data (and optionally an Axes),
draws, and returns the Figure; none of them saves files (the caller does, see
``analysis.core.store.write_figure``). Only matplotlib's object API is used (no pyplot state),
so the functions are safe to call from Snakemake's job threads."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis.core.i18n import fmt_number
from figures.style import caption, new_figure, percent_formatter, title

# Diverging palette (ColorBrewer RdBu): strongest disagreement red, strongest agreement blue.
POSITIVE = ["#2166ac", "#67a9cf", "#d1e5f0"]
NEGATIVE = ["#fddbc7", "#ef8a62", "#b2182b"]


def likert_diverging(
    shares: pd.DataFrame,
    directions: list[str],
    n: pd.Series,
    labels: dict,
    caption_text: str,
    language: str,
    n_range: pd.DataFrame | None = None,
) -> Figure:
    """Diverging stacked bars: positive categories right of zero, negative left.

    Parameters
    ----------
    shares : DataFrame
        Rows: groups (agencies) in printed order; columns: response categories in printed
        order; values: shares in percent.
    directions : list of str
        ``positive`` or ``negative`` for each column.
    n : Series
        The N used for each row, printed on the right axis (a missing row prints
        ``labels["no_n"]``: no N reproduces its printed percentages).
    labels : dict
        Display labels: ``title``, ``xlabel``, ``n_label``, and a label for every row and
        column key.
    n_range : DataFrame, optional
        Columns ``lo`` and ``hi`` by row: the smallest and largest feasible N, printed
        after the N used (``N = 539 (146–539)``) where they differ from it.
    """
    rows = list(shares.index)
    fig, ax = new_figure(width=8.5, height=1.0 + 0.55 * len(rows))
    y = np.arange(len(rows))[::-1]
    pos_cols = [c for c, d in zip(shares.columns, directions, strict=True) if d == "positive"]
    neg_cols = [c for c, d in zip(shares.columns, directions, strict=True) if d == "negative"]
    # Positive categories stack outward from zero starting with the weakest (last printed).
    left = np.zeros(len(rows))
    for i, col in enumerate(reversed(pos_cols)):
        colour = POSITIVE[len(pos_cols) - 1 - i] if len(pos_cols) <= len(POSITIVE) else None
        ax.barh(y, shares[col].to_numpy(), left=left, color=colour, edgecolor="white", label=labels[col], height=0.7)
        left += shares[col].to_numpy()
    right = np.zeros(len(rows))
    for i, col in enumerate(neg_cols):
        colour = NEGATIVE[i + (len(NEGATIVE) - len(neg_cols))]
        ax.barh(y, -shares[col].to_numpy(), left=-right, color=colour, edgecolor="white", label=labels[col], height=0.7)
        right += shares[col].to_numpy()
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, [labels[r] for r in rows])
    ax.set_xlim(-100, 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent_formatter(abs(v), language)))
    ax.set_xlabel(labels["xlabel"])
    if "ylabel" in labels:
        ax.set_ylabel(labels["ylabel"])
    title(fig, labels["title"])
    twin = ax.twinx()
    twin.set_ylim(ax.get_ylim())

    # A row that no N reproduces (flagged in the denominators table) has no N to show.
    def n_text(row, v):
        if v != v:
            return labels.get("no_n", "N –")
        text = f"{labels['n_label']} {fmt_number(v, language, 0)}"
        if n_range is not None and row in n_range.index and n_range.loc[row, "lo"] != n_range.loc[row, "hi"]:
            lo, hi = (fmt_number(n_range.loc[row, k], language, 0) for k in ("lo", "hi"))
            text += f" ({lo}–{hi})"
        return text

    n_text = [n_text(r, v) for r, v in zip(rows, n.reindex(rows).to_numpy(), strict=True)]
    twin.set_yticks(y, n_text)
    twin.tick_params(length=0)
    if "n_axis" in labels:
        twin.set_ylabel(labels["n_axis"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
        twin.spines[side].set_visible(False)
    handles, legend_labels = ax.get_legend_handles_labels()
    order = [legend_labels.index(labels[c]) for c in shares.columns]
    ax.legend(
        [handles[i] for i in order],
        [legend_labels[i] for i in order],
        ncols=len(order),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        frameon=False,
        fontsize=8,
    )
    caption(fig, caption_text)
    return fig


def agree_dotplot(estimates: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Positive share per group and question with confidence intervals.

    ``estimates`` has columns ``row, table_id, share, lower, upper`` (shares as
    proportions) and optionally ``lower_range, upper_range`` (the range of the intervals
    over every feasible N, drawn as a thin line behind). Each table is one marker series,
    offset vertically within a group. ``labels``: a label per row and table id,
    ``title``, ``xlabel``, ``ylabel``, and ``interval`` / ``range`` for the legend.
    """
    from matplotlib.lines import Line2D

    groups = list(dict.fromkeys(estimates["row"]))
    tables = list(dict.fromkeys(estimates["table_id"]))
    fig, ax = new_figure(width=8.5, height=1.6 + 0.6 * len(groups))
    markers = ["o", "s", "D", "^", "v", "P"]
    offsets = np.linspace(-0.3, 0.3, len(tables)) if len(tables) > 1 else [0.0]
    base = {g: len(groups) - 1 - i for i, g in enumerate(groups)}
    has_range = {"lower_range", "upper_range"} <= set(estimates.columns)
    handles = []
    for k, tid in enumerate(tables):
        sub = estimates[estimates["table_id"] == tid]
        yy = np.array([base[g] + offsets[k] for g in sub["row"]])
        share = 100 * sub["share"].to_numpy()
        if has_range:
            ax.hlines(
                yy,
                100 * sub["lower_range"].to_numpy(),
                100 * sub["upper_range"].to_numpy(),
                color="#bbbbbb",
                linewidth=0.8,
                zorder=1,
            )
        err = np.vstack([share - 100 * sub["lower"].to_numpy(), 100 * sub["upper"].to_numpy() - share])
        bars = ax.errorbar(
            share, yy, xerr=err, fmt=markers[k % len(markers)], markersize=5, capsize=2, linewidth=1.4, zorder=2
        )
        handles.append((bars, labels[tid]))
    handles.append((Line2D([], [], color="#333333", linewidth=1.4), labels["interval"]))
    if has_range:
        handles.append((Line2D([], [], color="#bbbbbb", linewidth=0.8), labels["range"]))
    ax.set_yticks(list(base.values()), [labels[g] for g in base])
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent_formatter(v, language)))
    ax.set_xlabel(labels["xlabel"])
    ax.set_ylabel(labels.get("ylabel", ""))
    title(fig, labels["title"])
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(
        [h for h, _ in handles],
        ["\n".join(textwrap.wrap(t, 30)) for _, t in handles],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.15),
        ncols=min(len(handles), 4),
        frameon=False,
        fontsize=8,
    )
    caption(fig, caption_text)
    return fig


def share_bars(answers: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Horizontal bars of answer shares with confidence intervals (answers in printed order)."""
    fig, ax = new_figure(width=8.5, height=1.2 + 0.5 * len(answers))
    y = np.arange(len(answers))[::-1]
    share = 100 * answers["share"].to_numpy()
    err = np.vstack([share - 100 * answers["lower"].to_numpy(), 100 * answers["upper"].to_numpy() - share])
    ax.barh(y, share, color="#67a9cf", height=0.6, label=labels.get("share"))
    ax.errorbar(share, y, xerr=err, fmt="none", ecolor="#333333", capsize=3, linewidth=1, label=labels.get("interval"))
    ax.set_yticks(y, ["\n".join(textwrap.wrap(labels[a], 45)) for a in answers["answer"]])
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent_formatter(v, language)))
    ax.set_xlabel(labels["xlabel"])
    ax.set_ylabel(labels.get("ylabel", ""))
    if "share" in labels and "interval" in labels:
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    title(fig, labels["title"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    caption(fig, caption_text)
    return fig
