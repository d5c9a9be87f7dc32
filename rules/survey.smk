# Riksrevisionen survey (config: survey): recovered denominators, estimates with
# intervals and tests (rule survey, no language), their figures (figures_survey) and
# the report section (report_survey).

from analysis.survey import FIGURES as SURVEY_EXTRA_FIGURES

SURVEY = config["survey"]["source"]
SURVEY_FIGURES = [*table_ids(SURVEY), *SURVEY_EXTRA_FIGURES]


rule survey:
    input:
        tables=processed(SURVEY),
        facts=f"{PROCESSED}/{SURVEY}/facts.parquet",
        codebook=f"{PROCESSED}/{SURVEY}/codebook.parquet",
        code=code("analysis/core", "analysis/survey"),
        settings=settings("survey", settings=config["survey"]),
    output:
        **result_outputs(SURVEY, SURVEY_TABLES),
    log:
        f"{LOGS}/survey.log",
    run:
        from analysis.survey.stage import run
        from analysis.core.pool import offload

        offload(run, input, output, read_settings(input.settings), log)


rule figures_survey:
    input:
        tables=processed(SURVEY),
        facts=f"{PROCESSED}/{SURVEY}/facts.parquet",
        codebook=f"{PROCESSED}/{SURVEY}/codebook.parquet",
        estimates=rules.survey.output.estimates,
        answers=rules.survey.output.answers,
        catalogs=translation("survey"),
        code=code(
            "analysis/core",
            "analysis/survey/__init__.py",
            "analysis/survey/shared.py",
            "analysis/report/survey.py",
            "analysis/report/survey_figures.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
            "figures/survey.py",
            "figures/style.py",
        ),
        settings=settings(
            "figures_survey",
            settings=config["survey"],
            language=config["language"],
            formats=config["figure_formats"],
            figures=SURVEY_FIGURES,
        ),
    output:
        **figure_outputs(SURVEY, SURVEY_FIGURES),
    log:
        f"{LOGS}/figures_survey.log",
    run:
        from analysis.report.survey_figures import run
        from analysis.core.pool import offload_parts

        # the figures are drawn in both workers at once, a part each
        offload_parts(run, "figures_survey", input, output, read_settings(input.settings), log, SURVEY_FIGURES)


rule report_survey:
    input:
        **{name: rules.survey.output[name] for name in SURVEY_TABLES},
        tables=processed(SURVEY),
        facts=f"{PROCESSED}/{SURVEY}/facts.parquet",
        codebook=f"{PROCESSED}/{SURVEY}/codebook.parquet",
        template=template("survey.md.j2"),
        catalogs=translation("survey"),
        code=code(
            "analysis/core",
            "analysis/survey/__init__.py",
            "analysis/survey/shared.py",
            "analysis/report/survey.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
        ),
        settings=settings(
            "report_survey",
            settings=config["survey"],
            language=config["language"],
            figures=figure_links(SURVEY, SURVEY_FIGURES),
        ),
    output:
        md=f"{REPORTS}/riksrevisionen.md",
        part=page_part("riksrevisionen"),
    log:
        f"{LOGS}/report_survey.log",
    run:
        from analysis.report.survey import run

        run(input, output, read_settings(input.settings), log)
