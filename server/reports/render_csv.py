"""CSV: one table per file, UTF-8 with a BOM (so Excel reads Arabic), formula-injection safe."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from server.reports.tables import Table

#: A text cell starting with one of these is run as a formula by spreadsheet programs (the
#: full-width forms too: Excel and LibreOffice read them as their ASCII twins).
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Invisible or blank characters a spreadsheet skips before looking for a formula.
_SKIPPED = (
    "".join(chr(c) for c in range(0x2000, 0x200C))
    + " \u00a0\u200c\u200d\u200e\u200f\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\x0b\x0c"
)


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would otherwise treat as a formula, also when
    blanks, a byte order mark or zero-width characters come before the formula character."""
    return "'" + text if text.lstrip(_SKIPPED).startswith(DANGEROUS_START) else text


def cell(value: Any) -> str:
    """One CSV cell: numbers to 6 significant digits, booleans as yes/no, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else ""
    return neutralise(str(value))


def render_csv(table: Table) -> bytes:
    """The table as CSV bytes, header first."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(c.heading) for c in table.columns])
    for row in table.rows:
        writer.writerow([cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
