"""The inference of the meetings models against independent references: t on the
residual df and a hand-written Newey-West sandwich (quasi-Poisson), statsmodels' NB
deviance, a scipy-constrained NB2 likelihood (profile intervals), statsmodels' hat
matrix (exactly fitted segments), brute-force enumeration of breaks, statsmodels'
two-sample intervals (risk differences and ratios) and binomial GLM (odds ratios), scipy's
chi-square test (spread over groups), Monte Carlo prediction intervals,
and simulations with known truth for the search-corrected scan (size and power)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize, special, stats
from statsmodels.stats.proportion import confint_proportions_2indep

from analysis.meetings import batched
from analysis.meetings.groups import homogeneity, odds_ratios
from analysis.meetings.models import (
    best_pair,
    break_shift,
    breakpoint_scan,
    counterfactual,
    design,
    fit_segmented,
    model_comparison,
    nb_profile,
)
from analysis.meetings.stage import csv_precision

pytestmark = pytest.mark.filterwarnings("ignore:Perfect separation or prediction detected")

# Bilaga 1, Tabell 1 as printed (2011H1-2019H2): follow-up meetings and SASSAM mappings.
MEETINGS = [41926, 35820, 49388, 43394, 56526, 47027, 51688, 43161, 48124,
            35708, 37371, 26491, 29493, 19841, 19750, 20893, 23712, 16151]  # fmt: skip
SASSAM = [18354, 17824, 23433, 25218, 31251, 23563, 14279, 9842, 7372,
          5003, 4533, 2614, 2882, 1947, 1746, 1834, 1954, 1255]  # fmt: skip
BREAKS = [8, 10]  # 2015H1, 2016H1


def series(counts, sid="meetings", first_year=2011):
    t = np.arange(len(counts))
    return pd.DataFrame(
        {
            "series": sid,
            "t": t,
            "year": first_year + t // 2,
            "half": t % 2 + 1,
            "label": [f"{first_year + k // 2}H{k % 2 + 1}" for k in t],
            "count": np.asarray(counts, float),
        }
    )


def xy(counts=MEETINGS, breaks=BREAKS):
    s = series(counts)
    return design(s["t"].to_numpy(), s["half"].to_numpy(), breaks).to_numpy(), s["count"].to_numpy()


@pytest.fixture(scope="module")
def fitted():
    return fit_segmented(series(MEETINGS), BREAKS, maxlags=2)


def rows(effects, family, se_type):
    e = effects[(effects["family"] == family) & (effects["se_type"] == se_type)]
    return e.set_index(["effect", "segment"])


# Quasi-Poisson: t on the residual df -----------------------------------------------------


def test_quasi_poisson_uses_t_on_residual_df(fitted):
    X, y = xy()
    g = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    mu = g.mu
    phi = np.sum((y - mu) ** 2 / mu) / 11  # Pearson chi-square / (18 - 7)
    se = math.sqrt(phi * np.linalg.inv(X.T @ (mu[:, None] * X))[1, 1])
    b = g.params[1]
    e = rows(fitted[1], "quasi_poisson", "model").loc[("change_per_half_year", "before first break")]
    # The figure: 0.014 with the normal distribution, 0.032 with t(11).
    assert e["p_value"] == pytest.approx(2 * stats.t.sf(abs(b / se), 11), rel=1e-6)
    assert round(e["p_value"], 3) == 0.032 and round(2 * stats.norm.sf(abs(b / se)), 3) == 0.014
    q = stats.t.ppf(0.975, 11)
    assert (e["lower"], e["upper"]) == pytest.approx((100 * math.expm1(b - q * se), 100 * math.expm1(b + q * se)))
    assert e["role"] == "primary" and e["df"] == 11


def test_hac_is_a_corrected_newey_west_sensitivity(fitted):
    X, y = xy()
    g = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    mu = g.mu
    s = X * (y - mu)[:, None]  # score contributions
    meat = s.T @ s
    for lag in (1, 2):  # Bartlett weights 1 - l / (L + 1), L = 2
        w = 1 - lag / 3
        g_l = s[lag:].T @ s[:-lag]
        meat += w * (g_l + g_l.T)
    bread = np.linalg.inv(X.T @ (mu[:, None] * X))
    cov = bread @ meat @ bread * 18 / (18 - 7)  # small-sample factor n / (n - p)
    c = fitted[0]
    hac = c[(c["family"] == "quasi_poisson") & (c["se_type"] == "hac")]["std_error"].to_numpy()
    assert hac == pytest.approx(np.sqrt(np.diag(cov)), rel=1e-6)
    e = fitted[1]
    assert set(e.loc[e["se_type"] == "hac", "role"]) == {"sensitivity"}
    assert set(e.loc[e["role"] == "primary", "family"]) == {"quasi_poisson"}


def test_exactly_fitted_segment_has_leverage_one_and_no_p_value(fitted):
    X, y = xy()
    g = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    hat = g.get_influence().hat_matrix_diag
    assert hat[[8, 9]] == pytest.approx([1.0, 1.0], abs=1e-8)  # 2015H1-H2: two points, two parameters
    assert np.all(np.delete(hat, [8, 9]) < 0.99)
    d = fitted[2].set_index("family")
    assert d.loc["quasi_poisson", "exactly_fitted_obs"] == 2
    e = fitted[1]
    flagged = set(e.loc[e["exactly_fitted"], "segment"])
    # The segment's own slope and the level changes into and out of it rest on the two points.
    assert flagged == {"after break 1", "at break 1", "at break 2"}
    assert e.loc[e["exactly_fitted"], "p_value"].isna().all()
    assert e.loc[~e["exactly_fitted"], "p_value"].notna().all()


def test_fit_refuses_breaks_that_leave_a_one_point_segment():
    with pytest.raises(ValueError, match="fewer than two half-years"):
        fit_segmented(series(MEETINGS), [8, 9], maxlags=2)


# Negative binomial -----------------------------------------------------------------------


def nb_nll(theta, X, y, offset=0.0):
    """NB2 negative log-likelihood written out from the pmf (Var = mu + alpha mu^2)."""
    beta, log_alpha = theta[:-1], theta[-1]
    r = math.exp(-log_alpha)
    mu = np.exp(X @ beta + offset)
    ll = special.gammaln(y + r) - special.gammaln(r) - special.gammaln(y + 1)
    ll += r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu))
    return -ll.sum()


def test_nb_deviance_and_alpha_columns(fitted):
    X, y = xy()
    d = fitted[2].set_index("family").loc["negative_binomial"]
    ref = sm.NegativeBinomial(y, X, loglike_method="nb2").fit(disp=0, method="bfgs", maxiter=2000)
    alpha = ref.params[-1]
    assert d["alpha"] == pytest.approx(alpha, rel=1e-3)
    assert np.isnan(d["phi"])
    mu = ref.predict(X)
    assert d["deviance"] == pytest.approx(sm.families.NegativeBinomial(alpha=alpha).deviance(y, mu), rel=1e-3)
    assert d["deviance"] < 3 * d["df_resid"]  # about the residual df, not thousands
    assert d["loglik"] == pytest.approx(ref.llf, abs=1e-4)
    assert d["aic"] == pytest.approx(ref.aic, abs=1e-3)


def test_batched_nb_fit_matches_scipy_over_a_batch():
    X, y = xy()
    Y = np.stack([y, np.asarray(SASSAM, float)])
    fit = batched.nb2_fit(Y, X)
    for i in range(2):
        start = np.r_[sm.GLM(Y[i], X, family=sm.families.Poisson()).fit().params, math.log(0.02)]
        ref = optimize.minimize(nb_nll, start, args=(X, Y[i]), method="BFGS", options={"gtol": 1e-9, "maxiter": 20000})
        # The maximum: never below the reference optimiser's (whose stopping point varies
        # with the machine's floating point by about 1e-5), and close to it.
        assert fit["loglik"][i] >= -ref.fun - 1e-8
        assert fit["loglik"][i] == pytest.approx(-ref.fun, abs=1e-4)
        assert fit["beta"][i] == pytest.approx(ref.x[:-1], abs=2e-4)


def test_profile_interval_end_points_are_where_the_likelihood_ratio_hits_chi2():
    X, y = xy()
    c = np.zeros(7)
    c[[1, 4, 6]] = 1.0  # trend + slope_1 + slope_2: the change per half-year after break 2
    prof = nb_profile(y, X, c[None], 0.95).iloc[0]
    start = np.r_[sm.GLM(y, X, family=sm.families.Poisson()).fit().params, math.log(0.01)]
    full = optimize.minimize(nb_nll, start, args=(X, y), method="BFGS", options={"gtol": 1e-9, "maxiter": 20000})
    # Constrained maximum at c'beta = v by substitution: slope_2 = v - trend - slope_1.
    keep = [0, 1, 2, 3, 4, 5]
    A = X[:, keep].copy()
    A[:, 1] -= X[:, 6]
    A[:, 4] -= X[:, 6]

    def constrained(v):
        s0 = np.r_[full.x[keep], full.x[-1]]
        r = optimize.minimize(nb_nll, s0, args=(A, y, v * X[:, 6]), method="BFGS", options={"gtol": 1e-9})
        return -r.fun

    crit = stats.chi2.ppf(0.95, 1)
    for v in (prof["lower"], prof["upper"]):
        assert 2 * (-full.fun - constrained(v)) == pytest.approx(crit, abs=2e-3)
    assert prof["p_value"] == pytest.approx(stats.chi2.sf(2 * (-full.fun - constrained(0.0)), 1), rel=1e-3)


# Counterfactual ----------------------------------------------------------------------------


def test_counterfactual_prediction_interval_against_monte_carlo(fitted):
    s = series(MEETINGS)
    fit = fitted[3]
    cf = counterfactual(s, BREAKS, fit)
    X = design(s["t"].to_numpy(), s["half"].to_numpy(), BREAKS).to_numpy(copy=True)
    X[:, 3:] = 0.0  # no interruption
    rng = np.random.default_rng(7)
    m = 200_000
    tq = stats.t.ppf(0.975, fit["df_resid"]) / stats.norm.ppf(0.975)
    beta = rng.multivariate_normal(fit["beta"], fit["cov"] * tq**2, size=m)
    mu = np.exp(beta @ X[17])  # 2019H2
    phi = fit["phi"]
    draws = rng.negative_binomial(mu / (phi - 1), 1 / phi)  # mean mu, variance phi mu
    lo, hi = np.quantile(draws, [0.025, 0.975])
    row = cf.iloc[17]
    assert row["cf_pred_lower"] == pytest.approx(lo, rel=0.05)
    assert row["cf_pred_upper"] == pytest.approx(hi, rel=0.05)
    assert row["cf_pred_lower"] < row["cf_lower"] < row["counterfactual"] < row["cf_upper"] < row["cf_pred_upper"]


def test_counterfactual_marks_extrapolation(fitted):
    s = series(MEETINGS)
    cf = counterfactual(s, BREAKS, fitted[3]).set_index("label")
    assert not cf.loc["2014H2", "extrapolated"] and cf.loc["2015H1", "extrapolated"]
    outside = cf["counterfactual"] > max(MEETINGS)
    assert (cf["outside_observed"] == outside).all() and cf.loc["2019H1", "outside_observed"]


# Scan: search-corrected ------------------------------------------------------------------


def test_scan_f_statistics_against_statsmodels_per_candidate():
    s = series(MEETINGS)
    scan = breakpoint_scan(s, 3, BREAKS, replicates=49, seed=1)
    X0, y = xy(breaks=[])
    d0 = sm.GLM(y, X0, family=sm.families.Poisson()).fit().deviance
    for r in scan.itertuples():
        X1, _ = xy(breaks=[r.t])
        g = sm.GLM(y, X1, family=sm.families.Poisson()).fit(scale="X2")
        assert r.f_stat == pytest.approx(((d0 - g.deviance) / 2) / g.scale, rel=1e-8)
    assert scan.loc[scan["best"], "label"].tolist() == ["2013H2"]


def test_scan_is_deterministic_and_seeded():
    s = series(MEETINGS)
    a = breakpoint_scan(s, 3, BREAKS, replicates=99, seed=5)
    b = breakpoint_scan(s, 3, BREAKS, replicates=99, seed=5)
    pd.testing.assert_frame_equal(a, b)
    c = breakpoint_scan(s, 3, BREAKS, replicates=99, seed=6)
    assert not np.array_equal(a["sup_f_critical"], c["sup_f_critical"])


def _null_series(rng, n=18, phi=300.0):
    t = np.arange(n)
    mu = 40000 * np.exp(-0.04 * t - 0.15 * (t % 2))
    return rng.negative_binomial(mu / (phi - 1), 1 / phi).astype(float)


def test_search_corrected_scan_holds_its_size_on_no_break_series():
    rng = np.random.default_rng(2024)
    m = 100
    p_adj, p_naive = [], []
    for k in range(m):
        scan = breakpoint_scan(series(_null_series(rng)), 3, [], replicates=59, seed=k)
        best = scan[scan["best"]].iloc[0]
        p_adj.append(best["p_search_adjusted"])
        p_naive.append(best["f_p_value"])
    size = np.mean(np.asarray(p_adj) <= 0.05)
    # Binomial(100, 0.05): 99 % of rejection rates fall in [0.01, 0.11].
    assert 0.01 <= size <= 0.11
    assert np.mean(np.asarray(p_naive) <= 0.05) > 2 * size  # the unadjusted best break over-rejects


def test_search_corrected_scan_finds_a_planted_break():
    rng = np.random.default_rng(11)
    t = np.arange(18)
    located = detected = 0
    for k in range(20):
        # +2 % per half-year, then a 26 % drop and a decline of 6 % per half-year from t = 9
        # (about the size of the meetings series' turn), noise phi = 300 (sd ~9 %).
        mu = 40000 * np.exp(0.02 * t - 0.15 * (t % 2) - 0.3 * (t >= 9) - 0.08 * np.maximum(t - 9, 0))
        y = rng.negative_binomial(mu / 299, 1 / 300).astype(float)
        scan = breakpoint_scan(series(y), 3, [9], replicates=99, seed=k)
        best = scan[scan["best"]].iloc[0]
        located += abs(best["t"] - 9) <= 1
        detected += best["p_search_adjusted"] <= 0.05
    assert located >= 16 and detected >= 19


# Model comparison and break sensitivity -----------------------------------------------------


def test_best_pair_by_brute_force_enumeration():
    s = series(SASSAM, "sassam")
    y = s["count"].to_numpy()
    best, dev = None, np.inf
    for a in range(3, 16):
        for b in range(a + 3, 16):
            X, _ = xy(SASSAM, [a, b])
            d = sm.GLM(y, X, family=sm.families.Poisson()).fit().deviance
            if d < dev:
                best, dev = (a, b), d
    assert best_pair(s, 3) == best


def test_model_comparison_f_tests_and_qaic_by_hand():
    s = series(MEETINGS)
    mc = model_comparison(s, {"no_break": [], "documented": BREAKS, "best_single": [5]}, "documented").set_index(
        "model"
    )
    y = s["count"].to_numpy()
    fits = {m: sm.GLM(y, xy(breaks=b)[0], family=sm.families.Poisson()).fit(scale="X2")
            for m, b in {"no_break": [], "documented": BREAKS, "best_single": [5]}.items()}  # fmt: skip
    d0 = fits["no_break"].deviance
    for m, p in (("documented", 7), ("best_single", 5)):
        f = ((d0 - fits[m].deviance) / (p - 3)) / fits[m].scale
        assert mc.loc[m, "f_stat"] == pytest.approx(f, rel=1e-8)
        assert mc.loc[m, "f_p_value"] == pytest.approx(stats.f.sf(f, p - 3, 18 - p), rel=1e-6)
    phi = fits["documented"].scale
    qaic = {m: fits[m].deviance / phi + 2 * (fits[m].df_model + 2) for m in fits}
    for m in fits:
        assert mc.loc[m, "delta_qaic"] == pytest.approx(qaic[m] - min(qaic.values()), rel=1e-8)
    assert mc.loc["best_single", "breaks"] == "2013H2" and mc.loc["documented", "breaks"] == "2015H1+2016H1"
    # The report's statement: one break in 2013H2 is preferred to the documented pair.
    assert mc.loc["best_single", "qaic"] < mc.loc["documented", "qaic"]
    assert mc.loc["best_single", "nb_aic"] < mc.loc["documented", "nb_aic"]


def test_break_shift_identifiability_by_rank_and_effect_at_zero(fitted):
    s = series(MEETINGS)
    bs = break_shift(s, BREAKS, [-2, -1, 0, 1, 2]).set_index(["break", "shift"])
    for (k, sh), r in bs.iterrows():
        moved = list(BREAKS)
        moved[k - 1] += sh
        X, _ = xy(breaks=moved)
        expect = moved == sorted(moved) and len(set(moved)) == 2 and np.linalg.matrix_rank(X) == 7
        assert bool(r["identifiable"]) == expect, (k, sh)
    assert not bs.loc[(1, 1), "identifiable"] and not bs.loc[(2, -1), "identifiable"]
    e = rows(fitted[1], "quasi_poisson", "model")
    assert bs.loc[(1, 0), "level_percent"] == pytest.approx(e.loc[("level_change", "at break 1"), "percent"])
    assert bool(bs.loc[(1, 0), "exactly_fitted"]) and np.isnan(bs.loc[(1, 0), "level_p_value"])
    assert not bs.loc[(1, -2), "exactly_fitted"] and bs.loc[(1, -2), "level_p_value"] > 0


# Registers ------------------------------------------------------------------------------------


def test_risk_difference_and_ratio_against_statsmodels():
    # Bilaga 1, Tabell 2: 'Dagar slut' 607 of 757 against 'Arbetsför' 33 707 of 124 181.
    x = pd.Series({"Arbetsför": 33707, "Dagar slut": 607})
    n = pd.Series({"Arbetsför": 124181, "Dagar slut": 757})
    o = odds_ratios(x, n, "Arbetsför").set_index("group").loc["Dagar slut"]
    rr = (607 / 757) / (33707 / 124181)
    assert o["risk_ratio"] == pytest.approx(rr) and round(rr, 1) == 3.0 and round(o["odds_ratio"], 1) == 10.9
    lo, hi = confint_proportions_2indep(607, 757, 33707, 124181, method="log", compare="ratio")
    assert (o["rr_lower"], o["rr_upper"]) == pytest.approx((lo, hi), rel=1e-6)
    lo, hi = confint_proportions_2indep(607, 757, 33707, 124181, method="newcomb", compare="diff")
    assert o["risk_difference"] == pytest.approx(607 / 757 - 33707 / 124181)
    assert (o["rd_lower"], o["rd_upper"]) == pytest.approx((lo, hi), rel=1e-6)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_odds_ratios_equal_statsmodels_binomial_glm(confidence):
    """The closed forms (Woolf) are what the saturated logit GLM of the grouped counts
    estimates: odds ratio, Wald interval and p-value, for every group against the reference."""
    # Bilaga 1, Tabell 4 (sex x age style): four groups, reference the largest.
    x = pd.Series({"a": 33707, "b": 607, "c": 1200, "d": 48})
    n = pd.Series({"a": 124181, "b": 757, "c": 5100, "d": 95})
    o = odds_ratios(x, n, "a", confidence).set_index("group")
    X = np.column_stack([np.ones(4), np.eye(4)[:, 1:]])
    endog = np.column_stack([x.to_numpy(float), (n - x).to_numpy(float)])
    with np.errstate(divide="ignore", invalid="ignore"):  # saturated: zero residual df
        res = sm.GLM(endog, X, family=sm.families.Binomial()).fit(tol=1e-14)
    ci = res.conf_int(alpha=1 - confidence)
    for i, g in enumerate(["b", "c", "d"], start=1):
        assert o.loc[g, "odds_ratio"] == pytest.approx(math.exp(res.params[i]), rel=1e-9)
        assert o.loc[g, "lower"] == pytest.approx(math.exp(ci[i, 0]), rel=1e-6)
        assert o.loc[g, "upper"] == pytest.approx(math.exp(ci[i, 1]), rel=1e-6)
        assert o.loc[g, "p_value"] == pytest.approx(res.pvalues[i], rel=1e-3)
    assert list(o.index) == ["a", "b", "c", "d"] and bool(o.loc["a", "reference"])
    with pytest.raises(ValueError, match="no finite odds ratio"):
        odds_ratios(pd.Series({"a": 5, "b": 0}), pd.Series({"a": 10, "b": 4}), "a")


def test_homogeneity_equals_scipy_chi_square():
    x = pd.Series({"a": 33707, "b": 607, "c": 1200})
    n = pd.Series({"a": 124181, "b": 757, "c": 5100})
    h = homogeneity(x, n)
    table = np.column_stack([x.to_numpy(), (n - x).to_numpy()])
    ref = stats.chi2_contingency(table, correction=False)
    assert h["chi_square"] == pytest.approx(ref.statistic, rel=1e-12) and h["df"] == ref.dof == 2
    assert h["p_value"] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
    assert h["min_expected"] == pytest.approx(ref.expected_freq.min(), rel=1e-12)
    assert h["cramers_v"] == pytest.approx(math.sqrt(ref.statistic / n.sum()), rel=1e-12)


def test_homogeneity_describes_the_spread():
    x = pd.Series({"a": 30, "b": 60})
    n = pd.Series({"a": 100, "b": 100})
    h = homogeneity(x, n)
    assert h["range_points"] == pytest.approx(30.0)
    # 2 x 2 table: Cramér's V = |phi| = (ad - bc) / sqrt(row and column totals).
    v = abs(30 * 40 - 70 * 60) / math.sqrt(100 * 100 * 90 * 110)
    assert h["cramers_v"] == pytest.approx(v)


def test_csv_precision_keeps_counts_and_rounds_estimates():
    f = pd.DataFrame({"count": [41926.0, np.nan], "p": [0.031812345, 1.23456e-7], "big": [3920.183166, -0.0]})
    out = csv_precision(f)
    assert out["count"].iloc[0] == 41926.0 and np.isnan(out["count"].iloc[1])
    assert out["p"].tolist() == [0.03181, 1.235e-7]
    assert out["big"].tolist() == [3920.0, 0.0]


def test_scan_survives_simulated_series_with_zero_counts():
    # A last segment of zeros has its Poisson maximum at a level of -inf; the batched fit
    # must stay finite, with the deviance at its limit (the zeros fitted by ~0).
    y = np.asarray([*SASSAM[:15], 0, 0, 0], float)
    X1, _ = xy(SASSAM, [15])
    fit = batched.poisson_fit_grid(np.stack([y, np.asarray(SASSAM, float)]), X1[None])
    assert np.isfinite(fit["deviance"]).all() and np.isfinite(fit["pearson"]).all()
    # The limit: the first 15 half-years fitted alone (the break model's zeros cost nothing).
    X15 = xy(SASSAM[:15], [])[0]
    ref = sm.GLM(y[:15], X15, family=sm.families.Poisson()).fit().deviance
    assert fit["deviance"][0, 0] == pytest.approx(ref, rel=1e-6)
    g = sm.GLM(np.asarray(SASSAM, float), X1, family=sm.families.Poisson()).fit()
    assert fit["deviance"][1, 0] == pytest.approx(g.deviance, rel=1e-9)  # a regular fit is unchanged
