"""Per-question and whole-test statistics, following Moodle's quiz statistics report.

Formulas (Moodle developer docs, "Quiz statistics calculations"): with S attempts, item
scores x_i and rest-of-test scores X_i = T - x_i, variances and covariances use S - 1;
facility and SD are percents of the item's range; the discrimination index is 100 r(x_i, X_i);
discriminative efficiency is 100 C(x_i, X_i) / C_max where C_max pairs both sorted lists;
skewness and kurtosis are k-statistic ratios; CIC = 100 P/(P-1) (1 - sum V(x_i) / V(T)).

Every function first puts the rows in an order set by their values (`numbers.canonical_rows`),
so its figures do not depend on the order of the participants to the last bit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

from server.reports.numbers import canonical_rows, fraction, num, snap
from server.reports.stats import EPS, MIN_INFERENTIAL_N

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


def correct(points: Floats, maxes: Floats) -> Bools:
    """A question is correct only with full points: its share of the maximum, rounded, is 1."""
    out: Bools = fraction(points, maxes) >= 1.0
    return out


def pct_correct(ok: Bools) -> list[float | None]:
    """Percent correct per column, over every row (everyone who took the test)."""
    if not ok.shape[0]:
        return [None] * ok.shape[1]
    return [num(v) for v in 100.0 * ok.mean(axis=0)]


def _cov_cols(a: Floats, b: Floats) -> Floats:
    s = a.shape[0]
    out: Floats = np.einsum("ij,ij->j", a - a.mean(axis=0), b - b.mean(axis=0)) / (s - 1)
    return out


def moodle_items(
    points: Floats, maxes: Floats, rest: Floats | None = None, *, ordered: bool = False
) -> list[dict[str, float | None]]:
    """Facility, SD, discrimination index and discriminative efficiency per item (percent).

    `rest` is each row's rest-of-test score per item; by default the row total minus the item.
    `ordered` says the rows already are in canonical order.
    """
    s, n_items = points.shape
    if not ordered:
        order = canonical_rows(points) if rest is None else canonical_rows(points, rest)
        points = points[order]
        rest = rest[order] if rest is not None else None
    blank: dict[str, float | None] = {
        "facility": None,
        "sd": None,
        "discrimination": None,
        "discriminative_efficiency": None,
    }
    if s == 0:
        return [dict(blank) for _ in range(n_items)]
    span = np.where(maxes > 0, maxes, np.nan)
    facility = 100.0 * points.mean(axis=0) / span
    if s < 2:
        return [{**blank, "facility": num(f)} for f in facility]
    if rest is None:
        rest = points.sum(axis=1, keepdims=True) - points
    v_item = points.var(axis=0, ddof=1)
    v_rest = rest.var(axis=0, ddof=1)
    cov = _cov_cols(points, rest)
    cov_max = _cov_cols(np.sort(points, axis=0), np.sort(rest, axis=0))
    out = []
    for i in range(n_items):
        denom = v_item[i] * v_rest[i]
        out.append(
            {
                "facility": num(facility[i]),
                "sd": num(100.0 * math.sqrt(v_item[i]) / span[i]),
                "discrimination": num(100.0 * cov[i] / math.sqrt(denom)) if denom > EPS else None,
                "discriminative_efficiency": (
                    num(100.0 * cov[i] / cov_max[i]) if cov_max[i] > EPS else None
                ),
            }
        )
    return out


def moodle_items_asked(x: Floats, rest: Floats, asked: Bools) -> list[dict[str, float | None]]:
    """`moodle_items` of each column over the rows that were asked it, all columns at once.

    `x` and `rest` are item and rest-of-test scores as shares of their maxima (any value where
    not asked). Rows are first put in an order set by their values, as everywhere here.
    """
    order = canonical_rows(x, rest, asked.astype(np.float64))
    x, rest, asked = x[order], rest[order], asked[order]
    w = asked.astype(np.float64)
    s = w.sum(axis=0)
    x, rest = x * w, rest * w  # the rows not asked add nothing to any sum
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = x.sum(axis=0) / s
        mr = rest.sum(axis=0) / s
        dx, dr = (x - mx) * w, (rest - mr) * w
        v_item = np.einsum("ij,ij->j", dx, dx) / (s - 1)
        v_rest = np.einsum("ij,ij->j", dr, dr) / (s - 1)
        cov = np.einsum("ij,ij->j", dx, dr) / (s - 1)
        # C_max pairs both sorted lists of the askers; the others sort last, as NaN.
        first = np.arange(x.shape[0])[:, None] < s
        sx = np.sort(np.where(asked, x, np.nan), axis=0) - mx
        sr = np.sort(np.where(asked, rest, np.nan), axis=0) - mr
        cov_max = np.einsum("ij,ij->j", np.where(first, sx, 0.0), np.where(first, sr, 0.0))
        cov_max /= s - 1
    out: list[dict[str, float | None]] = []
    for j in range(x.shape[1]):
        fig: dict[str, float | None] = dict.fromkeys(
            ("facility", "sd", "discrimination", "discriminative_efficiency")
        )
        if s[j] >= 1:
            fig["facility"] = num(100.0 * mx[j])
        if s[j] >= 2:
            denom = v_item[j] * v_rest[j]
            fig["sd"] = num(100.0 * math.sqrt(v_item[j]))
            fig["discrimination"] = num(100.0 * cov[j] / math.sqrt(denom)) if denom > EPS else None
            eff = cov_max[j] > EPS
            fig["discriminative_efficiency"] = num(100.0 * cov[j] / cov_max[j]) if eff else None
        out.append(fig)
    return out


def score_stats(scores: Floats) -> dict[str, Any]:
    """Mean, median, SD, skewness and kurtosis (k-statistics) of percent scores, as Moodle."""
    s = scores.shape[0]
    out: dict[str, Any] = {
        "n": int(s),
        "mean": None,
        "median": None,
        "sd": None,
        "skewness": None,
        "kurtosis": None,
        "cic": None,
        "error_ratio": None,
        "standard_error": None,
    }
    if s == 0:
        return out
    scores = np.sort(snap(scores))
    out["mean"] = num(scores.mean())
    out["median"] = num(np.median(scores))
    if s < 2:
        return out
    k2 = float(scores.var(ddof=1))
    out["sd"] = num(math.sqrt(k2))
    if k2 <= EPS:
        return out
    dev = scores - scores.mean()
    m2, m3, m4 = (float(np.mean(dev**k)) for k in (2, 3, 4))
    if s >= 3:
        k3 = s * s / ((s - 1) * (s - 2)) * m3
        out["skewness"] = num(k3 / k2**1.5)
    if s >= 4:
        k4 = s * s / ((s - 1) * (s - 2) * (s - 3)) * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2)
        out["kurtosis"] = num(k4 / (k2 * k2))
    return out


def test_stats(points: Floats, maxes: Floats, *, ordered: bool = False) -> dict[str, Any]:
    """Moodle's test statistics for one test; scores as percents of the maximum. `ordered`
    says the rows already are in canonical order."""
    s, n_items = points.shape
    total_max = float(maxes.sum())
    if s == 0 or total_max <= 0:
        return score_stats(np.zeros(0))
    if not ordered:
        points = points[canonical_rows(points)]
    totals = points.sum(axis=1)
    out = score_stats(100.0 * totals / total_max)
    sd = out["sd"]
    if sd is None or sd * sd <= EPS:
        return out
    v_total = float(totals.var(ddof=1))
    if n_items >= 2 and v_total > EPS:
        v_items = float(points.var(axis=0, ddof=1).sum())
        cic = 100.0 * n_items / (n_items - 1) * (1.0 - v_items / v_total)
        out["cic"] = num(cic)
        if cic <= 100.0:
            er = 100.0 * math.sqrt(1.0 - cic / 100.0)
            out["error_ratio"] = num(er)
            out["standard_error"] = num(er * sd / 100.0)
    return out


def mcnemar(pre_ok: Bools, post_ok: Bools, asked: Bools | None = None) -> list[dict[str, Any]]:
    """Per item among the matched: b (wrong to right), c (right to wrong) and the exact p.

    `asked` (same shape) keeps only the pairs who were asked the item on both tests.
    """
    if asked is None:
        n = np.full(pre_ok.shape[1], pre_ok.shape[0])
        b = np.count_nonzero(~pre_ok & post_ok, axis=0)
        c = np.count_nonzero(pre_ok & ~post_ok, axis=0)
    else:
        n = np.count_nonzero(asked, axis=0)
        b = np.count_nonzero(~pre_ok & post_ok & asked, axis=0)
        c = np.count_nonzero(pre_ok & ~post_ok & asked, axis=0)
    # The exact test is binomtest(b, b + c, 0.5); with p = 0.5 the distribution is symmetric,
    # so its two-sided p is twice the smaller tail, computed here for all items at once.
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.minimum(1.0, 2.0 * sps.binom.cdf(np.minimum(b, c), b + c, 0.5))
    out = []
    for ni, bi, ci, pi in zip(n.tolist(), b.tolist(), c.tolist(), p.tolist(), strict=True):
        ok = ni >= MIN_INFERENTIAL_N and bi + ci > 0
        out.append({"mcnemar_b": bi, "mcnemar_c": ci, "mcnemar_p": num(pi) if ok else None})
    return out
