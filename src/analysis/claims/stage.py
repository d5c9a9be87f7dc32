"""Claims stage entry point: registers + the reports' tables and facts -> audit tables, section."""

from __future__ import annotations

import pandas as pd

from analysis.claims import TABLES
from analysis.core.registers import load_claims, load_cost_model
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_csv, write_parquet, write_text


def _source(path: str) -> str:
    return read_meta(path)["source"]["id"]


def run(input, output, params, log=None) -> None:
    """Stage: ``input.claims`` registers (one per report, in ``params.sources`` order) with
    the tables, facts and cost model they cite -> ``output`` tables and ``md``."""
    from analysis.claims.audit import analyse_claims, standalone_facts
    from analysis.claims.evaluate import ClaimError, Context
    from analysis.costmodel.model import FactTable
    from analysis.report.claims import claims_markdown

    with stage_run("claims", output, log) as record:
        settings, iv = params.settings, params.intervals
        docs = dict(zip(params.sources, (load_claims(p, input.schema) for p in input.claims), strict=True))
        tables = {}
        for p in input.tables:
            meta = read_meta(p)
            tables[(meta["source"]["id"], meta["table"]["id"])] = frame = pd.read_parquet(p)
            record.read(p, frame)
        facts = {}
        for p in input.facts:
            facts[_source(p)] = pd.read_parquet(p).set_index("id", drop=False)
            record.read(p, facts[_source(p)])
        estimates, fact_table = {}, None
        if input.cost_model:
            cost_source = params.cost_model_source
            estimates = {e["id"]: e for e in load_cost_model(input.cost_model[0], input.schema)}
            fact_table = FactTable(facts[cost_source], iv["qualifiers"], iv["trailing_zeros_significant"], {})
        ctx = Context(
            tables=tables,
            facts=facts,
            widths=iv["qualifiers"],
            trailing_zeros_significant=iv["trailing_zeros_significant"],
            similar_within=float(settings["similar_within"]),
            count_units=frozenset(iv.get("count_units", [])),
            estimates=estimates,
            fact_table=fact_table,
        )
        registers = {sid: docs[sid].data["claims"] for sid in params.sources}
        try:
            frames, results = analyse_claims(registers, ctx)
        except ClaimError as exc:
            raise docs[exc.source].error(["claims", *exc.keypath], exc.text, exc.expected, "bad claim:") from None
        for name in TABLES:
            meta = {"settings": settings, "registers": list(input.claims)}
            write_parquet(frames[name], getattr(output, name), meta)
            write_csv(frames[name], getattr(output, f"{name}_csv"))
            record.wrote(getattr(output, name), frames[name])
        standalone = standalone_facts(registers, facts, estimates)
        write_text(claims_markdown(frames["claims"], results, standalone, params.language), output.md)
        record.wrote(output.md)
