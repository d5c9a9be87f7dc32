"""Survey stage entry point: the survey source's tables -> result tables, figures, section."""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_csv, write_figure, write_parquet, write_text
from analysis.survey import TABLES


def run(input, output, params, log=None) -> None:
    """Stage: ``input.tables`` (+ facts, codebook) -> ``output`` tables, figures and ``md``."""
    from analysis.report.survey import survey_figures, survey_markdown
    from analysis.survey.analysis import analyse_survey, fact_value

    with stage_run("survey", output, log) as record:
        settings, language = params.settings, params.language
        tables, sidecars = {}, {}
        for p in input.tables:
            meta = read_meta(p)
            tid = meta["table"]["id"]
            tables[tid], sidecars[tid] = pd.read_parquet(p), meta["table"]
            record.read(p, tables[tid])
        facts = pd.read_parquet(input.facts)
        codebook = pd.read_parquet(input.codebook)
        try:
            results = analyse_survey(tables, facts, codebook, settings)
        except KeyError as exc:
            raise InputError(
                "config.yaml", None, None, str(exc), "fact ids that exist in the source's facts.csv", "survey:"
            ) from None
        unknown = sorted(set(tables) - set(results.likert_tables) - set(results.answer_tables))
        if unknown:
            raise InputError(
                input.tables[0],
                None,
                None,
                unknown[0],
                "agency x response tables or answer tables",
                "not a survey table:",
            )
        meta = {"settings": settings, "source_tables": list(input.tables)}
        for name in TABLES:
            frame = getattr(results, name)
            write_parquet(frame, getattr(output, name), meta)
            write_csv(frame, getattr(output, f"{name}_csv"))
            record.wrote(getattr(output, name), frame)
        respondents = int(fact_value(facts, settings["respondents_fact"]))
        figures = survey_figures(results, tables, sidecars, codebook, settings, respondents, language)
        shown = {}
        for key, (fig, cap) in figures.items():
            paths = {fmt: getattr(output, f"{key}_{fmt}") for fmt in params.formats}
            write_figure(fig, paths)
            shown[key] = (f"figures/{paths['png'].rsplit('/', 1)[-1]}", cap)
            record.wrote(paths["png"])
        md = survey_markdown(results, tables, sidecars, codebook, settings, respondents, shown, language)
        write_text(md, output.md)
        record.wrote(output.md)
