"""Command-line adapter the Snakemake rules call: ``python -m analysis.cli <stage> ...``.

Each stage reads exactly the files given on its command line (the rule's declared
inputs) and writes exactly the declared outputs. One process handles every table of a
stage, so the scientific stack is imported once per stage, not once per table. On any
error the message goes to stderr, the declared outputs are removed and the exit code
is 1: no partial output is left behind.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from analysis.core.errors import InputError
from analysis.ingest.source import RelationFailure


def _source_of(path: str) -> str:
    p = Path(path)
    return p.parent.parent.name if p.parent.name == "tables" else p.parent.name


def _load_schemas(paths: list[str]) -> dict[str, dict]:
    out = {}
    for p in paths:
        name = Path(p).name.split(".")[0]  # table.schema.yaml -> table
        out[name] = yaml.safe_load(Path(p).read_text(encoding="utf-8"))
    return out


def cmd_ingest(args) -> None:
    from analysis.core.store import write_csv, write_parquet
    from analysis.ingest import catalog as cat
    from analysis.ingest.source import ingest_source

    schemas = _load_schemas(args.schemas)
    raw_by_source: dict[str, dict[str, bytes]] = defaultdict(dict)
    for p in args.raw:
        raw_by_source[_source_of(p)][p] = Path(p).read_bytes()
    sources = [ingest_source(sid, raw_by_source[sid], schemas, stale=args.stale) for sid in args.sources]
    for s in sources:
        for e in s.stale_issues:
            print(
                f"warning: known issue '{e['id']}' of {s.source_id} no longer fails",
                file=sys.stderr,
            )

    outputs = {str(Path(p)): p for p in args.out}
    written: set[str] = set()

    def emit(kind: str, frame, path_key: str, meta=None):
        if path_key not in outputs:
            raise InputError(
                path_key,
                None,
                None,
                path_key,
                "the rule to declare every dataset as output",
                f"undeclared {kind} output",
            )
        if path_key.endswith(".parquet"):
            write_parquet(frame, outputs[path_key], meta)
        else:
            write_csv(frame, outputs[path_key])
        written.add(path_key)

    by_dir = {str(Path(p).parent): str(Path(p).parent) for p in args.out if p.endswith("catalog.parquet")}
    root = next(iter(by_dir))
    for s in sources:
        for it in s.tables:
            meta = {
                "source": s.source,
                "table": it.table.sidecar,
                "raw_file": it.raw_path,
                "raw_sha256": it.raw_sha256,
                "sidecar_file": it.sidecar_path,
                "sidecar_sha256": it.sidecar_sha256,
                "dimensions": it.table.dim_columns,
                "derived": it.table.derived_columns,
                "relation_checks": it.checks.to_dict(orient="records"),
            }
            emit(
                "table",
                it.table.public_frame(),
                str(Path(root) / s.source_id / f"{it.table.table_id}.parquet"),
                meta,
            )
        for kind, frame in (("facts", s.facts), ("events", s.events)):
            if not frame.empty:
                path = next(p for p in s.files if p.endswith(f"/{kind}.csv"))
                meta = {"source": s.source, "raw_file": path, "raw_sha256": s.files[path]}
                emit(kind, frame, str(Path(root) / s.source_id / f"{kind}.parquet"), meta)
    tables = {
        "catalog": cat.catalog(sources),
        "codebook": cat.codebook(sources),
        "validation": cat.validation(sources),
        "known_issues": cat.known_issue_report(sources),
    }
    for name, frame in tables.items():
        for ext in ("parquet", "csv"):
            emit(
                name,
                frame,
                str(Path(root) / f"{name}.{ext}"),
                {"files": {s.source_id: s.files for s in sources}} if ext == "parquet" else None,
            )
    missing = sorted(set(outputs) - written)
    if missing:
        raise InputError(
            missing[0],
            None,
            None,
            missing[0],
            "only outputs the raw data produce (is a raw file missing?)",
            "declared output not produced",
        )


def _paired_outputs(paths: list[str]) -> dict[str, dict[str, str]]:
    """Group output paths by stem: {'survey_tabell_6': {'png': ..., 'svg': ...}}."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for p in paths:
        path = Path(p)
        out[path.stem][path.suffix.lstrip(".")] = p
    return out


