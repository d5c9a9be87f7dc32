"""Confidence intervals for proportions and for differences of proportions.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. JASA 22, 209-212.
Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits
illustrated in the case of the binomial. Biometrika 26, 404-413.
Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for interval
estimation of binomial proportions. The American Statistician 52, 119-126.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890 (method 10).
"""

from __future__ import annotations

import math

from scipy import stats
from statsmodels.stats.proportion import proportion_confint

# Names used in config.yaml -> statsmodels' method names.
METHODS = {"wilson": "wilson", "clopper_pearson": "beta", "agresti_coull": "agresti_coull"}


def proportion_ci(count: float, n: float, method: str = "wilson", confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided confidence interval for a binomial proportion ``count / n``.

    Parameters
    ----------
    count, n : float
        Successes and trials (``n > 0``).
    method : {"wilson", "clopper_pearson", "agresti_coull"}
    confidence : float
        Coverage, e.g. 0.95.

    Returns
    -------
    (lower, upper) as proportions in [0, 1].
    """
    if method not in METHODS:
        raise ValueError(f"unknown interval method {method!r}; expected one of {sorted(METHODS)}")
    if n <= 0:
        raise ValueError("n must be positive")
    lo, hi = proportion_confint(count, n, alpha=1 - confidence, method=METHODS[method])
    return float(max(lo, 0.0)), float(min(hi, 1.0))


def newcombe_diff_ci(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval for p1 - p2 (independent samples).

    Returns
    -------
    (difference, lower, upper) as proportions.
    """
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = proportion_ci(x1, n1, "wilson", confidence)
    l2, u2 = proportion_ci(x2, n2, "wilson", confidence)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, lower, upper


def two_proportion_z(x1: float, n1: float, x2: float, n2: float, deff: float = 1.0) -> tuple[float, float]:
    """Pooled two-proportion z test; the variance is inflated by the design effect ``deff``.

    Returns
    -------
    (z, two-sided p-value)
    """
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(deff * p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / se
    return z, float(2 * stats.norm.sf(abs(z)))
