# Arbetsförmedlingen channel shift (config: channels): Tabell 1 composition, channel
# indicators, the business-case cost model written out, and its sensitivity.


rule channels:
    input:
        tables=str(PROCESSED / config["channels"]["source"] / f"{config['channels']['composition_table']}.parquet"),
        facts=str(PROCESSED / config["channels"]["source"] / "facts.parquet"),
        cost_model=str(RAW / config["channels"]["source"] / "cost_model.yaml"),
        codebook=str(PROCESSED / "codebook.parquet"),
        code=CODE + FIGURE_CODE,
        config="config.yaml",
        schema=ANALYSIS_SCHEMA,
    output:
        tables=expand(str(TABLES / "{prefix}_{name}.{ext}"), prefix=CHANNELS_PREFIX, name=CHANNELS_TABLES, ext=["csv", "parquet"]),
        figures=expand(str(FIGURES / "{prefix}_{fig}.{ext}"), prefix=CHANNELS_PREFIX, fig=CHANNELS_FIGURES, ext=["png", "svg"]),
        md=str(REPORTS / "arbetsformedlingen.md"),
    log:
        "logs/channels.log",
    run:
        from analysis.cli import run_stage

        run_stage(
            ["channels", "--config", input.config, "--schema", input.schema, "--tables", input.tables, "--facts", input.facts]
            + ["--cost-model", input.cost_model]
            + ["--codebook", input.codebook, "--out", *output.tables, *output.figures, "--out-md", output.md],
            log=log[0],
            isolate=True,
        )
