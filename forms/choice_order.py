"""The order in which a phone showed a question's choices, checked against the question set."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from forms.model import QuestionSet


def order_problems(qs: QuestionSet, order: Mapping[str, Sequence[str]]) -> list[str]:
    """Why `order` (question id -> choice ids as shown) cannot be what a phone showed for `qs`:
    each question must be a single or multiple question of the set, and its list the question's
    choice ids, each once, in any order. Empty when it can."""
    if not order:
        return []
    questions = {q.id: q for q in qs.questions}
    problems: list[str] = []
    for qid, shown in order.items():
        q = questions.get(qid)
        if q is None or q.type not in ("single", "multiple"):
            what = "is not in" if q is None else "has no choices in"
            problems.append(
                f"The choice order names question '{qid}', which {what} question set "
                f"'{qs.id}' version {qs.version}."
            )
            continue
        known = [c.id for c in q.choices]
        if Counter(shown) != Counter(known):
            unknown = sorted(set(shown) - set(known))
            named = ", ".join(c[:40] for c in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
            detail = (
                f"unknown choices {named}" if unknown else "each choice must appear exactly once"
            )
            problems.append(
                f"The choice order of question '{qid}' must list its choices "
                f"{', '.join(known)} in some order ({detail})."
            )
    return problems
