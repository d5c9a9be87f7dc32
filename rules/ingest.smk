# Ingest: each source's raw tables, facts and events -> typed long-format Parquet with
# provenance (one job per source), then the summaries of all sources combined.

for sid in config["sources"]:

    rule:
        name:
            f"ingest_{sid}"
        input:
            source=f"{RAW}/{sid}/source.yaml",
            known_issues=raw_file(sid, "known_issues.yaml"),
            facts=raw_file(sid, "facts.csv"),
            events=raw_file(sid, "events.csv"),
            numbers=raw_file(sid, "numbers.csv"),
            figures=raw_file(sid, "figures.yaml"),
            tables=raw_tables(sid),
            schemas=RAW_SCHEMAS,
            code=code("analysis/core", "analysis/ingest"),
            settings=settings(f"ingest_{sid}", source=sid, tables=table_ids(sid), stale=config["known_issues"]["stale"]),
        output:
            **ingest_outputs(sid),
        log:
            f"{LOGS}/ingest_{sid}.log",
        run:
            from analysis.core.pool import warm

            # start the workers for the model and figure jobs that follow, before this job
            # imports pandas: both imports then run at once, on the two cores
            warm()
            from analysis.ingest.stage import run

            run(input, output, read_settings(input.settings), log)


rule catalog:
    input:
        catalog=[f"{PROCESSED}/{sid}/catalog.parquet" for sid in config["sources"]],
        codebook=[f"{PROCESSED}/{sid}/codebook.parquet" for sid in config["sources"]],
        validation=[f"{PROCESSED}/{sid}/validation.parquet" for sid in config["sources"]],
        known_issues=[f"{PROCESSED}/{sid}/known_issues.parquet" for sid in config["sources"]],
        figures=[f"{PROCESSED}/{sid}/figures.parquet" for sid in config["sources"] if raw_file(sid, "figures.yaml")],
        code=code("analysis/core", "analysis/ingest/stage.py"),
    output:
        **{
            name: f"{PROCESSED}/{name}.parquet"
            for name in ("catalog", "codebook", "validation", "known_issues", "figures")
        },
        **{
            f"{name}_csv": f"{PROCESSED}/{name}.csv"
            for name in ("catalog", "codebook", "validation", "known_issues", "figures")
        },
    log:
        f"{LOGS}/catalog.log",
    run:
        from analysis.ingest.stage import run_catalog

        run_catalog(input, output, params, log)
