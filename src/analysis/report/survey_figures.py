"""The figures of the survey section (rule ``figures_survey``): labels and captions in
the report language, drawn by :mod:`figures.survey`.

Reads the processed tables (printed shares, titles), the codebook, the facts and the
result tables ``estimates`` and ``answers``; the captions come from
:func:`analysis.report.survey.figure_captions`, shared with the report job. Every label
is a ``_()`` call here (gettext domain ``survey``).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.i18n import fmt_number
from analysis.core.stage import stage_run
from analysis.core.store import write_figure
from analysis.report.render import catalog_path, translations
from analysis.report.survey import figure_captions, interval_name, labeller, read_source, respondents, table_title
from analysis.survey.shared import classify_tables


def survey_figures(
    estimates, answers, tables, sidecars, codebook, settings, n_respondents, language, _, keys=None
) -> dict:
    """The figures of the section: {key: Figure}, every key or only those of ``keys``.

    Keys are the table ids (a diverging bar chart for a Likert table, bars with intervals
    for an answer table) and ``dotplot`` (the positive shares of every Likert table).
    """
    from figures.survey import agree_dotplot, likert_diverging, share_bars

    lab = labeller(codebook, language)
    row_dim, resp_dim = settings["row_dimension"], settings["response_dimension"]
    likert, answer_tables = classify_tables(tables, settings)
    captions = figure_captions(_, settings, sidecars, likert, answer_tables, n_respondents, language)
    out = {}

    def wanted(key: str) -> bool:
        return keys is None or key in keys

    for tid in filter(wanted, likert):
        f = tables[tid][tables[tid]["measure"] == "percent"]
        rows, cols = list(dict.fromkeys(f[row_dim])), list(dict.fromkeys(f[resp_dim]))
        shares = f.pivot(index=row_dim, columns=resp_dim, values="value").loc[rows, cols]
        directions = [f.loc[f[resp_dim] == c, "direction"].iloc[0] for c in cols]
        est = estimates[(estimates["table_id"] == tid) & (estimates["score"] > 0)]
        labels = {x: lab(tid, x) for x in rows + cols}
        labels |= {
            "title": table_title(sidecars[tid], language),
            "xlabel": _("Share of respondents (%%), negative answers to the left") % {},
            "ylabel": _("Agency rated"),
            "n_label": "N =",
            "n_axis": _("N used (feasible range)"),
            "no_n": _("no N fits"),
        }
        first = est.drop_duplicates("row").set_index("row")
        n_range = first[["n_smallest", "n_largest"]].rename(columns={"n_smallest": "lo", "n_largest": "hi"})
        out[tid] = likert_diverging(shares, directions, first["n"], labels, captions[tid], language, n_range)
    pos = estimates[(estimates["score"] == 0) & (estimates["direction"] == "positive")] if likert else estimates[:0]
    if not pos.empty and wanted("dotplot"):
        # Each agency labelled by a table that has it (SSC is rated in Tabell 8 only).
        labels = {r.row: lab(r.table_id, r.row) for r in pos.drop_duplicates("row").itertuples()}
        labels |= {t: sidecars[t]["number"] for t in likert}
        labels |= {
            "title": _("Positive share by agency and question"),
            "xlabel": _("Positive share (%%)") % {},
            "ylabel": _("Agency rated"),
            "interval": _("%(method)s interval at the N used") % {"method": interval_name(settings, language, _)},
            "range": _("Range of the intervals over every feasible N"),
        }
        out["dotplot"] = agree_dotplot(pos, labels, captions["dotplot"], language)
    for tid in filter(wanted, answer_tables):
        a = answers[answers["table_id"] == tid]
        labels = {x: lab(tid, x) for x in a["answer"]}
        labels |= {
            "title": table_title(sidecars[tid], language),
            "xlabel": _("Share of all %(n)s respondents (%%)") % {"n": fmt_number(n_respondents, language, 0)},
            "ylabel": _("Answer"),
            "share": _("Share (printed count)"),
            "interval": _("%(method)s interval") % {"method": interval_name(settings, language, _)},
        }
        out[tid] = share_bars(a, labels, captions[tid], language)
    return out


def run(input, output, params, log=None, keys=None) -> list[str]:
    """Stage: processed tables + ``estimates`` and ``answers`` -> one figure per key and
    format (every key of ``params.figures``, or those of ``keys``); returns the log lines."""
    keys = list(params.figures if keys is None else keys)
    with stage_run("figures_survey " + " ".join(keys), output, log) as record:
        language, settings = params.language, params.settings
        trans = translations(language, catalog_path(input.catalogs))
        tables, sidecars = read_source(input.tables, record)
        frames = {}
        for name in ("estimates", "answers", "codebook", "facts"):
            frames[name] = pd.read_parquet(getattr(input, name))
            record.read(getattr(input, name), frames[name])
        figures = survey_figures(
            frames["estimates"],
            frames["answers"],
            tables,
            sidecars,
            frames["codebook"],
            settings,
            respondents(frames["facts"], settings),
            language,
            trans.gettext,
            keys,
        )
        missing = [key for key in keys if key not in figures]
        if missing:
            raise InputError(input.estimates, None, None, missing[0], "a Likert or answer table", "no figure for")
        for key in keys:
            paths = {fmt: getattr(output, f"{key}_{fmt}") for fmt in params.formats}
            write_figure(figures.pop(key), paths)
            for path in paths.values():
                record.wrote(path)
    return record.lines
