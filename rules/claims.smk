# Claims audit (config: claims): every numeric claim in the reports' text recomputed
# from their own tables and printed figures, with rounding-aware verdicts. One audit per
# report (claims_<source>), the tables of all combined (claims), the section (report_claims).

import re

from analysis.claims import REPORT_TABLES as CLAIMS_REPORT_TABLES
from analysis.claims import SOURCE_TABLES as CLAIMS_SOURCE_TABLES

CLAIMS = config["claims"]["sources"]


# The sources whose tables and facts each audit reads: its own, and any other that its
# register cites ('source:' keys, found by a scan of the register's text; an id that is
# not a source is left for the audit to report).
CLAIMS_READS = {
    sid: [sid]
    + sorted(
        set(
            re.findall(
                r"\bsource:\s*[\"']?(\w+)",
                Path(RAW, sid, "claims.yaml").read_text(encoding="utf-8"),
            )
        )
        & set(config["sources"]) - {sid}
    )
    for sid in CLAIMS
}
# The tables of each report's audit (Parquet only; rule claims combines them).
CLAIMS_OUTPUTS = {sid: {name: f"{TABLES}/{sid}_{name}.parquet" for name in CLAIMS_SOURCE_TABLES} for sid in CLAIMS}


for sid in CLAIMS:

    rule:
        name:
            f"claims_{sid}"
        input:
            claims=f"{RAW}/{sid}/claims.yaml",
            tables=[p for s in CLAIMS_READS[sid] for p in processed(s)],
            facts=[f"{PROCESSED}/{s}/facts.parquet" for s in CLAIMS_READS[sid] if raw_file(s, "facts.csv")],
            cost_model=raw_file(sid, "cost_model.yaml"),
            schema=REGISTERS_SCHEMA,
            # the claims audit reads printed figures through the cost model's qualified
            # intervals, so it imports analysis/costmodel with or without a cost model
            code=code("analysis/core", "analysis/claims", "analysis/costmodel", "analysis/ingest/pages.py"),
            settings=settings(
                f"claims_{sid}",
                source=sid,
                similar_within=config["claims"]["similar_within"],
                intervals=config["intervals"],
            ),
        output:
            **CLAIMS_OUTPUTS[sid],
        log:
            f"{LOGS}/claims_{sid}.log",
        run:
            from analysis.claims.stage import run

            # pandas only, and ready to run while the workers are still starting: in the
            # rule's thread, so the models and figures that follow have both workers
            run(input, output, read_settings(input.settings), log)


rule claims:
    input:
        **{name: [CLAIMS_OUTPUTS[sid][name] for sid in CLAIMS] for name in CLAIMS_SOURCE_TABLES},
        code=code("analysis/core", "analysis/claims", "analysis/costmodel"),
        settings=settings(
            "claims",
            sources=CLAIMS,
            settings=config["claims"],
            registers=[f"{RAW}/{sid}/claims.yaml" for sid in CLAIMS],
        ),
    output:
        **{name: f"{TABLES}/{name}.parquet" for name in CLAIMS_TABLES},
        **{
            f"{name}_csv": report_table(f"{TABLES}/{name}.csv", "claims", "Claims audit", name)
            for name in CLAIMS_TABLES
        },
    log:
        f"{LOGS}/claims.log",
    run:
        from analysis.claims.stage import run_combine

        # light (pandas only): in the rule's thread, never queued behind the figure parts
        run_combine(input, output, read_settings(input.settings), log)


rule report_claims:
    input:
        **{name: getattr(rules.claims.output, name) for name in CLAIMS_REPORT_TABLES},
        template=template("claims.md.j2"),
        catalogs=translation("claims"),
        code=code(
            "analysis/core",
            "analysis/claims/__init__.py",
            "analysis/report/claims.py",
            "analysis/report/render.py",
            "analysis/report/markdown.py",
        ),
        settings=settings("report_claims", language=config["language"]),
    output:
        md=f"{REPORTS}/claims.md",
        part=page_part("claims"),
    log:
        f"{LOGS}/report_claims.log",
    run:
        from analysis.report.claims import run

        run(input, output, read_settings(input.settings), log)
