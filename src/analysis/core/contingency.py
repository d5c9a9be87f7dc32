"""Two-way count tables: Pearson's chi-square of homogeneity (survey cross-tabulations,
the meetings registers' groups).

Reference
---------
Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.1 (Pearson chi-square).
"""

from __future__ import annotations

import numpy as np


def pearson_chi2(table) -> tuple[float, int, np.ndarray]:
    """Pearson's chi-square statistic of a two-way count table (no continuity
    correction), its degrees of freedom and the expected counts under homogeneity.

    What ``scipy.stats.chi2_contingency(table, correction=False)`` returns before its
    p-value (the tests compare), without importing scipy.stats: the survey analysis and
    the meetings group comparisons need no other part of it (the p-value is
    ``scipy.special.chdtrc(dof, chi2)``). A table with one row or one column has 0 degrees of
    freedom and statistic 0; an expected count of 0 (a row or column without answers)
    is an error, as in scipy.
    """
    t = np.asarray(table, dtype=float)
    expected = t.sum(axis=1, keepdims=True) * t.sum(axis=0, keepdims=True) / t.sum()
    zero = np.argwhere(expected == 0)
    if zero.size:
        raise ValueError(f"the table of expected counts has a zero element at {tuple(int(i) for i in zero[0])}")
    dof = (t.shape[0] - 1) * (t.shape[1] - 1)
    chi2 = float(((t - expected) ** 2 / expected).sum()) if dof else 0.0
    return chi2, dof, expected
