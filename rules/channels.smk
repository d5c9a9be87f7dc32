# Arbetsförmedlingen channel shift (config: channels): Tabell 1 composition, channel
# indicators, the business-case cost model written out, and its sensitivity.

CHANNELS = config["channels"]["source"]


rule channels:
    input:
        tables=processed(CHANNELS, [config["channels"]["composition_table"]]),
        facts=f"{PROCESSED}/{CHANNELS}/facts.parquet",
        codebook=f"{PROCESSED}/{CHANNELS}/codebook.parquet",
        cost_model=f"{RAW}/{CHANNELS}/cost_model.yaml",
        schema=REGISTERS_SCHEMA,
        code=code("analysis/core", "analysis/costmodel", "analysis/channels", "analysis/report", "figures"),
    output:
        **result_outputs(CHANNELS, CHANNELS_TABLES),
        **figure_outputs(CHANNELS, CHANNELS_FIGURES),
        md=f"{REPORTS}/arbetsformedlingen.md",
    params:
        settings=config["channels"],
        intervals=config["intervals"],
        language=config["language"],
        formats=config["figure_formats"],
    log:
        f"{LOGS}/channels.log",
    run:
        from analysis.channels.stage import run

        run(input, output, params, log)
