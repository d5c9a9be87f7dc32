"""The main findings of each report, first in the HTML report (reports/findings*.md).

A source's findings register (``data/raw/<source>/findings.yaml``, schema
``schemas/findings.schema.yaml``) names, for each of the report's main findings, the
claims it rests on (ids of the source's ``claims.yaml``) and the key number: one row of a
result table picked by column values, with the columns of its estimate and interval. The
verdict of a finding is the worst verdict of its claims in the claims audit (the order of
:data:`analysis.claims.VERDICTS`), read as the reader's question "does the data support
it?": consistent -> supported, inconsistent -> not supported, not reproducible or
ambiguous -> cannot be checked. Nothing is judged here that the audit did not judge.

Result tables (:func:`findings_tables`) are tidy frames with a fixed column order; the
stage (:func:`run`) writes them and renders ``findings.md`` (the overview) and one
``findings_<source>.md`` per source (each finding, its claims with their locations and the
key result rows with the printed tables they come from).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from analysis.claims import VERDICTS
from analysis.core import yamlio
from analysis.core.config import read_text
from analysis.core.errors import InputError
from analysis.core.i18n import fmt_number
from analysis.core.yamlio import Located, load_yaml, validate
from analysis.report.names import FINDINGS_TABLES

OUTCOMES = {
    "consistent": "supported",
    "inconsistent": "not_supported",
    "not reproducible": "cannot_check",
    "ambiguous": "cannot_check",
}
"""Claims-audit verdict -> the finding's outcome (a reader's three answers)."""

SOURCE_COLUMNS = ["source_id", "publisher", "title", "published", "n_findings", "caveat", "caveat_sv"]
FINDING_COLUMNS = [
    "source_id",
    "order",
    "finding",
    "headline",
    "headline_sv",
    "verdict",
    "outcome",
    "claims",
    "result_table",
    "result_row",
    "result_claim",
    "estimate",
    "low",
    "high",
    "unit",
    "decimals",
    "interval",
    "label",
    "label_sv",
    "datasets",
]
CLAIM_COLUMNS = [
    "source_id",
    "finding",
    "claim",
    "verdict",
    "outcome",
    "basis",
    "printed",
    "computed",
    "computed_lo",
    "computed_hi",
    "location",
    "location_sv",
    "seed_line",
    "text",
    "text_sv",
]


def load_findings(path: str, schema_path: str) -> Located:
    """A findings register validated against the schema (errors located), ids unique."""
    schema = yamlio.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    doc = load_yaml(path, read_text(path))
    validate(doc, schema, "findings register")
    seen: set[str] = set()
    for i, f in enumerate(doc.data["findings"]):
        if f["id"] in seen:
            raise doc.error(["findings", i, "id"], f["id"], "a unique finding id", "duplicate")
        seen.add(f["id"])
    return doc


def _same(value, wanted) -> bool:
    """A cell equals a selector value: numbers as numbers, everything else as text."""
    if isinstance(wanted, bool) or isinstance(value, bool):
        return str(value).lower() == str(wanted).lower()
    if isinstance(wanted, int | float):
        try:
            return math.isclose(float(value), float(wanted), rel_tol=0, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return str(value) == str(wanted)


def select_row(frame: pd.DataFrame, where: dict, doc: Located, keypath: list, table: str) -> int:
    """The position of the one row of ``frame`` whose columns equal ``where``.

    A missing column, no matching row or several are errors located at the selector.
    """
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        if column not in frame.columns:
            line, col = doc.where_key([*keypath, "where"], column)
            raise InputError(
                doc.path, line, col, column, f"a column of {table} ({', '.join(map(str, frame.columns))})", "no column"
            )
        mask &= frame[column].map(lambda v, w=wanted: _same(v, w))
    hits = [i for i, hit in enumerate(mask.tolist()) if hit]
    if len(hits) != 1:
        found = "no row" if not hits else f"{len(hits)} rows"
        raise doc.error([*keypath, "where"], where, f"exactly one row of {table} ({found} match)", "selector")
    return hits[0]


def _number(x) -> float:
    return float("nan") if x is None or pd.isna(x) else float(x)


def findings_tables(
    sources: dict[str, dict],
    registers: dict[str, Located],
    claims: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    datasets: dict[str, set[str]],
    available: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """The findings of every source as three tidy frames.

    Parameters
    ----------
    sources : {source id: {publisher, title (as printed), published}} (from the catalogue).
    registers : {source id: its loaded findings register}, in report order.
    claims : the claims audit's ``claims`` table (columns report, id, verdict, ...).
    tables : {result table stem: frame}; the tables the registers name.
    datasets : {source id: ids of its printed tables} (a register's ``datasets`` must be among them).
    available : every result table a register may name (for the error message; default:
        those of ``tables``).

    Returns
    -------
    ``findings_sources`` (one row per source: its caveat), ``findings`` (one row per
    finding: verdict, outcome, the key result's table, 1-based row, estimate, low, high
    scaled for display) and ``findings_claims`` (one row per finding and claim).
    """
    by_id = claims.set_index(["report", "id"])
    rank = {v: i for i, v in enumerate(VERDICTS)}
    src_rows, rows, claim_rows = [], [], []
    for sid, doc in registers.items():
        data = doc.data
        meta = sources[sid]
        src_rows.append(
            [
                sid,
                meta["publisher"],
                meta["title"],
                str(meta["published"]),
                len(data["findings"]),
                data["caveat"].strip(),
                data["caveat_sv"].strip(),
            ]
        )
        for i, f in enumerate(data["findings"]):
            verdicts = []
            for j, cid in enumerate(f["claims"]):
                if (sid, cid) not in by_id.index:
                    raise doc.error(["findings", i, "claims", j], cid, f"a claim id of data/raw/{sid}/claims.yaml")
                c = by_id.loc[(sid, cid)]
                verdicts.append(c["verdict"])
                claim_rows.append(
                    [
                        sid,
                        f["id"],
                        cid,
                        c["verdict"],
                        OUTCOMES[c["verdict"]],
                        c["basis"] or "",
                        c["printed"],
                        _number(c["computed"]),
                        _number(c["computed_lo"]),
                        _number(c["computed_hi"]),
                        c["location"],
                        c.get("location_sv") or c["location"],
                        int(c["seed_line"]),
                        c["claim"],
                        c["claim_sv"],
                    ]
                )
            verdict = min(verdicts, key=rank.__getitem__)
            row = [sid, i + 1, f["id"], f["headline"], f["headline_sv"], verdict, OUTCOMES[verdict]]
            row.append(";".join(f["claims"]))
            res = f.get("result")
            if res is None:
                row += ["", 0, "", math.nan, math.nan, math.nan, "", 0, "none", "", "", ""]
            else:
                keypath = ["findings", i, "result"]
                if res["table"] not in tables:
                    raise doc.error(
                        [*keypath, "table"],
                        res["table"],
                        f"a result table ({', '.join(sorted(available or tables))})",
                        "no table",
                    )
                frame = tables[res["table"]]
                for key in ("estimate", "low", "high"):
                    if key in res and res[key] not in frame.columns:
                        raise doc.error([*keypath, key], res[key], f"a column of {res['table']}", "no column")
                pos = select_row(frame, res["where"], doc, keypath, res["table"])
                scale = float(res.get("scale", 1))
                cell = frame.iloc[pos]
                for j, d in enumerate(res.get("datasets", [])):
                    if d not in datasets[sid]:
                        raise doc.error([*keypath, "datasets", j], d, f"a table of data/raw/{sid}/tables/")
                row += [
                    res["table"],
                    pos + 1,
                    # A key number read from the audit's own table is that claim's computation.
                    str(cell["id"]) if res["table"] == "claims" else "",
                    scale * _number(cell[res["estimate"]]),
                    scale * _number(cell[res["low"]]) if "low" in res else math.nan,
                    scale * _number(cell[res["high"]]) if "high" in res else math.nan,
                    res["unit"],
                    int(res["decimals"]),
                    res["interval"],
                    res["label"],
                    res["label_sv"],
                    ";".join(res.get("datasets", [])),
                ]
            rows.append(row)
    frames = (
        pd.DataFrame(src_rows, columns=SOURCE_COLUMNS),
        pd.DataFrame(rows, columns=FINDING_COLUMNS),
        pd.DataFrame(claim_rows, columns=CLAIM_COLUMNS),
    )
    return dict(zip(FINDINGS_TABLES, frames, strict=True))


# --- display -------------------------------------------------------------------------


def words(_) -> dict[str, dict[str, str]]:
    """Every word the findings print beside numbers, in the report's language."""
    return {
        "outcome": {
            "supported": _("supported"),
            "not_supported": _("not supported"),
            "cannot_check": _("cannot be checked"),
        },
        "verdict": {
            "consistent": _("consistent"),
            "inconsistent": _("inconsistent"),
            "not reproducible": _("not reproducible"),
            "ambiguous": _("ambiguous: the readings differ"),
        },
        "interval": {
            "confidence": _("95% CI"),
            "rounding": _("range allowed by the printed inputs"),
            "none": "",
        },
        "unit": {
            "percent": "%",
            "percent_change": "%",
            "odds_ratio": "",
            "ratio": "",
            "million_sek": _("million SEK"),
            "count": "",
        },
        "to": {"to": _("to")},
        "misc": {
            "line": _("line"),
            "row": _("data row"),
            "chapter": _("chapter"),
            "page": _("p."),
            "lines": _("lines"),
        },
    }


def format_value(x: float, unit: str, decimals: int, language: str, w: dict) -> str:
    """A number with its unit in the report's language ('62.6%', '62,6 %', '6.0 million SEK')."""
    if x != x:
        return "–"
    text = fmt_number(x, language, decimals)
    suffix = w["unit"][unit]
    if not suffix:
        return text
    if suffix == "%":
        return text + ("\u00a0%" if language == "sv" else "%")
    return f"{text}\u00a0{suffix}"


def format_interval(low: float, high: float, decimals: int, language: str, w: dict) -> str:
    """'58.5 to 66.7' (a range with a word: a minus sign beside a dash would misread);
    empty where there is no interval or it is a single point at this precision."""
    if low != low or high != high:
        return ""
    if fmt_number(low, language, decimals) == fmt_number(high, language, decimals):
        return ""
    return f"{fmt_number(low, language, decimals)} {w['to']['to']} {fmt_number(high, language, decimals)}"


def display_findings(frames: dict[str, pd.DataFrame], language: str, w: dict) -> list[dict]:
    """Per source: its texts and findings with every number formatted (for the templates)."""
    sv = language == "sv"
    out = []
    claims = frames["findings_claims"]
    for s in frames["findings_sources"].itertuples():
        items = []
        for f in frames["findings"][frames["findings"]["source_id"] == s.source_id].itertuples():
            has = bool(f.result_table)
            fc = claims[(claims["source_id"] == s.source_id) & (claims["finding"] == f.finding)]
            items.append(
                {
                    "id": f.finding,
                    "headline": f.headline_sv if sv else f.headline,
                    "outcome": f.outcome,
                    "outcome_text": w["outcome"][f.outcome],
                    "has_result": has,
                    "value": format_value(f.estimate, f.unit, f.decimals, language, w) if has else "",
                    "interval": format_interval(f.low, f.high, f.decimals, language, w)
                    if has and f.interval != "none"
                    else "",
                    "interval_kind": w["interval"][f.interval] if has else "",
                    "label": (f.label_sv if sv else f.label) if has else "",
                    "table": f.result_table,
                    "row_number": int(f.result_row),
                    "result_claim": f.result_claim,
                    "datasets": [d for d in f.datasets.split(";") if d],
                    "claims": [
                        {
                            "id": c.claim,
                            "text": c.text_sv if sv else c.text,
                            "verdict": w["verdict"][c.verdict],
                            "outcome": c.outcome,
                            "outcome_text": w["outcome"][c.outcome],
                            "printed": c.printed,
                            "computed": fmt_number(c.computed, language, 1) if c.computed == c.computed else "–",
                            "range": format_interval(c.computed_lo, c.computed_hi, 1, language, w),
                            "location": c.location_sv if sv else c.location,
                            "seed_line": c.seed_line,
                        }
                        for c in fc.itertuples()
                    ],
                }
            )
        out.append(
            {
                "id": s.source_id,
                "publisher": s.publisher,
                # The organisation without its department ('Försäkringskassan, Avdelningen ...').
                "short": s.publisher.split(",")[0],
                "title": s.title,
                "published": s.published,
                "caveat": s.caveat_sv if sv else s.caveat,
                "findings": items,
            }
        )
    return out


def markdown_rows(source: dict, w: dict, where: dict[tuple[str, str], str]) -> None:
    """Add the Markdown table rows of the overview (``row``), of each finding's claims
    (``claim_rows``) and of the result rows (``source['result_rows']``) to ``source``.

    Anchors: ``f-<source>-<finding>`` (a finding), ``c-<source>-<finding>-<claim>`` (a
    claim of a finding; a claim may back several),
    ``r-<source>-<finding>`` (the result row of its key number), ``d-<source>-<dataset>``
    (a dataset in the catalogue, index.md).
    """
    sid, line, results = source["id"], w["misc"]["line"], []
    for f in source["findings"]:
        fid = f"{sid}-{f['id']}"
        number = f"[{f['value']}](findings_{sid}.md#r-{fid})" if f["has_result"] else "–"
        interval = f"{f['interval_kind']} {f['interval']}" if f["interval"] else ""
        f["row"] = [f"[{f['headline']}](findings_{sid}.md#f-{fid})", f["outcome_text"], number, interval]
        f["claim_rows"] = [
            [
                f'<a id="c-{fid}-{c["id"]}"></a>{c["text"]} (`{c["id"]}`)',
                f"“{c['printed']}”",
                c["computed"] + (f" ({c['range']})" if c["range"] else ""),
                c["verdict"],
                f"{c['location']}, {line} {c['seed_line']}",
            ]
            for c in f["claims"]
        ]
        if not f["has_result"]:
            continue
        if f["datasets"]:
            origin = "; ".join(f"[{where.get((sid, d), d)}](index.md#d-{sid}-{d})" for d in f["datasets"])
        else:
            picked = [c for c in f["claims"] if c["id"] == f["result_claim"]] or f["claims"]
            origin = "; ".join(f"[{c['location']}, {line} {c['seed_line']}](#c-{fid}-{c['id']})" for c in picked)
        results.append(
            [
                f'<a id="r-{fid}"></a>[{f["label"]}](#f-{fid})',
                f["value"],
                interval,
                f"[{f['table']}.csv](tables/{f['table']}.csv), {w['misc']['row']} {f['row_number']}",
                origin,
            ]
        )
    source["result_rows"] = results


def dataset_locations(catalog: pd.DataFrame, language: str, words_: dict[str, str]) -> dict[tuple[str, str], str]:
    """(source, dataset) -> 'Tabell 5, chapter 4, 4.1.1 ..., p. 18' from the catalogue."""
    from analysis.report.index import location_text

    out = {}
    for r in catalog.itertuples():
        number = r.number or ""
        # The appendix is part of a printed number ('Bilaga 1, Tabell 1'): not twice.
        parts = [p for p in location_text(r, words_).split(", ") if p and p not in number]
        out[(r.source_id, r.dataset)] = ", ".join([p for p in [number, *parts] if p])
    return out


def run(input, output, params, log=None) -> None:
    """Stage: the findings registers, the claims audit and the result tables they name
    (``input.tables``; ``params.result_tables``: every table a register may name) ->
    ``findings*`` tables and ``findings.md`` + ``findings_<source>.md``."""
    from analysis.core.stage import stage_run
    from analysis.core.store import write_csv, write_parquet, write_text
    from analysis.report.markdown import write_markdown
    from analysis.report.render import catalog_path, render, translations

    with stage_run("report_findings", output, log) as record:
        registers = {}
        for path in input.registers:
            sid = Path(path).parent.name
            registers[sid] = load_findings(path, input.schema)
            record.read(path)
        claims = pd.read_parquet(input.claims)
        record.read(input.claims, claims)
        catalog = pd.read_parquet(input.catalog)
        record.read(input.catalog, catalog)
        first = catalog.drop_duplicates("source_id").set_index("source_id")
        sources = {
            sid: {
                "publisher": first.at[sid, "publisher"],
                "title": first.at[sid, "source_title"],
                "published": first.at[sid, "published"],
            }
            for sid in registers
        }
        by_stem = {Path(p).stem: p for p in input.tables}
        wanted = {f["result"]["table"] for d in registers.values() for f in d.data["findings"] if "result" in f}
        tables = {"claims": claims}
        for stem in sorted(wanted - {"claims"}):
            if stem in by_stem:
                tables[stem] = pd.read_parquet(by_stem[stem])
                record.read(by_stem[stem], tables[stem])
        datasets = {sid: set(catalog.loc[catalog["source_id"] == sid, "dataset"]) for sid in registers}
        available = ["claims", *params.result_tables] if hasattr(params, "result_tables") else None
        frames = findings_tables(sources, registers, claims, tables, datasets, available)
        for name, frame in frames.items():
            write_parquet(frame, getattr(output, name), {"sources": sorted(registers)})
            write_csv(frame, getattr(output, f"{name}_csv"))
            record.wrote(getattr(output, name), frame)
        language = params.language
        trans = translations(language, catalog_path(input.catalogs))
        _ = trans.gettext
        w = words(_)
        shown = display_findings(frames, language, w)
        where = dataset_locations(catalog, language, w["misc"])
        for s in shown:
            markdown_rows(s, w, where)
        write_text(render(input.overview_template, language, trans, sources=shown), output.md)
        record.wrote(output.md)
        for s in shown:
            text = render(input.source_template, language, trans, source=s)
            write_markdown(text, getattr(output, f"md_{s['id']}"), getattr(output, f"part_{s['id']}"), record)
