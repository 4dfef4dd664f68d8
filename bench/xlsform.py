"""Benchmark: checking each real workbook of the XLSForm corpus (tests/data/xlsforms/).

A workbook must check in under 2 s, as `tadrib forms check` does it: read, map, validate. Prints
each workbook's best time of three and the slowest against the limit; fails above it.
Run: `.venv/bin/python bench/xlsform.py`.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forms.errors import FormErrors
from forms.loaders import load_bytes

LIMIT_SECONDS = 2.0
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "xlsforms"


def check_seconds(data: bytes, name: str) -> float:
    """The best of three checks of one workbook."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with contextlib.suppress(FormErrors):  # a refused workbook is checked all the same
            load_bytes(data, name)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    times = {p.name: check_seconds(p.read_bytes(), p.name) for p in sorted(CORPUS.glob("*.xlsx"))}
    for name, seconds in sorted(times.items(), key=lambda item: item[1])[-5:]:
        print(f"{seconds:7.3f} s  {name}")
    name, slowest = max(times.items(), key=lambda item: item[1])
    ratio = slowest / LIMIT_SECONDS
    print(
        f"xlsform: {len(times)} workbooks; slowest {name} {slowest:.3f} s, "
        f"{ratio:.2f} x the {LIMIT_SECONDS:.0f} s limit"
    )
    return 0 if ratio <= 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
