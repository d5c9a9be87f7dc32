"""The Riksrevisionen survey analysis: denominators, estimates, tests, answer tables.

``analyse_survey`` takes the ingested tables and facts of one survey source and the
``survey`` section of the config, and returns tidy frames with fixed column orders. It
does no I/O and holds no report text; the stage writes the frames, the figure and report
jobs read them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from analysis.core.numbers import parse_number
from analysis.core.proportions import proportion_ci, proportion_ci_array
from analysis.survey.methods import (
    VERDICTS,
    brunner_munzel_grouped,
    compact_ranges,
    counts_for,
    homogeneity_statistics,
    homogeneity_table,
    mcnemar_bounds,
    paired_share_bounds,
    recover_row,
)
from analysis.survey.shared import CHECKS, CODINGS, SCENARIOS, classify_tables, natural_key, select_bound


@dataclass
class SurveyResults:
    denominators: pd.DataFrame
    intersections: pd.DataFrame
    counts: pd.DataFrame
    estimates: pd.DataFrame
    positive_shares: pd.DataFrame
    tests: pd.DataFrame
    pairwise: pd.DataFrame
    ordinal_effects: pd.DataFrame
    answers: pd.DataFrame
    answer_checks: pd.DataFrame
    likert_tables: list[str] = field(default_factory=list)
    answer_tables: list[str] = field(default_factory=list)


class UnknownCategoryError(ValueError):
    """A configured middle category that no survey table prints."""


def fact_value(facts: pd.DataFrame | dict, fact_id: str) -> float:
    """The value of a fact by id (``facts`` a frame or an id -> value dict); a missing id
    is an error naming it."""
    values = facts if isinstance(facts, dict) else dict(zip(facts["id"], facts["value"], strict=True))
    if fact_id not in values:
        raise KeyError(f"fact '{fact_id}' named in config.yaml survey settings is not in facts.csv")
    return float(values[fact_id])


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


def pick_n(feasible: tuple[int, ...], how: str) -> int | None:
    """The feasible N a scenario uses: the smallest, the largest or the median (the lower
    middle value of an even count, so that it is itself feasible)."""
    if not feasible:
        return None
    if how not in SCENARIOS:
        raise ValueError(f"unknown denominator choice {how!r}; expected one of {SCENARIOS}")
    return {"smallest": feasible[0], "largest": feasible[-1], "median": feasible[(len(feasible) - 1) // 2]}[how]


def positive_mask(categories: list[str], directions: list[str], coding: str, middle: set[str]) -> np.ndarray:
    """Which categories count as positive: the sidecar's direction, except that the
    configured middle categories count as positive (``coding='positive'``) or not
    (``coding='negative'``)."""
    if coding not in CODINGS:
        raise ValueError(f"unknown middle coding {coding!r}; expected one of {CODINGS}")
    pairs = zip(categories, directions, strict=True)
    return np.array([(coding == "positive") if c in middle else d == "positive" for c, d in pairs])


@dataclass
class _Row:
    """One printed row of a Likert table, recovered under the primary rounding rule."""

    label: str
    categories: list[str]
    directions: list[str]
    feasible: tuple[int, ...]
    counts: dict[int, tuple[int, ...]]  # every feasible N -> its counts


def _recover(tid, f, settings, facts, rules, row, resp):
    """Denominator rows (every rule) and the recovered rows (primary rule) of one table."""
    den_rows, recovered, feasible_sets = [], [], {}
    chosen_how = settings["denominator"]
    for label, sub in f.groupby(row, sort=False):
        scaled, decimals = _scaled(sub["printed"])
        bound, why = row_bound(tid, label, settings, facts)
        for r in rules:
            rec = recover_row(scaled, decimals, bound, r)
            feasible_sets[(tid, label, r)] = set(rec.feasible)
            n_pick = pick_n(rec.feasible, chosen_how)
            counts = counts_for(scaled, decimals, n_pick, r) if n_pick else None
            primary = r == rules[0]
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
                    "chosen_n": n_pick if primary and n_pick else np.nan,
                    "counts_at_chosen": "/".join(map(str, counts)) if counts and primary else "",
                    "consistent": bool(rec.feasible),
                }
            )
            if primary and rec.feasible:
                recovered.append(
                    _Row(
                        label,
                        list(sub[resp]),
                        list(sub["direction"]),
                        rec.feasible,
                        {n: counts_for(scaled, decimals, n, r) for n in rec.feasible},
                    )
                )
    return den_rows, recovered, feasible_sets


def analyse_survey(
    tables: dict[str, pd.DataFrame], facts: pd.DataFrame, codebook: pd.DataFrame, settings: dict
) -> SurveyResults:
    """Run the whole survey analysis.

    Every estimate and test is computed under each denominator scenario (the smallest
    and the largest feasible N of every row, and the configured choice), and the positive
    share under each configured coding of the middle categories.

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
    method, conf = settings["interval_method"], settings["confidence"]
    alpha = 1 - conf
    chosen_how = settings["denominator"]
    scenarios = list(dict.fromkeys(["smallest", "largest", chosen_how]))
    codings = list(settings["middle_codings"])
    middle = set(settings["middle_categories"])
    likert, answer_tables = classify_tables(tables, settings)
    used = {c for t in likert for c in tables[t][resp].dropna()}
    unknown = sorted(middle - used)
    if unknown:
        raise UnknownCategoryError(unknown[0])
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    fact_values = dict(zip(facts["id"], facts["value"], strict=True))

    den_rows, count_rows, est_rows, share_rows = [], [], [], []
    test_rows, pair_rows, ord_rows, feasible_sets = [], [], [], {}
    for tid in likert:
        f = tables[tid]
        f = f[f["measure"] == "percent"]
        dens, recovered, sets = _recover(tid, f, settings, fact_values, rules, row, resp)
        den_rows += dens
        feasible_sets |= sets
        labels = {r.label: r for r in recovered}
        for r in recovered:
            n_chosen = pick_n(r.feasible, chosen_how)
            counts = np.array(r.counts[n_chosen])
            ns = np.array(r.feasible)
            every = np.array([r.counts[n] for n in r.feasible])  # feasible N x categories
            env_lo, env_hi = proportion_ci_array(every, ns[:, None], method, conf)
            lo, hi = proportion_ci_array(counts, n_chosen, method, conf)
            sub = f[f[row] == r.label]
            for i, (_, cell) in enumerate(sub.iterrows()):
                rec = {
                    "table_id": tid,
                    "row": r.label,
                    "category": cell[resp],
                    "category_en": en.get((tid, cell[resp]), cell[resp]),
                    "direction": cell["direction"],
                    "score": int(cell["score"]),
                    "printed": cell["printed"],
                    "count": int(counts[i]),
                    "n": int(n_chosen),
                    "share": counts[i] / n_chosen,
                    "lower": lo[i],
                    "upper": hi[i],
                }
                count_rows.append(rec)
                est_rows.append(
                    rec
                    | {
                        "coding": "",
                        "n_smallest": r.feasible[0],
                        "n_largest": r.feasible[-1],
                        "lower_range": env_lo[:, i].min(),
                        "upper_range": env_hi[:, i].max(),
                    }
                )
            for k, coding in enumerate(codings):
                mask = positive_mask(r.categories, r.directions, coding, middle)
                env = {}
                for direction, m in (("positive", mask), ("negative", ~mask)):
                    c_all = every[:, m].sum(axis=1)
                    e_lo, e_hi = proportion_ci_array(c_all, ns, method, conf)
                    env[direction] = (e_lo.min(), e_hi.max())
                    c = int(counts[m].sum())
                    if k == 0:  # the estimates table keeps the primary coding at the chosen N
                        p_lo, p_hi = proportion_ci_array(c, n_chosen, method, conf)
                        est_rows.append(
                            {
                                "table_id": tid,
                                "row": r.label,
                                "category": " + ".join(np.array(r.categories)[m]),
                                "category_en": direction,
                                "direction": direction,
                                "score": 0,
                                "printed": "",
                                "count": c,
                                "n": int(n_chosen),
                                "share": c / n_chosen,
                                "lower": float(p_lo),
                                "upper": float(p_hi),
                                "coding": coding,
                                "n_smallest": r.feasible[0],
                                "n_largest": r.feasible[-1],
                                "lower_range": env[direction][0],
                                "upper_range": env[direction][1],
                            }
                        )
                for scenario in scenarios:
                    n_s = pick_n(r.feasible, scenario)
                    c = int(np.array(r.counts[n_s])[mask].sum())
                    s_lo, s_hi = proportion_ci_array(c, n_s, method, conf)
                    share_rows.append(
                        {
                            "table_id": tid,
                            "row": r.label,
                            "coding": coding,
                            "denominator": scenario,
                            "chosen": scenario == chosen_how,
                            "categories": " + ".join(np.array(r.categories)[mask]),
                            "count": c,
                            "n": n_s,
                            "share": c / n_s,
                            "lower": float(s_lo),
                            "upper": float(s_hi),
                            "lower_range": env["positive"][0],
                            "upper_range": env["positive"][1],
                        }
                    )
        if len(labels) < 2:
            continue
        draws, seed = settings["search"]["draws"], settings["search"]["seed"]
        test_rows.append(_tests(tid, recovered, scenarios, chosen_how, alpha, draws, seed))
        pair_rows.append(_pairwise(tid, recovered, scenarios, chosen_how, codings, middle, conf))
        ord_rows.append(_ordinal(tid, recovered, scenarios, chosen_how, conf))

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
                "tables": ", ".join(sorted(tids, key=natural_key)),
                "n_feasible": len(values),
                "n_min": values[0] if values else np.nan,
                "n_max": values[-1] if values else np.nan,
                "feasible": compact_ranges(values),
            }
        )

    answers, checks = _answer_tables(tables, answer_tables, facts, en, settings)

    def concat(frames):
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    return SurveyResults(
        denominators=pd.DataFrame.from_records(den_rows),
        intersections=pd.DataFrame.from_records(inter_rows),
        counts=pd.DataFrame.from_records(count_rows),
        estimates=pd.DataFrame.from_records(est_rows),
        positive_shares=pd.DataFrame.from_records(share_rows),
        tests=concat(test_rows),
        pairwise=concat(pair_rows),
        ordinal_effects=concat(ord_rows),
        answers=answers,
        answer_checks=checks,
        likert_tables=likert,
        answer_tables=answer_tables,
    )


