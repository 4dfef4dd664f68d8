"""Paired pre/post statistics for one group of matched participants (percent scores).

Scores are rounded to `numbers.PERCENT_DECIMALS` and put in an order set by their values
before anything is computed: two changes equal on paper are then equal floats (tied in the
Wilcoxon ranks, both "improved" or neither), a pass mark is met exactly at the mark, and no
figure depends on the order of the participants or on the scale of the questions' points.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from server.reports.numbers import mean, num, pct, snap
from server.reports.signed_rank import signed_rank_p

#: Below this many matched participants only counts and means are reported.
MIN_INFERENTIAL_N = 5
#: Variances and covariances at or below this are taken as none (statistics of percents).
EPS = 1e-9
#: How the Wilcoxon signed-rank test treats zero differences (stated in the methods note):
#: Wilcoxon's own method, zero differences dropped before ranking.
WILCOXON_ZERO_METHOD = "wilcox"

Floats = NDArray[np.float64]

INFERENTIAL_KEYS = ("ci95", "t", "df", "p", "wilcoxon_p", "cohen_dz")


def _mean(x: Floats) -> float | None:
    """The mean of values already in canonical order."""
    return num(x.mean()) if x.size else None


def _pass_pct(x: Floats, mark: float | None) -> float | None:
    if mark is None or not x.size:
        return None
    return pct(float(np.count_nonzero(x >= mark)), x.size)


def _pairs(pre: Floats, post: Floats) -> tuple[Floats, Floats, Floats]:
    """Snapped scores in their canonical order, and the snapped changes."""
    pre, post = snap(pre), snap(post)
    order = np.lexsort((post, pre))  # by value: canonical, whatever order the people came in
    pre, post = pre[order], post[order]
    return pre, post, snap(post - pre)


def paired(
    pre: Floats,
    post: Floats,
    *,
    pass_mark_pre: float | None = None,
    pass_mark_post: float | None = None,
) -> dict[str, Any]:
    """The group figures of docs/api.md for matched pre/post percent scores (paired by index)."""
    n = int(pre.size)
    pre, post, diff = _pairs(pre, post)
    pre_mean, post_mean = _mean(pre), _mean(post)
    out: dict[str, Any] = {
        "n_matched": n,
        "pre_mean": pre_mean,
        "post_mean": post_mean,
        "mean_change": _mean(diff),
        "sd_change": num(diff.std(ddof=1)) if n >= 2 else None,
        "pct_improved": pct(float(np.count_nonzero(diff > 0)), n) if n else None,
        "pct_same": pct(float(np.count_nonzero(diff == 0)), n) if n else None,
        "pct_declined": pct(float(np.count_nonzero(diff < 0)), n) if n else None,
        "pct_pass_pre": _pass_pct(pre, pass_mark_pre),
        "pct_pass_post": _pass_pct(post, pass_mark_post),
        "hake_g": None,
        "g_avg": None,
        "g_avg_n": 0,
        "g_avg_excluded": 0,
    }
    if pre_mean is not None and post_mean is not None and pre_mean < 100.0:
        out["hake_g"] = num((post_mean - pre_mean) / (100.0 - pre_mean))
    room = pre < 100.0
    out["g_avg_excluded"] = int(n - np.count_nonzero(room))
    if room.any():
        gains = diff[room] / (100.0 - pre[room])
        out["g_avg_n"] = int(gains.size)
        out["g_avg"] = _mean(gains)
    out.update(_inferential(pre, post, diff))
    return out


def inferential(pre: Floats, post: Floats) -> dict[str, Any]:
    """Paired t-test, Wilcoxon, CI and d_z; all None when n < 5 or the changes have no variance."""
    return _inferential(*_pairs(pre, post))


def _inferential(pre: Floats, post: Floats, diff: Floats) -> dict[str, Any]:
    none: dict[str, Any] = dict.fromkeys(INFERENTIAL_KEYS)
    n = int(diff.size)
    if n < MIN_INFERENTIAL_N or bool(np.all(diff == diff[0])):
        return none
    sd = float(diff.std(ddof=1))
    if not math.isfinite(sd):
        return none
    change = float(diff.mean())  # `diff` is in canonical order
    se = sd / math.sqrt(n)
    # scipy.special rather than scipy.stats: the same functions scipy.stats.t and
    # ttest_1samp call, without their per-call input checks (thousands of groups per view).
    half = float(special.stdtrit(n - 1, 0.975)) * se
    t = change / se  # the paired t-test on the snapped changes
    p = 2 * float(special.stdtr(n - 1, -abs(t)))
    # Zero changes are dropped, as the 'wilcox' method says, so the exact distribution is
    # used whenever the remaining changes have no ties.
    wilcoxon_p = signed_rank_p(diff)
    return {
        "ci95": [num(change - half), num(change + half)],
        "t": num(t),
        "df": n - 1,
        "p": num(p),
        "wilcoxon_p": num(wilcoxon_p) if math.isfinite(wilcoxon_p) else None,
        "cohen_dz": num(change / sd),
    }


def descriptive(x: Floats) -> dict[str, Any]:
    """Unpaired mean and count of everyone who took one test (not only the matched)."""
    return {"n": int(x.size), "mean": mean(snap(x))}
