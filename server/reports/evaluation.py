"""Reaction evaluation: Likert distributions, choice counts and the free-text comments."""

from __future__ import annotations

from typing import Any

import numpy as np

from forms.model import Question, QuestionSet
from server.reports.numbers import num, pct
from server.reports.text import label


def _is_int(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer()


def likert(q: Question, values: list[Any], lang: str) -> dict[str, Any]:
    """Counts per level, top-two-box percent, median and mean of one Likert item."""
    assert q.scale is not None
    lo, hi = q.scale.min, q.scale.max
    given = [int(v) for v in values if _is_int(v) and lo <= int(v) <= hi]
    counts = {str(level): 0 for level in range(lo, hi + 1)}
    for v in given:
        counts[str(v)] += 1
    n = len(given)
    top = sum(1 for v in given if v >= hi - 1)
    bottom = sum(1 for v in given if v <= lo + 1)
    arr = np.asarray(given, dtype=np.float64)
    return {
        "n": n,
        "counts": counts,
        "levels": [
            {
                "value": level,
                "label": label(q.scale.labels.get(level), lang) or str(level),
                "count": counts[str(level)],
                "pct": pct(counts[str(level)], n),
            }
            for level in range(lo, hi + 1)
        ],
        "top_two_box_pct": pct(top, n),
        "bottom_two_box_pct": pct(bottom, n),
        "median": num(np.median(arr)) if n else None,
        "mean": num(arr.mean()) if n else None,
    }


def choices(q: Question, values: list[Any], lang: str) -> dict[str, Any]:
    """Counts per choice (or per true/false) of a single, multiple or true/false question."""
    if q.type == "truefalse":
        keys = [("true", "True"), ("false", "False")]
        picks = [str(v).lower() for v in values if isinstance(v, bool)]
    else:
        keys = [(c.id, label(c.text, lang)) for c in q.choices]
        picks = []
        for v in values:
            picks.extend(v if isinstance(v, list) else [v] if isinstance(v, str) else [])
    answered = sum(1 for v in values if v not in (None, [], ""))
    counts = {k: 0 for k, _ in keys}
    for p in picks:
        if p in counts:
            counts[p] += 1
    return {
        "n": answered,
        "counts": counts,
        "levels": [
            {"value": k, "label": text, "count": counts[k], "pct": pct(counts[k], answered)}
            for k, text in keys
        ],
    }


def evaluate(
    form: QuestionSet, answered: list[tuple[str, dict[str, Any]]], lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Summaries per question and the comments (with their institution) of an evaluation.

    `answered` holds (institution, answers) of the first evaluation of each participant.
    """
    entries: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for q in form.questions:
        if q.type == "note":
            continue
        values = [a.get(q.id) for _, a in answered]
        entry: dict[str, Any] = {
            "id": q.id,
            "type": q.type,
            "topic": q.topic,
            "label": label(q.text, lang),
        }
        if q.type == "likert" and q.scale is not None:
            entry.update(likert(q, values, lang))
        elif q.type in ("single", "multiple", "truefalse"):
            entry.update(choices(q, values, lang))
        elif q.type == "number":
            nums = np.asarray(
                [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            )
            entry.update(
                {
                    "n": int(nums.size),
                    "counts": {},
                    "levels": [],
                    "median": num(np.median(nums)) if nums.size else None,
                    "mean": num(nums.mean()) if nums.size else None,
                }
            )
        else:
            texts: list[tuple[str, str]] = []
            for inst, a in answered:
                v = a.get(q.id)
                if isinstance(v, str) and v.strip():
                    texts.append((inst, v.strip()))
            entry.update({"n": len(texts), "counts": {}})
            comments.extend(
                {"question": q.id, "question_label": entry["label"], "institution": i, "text": t}
                for i, t in texts
            )
        entries.append(entry)
    return entries, comments
