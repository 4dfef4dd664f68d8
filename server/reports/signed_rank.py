"""Wilcoxon's signed-rank test, two-sided, with zero changes dropped ('wilcox').

It gives the p of `scipy.stats.wilcoxon(changes[changes != 0])` (method 'auto') without
scipy's per-call input checking, which cost more than the test in a programme view of
thousands of groups. The choice of distribution follows scipy's rule:

- at most 50 changes and no ties: the exact distribution of the rank sum;
- ties among at most 13 changes: all 2**n sign permutations of the ranks;
- else: the normal approximation with the tie correction (no continuity correction: scipy's
  default).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import special

#: Largest number of changes with an exact p when no ties remain (scipy's rule).
EXACT_MAX_N = 50
#: Largest number of tied changes whose p comes from every sign permutation (2**13 < 9999,
#: scipy's default number of resamples, so its permutation test enumerates them all).
PERMUTATION_MAX_N = 13


def signed_rank_p(changes: NDArray[np.float64]) -> float:
    """Two-sided p for the changes (zeros are dropped); NaN when none are left."""
    d = changes[changes != 0]
    n = int(d.size)
    if n == 0:
        return float("nan")
    ranks, tie_sizes = _average_ranks(np.abs(d))
    r_plus = float(ranks[d > 0].sum())
    ties = bool(np.any(tie_sizes > 1))
    if n <= EXACT_MAX_N and not ties:
        return _exact_p(int(r_plus), n)
    if n <= PERMUTATION_MAX_N:
        return _permutation_p(r_plus, ranks)
    return _normal_p(r_plus, n, tie_sizes)


def _average_ranks(a: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Ranks 1..n with tied values sharing their average rank, and the size of each tie."""
    order = np.argsort(a, kind="mergesort")
    sorted_a = a[order]
    first = np.empty(a.size, dtype=bool)  # where each run of equal values begins
    first[0] = True
    np.not_equal(sorted_a[1:], sorted_a[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    sizes = np.empty_like(starts)
    sizes[:-1] = starts[1:] - starts[:-1]
    sizes[-1] = a.size - starts[-1]
    average = starts + (sizes + 1) / 2.0  # first rank of each tie is starts + 1
    ranks = np.empty(a.size, dtype=np.float64)
    ranks[order] = np.repeat(average, sizes)
    return ranks, sizes


@lru_cache(maxsize=EXACT_MAX_N)
def _rank_sum_pmf(n: int) -> NDArray[np.float64]:
    """P(rank sum of the positive changes = k), k = 0..n(n+1)/2, without ties.

    Built one rank at a time: rank k is positive or negative with probability 1/2 each, in
    the order of operations scipy uses, so the probabilities are the same floats.
    """
    c = np.ones(1, dtype=np.float64)
    for k in range(1, n + 1):
        prev = c
        c = np.zeros(k * (k + 1) // 2 + 1, dtype=np.float64)
        m = prev.size
        c[:m] = prev * 0.5
        c[-m:] += prev * 0.5
    c.setflags(write=False)
    return c


def _exact_p(r_plus: int, n: int) -> float:
    pmf = _rank_sum_pmf(n)
    middle = n * (n + 1) / 4
    # Each tail is summed directly on its own side of the middle and as 1 - the other side
    # beyond it, as scipy does, so the p is the same float.
    cdf = pmf[: r_plus + 1].sum() if r_plus <= middle else 1 - pmf[r_plus + 1 :].sum()
    sf = pmf[r_plus:].sum() if r_plus <= middle else 1 - pmf[:r_plus].sum()
    return float(min(2 * min(sf, cdf), 1.0))


def _permutation_p(r_plus: float, ranks: NDArray[np.float64]) -> float:
    """Share of all sign permutations with a rank sum as far from the middle, both sides."""
    n = ranks.size
    signs = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    null = signs @ ranks  # rank sums are multiples of 1/2: exact in floats
    gamma = abs(np.finfo(np.float64).eps * 100 * r_plus)  # scipy's tolerance for equal sums
    less = np.count_nonzero(null <= r_plus + gamma) / null.size
    greater = np.count_nonzero(null >= r_plus - gamma) / null.size
    return float(min(min(less, greater) * 2, 1.0))


def _normal_p(r_plus: float, n: int, tie_sizes: NDArray[np.int64]) -> float:
    middle = n * (n + 1) * 0.25
    tie_correction = float(np.sum(tie_sizes.astype(np.float64) ** 3 - tie_sizes))
    se = np.sqrt((n * (n + 1.0) * (2.0 * n + 1.0) - tie_correction / 2) / 24)
    z = (r_plus - middle) / se
    return float(2 * special.ndtr(-abs(z)))
