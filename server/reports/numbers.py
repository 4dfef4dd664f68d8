"""Small helpers that turn numpy results into JSON-safe Python numbers."""

from __future__ import annotations

import math
from typing import Any


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
