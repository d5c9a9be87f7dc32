"""The Riksrevisionen survey analysis: denominators, estimates, tests, answer tables.

``analyse_survey`` takes the ingested tables and facts of one survey source and the
``survey`` section of the config, and returns tidy frames with fixed column orders. It
does no I/O and holds no report text; the stage writes the frames, the figure and report
jobs read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.numbers import parse_number
from analysis.core.proportions import proportion_ci
from analysis.survey.methods import (
    compact_ranges,
    counts_for,
    homogeneity_table,
    pairwise_share_tests,
    recover_row,
)
from analysis.survey.shared import CHECKS, classify_tables, select_bound


@dataclass
class SurveyResults:
    denominators: pd.DataFrame
    intersections: pd.DataFrame
    counts: pd.DataFrame
    estimates: pd.DataFrame
    tests: pd.DataFrame
    pairwise: pd.DataFrame
    answers: pd.DataFrame
    answer_checks: pd.DataFrame
    likert_tables: list[str] = field(default_factory=list)
    answer_tables: list[str] = field(default_factory=list)


def fact_value(facts: pd.DataFrame, fact_id: str) -> float:
    """The value of a fact by id; a missing id is an error naming it."""
    hit = facts.loc[facts["id"] == fact_id, "value"]
    if hit.empty:
        raise KeyError(f"fact '{fact_id}' named in config.yaml survey settings is not in facts.csv")
    return float(hit.iloc[0])


def row_bound(table_id: str, row_label: str, settings: dict, facts: pd.DataFrame) -> tuple[int, str]:
    """The upper bound on a row's N from the configured printed constraints (most specific wins)."""
    bound = int(fact_value(facts, settings["respondents_fact"]))
    why = "all respondents"
    best = select_bound(table_id, row_label, settings["bounds"])
    if best is not None:
        value = fact_value(facts, best["at_most"]) - (fact_value(facts, best["minus"]) if "minus" in best else 0)
        bound, why = int(value), best["why"]
    return bound, why


def _scaled(printed: pd.Series) -> tuple[list[int], int]:
    parsed = [parse_number(p) for p in printed]
    decimals = max(p.decimals for p in parsed)
    return [round(p.value * 10**decimals) for p in parsed], decimals