def _write_results(prefix: str, tables: dict, figures: dict, out: list[str], meta: dict) -> dict[str, tuple[str, str]]:
    """Write an analysis stage's tables (CSV + Parquet) and figures (PNG + SVG).

    ``tables`` maps a name to a frame, ``figures`` a key to (Figure, caption); the paths
    come from the declared outputs ``out`` (``<prefix>_<name>.<ext>``). Returns the
    figures as (path relative to reports/, caption) for the Markdown section.
    """
    from analysis.core.store import write_csv, write_figure, write_parquet

    outputs = _paired_outputs(out)
    for name, frame in tables.items():
        write_csv(frame, outputs[f"{prefix}_{name}"]["csv"])
        write_parquet(frame, outputs[f"{prefix}_{name}"]["parquet"], meta)
    shown = {}
    for key, (fig, cap) in figures.items():
        paths = outputs[f"{prefix}_{key}"]
        write_figure(fig, paths["png"], paths["svg"])
        shown[key] = (f"figures/{Path(paths['png']).name}", cap)
    return shown


def _unknown_id(exc: KeyError, section: str) -> InputError:
    """An id named in the ``section`` settings of config.yaml that the data lacks."""
    return InputError(
        "config.yaml", None, None, str(exc).strip("\"'"), "ids that exist in the source's data", f"{section}:"
    )


