"""Checking and scoring a participant's answers against the exact version they answered; pure.

Each question type has one function that checks a given answer and returns its points; sync,
uploads and the tests all go through `check_and_score`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection

import msgspec

from forms import values
from forms.model import SCORED_TYPES, Question, QuestionSet

MAX_TEXT_LENGTH = 5000
#: Absorbs float rounding, so 0.1 + 0.2 is within a tolerance of 0 of 0.3.
_EPSILON = 1e-9


class Score(msgspec.Struct, kw_only=True):
    """Points per scored question and in total; `percent` is None for evaluations."""

    points: dict[str, float]
    max_points: dict[str, float]
    total: float
    maximum: float
    percent: float | None


class _Invalid(Exception):
    """An answer its question cannot take; the message says why, in a trainer's words."""


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _as_number(value: object) -> float | None:
    """The value as a float when it is a number (true/false is not), else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class _Question:
    """What checking and scoring one question need, worked out once per question set."""

    __slots__ = ("check", "choices", "correct", "key", "listed", "q", "scored")

    def __init__(self, q: Question) -> None:
        self.q = q
        self.check = _BY_TYPE[q.type]
        self.choices = frozenset(c.id for c in q.choices)
        self.correct = frozenset(c.id for c in q.choices if c.correct)
        self.listed = ", ".join(c.id for c in q.choices)
        self.key = _as_number(q.answer)
        self.scored = q.type in SCORED_TYPES


_prepared: dict[int, tuple[QuestionSet, list[_Question], frozenset[str]]] = {}


def _questions(qs: QuestionSet) -> tuple[list[_Question], frozenset[str]]:
    """The set's questions prepared, cached: sets never change once loaded, and a sync batch
    checks many answers to the same set."""
    hit = _prepared.get(id(qs))
    if hit is None or hit[0] is not qs:
        if len(_prepared) > 256:
            _prepared.clear()
        known = frozenset(q.id for q in qs.questions)
        hit = _prepared[id(qs)] = (qs, [_Question(q) for q in qs.questions], known)
    return hit[1], hit[2]


def _single(p: _Question, value: object) -> float:
    if not isinstance(value, str):
        raise _Invalid(f"needs one choice ({p.listed}), got {_describe(value)}")
    if value not in p.choices:
        raise _Invalid(f"{value!r} is not one of its choices ({p.listed})")
    return p.q.points if value in p.correct else 0.0


def _multiple(p: _Question, value: object) -> float:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"needs a list of choices ({p.listed}), got {_describe(value)}")
    unknown = [v for v in value if v not in p.choices]
    if unknown:
        verb = "are" if len(unknown) > 1 else "is"
        raise _Invalid(f"{', '.join(map(repr, unknown))} {verb} not among its choices ({p.listed})")
    picks = set(value)
    if len(picks) != len(value):
        raise _Invalid("the same choice is picked more than once")
    correct = p.correct
    if not correct:
        return 0.0
    if not p.q.partial:
        return p.q.points if picks == correct else 0.0
    right, wrong = len(picks & correct), len(picks - correct)
    return p.q.points * max(0, right - wrong) / len(correct)


def _truefalse(p: _Question, value: object) -> float:
    if not isinstance(value, bool):
        raise _Invalid(f"needs true or false, got {_describe(value)}")
    return p.q.points if value is p.q.answer else 0.0


def _number(p: _Question, value: object) -> float:
    given = _as_number(value)
    if given is None:
        raise _Invalid(f"needs a number, got {_describe(value)}")
    if not math.isfinite(given):
        raise _Invalid("needs a finite number")
    key = p.key
    if key is None:
        return 0.0
    slack = p.q.tolerance + _EPSILON * max(1.0, abs(key))
    return p.q.points if abs(given - key) <= slack else 0.0


def _likert(p: _Question, value: object) -> float:
    low, high = (p.q.scale.min, p.q.scale.max) if p.q.scale else (0, 0)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        shown = value if _as_number(value) is not None else _describe(value)
        raise _Invalid(f"needs a whole number from {low} to {high}, got {shown}")
    return 0.0


def _text(p: _Question, value: object) -> float:
    if not isinstance(value, str):
        raise _Invalid(f"needs text, got {_describe(value)}")
    if len(value) > MAX_TEXT_LENGTH:
        raise _Invalid(f"the text has {len(value):,} characters; the limit is {MAX_TEXT_LENGTH:,}")
    return 0.0


def _note(p: _Question, value: object) -> float:
    raise _Invalid("is a note; it takes no answer")


def _unscored(p: _Question, value: object) -> float:
    """A date, time, datetime, calculation or acknowledgement (forms.values checks it)."""
    if (problem := values.problem(p.q.type, value)) is not None:
        raise _Invalid(problem)
    return 0.0


#: Each question type's check-and-score: the points of an answer that is not blank, or
#: `_Invalid` saying why the question cannot take it.
_BY_TYPE: dict[str, Callable[[_Question, object], float]] = {
    "single": _single,
    "multiple": _multiple,
    "truefalse": _truefalse,
    "number": _number,
    "likert": _likert,
    "text": _text,
    "note": _note,
    **dict.fromkeys(values.TYPES, _unscored),
}


def _is_blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _assess(
    qs: QuestionSet, answers: dict[str, object], not_asked: Collection[str] = ()
) -> tuple[list[str], Score]:
    """The problems of the answers, and their score (invalid or missing answers get 0; questions
    not asked, their relevance false, count neither for nor against)."""
    questions, known = _questions(qs)
    problems = [
        f"Answer given for {qid!r}, which is not a question of {qs.id} {qs.version}."
        for qid in answers
        if qid not in known
    ]
    points: dict[str, float] = {}
    max_points: dict[str, float] = {}
    for p in questions:
        q = p.q
        value = answers.get(q.id)
        got = 0.0
        if _is_blank(value):
            # A question shown only under a condition may rightly be unanswered: until the
            # server runs the form's logic (forms.logic), it does not require it.
            if q.required and q.type != "note" and q.relevant is None:
                problems.append(f"Question {q.id!r} is required but was not answered.")
        else:
            try:
                got = p.check(p, value)
            except _Invalid as exc:
                sep = " " if q.type == "note" else ": "
                problems.append(f"Question {q.id!r}{sep}{exc}.")
        if p.scored and q.id not in not_asked:
            points[q.id], max_points[q.id] = got, q.points
    if qs.kind != "test":
        return problems, Score(points={}, max_points={}, total=0.0, maximum=0.0, percent=None)
    total, maximum = math.fsum(points.values()), math.fsum(max_points.values())
    percent = total / maximum * 100 if maximum > 0 else None
    return problems, Score(
        points=points, max_points=max_points, total=total, maximum=maximum, percent=percent
    )


def check_and_score(
    qs: QuestionSet, answers: dict[str, object], not_asked: Collection[str] = ()
) -> tuple[list[str], Score | None]:
    """Why the answers cannot be accepted, in a trainer's words; when they can (no problems),
    their score, None for an evaluation. Questions `not_asked` (their relevance false, see
    forms.logic) are left out of the score."""
    problems, result = _assess(qs, answers, not_asked)
    return problems, None if problems or qs.kind != "test" else result


def check_answers(qs: QuestionSet, answers: dict[str, object]) -> list[str]:
    """Why these answers cannot be accepted; empty when they can."""
    return _assess(qs, answers)[0]


def score(qs: QuestionSet, answers: dict[str, object]) -> Score:
    """Score a test; unanswered or invalid answers get 0. Evaluations are not scored."""
    return _assess(qs, answers)[1]


def is_correct(points: float, max_points: float) -> bool:
    """A question counts as correct only with full points."""
    return max_points > 0 and points >= max_points - _EPSILON
