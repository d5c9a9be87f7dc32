# Försäkringskassan meetings (config: meetings). Two analysis jobs that run at once: the
# half-year series and their segmented count models, breakpoint scan and counterfactuals
# (meetings: statsmodels), and the registers by group: shares, risk and odds ratios,
# spread (meetings_groups: closed forms). Each writes result tables only; each has its
# figures job; the report section (report_meetings) reads the tables of both.

from analysis.meetings import GROUP_FIGURES as MEETINGS_GROUP_FIGURES
from analysis.meetings import GROUP_RESULTS as MEETINGS_GROUP_RESULTS
from analysis.meetings import GROUP_SETTINGS as MEETINGS_GROUP_SETTINGS
from analysis.meetings import REPORT_TABLES as MEETINGS_REPORT_TABLES
from analysis.meetings import SERIES_FIGURES as MEETINGS_SERIES_FIGURES
from analysis.meetings import SERIES_RESULTS as MEETINGS_SERIES_RESULTS
from analysis.meetings import SERIES_SETTINGS as MEETINGS_SERIES_SETTINGS
from analysis.meetings import figure_tables as meetings_figure_tables

MEETINGS = config["meetings"]["source"]
MEETINGS_GROUP_INPUTS = ("end_reason_table", "group_table", "diagnosis_table")
# The figures code (labels, captions and drawing) of both figures jobs.
MEETINGS_FIGURE_CODE = code(
    "analysis/core",
    "analysis/meetings/__init__.py",
    "analysis/report/meetings.py",
    "analysis/report/meetings_figures.py",
    "analysis/report/render.py",
    "figures/meetings.py",
    "figures/style.py",
)


rule meetings:
    input:
        tables=processed(MEETINGS, [config["meetings"]["series_table"]]),
        events=f"{PROCESSED}/{MEETINGS}/events.parquet",
        code=code(
            "analysis/core",
            "analysis/meetings/__init__.py",
            "analysis/meetings/analysis.py",
            "analysis/meetings/batched.py",
            "analysis/meetings/models.py",
            "analysis/meetings/stage.py",
        ),
        settings=settings("meetings", settings=config_keys("meetings", MEETINGS_SERIES_SETTINGS)),
    output:
        **result_outputs(MEETINGS, MEETINGS_SERIES_RESULTS),
    log:
        f"{LOGS}/meetings.log",
    run:
        from analysis.meetings.stage import run
        from analysis.core.pool import offload

        # one worker imports statsmodels and scipy.stats and fits every model (a second
        # worker would import them too, for less fitting than the import costs)
        offload(run, input, output, read_settings(input.settings), log)


rule meetings_groups:
    input:
        tables=processed(MEETINGS, [config["meetings"][k] for k in MEETINGS_GROUP_INPUTS]),
        code=code(
            "analysis/core",
            "analysis/meetings/__init__.py",
            "analysis/meetings/groups.py",
            "analysis/meetings/stage.py",
        ),
        settings=settings("meetings_groups", settings=config_keys("meetings", MEETINGS_GROUP_SETTINGS)),
    output:
        **result_outputs(MEETINGS, MEETINGS_GROUP_RESULTS),
    log:
        f"{LOGS}/meetings_groups.log",
    run:
        from analysis.meetings.stage import run_groups
        from analysis.core.pool import offload

        # in the other worker, while the first one fits the models
        offload(run_groups, input, output, read_settings(input.settings), log)


rule figures_meetings:
    input:
        **{n: getattr(rules.meetings.output, n) for n in meetings_figure_tables(MEETINGS_SERIES_FIGURES)},
        codebook=f"{PROCESSED}/{MEETINGS}/codebook.parquet",
        catalogs=translation("meetings"),
        code=MEETINGS_FIGURE_CODE,
        settings=settings(
            "figures_meetings",
            settings=config["meetings"],
            language=config["language"],
            formats=config["figure_formats"],
        ),
    output:
        **figure_outputs(MEETINGS, MEETINGS_SERIES_FIGURES),
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
            MEETINGS_SERIES_FIGURES,
            cost=MEETINGS_FIGURE_COST,
        )


rule figures_meetings_groups:
    input:
        **{n: getattr(rules.meetings_groups.output, n) for n in meetings_figure_tables(MEETINGS_GROUP_FIGURES)},
        codebook=f"{PROCESSED}/{MEETINGS}/codebook.parquet",
        catalogs=translation("meetings"),
        code=MEETINGS_FIGURE_CODE,
        settings=settings(
            "figures_meetings_groups",
            settings=config["meetings"],
            language=config["language"],
            formats=config["figure_formats"],
        ),
    output:
        **figure_outputs(MEETINGS, MEETINGS_GROUP_FIGURES),
    log:
        f"{LOGS}/figures_meetings_groups.log",
    run:
        from analysis.report.meetings_figures import run
        from analysis.core.pool import offload_parts

        # drawn while the models are still being fitted
        offload_parts(
            run,
            "figures_meetings_groups",
            input,
            output,
            read_settings(input.settings),
            log,
            MEETINGS_GROUP_FIGURES,
            cost=MEETINGS_FIGURE_COST,
        )


rule report_meetings:
    input:
        **{n: getattr(rules.meetings.output, n) for n in MEETINGS_REPORT_TABLES if n in MEETINGS_SERIES_RESULTS},
        **{n: getattr(rules.meetings_groups.output, n) for n in MEETINGS_REPORT_TABLES if n in MEETINGS_GROUP_RESULTS},
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
