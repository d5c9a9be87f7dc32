# Reports: the index of every dataset with its checks, as Markdown and HTML.


rule report_index:
    input:
        catalog=str(PROCESSED / "catalog.parquet"),
        validation=str(PROCESSED / "validation.parquet"),
        known_issues=str(PROCESSED / "known_issues.parquet"),
        codebook=str(PROCESSED / "codebook.parquet"),
        code=CODE,
        config="config.yaml",
    output:
        md=str(REPORTS / "index.md"),
        codebook=str(REPORTS / "codebook.md"),
    log:
        "logs/report_index.log",
    run:
        from analysis.cli import run_stage

        run_stage(
            ["report", "--catalog", input.catalog, "--validation", input.validation]
            + ["--known-issues", input.known_issues, "--codebook", input.codebook]
            + ["--language", config["language"], "--out-md", output.md, "--out-codebook", output.codebook],
            log=log[0],
        )


rule report_html:
    input:
        sections=[
            rules.report_index.output.md,
            rules.survey.output.md,
            rules.meetings.output.md,
            rules.channels.output.md,
            rules.claims.output.md,
            rules.report_index.output.codebook,
        ],
        figures=[
            f
            for f in [*rules.survey.output.figures, *rules.meetings.output.figures, *rules.channels.output.figures]
            if f.endswith(".png")
        ],
        code=CODE,
        config="config.yaml",
    output:
        html=str(REPORTS / "index.html"),
    log:
        "logs/report_html.log",
    run:
        from analysis.cli import run_stage

        run_stage(
            ["html", "--sections", *input.sections, "--figures", *input.figures]
            + ["--language", config["language"], "--out-html", output.html],
            log=log[0],
        )
