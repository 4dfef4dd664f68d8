"""Checking and scoring a participant's answers against the exact version they answered; pure."""

from __future__ import annotations

import math

import msgspec

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


class _Plan:
    """What checking and scoring need of one question, worked out once per question set."""

    __slots__ = ("choices", "correct", "high", "key", "low", "points", "q", "slack")

    def __init__(self, q: Question) -> None:
        self.q = q
        self.choices = frozenset(c.id for c in q.choices)
        self.correct = frozenset(c.id for c in q.choices if c.correct)
        self.points = q.points
        self.low = q.scale.min if q.scale else 0
        self.high = q.scale.max if q.scale else 0
        self.key = _as_number(q.answer)
        self.slack = q.tolerance + _EPSILON * max(1.0, abs(self.key or 0.0))


_plans: dict[int, tuple[QuestionSet, list[_Plan], frozenset[str]]] = {}


def _plan(qs: QuestionSet) -> tuple[list[_Plan], frozenset[str]]:
    """The set's plans, cached: sets are immutable once loaded, and a sync batch reuses one."""
    hit = _plans.get(id(qs))
    if hit is None or hit[0] is not qs:
        if len(_plans) > 256:
            _plans.clear()
        hit = (qs, [_Plan(q) for q in qs.questions], frozenset(q.id for q in qs.questions))
        _plans[id(qs)] = hit
    return hit[1], hit[2]


def _valid(p: _Plan, value: object) -> bool:
    """The common case, decided fast; `_check_value` explains the rest."""
    kind = p.q.type
    if kind == "single":
        return type(value) is str and value in p.choices
    if kind == "multiple":
        return (
            type(value) is list
            and all(type(v) is str and v in p.choices for v in value)
            and len(set(value)) == len(value)
        )
    if kind == "truefalse":
        return type(value) is bool
    if kind == "likert":
        return type(value) is int and p.low <= value <= p.high
    if kind == "number":
        return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
    if kind == "text":
        return type(value) is str and len(value) <= MAX_TEXT_LENGTH
    return False


def check_answers(qs: QuestionSet, answers: dict[str, object]) -> list[str]:
    """Why these answers cannot be accepted, in a trainer's words; empty when they can."""
    problems: list[str] = []
    plans, known = _plan(qs)
    if not answers.keys() <= known:
        for qid in answers:
            if qid not in known:
                problems.append(
                    f"Answer given for {qid!r}, which is not a question of {qs.id} {qs.version}."
                )
    for p in plans:
        value = answers.get(p.q.id)
        if p.q.type == "note":
            if not _is_blank(value):
                problems.append(f"Question {p.q.id!r} is a note; it takes no answer.")
        elif _is_blank(value):
            if p.q.required:
                problems.append(f"Question {p.q.id!r} is required but was not answered.")
        elif not _valid(p, value):
            problem = _check_value(p.q, value)
            if problem:
                problems.append(f"Question {p.q.id!r}: {problem}.")
    return problems


def score(qs: QuestionSet, answers: dict[str, object]) -> Score:
    """Score a test; unanswered or invalid answers get 0. Evaluations are not scored."""
    if qs.kind != "test":
        return Score(points={}, max_points={}, total=0.0, maximum=0.0, percent=None)
    plans, _ = _plan(qs)
    points: dict[str, float] = {}
    max_points: dict[str, float] = {}
    for p in plans:
        if p.q.type in SCORED_TYPES:
            points[p.q.id] = _points(p, answers.get(p.q.id))
            max_points[p.q.id] = p.points
    total = math.fsum(points.values())
    maximum = math.fsum(max_points.values())
    percent = total / maximum * 100 if maximum > 0 else None
    return Score(
        points=points, max_points=max_points, total=total, maximum=maximum, percent=percent
    )


def is_correct(points: float, max_points: float) -> bool:
    """A question counts as correct only with full points."""
    return max_points > 0 and points >= max_points - _EPSILON


def _is_blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


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


def _check_value(q: Question, value: object) -> str | None:
    choice_ids = [c.id for c in q.choices]
    listed = ", ".join(choice_ids)
    if q.type == "single":
        if not isinstance(value, str):
            return f"needs one choice ({listed}), got {_describe(value)}"
        if value not in choice_ids:
            return f"{value!r} is not one of its choices ({listed})"
    elif q.type == "multiple":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"needs a list of choices ({listed}), got {_describe(value)}"
        unknown = [v for v in value if v not in choice_ids]
        if unknown:
            verb = "are" if len(unknown) > 1 else "is"
            return f"{', '.join(map(repr, unknown))} {verb} not among its choices ({listed})"
        if len(set(value)) != len(value):
            return "the same choice is picked more than once"
    elif q.type == "truefalse":
        if not isinstance(value, bool):
            return f"needs true or false, got {_describe(value)}"
    elif q.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"needs a number, got {_describe(value)}"
        if not math.isfinite(value):
            return "needs a finite number"
    elif q.type == "likert" and q.scale is not None:
        low, high = q.scale.min, q.scale.max
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            shown = value if _as_number(value) is not None else _describe(value)
            return f"needs a whole number from {low} to {high}, got {shown}"
    elif q.type == "text":
        if not isinstance(value, str):
            return f"needs text, got {_describe(value)}"
        if len(value) > MAX_TEXT_LENGTH:
            return f"the text has {len(value):,} characters; the limit is {MAX_TEXT_LENGTH:,}"
    return None


def _points(p: _Plan, value: object) -> float:
    q, correct = p.q, p.correct
    if q.type == "single":
        return p.points if isinstance(value, str) and value in correct else 0.0
    if q.type == "multiple":
        if not isinstance(value, list) or not correct:
            return 0.0
        picks = {v for v in value if isinstance(v, str)}
        if not q.partial:
            return p.points if picks == correct else 0.0
        right, wrong = len(picks & correct), len(picks - correct)
        return p.points * max(0, right - wrong) / len(correct)
    if q.type == "truefalse":
        return p.points if isinstance(value, bool) and value is q.answer else 0.0
    if q.type == "number":
        given = _as_number(value)
        if given is None or p.key is None:
            return 0.0
        return p.points if abs(given - p.key) <= p.slack else 0.0
    return 0.0
