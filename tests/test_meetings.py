"""Meetings analysis against independent references: hand IRLS, scipy optimisation of the
NB2 likelihood, the odds-ratio formula, and a synthetic series with a known break."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from analysis.meetings.groups import group_shares, odds_ratios
from analysis.meetings.models import (
    breakpoint_scan,
    date_position,
    design,
    event_half_year,
    fit_segmented,
    trend_table,
)

# Bilaga 1, Tabell 1: follow-up meetings per half-year 2011H1-2019H2, as printed.
MEETINGS = [
    41926,
    35820,
    49388,
    43394,
    56526,
    47027,
    51688,
    43161,
    48124,
    35708,
    37371,
    26491,
    29493,
    19841,
    19750,
    20893,
    23712,
    16151,
]


def series(counts, first_year=2011):
    t = np.arange(len(counts))
    return pd.DataFrame(
        {
            "series": "meetings",
            "t": t,
            "year": first_year + t // 2,
            "half": t % 2 + 1,
            "label": [f"{first_year + k // 2}H{k % 2 + 1}" for k in t],
            "count": np.asarray(counts, float),
        }
    )


def irls_poisson(X: np.ndarray, y: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Reference Poisson fit by iteratively reweighted least squares, written out."""
    beta = np.zeros(X.shape[1])
    beta[0] = math.log(y.mean())
    for _ in range(iterations):
        eta = X @ beta
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        W = mu
        beta_new = np.linalg.solve(X.T @ (W[:, None] * X), X.T @ (W * z))
        if np.max(np.abs(beta_new - beta)) < 1e-12:
            return beta_new
        beta = beta_new
    return beta


def test_quasi_poisson_against_hand_irls_and_pearson_scale():
    s = series(MEETINGS)
    breaks = [8, 10]  # 2015H1, 2016H1
    coefs, _, diag, _ = fit_segmented(s, breaks, maxlags=2)
    X = design(s["t"].to_numpy(), s["half"].to_numpy(), breaks).to_numpy()
    y = s["count"].to_numpy()
    beta = irls_poisson(X, y)
    est = coefs[(coefs["family"] == "quasi_poisson") & (coefs["se_type"] == "model")]["estimate"].to_numpy()
    assert est == pytest.approx(beta, rel=1e-8, abs=1e-10)
    mu = np.exp(X @ beta)
    phi = np.sum((y - mu) ** 2 / mu) / (len(y) - X.shape[1])  # Pearson chi-square / residual df
    assert diag.loc[diag["family"] == "quasi_poisson", "phi"].iloc[0] == pytest.approx(phi)
    assert np.isnan(diag.loc[diag["family"] == "quasi_poisson", "alpha"].iloc[0])
    cov = phi * np.linalg.inv(X.T @ (mu[:, None] * X))
    se = coefs[(coefs["family"] == "quasi_poisson") & (coefs["se_type"] == "model")]["std_error"].to_numpy()
    assert se == pytest.approx(np.sqrt(np.diag(cov)), rel=1e-6)


def test_negative_binomial_against_scipy_likelihood():
    s = series(MEETINGS)
    coefs, _, _, _ = fit_segmented(s, [8, 10], maxlags=2)
    X = design(s["t"].to_numpy(), s["half"].to_numpy(), [8, 10]).to_numpy()
    y = s["count"].to_numpy()

    def nll(theta):  # NB2: Var = mu + alpha mu^2, written out from the pmf
        beta, log_alpha = theta[:-1], theta[-1]
        alpha = math.exp(log_alpha)
        mu = np.exp(X @ beta)
        r = 1 / alpha
        ll = (
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            + r * np.log(r / (r + mu))
            + y * np.log(mu / (r + mu))
        )
        return -ll.sum()

    start = np.r_[irls_poisson(X, y), math.log(0.01)]
    ref = optimize.minimize(nll, start, method="BFGS", options={"gtol": 1e-8, "maxiter": 10000})
    est = coefs[(coefs["family"] == "negative_binomial") & (coefs["se_type"] == "model")]["estimate"].to_numpy()
    assert est == pytest.approx(ref.x[:-1], rel=1e-3, abs=1e-4)


