"""Channels stage entry point: Tabell 1, facts and the cost model -> result tables.

Analysis only: no language, no figures, no Markdown (rules ``figures_channels`` and
``report_channels`` draw and write from the tables written here).
"""

from __future__ import annotations

import pandas as pd

from analysis.channels import TABLES
from analysis.core.errors import InputError
from analysis.core.registers import load_register
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_results


def check_fact_ids(doc, known: set[str], facts_file: str) -> None:
    """Every fact the cost model names (``printed``, factor ``fact`` and the swaps of an
    alternative allocation) exists; else a located error in the cost model file."""
    expected = f"a fact id of {facts_file}"
    for i, est in enumerate(doc.data["estimates"]):
        if est["printed"] not in known:
            raise doc.error(["estimates", i, "printed"], est["printed"], expected, "unknown fact")
        for j, term in enumerate(est["terms"]):
            for k, f in enumerate(term["factors"]):
                if "fact" in f and f["fact"] not in known:
                    raise doc.error(
                        ["estimates", i, "terms", j, "factors", k, "fact"], f["fact"], expected, "unknown fact"
                    )
        for j, choice in enumerate(est.get("choices", [])):
            for k, alt in enumerate(choice["alternatives"]):
                for fid in (f for pair in alt["replace"].items() for f in pair):
                    if fid not in known:
                        path = ["estimates", i, "choices", j, "alternatives", k, "replace"]
                        raise doc.error(path, fid, expected, "unknown fact")


def check_settings(settings: dict, known: set[str], tables: dict, facts_file: str) -> None:
    """The fact ids, table and organisations named in the ``channels`` settings exist
    (config.yaml)."""
    expected = f"a fact id of {facts_file}"
    for fid in settings.get("overrides", {}):
        if fid not in known:
            raise InputError("config.yaml", None, None, fid, expected, "channels.overrides: unknown fact")
    for fid, alts in settings.get("alternatives", {}).items():
        for a in [fid, *alts]:
            if a not in known:
                raise InputError("config.yaml", None, None, a, expected, "channels.alternatives: unknown fact")
    if settings["composition_table"] not in tables:
        raise InputError(
            "config.yaml",
            None,
            None,
            settings["composition_table"],
            f"one of the tables read: {', '.join(sorted(tables))}",
            "channels.composition_table: unknown table",
        )
    table = tables[settings["composition_table"]]
    organisations = list(dict.fromkeys(table["organisation"])) if "organisation" in table else []
    for key in ("direct", "local"):
        if settings[key] not in organisations:
            raise InputError(
                "config.yaml",
                None,
                None,
                settings[key],
                f"one of the organisations of {settings['composition_table']}: {', '.join(organisations)}",
                f"channels.{key}: unknown organisation",
            )


def run(input, output, params, log=None) -> None:
    """Stage: ``input.tables`` (Tabell 1), ``facts``, ``cost_model`` (+ ``schema``) ->
    the result tables named in :data:`analysis.channels.TABLES`."""
    from analysis.channels.analysis import analyse_channels, meaningful

    with stage_run("channels", output, log) as record:
        doc = load_register(input.cost_model, input.schema, "cost_model", "cost model")
        record.read(input.cost_model)
        tables = {}
        for p in input.tables:
            tables[read_meta(p)["table"]["id"]] = frame = pd.read_parquet(p)
            record.read(p, frame)
        facts = pd.read_parquet(input.facts)
        record.read(input.facts, facts)
        facts_file = read_meta(input.facts).get("raw_file", str(input.facts))
        known = set(facts["id"])
        check_fact_ids(doc, known, facts_file)
        check_settings(params.settings, known, tables, facts_file)
        settings = {**params.settings, "estimates": doc.data["estimates"]}
        try:
            results = analyse_channels(tables, facts, {"channels": settings, "intervals": params.intervals})
        except KeyError as exc:
            # A fact or Tabell 1 cell that the indicators read by name is not in the data.
            raise InputError(
                facts_file,
                None,
                None,
                str(exc.args[0] if exc.args else exc),
                f"the facts and {settings['composition_table']} cells the channel indicators read",
                "missing in the source's data:",
            ) from None
        frames = {name: results[name] for name in TABLES}
        write_results(frames, output, {"settings": settings}, record, csv_precision=meaningful)
