"""The paired t-test and Wilcoxon p computed from their formulas give scipy's figures.

Random changes of every kind a report meets: continuous, few distinct values (ties), zeros,
n from 5 to 200, so the exact, permutation and normal regimes of the Wilcoxon test all run.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from server.reports.signed_rank import EXACT_MAX_N, PERMUTATION_MAX_N, signed_rank_p
from server.reports.stats import _pairs, inferential

RTOL = 1e-12


def _changes(rng: np.random.Generator, i: int) -> np.ndarray:
    n = int(rng.integers(5, 201)) if i % 2 else int(rng.integers(5, 60))
    kind = i % 3
    if kind == 0:  # continuous: no ties, no zeros
        return rng.normal(0.2, 1, n)
    if kind == 1:  # a few distinct steps, many ties and zeros (a short test's scores)
        return rng.integers(-4, 6, n).astype(np.float64) * (100 / 30)
    return np.round(rng.normal(0.3, 1, n), 1)  # some ties, some zeros


def test_signed_rank_p_is_scipys_in_every_regime() -> None:
    rng = np.random.default_rng(11)
    regimes = set()
    for i in range(300):
        d = _changes(rng, i)
        nonzero = d[d != 0]
        ref = float(sps.wilcoxon(nonzero, zero_method="wilcox").pvalue)
        assert signed_rank_p(d) == pytest.approx(ref, rel=RTOL, abs=0), (i, d.tolist())
        ties = np.unique(np.abs(nonzero)).size < nonzero.size
        regimes.add(
            "exact"
            if nonzero.size <= EXACT_MAX_N and not ties
            else "permutation"
            if nonzero.size <= PERMUTATION_MAX_N
            else "normal"
        )
    assert regimes == {"exact", "permutation", "normal"}


def test_signed_rank_p_of_no_changes_is_nan() -> None:
    assert np.isnan(signed_rank_p(np.zeros(6)))


def test_paired_t_test_is_scipys_ttest_1samp() -> None:
    rng = np.random.default_rng(12)
    for i in range(200):
        d = _changes(rng, i)
        pre = np.round(rng.uniform(0, 60, d.size), 2)
        post = np.clip(pre + d * 10, 0, 100)
        diff = _pairs(pre, post)[2]
        if np.all(diff == diff[0]):
            continue
        ref = sps.ttest_1samp(diff, 0.0)
        got = inferential(pre, post)
        assert got["t"] == pytest.approx(float(ref.statistic), rel=RTOL, abs=0)
        assert got["p"] == pytest.approx(float(ref.pvalue), rel=RTOL, abs=0)
        assert got["df"] == diff.size - 1
        assert got["wilcoxon_p"] == pytest.approx(
            float(sps.wilcoxon(diff[diff != 0]).pvalue), rel=RTOL, abs=0
        )
