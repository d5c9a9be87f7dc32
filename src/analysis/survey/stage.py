"""Survey stage entry point: the survey source's tables -> the result tables.

No language, no figures, no text: the figure job (``analysis.report.survey_figures``)
and the report job (``analysis.report.survey``) read the tables written here.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_results
from analysis.survey import TABLES


def run(input, output, params, log=None) -> None:
    """Stage: ``input.tables`` (+ ``facts``, ``codebook``) -> every table of :data:`TABLES`."""
    from analysis.survey.analysis import UnknownCategoryError, analyse_survey

    with stage_run("survey", output, log) as record:
        settings = params.settings
        tables, paths = {}, {}
        for p in input.tables:
            tid = read_meta(p)["table"]["id"]
            tables[tid], paths[tid] = pd.read_parquet(p), p
            record.read(p, tables[tid])
        facts = pd.read_parquet(input.facts)
        record.read(input.facts, facts)
        codebook = pd.read_parquet(input.codebook)
        record.read(input.codebook, codebook)
        try:
            results = analyse_survey(tables, facts, codebook, settings)
        except UnknownCategoryError as exc:
            raise InputError(
                "config.yaml",
                None,
                None,
                str(exc),
                "a response category as printed in one of the survey tables",
                "survey: middle_categories: unknown category",
            ) from None
        except KeyError as exc:
            raise InputError(
                "config.yaml", None, None, str(exc), "fact ids that exist in the source's facts.csv", "survey:"
            ) from None
        unknown = sorted(set(tables) - set(results.likert_tables) - set(results.answer_tables))
        if unknown:
            raise InputError(
                paths[unknown[0]],
                None,
                None,
                unknown[0],
                "agency x response tables or answer tables",
                "not a survey table:",
            )
        notes = results.tests.drop_duplicates(["table_id", "denominator"]) if not results.tests.empty else None
        for t in notes.itertuples() if notes is not None else ():
            if t.warning:
                record.info(f"warning: {t.table_id} at the {t.denominator} feasible N: {t.warning}")
        meta = {"settings": settings, "source_tables": list(input.tables)}
        tables = {name: getattr(results, name) for name in TABLES}
        write_results(tables, output, meta, record, csv_precision=meaningful)


# Precision of the result CSVs: the inputs are percentages printed to one decimal, so
# shares carry four decimals (0.01 percentage points), statistics three, p-values three
# significant digits. Computation is exact, and so are the Parquet tables (the reports
# round once, when they print); this applies only to the CSVs.
DECIMALS = {
    "share": 4,
    "lower": 4,
    "upper": 4,
    "difference": 4,
    "diff_": 4,
    "se_": 5,
    "ps": 4,
    "delta": 4,
    "statistic": 3,
    "mcnemar": 3,
    "cramers_v": 3,
    "min_expected": 2,
    "df": 1,
    "recomputed_percent": 2,
}


def meaningful(frame: pd.DataFrame) -> pd.DataFrame:
    """Round the float columns of a result table to the precision its inputs support."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        if col.startswith("p_"):
            out[col] = out[col].map(lambda v: float(f"{v:.3g}") if v == v else v)
            continue
        for prefix, decimals in DECIMALS.items():
            if col == prefix or col.startswith(prefix) or col.endswith("_" + prefix):
                out[col] = out[col].round(decimals)
                break
    return out