def test_effects_are_exp_of_coefficient_sums():
    s = series(MEETINGS)
    coefs, effects, _, _ = fit_segmented(s, [8, 10], maxlags=2)
    c = coefs[(coefs["family"] == "quasi_poisson") & (coefs["se_type"] == "model")].set_index("term")["estimate"]
    e = effects[(effects["family"] == "quasi_poisson") & (effects["se_type"] == "model")]
    after2 = e[(e["effect"] == "change_per_half_year") & (e["segment"] == "after break 2")]["percent"].iloc[0]
    assert after2 == pytest.approx(100 * (math.exp(c["trend"] + c["slope_1"] + c["slope_2"]) - 1))
    season = e[e["effect"] == "second_half_year"]["percent"].iloc[0]
    assert season == pytest.approx(100 * (math.exp(c["second_half"]) - 1))


def test_breakpoint_scan_finds_a_known_break():
    # Synthetic series, no noise but a fixed zig-zag: trend +2 % per half-year, -15 % in
    # second halves, and a 40 % drop with a steeper decline from t = 11.
    t = np.arange(20)
    mu = 50000 * np.exp(0.02 * t - 0.15 * (t % 2) - 0.5 * (t >= 11) - 0.05 * np.maximum(t - 11, 0))
    y = np.round(mu * (1 + 0.01 * np.where(t % 3 == 0, 1, -1)))
    scan = breakpoint_scan(series(y), min_segment=3, documented=[11], replicates=99)
    best = scan.sort_values("deviance").iloc[0]
    assert best["t"] == 11 and bool(best["documented"]) and best["rank"] == 1
    assert scan.loc[scan["t"] == 11, "share_better"].iloc[0] == 0
    assert len(scan) == 20 - 2 * 3 + 1


def test_odds_ratio_against_hand_formula():
    # Bilaga 1, Tabell 2: 'Dagar slut' 607 of 757 against 'Arbetsför' 33 707 of 124 181.
    x = pd.Series({"Arbetsför": 33707, "Dagar slut": 607})
    n = pd.Series({"Arbetsför": 124181, "Dagar slut": 757})
    o = odds_ratios(x, n, "Arbetsför").set_index("group")
    or_hand = (607 / 150) / (33707 / (124181 - 33707))
    se = math.sqrt(1 / 607 + 1 / 150 + 1 / 33707 + 1 / (124181 - 33707))
    z = stats.norm.ppf(0.975)
    assert o.loc["Dagar slut", "odds_ratio"] == pytest.approx(or_hand)
    assert o.loc["Dagar slut", "lower"] == pytest.approx(or_hand * math.exp(-z * se))
    assert o.loc["Dagar slut", "upper"] == pytest.approx(or_hand * math.exp(z * se))
    assert o.loc["Arbetsför", "odds_ratio"] == 1.0 and bool(o.loc["Arbetsför", "reference"])


def test_group_share_wilson_by_hand():
    sh = group_shares(pd.Series({"g": 607}), pd.Series({"g": 757}), "wilson", 0.95).iloc[0]
    z, p, m = stats.norm.ppf(0.975), 607 / 757, 757
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z / (1 + z * z / m) * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    assert (sh["lower"], sh["upper"]) == pytest.approx((centre - half, centre + half))


def test_trend_table_index_and_changes():
    s = series(MEETINGS)
    annual = pd.DataFrame({"series": "meetings", "year": [2013, 2019], "count": [103553.0, 39863.0]})
    tt = trend_table(s, annual, base_year=2013)
    y = tt[tt["period_type"] == "year"].set_index("year")
    assert y.loc[2019, "count"] == 39863  # printed annual total preferred
    assert y.loc[2014, "count"] == 51688 + 43161  # not printed here: sum of the half-years
    assert y.loc[2019, "index"] == pytest.approx(100 * 39863 / 103553)
    h = tt[tt["period_type"] == "half_year"].set_index("period")
    assert h.loc["2019H2", "change_pct"] == pytest.approx(100 * (16151 / 23712 - 1))  # 'knappt 20 procent'
    assert h.loc["2019H2", "change_same_half_pct"] == pytest.approx(100 * (16151 / 20893 - 1))


def test_event_dates_on_the_half_year_axis():
    assert event_half_year("2016-02-01") == (2016, 1)
    assert event_half_year("2015-07-01") == (2015, 2)
    assert date_position("2011-01-01", 2011, 1) == pytest.approx(-0.5)
    assert date_position("2016-02-01", 2011, 1) == pytest.approx(10 + 1 / 6 - 0.5)
