"""Checking and scoring a participant's answers against the exact version they answered; pure."""

from __future__ import annotations

import math
from collections.abc import Callable

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


class _Plan:
    """What checking and scoring need of one question, worked out once per question set."""

    __slots__ = ("choices", "correct", "fast", "high", "key", "low", "points", "q", "slack")

    def __init__(self, q: Question) -> None:
        self.q = q
        self.choices = frozenset(c.id for c in q.choices)
        self.correct = frozenset(c.id for c in q.choices if c.correct)
        self.points = q.points
        self.low = q.scale.min if q.scale else 0
        self.high = q.scale.max if q.scale else 0
        self.key = _as_number(q.answer)
        self.slack = q.tolerance + _EPSILON * max(1.0, abs(self.key or 0.0))
        self.fast = _fast_points(self)


class _SetPlan:
    """A question set's plans, and what a `Score` of it always holds."""

    __slots__ = ("known", "max_points", "maximum", "plans", "qs", "scored")

    def __init__(self, qs: QuestionSet) -> None:
        self.qs = qs
        self.plans = [_Plan(q) for q in qs.questions]
        self.known = frozenset(q.id for q in qs.questions)
        self.scored = frozenset(q.id for q in qs.questions if q.type in SCORED_TYPES)
        self.max_points = {p.q.id: p.points for p in self.plans if p.q.id in self.scored}
        self.maximum = math.fsum(self.max_points.values())


_plans: dict[int, _SetPlan] = {}


def _set_plan(qs: QuestionSet) -> _SetPlan:
    """The set's plan, cached: sets are immutable once loaded, and a sync batch reuses one."""
    hit = _plans.get(id(qs))
    if hit is None or hit.qs is not qs:
        if len(_plans) > 256:
            _plans.clear()
        hit = _plans[id(qs)] = _SetPlan(qs)
    return hit


def _fast_points(p: _Plan) -> Callable[[object], float | None]:
    """A function giving the points of a well-formed answer to the question, or None for
    anything else (blank, malformed): those go the long way, through `_is_blank` and
    `_check_value`. Points are 0.0 for questions that are not scored. A sync batch calls these
    a hundred times per submission, so each does as little as it can.
    """
    q, choices, correct, full = p.q, p.choices, p.correct, p.points
    if q.type == "single":

        def single(value: object) -> float | None:
            if type(value) is str and value in choices:
                return full if value in correct else 0.0
            return None

        return single
    if q.type == "truefalse":
        key = q.answer

        def truefalse(value: object) -> float | None:
            if type(value) is bool:
                return full if value is key else 0.0
            return None

        return truefalse
    if q.type == "likert":
        low, high = p.low, p.high

        def likert(value: object) -> float | None:
            return 0.0 if type(value) is int and low <= value <= high else None

        return likert
    if q.type == "text":

        def text(value: object) -> float | None:
            if type(value) is str and value.strip() and len(value) <= MAX_TEXT_LENGTH:
                return 0.0
            return None

        return text
    if q.type == "multiple":
        partial = q.partial

        def multiple(value: object) -> float | None:
            if type(value) is not list or not value:
                return None
            try:
                picks = set(value)
            except TypeError:  # something unhashable in the list
                return None
            if len(picks) != len(value) or not picks <= choices:
                return None
            if not correct:
                return 0.0
            if not partial:
                return full if picks == correct else 0.0
            right, wrong = len(picks & correct), len(picks - correct)
            return full * max(0, right - wrong) / len(correct)

        return multiple
    if q.type == "number":
        key, slack = p.key, p.slack

        def number(value: object) -> float | None:
            if (type(value) is int or type(value) is float) and math.isfinite(value):
                if key is None:
                    return 0.0
                return full if abs(value - key) <= slack else 0.0
            return None

        return number

    def note(value: object) -> float | None:
        return None  # a note takes no answer: `mark` looks at what was given

    return note


def check_answers(qs: QuestionSet, answers: dict[str, object]) -> list[str]:
    """Why these answers cannot be accepted, in a trainer's words; empty when they can."""
    problems: list[str] = []
    plan = _set_plan(qs)
    if not answers.keys() <= plan.known:
        for qid in answers:
            if qid not in plan.known:
                problems.append(
                    f"Answer given for {qid!r}, which is not a question of {qs.id} {qs.version}."
                )
    for p in plan.plans:
        value = answers.get(p.q.id)
        if p.q.type == "note":
            if not _is_blank(value):
                problems.append(f"Question {p.q.id!r} is a note; it takes no answer.")
        elif _is_blank(value):
            # A question shown only under a condition may rightly be unanswered: until the
            # server runs the form's logic (forms.logic), it does not require it.
            if p.q.required and p.q.relevant is None:
                problems.append(f"Question {p.q.id!r} is required but was not answered.")
        elif p.fast(value) is None:
            problem = _check_value(p.q, value)
            if problem:
                problems.append(f"Question {p.q.id!r}: {problem}.")
    return problems


def score(qs: QuestionSet, answers: dict[str, object]) -> Score:
    """Score a test; unanswered or invalid answers get 0. Evaluations are not scored."""
    if qs.kind != "test":
        return Score(points={}, max_points={}, total=0.0, maximum=0.0, percent=None)
    plan = _set_plan(qs)
    points = {p.q.id: _points(p, answers.get(p.q.id)) for p in plan.plans if p.q.id in plan.scored}
    return _score(plan, points)


def _score(plan: _SetPlan, points: dict[str, float]) -> Score:
    """The score of a test from the points of its scored questions."""
    total = math.fsum(points.values())
    maximum = plan.maximum
    return Score(
        points=points,
        max_points=dict(plan.max_points),
        total=total,
        maximum=maximum,
        percent=total / maximum * 100 if maximum > 0 else None,
    )


def mark(qs: QuestionSet, answers: dict[str, object]) -> tuple[list[str], Score | None]:
    """`check_answers` and `score` in one pass: the problems, or none and the score (None for
    an evaluation). The sync path; the same results as the two functions called in turn.
    """
    plan = _set_plan(qs)
    if not answers.keys() <= plan.known:
        return check_answers(qs, answers), None
    scored = plan.scored
    points: dict[str, float] = {}
    get = answers.get
    for p in plan.plans:
        qid = p.q.id
        value = get(qid)
        got = p.fast(value)
        if got is None:
            if p.q.type == "note":
                if _is_blank(value):
                    continue
                return check_answers(qs, answers), None
            if _is_blank(value):
                if p.q.required and p.q.relevant is None:
                    return check_answers(qs, answers), None
                got = 0.0
            elif _check_value(p.q, value) is None:
                got = _points(p, value)
            else:
                return check_answers(qs, answers), None
        if qid in scored:
            points[qid] = got
    if qs.kind != "test":
        return [], None
    return [], _score(plan, points)


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
    elif q.type in values.TYPES:
        return values.problem(q.type, value)
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
