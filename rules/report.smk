# Reports: the data catalogue, the translations of every section, and the HTML page.


rule translations:
    input:
        po=f"{LOCALE_SOURCE}/{{language}}/LC_MESSAGES/{{domain}}.po",
        sources=domain_sources,
        code=code("analysis/report/catalogs.py"),
    output:
        mo=f"{LOCALE_BUILD}/{{language}}/LC_MESSAGES/{{domain}}.mo",
    log:
        f"{LOGS}/translations_{{language}}_{{domain}}.log",
    run:
        from analysis.report.catalogs import run

        run(input, output, params, log)


rule report_index:
    input:
        catalog=rules.catalog.output.catalog,
        validation=rules.catalog.output.validation,
        known_issues=rules.catalog.output.known_issues,
        codebook=rules.catalog.output.codebook,
        index_template=template("index.md.j2"),
        codebook_template=template("index_codebook.md.j2"),
        catalogs=translation("index"),
        code=code(
            "analysis/core", "analysis/report/index.py", "analysis/report/render.py", "analysis/report/markdown.py"
        ),
        settings=settings("report_index", language=config["language"]),
    output:
        md=f"{REPORTS}/index.md",
        codebook=f"{REPORTS}/codebook.md",
    log:
        f"{LOGS}/report_index.log",
    run:
        from analysis.report.index import run

        run(input, output, read_settings(input.settings), log)


rule report_html:
    input:
        sections=[
            rules.report_index.output.md,
            rules.report_survey.output.md,
            rules.report_meetings.output.md,
            rules.report_channels.output.md,
            rules.report_claims.output.md,
            rules.report_index.output.codebook,
        ],
        figures=[*pngs(rules.figures_survey), *pngs(rules.figures_meetings), *pngs(rules.figures_channels)],
        template=template("html_page.html.j2"),
        catalogs=translation("html"),
        code=code(
            "analysis/core", "analysis/report/html.py", "analysis/report/render.py", "analysis/report/markdown.py"
        ),
        settings=settings("report_html", language=config["language"]),
    output:
        html=f"{REPORTS}/index.html",
    log:
        f"{LOGS}/report_html.log",
    run:
        from analysis.report.html import run

        run(input, output, read_settings(input.settings), log)