@functools.cache
def _schema(path: str) -> dict:
    """A JSON Schema file, read once per process (several loaders of a stage share it)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _load_config(path: str, schema_path: str) -> dict:
    """config.yaml validated against the analysis schema; errors carry line and column."""
    from analysis.core.yamlio import load_yaml, validate
    from analysis.ingest.tables import decode_utf8

    doc = load_yaml(path, decode_utf8(path, Path(path).read_bytes()))
    validate(doc, _schema(schema_path), "config.yaml")
    return doc.data


def _load_cost_model(path: str, schema_path: str) -> list[dict]:
    """The estimates of data/raw/<source>/cost_model.yaml, validated with line and column."""
    from analysis.core.yamlio import load_yaml, validate
    from analysis.ingest.tables import decode_utf8

    schema = _schema(schema_path)
    doc = load_yaml(path, decode_utf8(path, Path(path).read_bytes()))
    validate(doc, {**schema["$defs"]["cost_model"], "$defs": schema["$defs"]}, "cost model")
    return doc.data["estimates"]


def cmd_survey(args) -> None:
    import pandas as pd

    from analysis.core.store import read_meta, write_text
    from analysis.report.survey import survey_figures, survey_markdown
    from analysis.survey.analysis import analyse_survey, fact_value

    config = _load_config(args.config, args.schema)
    settings, language = config["survey"], config["language"]
    prefix = settings["source"]
    tables = {Path(p).stem: pd.read_parquet(p) for p in args.tables}
    sidecars = {t: read_meta(p)["table"] for t, p in zip(tables, args.tables, strict=True)}
    facts = pd.read_parquet(args.facts)
    codebook = pd.read_parquet(args.codebook)
    try:
        results = analyse_survey(tables, facts, codebook, settings)
    except KeyError as exc:
        raise InputError(
            "config.yaml", None, None, str(exc), "fact ids that exist in the source's facts.csv", "survey:"
        ) from None
    unknown = sorted(set(tables) - set(results.likert_tables) - set(results.answer_tables))
    if unknown:
        raise InputError(
            args.tables[0], None, None, unknown[0], "agency x response tables or answer tables", "not a survey table:"
        )

    names = ("denominators", "intersections", "estimates", "tests", "pairwise", "answers", "answer_checks")
    respondents = int(fact_value(facts, settings["respondents_fact"]))
    figures = _write_results(
        prefix,
        {name: getattr(results, name) for name in names},
        survey_figures(results, tables, sidecars, codebook, settings, respondents, language),
        args.out,
        {"settings": settings, "source_tables": args.tables},
    )
    md = survey_markdown(results, tables, sidecars, codebook, settings, respondents, figures, language)
    write_text(md, args.out_md)


def cmd_meetings(args) -> None:
    import pandas as pd

    from analysis.core.store import write_text
    from analysis.meetings.analysis import analyse_meetings
    from analysis.report.meetings import meetings_figures, meetings_markdown

    config = _load_config(args.config, args.schema)
    settings, language = config["meetings"], config["language"]
    prefix = settings["source"]
    tables = {Path(p).stem: pd.read_parquet(p) for p in args.tables}
    events = pd.read_parquet(args.events)
    codebook = pd.read_parquet(args.codebook)
    try:
        results = analyse_meetings(tables, events, settings)
    except KeyError as exc:
        raise _unknown_id(exc, "meetings") from None
    figures = _write_results(
        prefix,
        {name: getattr(results, name) for name in MEETINGS_TABLES},
        meetings_figures(results, codebook, settings, language),
        args.out,
        {"settings": settings, "source_tables": args.tables},
    )
    write_text(meetings_markdown(results, codebook, settings, figures, language), args.out_md)


def cmd_channels(args) -> None:
    import pandas as pd

    from analysis.core.store import write_text
    from analysis.report.channels import TABLES, analyse_channels, channels_figures, channels_markdown

    config = _load_config(args.config, args.schema)
    config["channels"]["estimates"] = _load_cost_model(args.cost_model, args.schema)
    prefix = config["channels"]["source"]
    tables = {Path(p).stem: pd.read_parquet(p) for p in args.tables}
    facts = pd.read_parquet(args.facts)
    codebook = pd.read_parquet(args.codebook)
    try:
        results = analyse_channels(tables, facts, config)
    except KeyError as exc:
        raise _unknown_id(exc, "channels") from None
    figures = _write_results(
        prefix,
        {name: results[name] for name in TABLES},
        channels_figures(results, tables, facts, codebook, config),
        args.out,
        {"settings": config["channels"]},
    )
    write_text(channels_markdown(results, codebook, config, figures), args.out_md)


def _load_claims(path: str, schema: dict):
    """One report's claims.yaml, validated; returns the located document."""
    from analysis.core.yamlio import load_yaml, validate
    from analysis.ingest.tables import decode_utf8

    doc = load_yaml(path, decode_utf8(path, Path(path).read_bytes()))
    validate(doc, {**schema["$defs"]["claims"], "$defs": schema["$defs"]}, "claims register")
    seen: dict[str, int] = {}
    for i, c in enumerate(doc.data["claims"]):
        if c["id"] in seen:
            raise doc.error(["claims", i, "id"], c["id"], f"a unique id (also claim #{seen[c['id']] + 1})", "duplicate")
        seen[c["id"]] = i
    return doc


