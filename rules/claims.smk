# Claims audit (config: claims): every numeric claim in the reports' text recomputed
# from their own tables and printed figures, with rounding-aware verdicts.

CLAIMS = config["claims"]["sources"]


rule claims:
    input:
        claims=[f"{RAW}/{sid}/claims.yaml" for sid in CLAIMS],
        tables=[p for sid in CLAIMS for p in processed(sid)],
        facts=[f"{PROCESSED}/{sid}/facts.parquet" for sid in CLAIMS],
        cost_model=raw_file(config["channels"]["source"], "cost_model.yaml"),
        schema=REGISTERS_SCHEMA,
        code=code("analysis/core", "analysis/costmodel", "analysis/claims", "analysis/report"),
    output:
        **{name: f"{TABLES}/{name}.parquet" for name in CLAIMS_TABLES},
        **{f"{name}_csv": f"{TABLES}/{name}.csv" for name in CLAIMS_TABLES},
        md=f"{REPORTS}/claims.md",
    params:
        sources=CLAIMS,
        settings=config["claims"],
        intervals=config["intervals"],
        cost_model_source=config["channels"]["source"],
        language=config["language"],
    log:
        f"{LOGS}/claims.log",
    run:
        from analysis.claims.stage import run

        run(input, output, params, log)
