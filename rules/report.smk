# Reports: the translations of every section, the main findings, the data catalogue, and
# the HTML report (one page per source document, the claims audit and an appendix).

from analysis.report.names import FINDINGS_TABLES, named_result_tables

# Sources with a findings register (data/raw/<source>/findings.yaml), in config order.
FINDINGS = [sid for sid in config["sources"] if raw_file(sid, "findings.yaml")]
# The analysis section of each source document (reports/<name>.md) and its page part.
SOURCE_SECTIONS = {
    SURVEY: rules.report_survey.output.md,
    MEETINGS: rules.report_meetings.output.md,
    CHANNELS: rules.report_channels.output.md,
}
SOURCE_PARTS = {
    SURVEY: rules.report_survey.output.part,
    MEETINGS: rules.report_meetings.output.part,
    CHANNELS: rules.report_channels.output.part,
}
# The result tables a findings register may name (every analysis's Parquet tables).
RESULT_TABLES = sorted(
    p
    for r in (rules.survey, rules.meetings, rules.meetings_groups, rules.channels, rules.claims)
    for p in r.output
    if p.endswith(".parquet")
)
# The result tables the findings registers name (all of them when a register cannot be
# read at startup: report_findings then reports why).
FINDINGS_NAMED = named_result_tables([f"{RAW}/{sid}/findings.yaml" for sid in FINDINGS])
FINDINGS_RESULT_TABLES = [p for p in RESULT_TABLES if FINDINGS_NAMED is None or Path(p).stem in FINDINGS_NAMED]
# The pages of the HTML report after the overview (index.html), as the page parts of
# their report files: one per source document (its findings, then its analysis section),
# the claims audit, the appendix (catalogue).
HTML_PAGES = {
    **{
        sid: [
            *([page_part(f"findings_{sid}")] if sid in FINDINGS else []),
            *([SOURCE_PARTS[sid]] if sid in SOURCE_PARTS else []),
        ]
        for sid in config["sources"]
        if sid in FINDINGS or sid in SOURCE_PARTS
    },
    "claims": [rules.report_claims.output.part],
    "appendix": [page_part("index"), page_part("codebook")],
}


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


rule report_findings:
    input:
        registers=[f"{RAW}/{sid}/findings.yaml" for sid in FINDINGS],
        schema="schemas/findings.schema.yaml",
        claims=rules.claims.output.claims,
        tables=FINDINGS_RESULT_TABLES,
        catalog=rules.catalog.output.catalog,
        overview_template=template("findings.md.j2"),
        source_template=template("findings_source.md.j2"),
        catalogs=translation("findings"),
        code=code(
            "analysis/core",
            "analysis/claims/__init__.py",
            "analysis/report/findings.py",
            "analysis/report/index.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
        ),
        settings=settings(
            "report_findings",
            language=config["language"],
            result_tables=[Path(p).stem for p in RESULT_TABLES],
        ),
    output:
        **{n: f"{TABLES}/{n}.parquet" for n in FINDINGS_TABLES},
        **{f"{n}_csv": report_table(f"{TABLES}/{n}.csv", "findings", "Findings", n) for n in FINDINGS_TABLES},
        **{f"md_{sid}": f"{REPORTS}/findings_{sid}.md" for sid in FINDINGS},
        **{f"part_{sid}": page_part(f"findings_{sid}") for sid in FINDINGS},
        md=f"{REPORTS}/findings.md",
    log:
        f"{LOGS}/report_findings.log",
    run:
        from analysis.report.findings import run

        run(input, output, read_settings(input.settings), log)


rule report_index:
    input:
        catalog=rules.catalog.output.catalog,
        validation=rules.catalog.output.validation,
        known_issues=rules.catalog.output.known_issues,
        codebook=rules.catalog.output.codebook,
        figures=rules.catalog.output.figures,
        index_template=template("index.md.j2"),
        codebook_template=template("index_codebook.md.j2"),
        catalogs=translation("index"),
        code=code(
            "analysis/core", "analysis/report/index.py", "analysis/report/render.py", "analysis/report/markdown.py"
        ),
        settings=settings(
            "report_index",
            language=config["language"],
            sections={
                "findings": "findings.md",
                **{
                    k: Path(SOURCE_SECTIONS[v]).name
                    for k, v in (("survey", SURVEY), ("meetings", MEETINGS), ("channels", CHANNELS))
                },
                "claims": "claims.md",
                "codebook": "codebook.md",
            },
        ),
    output:
        md=f"{REPORTS}/index.md",
        codebook=f"{REPORTS}/codebook.md",
        part=page_part("index"),
        codebook_part=page_part("codebook"),
    log:
        f"{LOGS}/report_index.log",
    run:
        from analysis.report.index import run

        run(input, output, read_settings(input.settings), log)


rule report_html:
    input:
        **{f"page_{slug}": files for slug, files in HTML_PAGES.items()},
        findings=[rules.report_findings.output[n] for n in FINDINGS_TABLES],
        figures=[
            *pngs(rules.figures_survey),
            *pngs(rules.figures_meetings),
            *pngs(rules.figures_meetings_groups),
            *pngs(rules.figures_channels),
        ],
        template=template("html_page.html.j2"),
        overview_template=template("findings_overview.html.j2"),
        catalogs=translation("html"),
        findings_catalogs=translation("findings"),
        code=code(
            "analysis/core",
            "analysis/claims/__init__.py",
            "analysis/report/html.py",
            "analysis/report/findings.py",
            "analysis/report/index.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
        ),
        settings=settings(
            "report_html",
            language=config["language"],
            pages=list(HTML_PAGES),
            sources=[sid for sid in HTML_PAGES if sid in config["sources"]],
        ),
    output:
        **{f"html_{slug}": f"{REPORTS}/{slug}.html" for slug in HTML_PAGES},
        html=f"{REPORTS}/index.html",
    log:
        f"{LOGS}/report_html.log",
    run:
        from analysis.report.html import run

        run(input, output, read_settings(input.settings), log)
