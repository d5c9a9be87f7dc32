# Arbetsförmedlingen channel shift (config: channels): Tabell 1 composition, channel
# indicators, the business-case cost model written out, and its sensitivity.
# Three jobs: the analysis (result tables), its figures, and its report section.

CHANNELS = config["channels"]["source"]
CHANNELS_PROCESSED = {
    "tables": processed(CHANNELS, [config["channels"]["composition_table"]]),
    "facts": f"{PROCESSED}/{CHANNELS}/facts.parquet",
    "codebook": f"{PROCESSED}/{CHANNELS}/codebook.parquet",
}


rule channels:
    input:
        tables=CHANNELS_PROCESSED["tables"],
        facts=CHANNELS_PROCESSED["facts"],
        cost_model=f"{RAW}/{CHANNELS}/cost_model.yaml",
        schema=REGISTERS_SCHEMA,
        code=code("analysis/core", "analysis/costmodel", "analysis/channels"),
        settings=settings("channels", settings=config["channels"], intervals=config["intervals"]),
    output:
        **result_outputs(CHANNELS, CHANNELS_TABLES),
    log:
        f"{LOGS}/channels.log",
    run:
        from analysis.channels.stage import run
        from analysis.core.pool import offload

        offload(run, input, output, read_settings(input.settings), log)


rule figures_channels:
    input:
        **CHANNELS_PROCESSED,
        staff=rules.channels.output.staff,
        cost_model=rules.channels.output.cost_model,
        sensitivity=rules.channels.output.sensitivity,
        catalogs=translation("channels"),
        code=code(
            "analysis/core",
            "analysis/report/channels.py",
            "analysis/report/channels_figures.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
            "figures/channels.py",
            "figures/style.py",
        ),
        settings=settings(
            "figures_channels",
            settings=config["channels"],
            language=config["language"],
            formats=config["figure_formats"],
        ),
    output:
        **figure_outputs(CHANNELS, CHANNELS_FIGURES),
    log:
        f"{LOGS}/figures_channels.log",
    run:
        from analysis.report.channels_figures import run
        from analysis.core.pool import offload_parts

        # the figures are drawn in both workers at once, a part each
        offload_parts(
            run,
            "figures_channels",
            input,
            output,
            read_settings(input.settings),
            log,
            CHANNELS_FIGURES,
            cost=CHANNELS_FIGURE_COST,
        )


rule report_channels:
    input:
        **{name: getattr(rules.channels.output, name) for name in CHANNELS_TABLES},
        facts=CHANNELS_PROCESSED["facts"],
        codebook=CHANNELS_PROCESSED["codebook"],
        template=template("channels.md.j2"),
        catalogs=translation("channels"),
        code=code(
            "analysis/core",
            "analysis/channels/__init__.py",
            "analysis/report/channels.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
        ),
        settings=settings(
            "report_channels",
            settings=config["channels"],
            language=config["language"],
            figures=figure_links(CHANNELS, CHANNELS_FIGURES),
        ),
    output:
        md=f"{REPORTS}/arbetsformedlingen.md",
        part=page_part("arbetsformedlingen"),
    log:
        f"{LOGS}/report_channels.log",
    run:
        from analysis.report.channels import run

        run(input, output, read_settings(input.settings), log)
