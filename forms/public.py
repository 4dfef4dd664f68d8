"""The question set as phones receive it: everything needed to show it, no answer keys."""

from __future__ import annotations

from typing import Any

from forms.model import Choice, Question, QuestionSet


def public_view(qs: QuestionSet) -> dict[str, Any]:
    """Plain JSON-ready data; no `correct`, `answer`, `tolerance`, `points`, `partial`, `topic`
    or `source`: keys and the references that give them away stay on the server."""
    view: dict[str, Any] = {
        "id": qs.id,
        "version": qs.version,
        "kind": qs.kind,
        "title": dict(qs.title),
        "languages": list(qs.languages),
        "questions": [_question(q, qs.shuffles(q)) for q in qs.questions],
    }
    if qs.description is not None:
        view["description"] = dict(qs.description)
    return view


def _question(q: Question, shuffle: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": q.id,
        "type": q.type,
        "text": dict(q.text),
        "required": q.required and q.type != "note",
    }
    if q.hint is not None:
        out["hint"] = dict(q.hint)
    if q.type in ("single", "multiple"):
        out["choices"] = [_choice(c) for c in q.choices]
    if shuffle:
        # The phone orders them per participant (pwa/js/order.js) and sends the order shown.
        out["shuffle_choices"] = True
    if q.scale is not None:
        out["scale"] = {
            "min": q.scale.min,
            "max": q.scale.max,
            # JSON object keys are strings; sorted so the phone can list labels in order.
            "labels": {str(k): dict(v) for k, v in sorted(q.scale.labels.items())},
        }
    # The form's logic runs on the phone: expressions and their messages, never keys.
    for key in _LOGIC:
        value = getattr(q, key)
        if value:
            out[key] = dict(value) if isinstance(value, dict) else value
    return out


_LOGIC = (
    "relevant", "constraint", "constraint_message", "calculation", "choice_filter",
    "required_if", "required_message", "default", "read_only", "appearance",
)  # fmt: skip


def _choice(c: Choice) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "text": dict(c.text)}
    if c.data:
        out["data"] = dict(c.data)
    return out
