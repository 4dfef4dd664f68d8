"""Loads question sets from YAML, JSON or XLSForm, reporting every error with its place."""

from __future__ import annotations

import codecs
import difflib
import os
import re
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
import yaml

from forms.errors import FormError, FormErrors
from forms.limits import check_texts, check_workbook, check_yaml_nodes
from forms.model import QuestionSet
from forms.validate import validate

_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")

#: How msgspec's type names read to an author.
_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true/false",
    "null": "nothing",
    "object": "a mapping (key: value)",
    "array": "a list",
    "date": "a date",
    "datetime": "a date and time",
}
_QUOTE_HINTS = {
    "bool": "; unquoted yes/no/on/off/true/false are read as true/false, so put it in quotes",
    "int": "; unquoted digits are read as a number, so put it in quotes",
    "float": '; unquoted digits are read as a number, so put it in quotes (e.g. "2019.10")',
    "date": "; unquoted 2019-01-07 is read as a date, so put it in quotes",
    "datetime": "; put it in quotes",
}


def load_path(path: str | os.PathLike[str]) -> QuestionSet:
    """Load the question set in a .yaml, .yml, .json or .xlsx file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormErrors([FormError(str(path), f"cannot read the file: {exc.strerror}")]) from None
    return load_bytes(data, str(path))


@contextmanager
def readable(where: str) -> Iterator[None]:
    """Turn a document nested too deeply, or not in UTF-8, into an error placed at `where`
    (the parsers raise RecursionError and UnicodeDecodeError for those)."""
    try:
        yield
    except RecursionError as exc:
        message = "The document is nested too deeply to be a question set."
        raise FormErrors([FormError(where, message)]) from exc
    except UnicodeDecodeError as exc:
        message = (
            f"The document is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and send "
            "it again."
        )
        raise FormErrors([FormError(where, message)]) from exc


def load_bytes(data: bytes, filename: str) -> QuestionSet:
    """Load a question set from a file's bytes; the extension of `filename` says the format."""
    with readable(filename):
        qs = _load_bytes(data, filename)
    check_texts(qs, filename)
    return qs


def _load_bytes(data: bytes, filename: str) -> QuestionSet:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        from forms.xlsform import load_xlsform

        check_workbook(data, filename)
        qs: QuestionSet = load_xlsform(data, filename)
        return qs
    if suffix in (".yaml", ".yml"):
        return _load_yaml(data, filename)
    if suffix == ".json":
        return _load_json(data, filename)
    message = f"unsupported file type {suffix or '(none)'!r}; use .yaml, .yml, .json or .xlsx"
    raise FormErrors([FormError(filename, message)])


def load_obj(obj: object, where: str) -> QuestionSet:
    """Load a question set from already decoded JSON (e.g. a request body); `where` names it."""
    with readable(where):
        return _build(obj, _Source(where))


class _Source:
    """Where a document came from, and how to find the line of a path in it."""

    def __init__(self, name: str, compose: Callable[[], Any] | None = None) -> None:
        self.name = name
        self._compose = compose
        self._root: Any = None

    @property
    def root(self) -> Any:
        """The document's YAML node tree (JSON parses as YAML too), or None when unavailable."""
        if self._compose is not None:
            compose, self._compose = self._compose, None
            try:
                self._root = compose()
            except yaml.YAMLError:
                self._root = None
        return self._root

    def error(self, path: str, message: str, line: int | None = None) -> FormError:
        line = line if line is not None else _line_of(self.root, path)
        parts = [self.name, f"line {line}" if line else "", path]
        return FormError(", ".join(p for p in parts if p), message)


def _load_yaml(data: bytes, filename: str) -> QuestionSet:
    loader = _YamlLoader(data)
    try:
        node = loader.get_single_node()
        if node is not None:
            check_yaml_nodes(node, filename)
        raw = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise FormErrors([_yaml_error(exc, filename)]) from None
    finally:
        loader.dispose()
    return _build(raw, _Source(filename, lambda: node))


def _load_json(data: bytes, filename: str) -> QuestionSet:
    # Editors on Windows like to start files with a byte order mark; JSON parsers do not.
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise FormErrors([_json_error(exc, data, filename)]) from None
    return _build(raw, _Source(filename, lambda: yaml.compose(_as_yaml(data), _YamlLoader)))


def _as_yaml(data: bytes) -> bytes:
    """The JSON made readable to PyYAML, lines unchanged: it chokes on escaped surrogate pairs,
    and its pure-Python scanner on tabs."""
    return _SURROGATE.sub(rb"\\u0020", data.replace(b"\t", b" "))


def _yaml_error(exc: yaml.YAMLError, filename: str) -> FormError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return FormError(filename, message)
    return FormError(
        f"{filename}, line {mark.line + 1}", f"{message} at column {mark.column + 1}; fix it there"
    )


def _json_error(exc: msgspec.DecodeError, data: bytes, filename: str) -> FormError:
    text = str(exc).removeprefix("JSON is malformed: ")
    found = re.search(r" \(byte (\d+)\)$", text)
    if found is None:
        if "truncated" in text:
            text = "the file ends too early; look for a missing } or ]"
        return FormError(filename, f"not valid JSON: {text}")
    offset = int(found[1])
    line = data[:offset].count(b"\n") + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return FormError(
        f"{filename}, line {line}",
        f"not valid JSON: {text[: found.start()]} at column {column}; fix it there",
    )


