"""Across trainings: results by country, institution and period, and the cascade by generation.

Pure: takes one `ProgrammeTraining` per training (its matched scores already reduced by
`summarise`) and pools participants, never averaging averages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
import numpy as np

from server.reports import stats
from server.reports.inputs import ReportInput
from server.reports.matching import match
from server.reports.numbers import pct, scrub
from server.reports.strings import SEXES


class Person(msgspec.Struct, array_like=True, gc=False):
    """One participant of one training: group keys, percents, and pass or not (None: no mark)."""

    institution: str
    sex: str
    pre: float | None
    post: float | None
    pass_pre: bool | None
    pass_post: bool | None


class ProgrammeTraining(msgspec.Struct, kw_only=True):
    id: str
    title: str
    country: str
    starts_on: str
    parent: str | None
    simulated: bool
    people: list[Person]


def summarise(inp: ReportInput) -> ProgrammeTraining:
    """Reduce one training's input to what the programme view pools."""
    m = match(inp.responses)
    marks = (
        inp.pre_form.pass_mark if inp.pre_form else None,
        inp.post_form.pass_mark if inp.post_form else None,
    )

    def passed(r: Any, mark: float | None) -> bool | None:
        if r is None or mark is None or r.percent is None:
            return None
        return bool(r.percent >= mark - stats.EPS)

    people = [
        Person(
            p.institution,
            p.sex,
            p.pre.percent if p.pre is not None else None,
            p.post.percent if p.post is not None else None,
            passed(p.pre, marks[0]),
            passed(p.post, marks[1]),
        )
        for p in m.participants
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


def generations(trainings: Iterable[ProgrammeTraining]) -> dict[str, int]:
    """Cascade depth of each training: 0 without a parent among `trainings` (cycles cut)."""
    parent = {t.id: t.parent for t in trainings}
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


def roots(trainings: Iterable[ProgrammeTraining]) -> dict[str, str]:
    """The top training of each training's cascade."""
    parent = {t.id: t.parent for t in trainings}
    out = {}
    for tid in parent:
        node, seen = tid, {tid}
        while parent.get(node) in parent and parent[node] not in seen:
            node = parent[node]  # type: ignore[assignment]
            seen.add(node)
        out[tid] = node
    return out


def pooled(key: str, name: str, people: list[Person], trainings: int) -> dict[str, Any]:
    """Group figures over pooled participants (matched for the paired figures)."""
    matched = [p for p in people if p.pre is not None and p.post is not None]
    pre = np.asarray([p.pre for p in matched], dtype=np.float64)
    post = np.asarray([p.post for p in matched], dtype=np.float64)
    out: dict[str, Any] = {"key": key, "name": name, "trainings": trainings, "reached": len(people)}
    out.update(stats.paired(pre, post))
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


def programme_report(
    trainings: list[ProgrammeTraining], institution_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """The programme view as a JSON-ready dict."""
    depth = generations(trainings)
    top = roots(trainings)
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
                "parent": t.parent,
                "generation": depth.get(t.id, 0),
                "cascade": top.get(t.id, t.id),
                "simulated": t.simulated,
            }
        )
        rows.append(fig)
    cascades = []
    for root in sorted(set(top.values())):
        members = [t for t in trainings if top.get(t.id) == root]
        gens = _grouped(members, lambda t: str(depth.get(t.id, 0)), None)
        for g in gens:
            g["generation"] = int(g["key"])
            by_inst: dict[str, int] = defaultdict(int)
            for t in members:
                if str(depth.get(t.id, 0)) == g["key"]:
                    for p in t.people:
                        by_inst[p.institution] += 1
            g["reached_by_institution"] = dict(sorted(by_inst.items()))
        cascades.append(
            {
                "root": root,
                "trainings": [t.id for t in members],
                "reached": sum(len(t.people) for t in members),
                "generations": gens,
            }
        )
    report = {
        "overall": overall,
        "trainings": rows,
        "countries": _grouped(trainings, lambda t: t.country, None),
        "periods": _grouped(trainings, lambda t: t.starts_on[:4] or "unknown", None),
        "institutions": _grouped(trainings, None, lambda p: p.institution, institution_names),
        "sexes": _grouped(trainings, None, lambda p: p.sex, SEXES),
        "cascades": cascades,
        "simulated": any(t.simulated for t in trainings),
    }
    result: dict[str, Any] = scrub(report)
    return result
