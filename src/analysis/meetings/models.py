"""Försäkringskassan's follow-up meetings: trend series, interrupted-time-series count
models and breakpoint scans (the registers by group: :mod:`analysis.meetings.groups`).

The series are half-yearly counts (Bilaga 1, Tabell 1). The segmented model of a count
``y_t`` at half-year ``t = 0, 1, ...`` is

    log E[y_t] = b0 + b1 t + s H2_t + sum_k ( l_k 1[t >= T_k] + g_k (t - T_k)+ )

with ``H2_t`` the second-half-year indicator and, for each breakpoint ``T_k``, a level
change ``l_k`` and a slope change ``g_k`` (Wagner et al. 2002). The primary inference is
quasi-Poisson (Poisson estimates, dispersion from the Pearson chi-square, t and F on the
residual df, as R's ``glm(family = quasipoisson)``); negative binomial (NB2) with
profile-likelihood intervals is the alternative; Newey-West HAC standard errors are a
sensitivity only. A searched breakpoint is tested against the search (parametric
bootstrap of sup-F under the no-break model). With 18 half-years and up to seven
parameters the series is short: estimates are imprecise and breaks a year apart leave a
segment the model fits exactly.

References
----------
Wagner, A. K. et al. (2002). Segmented regression analysis of interrupted time series
studies in medication use research. J. Clin. Pharm. Ther. 27, 299-309.
Bernal, J. L., Cummins, S. & Gasparrini, A. (2017). Interrupted time series regression for
the evaluation of public health interventions: a tutorial. Int. J. Epidemiol. 46, 348-355.
Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity
and autocorrelation consistent covariance matrix. Econometrica 55, 703-708.
Andrews, D. W. K. (1993). Tests for parameter instability and structural change with
unknown change point. Econometrica 61, 821-856.
Venables, W. N. & Ripley, B. D. (2002). Modern Applied Statistics with S, 4th ed., 7.4.
Burnham, K. P. & Anderson, D. R. (2002). Model Selection and Multimodel Inference, 2.5.
"""

from __future__ import annotations

import math
import re
import zlib

import numpy as np
import pandas as pd
from scipy import stats

# GLM from its own module: statsmodels.api imports every model family of the library
# (time series, formulas, ...), 0.5 s more in the worker that fits these models.
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson

FAMILIES = ("quasi_poisson", "negative_binomial")


class SeriesGap(ValueError):
    """The half-years of a series are not consecutive; ``row`` is the first row after the
    gap (a processed row: ``period``, and ``raw_line``/``raw_column`` in the raw file)."""

    def __init__(self, column: str, row: dict) -> None:
        self.column, self.row = column, row
        super().__init__(f"the half-years of {column!r} are not consecutive at {row.get('period')!r}")


class BreaksNotIdentifiable(ValueError):
    """The breakpoints leave a segment of fewer than two half-years (or coincide, or sit
    at the series' first half-year): the segmented model has no unique fit."""

    def __init__(self, breaks: list[int]) -> None:
        self.breaks = list(breaks)
        super().__init__(f"the breakpoints {self.breaks} leave a segment with fewer than two half-years")


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


def design_matrix(t: np.ndarray, half: np.ndarray, breaks: list[int]) -> np.ndarray:
    """The design of :func:`design` as an array (the scans build hundreds of them)."""
    t = np.asarray(t, float)
    cols = [np.ones_like(t), t, (np.asarray(half) == 2).astype(float)]
    for b in breaks:
        cols += [(t >= b).astype(float), np.maximum(t - b, 0.0)]
    return np.column_stack(cols)


def design(t: np.ndarray, half: np.ndarray, breaks: list[int]) -> pd.DataFrame:
    """Design matrix: intercept, trend, second half-year, level and slope change per break."""
    names = ["const", "trend", "second_half"] + [
        f"{kind}_{k}" for k in range(1, len(breaks) + 1) for kind in ("level", "slope")
    ]
    return pd.DataFrame(design_matrix(t, half, breaks), columns=names)