def cmd_claims(args) -> None:
    import pandas as pd

    from analysis.channels.composition import FactTable
    from analysis.claims.evaluate import ClaimError, Context
    from analysis.core.store import write_csv, write_parquet, write_text
    from analysis.report.claims import TABLES, analyse_claims, claims_markdown, standalone_facts

    config = _load_config(args.config, args.schema)
    schema = _schema(args.schema)
    settings, iv = config["claims"], config["intervals"]
    docs = {_source_of(p): _load_claims(p, schema) for p in args.claims}
    unknown = sorted(set(settings["sources"]) ^ set(docs))
    if unknown:
        raise InputError(
            "config.yaml", None, None, unknown[0], "claims.sources to match the claims.yaml files given", "claims:"
        )
    tables = {(_source_of(p), Path(p).stem): pd.read_parquet(p) for p in args.tables}
    facts = {_source_of(p): pd.read_parquet(p).set_index("id", drop=False) for p in args.facts}
    estimates, fact_table = {}, None
    if args.cost_model:
        cost_source = _source_of(args.cost_model)
        estimates = {e["id"]: e for e in _load_cost_model(args.cost_model, args.schema)}
        fact_table = FactTable(facts[cost_source], iv["qualifiers"], iv["trailing_zeros_significant"], {})
    ctx = Context(
        tables=tables,
        facts=facts,
        widths=iv["qualifiers"],
        trailing_zeros_significant=iv["trailing_zeros_significant"],
        similar_within=float(settings["similar_within"]),
        count_units=frozenset(iv.get("count_units", [])),
        estimates=estimates,
        fact_table=fact_table,
    )
    registers = {sid: docs[sid].data["claims"] for sid in settings["sources"]}
    try:
        frames, results = analyse_claims(registers, ctx)
    except ClaimError as exc:
        raise docs[exc.source].error(["claims", *exc.keypath], exc.text, exc.expected, "bad claim:") from None
    outputs = _paired_outputs(args.out)
    for name in TABLES:
        write_csv(frames[name], outputs[name]["csv"])
        write_parquet(frames[name], outputs[name]["parquet"], {"settings": settings, "registers": args.claims})
    standalone = standalone_facts(registers, facts, estimates)
    write_text(claims_markdown(frames["claims"], results, standalone, config["language"]), args.out_md)


MEETINGS_TABLES = (
    "trend",
    "breaks",
    "coefficients",
    "effects",
    "diagnostics",
    "fitted",
    "scan",
    "shares",
    "odds_ratios",
    "group_tests",
    "diagnosis_meetings",
)


def cmd_html(args) -> None:
    from analysis.report.markdown import build_html

    build_html(args.sections, args.figures, args.language, args.out_html)


def cmd_report(args) -> None:
    from analysis.report.markdown import build_index

    build_index(
        catalog_path=args.catalog,
        validation_path=args.validation,
        known_issues_path=args.known_issues,
        codebook_path=args.codebook,
        language=args.language,
        out_md=args.out_md,
        out_codebook=args.out_codebook,
    )


class StageError(RuntimeError):
    """A stage failed on bad input; the message is the located error line(s)."""


