"""Group statistics of the report, checked against scipy and against hand-worked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from server.reports.stats import paired

INFERENTIAL = ("ci95", "t", "df", "p", "wilcoxon_p", "cohen_dz")


def arr(*values: float) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def test_paired_figures_match_scipy_on_random_scores() -> None:
    rng = np.random.default_rng(3)
    pre = np.round(rng.uniform(20, 80, 30) / 5) * 5
    post = np.clip(pre + np.round(rng.normal(12, 15, 30) / 5) * 5, 0, 100)
    got = paired(pre, post, pass_mark_pre=70, pass_mark_post=70)
    diff = post - pre
    ref = sps.ttest_rel(post, pre)
    assert got["t"] == pytest.approx(ref.statistic)
    assert got["p"] == pytest.approx(ref.pvalue)
    assert got["df"] == 29
    low, high = sps.t.interval(0.95, 29, loc=diff.mean(), scale=sps.sem(diff))
    assert got["ci95"] == pytest.approx([low, high])
    nonzero = diff[diff != 0]
    assert got["wilcoxon_p"] == pytest.approx(sps.wilcoxon(nonzero).pvalue)
    assert got["wilcoxon_p"] == pytest.approx(sps.wilcoxon(diff, zero_method="wilcox").pvalue)
    assert got["cohen_dz"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    assert got["pct_pass_post"] == pytest.approx(100 * np.mean(post >= 70))


def test_paired_figures_of_a_hand_worked_group_of_five() -> None:
    pre = arr(40, 50, 60, 70, 80)
    post = arr(60, 60, 80, 70, 100)
    got = paired(pre, post, pass_mark_pre=70, pass_mark_post=70)
    assert got["n_matched"] == 5
    assert got["pre_mean"] == pytest.approx(60)
    assert got["post_mean"] == pytest.approx(74)
    assert got["mean_change"] == pytest.approx(14)
    assert got["hake_g"] == pytest.approx(14 / 40)
    assert got["g_avg"] == pytest.approx((20 / 60 + 10 / 50 + 20 / 40 + 0 / 30 + 20 / 20) / 5)
    assert got["g_avg_excluded"] == 0
    assert got["pct_improved"] == pytest.approx(80)
    assert got["pct_pass_pre"] == pytest.approx(40)
    assert got["pct_pass_post"] == pytest.approx(60)  # 80, 70 and 100 reach 70
    # changes 20, 10, 20, 0, 20: mean 14, SD sqrt(80)
    assert got["cohen_dz"] == pytest.approx(14 / math.sqrt(80))
    assert got["t"] == pytest.approx(14 / (math.sqrt(80) / math.sqrt(5)))


def test_small_groups_get_counts_and_means_but_no_inference() -> None:
    got = paired(arr(50, 60, 70, 40), arr(70, 60, 90, 50), pass_mark_pre=None)
    assert got["n_matched"] == 4
    assert got["mean_change"] == pytest.approx(12.5)
    assert got["pct_pass_pre"] is None
    assert all(got[k] is None for k in INFERENTIAL)


def test_one_participant() -> None:
    got = paired(arr(50), arr(75))
    assert got["mean_change"] == 25
    assert got["sd_change"] is None
    assert got["hake_g"] == pytest.approx(0.5)
    assert all(got[k] is None for k in INFERENTIAL)


def test_changes_without_variance_have_no_inferential_figures() -> None:
    got = paired(arr(10, 20, 30, 40, 50, 60), arr(20, 30, 40, 50, 60, 70))
    assert got["mean_change"] == pytest.approx(10)
    assert got["pct_improved"] == 100
    assert all(got[k] is None for k in INFERENTIAL)


def test_nobody_improved() -> None:
    pre = arr(50, 60, 70, 80, 90)
    got = paired(pre, pre.copy())
    assert got["pct_improved"] == 0
    assert got["pct_same"] == 100
    assert got["mean_change"] == 0
    assert got["hake_g"] == 0
    assert all(got[k] is None for k in INFERENTIAL)


def test_everyone_at_100_percent_leaves_gains_undefined_and_says_how_many() -> None:
    full = np.full(6, 100.0)
    got = paired(full, full.copy(), pass_mark_pre=70, pass_mark_post=70)
    assert got["hake_g"] is None
    assert got["g_avg"] is None
    assert got["g_avg_excluded"] == 6
    assert got["pct_pass_pre"] == 100


def test_g_avg_leaves_out_perfect_pre_tests() -> None:
    got = paired(arr(100, 50, 0), arr(90, 75, 50))
    assert got["g_avg_excluded"] == 1
    assert got["g_avg_n"] == 2
    assert got["g_avg"] == pytest.approx((0.5 + 0.5) / 2)
    assert got["hake_g"] <= 1


def test_empty_group_is_all_nulls_not_nan() -> None:
    got = paired(arr(), arr())
    assert got["n_matched"] == 0
    for key, value in got.items():
        assert not (isinstance(value, float) and not math.isfinite(value)), key
    assert got["pre_mean"] is None and got["pct_improved"] is None


def test_wilcoxon_with_ties_and_zero_differences_raises_no_warning() -> None:
    # pytest runs with warnings as errors: a scipy warning would fail this test.
    pre = arr(50, 50, 60, 60, 70, 70, 80, 40)
    post = arr(60, 50, 70, 60, 80, 60, 90, 50)
    got = paired(pre, post)
    assert got["wilcoxon_p"] is not None and 0 < got["wilcoxon_p"] <= 1
