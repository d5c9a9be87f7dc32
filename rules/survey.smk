# Riksrevisionen survey (config: survey): recovered denominators, estimates with
# intervals, tests, figures and the report section.

SURVEY = config["survey"]["source"]


rule survey:
    input:
        tables=processed(SURVEY),
        facts=f"{PROCESSED}/{SURVEY}/facts.parquet",
        codebook=f"{PROCESSED}/{SURVEY}/codebook.parquet",
        code=code("analysis/core", "analysis/survey", "analysis/report", "figures"),
    output:
        **result_outputs(SURVEY, SURVEY_TABLES),
        **figure_outputs(SURVEY, [*table_ids(SURVEY), "dotplot"]),
        md=f"{REPORTS}/riksrevisionen.md",
    params:
        settings=config["survey"],
        language=config["language"],
        formats=config["figure_formats"],
    log:
        f"{LOGS}/survey.log",
    run:
        from analysis.survey.stage import run

        run(input, output, params, log)
