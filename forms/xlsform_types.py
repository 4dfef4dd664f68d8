"""What each XLSForm type becomes in Tadrib, by pyxform's own table of types and their aliases.

pyxform has already turned the spellings authors use (`select_one`, `select one from`, `select all
that apply`, `string`, `int`, `imei`, `gps`, ...) into its canonical names; its
`QUESTION_TYPE_DICT` says what each one is in XForms (the value's type, the control), which is
what decides here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from forms.model import QuestionType

Role = Literal["question", "metadata", "group", "refused", "unknown"]


@dataclass(frozen=True)
class Kind:
    """What a pyxform type becomes: a Tadrib question type, metadata, a group, or refused."""

    role: Role
    type: QuestionType | None = None
    #: For refused types: the feature, in an author's words.
    feature: str = ""
    #: A constraint the type implies (pyxform's `percentage`, `phone number`, ...).
    constraint: str | None = None
    #: For metadata Tadrib records as a calculation: the expression giving its value.
    calculation: str | None = None


#: Tadrib's own type, not XLSForm's: a true/false question keyed by `answer`.
TRUEFALSE = "truefalse"
#: Metadata whose value an expression may use; the phone records it as a calculation.
_RECORDED = {"today": "today()", "start": "now()", "end": "now()"}
_BY_VALUE = {
    "int": "number", "decimal": "number", "date": "date", "time": "time", "dateTime": "datetime"
}  # fmt: skip
_REFUSED_VALUES = {
    "geopoint": "geopoint (location) questions",
    "geotrace": "geotrace (line on a map) questions",
    "geoshape": "geoshape (area on a map) questions",
    "barcode": "barcode questions",
    "odk:rank": "rank questions",
}
_MEDIA = {
    "image": "image questions", "photo": "image questions", "audio": "audio questions",
    "video": "video questions", "file": "file questions", "osm": "OpenStreetMap questions",
    "background-audio": "audio recording", "audit": "",
}  # fmt: skip


def kind_of(name: str) -> Kind:
    """What the pyxform type `name` (as in its JSON, e.g. "select one") becomes."""
    if name == "group":
        return Kind("group")
    if name in ("repeat", "loop"):
        return Kind("refused", feature="repeats")
    if name == "select one":
        return Kind("question", "single")
    if name == "select all that apply":
        return Kind("question", "multiple")
    if name == "select one external":
        return Kind("refused", feature="external selects (select_one_external)")
    if name in ("xml-external", "csv-external"):
        return Kind("refused", feature=f"external data ({name})")
    if name == TRUEFALSE:
        return Kind("question", "truefalse")
    spec = QUESTION_TYPE_DICT.get(name)
    if spec is None:
        return Kind("unknown")
    bind, control = spec.get("bind", {}), spec.get("control", {})
    value, tag = bind.get("type"), control.get("tag")
    if "jr:preload" in bind or name == "audit":
        if name in ("audit",):
            return Kind("metadata")
        return Kind("metadata", calculation=_RECORDED.get(str(bind.get("jr:preloadParams"))))
    if value in _REFUSED_VALUES:
        return Kind("refused", feature=_REFUSED_VALUES[value])
    if value == "binary":
        return Kind("refused", feature=_MEDIA.get(name) or f"{name} questions")
    if tag == "trigger" or name == "trigger":
        return Kind("question", "acknowledge")
    if tag == "range":
        return Kind("question", "likert")
    if tag is None:
        return Kind("question", "calculate")
    if value in _BY_VALUE:
        return Kind("question", _BY_VALUE[str(value)], constraint=bind.get("constraint"))  # type: ignore[arg-type]
    if bind.get("readonly") == "true()":
        return Kind("question", "note")
    if value == "string" and tag == "input":
        return Kind("question", "text", constraint=bind.get("constraint"))
    return Kind("unknown")


def known_types() -> list[str]:
    """Every type name an author may write, for suggestions."""
    own = {"select_one", "select_multiple", "begin group", "end group", TRUEFALSE}
    return sorted({*QUESTION_TYPE_DICT, *own})
