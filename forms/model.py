"""The typed model of a question set, decoded straight from YAML, JSON or XLSForm."""

from __future__ import annotations

from typing import Literal

import msgspec

#: A human-facing string: language code -> text.
Text = dict[str, str]

QuestionType = Literal["single", "multiple", "truefalse", "number", "likert", "text", "note"]
Kind = Literal["test", "evaluation"]

#: Types whose answers can be scored against a key.
SCORED_TYPES: frozenset[str] = frozenset({"single", "multiple", "truefalse", "number"})


class Choice(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One option of a `single` or `multiple` question."""

    id: str
    text: Text
    correct: bool = False


class Scale(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The integer scale of a `likert` question, with labels keyed by value."""

    min: int
    max: int
    labels: dict[int, Text] = {}


class Question(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One question (or a `note`, shown but never answered)."""

    id: str
    type: QuestionType
    text: Text
    topic: str | None = None
    hint: Text | None = None
    required: bool = True
    points: float = 1.0
    choices: list[Choice] = []
    partial: bool = False
    answer: bool | float | None = None
    tolerance: float = 0.0
    scale: Scale | None = None
    #: The provision or publication the question rests on; shown to staff, never to phones.
    source: Text | None = None


class QuestionSet(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A versioned question set: a knowledge test or an evaluation."""

    id: str
    version: str
    kind: Kind
    title: Text
    languages: list[str]
    questions: list[Question]
    pass_mark: float | None = None
    description: Text | None = None
