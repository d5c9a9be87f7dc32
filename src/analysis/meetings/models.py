"""Försäkringskassan's follow-up meetings: trend series, interrupted-time-series count
models, breakpoint scans and group differences.

The series are half-yearly counts (Bilaga 1, Tabell 1). The segmented model of a count
``y_t`` at half-year ``t = 0, 1, ...`` is

    log E[y_t] = b0 + b1 t + s H2_t + sum_k ( l_k 1[t >= T_k] + g_k (t - T_k)+ )

with ``H2_t`` the second-half-year indicator and, for each breakpoint ``T_k``, a level
change ``l_k`` and a slope change ``g_k`` (Wagner et al. 2002). It is fitted as Poisson
with the dispersion estimated from the Pearson chi-square (quasi-Poisson) and as negative
binomial (NB2, maximum likelihood); standard errors are given model-based and robust to
autocorrelation (Newey-West HAC). With 18 half-years and up to seven parameters the
series is short: estimates are imprecise and the breakpoints cannot be located sharply.

References
----------
Wagner, A. K. et al. (2002). Segmented regression analysis of interrupted time series
studies in medication use research. J. Clin. Pharm. Ther. 27, 299-309.
Bernal, J. L., Cummins, S. & Gasparrini, A. (2017). Interrupted time series regression for
the evaluation of public health interventions: a tutorial. Int. J. Epidemiol. 46, 348-355.
Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity
and autocorrelation consistent covariance matrix. Econometrica 55, 703-708.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from analysis.core.proportions import proportion_ci

FAMILIES = ("quasi_poisson", "negative_binomial")

# The odds-ratio model (:func:`odds_ratios`) is saturated, so its fitted proportions
# equal the observed ones exactly, and statsmodels reads that as 'perfect prediction' on
# every fit. With every proportion strictly between 0 and 1 (checked there) nothing is
# separated. The filter is registered once, at import: stages run in threads of one
# process, where toggling filters with ``warnings.catch_warnings`` is not safe.
warnings.filterwarnings(
    "ignore", message="Perfect separation or prediction detected", category=PerfectSeparationWarning
)


class SeriesGap(ValueError):
    """The half-years of a series are not consecutive; ``row`` is the first row after the
    gap (a processed row: ``period``, and ``raw_line``/``raw_column`` in the raw file)."""

    def __init__(self, column: str, row: dict) -> None:
        self.column, self.row = column, row
        super().__init__(f"the half-years of {column!r} are not consecutive at {row.get('period')!r}")


def half_year_series(frame: pd.DataFrame, series: dict[str, str]) -> pd.DataFrame:
    """Half-year rows of the series table in time order.

    Raises :class:`SeriesGap` when a half-year is missing or repeated.

    Returns
    -------
    DataFrame
        ``series, year, half, label, t, count`` (``t`` = 0 for the first half-year).
    """
    rows = frame[frame["half"].isin(["1", "2"])].copy()
    out = []
    for sid, column in series.items():
        sub = rows[rows["series"] == column].copy()
        if sub.empty:
            raise KeyError(f"series column {column!r} (config meetings.series.{sid}) is not in the table")
        sub["year"] = sub["year"].astype(int)
        sub["half"] = sub["half"].astype(int)
        sub = sub.sort_values(["year", "half"])
        start = sub["year"].iloc[0] * 2 + sub["half"].iloc[0] - 1
        t = sub["year"] * 2 + sub["half"] - 1 - start
        if list(t) != list(range(len(sub))):
            k = next(i for i, v in enumerate(t) if v != i)  # the first half-year after a gap (or repeated)
            raise SeriesGap(column, sub.iloc[k].to_dict())
        out.append(
            pd.DataFrame(
                {
                    "series": sid,
                    "year": sub["year"].to_numpy(),
                    "half": sub["half"].to_numpy(),
                    "label": [f"{y}H{h}" for y, h in zip(sub["year"], sub["half"], strict=True)],
                    "t": t.to_numpy(),
                    "count": sub["value"].to_numpy(),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def trend_table(half: pd.DataFrame, annual: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Counts, changes and an index for each half-year and year of each series.

    Parameters
    ----------
    half : DataFrame
        From :func:`half_year_series`.
    annual : DataFrame
        ``series, year, count`` from the printed annual rows (NaN where not printed).
    base_year : int
        Year whose annual count is the index base (= 100).

    Returns
    -------
    DataFrame
        ``series, period_type, period, year, half, count, change, change_pct,
        change_same_half_pct, index, sassam_per_100_meetings`` (the last only on the
        ``sassam`` series, relative to ``meetings`` of the same period).
    """
    rows = []
    for sid, sub in half.groupby("series", sort=False):
        counts = sub["count"].to_numpy(dtype=float)
        prev = np.r_[np.nan, counts[:-1]]
        prev_year = np.r_[[np.nan, np.nan], counts[:-2]]
        for i, r in enumerate(sub.itertuples()):
            rows.append(
                {
                    "series": sid,
                    "period_type": "half_year",
                    "period": r.label,
                    "year": r.year,
                    "half": r.half,
                    "count": counts[i],
                    "change": counts[i] - prev[i],
                    "change_pct": 100 * (counts[i] / prev[i] - 1),
                    "change_same_half_pct": 100 * (counts[i] / prev_year[i] - 1),
                }
            )
        yearly = sub.groupby("year")["count"].agg(["sum", "size"])
        printed = annual[annual["series"] == sid].set_index("year")["count"]
        years = sorted(yearly.index)
        base = printed.get(base_year, np.nan)
        if base != base and base_year in yearly.index and yearly.loc[base_year, "size"] == 2:
            base = yearly.loc[base_year, "sum"]
        for k, y in enumerate(years):
            complete = yearly.loc[y, "size"] == 2
            total = printed.get(y, yearly.loc[y, "sum"] if complete else np.nan)
            prev_total = np.nan
            if k > 0:
                py = years[k - 1]
                prev_total = printed.get(py, yearly.loc[py, "sum"] if yearly.loc[py, "size"] == 2 else np.nan)
            rows.append(
                {
                    "series": sid,
                    "period_type": "year",
                    "period": str(y),
                    "year": y,
                    "half": 0,
                    "count": total,
                    "change": total - prev_total,
                    "change_pct": 100 * (total / prev_total - 1),
                    "change_same_half_pct": np.nan,
                }
            )
        for r in rows:
            if r["series"] == sid:
                r["index"] = 100 * r["count"] / (base if r["period_type"] == "year" else base / 2)
    out = pd.DataFrame.from_records(rows)
    if {"meetings", "sassam"} <= set(out["series"]):
        m = out[out["series"] == "meetings"].set_index("period")["count"]
        out["sassam_per_100_meetings"] = np.where(
            out["series"] == "sassam", 100 * out["count"] / out["period"].map(m), np.nan
        )
    return out


