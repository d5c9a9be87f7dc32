# Survey analysis of one survey source (config: survey): recovered denominators,
# estimates with intervals, tests, figures and the report section.


rule survey:
    input:
        tables=survey_tables(),
        facts=str(PROCESSED / config["survey"]["source"] / "facts.parquet"),
        codebook=str(PROCESSED / "codebook.parquet"),
        code=CODE + FIGURE_CODE,
        config="config.yaml",
        schema=ANALYSIS_SCHEMA,
    output:
        tables=expand(str(TABLES / "{prefix}_{name}.{ext}"), prefix=SURVEY_PREFIX, name=SURVEY_TABLES, ext=["csv", "parquet"]),
        figures=expand(str(FIGURES / "{prefix}_{fig}.{ext}"), prefix=SURVEY_PREFIX, fig=survey_figures(), ext=["png", "svg"]),
        md=str(REPORTS / "riksrevisionen.md"),
    log:
        "logs/survey.log",
    run:
        from analysis.cli import run_stage

        run_stage(
            ["survey", "--config", input.config, "--schema", input.schema, "--tables", *input.tables, "--facts", input.facts]
            + ["--codebook", input.codebook, "--out", *output.tables, *output.figures, "--out-md", output.md],
            log=log[0],
            isolate=True,
        )
