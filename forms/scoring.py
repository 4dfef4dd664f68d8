"""Checking and scoring a participant's answers against the exact version they answered, with
the form's logic (relevance, requirements, calculations, constraints) run as the phone runs it;
pure: answers in, answers kept, problems and score out.

Each question type has one function that checks a given answer and returns its points; sync,
uploads, reports and the tests all go through `check_and_score`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping

import msgspec

from forms import values
from forms.expressions import Context, ExpressionError, evaluate, string, truth
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


class Assessed(msgspec.Struct, frozen=True):
    """A submission's answers checked against its question set and its logic."""

    #: The answers to store: those of relevant questions, calculations filled in.
    answers: dict[str, object]
    #: Why the answers cannot be accepted, in a trainer's words; empty when they can.
    problems: list[str]
    #: Points per question asked; None for an evaluation. A question not relevant to the
    #: participant was not asked: it counts neither for nor against them.
    score: Score | None


def _required(q: Question, context: Callable[[], Context], lang: str) -> str | None:
    """Why a blank answer to `q`, a relevant question, cannot be taken; None when it can."""
    if q.required_if is not None:
        needed = truth(evaluate(q.required_if, context()))
    else:
        needed = q.required and q.type not in ("note", "calculate")
    if not needed:
        return None
    message = (q.required_message or {}).get(lang)
    return f"Question {q.id!r} is required but was not answered" + (
        f" ({message})." if message else "."
    )


def check_and_score(
    qs: QuestionSet,
    answers: Mapping[str, object],
    lang: str = "en",
    now: datetime.datetime | None = None,
) -> Assessed:
    """Check each answer in question order, as the phone does: a question whose `relevant` is
    false was not asked (its answer is dropped); a calculation left blank is filled in; a blank
    required one is a problem; an answer its type cannot take or that breaks its constraint is
    a problem (with the form's message in `lang`). Expressions see `now` as today and the
    answers kept so far. Invalid or missing answers score 0."""
    questions, known = _questions(qs)
    problems = [
        f"Answer given for {qid!r}, which is not a question of {qs.id} {qs.version}."
        for qid in answers
        if qid not in known
    ]
    kept: dict[str, object] = {}
    points: dict[str, float] = {}
    max_points: dict[str, float] = {}

    def context(current: object = None) -> Context:
        return Context(kept, current=current, now=now)

    for p in questions:
        q = p.q
        value = answers.get(q.id)
        got = 0.0
        try:
            if q.relevant is not None and not truth(evaluate(q.relevant, context())):
                continue
            if q.type == "calculate" and q.calculation is not None and _is_blank(value):
                value = string(evaluate(q.calculation, context()))
                value = None if value == "NaN" else value  # arithmetic on a blank: no value
            if _is_blank(value):
                if (problem := _required(q, context, lang)) is not None:
                    problems.append(problem)
            else:
                got = p.check(p, value)
                kept[q.id] = value
                if q.constraint is not None and not truth(evaluate(q.constraint, context(value))):
                    message = (q.constraint_message or {}).get(lang)
                    problems.append(
                        f"Question {q.id!r}: {message or 'the answer does not meet its condition'}"
                        f" ({q.constraint})."
                    )
        except _Invalid as exc:
            problems.append(f"Question {q.id!r}{' ' if q.type == 'note' else ': '}{exc}.")
        except ExpressionError as exc:
            problems.append(f"Question {q.id!r}: its logic could not be run ({exc}).")
        if p.scored:
            points[q.id], max_points[q.id] = got, q.points
    if qs.kind != "test":
        return Assessed(kept, problems, None)
    total, maximum = math.fsum(points.values()), math.fsum(max_points.values())
    percent = total / maximum * 100 if maximum > 0 else None
    found = Score(
        points=points, max_points=max_points, total=total, maximum=maximum, percent=percent
    )
    return Assessed(kept, problems, found)


def check_answers(qs: QuestionSet, answers: dict[str, object]) -> list[str]:
    """Why these answers cannot be accepted; empty when they can."""
    return check_and_score(qs, answers).problems


def score(qs: QuestionSet, answers: dict[str, object]) -> Score:
    """Score a test; unanswered or invalid answers get 0. Evaluations are not scored."""
    found = check_and_score(qs, answers).score
    return found or Score(points={}, max_points={}, total=0.0, maximum=0.0, percent=None)


def is_correct(points: float, max_points: float) -> bool:
    """A question counts as correct only with full points."""
    return max_points > 0 and points >= max_points - _EPSILON
