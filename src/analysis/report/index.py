"""The data catalogue (reports/index.md) and the codebook (reports/codebook.md).

Rows for the templates ``index.md.j2`` and ``codebook.md.j2`` come from the ingest
summaries (catalog, validation, known issues, codebook); the templates hold every word.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.core.i18n import fmt_number
from analysis.core.stage import stage_run
from analysis.report.markdown import write_markdown
from analysis.report.render import catalog_path, render, translations

CODEBOOK_CAP = 12
"""Categories listed per dataset column in the codebook; the rest are counted."""


def natural_key(text: str) -> tuple:
    """Sort key that orders the numbers in a label by value: 'Tabell 9' < 'Tabell 10'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in re.split(r"(\d+)", str(text)) if p)


def _n(language: str):
    return lambda x: fmt_number(x, language, 0)


def source_rows(catalog: pd.DataFrame, language: str) -> list[list[str]]:
    """One row per source: id, publisher, title, date, number of datasets."""
    n = _n(language)
    src = catalog.groupby(["source_id", "publisher", "source_title", "published"], sort=True).size()
    return [[f"`{sid}`", pub, title, date, n(k)] for (sid, pub, title, date), k in src.items()]


def location_text(r, words: dict[str, str]) -> str:
    """'Bilaga 1, chapter 4, 4.2.1 ..., p. 18, lines 250–310' in the report's words
    (appendix as printed; the lines are those of the seed text the table was transcribed
    from, where the catalog has them)."""
    first, last = getattr(r, "seed_line", None), getattr(r, "seed_line_last", None)
    lines = None
    if first is not None and not pd.isna(first):
        span = f"{int(first)}\u2013{int(last)}" if last is not None and not pd.isna(last) else f"{int(first)}"
        lines = f"{words['lines']} {span}"
    parts = [
        r.appendix or None,
        f"{words['chapter']} {r.chapter}" if r.chapter else None,
        r.section or None,
        f"{words['page']} {r.page}" if r.page else None,
        lines,
    ]
    return ", ".join(p for p in parts if p)


def dataset_rows(
    catalog: pd.DataFrame, language: str, kind_names: dict[str, str], words: dict[str, str]
) -> list[list[str]]:
    """One row per dataset: id, title as printed (or its English title), location, counts."""
    n = _n(language)
    rows = []
    kind_order = {"table": 0, "facts": 1, "events": 2}
    ordered = sorted(
        catalog.itertuples(),
        key=lambda r: (r.source_id, kind_order.get(r.kind, 3), natural_key(r.number or r.dataset), r.dataset),
    )
    for r in ordered:
        title = r.title if language == "sv" else r.title_en
        name = f"{r.number}: {title}" if r.kind == "table" else kind_names[r.kind]
        rows.append(
            [
                f'<a id="d-{r.source_id}-{r.dataset}"></a>`{r.source_id}/{r.dataset}`',
                name,
                location_text(r, words),
                n(r.rows),
                n(r.checks_holds),
                n(r.checks_known_issue),
                n(r.checks_skipped),
                r.known_issues or "",
            ]
        )
    return rows


def coverage_rows(catalog: pd.DataFrame, language: str) -> list[list[str]]:
    """One row per source document: the numbers it prints, registered, waived (with a
    reason in its numbers.csv) and unaccounted, from the catalogue's coverage columns."""
    cols = ["numbers", "numbers_registered", "numbers_waived", "numbers_unaccounted"]
    if not set(cols) <= set(catalog.columns):
        return []
    n = _n(language)
    first = catalog.groupby("source_id", sort=True)[cols].first().dropna()
    return [[f"`{sid}`", *(n(int(r[c])) for c in cols)] for sid, r in first.iterrows()]


def figure_rows(figures: pd.DataFrame, language: str, words: dict[str, str]) -> list[list[str]]:
    """The figures the source documents print: number, title, location, and either the
    report figure that redraws it or why it cannot be redrawn (in the report's language)."""
    sv = language == "sv"
    rows = []
    ordered = sorted(figures.itertuples(), key=lambda r: (r.source_id, natural_key(r.number)))
    for r in ordered:
        pages = f"{r.page}\u2013{r.page_last}" if r.page_last and r.page_last != r.page else r.page
        where = ", ".join(
            p for p in (r.appendix or None, r.section or None, f"{words['page']} {pages}" if r.page else None) if p
        )
        if r.redrawn:
            status = words["redrawn"].format(figure=f"`{r.source_id}_{r.reproduced_by}`")
        else:
            status = words["not_redrawn"].format(why=r.why_not_sv if sv else r.why_not)
        rows.append(
            [f"`{r.source_id}`", r.number, r.title if sv else r.title_en, r.shows_sv if sv else r.shows, where, status]
        )
    return rows