def _count_table(recovered: list[_Row], scenario: str) -> pd.DataFrame:
    """Agencies x categories: the counts at each row's N of the scenario (the rows of one
    table share their categories)."""
    return pd.DataFrame(
        np.array([r.counts[pick_n(r.feasible, scenario)] for r in recovered]),
        index=[r.label for r in recovered],
        columns=recovered[0].categories,
    )


def _changes(frame: pd.DataFrame, keys: list[str], column: str) -> np.ndarray:
    """True where ``column`` takes more than one value within the group of ``keys``
    (plain Python: a pandas groupby on Arrow strings costs tens of milliseconds)."""
    groups = list(zip(*(frame[k].tolist() for k in keys), strict=True))
    values = frame[column].tolist()
    seen: dict[tuple, set] = {}
    for g, v in zip(groups, values, strict=True):
        seen.setdefault(g, set()).add(v)
    return np.array([len(seen[g]) > 1 for g in groups], dtype=bool)


def _tests(tid, recovered, scenarios, chosen_how, alpha, draws: int, seed: int) -> pd.DataFrame:
    """Homogeneity tests under every scenario, and the range of each statistic and p-value
    over mixed choices of N (every row its own feasible N): the scenarios plus ``draws``
    seeded random choices. ``conclusion_changes`` says whether significance at ``alpha``
    changes anywhere in that range."""
    frames = []
    for scenario in scenarios:
        t, note = homogeneity_table(_count_table(recovered, scenario))
        t.insert(0, "table_id", tid)
        t.insert(2, "denominator", scenario)
        t.insert(3, "chosen", scenario == chosen_how)
        t["warning"] = note
        frames.append(t)
    out = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(seed)
    picks = [rng.integers(0, len(r.feasible), draws) for r in recovered]
    every = [np.array([r.counts[k] for k in r.feasible]) for r in recovered]  # feasible N x categories
    stack = np.stack([e[pick] for e, pick in zip(every, picks, strict=True)], axis=1)
    stack = stack[:, :, stack.sum(axis=(0, 1)) > 0]
    chi2, q = homogeneity_statistics(stack)
    searched = {"chi_square_homogeneity": chi2, "mean_score_ordinal": q}
    test, stat, dfs = out["test"].to_numpy(), out["statistic"].to_numpy(), out["df"].to_numpy()
    lo, hi = np.empty(len(out)), np.empty(len(out))
    for name, values in searched.items():
        rows = test == name
        lo[rows] = min(values.min(), stat[rows].min())
        hi[rows] = max(values.max(), stat[rows].max())
    out["statistic_min"], out["statistic_max"] = lo, hi
    out["p_value_min"], out["p_value_max"] = special.chdtrc(dfs, hi), special.chdtrc(dfs, lo)
    out["choices_searched"] = draws + len(scenarios)
    out["significant"] = out["p_value"] < alpha
    out["conclusion_changes"] = (out["p_value_min"] < alpha) != (out["p_value_max"] < alpha)
    return out


