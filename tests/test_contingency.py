"""Pearson's chi-square of a two-way table (analysis.core.contingency) against scipy and
by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from analysis.core.contingency import pearson_chi2

# A 5 x 3 table of answers (agencies x clear/partly/unclear), as in the survey tests.
ANSWERS = [[65, 68, 13], [127, 80, 13], [85, 47, 7], [44, 45, 25], [15, 24, 22]]


@pytest.mark.parametrize(
    "table",
    [ANSWERS, [[10, 1], [12, 0]], [[3, 5, 9]], [[4], [7]], [[1, 2], [3, 4], [5, 6]]],
)
def test_pearson_chi2_equals_scipy_chi2_contingency(table):
    chi2, dof, expected = pearson_chi2(table)
    ref = stats.chi2_contingency(np.array(table, dtype=float), correction=False)
    assert chi2 == pytest.approx(ref.statistic, rel=1e-12, abs=1e-12)
    assert dof == ref.dof
    np.testing.assert_allclose(expected, ref.expected_freq, rtol=1e-12)
    if dof:  # the p-value the callers take from it is scipy's
        assert special.chdtrc(dof, chi2) == pytest.approx(ref.pvalue, rel=1e-12)


def test_pearson_chi2_by_hand_and_refuses_an_empty_row():
    # Rows (10, 20) and (30, 40), n = 100: expected 30 x 40 / 100 = 12, 30 x 60 / 100 = 18,
    # 70 x 40 / 100 = 28, 70 x 60 / 100 = 42. Chi-square = 4/12 + 4/18 + 4/28 + 4/42.
    chi2, dof, _ = pearson_chi2([[10, 20], [30, 40]])
    assert chi2 == pytest.approx(4 / 12 + 4 / 18 + 4 / 28 + 4 / 42)
    assert dof == 1
    with pytest.raises(ValueError, match=r"zero element at \(1, 0\)"):
        pearson_chi2([[5, 5], [0, 0]])