def check_rows(validation: pd.DataFrame, language: str) -> list[list[str]]:
    """Relation checks counted by outcome, one row per relation of each dataset."""
    if validation.empty:
        return []
    n = _n(language)
    counts = (
        validation.groupby(["relation", "type", "source_id", "table_id"], sort=True)["status"]
        .value_counts()
        .unstack(fill_value=0)
    )
    ordered = sorted(counts.iterrows(), key=lambda kv: (kv[0][2], natural_key(kv[0][3]), kv[0][0]))
    return [
        [
            f"`{sid}/{tid}`",
            f"`{rel}`",
            f"`{typ}`",
            n(c.get("holds", 0)),
            n(c.get("known_issue", 0)),
            n(c.get("skipped", 0)),
        ]
        for (rel, typ, sid, tid), c in ordered
    ]


def known_rows(known: pd.DataFrame, language: str, states: dict[str, str]) -> list[list[str]]:
    """The known-issues register: description and evidence in the report's language."""
    sv = language == "sv"
    return [
        [
            f"`{r.id}`",
            f"`{r.source_id}/{r.table_id}`",
            f"`{r.relation}`",
            r.group,
            r.description_sv if sv else r.description,
            r.evidence_sv if sv else r.evidence,
            states.get(r.state, r.state),
        ]
        for r in known.itertuples()
    ]


def codebook_rows(codebook: pd.DataFrame, more: str, cap: int = CODEBOOK_CAP) -> list[list[str]]:
    """Category labels per dataset column, at most ``cap`` each; the rest counted in one
    row ``more`` (a template with ``{n}``), so a table of many categories stays readable."""
    if codebook.empty:
        return []
    cb = codebook[codebook["kind"] != "measure"]
    rows = []
    groups = cb.groupby(["source_id", "table_id", "column"], sort=False)
    keys = sorted(groups.groups, key=lambda k: (k[0], natural_key(k[1]), k[2]))
    for sid, tid, column in keys:
        group = groups.get_group((sid, tid, column))
        rows += [[f"`{sid}/{tid}`", f"`{column}`", r.label, r.label_en] for r in group.head(cap).itertuples()]
        if len(group) > cap:
            rows.append([f"`{sid}/{tid}`", f"`{column}`", more.format(n=len(group) - cap), ""])
    return rows


def run(input, output, params, log=None) -> None:
    """Stage: ingest summaries -> reports/index.md and reports/codebook.md."""
    with stage_run("report_index", output, log) as record:
        frames = {}
        for name in ("catalog", "validation", "known_issues", "codebook", "figures"):
            frames[name] = pd.read_parquet(getattr(input, name))
            record.read(getattr(input, name), frames[name])
        language = params.language
        trans = translations(language, catalog_path(input.catalogs))
        _ = trans.gettext
        kinds = {"facts": _("Facts printed in the text"), "events": _("Dated events")}
        words = {
            "chapter": _("chapter"),
            "page": _("p."),
            # lines of the extracted text of the source document
            "lines": _("lines"),
            "redrawn": _("redrawn as {figure}"),
            "not_redrawn": _("not redrawn: {why}"),
        }
        states = {"confirmed": _("confirmed"), "stale": _("stale")}
        more = _("… and {n} more rows")
        text = render(
            input.index_template,
            language,
            trans,
            sources=source_rows(frames["catalog"], language),
            datasets=dataset_rows(frames["catalog"], language, kinds, words),
            checks=check_rows(frames["validation"], language),
            known=known_rows(frames["known_issues"], language, states),
            coverage=coverage_rows(frames["catalog"], language),
            figures=figure_rows(frames["figures"], language, words),
            sections=params.sections,
        )
        write_markdown(text, output.md, output.part, record)
        rows = codebook_rows(frames["codebook"], more)
        text = render(input.codebook_template, language, trans, rows=rows)
        write_markdown(text, output.codebook, output.codebook_part, record)