def event_half_year(start: str) -> tuple[int, int]:
    """(year, half) of the half-year that contains an ISO date."""
    m = re.match(r"^(\d{4})-(\d{2})-\d{2}$", start)
    if not m:
        raise ValueError(f"not an ISO date: {start!r}")
    return int(m.group(1)), 1 if int(m.group(2)) <= 6 else 2


def date_position(date: str, first_year: int, first_half: int) -> float:
    """Position of an ISO date on the half-year axis where half-year k is centred on k.

    The first half-year of the series spans [-0.5, 0.5): 1 January of its year maps to -0.5.
    """
    y, m, d = (int(x) for x in date.split("-"))
    start = first_year * 2 + first_half - 1
    return (y * 2 - start) + ((m - 1) + (d - 1) / 31) / 6 - 0.5


def design(t: np.ndarray, half: np.ndarray, breaks: list[int]) -> pd.DataFrame:
    """Design matrix: intercept, trend, second half-year, level and slope change per break."""
    X = pd.DataFrame({"const": 1.0, "trend": t.astype(float), "second_half": (half == 2).astype(float)})
    for k, b in enumerate(breaks, start=1):
        X[f"level_{k}"] = (t >= b).astype(float)
        X[f"slope_{k}"] = np.maximum(t - b, 0).astype(float)
    return X


