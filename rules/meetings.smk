# Försäkringskassan meetings (config: meetings): trend series, segmented count models
# with breakpoints from events, breakpoint scan, group shares and odds ratios.

MEETINGS = config["meetings"]["source"]


def meetings_tables():
    """The processed tables the meetings analysis reads (named in config: meetings)."""
    m = config["meetings"]
    return processed(MEETINGS, [m["series_table"], m["end_reason_table"], m["group_table"], m["diagnosis_table"]])


rule meetings:
    input:
        tables=meetings_tables(),
        events=f"{PROCESSED}/{MEETINGS}/events.parquet",
        codebook=f"{PROCESSED}/{MEETINGS}/codebook.parquet",
        code=code("analysis/core", "analysis/meetings", "analysis/report", "figures"),
    output:
        **result_outputs(MEETINGS, MEETINGS_TABLES),
        **figure_outputs(MEETINGS, MEETINGS_FIGURES),
        md=f"{REPORTS}/forsakringskassan.md",
    params:
        settings=config["meetings"],
        language=config["language"],
        formats=config["figure_formats"],
    log:
        f"{LOGS}/meetings.log",
    run:
        from analysis.meetings.stage import run

        run(input, output, params, log)
