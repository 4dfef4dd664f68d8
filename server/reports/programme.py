"""Across trainings: results by country, institution and period, and the cascade by generation.

Pure: takes one `ProgrammeTraining` per training (its matched scores already reduced by
`summarise`) and pools participants, never averaging averages.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
import numpy as np

from server.reports import followup, stats
from server.reports.inputs import ReportInput
from server.reports.matching import match
from server.reports.numbers import pct, scrub, snap
from server.reports.strings import SEXES


class Person(msgspec.Struct, array_like=True, gc=False):
    """One participant of one training: group keys, percents, and pass or not (None: no mark)."""

    institution: str
    sex: str
    pre: float | None
    post: float | None
    pass_pre: bool | None
    pass_post: bool | None
    followup: float | None = None


class ProgrammeTraining(msgspec.Struct, kw_only=True):
    id: str
    title: str
    country: str
    starts_on: str
    parent: str | None
    simulated: bool
    people: list[Person]


def _percent_or_nan(r: Any) -> float:
    return math.nan if r is None or r.percent is None else float(r.percent)


def summarise(inp: ReportInput) -> ProgrammeTraining:
    """Reduce one training's input to what the programme view pools."""
    m = match(inp.responses)
    marks = (
        inp.pre_form.pass_mark if inp.pre_form else None,
        inp.post_form.pass_mark if inp.post_form else None,
    )

    # Every score of the training snapped in one call (NaN for a missing test): once per
    # score, not once per use, in a view of thousands of trainings.
    scores = snap([[_percent_or_nan(r) for r in (p.pre, p.post)] for p in m.participants]).reshape(
        -1, 2
    )
    known = [[None if math.isnan(x) else x for x in pair] for pair in scores.tolist()]

    def passed(score: float | None, mark: float | None) -> bool | None:
        return None if score is None or mark is None else score >= mark

    later = followup.firsts(inp.responses)
    people = [
        Person(
            p.institution,
            p.sex,
            pre,
            post,
            passed(pre, marks[0]),
            passed(post, marks[1]),
            later[p.code].percent if p.code in later else None,
        )
        for p, (pre, post) in zip(m.participants, known, strict=True)
    ]
    t = inp.training
    return ProgrammeTraining(
        id=t.id,
        title=t.title,
        country=t.country,
        starts_on=t.starts_on,
        parent=t.parent,
        simulated=t.simulated,
        people=people,
    )


def quarter(starts_on: str) -> str:
    """The period of a training: the quarter it starts in, as `2019-Q1`."""
    try:
        year, month = int(starts_on[:4]), int(starts_on[5:7])
    except ValueError:
        return "unknown"
    if not 1 <= month <= 12:
        return "unknown"
    return f"{year:04d}-Q{(month - 1) // 3 + 1}"


def depths(parent: dict[str, str | None]) -> dict[str, int]:
    """Cascade depth of each training id: 0 without a known parent (cycles cut)."""
    depth: dict[str, int] = {}

    def find(tid: str, seen: frozenset[str]) -> int:
        if tid not in depth:
            up = parent.get(tid)
            known = up is not None and up in parent and up not in seen
            depth[tid] = find(up, seen | {tid}) + 1 if known else 0  # type: ignore[arg-type]
        return depth[tid]

    for tid in parent:
        find(tid, frozenset())
    return depth


def tops(parent: dict[str, str | None]) -> dict[str, str]:
    """The top training of each training's cascade."""
    out = {}
    for tid in parent:
        node, seen = tid, {tid}
        while parent.get(node) in parent and parent[node] not in seen:
            node = parent[node]  # type: ignore[assignment]
            seen.add(node)
        out[tid] = node
    return out


def generations(trainings: Iterable[ProgrammeTraining]) -> dict[str, int]:
    """Cascade depth of each training: 0 without a parent among `trainings` (cycles cut)."""
    return depths({t.id: t.parent for t in trainings})


def pooled(key: str, name: str, people: list[Person], trainings: int) -> dict[str, Any]:
    """Group figures over pooled participants (matched for the paired figures)."""
    matched = [p for p in people if p.pre is not None and p.post is not None]
    pre = np.asarray([p.pre for p in matched], dtype=np.float64)
    post = np.asarray([p.post for p in matched], dtype=np.float64)
    out: dict[str, Any] = {"key": key, "name": name, "trainings": trainings, "reached": len(people)}
    out.update(stats.paired(pre, post))
    kept = [p for p in matched if p.followup is not None]
    out.update(
        followup.group(*(np.asarray([getattr(p, f) for p in kept], dtype=np.float64)
                         for f in ("pre", "post", "followup")))
    )  # fmt: skip
    for phase in ("pre", "post"):
        marks = [getattr(p, f"pass_{phase}") for p in matched]
        known = [m for m in marks if m is not None]
        out[f"pct_pass_{phase}"] = pct(sum(known), len(known)) if known else None
    return out


