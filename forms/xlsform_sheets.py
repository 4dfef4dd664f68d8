"""An XLSForm workbook read into sheets of located rows, and what a cell's text means.

Nothing here knows what a question is: a sheet is its header and its non-blank rows, each cell as
text keyed by its column and placed by its Excel row, so that every error can name where it is.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import openpyxl

from forms.errors import FormError, FormErrors
from forms.limits import USED_SHEETS
from forms.validate import LANGUAGE_CODES

MAX_ROWS = 5000

#: Other names XLSForm accepts for a column.
ALIASES = {"relevance": "relevant", "calculate": "calculation", "jr:count": "repeat_count"}
_TRUE = frozenset({"yes", "true", "1", "y", "true()"})
_FALSE = frozenset({"no", "false", "0", "n", "false()"})
#: Language names authors write instead of codes (in English, French and their own language).
_LANGUAGE_NAMES = {
    "english": "en", "anglais": "en", "french": "fr", "français": "fr", "francais": "fr",
    "arabic": "ar", "arabe": "ar", "العربية": "ar", "عربي": "ar", "spanish": "es",
    "español": "es", "espagnol": "es", "portuguese": "pt", "português": "pt", "german": "de",
    "deutsch": "de", "italian": "it", "russian": "ru", "turkish": "tr", "persian": "fa",
    "farsi": "fa", "dari": "prs", "pashto": "ps", "urdu": "ur", "hausa": "ha", "swahili": "sw",
    "amharic": "am", "somali": "so", "tigrinya": "ti", "chinese": "zh", "dutch": "nl",
    "wolof": "wo", "bambara": "bm", "tamazight": "zgh", "kurdish": "ku",
}  # fmt: skip


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    base: str
    lang: str | None

    @property
    def key(self) -> str:
        """What a row's values are keyed by: "type", "label::French (fr)" (case as written)."""
        return self.base if self.lang is None else f"{self.base}::{self.lang}"


@dataclass
class Row:
    number: int
    values: dict[str, str]

    def get(self, header: str) -> str:
        return self.values.get(header, "")


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    too_long: bool = False


def read_workbook(data: bytes, filename: str) -> dict[str, Sheet]:
    """Every sheet of the workbook in `data`, by its title in lower case; FormErrors if it is not
    a workbook."""
    try:
        with warnings.catch_warnings():
            # openpyxl drops what it cannot read (data validation extensions, ...) with a
            # warning; none of it matters to a form.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\..*)?")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        message = "cannot read this file as an Excel workbook; save it as .xlsx (Excel Workbook)"
        raise FormErrors([FormError(filename, message)]) from None
    try:
        names = {ws.title.strip().lower(): ws for ws in book.worksheets}
        return {name: _read_sheet(ws) for name, ws in names.items() if name in USED_SHEETS}
    finally:
        book.close()


def _read_sheet(ws: Any) -> Sheet:
    """The header (row 1) and the non-blank rows, each cell as text keyed by its header."""
    rows = ws.iter_rows(min_row=1)
    columns = []
    for index, cell in enumerate(next(rows, ())):
        if header := _cell_text(cell):
            base, _, lang = header.partition("::")
            base = "_".join(base.lower().split())
            columns.append(Column(index, header, ALIASES.get(base, base), lang.strip() or None))
    sheet = Sheet(ws.title, columns)
    for number, cells in enumerate(rows, start=2):
        values = {c.key: _cell_text(cells[c.index]) for c in columns if c.index < len(cells)}
        if values := {k: v for k, v in values.items() if v}:
            if len(sheet.rows) == MAX_ROWS:
                sheet.too_long = True
                break
            sheet.rows.append(Row(number, values))
    return sheet


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if "%" in str(getattr(cell, "number_format", "")):  # a 70% cell holds 0.7
            value = round(value * 100, 9)
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def language(spec: str) -> str | None:
    """The code in a column's language part: "French (fr)", "fr" or "French" give fr."""
    found = re.fullmatch(r".*\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*\)", spec.strip())
    if found:
        return found[1].lower()
    low = spec.strip().lower()
    primary = re.split(r"[-_]", low)[0]
    return primary if primary in LANGUAGE_CODES else _LANGUAGE_NAMES.get(low)


def language_name(code: str, names: dict[str, str]) -> str:
    """A language as the author wrote it (`names`): "French (fr)", or a code, or a name with its
    code."""
    name = names.get(code, code)
    return name if name == code or name.endswith(f"({code})") else f"{name} ({code})"


def cell_flag(value: str) -> bool | None:
    """True or False for a yes/no cell, None when it is neither."""
    low = value.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


def cell_number(value: str) -> float | None:
    text = value.strip().replace(" ", "")
    if re.fullmatch(r"-?\d+,\d+", text):  # a decimal comma, typed as text
        text = text.replace(",", ".")
    try:
        found = float(text)
    except ValueError:
        return None
    return found if math.isfinite(found) else None