def _build(raw: object, source: _Source) -> QuestionSet:
    """Convert plain data to the model and validate it; raise with every error found."""
    if raw is None:
        message = (
            "the document is empty; a question set needs id, version, kind, title, "
            "languages and questions"
        )
        raise FormErrors([source.error("", message)])
    problems = _duplicate_keys(source.root)
    qs: QuestionSet | None = None
    try:
        qs = msgspec.convert(raw, QuestionSet, str_keys=True)
    except msgspec.ValidationError as exc:
        problems += _structure_errors(raw, QuestionSet, "") or [_explain(exc, "", None)]
    if qs is not None:
        problems += [(e.where, e.message) for e in validate(qs)]
    if problems or qs is None:
        raise FormErrors([source.error(path, message) for path, message in problems])
    return qs


def _structure_errors(
    raw: object, struct: type[msgspec.Struct], path: str
) -> list[tuple[str, str]]:
    """Convert field by field, so one pass finds every misspelt key and wrong type."""
    if not isinstance(raw, dict):
        try:
            msgspec.convert(raw, struct, str_keys=True)
        except msgspec.ValidationError as exc:
            return [_explain(exc, path, struct)]
        return []
    fields = {f.encode_name: f for f in msgspec.structs.fields(struct)}
    problems: list[tuple[str, str]] = []
    for key in raw:
        if key not in fields:
            problems.append((_join(path, str(key)), _unknown_key(str(key), list(fields))))
    missing = [f"`{name}`" for name, field in fields.items() if field.required and name not in raw]
    if missing:
        listed = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        problems.append(
            (
                path,
                f"{listed} {'are missing; add them' if len(missing) > 1 else 'is missing; add it'}",
            )
        )
    for name, field in fields.items():
        if name not in raw:
            continue
        value, where = raw[name], _join(path, name)
        inner, item = _struct_in(field.type), _list_item_struct(field.type)
        if inner is not None and isinstance(value, dict):
            problems += _structure_errors(value, inner, where)
        elif item is not None and isinstance(value, list):
            for i, element in enumerate(value):
                problems += _structure_errors(element, item, f"{where}[{i}]")
        else:
            try:
                msgspec.convert(value, field.type, str_keys=True)
            except msgspec.ValidationError as exc:
                problems.append(_explain(exc, where, field.type))
    return problems


def _struct_in(tp: Any) -> type[msgspec.Struct] | None:
    """The Struct in `tp` when it is a Struct or an optional one."""
    is_union = isinstance(tp, types.UnionType) or get_origin(tp) is Union
    for candidate in get_args(tp) if is_union else (tp,):
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate
    return None


def _list_item_struct(tp: Any) -> type[msgspec.Struct] | None:
    return _struct_in(get_args(tp)[0]) if get_origin(tp) is list else None


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key `{key}`; did you mean `{close[0]}`?"
    return f"unknown key `{key}`; the keys allowed here are {', '.join(allowed)}"


def _explain(exc: msgspec.ValidationError, path: str, field_type: Any) -> tuple[str, str]:
    """Turn msgspec's message and `$`-path into an author's words and a document path."""
    text, sub, is_key = str(exc), "", False
    found = re.fullmatch(r"(.*?) - at `(key` in `)?\$(.*)`", text, re.S)
    if found is not None:
        text, is_key, sub = found[1], bool(found[2]), found[3].replace("[...]", "")
    where = (path + sub).lstrip(".")
    expected = re.fullmatch(r"Expected `(.+)`, got `(.+)`", text)
    enum = re.fullmatch(r"Invalid enum value (.+)", text)
    if expected is not None:
        wanted = [t for t in expected[1].split(" | ") if t != "null"] or ["null"]
        got = expected[2]
        message = (
            f"expected {' or '.join(_WORDS.get(t, t) for t in wanted)}, got {_WORDS.get(got, got)}"
        )
        if "str" in wanted:
            message += _QUOTE_HINTS.get(got, "")
        return where, (
            "keys here must be" + message.removeprefix("expected") if is_key else message
        )
    if enum is not None and get_origin(field_type) is Literal:
        allowed = ", ".join(str(a) for a in get_args(field_type))
        name = where.rsplit(".", 1)[-1] or "value"
        return where, f"{enum[1]} is not a valid {name}; use one of {allowed}"
    return where, text


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _tokens(path: str) -> Iterator[str | int]:
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        yield name if name else int(index)


def _line_of(node: Any, path: str) -> int | None:
    """The line (1-based) of `path` in a YAML node tree, or of its nearest ancestor present."""
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for token in _tokens(path):
        if isinstance(node, yaml.MappingNode):
            # The last of duplicate keys wins when YAML constructs the mapping.
            pairs = [(k, v) for k, v in reversed(node.value) if k.value == str(token)]
            if not pairs:
                break
            key, node = pairs[0]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(token, int):
            if token >= len(node.value):
                break
            node = node.value[token]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _duplicate_keys(
    node: Any, path: str = "", seen_nodes: set[int] | None = None
) -> list[tuple[str, str]]:
    """Keys given twice in one mapping: YAML and JSON silently keep the last, so say so."""
    found: list[tuple[str, str]] = []
    # Aliases share nodes, and may even point back at an ancestor: visit each node once.
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return found
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            where = _join(path, str(name)) if name is not None else path
            if name in seen:
                found.append((where, f"`{name}` is given twice here; keep only one"))
            if name is not None:
                seen.add(name)
            found += _duplicate_keys(value, where, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicate_keys(item, f"{path}[{i}]", seen_nodes)
    return found