def _fit(y: np.ndarray, X: pd.DataFrame, family: str, cov: str, maxlags: int):
    hac = {"cov_type": "HAC", "cov_kwds": {"maxlags": maxlags}} if cov == "hac" else {}
    # A fit that does not converge says so (statsmodels' ConvergenceWarning): not silenced.
    if family == "quasi_poisson":
        return sm.GLM(y, X, family=sm.families.Poisson()).fit(scale="X2", **hac)
    if family == "negative_binomial":
        model = sm.NegativeBinomial(y, X, loglike_method="nb2")
        start = np.r_[sm.GLM(y, X, family=sm.families.Poisson()).fit().params.to_numpy(), 0.05]
        return model.fit(start_params=start, disp=0, maxiter=500, method="bfgs", **hac)
    raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES}")


def fit_segmented(series: pd.DataFrame, breaks: list[int], maxlags: int, confidence: float = 0.95):
    """Fit both families with model-based and HAC standard errors.

    Returns
    -------
    (coefficients, effects, diagnostics, fits)
        ``coefficients``: ``series, family, se_type, term, estimate, std_error, z, p_value,
        lower, upper`` (log scale). ``effects``: per family and SE type, the percent change
        per half-year before and after each break, the level change at each break and the
        second-half effect, as percentages with intervals (``exp`` of linear combinations
        of coefficients). ``diagnostics``: dispersion, deviance, AIC, Durbin-Watson and the
        Ljung-Box test on the Pearson residuals. ``fits``: the model-based results, keyed
        by family, for predictions.
    """
    y = series["count"].to_numpy(dtype=float)
    X = design(series["t"].to_numpy(), series["half"].to_numpy(), breaks)
    z = stats.norm.ppf(0.5 + confidence / 2)
    coef_rows, effect_rows, diag_rows, fits = [], [], [], {}
    sid = series["series"].iloc[0]
    for family in FAMILIES:
        for se_type in ("model", "hac"):
            res = _fit(y, X, family, "hac" if se_type == "hac" else "model", maxlags)
            params = pd.Series(
                np.asarray(res.params),
                index=res.model.exog_names if family != "negative_binomial" else [*X.columns, "alpha"],
            )
            cov = pd.DataFrame(np.asarray(res.cov_params()), index=params.index, columns=params.index)
            if se_type == "model":
                fits[family] = res
            for term in X.columns:
                est, se = params[term], math.sqrt(cov.loc[term, term])
                coef_rows.append(
                    {
                        "series": sid,
                        "family": family,
                        "se_type": se_type,
                        "term": term,
                        "estimate": est,
                        "std_error": se,
                        "z": est / se,
                        "p_value": 2 * stats.norm.sf(abs(est / se)),
                        "lower": est - z * se,
                        "upper": est + z * se,
                    }
                )

            def combo(weights, what, segment, params=params, cov=cov, family=family, se_type=se_type):
                est, lo, hi, p = _linear_combination(params, cov, weights, z)
                effect_rows.append(
                    {
                        "series": sid,
                        "family": family,
                        "se_type": se_type,
                        "effect": what,
                        "segment": segment,
                        "percent": 100 * math.expm1(est),
                        "lower": 100 * math.expm1(lo),
                        "upper": 100 * math.expm1(hi),
                        "p_value": p,
                    }
                )

            combo({"trend": 1.0}, "change_per_half_year", "before first break" if breaks else "whole series")
            slope = {"trend": 1.0}
            for k in range(1, len(breaks) + 1):
                slope = {**slope, f"slope_{k}": 1.0}
                combo(slope, "change_per_half_year", f"after break {k}")
                combo({f"level_{k}": 1.0}, "level_change", f"at break {k}")
            combo({"second_half": 1.0}, "second_half_year", "all")
        res = fits[family]
        resid = np.asarray(res.resid_pearson)
        lb = acorr_ljungbox(resid, lags=[min(4, len(y) // 4)], return_df=True)
        mu = np.asarray(res.predict(X))
        diag_rows.append(
            {
                "series": sid,
                "family": family,
                "n_obs": len(y),
                "n_params": X.shape[1] + (family == "negative_binomial"),
                "dispersion": float(res.scale) if family == "quasi_poisson" else float(params_alpha(res)),
                "deviance": float(poisson_deviance(y, mu)),
                "aic": float(getattr(res, "aic", np.nan)) if family != "quasi_poisson" else np.nan,
                "durbin_watson": float(durbin_watson(resid)),
                "ljung_box_lag": int(lb.index[0]),
                "ljung_box_stat": float(lb["lb_stat"].iloc[0]),
                "ljung_box_p": float(lb["lb_pvalue"].iloc[0]),
            }
        )
    return (
        pd.DataFrame.from_records(coef_rows),
        pd.DataFrame.from_records(effect_rows),
        pd.DataFrame.from_records(diag_rows),
        fits,
    )


def _linear_combination(params: pd.Series, cov: pd.DataFrame, weights: dict[str, float], z: float):
    """Estimate, interval and two-sided p-value of ``sum w_k b_k`` (Wald)."""
    w = pd.Series(0.0, index=params.index)
    for k, v in weights.items():
        w[k] = v
    est = float(w @ params)
    se = math.sqrt(float(w @ cov @ w))
    return est, est - z * se, est + z * se, float(2 * stats.norm.sf(abs(est / se)))


def params_alpha(res) -> float:
    return float(np.asarray(res.params)[-1])


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """Poisson deviance 2 sum(y log(y/mu) - (y - mu))."""
    y, mu = np.asarray(y, float), np.asarray(mu, float)
    term = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0)
    return float(2 * np.sum(term - (y - mu)))


def counterfactual(series: pd.DataFrame, breaks: list[int], fit, confidence: float = 0.95) -> pd.DataFrame:
    """Fitted values and the projection without the interruption(s), with intervals.

    The counterfactual sets every level and slope change to zero: the pre-break trend and
    seasonality continued. Intervals are for the expected count (quasi-Poisson model).

    Returns
    -------
    DataFrame
        ``series, label, t, count, fitted, fitted_lower, fitted_upper, counterfactual,
        cf_lower, cf_upper``.
    """
    X = design(series["t"].to_numpy(), series["half"].to_numpy(), breaks)
    Xcf = X.copy()
    for c in X.columns:
        if c.startswith(("level_", "slope_")):
            Xcf[c] = 0.0
    alpha = 1 - confidence
    fitted = fit.get_prediction(X).summary_frame(alpha=alpha)
    cf = fit.get_prediction(Xcf).summary_frame(alpha=alpha)
    return pd.DataFrame(
        {
            "series": series["series"].to_numpy(),
            "label": series["label"].to_numpy(),
            "t": series["t"].to_numpy(),
            "count": series["count"].to_numpy(),
            "fitted": fitted["mean"].to_numpy(),
            "fitted_lower": fitted["mean_ci_lower"].to_numpy(),
            "fitted_upper": fitted["mean_ci_upper"].to_numpy(),
            "counterfactual": cf["mean"].to_numpy(),
            "cf_lower": cf["mean_ci_lower"].to_numpy(),
            "cf_upper": cf["mean_ci_upper"].to_numpy(),
        }
    )


def breakpoint_scan(series: pd.DataFrame, min_segment: int, documented: list[int]) -> pd.DataFrame:
    """Profile deviance of a single level-and-slope break at every admissible half-year.

    For each candidate T (with at least ``min_segment`` half-years on each side) the
    quasi-Poisson model with one break at T is fitted; the profile is its Poisson deviance
    (and the quasi-likelihood F statistic against the no-break model). ``rank`` orders the
    candidates from best (1) to worst; ``documented`` marks the breakpoints taken from the
    events, and ``share_better`` is, for each candidate, the share of all candidates that
    fit better: a documented date that does not stand out has a large share (the other
    candidates act as placebo breakpoints).
    """
    y = series["count"].to_numpy(dtype=float)
    t, half = series["t"].to_numpy(), series["half"].to_numpy()
    base = sm.GLM(y, design(t, half, []), family=sm.families.Poisson()).fit()
    dev0 = poisson_deviance(y, base.mu)
    rows = []
    for b in range(min_segment, len(y) - min_segment + 1):
        X = design(t, half, [b])
        res = sm.GLM(y, X, family=sm.families.Poisson()).fit()
        dev = poisson_deviance(y, res.mu)
        df_resid = len(y) - X.shape[1]
        phi = float(np.sum(res.resid_pearson**2) / df_resid)
        f_stat = ((dev0 - dev) / 2) / phi
        rows.append(
            {
                "series": series["series"].iloc[0],
                "t": b,
                "label": series["label"].iloc[b],
                "deviance": dev,
                "deviance_no_break": dev0,
                "f_stat": f_stat,
                "f_p_value": float(stats.f.sf(f_stat, 2, df_resid)),
                "documented": b in documented,
            }
        )
    out = pd.DataFrame.from_records(rows)
    out["rank"] = out["deviance"].rank(method="min").astype(int)
    out["share_better"] = (out["rank"] - 1) / len(out)
    return out


def group_shares(x: pd.Series, n: pd.Series, method: str, confidence: float) -> pd.DataFrame:
    """Share with a meeting per group with its interval (columns ``group, x, n, share, lower, upper``)."""
    rows = []
    for g in x.index:
        lo, hi = proportion_ci(x[g], n[g], method, confidence)
        rows.append({"group": g, "x": int(x[g]), "n": int(n[g]), "share": x[g] / n[g], "lower": lo, "upper": hi})
    return pd.DataFrame.from_records(rows)


def odds_ratios(x: pd.Series, n: pd.Series, reference: str, confidence: float = 0.95) -> pd.DataFrame:
    """Odds ratios of having a meeting against ``reference`` from a binomial GLM on grouped counts.

    With one categorical variable the model is saturated, so the OR of group g is
    ``(x_g / (n_g - x_g)) / (x_r / (n_r - x_r))`` with the Wald interval on the log scale,
    ``se = sqrt(1/x_g + 1/(n_g - x_g) + 1/x_r + 1/(n_r - x_r))``.

    Returns
    -------
    DataFrame
        ``group, odds_ratio, lower, upper, p_value, reference`` (the reference row has OR 1).
    """
    groups = list(x.index)
    others = [g for g in groups if g != reference]
    X = pd.DataFrame({"const": 1.0, **{g: [1.0 if h == g else 0.0 for h in groups] for g in others}}, index=groups)
    endog = np.column_stack([x.to_numpy(float), (n - x).to_numpy(float)])
    if ((x <= 0) | (x >= n)).any():
        raise ValueError("a group where no case or every case had a meeting has no finite odds ratio")
    # The model is saturated (one parameter per group): the 'perfect prediction' warning
    # statsmodels gives is filtered at import (see the top of this module). Saturated also
    # means zero residual degrees of freedom: statsmodels' internal WLS step divides by
    # them for a scale the binomial family does not use (fixed at 1). ``np.errstate`` is
    # local to the thread.
    with np.errstate(divide="ignore", invalid="ignore"):
        res = sm.GLM(endog, X, family=sm.families.Binomial()).fit()
    ci = res.conf_int(alpha=1 - confidence)
    rows = [
        {"group": reference, "odds_ratio": 1.0, "lower": np.nan, "upper": np.nan, "p_value": np.nan, "reference": True}
    ]
    for g in others:
        rows.append(
            {
                "group": g,
                "odds_ratio": math.exp(res.params[g]),
                "lower": math.exp(ci.loc[g, 0]),
                "upper": math.exp(ci.loc[g, 1]),
                "p_value": float(res.pvalues[g]),
                "reference": False,
            }
        )
    order = {g: i for i, g in enumerate(groups)}
    return pd.DataFrame.from_records(rows).sort_values("group", key=lambda s: s.map(order)).reset_index(drop=True)


def homogeneity(x: pd.Series, n: pd.Series) -> dict:
    """Pearson chi-square test that the share with a meeting is the same in every group."""
    table = np.column_stack([x.to_numpy(float), (n - x).to_numpy(float)])
    chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
    return {"chi_square": float(chi2), "df": int(dof), "p_value": float(p), "min_expected": float(expected.min())}
