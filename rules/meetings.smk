# Försäkringskassan meetings (config: meetings): trend series, segmented count models
# with breakpoints from events, breakpoint scan, group shares and odds ratios (rule
# meetings: result tables only); their figures (figures_meetings) and the report section
# (report_meetings), each reading the result tables it needs.

from analysis.meetings import FIGURE_TABLES as MEETINGS_FIGURE_TABLES
from analysis.meetings import REPORT_TABLES as MEETINGS_REPORT_TABLES

MEETINGS = config["meetings"]["source"]
MEETINGS_INPUTS = ("series_table", "end_reason_table", "group_table", "diagnosis_table")


rule meetings:
    input:
        tables=processed(MEETINGS, [config["meetings"][k] for k in MEETINGS_INPUTS]),
        events=f"{PROCESSED}/{MEETINGS}/events.parquet",
        code=code("analysis/core", "analysis/meetings"),
        settings=settings("meetings", settings=config["meetings"]),
    output:
        **result_outputs(MEETINGS, MEETINGS_TABLES),
    log:
        f"{LOGS}/meetings.log",
    run:
        from analysis.meetings.stage import run
        from analysis.core.pool import offload

        # the whole analysis in one worker: a second worker would import statsmodels and
        # scipy.stats too (1.5 s) for 0.3 s of fitting
        offload(run, input, output, read_settings(input.settings), log)


rule figures_meetings:
    input:
        **{n: getattr(rules.meetings.output, n) for n in MEETINGS_FIGURE_TABLES},
        codebook=f"{PROCESSED}/{MEETINGS}/codebook.parquet",
        catalogs=translation("meetings"),
        code=code(
            "analysis/core",
            "analysis/meetings/__init__.py",
            "analysis/report/meetings.py",
            "analysis/report/meetings_figures.py",
            "analysis/report/render.py",
            "figures/meetings.py",
            "figures/style.py",
        ),
        settings=settings(
            "figures_meetings",
            settings=config["meetings"],
            language=config["language"],
            formats=config["figure_formats"],
        ),
    output:
        **figure_outputs(MEETINGS, MEETINGS_FIGURES),
    log:
        f"{LOGS}/figures_meetings.log",
    run:
        from analysis.report.meetings_figures import run
        from analysis.core.pool import offload_parts

        # the figures are drawn in both workers at once, a part each
        offload_parts(
            run,
            "figures_meetings",
            input,
            output,
            read_settings(input.settings),
            log,
            MEETINGS_FIGURES,
            cost=MEETINGS_FIGURE_COST,
        )


rule report_meetings:
    input:
        **{n: getattr(rules.meetings.output, n) for n in MEETINGS_REPORT_TABLES},
        events=f"{PROCESSED}/{MEETINGS}/events.parquet",
        codebook=f"{PROCESSED}/{MEETINGS}/codebook.parquet",
        template=template("meetings.md.j2"),
        catalogs=translation("meetings"),
        code=code(
            "analysis/core",
            "analysis/meetings/__init__.py",
            "analysis/report/meetings.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
        ),
        settings=settings(
            "report_meetings",
            settings=config["meetings"],
            language=config["language"],
            figures=figure_links(MEETINGS, MEETINGS_FIGURES),
        ),
    output:
        md=f"{REPORTS}/forsakringskassan.md",
        part=page_part("forsakringskassan"),
    log:
        f"{LOGS}/report_meetings.log",
    run:
        from analysis.report.meetings import run

        run(input, output, read_settings(input.settings), log)
