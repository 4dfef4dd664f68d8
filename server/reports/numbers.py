"""Small helpers that turn numpy results into JSON-safe Python numbers, and keep float noise
out of every rank, comparison and equality a report makes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]

#: Decimals a percent keeps before it is ranked, compared or tested for equality. Float noise
#: (about 1e-13 of a point: 49.99999999999999 for 50) goes; every real difference between two
#: scores stays, since the smallest is a share of one question's points, far above 1e-9 of a
#: point for any test a person can take.
PERCENT_DECIMALS = 9
#: The same for a share of one question's points (0 to 1), such as partial credit.
FRACTION_DECIMALS = 11


def snap(values: ArrayLike, decimals: int = PERCENT_DECIMALS) -> Floats:
    """`values` rounded to `decimals`, so equal-on-paper scores are equal floats (-0.0 is 0.0)."""
    out: Floats = np.asarray(values, dtype=np.float64).round(decimals)
    out += 0.0
    return out


def snap_one(value: float | None) -> float | None:
    """One percent rounded as `snap` does; None stays None."""
    return None if value is None else float(snap(value))


def fraction(points: Floats, maxes: Floats | float) -> Floats:
    """Each score as a share of its maximum, rounded as `snap` does (NaN where the maximum is 0)."""
    top = np.asarray(maxes, dtype=np.float64)
    if bool(np.all(top > 0)):
        return snap(points / top, FRACTION_DECIMALS)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(top > 0, points / np.where(top > 0, top, 1.0), np.nan)
    return snap(shares, FRACTION_DECIMALS)


def mean(values: Floats) -> float | None:
    """The mean of the values taken in sorted order: the same whatever order they came in."""
    return num(np.sort(values).mean()) if values.size else None


def canonical_rows(*columns: Floats) -> NDArray[np.intp]:
    """An order of the rows that depends only on their values, not on how they came: figures
    computed in that order are the same to the last bit whatever the order of participants.

    `columns` are 1-D or 2-D arrays of snapped values (no NaN, no -0.0), side by side. Rows are
    sorted by their bytes, one comparison per row; equal rows are interchangeable.
    """
    table = np.column_stack(columns) if len(columns) > 1 else np.atleast_2d(columns[0].T).T
    table = np.ascontiguousarray(table, dtype=np.float64)
    if not table.size:
        return np.arange(table.shape[0], dtype=np.intp)
    rows = table.view(np.dtype((np.void, table.itemsize * table.shape[1]))).ravel()
    order: NDArray[np.intp] = np.argsort(rows, kind="stable")
    return order


def num(x: Any) -> float | None:
    """A finite Python float, or None for NaN, infinity or None."""
    if x is None:
        return None
    f = float(x)
    return f if math.isfinite(f) else None


def pct(part: float, whole: float) -> float | None:
    """`part` as a percent of `whole`, None when `whole` is zero."""
    return num(100.0 * part / whole) if whole else None


def scrub(value: Any) -> Any:
    """Walk a report and replace any non-finite float by None, so no person ever sees NaN."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value
