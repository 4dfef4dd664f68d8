"""Item and test statistics: Moodle's formulas on a hand-worked example, McNemar against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from server.reports import items
from server.reports.items import correct, mcnemar, moodle_items, pct_correct

# Four attempts at three one-point items: totals 3, 2, 1, 0.
POINTS = np.asarray([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=np.float64)
MAXES = np.ones(3)


def test_moodle_item_statistics_of_the_worked_example() -> None:
    first = moodle_items(POINTS, MAXES)[0]
    # item 1: scores 1,1,1,0 (mean .75, V = .25); rest 2,1,0,0 (V = 11/12); C = .25
    assert first["facility"] == pytest.approx(75)
    assert first["sd"] == pytest.approx(50)
    assert first["discrimination"] == pytest.approx(100 * 0.25 / math.sqrt(0.25 * 11 / 12))
    # sorted pairs (0,0) (1,0) (1,1) (1,2) give the same covariance: efficiency 100%
    assert first["discriminative_efficiency"] == pytest.approx(100)


def test_discrimination_is_the_item_rest_correlation() -> None:
    rng = np.random.default_rng(5)
    points = (rng.random((50, 8)) < rng.uniform(0.2, 0.9, 8)).astype(float)
    got = moodle_items(points, np.ones(8))
    for i, item in enumerate(got):
        rest = points.sum(axis=1) - points[:, i]
        assert item["discrimination"] == pytest.approx(100 * np.corrcoef(points[:, i], rest)[0, 1])
        assert item["facility"] == pytest.approx(100 * points[:, i].mean())


def test_moodle_test_statistics_of_the_worked_example() -> None:
    got = items.test_stats(POINTS, MAXES)
    percents = np.asarray([100, 200 / 3, 100 / 3, 0])
    assert got["n"] == 4
    assert got["mean"] == pytest.approx(50)
    assert got["median"] == pytest.approx(50)
    assert got["sd"] == pytest.approx(percents.std(ddof=1))
    assert got["skewness"] == pytest.approx(0, abs=1e-12)
    # k4 / k2^2 = (-10/3) / (5/3)^2 on the raw totals
    assert got["kurtosis"] == pytest.approx(-1.2)
    # CIC = 100 * 3/2 * (1 - (1/4 + 1/3 + 1/4) / (5/3)) = 75
    assert got["cic"] == pytest.approx(75)
    assert got["error_ratio"] == pytest.approx(50)
    assert got["standard_error"] == pytest.approx(0.5 * percents.std(ddof=1))


def test_skewness_and_kurtosis_are_k_statistic_ratios() -> None:
    rng = np.random.default_rng(11)
    points = (rng.random((40, 12)) < 0.6).astype(float)
    got = items.test_stats(points, np.ones(12))
    scores = 100 * points.sum(axis=1) / 12
    k2 = sps.kstat(scores, 2)
    assert got["skewness"] == pytest.approx(sps.kstat(scores, 3) / k2**1.5)
    assert got["kurtosis"] == pytest.approx(sps.kstat(scores, 4) / k2**2)


def test_cic_equals_cronbach_alpha_in_percent() -> None:
    rng = np.random.default_rng(2)
    ability = rng.normal(0, 1, 60)
    points = (rng.random((60, 10)) < 1 / (1 + np.exp(-ability[:, None]))).astype(float)
    k = points.shape[1]
    alpha = k / (k - 1) * (1 - points.var(axis=0, ddof=1).sum() / points.sum(axis=1).var(ddof=1))
    assert items.test_stats(points, np.ones(k))["cic"] == pytest.approx(100 * alpha)


def test_identical_answers_give_no_nan() -> None:
    same = np.ones((6, 4))
    for item in moodle_items(same, np.ones(4)):
        assert item["facility"] == 100
        assert item["discrimination"] is None
        assert item["discriminative_efficiency"] is None
    got = items.test_stats(same, np.ones(4))
    assert got["sd"] == 0
    assert got["skewness"] is None and got["cic"] is None and got["standard_error"] is None


def test_no_attempts_and_single_attempt() -> None:
    assert items.test_stats(np.zeros((0, 3)), MAXES)["mean"] is None
    assert moodle_items(np.zeros((0, 3)), MAXES)[0]["facility"] is None
    one = items.test_stats(np.asarray([[1.0, 0.0, 1.0]]), MAXES)
    assert one["mean"] == pytest.approx(200 / 3)
    assert one["sd"] is None


def test_only_full_points_count_as_correct() -> None:
    points = np.asarray([[2.0, 1.0], [1.999, 0.5], [0.0, 1.0]])
    ok = correct(points, np.asarray([2.0, 1.0]))
    assert ok.tolist() == [[True, True], [False, False], [False, True]]
    assert pct_correct(ok) == pytest.approx([100 / 3, 200 / 3])


def test_mcnemar_counts_and_exact_p_match_binomtest() -> None:
    pre = np.asarray([[0], [0], [0], [0], [0], [1], [1], [0]], dtype=bool)
    post = np.asarray([[1], [1], [1], [1], [0], [0], [1], [1]], dtype=bool)
    (got,) = mcnemar(pre, post)
    assert (got["mcnemar_b"], got["mcnemar_c"]) == (5, 1)
    assert got["mcnemar_p"] == pytest.approx(sps.binomtest(5, 6, 0.5).pvalue)


def test_mcnemar_p_is_null_without_discordant_pairs_or_below_five() -> None:
    same = np.ones((6, 1), dtype=bool)
    assert mcnemar(same, same)[0]["mcnemar_p"] is None
    few = mcnemar(np.zeros((3, 1), dtype=bool), np.ones((3, 1), dtype=bool))[0]
    assert few["mcnemar_b"] == 3 and few["mcnemar_p"] is None


@pytest.mark.parametrize(("b", "c"), [(0, 7), (3, 3), (12, 4), (30, 11), (1, 0)])
def test_vectorised_mcnemar_equals_binomtest(b: int, c: int) -> None:
    pre = np.asarray([[False]] * b + [[True]] * c + [[True]] * 5)
    post = np.asarray([[True]] * b + [[False]] * c + [[True]] * 5)
    assert mcnemar(pre, post)[0]["mcnemar_p"] == pytest.approx(sps.binomtest(b, b + c).pvalue)


def test_item_figures_over_the_rows_asked_match_each_column_on_its_own() -> None:
    rng = np.random.default_rng(11)
    n = 40
    x = rng.integers(0, 3, (n, 6)) / 2.0
    rest = rng.random((n, 6))
    asked = rng.random((n, 6)) < 0.7
    asked[:, 3] = False  # nobody asked
    asked[:, 4] = np.arange(n) == 5  # one person asked
    x[:, 5] = 1.0  # everyone asked right: no variance
    x[~asked] = rng.random(int((~asked).sum()))  # what the rows not asked hold is ignored
    got = items.moodle_items_asked(x, rest, asked)
    for j in range(6):
        rows = asked[:, j]
        (want,) = moodle_items(x[rows, j][:, None], np.ones(1), rest[rows, j][:, None])
        for key, value in want.items():
            assert got[j][key] == (pytest.approx(value, abs=1e-9) if value is not None else None)
    shuffled = rng.permutation(n)
    assert items.moodle_items_asked(x[shuffled], rest[shuffled], asked[shuffled]) == got
