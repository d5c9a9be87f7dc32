# Claims audit (config: claims): every numeric claim in the reports' text recomputed
# from their own tables and printed figures, with rounding-aware verdicts.


rule claims:
    input:
        claims=get_claims_registers(),
        tables=claims_tables(),
        facts=[str(PROCESSED / sid / "facts.parquet") for sid in config["claims"]["sources"]],
        cost_model=str(RAW / config["channels"]["source"] / "cost_model.yaml"),
        code=CODE,
        config="config.yaml",
        schema=ANALYSIS_SCHEMA,
    output:
        tables=expand(str(TABLES / "{name}.{ext}"), name=CLAIMS_TABLES, ext=["csv", "parquet"]),
        md=str(REPORTS / "claims.md"),
    log:
        "logs/claims.log",
    run:
        from analysis.cli import run_stage

        run_stage(
            ["claims", "--config", input.config, "--schema", input.schema, "--claims", *input.claims]
            + ["--tables", *input.tables, "--facts", *input.facts, "--cost-model", input.cost_model]
            + ["--out", *output.tables, "--out-md", output.md],
            log=log[0],
        )
