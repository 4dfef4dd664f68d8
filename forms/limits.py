"""How big an uploaded question set may be, checked before (and right after) a loader reads it.

Workbooks are zip files whose members may unpack to far more than they weigh, and whose sheets
may declare a million rows; YAML may repeat one node through aliases until it fills memory.
These checks refuse such files with a clear error before any loader builds them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import msgspec
import yaml

from forms.errors import FormError, FormErrors
from forms.model import QuestionSet

#: Largest unpacked size of one workbook member, and of all of them together.
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 1000
#: Rows and columns a sheet may declare or use (blank rows and columns included).
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 500
#: The sheets a question set is read from; others are never opened.
USED_SHEETS = ("survey", "choices", "settings")
#: Longest text anywhere in a question set, in characters.
MAX_TEXT = 10_000
#: YAML aliases a question set may use, and the nodes it may expand to through them.
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 200_000

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]+)\"")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Za-z]+)\d*\"")
_LONG_RUN = re.compile(rb">([^<]{%d,})<" % (MAX_TEXT + 1))
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def check_workbook(data: bytes, filename: str) -> None:
    """Refuse a workbook that would unpack, or pad out, beyond what a question set needs.

    A file that is no zip at all is left for the loader to explain."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return
    with book:
        members = book.infolist()
        if len(members) > MAX_MEMBERS:
            _refuse(filename, f"the workbook holds {len(members):,} parts; {_SAVE_AGAIN}")
        total = 0
        for info in members:
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
                _refuse(
                    filename,
                    f"the workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB "
                    f"(its part {info.filename!r} alone is {info.file_size:,} bytes); "
                    f"a question set needs far less: {_SAVE_AGAIN}",
                )
        for title, member in _used_sheets(book):
            xml = book.read(member)
            _check_sheet(xml, filename, title)
            _check_cell_texts(xml, f"{filename}, sheet '{title}'")
        if "xl/sharedStrings.xml" in book.namelist():
            _check_cell_texts(book.read("xl/sharedStrings.xml"), filename)


_SAVE_AGAIN = (
    "keep only the sheets survey, choices and settings, delete blank rows and columns and "
    "very long texts, and save it again"
)


def _refuse(where: str, message: str) -> None:
    raise FormErrors([FormError(where, message)])


def _used_sheets(book: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(title, member) of each sheet a question set is read from."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return  # not a workbook the loader can read either; it says so
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    names = set(book.namelist())
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        title = sheet.get("name", "")
        if title.strip().lower() not in USED_SHEETS:
            continue
        target = targets.get(sheet.get(f"{_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member in names:
            yield title, member


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(ch) - 64
    return number


def _check_sheet(xml: bytes, filename: str, title: str) -> None:
    rows = columns = 0
    declared = _DIMENSION.search(xml)
    if declared is not None:
        last = _REF.match(declared[1].decode("ascii", "replace").rpartition(":")[2])
        if last is not None:
            columns, rows = _column_number(last[1]), int(last[2])
    rows = max([rows, *(int(r) for r in _ROW.findall(xml))])
    columns = max([columns, *(_column_number(c) for c in set(_CELL.findall(xml)))])
    if rows > MAX_SHEET_ROWS:
        _refuse(
            f"{filename}, sheet '{title}'",
            f"the sheet reaches row {rows:,}; a question set has at most {MAX_SHEET_ROWS:,} "
            "rows: delete the rows below your last question (blank or not) and save it again",
        )
    if columns > MAX_SHEET_COLUMNS:
        _refuse(
            f"{filename}, sheet '{title}'",
            f"the sheet reaches column {columns:,}; a question set has at most "
            f"{MAX_SHEET_COLUMNS} columns: delete the columns right of your last one",
        )


def _check_cell_texts(xml: bytes, where: str) -> None:
    for run in _LONG_RUN.finditer(xml):
        length = len(run[1].decode("utf-8", "replace"))
        if length > MAX_TEXT:
            _refuse(
                where,
                f"a cell holds a text of {length:,} characters; keep each under {MAX_TEXT:,}",
            )


def check_yaml_nodes(node: Any, filename: str) -> None:
    """Refuse a YAML document using many aliases, or expanding through them to a huge size
    (aliases of aliases grow exponentially: a few hundred bytes can stand for gigabytes)."""
    sizes: dict[int, int] = {}
    aliases = 0

    def size(n: Any) -> int:
        nonlocal aliases
        known = sizes.get(id(n))
        if known is not None:
            aliases += 1
            return known
        sizes[id(n)] = 1  # an alias inside the node it names: the loader reports what it finds
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in n.value)
        else:
            total = 1
        sizes[id(n)] = total
        return total

    expanded = size(node)
    if aliases > MAX_ALIASES:
        _refuse(
            filename,
            f"the document uses {aliases:,} aliases (*name); a question set may use at most "
            f"{MAX_ALIASES}: write the repeated parts out",
        )
    if aliases and expanded > MAX_EXPANDED_NODES:
        _refuse(
            filename,
            f"through its aliases (*name) the document stands for {expanded:,} values; a "
            f"question set has at most {MAX_EXPANDED_NODES:,}: write the repeated parts out",
        )


def check_texts(qs: QuestionSet, filename: str) -> None:
    """Refuse a question set with a text longer than any question needs."""
    errors = [
        FormError(
            f"{filename}, {path}" if path else filename,
            f"this text is {length:,} characters long; keep it under {MAX_TEXT:,}",
        )
        for path, length in _long_texts(msgspec.to_builtins(qs), "")
    ]
    if errors:
        raise FormErrors(errors[:20])


def _long_texts(value: object, path: str) -> Iterator[tuple[str, int]]:
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            yield path, len(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _long_texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _long_texts(item, f"{path}[{i}]")
