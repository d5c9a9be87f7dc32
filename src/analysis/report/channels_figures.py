"""Figures job of the channel-shift section: result tables -> the figures of reports/figures/.

Titles, axis labels and legend texts are ``_()`` calls here (domain ``channels``); the
captions come from :func:`analysis.report.channels.captions`, which the report job uses
too. Drawing is in :mod:`figures.channels`.
"""

from __future__ import annotations

import pandas as pd

from analysis.channels import FIGURES
from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_figure
from analysis.report.channels import (
    MONTHS,
    ORGANISATIONS,
    captions,
    codebook_names,
    estimate_labels,
    fact_labels,
    translate,
)
from analysis.report.render import catalog_path, translations


def figures(frames: dict[str, pd.DataFrame], table: pd.DataFrame, settings: dict, language: str, _, keys=None) -> dict:
    """{key: Figure} for every key of ``analysis.channels.FIGURES`` (or of ``keys``)."""
    from figures import channels as fc

    def wanted(key: str) -> bool:
        return keys is None or key in keys

    cap = captions(_, settings, language)
    facts = frames["facts"]
    names = fact_labels(facts, language)
    estimates = estimate_labels(frames["cost_model"], names)
    tid = settings["composition_table"]
    out = {}
    if wanted("composition"):
        labels = codebook_names(frames["codebook"], tid, language) | {
            "title": _("Subgroup shares by organisation, week 5 (open) and week 35 (filled)"),
            "xlabel": _("Share of the organisation's job seekers"),
        }
        out["composition"] = fc.composition_dots(
            table, settings["direct"], settings["local"], labels, cap["composition"], language
        )
    if wanted("transfers"):
        fv = facts.set_index("id")["value"]
        values = pd.Series(
            {"direct_to_local": fv["transfers_direkt_to_local"], "local_to_pdm": fv["transfers_local_to_pdm"]}
        )
        labels = {
            "direct_to_local": _("VO Direkt → local offices"),
            "local_to_pdm": _("Local offices → PDM"),
            "title": _("Transfers between channels, January–August 2019"),
            "xlabel": _("Job seekers moved"),
        }
        out["transfers"] = fc.transfers(values, labels, cap["transfers"], language)
    if wanted("staff"):
        staff = frames["staff"]
        labels = (
            {m: translate(MONTHS, m, _) for m in staff["month"]}
            | {o: translate(ORGANISATIONS, o, _) for o in staff["organisation"]}
            | {"title": _("Customer-facing staff, January and August 2019"), "ylabel": _("Staff")}
        )
        out["staff"] = fc.staff_shift(staff, labels, cap["staff"], language)
    if wanted("cost_model"):
        labels = estimates | {
            "title": _("Estimates relative to the printed value"),
            "xlabel": _("Computed / printed (ratio, log scale)"),
            "printed_interval": _("printed interval"),
            "reproduced": _("reproduced"),
            "within": _("within input rounding"),
            "not_reproduced": _("not reproduced"),
        }
        out["cost_model"] = fc.printed_vs_reproduced(frames["cost_model"], labels, cap["cost_model"], language)
    if wanted("tornado"):
        labels = (
            names
            | estimates
            | {
                "title": _("Inputs that move the estimates most"),
                "xlabel": _("Change of the estimate (%)"),
                "others": _("%(n)s other pairs of input and estimate (all within this range)"),
            }
        )
        out["tornado"] = fc.tornado(frames["sensitivity"], labels, cap["tornado"], language)
    return out


def run(input, output, params, log=None, keys=None) -> list[str]:
    """Stage: result tables (``staff``, ``cost_model``, ``sensitivity``), Tabell 1,
    facts and codebook -> every figure (or those of ``keys``) in every format of
    ``params.formats``; returns the log lines."""
    keys = list(FIGURES if keys is None else keys)
    with stage_run("figures_channels " + " ".join(keys), output, log) as record:
        frames = {}
        for name in ("staff", "cost_model", "sensitivity", "facts", "codebook"):
            frames[name] = pd.read_parquet(getattr(input, name))
            record.read(getattr(input, name), frames[name])
        settings = params.settings
        table = None
        for p in input.tables:
            if read_meta(p)["table"]["id"] == settings["composition_table"]:
                table = pd.read_parquet(p)
                record.read(p, table)
        if table is None:
            raise InputError(
                "config.yaml",
                None,
                None,
                settings["composition_table"],
                "a table among the figure job's inputs",
                "channels.composition_table: not read",
            )
        language = params.language
        _ = translations(language, catalog_path(input.catalogs)).gettext
        for key, fig in figures(frames, table, settings, language, _, keys).items():
            paths = {fmt: getattr(output, f"{key}_{fmt}") for fmt in params.formats}
            write_figure(fig, paths)
            for p in paths.values():
                record.wrote(p)
    return record.lines
