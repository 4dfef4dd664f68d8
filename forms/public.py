"""The question set as phones receive it: everything needed to show it, no answer keys."""

from __future__ import annotations

from typing import Any

from forms.model import Question, QuestionSet


def public_view(qs: QuestionSet) -> dict[str, Any]:
    """Plain JSON-ready data; no `correct`, `answer`, `tolerance`, `points`, `partial`, `topic`
    or `source`: keys and the references that give them away stay on the server."""
    view: dict[str, Any] = {
        "id": qs.id,
        "version": qs.version,
        "kind": qs.kind,
        "title": dict(qs.title),
        "languages": list(qs.languages),
        "questions": [_question(q) for q in qs.questions],
    }
    if qs.description is not None:
        view["description"] = dict(qs.description)
    return view


def _question(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": q.id,
        "type": q.type,
        "text": dict(q.text),
        "required": q.required and q.type != "note",
    }
    if q.hint is not None:
        out["hint"] = dict(q.hint)
    if q.type in ("single", "multiple"):
        out["choices"] = [{"id": c.id, "text": dict(c.text)} for c in q.choices]
    if q.scale is not None:
        out["scale"] = {
            "min": q.scale.min,
            "max": q.scale.max,
            # JSON object keys are strings; sorted so the phone can list labels in order.
            "labels": {str(k): dict(v) for k, v in sorted(q.scale.labels.items())},
        }
    return out
