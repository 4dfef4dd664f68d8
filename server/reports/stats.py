"""Paired pre/post statistics for one group of matched participants (percent scores)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

from server.reports.numbers import num, pct

#: Below this many matched participants only counts and means are reported.
MIN_INFERENTIAL_N = 5
#: Scores are compared with this slack so that 99.99999 from float sums counts as 100.
EPS = 1e-9
#: How the Wilcoxon signed-rank test treats zero differences (stated in the methods note).
WILCOXON_ZERO_METHOD = "wilcox"

Floats = NDArray[np.float64]

INFERENTIAL_KEYS = ("ci95", "t", "df", "p", "wilcoxon_p", "cohen_dz")


def _mean(x: Floats) -> float | None:
    return num(x.mean()) if x.size else None


def _pass_pct(x: Floats, mark: float | None) -> float | None:
    if mark is None or not x.size:
        return None
    return pct(float(np.count_nonzero(x >= mark - EPS)), x.size)


def paired(
    pre: Floats,
    post: Floats,
    *,
    pass_mark_pre: float | None = None,
    pass_mark_post: float | None = None,
) -> dict[str, Any]:
    """The group figures of docs/api.md for matched pre/post percent scores (paired by index)."""
    n = int(pre.size)
    diff = post - pre
    pre_mean, post_mean = _mean(pre), _mean(post)
    out: dict[str, Any] = {
        "n_matched": n,
        "pre_mean": pre_mean,
        "post_mean": post_mean,
        "mean_change": _mean(diff),
        "sd_change": num(diff.std(ddof=1)) if n >= 2 else None,
        "pct_improved": pct(float(np.count_nonzero(diff > EPS)), n) if n else None,
        "pct_same": pct(float(np.count_nonzero(np.abs(diff) <= EPS)), n) if n else None,
        "pct_declined": pct(float(np.count_nonzero(diff < -EPS)), n) if n else None,
        "pct_pass_pre": _pass_pct(pre, pass_mark_pre),
        "pct_pass_post": _pass_pct(post, pass_mark_post),
        "hake_g": None,
        "g_avg": None,
        "g_avg_n": 0,
        "g_avg_excluded": 0,
    }
    if pre_mean is not None and post_mean is not None and pre_mean < 100.0 - EPS:
        out["hake_g"] = num((post_mean - pre_mean) / (100.0 - pre_mean))
    room = pre < 100.0 - EPS
    out["g_avg_excluded"] = int(n - np.count_nonzero(room))
    if room.any():
        gains = diff[room] / (100.0 - pre[room])
        out["g_avg_n"] = int(gains.size)
        out["g_avg"] = num(gains.mean())
    out.update(inferential(pre, post))
    return out


def inferential(pre: Floats, post: Floats) -> dict[str, Any]:
    """Paired t-test, Wilcoxon, CI and d_z; all None when n < 5 or the changes have no variance."""
    none: dict[str, Any] = dict.fromkeys(INFERENTIAL_KEYS)
    diff = post - pre
    n = int(diff.size)
    if n < MIN_INFERENTIAL_N:
        return none
    sd = float(diff.std(ddof=1))
    if not math.isfinite(sd) or sd <= EPS:
        return none
    mean = float(diff.mean())
    se = sd / math.sqrt(n)
    half = float(sps.t.ppf(0.975, n - 1)) * se
    test = sps.ttest_rel(post, pre)
    nonzero = diff[np.abs(diff) > EPS]
    wilcoxon_p = None
    if nonzero.size:
        res = sps.wilcoxon(nonzero, zero_method=WILCOXON_ZERO_METHOD)
        wilcoxon_p = num(res.pvalue)
    return {
        "ci95": [num(mean - half), num(mean + half)],
        "t": num(test.statistic),
        "df": n - 1,
        "p": num(test.pvalue),
        "wilcoxon_p": wilcoxon_p,
        "cohen_dz": num(mean / sd),
    }


def descriptive(x: Floats) -> dict[str, Any]:
    """Unpaired mean and count of everyone who took one test (not only the matched)."""
    return {"n": int(x.size), "mean": _mean(x)}
