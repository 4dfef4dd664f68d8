"""Problems and warnings found in a workbook, grouped so that one cause gives one message.

A workbook with two hundred image questions gets one message naming the feature and listing its
rows, not two hundred; each message still names its sheet, its rows as Excel shows them (header
= 1) and, where it helps, the column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.errors import FormError

#: How many rows a grouped message lists before it says how many more there are.
_SHOWN_ROWS = 5


@dataclass
class Findings:
    """Messages keyed by (sheet, column, message), each with the rows it was found on."""

    filename: str
    sheet_order: list[str] = field(default_factory=list)
    _rows: dict[tuple[str, str | None, str], list[int]] = field(default_factory=dict)

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        rows = self._rows.setdefault((sheet, column, message), [])
        if row is not None and row not in rows:
            rows.append(row)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def __len__(self) -> int:
        """How many (message, row) findings there are; grows with every new one."""
        return sum(max(1, len(rows)) for rows in self._rows.values())

    def errors(self) -> list[FormError]:
        """One FormError per message, by sheet, then by first row."""
        ordered = sorted(self._rows.items(), key=self._rank)
        return [
            FormError(place(self.filename, sheet, rows, column), message)
            for (sheet, column, message), rows in ordered
        ]

    def _rank(self, item: tuple[tuple[str, str | None, str], list[int]]) -> tuple[int, int]:
        (sheet, _, _), rows = item
        known = self.sheet_order
        return (known.index(sheet) if sheet in known else len(known), min(rows, default=0))


def place(filename: str, sheet: str, rows: list[int], column: str | None = None) -> str:
    """ "form.xlsx, sheet 'survey', rows 4, 9 and 12, column 'type'", as far as it is known."""
    parts = [filename, f"sheet '{sheet}'"]
    if len(rows) == 1:
        parts.append(f"row {rows[0]}")
    elif rows:
        shown = [str(r) for r in sorted(rows)[:_SHOWN_ROWS]]
        more = len(rows) - len(shown)
        listed = ", ".join(shown) + (f" and {more} more" if more else "")
        if not more:
            listed = ", ".join(shown[:-1]) + f" and {shown[-1]}"
        parts.append(f"rows {listed}")
    if column:
        parts.append(f"column '{column}'")
    return ", ".join(parts)
