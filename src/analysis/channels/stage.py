"""Channels stage entry point: Tabell 1, facts and the cost model -> tables, figures, section."""

from __future__ import annotations

import pandas as pd

from analysis.channels import TABLES
from analysis.core.errors import InputError
from analysis.core.registers import load_cost_model
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_csv, write_figure, write_parquet, write_text


def run(input, output, params, log=None) -> None:
    """Stage: ``input.tables``, ``facts``, ``cost_model`` -> ``output`` tables, figures, ``md``."""
    from analysis.channels.analysis import analyse_channels
    from analysis.report.channels import channels_figures, channels_markdown

    with stage_run("channels", output, log) as record:
        config = {
            "channels": {**params.settings, "estimates": load_cost_model(input.cost_model, input.schema)},
            "intervals": params.intervals,
            "language": params.language,
        }
        record.read(input.cost_model)
        tables = {}
        for p in input.tables:
            tables[read_meta(p)["table"]["id"]] = frame = pd.read_parquet(p)
            record.read(p, frame)
        facts = pd.read_parquet(input.facts)
        codebook = pd.read_parquet(input.codebook)
        try:
            results = analyse_channels(tables, facts, config)
        except KeyError as exc:
            raise InputError(
                "config.yaml", None, None, str(exc).strip("\"'"), "ids that exist in the source's data", "channels:"
            ) from None
        for name in TABLES:
            write_parquet(results[name], getattr(output, name), {"settings": config["channels"]})
            write_csv(results[name], getattr(output, f"{name}_csv"))
            record.wrote(getattr(output, name), results[name])
        shown = {}
        for key, (fig, cap) in channels_figures(results, tables, facts, codebook, config).items():
            paths = {fmt: getattr(output, f"{key}_{fmt}") for fmt in params.formats}
            write_figure(fig, paths)
            shown[key] = (f"figures/{paths['png'].rsplit('/', 1)[-1]}", cap)
            record.wrote(paths["png"])
        write_text(channels_markdown(results, codebook, config, shown), output.md)
        record.wrote(output.md)
