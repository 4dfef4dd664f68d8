"""An XLSForm workbook read by pyxform, and what a cell's text means.

Nothing here knows what a question is: pyxform reads each sheet into rows (blank rows kept, so a
row's index gives its Excel row), and the cells openpyxl could not give a value for are found.
"""

from __future__ import annotations

import io
import math
import re
import warnings
import zipfile

from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from forms.errors import FormError, FormErrors
from forms.validate import LANGUAGE_CODES

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


def read_definition(data: bytes, filename: str) -> DefinitionData:
    """The workbook's sheets as pyxform reads them; FormErrors if it is not a workbook."""
    try:
        with warnings.catch_warnings():
            # openpyxl drops what it cannot read (data validation extensions, ...) with a
            # warning; none of it matters to a form.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\..*)?")
            return get_xlsform(io.BytesIO(data), file_type=".xlsx")
    except PyXFormError as exc:
        if not str(exc).startswith("Argument 'definition'"):
            raise FormErrors([FormError(filename, str(exc))]) from None
        message = "cannot read this file as an Excel workbook; save it as .xlsx (Excel Workbook)"
        raise FormErrors([FormError(filename, message)]) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        message = "cannot read this file as an Excel workbook; save it as .xlsx (Excel Workbook)"
        raise FormErrors([FormError(filename, message)]) from None


_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_RELREV = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def unsaved_formulas(data: bytes) -> list[tuple[str, int, str, str]]:
    """Cells holding a formula whose value was never saved: (sheet, row, column letter, formula).

    openpyxl reads such a cell as empty (only a spreadsheet program computes formulas), so the
    reader would see a blank where the author sees text.
    """
    found: list[tuple[str, int, str, str]] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            names = set(book.namelist())
            rels_xml = book.read("xl/_rels/workbook.xml.rels")
            targets = {k: v for k, v in _REL.findall(rels_xml)}
            targets |= {k: v for v, k in _RELREV.findall(rels_xml)}
            for title, rid in _SHEET.findall(book.read("xl/workbook.xml")):
                target = targets.get(rid, b"").decode().lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                if path not in names:
                    continue
                sheet = book.read(path)
                if b"<f" not in sheet:
                    continue
                for column, row, inner in _CELL.findall(sheet):
                    if b"<f" in inner and not re.search(rb"<v>[^<]", inner):
                        formula = re.search(rb"<f[^>]*>(.*?)</f>", inner, re.S)
                        text = formula[1].decode(errors="replace") if formula else ""
                        name = title.decode(errors="replace")
                        found.append((_unescape(name), int(row), column.decode(), _unescape(text)))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return []
    return found


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&apos;", "'").replace("&amp;", "&")
    )  # fmt: skip


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