def _over_every_n(recovered, masks, pairs, conf) -> dict[tuple[int, int], dict]:
    """For each pair, the paired bounds at every combination of the two rows' feasible N:
    the verdicts that occur and the envelope of the outer intervals."""
    out = {}
    positives = [
        (np.array(r.feasible), np.array([np.array(r.counts[k])[m].sum() for k in r.feasible]))
        for r, m in zip(recovered, masks, strict=True)
    ]
    for i, j in pairs:
        (n_a, x_a), (n_b, x_b) = positives[i], positives[j]
        ga, gb = np.meshgrid(np.arange(len(n_a)), np.arange(len(n_b)), indexing="ij")
        ga, gb = ga.ravel(), gb.ravel()
        b = paired_share_bounds(x_a[ga], n_a[ga], x_b[gb], n_b[gb], conf, comparisons=len(pairs))
        out[(i, j)] = {
            "verdicts": set(b["verdict"].tolist()),
            "lower": float(b["lower_outer"].min()),
            "upper": float(b["upper_outer"].max()),
            "choices": len(ga),
        }
    return out


def _pairwise(tid, recovered, scenarios, chosen_how, codings, middle, conf) -> pd.DataFrame:
    """Every pair of agencies: bounds on the paired difference of the positive share, at
    each scenario; whether the verdict changes at any combination of the two rows'
    feasible N, and the envelope of the outer intervals over all of them."""
    pairs = list(itertools.combinations(range(len(recovered)), 2))
    rows = []
    for coding in codings:
        masks = [positive_mask(r.categories, r.directions, coding, middle) for r in recovered]
        every_n = _over_every_n(recovered, masks, pairs, conf)
        for scenario in scenarios:
            n = np.array([pick_n(r.feasible, scenario) for r in recovered])
            x = np.array([np.array(r.counts[k])[m].sum() for r, k, m in zip(recovered, n, masks, strict=True)])
            ia, ib = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
            b = paired_share_bounds(x[ia], n[ia], x[ib], n[ib], conf, comparisons=len(pairs))
            # McNemar's statistic needs one N for both rows (the same respondents).
            same = n[ia] == n[ib]
            mc = mcnemar_bounds(x[ia], x[ib], np.where(same, n[ia], np.maximum(n[ia], n[ib])))
            for k, (i, j) in enumerate(pairs):
                rows.append(
                    {
                        "table_id": tid,
                        "coding": coding,
                        "denominator": scenario,
                        "chosen": scenario == chosen_how,
                        "group_a": recovered[i].label,
                        "group_b": recovered[j].label,
                        "n_a": int(n[i]),
                        "n_b": int(n[j]),
                        "share_a": x[i] / n[i],
                        "share_b": x[j] / n[j],
                        "difference": b["difference"][k],
                        "diff_lower": b["lower_outer"][k],
                        "diff_upper": b["upper_outer"][k],
                        "diff_lower_inner": b["lower_inner"][k],
                        "diff_upper_inner": b["upper_inner"][k],
                        "se_min": b["se_min"][k],
                        "se_max": b["se_max"][k],
                        "se_independent": b["se_independent"][k],
                        "p_value": b["p_max"][k],
                        "p_min": b["p_min"][k],
                        "p_independent": b["p_independent"][k],
                        "p_adjusted": min(1.0, len(pairs) * b["p_max"][k]),
                        "p_min_adjusted": min(1.0, len(pairs) * b["p_min"][k]),
                        "mcnemar_min": mc["statistic_min"][k] if same[k] else np.nan,
                        "mcnemar_max": mc["statistic_max"][k] if same[k] else np.nan,
                        "comparisons": len(pairs),
                        "verdict": str(b["verdict"][k]),
                        "significant": bool(b["verdict"][k] == VERDICTS[0]),
                        "diff_lower_range": every_n[(i, j)]["lower"],
                        "diff_upper_range": every_n[(i, j)]["upper"],
                        "n_choices": every_n[(i, j)]["choices"],
                        "verdict_changes": len(every_n[(i, j)]["verdicts"]) > 1,
                    }
                )
    out = pd.DataFrame.from_records(rows)
    key = ["group_a", "group_b"]
    out["coding_changes"] = _changes(out, [*key, "denominator"], "verdict")
    out.insert(0, "table_id", out.pop("table_id"))
    return out


def _ordinal(tid, recovered, scenarios, chosen_how, conf) -> pd.DataFrame:
    """Probability of superiority / Cliff's delta of every pair under every scenario."""
    rows = []
    for scenario in scenarios:
        counts = [np.array(r.counts[pick_n(r.feasible, scenario)]) for r in recovered]
        for i, j in itertools.combinations(range(len(recovered)), 2):
            bm = brunner_munzel_grouped(counts[i], counts[j], conf)
            rows.append(
                {
                    "table_id": tid,
                    "denominator": scenario,
                    "chosen": scenario == chosen_how,
                    "group_a": recovered[i].label,
                    "group_b": recovered[j].label,
                    "n_a": int(counts[i].sum()),
                    "n_b": int(counts[j].sum()),
                }
                | bm
            )
    out = pd.DataFrame.from_records(rows)
    out["significant"] = out["p_value"] < 1 - conf
    out["conclusion_changes"] = _changes(out, ["group_a", "group_b"], "significant")
    return out


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
