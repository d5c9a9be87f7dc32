# Path and wildcard helpers only. No analysis logic lives here.

from pathlib import Path

RAW = Path("data/raw")
PROCESSED = Path("data/processed")
REPORTS = Path("reports")
SCHEMAS = sorted(
    str(p) for p in Path("schemas").glob("*.schema.yaml") if p.name not in ("config.schema.yaml", "analysis.schema.yaml")
)
ANALYSIS_SCHEMA = "schemas/analysis.schema.yaml"
# The package code the jobs execute, declared as input so that a code change reruns them.
CODE = sorted(str(p) for p in Path("src/analysis").glob("*.py"))
FIGURE_CODE = sorted(str(p) for p in Path("src/figures").glob("*.py"))
TABLES = REPORTS / "tables"
FIGURES = REPORTS / "figures"
SURVEY_PREFIX = config["survey"]["source"]
SURVEY_TABLES = ["denominators", "intersections", "estimates", "tests", "pairwise", "answers", "answer_checks"]
MEETINGS_PREFIX = config["meetings"]["source"]
MEETINGS_TABLES = ["trend", "breaks", "coefficients", "effects", "diagnostics", "fitted", "scan",
                   "shares", "odds_ratios", "group_tests", "diagnosis_meetings"]
MEETINGS_FIGURES = ["series", "end_reason", "groups", "odds_ratios", "scan"]
CHANNELS_PREFIX = config["channels"]["source"]
CHANNELS_TABLES = ["composition", "weighted_mean", "indicators", "staff", "cost_model", "sensitivity"]
CHANNELS_FIGURES = ["composition", "transfers", "staff", "cost_model", "tornado"]
SUMMARY_TABLES = ["catalog", "codebook", "validation", "known_issues"]
SOURCE_FILES = ["source.yaml", "known_issues.yaml", "facts.csv", "events.csv"]


def check_sources():
    """Fail early, naming config.yaml, when a configured source has no folder."""
    text = Path("config.yaml").read_text(encoding="utf-8").splitlines()
    for sid in config["sources"]:
        if not (RAW / sid / "source.yaml").is_file():
            line = next((i for i, t in enumerate(text, 1) if t.strip().startswith(f"- {sid}")), None)
            where = f"config.yaml:{line}:5" if line else "config.yaml"
            raise WorkflowError(
                f"{where}: unknown source {sid!r}; expected a folder data/raw/{sid}/ with a source.yaml "
                f"(available: {', '.join(sorted(p.parent.name for p in RAW.glob('*/source.yaml')))})"
            )


def table_ids(sid):
    return sorted(p.stem for p in (RAW / sid / "tables").glob("*.csv"))


def get_raw_files(wildcards=None):
    """Every raw file of every configured source: the ingest job's declared inputs."""
    files = []
    for sid in config["sources"]:
        files += [str(RAW / sid / f) for f in SOURCE_FILES if (RAW / sid / f).is_file()]
        for tables in ("*.csv", "*.yaml"):
            files += sorted(str(p) for p in (RAW / sid / "tables").glob(tables))
    return files


def processed_datasets():
    """Every Parquet dataset the raw files produce (one per table, facts and events)."""
    out = []
    for sid in config["sources"]:
        out += [str(PROCESSED / sid / f"{t}.parquet") for t in table_ids(sid)]
        out += [str(PROCESSED / sid / f"{k}.parquet") for k in ("facts", "events") if (RAW / sid / f"{k}.csv").is_file()]
    return out


def survey_tables():
    """The processed tables of the survey source (one Parquet per raw table)."""
    sid = config["survey"]["source"]
    return [str(PROCESSED / sid / f"{t}.parquet") for t in table_ids(sid)]


def meetings_tables():
    """The processed tables the meetings analysis reads (named in config: meetings)."""
    m = config["meetings"]
    names = [m["series_table"], m["end_reason_table"], m["group_table"], m["diagnosis_table"]]
    return [str(PROCESSED / m["source"] / f"{t}.parquet") for t in names]


def survey_figures():
    """One figure per survey table and the agency x question dot plot."""
    return [*table_ids(config["survey"]["source"]), "dotplot"]


check_sources()


CLAIMS_TABLES = ["claims", "claims_detail"]


def get_claims_registers():
    """The claims register (claims.yaml) of every audited report."""
    return [str(RAW / sid / "claims.yaml") for sid in config["claims"]["sources"]]


def claims_tables():
    """Every processed table of the audited reports (a claim may cite any of them)."""
    return [str(PROCESSED / sid / f"{t}.parquet") for sid in config["claims"]["sources"] for t in table_ids(sid)]
