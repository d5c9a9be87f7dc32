# Path and wildcard helpers only: where things are, never what is computed.

import functools
from pathlib import Path

from analysis.core import yamlio

RAW = "data/raw"
PROCESSED = "data/processed"
REPORTS = "reports"
TABLES = f"{REPORTS}/tables"
FIGURES = f"{REPORTS}/figures"
LOGS = "logs"
TEMPLATES = "src/analysis/report/templates"
LOCALE_SOURCE = "src/analysis/report/locale"
LOCALE_BUILD = "build/locale"
SETTINGS = "build/settings"
PAGE_PARTS = "build/html"
CAPTIONS = "src/analysis/report/captions"
RAW_SCHEMAS = [
    "schemas/figures.schema.yaml",
    "schemas/known_issues.schema.yaml",
    "schemas/source.schema.yaml",
    "schemas/table.schema.yaml",
]
REGISTERS_SCHEMA = "schemas/registers.schema.yaml"


def code(*parts):
    """The source files a job executes, declared as input so that a change reruns it:
    a package folder under src/ (every module in it) or one module file."""
    files = []
    for part in parts:
        path = Path("src") / part
        files += sorted(str(p) for p in path.glob("*.py")) if path.is_dir() else [str(path)]
    return files


def table_ids(sid):
    """The table ids of a source: one per data/raw/<source>/tables/<id>.csv."""
    return sorted(p.stem for p in Path(RAW, sid, "tables").glob("*.csv"))


def raw_file(sid, name):
    """[path] when data/raw/<source>/<name> exists, else [] (optional raw files)."""
    path = Path(RAW, sid, name)
    return [str(path)] if path.is_file() else []


def raw_tables(sid):
    """Every printed table of a source with its sidecar."""
    return sorted(str(p) for ext in ("csv", "yaml") for p in Path(RAW, sid, "tables").glob(f"*.{ext}"))


def processed(sid, tables=None):
    """Processed datasets of a source: the named tables, or every table."""
    return [f"{PROCESSED}/{sid}/{t}.parquet" for t in (table_ids(sid) if tables is None else tables)]


def ingest_outputs(sid):
    """Named outputs of a source's ingest job: a dataset per table, facts, events, figures,
    summaries."""
    out = {t: f"{PROCESSED}/{sid}/{t}.parquet" for t in table_ids(sid)}
    out |= {k: f"{PROCESSED}/{sid}/{k}.parquet" for k in ("facts", "events") if raw_file(sid, f"{k}.csv")}
    out |= {k: f"{PROCESSED}/{sid}/{k}.parquet" for k in ("catalog", "codebook", "validation", "known_issues")}
    # the register of the document's figures, where data/raw/<source>/figures.yaml exists
    out |= {"figures": f"{PROCESSED}/{sid}/figures.parquet" for _ in raw_file(sid, "figures.yaml")}
    return out


def analysis_of(prefix):
    """The config section (analysis) whose `source` is `prefix` (survey, meetings, ...)."""
    names = [k for k, v in config.items() if isinstance(v, dict) and v.get("source") == prefix]
    return names[0] if names else prefix


@functools.cache
def source_label(sid):
    """'Riksrevisionen 2022': a source's publisher (without its department) and year, the
    category of its outputs in `snakemake --report` (read once per source: it is parsed
    on every run, a no-op included)."""
    path = Path(RAW, sid, "source.yaml")
    if not path.is_file():
        return sid
    meta = yamlio.safe_load(path.read_text(encoding="utf-8"))
    return f"{meta['publisher'].split(',')[0]} {str(meta['published'])[:4]}"


def caption(analysis, key):
    """The caption of `snakemake --report` for one output: captions/<analysis>/<key>.rst,
    else the analysis's generic one (figure.rst, tables.rst)."""
    own = Path(CAPTIONS, analysis, f"{key}.rst")
    path = own if own.is_file() else Path(CAPTIONS, analysis, "tables.rst" if key == "tables" else "figure.rst")
    # Snakemake reads a caption relative to the rule's file (rules/): anchor it at the workflow.
    return str(Path(workflow.basedir) / path)


def report_table(path, analysis, category, name):
    """A result table (CSV) marked for `snakemake --report`, with its analysis's caption."""
    return report(
        path,
        caption=caption(analysis, "tables"),
        category=category,
        subcategory=f"{analysis}: tables",
        labels={"table": name},
    )


def result_outputs(prefix, names):
    """Named outputs of an analysis: <name> (Parquet) and <name>_csv for each result table;
    the CSVs are in `snakemake --report` (category: the source, subcategory: the analysis)."""
    out = {}
    analysis = analysis_of(prefix)
    for name in names:
        out[name] = f"{TABLES}/{prefix}_{name}.parquet"
        out[f"{name}_csv"] = report_table(f"{TABLES}/{prefix}_{name}.csv", analysis, source_label(prefix), name)
    return out


def figure_outputs(prefix, keys):
    """Named outputs of a figure job: <key>_<format> for every figure and configured format;
    the PNGs are in `snakemake --report` with their caption (captions/<analysis>/<key>.rst)."""
    analysis = analysis_of(prefix)
    out = {}
    for k in keys:
        for fmt in config["figure_formats"]:
            path = f"{FIGURES}/{prefix}_{k}.{fmt}"
            if fmt == "png":
                path = report(
                    path,
                    caption=caption(analysis, k),
                    category=source_label(prefix),
                    subcategory=f"{analysis}: figures",
                    labels={"figure": k},
                )
            out[f"{k}_{fmt}"] = path
    return out


def figure_links(prefix, keys):
    """{figure key: the PNG's path relative to reports/}: how a section links its figures."""
    return {k: f"figures/{prefix}_{k}.png" for k in keys}


def pngs(figure_rule):
    """The PNG files among a figure job's outputs (the HTML report embeds them)."""
    return [p for p in figure_rule.output if p.endswith(".png")]


def translation(domain):
    """The compiled catalog of a report section, [] for English (the source language)."""
    lang = config["language"]
    return [] if lang == "en" else [f"{LOCALE_BUILD}/{lang}/LC_MESSAGES/{domain}.mo"]


def domain_sources(wildcards):
    """The files whose text a translation domain holds: the section's module(s) and templates."""
    folder = Path("src/analysis/report")
    d = wildcards.domain
    files = [*folder.glob(f"{d}.py"), *folder.glob(f"{d}_*.py"), *(folder / "templates").glob(f"{d}*.j2")]
    return sorted(str(p) for p in files)


def template(name):
    return f"{TEMPLATES}/{name}"


def config_keys(section, keys):
    """The keys ``keys`` of a config section: the settings of a job that reads only those."""
    return {k: config[section][k] for k in keys}


def settings(name, **values):
    """The settings of one job as a declared input file (build/settings/<name>.yaml).

    The file is rewritten only when its content changes, so a change to one config
    section reruns exactly the jobs whose settings include it. (Snakemake's params would
    do the same but make every run, a no-op included, import pandas to compare them.)
    """
    return write_settings(f"{SETTINGS}/{name}.yaml", values)


def page_part(name):
    """The HTML of the report file reports/<name>.md, written beside it by the job that
    writes the Markdown (build/html/<name>.json) and joined into pages by report_html."""
    return f"{PAGE_PARTS}/{name}.json"
