"""A form's logic applied to a submission on the server, as the phone applies it: questions that
are not relevant lose their answers, required and relevant ones must be answered, constraints
must hold. Pure: answers in, answers and problems out.
"""

from __future__ import annotations

import datetime

import msgspec

from forms.expressions import Context, ExpressionError, evaluate, string, truth
from forms.model import QuestionSet


class Checked(msgspec.Struct, frozen=True):
    """What the logic made of a submission's answers."""

    #: The answers to keep: those of relevant questions, calculations filled in.
    answers: dict[str, object]
    #: Questions whose answers were dropped because they were not relevant.
    dropped: list[str]
    #: Every question that was not relevant, answered or not: not asked, so not scored.
    not_asked: list[str]
    #: Why the submission cannot be accepted, in a trainer's words; empty when it can.
    problems: list[str]


def _blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def apply_logic(
    qs: QuestionSet, answers: dict[str, object], lang: str, now: datetime.datetime
) -> Checked:
    """Run relevance, requirements, calculations and constraints in question order; a later
    question sees an irrelevant one as unanswered, as on the phone."""
    kept: dict[str, object] = {}
    dropped: list[str] = []
    not_asked: list[str] = []
    problems: list[str] = []
    for q in qs.questions:
        value = answers.get(q.id)
        try:
            if q.relevant is not None and not truth(evaluate(q.relevant, Context(kept, now=now))):
                not_asked.append(q.id)
                if not _blank(value):
                    dropped.append(q.id)
                continue
            if q.type == "calculate" and _blank(value) and q.calculation is not None:
                value = string(evaluate(q.calculation, Context(kept, now=now)))
                value = None if value == "NaN" else value  # arithmetic on a blank: no value
            if _blank(value):
                needed = q.required and q.type not in ("note", "calculate")
                if q.required_if is not None:
                    needed = truth(evaluate(q.required_if, Context(kept, now=now)))
                if needed:
                    message = (q.required_message or {}).get(lang)
                    problems.append(
                        f"Question {q.id!r} is required but was not answered"
                        + (f" ({message})." if message else ".")
                    )
                continue
            kept[q.id] = value
            if q.constraint is not None and not truth(
                evaluate(q.constraint, Context(kept, current=value, now=now))
            ):
                message = (q.constraint_message or {}).get(lang)
                problems.append(
                    f"Question {q.id!r}: {message or 'the answer does not meet its condition'} "
                    f"({q.constraint})."
                )
        except ExpressionError as exc:
            problems.append(f"Question {q.id!r}: its logic could not be run ({exc}).")
    return Checked(kept, dropped, not_asked, problems)