ROLES = {
    ("quasi_poisson", "model"): ("primary", "t"),
    ("negative_binomial", "model"): ("alternative", "profile_likelihood"),
    ("quasi_poisson", "hac"): ("sensitivity", "hac_t"),
}
# An observation with leverage this close to 1 is reproduced exactly by the model.
EXACT_LEVERAGE = 1 - 1e-6


def segment_index(t: np.ndarray, breaks: list[int]) -> np.ndarray:
    """Segment of each half-year: 0 before the first break, k from break k on."""
    return np.searchsorted(np.asarray(sorted(breaks)), np.asarray(t), side="right")


def identifiable(t: np.ndarray, half: np.ndarray, breaks: list[int]) -> bool:
    """True when the segmented design has full column rank (every break inside the series,
    no two breaks at the same half-year, every segment with at least two half-years)."""
    if len(set(breaks)) != len(breaks) or any(b <= 0 or b >= len(t) for b in breaks):
        return False
    X = design_matrix(t, half, breaks)
    return bool(np.linalg.matrix_rank(X) == X.shape[1])


def glm_leverage(X: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Diagonal of the weighted hat matrix W^1/2 X (X'WX)^-1 X' W^1/2 of a GLM."""
    xw = X * np.sqrt(weight)[:, None]
    q, _ = np.linalg.qr(xw)
    return np.sum(q * q, axis=1)


def effect_contrasts(columns: list[str], breaks: list[int]) -> list[dict]:
    """The reported effects as contrasts of the segmented model's coefficients.

    Each item: ``effect``, ``segment`` (the label used in the tables), ``weights``
    ({term: weight}) and ``segments`` (the segments whose fit determines the effect).
    """
    out = [
        {
            "effect": "change_per_half_year",
            "segment": "before first break" if breaks else "whole series",
            "weights": {"trend": 1.0},
            "segments": {0},
        }
    ]
    slope = {"trend": 1.0}
    for k in range(1, len(breaks) + 1):
        slope = {**slope, f"slope_{k}": 1.0}
        out.append({"effect": "change_per_half_year", "segment": f"after break {k}", "weights": slope, "segments": {k}})
        out.append(
            {
                "effect": "level_change",
                "segment": f"at break {k}",
                "weights": {f"level_{k}": 1.0},
                "segments": {k - 1, k},
            }
        )
    out.append({"effect": "second_half_year", "segment": "all", "weights": {"second_half": 1.0}, "segments": set()})
    for item in out:
        item["vector"] = np.array([item["weights"].get(c, 0.0) for c in columns])
    return out


def _t_inference(est, se, df, q):
    """Two-sided t p-value and interval (``q``: the t quantile)."""
    tval = est / se
    return tval, float(2 * stats.t.sf(abs(tval), df)), est - q * se, est + q * se


def nb_profile(y: np.ndarray, X: np.ndarray, contrasts: np.ndarray, confidence: float, fit=None) -> pd.DataFrame:
    """Profile-likelihood intervals and likelihood-ratio p-values for contrasts ``c'beta``
    of the NB2 model (alpha profiled out as well).

    The interval is ``{v: 2 (l_max - l_profile(v)) <= chi2_1(confidence)}``, found on the
    signed root ``sign(v - est) sqrt(2 (l_max - l(v)))`` (close to linear in v) by batched
    secant steps from the Wald end points. The p-value is the LR test of ``c'beta = 0``.

    Returns
    -------
    DataFrame
        ``estimate, std_error (Wald, for reference), lower, upper, lr_stat, p_value``.
    """
    from analysis.meetings.batched import nb2_fit, nb2_profile

    C = np.atleast_2d(np.asarray(contrasts, float))
    fit = fit or nb2_fit(y, X)
    beta, alpha, mu, llmax = fit["beta"], float(fit["alpha"]), fit["mu"], float(fit["loglik"])
    w = mu / (1 + alpha * mu)
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    est = C @ beta
    se = np.sqrt(np.einsum("kp,pq,kq->k", C, cov, C))
    z = float(stats.norm.ppf(0.5 + confidence / 2))

    def signed_root(values, start=None):
        ll, f = nb2_profile(y, X, C, values, start=start)
        return np.sign(values - est) * np.sqrt(np.clip(2 * (llmax - ll), 0, None)), f

    # Rows: lower end, upper end, the null value 0.
    v = np.stack([est - z * se, est + z * se, np.zeros_like(est)])
    r, f = signed_root(v)
    lr = r[2] ** 2
    target = np.array([-z, z])[:, None]
    v_prev, r_prev = np.broadcast_to(est, (2, len(est))).copy(), np.zeros((2, len(est)))
    v_cur, r_cur = v[:2], r[:2]
    start = {"beta": f["beta"][:2], "alpha": f["alpha"][:2]}
    for _ in range(30):
        if np.all(np.abs(r_cur - target) < 1e-8):
            break
        slope = (r_cur - r_prev) / np.where(v_cur != v_prev, v_cur - v_prev, 1.0)
        step = (target - r_cur) / np.where(np.abs(slope) > 0, slope, 1.0)
        v_new = v_cur + np.clip(step, -3 * se, 3 * se)
        r_new, f = signed_root(v_new, start)
        start = {"beta": f["beta"], "alpha": f["alpha"]}
        v_prev, r_prev, v_cur, r_cur = v_cur, r_cur, v_new, r_new
    # An end point the secant steps did not reach is unknown, not approximate.
    found = np.abs(r_cur - target) < 1e-6
    return pd.DataFrame(
        {
            "estimate": est,
            "std_error": se,
            "lower": np.where(found[0], v_cur[0], np.nan),
            "upper": np.where(found[1], v_cur[1], np.nan),
            "lr_stat": lr,
            "p_value": stats.chi2.sf(lr, 1),
        }
    )


def fit_segmented(series: pd.DataFrame, breaks: list[int], maxlags: int, confidence: float = 0.95):
    """Fit the segmented model as quasi-Poisson (primary) and NB2 (alternative), with a
    HAC sensitivity of the quasi-Poisson standard errors.

    * Quasi-Poisson: Poisson point estimates, dispersion ``phi`` = Pearson chi-square /
      residual df, Wald t tests and intervals on the residual df (as R's
      ``glm(family = quasipoisson)``): the primary inference.
    * NB2 (maximum likelihood, alpha estimated): profile-likelihood intervals and
      likelihood-ratio p-values.
    * HAC (Newey-West, ``maxlags``, Bartlett kernel) on the quasi-Poisson fit with the
      small-sample factor n/(n - p) and t on the residual df: a sensitivity only; with 18
      half-years its own variance is large and it is often narrower than the model's.

    A segment whose half-years all have leverage 1 (two half-years between breaks one
    year apart: a level and a slope for two points) is fitted exactly: effects that rest
    on it get ``exactly_fitted`` and no p-value.

    Returns
    -------
    (coefficients, effects, diagnostics, fits)
        ``coefficients``: ``series, family, se_type, term, estimate, std_error, statistic,
        df, p_value, lower, upper`` (log scale). ``effects``: ``series, family, se_type,
        effect, segment, percent, lower, upper, p_value, estimate, std_error, df, role,
        interval, exactly_fitted`` (percent = 100 (exp(estimate) - 1)). ``diagnostics``:
        ``series, family, n_obs, n_params, df_resid, phi, alpha, deviance, deviance_type,
        loglik, aic, durbin_watson, ljung_box_lag, ljung_box_stat, ljung_box_p,
        max_leverage, exactly_fitted_obs``. ``fits``: quasi-Poisson parameters and
        covariance for predictions (``beta, cov, phi, df_resid``).
    """
    from analysis.meetings.batched import nb2_deviance, nb2_fit

    sid = series["series"].iloc[0]
    y = series["count"].to_numpy(dtype=float)
    t, half = series["t"].to_numpy(), series["half"].to_numpy()
    if not identifiable(t, half, breaks):
        raise BreaksNotIdentifiable(breaks)
    Xf = design(t, half, breaks)
    X, columns = Xf.to_numpy(), list(Xf.columns)
    n, p = X.shape
    df = n - p
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    qp = GLM(y, X, family=families.Poisson()).fit(scale="X2")
    hac = GLM(y, X, family=families.Poisson()).fit(
        cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True
    )
    beta = np.asarray(qp.params)
    phi = float(qp.scale)
    covs = {"model": np.asarray(qp.cov_params()), "hac": np.asarray(hac.cov_params())}
    nb = nb2_fit(y, X)
    contrasts = effect_contrasts(columns, breaks)
    vectors = np.vstack([np.eye(p), [c["vector"] for c in contrasts]])
    prof = nb_profile(y, X, vectors, confidence, fit=nb)

    lev = glm_leverage(X, np.asarray(qp.mu))
    seg = segment_index(t, breaks)
    exact_segments = {k for k in set(seg) if np.all(lev[seg == k] > EXACT_LEVERAGE)}

    coef_rows = []
    for j, term in enumerate(columns):
        for se_type, cov in covs.items():
            se = math.sqrt(cov[j, j])
            tval, pv, lo, hi = _t_inference(beta[j], se, df, q)
            coef_rows.append(
                {
                    "series": sid,
                    "family": "quasi_poisson",
                    "se_type": se_type,
                    "term": term,
                    "estimate": beta[j],
                    "std_error": se,
                    "statistic": tval,
                    "df": df,
                    "p_value": pv,
                    "lower": lo,
                    "upper": hi,
                }
            )
        r = prof.iloc[j]
        coef_rows.append(
            {
                "series": sid,
                "family": "negative_binomial",
                "se_type": "model",
                "term": term,
                "estimate": r["estimate"],
                "std_error": r["std_error"],
                "statistic": r["lr_stat"],
                "df": 1,
                "p_value": r["p_value"],
                "lower": r["lower"],
                "upper": r["upper"],
            }
        )

    effect_rows = []
    for k, c in enumerate(contrasts):
        exact = bool(c["segments"] & exact_segments)
        for (family, se_type), (role, interval) in ROLES.items():
            if family == "quasi_poisson":
                est = float(c["vector"] @ beta)
                se = math.sqrt(float(c["vector"] @ covs[se_type] @ c["vector"]))
                _, pv, lo, hi = _t_inference(est, se, df, q)
                dfk = df
            else:
                r = prof.iloc[p + k]
                est, se, pv, lo, hi, dfk = r["estimate"], r["std_error"], r["p_value"], r["lower"], r["upper"], np.nan
            effect_rows.append(
                {
                    "series": sid,
                    "family": family,
                    "se_type": se_type,
                    "effect": c["effect"],
                    "segment": c["segment"],
                    "percent": 100 * math.expm1(est),
                    "lower": 100 * math.expm1(lo),
                    "upper": 100 * math.expm1(hi),
                    "p_value": np.nan if exact else pv,
                    "estimate": est,
                    "std_error": se,
                    "df": dfk,
                    "role": role,
                    "interval": interval,
                    "exactly_fitted": exact,
                }
            )

    diag_rows = []
    nb_mu = nb["mu"]
    for family, mu, resid in (
        ("quasi_poisson", np.asarray(qp.mu), np.asarray(qp.resid_pearson)),
        ("negative_binomial", nb_mu, (y - nb_mu) / np.sqrt(nb_mu + float(nb["alpha"]) * nb_mu**2)),
    ):
        lb = acorr_ljungbox(resid, lags=[min(4, n // 4)], return_df=True)
        is_nb = family == "negative_binomial"
        diag_rows.append(
            {
                "series": sid,
                "family": family,
                "n_obs": n,
                "n_params": p + is_nb,
                "df_resid": n - p - is_nb,
                "phi": np.nan if is_nb else phi,
                "alpha": float(nb["alpha"]) if is_nb else np.nan,
                "deviance": float(nb2_deviance(y, mu, nb["alpha"])) if is_nb else float(qp.deviance),
                "deviance_type": "negative_binomial" if is_nb else "poisson",
                "loglik": float(nb["loglik"]) if is_nb else np.nan,
                "aic": float(-2 * nb["loglik"] + 2 * (p + 1)) if is_nb else np.nan,
                "durbin_watson": float(durbin_watson(resid)),
                "ljung_box_lag": int(lb.index[0]),
                "ljung_box_stat": float(lb["lb_stat"].iloc[0]),
                "ljung_box_p": float(lb["lb_pvalue"].iloc[0]),
                "max_leverage": float(lev.max()),
                "exactly_fitted_obs": int(np.sum(lev > EXACT_LEVERAGE)),
            }
        )
    fits = {"beta": beta, "cov": covs["model"], "phi": phi, "df_resid": df, "columns": columns}
    return (
        pd.DataFrame.from_records(coef_rows),
        pd.DataFrame.from_records(effect_rows),
        pd.DataFrame.from_records(diag_rows),
        fits,
    )


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """Poisson deviance 2 sum(y log(y/mu) - (y - mu))."""
    from analysis.meetings.batched import poisson_deviance as dev

    return float(dev(y, mu))


def counterfactual(series: pd.DataFrame, breaks: list[int], fit: dict, confidence: float = 0.95) -> pd.DataFrame:
    """Fitted values and the projection without the interruption(s), with intervals.

    The counterfactual sets every level and slope change to zero: the pre-break trend and
    seasonality continued. Two intervals: for the expected count (parameter uncertainty:
    ``exp(eta +- t se_eta)``), and a prediction interval for a count, adding the
    quasi-Poisson variance ``phi mu`` on the log scale (delta method:
    ``Var log y ~ se_eta^2 + phi / mu``) with t on the residual df. A projected value is
    an extrapolation when it lies after the first break (outside the data the pre-break
    trend was fitted to) and ``outside_observed`` when it leaves the range of the
    observed counts.

    Returns
    -------
    DataFrame
        ``series, label, t, count, fitted, fitted_lower, fitted_upper, counterfactual,
        cf_lower, cf_upper, cf_pred_lower, cf_pred_upper, extrapolated, outside_observed``.
    """
    X = design(series["t"].to_numpy(), series["half"].to_numpy(), breaks)
    Xcf = X.copy()
    for c in X.columns:
        if c.startswith(("level_", "slope_")):
            Xcf[c] = 0.0
    q = float(stats.t.ppf(0.5 + confidence / 2, fit["df_resid"]))
    beta, cov, phi = fit["beta"], fit["cov"], fit["phi"]

    def band(M):
        M = M.to_numpy()
        eta = M @ beta
        se = np.sqrt(np.einsum("ij,jk,ik->i", M, cov, M))
        mu = np.exp(eta)
        se_pred = np.sqrt(se**2 + phi / mu)
        return mu, np.exp(eta - q * se), np.exp(eta + q * se), np.exp(eta - q * se_pred), np.exp(eta + q * se_pred)

    f, f_lo, f_hi, _, _ = band(X)
    cf, cf_lo, cf_hi, pr_lo, pr_hi = band(Xcf)
    counts = series["count"].to_numpy(dtype=float)
    t = series["t"].to_numpy()
    first = min(breaks) if breaks else len(t)
    return pd.DataFrame(
        {
            "series": series["series"].to_numpy(),
            "label": series["label"].to_numpy(),
            "t": t,
            "count": counts,
            "fitted": f,
            "fitted_lower": f_lo,
            "fitted_upper": f_hi,
            "counterfactual": cf,
            "cf_lower": cf_lo,
            "cf_upper": cf_hi,
            "cf_pred_lower": pr_lo,
            "cf_pred_upper": pr_hi,
            "extrapolated": t >= first,
            "outside_observed": (cf > counts.max()) | (cf < counts.min()),
        }
    )


def _candidates(n: int, min_segment: int) -> list[int]:
    return list(range(min_segment, n - min_segment + 1))


def _series_seed(seed: int, sid: str) -> np.random.Generator:
    """A generator seeded by the configured seed and the series id (stable across runs)."""
    return np.random.default_rng([seed, zlib.crc32(sid.encode("utf-8"))])


def simulate_null(mu: np.ndarray, phi: float, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Counts from the no-break model: mean ``mu`` and variance ``phi mu`` (negative binomial
    with size ``mu / (phi - 1)``; Poisson when ``phi <= 1``)."""
    if phi <= 1:
        return rng.poisson(mu, size=(replicates, len(mu))).astype(float)
    return rng.negative_binomial(mu / (phi - 1), 1 / phi, size=(replicates, len(mu))).astype(float)


def sup_f(Y: np.ndarray, t: np.ndarray, half: np.ndarray, candidates: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """F statistics of one level-and-slope break at each candidate against no break, for
    every series in ``Y`` (B, n): ``F_T = ((D_0 - D_T) / 2) / phi_T`` with ``phi_T`` the
    Pearson dispersion of the break model (R's ``anova(..., test = "F")``).

    Returns (F (B, C), D_T (B, C)).
    """
    from analysis.meetings.batched import poisson_fit_grid

    n = Y.shape[1]
    X0 = design_matrix(t, half, [])[None]
    Xc = np.stack([design_matrix(t, half, [c]) for c in candidates])
    d0 = poisson_fit_grid(Y, X0)["deviance"]  # (B, 1)
    fc = poisson_fit_grid(Y, Xc)
    phi = fc["pearson"] / (n - Xc.shape[2])
    return ((d0 - fc["deviance"]) / 2) / phi, fc["deviance"]


def breakpoint_scan(
    series: pd.DataFrame, min_segment: int, documented: list[int], replicates: int = 999, seed: int = 0
) -> pd.DataFrame:
    """One level-and-slope break at every admissible half-year, tested against the search.

    For each candidate T (at least ``min_segment`` half-years on each side) the
    quasi-Poisson model with one break at T is compared with the no-break model by the
    F statistic on (2, n - 5) df. Picking the best of C candidates inflates the
    pointwise F test, so the search is accounted for by a parametric bootstrap of sup-F
    under the no-break model: ``replicates`` series are simulated from the fitted
    no-break means with the estimated dispersion (negative binomial, variance ``phi mu``),
    every candidate is refitted on each, and ``p_search_adjusted`` of a candidate is the
    share of replicates whose best F reaches its F ((1 + #) / (B + 1)). Seeded from
    ``seed`` and the series id: the same numbers on every run.

    Returns
    -------
    DataFrame
        ``series, t, label, deviance, deviance_no_break, f_stat, f_p_value (pointwise,
        not adjusted), documented, rank (1 = largest F), share_better, p_bootstrap_pointwise,
        p_search_adjusted, sup_f_critical (the bootstrap 1 - 0.05 quantile of sup-F),
        replicates, best``.
    """
    from analysis.meetings.batched import poisson_fit

    sid = series["series"].iloc[0]
    y = series["count"].to_numpy(dtype=float)
    t, half = series["t"].to_numpy(), series["half"].to_numpy()
    n = len(y)
    cands = _candidates(n, min_segment)
    if not cands:
        raise ValueError(f"no candidate half-year leaves {min_segment} half-years on each side of {n}")
    base = poisson_fit(y, design_matrix(t, half, []))
    phi0 = float(base["pearson"]) / (n - 3)
    f_obs, dev = sup_f(y[None], t, half, cands)
    f_obs, dev = f_obs[0], dev[0]
    Y = simulate_null(base["mu"], phi0, replicates, _series_seed(seed, sid))
    f_sim, _ = sup_f(Y, t, half, cands)
    sup = f_sim.max(axis=1)
    out = pd.DataFrame(
        {
            "series": sid,
            "t": cands,
            "label": series["label"].to_numpy()[cands],
            "deviance": dev,
            "deviance_no_break": float(base["deviance"]),
            "f_stat": f_obs,
            "f_p_value": stats.f.sf(f_obs, 2, n - 5),
            "documented": [c in documented for c in cands],
        }
    )
    out["rank"] = out["f_stat"].rank(method="min", ascending=False).astype(int)
    out["share_better"] = (out["rank"] - 1) / len(out)
    out["p_bootstrap_pointwise"] = (1 + np.sum(f_sim >= f_obs[None], axis=0)) / (replicates + 1)
    out["p_search_adjusted"] = (1 + np.sum(sup[:, None] >= f_obs[None], axis=0)) / (replicates + 1)
    out["sup_f_critical"] = float(np.quantile(sup, 0.95))
    out["replicates"] = replicates
    out["best"] = out["rank"] == 1
    return out


def _qp_fit(y: np.ndarray, X: np.ndarray) -> dict:
    """Quasi-Poisson fit (numpy IRLS): coefficients, covariance, phi, deviance, leverage."""
    from analysis.meetings.batched import poisson_fit

    f = poisson_fit(y, X)
    df = X.shape[0] - X.shape[1]
    phi = float(f["pearson"]) / df
    cov = phi * np.linalg.inv(X.T @ (f["mu"][:, None] * X))
    return {**f, "phi": phi, "df": df, "cov": cov, "leverage": glm_leverage(X, f["mu"])}


def best_pair(series: pd.DataFrame, min_segment: int) -> tuple[int, int] | None:
    """The pair of breaks (every segment at least ``min_segment`` half-years) with the
    smallest Poisson deviance, or None when no pair fits in the series."""
    from analysis.meetings.batched import poisson_fit_grid

    y = series["count"].to_numpy(dtype=float)
    t, half = series["t"].to_numpy(), series["half"].to_numpy()
    cands = _candidates(len(y), min_segment)
    pairs = [(a, b) for a in cands for b in cands if b - a >= min_segment]
    if not pairs:
        return None
    dev = poisson_fit_grid(y[None], np.stack([design_matrix(t, half, list(pr)) for pr in pairs]))["deviance"][0]
    return pairs[int(np.argmin(dev))]


def model_comparison(series: pd.DataFrame, models: dict[str, list[int]], reference: str) -> pd.DataFrame:
    """Compare segmented models by QAIC, NB2 AIC and quasi-likelihood F tests.

    ``models``: {model id: breaks}; the first must be the no-break model (``[]``).
    ``reference`` names the model whose Pearson dispersion scales the QAIC of all
    (Burnham & Anderson: the dispersion of the most general prespecified model):
    ``QAIC = D / phi_ref + 2 (p + 1)`` (the Poisson deviance D is -2 log-likelihood up to
    a constant shared by all models, so QAIC differences are those of the textbook form).
    F tests are against the no-break model with the dispersion of the larger model:
    ``F = ((D_0 - D) / (p - p_0)) / phi`` on (p - p_0, n - p) df, as R's ``anova(test = "F")``.

    Returns
    -------
    DataFrame
        ``series, model, breaks, n_params, df_resid, deviance, phi, qaic, delta_qaic,
        nb_alpha, nb_loglik, nb_aic, delta_nb_aic, f_stat, f_df1, f_df2, f_p_value,
        identifiable``.
    """
    from analysis.meetings.batched import nb2_fit

    sid = series["series"].iloc[0]
    y = series["count"].to_numpy(dtype=float)
    t, half = series["t"].to_numpy(), series["half"].to_numpy()
    labels = series["label"].to_numpy()
    rows, fits = [], {}
    for model, brk in models.items():
        X = design_matrix(t, half, brk)
        fits[model] = (_qp_fit(y, X), nb2_fit(y, X), X.shape[1])
    phi_ref = fits[reference][0]["phi"]
    d0, p0 = fits[next(iter(models))][0]["deviance"], fits[next(iter(models))][2]
    for model, brk in models.items():
        qp, nb, p = fits[model]
        f = ((d0 - qp["deviance"]) / (p - p0)) / qp["phi"] if p > p0 else np.nan
        rows.append(
            {
                "series": sid,
                "model": model,
                "breaks": "+".join(labels[b] for b in brk),
                "n_params": p,
                "df_resid": len(y) - p,
                "deviance": float(qp["deviance"]),
                "phi": qp["phi"],
                "qaic": float(qp["deviance"]) / phi_ref + 2 * (p + 1),
                "nb_alpha": float(nb["alpha"]),
                "nb_loglik": float(nb["loglik"]),
                "nb_aic": float(-2 * nb["loglik"] + 2 * (p + 1)),
                "f_stat": f,
                "f_df1": p - p0 if p > p0 else np.nan,
                "f_df2": len(y) - p if p > p0 else np.nan,
                "f_p_value": stats.f.sf(f, p - p0, len(y) - p) if p > p0 else np.nan,
            }
        )
    out = pd.DataFrame.from_records(rows)
    out.insert(out.columns.get_loc("qaic") + 1, "delta_qaic", out["qaic"] - out["qaic"].min())
    out.insert(out.columns.get_loc("nb_aic") + 1, "delta_nb_aic", out["nb_aic"] - out["nb_aic"].min())
    return out


def break_shift(series: pd.DataFrame, breaks: list[int], shifts: list[int], confidence: float = 0.95) -> pd.DataFrame:
    """Sensitivity of each documented break's effects to moving it ``shifts`` half-years
    (the other breaks fixed): quasi-Poisson level change and slope change at the moved
    break with t intervals. A position where the design loses rank (a segment of fewer
    than two half-years, two breaks at one half-year, a break at the series' ends, or the
    breaks changing order) is ``identifiable = False``; one whose adjacent segments are
    fitted exactly gets no p-value.

    Returns
    -------
    DataFrame
        ``series, break, shift, t, label, identifiable, exactly_fitted, deviance, phi,
        level_percent, level_lower, level_upper, level_p_value, slope_percent,
        slope_lower, slope_upper, slope_p_value``.
    """
    sid = series["series"].iloc[0]
    y = series["count"].to_numpy(dtype=float)
    t, half = series["t"].to_numpy(), series["half"].to_numpy()
    labels = series["label"].to_numpy()
    rows = []
    for k, b in enumerate(breaks, start=1):
        for s in shifts:
            moved = [*breaks[: k - 1], b + s, *breaks[k:]]
            ok = moved == sorted(moved) and identifiable(t, half, moved)
            row = {
                "series": sid,
                "break": k,
                "shift": s,
                "t": b + s,
                "label": labels[b + s] if 0 <= b + s < len(y) else "",
                "identifiable": ok,
            }
            if not ok:
                rows.append(row | {"exactly_fitted": False})
                continue
            Xf = design(t, half, moved)
            fit = _qp_fit(y, Xf.to_numpy())
            q = float(stats.t.ppf(0.5 + confidence / 2, fit["df"]))
            seg = segment_index(t, moved)
            exact = any(np.all(fit["leverage"][seg == j] > EXACT_LEVERAGE) for j in (k - 1, k))
            row |= {"exactly_fitted": exact, "deviance": float(fit["deviance"]), "phi": fit["phi"]}
            for name, term in (("level", f"level_{k}"), ("slope", f"slope_{k}")):
                j = list(Xf.columns).index(term)
                _, pv, lo, hi = _t_inference(fit["beta"][j], math.sqrt(fit["cov"][j, j]), fit["df"], q)
                row |= {
                    f"{name}_percent": 100 * math.expm1(fit["beta"][j]),
                    f"{name}_lower": 100 * math.expm1(lo),
                    f"{name}_upper": 100 * math.expm1(hi),
                    f"{name}_p_value": np.nan if exact else pv,
                }
            rows.append(row)
    columns = ["series", "break", "shift", "t", "label", "identifiable", "exactly_fitted", "deviance", "phi"] + [
        f"{a}_{b}" for a in ("level", "slope") for b in ("percent", "lower", "upper", "p_value")
    ]
    return pd.DataFrame.from_records(rows, columns=columns)
