"""Claims stage entry points: one report's register -> its audit tables (:func:`run`), and
the tables of every audited report combined (:func:`run_combine`)."""

from __future__ import annotations

import pandas as pd

from analysis.claims import SOURCE_TABLES, TABLES
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_parquet, write_results
from analysis.ingest.pages import page_range


def run(input, output, params, log=None) -> None:
    """Stage: ``input.claims`` (the register of report ``params.source``) with the processed
    ``input.tables`` and ``input.facts`` it may cite (its own and other reports', told apart
    by their Parquet metadata) and its report's ``input.cost_model`` (none or one) ->
    the tables :data:`analysis.claims.SOURCE_TABLES` (Parquet, named outputs)."""
    from analysis.claims.audit import analyse_claims, describe_terms, other_uses, standalone_facts
    from analysis.claims.evaluate import ClaimError, Context
    from analysis.core.registers import load_claims, load_cost_model

    with stage_run(f"claims_{params.source}", output, log) as record:
        source, iv = params.source, params.intervals
        doc = load_claims(input.claims, input.schema)
        record.read(input.claims)
        tables, facts, table_names = {}, {}, {}
        for p in input.tables:
            meta = read_meta(p)
            tables[(meta["source"]["id"], meta["table"]["id"])] = data = pd.read_parquet(p)
            table_names[(meta["source"]["id"], meta["table"]["id"])] = str(meta["table"].get("number", ""))
            record.read(p, data)
        seed_lines = {}
        for p in input.facts:
            meta = read_meta(p)
            facts[meta["source"]["id"]] = data = pd.read_parquet(p).set_index("id", drop=False)
            seed_lines[meta["source"]["id"]] = meta["source"]["seed_lines"]
            record.read(p, data)
        # A claim must cite a line the report has (its line count is in source.yaml).
        for i, c in enumerate(doc.data["claims"]):
            if c["seed_line"] > seed_lines[source]:
                raise doc.error(
                    ["claims", i, "seed_line"],
                    c["seed_line"],
                    f"a line of the source document (1 to {seed_lines[source]}, seed_lines in source.yaml)",
                    "line beyond the document:",
                )
        estimates, fact_table = {}, None
        if input.cost_model:
            from analysis.costmodel.model import FactTable

            estimates = {e["id"]: e for e in load_cost_model(input.cost_model[0], input.schema)}
            record.read(input.cost_model[0])
            fact_table = FactTable(
                facts[source], iv["qualifiers"], iv["trailing_zeros_significant"], {}, iv.get("directional", True)
            )
        ctx = Context(
            tables=tables,
            facts=facts,
            widths=iv["qualifiers"],
            trailing_zeros_significant=iv["trailing_zeros_significant"],
            similar_within=float(params.similar_within),
            count_units=frozenset(iv.get("count_units", [])),
            directional=iv.get("directional", True),
            estimates=estimates,
            fact_table=fact_table,
        )
        claims = doc.data["claims"]
        try:
            frames, _ = analyse_claims({source: claims}, ctx)
        except ClaimError as exc:
            raise doc.error(["claims", *exc.keypath], exc.text, exc.expected, "bad claim:") from None
        # the report as a reader names it: publisher and year of publication
        src_meta = read_meta(next(p for p in input.facts if read_meta(p)["source"]["id"] == source))["source"]
        publisher = str(src_meta["publisher"]).split(",")[0]  # the agency, not its department
        frames["claims"]["report_name"] = f"{publisher} {str(src_meta['published'])[:4]}"
        # the page(s) a reader holding the document turns to: from the claim's line through
        # the page map of source.yaml (none where the document shows no page numbers)
        spans = [page_range(src_meta.get("pages"), int(line)) for line in frames["claims"]["seed_line"]]
        frames["claims"]["page"] = pd.array([a for a, _ in spans], dtype="Int64")
        frames["claims"]["page_last"] = pd.array([b for _, b in spans], dtype="Int64")
        frames["claims_terms"] = describe_terms(frames["claims_terms"], facts, table_names, estimates)
        frames["claims_standalone"] = standalone_facts({source: claims}, facts, estimates)
        frames["claims_uses"] = other_uses(source, claims, estimates)
        meta = {"similar_within": params.similar_within, "register": str(input.claims)}
        for name in SOURCE_TABLES:
            write_parquet(frames[name], getattr(output, name), meta)
            record.wrote(getattr(output, name), frames[name])


def run_combine(input, output, params, log=None) -> None:
    """Stage: the tables of each audited report (``input.<name>``, one per report in
    ``params.sources`` order) -> :data:`analysis.claims.TABLES` over all of them (Parquet
    and CSV); a fact is standalone when no register uses it."""
    from analysis.claims.audit import combine

    with stage_run("claims", output, log) as record:
        parts = {}
        for name in SOURCE_TABLES:
            parts[name] = []
            for p in getattr(input, name):
                parts[name].append(pd.read_parquet(p))
                record.read(p, parts[name][-1])
        frames = combine(parts)
        meta = {"settings": params.settings, "registers": list(params.registers)}
        write_results({name: frames[name] for name in TABLES}, output, meta, record)