def _grouped(
    trainings: list[ProgrammeTraining],
    training_key: Callable[[ProgrammeTraining], str] | None,
    person_key: Callable[[Person], str] | None,
    names: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    people: dict[str, list[Person]] = defaultdict(list)
    where: dict[str, set[str]] = defaultdict(set)
    for t in trainings:
        for p in t.people:
            k = training_key(t) if training_key else person_key(p) if person_key else ""
            people[k].append(p)
            where[k].add(t.id)
        if training_key and not t.people:
            where[training_key(t)].add(t.id)
    keys = sorted(set(people) | set(where))
    return [
        pooled(k, (names or {}).get(k, k), people.get(k, []), len(where.get(k, ()))) for k in keys
    ]


def _by_institution(people: Iterable[Person]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for p in people:
        counts[p.institution] += 1
    return dict(sorted(counts.items()))


def _node(
    t: ProgrammeTraining, depth: dict[str, int], children: dict[str, list[ProgrammeTraining]]
) -> dict[str, Any]:
    """One training of a cascade tree, with its own figures and the trainings it led to."""
    fig = pooled(t.id, t.title, t.people, 1)
    fig.update(
        {
            "id": t.id,
            "title": t.title,
            "country": t.country,
            "starts_on": t.starts_on,
            "generation": depth.get(t.id, 0),
            "reached_by_institution": _by_institution(t.people),
            "children": [_node(c, depth, children) for c in children.get(t.id, [])],
        }
    )
    return fig


def _cascades(
    trainings: list[ProgrammeTraining], parent: dict[str, str | None], titles: dict[str, str]
) -> list[dict[str, Any]]:
    depth = depths(parent)
    top = tops(parent)
    shown = {t.id for t in trainings}
    children: dict[str, list[ProgrammeTraining]] = defaultdict(list)
    for t in sorted(trainings, key=lambda t: (t.starts_on, t.id)):
        up = parent.get(t.id)
        if up in shown and top.get(t.id) != t.id:
            children[up].append(t)
    out = []
    for root in sorted({top.get(t.id, t.id) for t in trainings}):
        members = [t for t in trainings if top.get(t.id, t.id) == root]
        gens = _grouped(members, lambda t: str(depth.get(t.id, 0)), None)
        for g in gens:
            g["generation"] = int(g["key"])
            g["name"] = f"Generation {g['key']}"
            people = (p for t in members if str(depth.get(t.id, 0)) == g["key"] for p in t.people)
            g["reached_by_institution"] = _by_institution(people)
        gens.sort(key=lambda g: int(g["generation"]))
        # Top nodes: trainings whose parent is not shown (the ToT itself, or a filtered-out one).
        heads = [
            t for t in sorted(members, key=lambda t: (t.starts_on, t.id))
            if parent.get(t.id) not in shown or top.get(t.id) == t.id
        ]  # fmt: skip
        out.append(
            {
                "root": root,
                "root_title": titles.get(root, root),
                "trainings": [t.id for t in members],
                "reached": sum(len(t.people) for t in members),
                "n_matched": sum(
                    1 for t in members for p in t.people if p.pre is not None and p.post is not None
                ),
                "reached_by_institution": _by_institution(p for t in members for p in t.people),
                "generations": gens,
                "tree": [_node(t, depth, children) for t in heads],
            }
        )
    return out


def programme_report(
    trainings: list[ProgrammeTraining],
    institution_names: dict[str, str] | None = None,
    *,
    parents: dict[str, str | None] | None = None,
    titles: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The programme view as a JSON-ready dict.

    `parents` (training id -> parent id) should cover every training the reader may see, so
    that a filtered view keeps each training's generation; by default it is `trainings`' own.
    """
    parent = dict(parents) if parents is not None else {}
    for t in trainings:
        parent.setdefault(t.id, t.parent)
    names = {t.id: t.title for t in trainings} | (titles or {})
    depth = depths(parent)
    top = tops(parent)
    overall = pooled(
        "overall", "All trainings", [p for t in trainings for p in t.people], len(trainings)
    )
    rows = []
    for t in sorted(trainings, key=lambda t: (t.starts_on, t.id)):
        fig = pooled(t.id, t.title, t.people, 1)
        fig.update(
            {
                "country": t.country,
                "starts_on": t.starts_on,
                "period": quarter(t.starts_on),
                "parent": t.parent,
                "generation": depth.get(t.id, 0),
                "cascade": top.get(t.id, t.id),
                "simulated": t.simulated,
            }
        )
        rows.append(fig)
    report = {
        "overall": overall,
        "trainings": rows,
        "countries": _grouped(trainings, lambda t: t.country, None),
        "periods": _grouped(trainings, lambda t: quarter(t.starts_on), None),
        "institutions": _grouped(trainings, None, lambda p: p.institution, institution_names),
        "sexes": _grouped(trainings, None, lambda p: p.sex, SEXES),
        "cascades": _cascades(trainings, parent, names),
        "simulated": any(t.simulated for t in trainings),
    }
    result: dict[str, Any] = scrub(report)
    return result