def analyse_survey(
    tables: dict[str, pd.DataFrame], facts: pd.DataFrame, codebook: pd.DataFrame, settings: dict
) -> SurveyResults:
    """Run the whole survey analysis.

    Parameters
    ----------
    tables : dict
        table id -> long-format frame as ingested (with derived ``direction``/``score``).
    facts : DataFrame
        The source's facts (bounds and respondent counts are looked up by id).
    codebook : DataFrame
        For English labels of categories.
    settings : dict
        The ``survey`` section of config.yaml.
    """
    row, resp = settings["row_dimension"], settings["response_dimension"]
    rules = list(settings["rounding"])
    rule = rules[0]
    likert, answer_tables = classify_tables(tables, settings)
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))

    den_rows, count_rows, est_rows, test_rows, pair_rows, feasible_sets = [], [], [], [], [], {}
    for tid in likert:
        f = tables[tid]
        f = f[f["measure"] == "percent"]
        count_table = {}
        for label, sub in f.groupby(row, sort=False):
            scaled, decimals = _scaled(sub["printed"])
            bound, why = row_bound(tid, label, settings, facts)
            chosen_n, chosen_counts = None, None
            for r in rules:
                rec = recover_row(scaled, decimals, bound, r)
                feasible_sets[(tid, label, r)] = set(rec.feasible)
                n_pick = (
                    (rec.feasible[0] if settings["denominator"] == "smallest" else rec.feasible[-1])
                    if rec.feasible
                    else None
                )
                counts = counts_for(scaled, decimals, n_pick, r) if n_pick else None
                den_rows.append(
                    {
                        "table_id": tid,
                        "row": label,
                        "rule": r,
                        "bound": bound,
                        "bound_why": why,
                        "n_feasible": len(rec.feasible),
                        "n_min": rec.feasible[0] if rec.feasible else np.nan,
                        "n_max": rec.feasible[-1] if rec.feasible else np.nan,
                        "feasible": compact_ranges(rec.feasible),
                        "chosen_n": n_pick if r == rule and n_pick else np.nan,
                        "counts_at_chosen": "/".join(map(str, counts)) if counts and r == rule else "",
                        "consistent": bool(rec.feasible),
                    }
                )
                if r == rule:
                    chosen_n, chosen_counts = n_pick, counts
            if chosen_counts is None:
                continue  # the row is flagged inconsistent in the denominators table
            count_table[label] = pd.Series(chosen_counts, index=list(sub[resp]))
            for (_, cell), c in zip(sub.iterrows(), chosen_counts, strict=True):
                lo, hi = proportion_ci(c, chosen_n, settings["interval_method"], settings["confidence"])
                rec = {
                    "table_id": tid,
                    "row": label,
                    "category": cell[resp],
                    "category_en": en.get((tid, cell[resp]), cell[resp]),
                    "direction": cell["direction"],
                    "score": int(cell["score"]),
                    "printed": cell["printed"],
                    "count": int(c),
                    "n": int(chosen_n),
                    "share": c / chosen_n,
                    "lower": lo,
                    "upper": hi,
                }
                count_rows.append(rec)
                est_rows.append(rec)
            for direction in ("positive", "negative"):
                mask = (sub["direction"] == direction).to_numpy()
                c = int(np.asarray(chosen_counts)[mask].sum())
                lo, hi = proportion_ci(c, chosen_n, settings["interval_method"], settings["confidence"])
                cats = " + ".join(sub.loc[mask, resp])
                est_rows.append(
                    {
                        "table_id": tid,
                        "row": label,
                        "category": cats,
                        "category_en": direction,
                        "direction": direction,
                        "score": 0,
                        "printed": "",
                        "count": c,
                        "n": int(chosen_n),
                        "share": c / chosen_n,
                        "lower": lo,
                        "upper": hi,
                    }
                )
        if len(count_table) < 2:
            continue
        ct = pd.DataFrame(count_table).T.fillna(0)
        t, note = homogeneity_table(ct, settings["design_effects"])
        t.insert(0, "table_id", tid)
        t["warning"] = note
        test_rows.append(t)
        positive = [c for c in ct.columns if (f.loc[f[resp] == c, "direction"] == "positive").any()]
        pw = pairwise_share_tests(
            ct[positive].sum(axis=1), ct.sum(axis=1), settings["design_effects"], settings["confidence"]
        )
        pw.insert(0, "table_id", tid)
        pair_rows.append(pw)

    inter_rows = []
    by_label: dict[tuple[str, str], list[str]] = {}
    for tid, label, r in feasible_sets:
        if tid != "tabell_8":  # Tabell 8 excludes respondents without training: another population
            by_label.setdefault((label, r), []).append(tid)
    for (label, r), tids in sorted(by_label.items()):
        common = set.intersection(*(feasible_sets[(t, label, r)] for t in tids))
        values = sorted(common)
        inter_rows.append(
            {
                "row": label,
                "rule": r,
                "tables": ", ".join(sorted(tids)),
                "n_feasible": len(values),
                "n_min": values[0] if values else np.nan,
                "n_max": values[-1] if values else np.nan,
                "feasible": compact_ranges(values),
            }
        )

    answers, checks = _answer_tables(tables, answer_tables, facts, en, settings)
    return SurveyResults(
        denominators=pd.DataFrame.from_records(den_rows),
        intersections=pd.DataFrame.from_records(inter_rows),
        counts=pd.DataFrame.from_records(count_rows),
        estimates=pd.DataFrame.from_records(est_rows),
        tests=pd.concat(test_rows, ignore_index=True) if test_rows else pd.DataFrame(),
        pairwise=pd.concat(pair_rows, ignore_index=True) if pair_rows else pd.DataFrame(),
        answers=answers,
        answer_checks=checks,
        likert_tables=likert,
        answer_tables=answer_tables,
    )


def _answer_tables(tables, answer_tables, facts, en, settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shares of all respondents for each answer, with intervals; answer-count checks."""
    respondents = int(fact_value(facts, settings["respondents_fact"]))
    rows, checks = [], []
    for tid in answer_tables:
        f = tables[tid]
        cnt = f[f["measure"] == "count"].set_index(settings["answer_dimension"])
        pct = f[f["measure"] == "percent"].set_index(settings["answer_dimension"])
        for label, c in cnt["value"].items():
            lo, hi = proportion_ci(c, respondents, settings["interval_method"], settings["confidence"])
            rows.append(
                {
                    "table_id": tid,
                    "answer": label,
                    "answer_en": en.get((tid, label), label),
                    "count": int(c),
                    "n": respondents,
                    "share": c / respondents,
                    "lower": lo,
                    "upper": hi,
                    "printed_percent": pct.loc[label, "printed"],
                    "recomputed_percent": 100 * c / respondents,
                }
            )
        total = int(cnt["value"].sum())
        if tid == settings["multiple_response_table"]:
            split = {int(k): int(fact_value(facts, v)) for k, v in settings["answer_split_facts"].items()}
            expected = sum(k * v for k, v in split.items())
            checks.append(
                {
                    "table_id": tid,
                    "check": CHECKS["answers_given"],
                    "printed": total,
                    "expected": expected,
                    "holds": total == expected,
                    "detail": " + ".join(f"{k} x {v}" for k, v in sorted(split.items(), reverse=True))
                    + f" = {expected}",
                }
            )
            checks.append(
                {
                    "table_id": tid,
                    "check": CHECKS["respondents_by_answers"],
                    "printed": sum(split.values()),
                    "expected": respondents,
                    "holds": sum(split.values()) == respondents,
                    "detail": " + ".join(str(v) for v in split.values()) + f" vs {respondents}",
                }
            )
        else:
            checks.append(
                {
                    "table_id": tid,
                    "check": CHECKS["single_response"],
                    "printed": total,
                    "expected": respondents,
                    "holds": total == respondents,
                    "detail": f"{total} vs {respondents}",
                }
            )
    return pd.DataFrame.from_records(rows), pd.DataFrame.from_records(checks)
