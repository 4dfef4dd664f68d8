"""The typed model of a question set, decoded straight from YAML, JSON or XLSForm."""

from __future__ import annotations

from typing import Literal

import msgspec

#: A human-facing string: language code -> text.
Text = dict[str, str]

QuestionType = Literal[
    "single", "multiple", "truefalse", "number", "likert", "text", "note",
    "date", "time", "datetime", "calculate", "acknowledge",
]  # fmt: skip
Kind = Literal["test", "evaluation"]

#: Types whose answers can be scored against a key.
SCORED_TYPES: frozenset[str] = frozenset({"single", "multiple", "truefalse", "number"})


class Choice(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One option of a `single` or `multiple` question."""

    id: str
    text: Text
    correct: bool = False
    #: The choice's other columns, which a question's `choice_filter` may test.
    data: dict[str, str] = {}


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
    # XLSForm logic, as XPath expressions run on the phone (forms.expressions).
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text | None = None
    calculation: str | None = None
    choice_filter: str | None = None
    #: An expression making the question required when true (`required` is then false).
    required_if: str | None = None
    required_message: Text | None = None
    default: str | None = None
    read_only: bool = False
    appearance: str | None = None
    #: Show the choices in a random order per participant: true or false here, or as the set
    #: says when absent (`QuestionSet.shuffles`). `randomize` is XLSForm's name for true.
    shuffle_choices: bool | None = None
    randomize: bool = False
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
    #: Show the choices of every single and multiple question in a random order per participant.
    shuffle_choices: bool = False

    def shuffles(self, q: Question) -> bool:
        """Whether question `q` of this set shows its choices in a random order."""
        if q.type not in ("single", "multiple"):
            return False
        if q.shuffle_choices is not None:
            return q.shuffle_choices
        return q.randomize or self.shuffle_choices
