# Ingest: every raw table, facts and events file -> typed long-format Parquet with
# provenance, plus the catalog, codebook, validation and known-issues tables.
# One job for all sources, so pandas is imported once however many tables there are.


rule ingest:
    input:
        raw=get_raw_files(),
        schemas=SCHEMAS,
        code=CODE,
        config="config.yaml",
    output:
        datasets=processed_datasets(),
        summaries=expand(str(PROCESSED / "{name}.{ext}"), name=SUMMARY_TABLES, ext=["parquet", "csv"]),
    log:
        "logs/ingest.log",
    run:
        from analysis.cli import run_stage

        run_stage(
            ["ingest", "--sources", *config["sources"], "--stale", config["known_issues"]["stale"]]
            + ["--schemas", *input.schemas]
            + ["--raw", *input.raw, "--out", *output],
            log=log[0],
        )