def run_stage(argv: list[str], log: str | None = None, isolate: bool = False) -> None:
    """Run a stage from a Snakemake ``run:`` block; raise :class:`StageError` on failure.

    ``isolate=False`` runs the stage in the calling thread, sharing the modules Snakemake's
    process has already imported (cheap for the light ingest and report stages).
    ``isolate=True`` runs it in a child Python process: the heavy analysis stages are
    independent of each other, so on two cores they then run in parallel instead of taking
    turns on the interpreter lock, which more than pays for each child's own imports.
    Safe to call from several threads at once (no redirection of process-wide streams).
    The error line(s) are written to ``log`` (the rule's log file) as well.
    """
    argv = [str(a) for a in argv]
    if isolate:
        import subprocess

        done = subprocess.run(
            [sys.executable, "-m", "analysis.cli", *argv], capture_output=True, text=True, check=False
        )
        message = done.stderr.strip() if done.returncode else ""
        if done.returncode and not message:
            message = f"error: stage {argv[0]} exited with status {done.returncode}"
    else:
        message = execute(argv)
    if log:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        Path(log).write_text(message + ("\n" if message else ""), encoding="utf-8")
    if message:
        raise StageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis.cli", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="stage", required=True)
    p = sub.add_parser("ingest", help="raw tables, facts and events -> Parquet, catalog, codebook, validation")
    p.add_argument("--sources", nargs="+", required=True)
    p.add_argument("--schemas", nargs="+", required=True)
    p.add_argument("--raw", nargs="+", required=True)
    p.add_argument("--out", nargs="+", required=True)
    p.add_argument("--stale", choices=["error", "warn"], default="error")
    p.set_defaults(func=cmd_ingest)
    r = sub.add_parser("report", help="catalog and checks -> reports/index.md and .html")
    r.add_argument("--catalog", required=True)
    r.add_argument("--validation", required=True)
    r.add_argument("--known-issues", required=True)
    r.add_argument("--codebook", required=True)
    r.add_argument("--language", choices=["en", "sv"], default="en")
    r.add_argument("--out-md", required=True)
    r.add_argument("--out-codebook", required=True)
    r.set_defaults(func=cmd_report)
    v = sub.add_parser("survey", help="survey tables -> denominators, estimates, tests, figures, section")
    v.add_argument("--tables", nargs="+", required=True)
    v.add_argument("--facts", required=True)
    v.add_argument("--codebook", required=True)
    v.add_argument("--schema", required=True, help="schemas/analysis.schema.yaml")
    v.add_argument("--config", required=True, help="config.yaml (language and the survey section)")
    v.add_argument("--out", nargs="+", required=True, help="tables (csv, parquet) and figures (png, svg)")
    v.add_argument("--out-md", required=True)
    v.set_defaults(func=cmd_survey)
    m = sub.add_parser("meetings", help="meeting series and groups -> models, scan, odds ratios, figures, section")
    m.add_argument("--schema", required=True, help="schemas/analysis.schema.yaml")
    m.add_argument("--config", required=True, help="config.yaml (language and the meetings section)")
    m.add_argument("--tables", nargs="+", required=True)
    m.add_argument("--events", required=True)
    m.add_argument("--codebook", required=True)
    m.add_argument("--out", nargs="+", required=True)
    m.add_argument("--out-md", required=True)
    m.set_defaults(func=cmd_meetings)
    c = sub.add_parser("channels", help="Tabell 1 and facts -> composition, indicators, cost model, sensitivity")
    c.add_argument("--schema", required=True, help="schemas/analysis.schema.yaml")
    c.add_argument("--config", required=True, help="config.yaml (language, intervals and the channels section)")
    c.add_argument("--tables", nargs="+", required=True)
    c.add_argument("--facts", required=True)
    c.add_argument("--cost-model", required=True, help="data/raw/<source>/cost_model.yaml")
    c.add_argument("--codebook", required=True)
    c.add_argument("--out", nargs="+", required=True)
    c.add_argument("--out-md", required=True)
    c.set_defaults(func=cmd_channels)
    a = sub.add_parser("claims", help="claims registers + tables and facts -> claims audit tables and section")
    a.add_argument("--schema", required=True, help="schemas/analysis.schema.yaml")
    a.add_argument("--config", required=True, help="config.yaml (language, intervals and the claims section)")
    a.add_argument("--claims", nargs="+", required=True, help="data/raw/<source>/claims.yaml")
    a.add_argument("--tables", nargs="+", required=True)
    a.add_argument("--facts", nargs="+", required=True)
    a.add_argument("--cost-model", help="data/raw/<source>/cost_model.yaml (for 'estimate' inputs)")
    a.add_argument("--out", nargs="+", required=True)
    a.add_argument("--out-md", required=True)
    a.set_defaults(func=cmd_claims)
    h = sub.add_parser("html", help="Markdown sections + figures -> one self-contained HTML page")
    h.add_argument("--sections", nargs="+", required=True)
    h.add_argument("--figures", nargs="*", default=[])
    h.add_argument("--language", choices=["en", "sv"], default="en")
    h.add_argument("--out-html", required=True)
    h.set_defaults(func=cmd_html)
    return parser


def execute(argv: list[str]) -> str:
    """Run one stage; return "" on success or the error message (declared outputs removed)."""
    args = build_parser().parse_args(argv)
    declared = list(getattr(args, "out", None) or [])
    declared += [x for x in (getattr(args, a, None) for a in ("out_md", "out_html", "out_codebook")) if x]
    try:
        args.func(args)
    except (InputError, RelationFailure) as exc:
        for p in declared:
            Path(p).unlink(missing_ok=True)
        return f"error: {exc}"
    return ""


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: exit code 1 and the message on stderr on failure."""
    message = execute(sys.argv[1:] if argv is None else argv)
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
