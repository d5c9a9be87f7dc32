# Försäkringskassan meetings analysis (config: meetings): trend series, segmented count
# models with breakpoints from events, breakpoint scan, group shares and odds ratios.


rule meetings:
    input:
        tables=meetings_tables(),
        events=str(PROCESSED / config["meetings"]["source"] / "events.parquet"),
        codebook=str(PROCESSED / "codebook.parquet"),
        code=CODE + FIGURE_CODE,
        config="config.yaml",
        schema=ANALYSIS_SCHEMA,
    output:
        tables=expand(str(TABLES / "{prefix}_{name}.{ext}"), prefix=MEETINGS_PREFIX, name=MEETINGS_TABLES, ext=["csv", "parquet"]),
        figures=expand(str(FIGURES / "{prefix}_{fig}.{ext}"), prefix=MEETINGS_PREFIX, fig=MEETINGS_FIGURES, ext=["png", "svg"]),
        md=str(REPORTS / "forsakringskassan.md"),
    log:
        "logs/meetings.log",
    run:
        from analysis.cli import run_stage

        run_stage(
            ["meetings", "--config", input.config, "--schema", input.schema, "--tables", *input.tables, "--events", input.events]
            + ["--codebook", input.codebook, "--out", *output.tables, *output.figures, "--out-md", output.md],
            log=log[0],
            isolate=True,
        )
