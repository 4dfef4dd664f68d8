"""Assemble the report of one training (docs/api.md lists the JSON names, which are fixed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from forms.model import SCORED_TYPES, QuestionSet
from server.reports import evaluation as ev
from server.reports import items as it
from server.reports import stats
from server.reports.followup import add_to as add_followup
from server.reports.inputs import ReportInput
from server.reports.matching import Matching, match
from server.reports.numbers import mean, scrub, snap, snap_one
from server.reports.phase import PhaseMatrix, points_matrix
from server.reports.strings import METHODS, SEXES
from server.reports.text import label

Floats = NDArray[np.float64]
SEX_ORDER = ("female", "male", "other", "undisclosed")

__all__ = ["PhaseMatrix", "build_report", "points_matrix"]


def _ordered(keys: Iterable[str], first: Sequence[str]) -> list[str]:
    present = set(keys)
    return [k for k in first if k in present] + sorted(present - set(first))


class _Groups:
    """Rows of the matched and of all takers, with each row's group keys, for group figures."""

    def __init__(self, m: Matching, pre: PhaseMatrix, post: PhaseMatrix) -> None:
        self.pre, self.post = pre, post
        people = m.participants
        has_pre = np.asarray([p.pre is not None for p in people], dtype=bool).reshape(-1)
        has_post = np.asarray([p.post is not None for p in people], dtype=bool).reshape(-1)
        both = has_pre & has_post
        self.has_pre, self.has_post = has_pre, has_post
        # PhaseMatrix rows follow the participants' order, so ranks give the matched rows.
        self.m_pre = (np.cumsum(has_pre) - 1)[both].astype(np.intp)
        self.m_post = (np.cumsum(has_post) - 1)[both].astype(np.intp)
        # Group keys per row: of the matched, of the pre-test takers, of the post-test takers.
        self.keys: dict[str, dict[str, NDArray[np.object_]]] = {}
        for field in ("institution", "sex"):
            every = np.asarray(list(map(attrgetter(field), people)), dtype=object)
            self.keys[field] = {
                "matched": every[both],
                "pre": every[has_pre],
                "post": every[has_post],
            }

    def _rows(self, field: str | None, key: str, which: str, size: int) -> NDArray[np.bool_]:
        if field is None:
            return np.ones(size, dtype=bool)
        out: NDArray[np.bool_] = self.keys[field][which] == key
        return out

    def figures(self, field: str | None, key: str, name: str) -> dict[str, Any]:
        sel = self._rows(field, key, "matched", self.m_pre.size)
        out: dict[str, Any] = {"key": key, "name": name}
        out.update(
            stats.paired(
                self.pre.percent[self.m_pre[sel]],
                self.post.percent[self.m_post[sel]],
                pass_mark_pre=self.pre.pass_mark,
                pass_mark_post=self.post.pass_mark,
            )
        )
        for phase, tm in (("pre", self.pre), ("post", self.post)):
            rows = self._rows(field, key, phase, tm.percent.size)
            d = stats.descriptive(tm.percent[rows])
            out[f"{phase}_n"] = d["n"]
            out[f"{phase}_all_mean"] = d["mean"]
        return out


def build_report(
    inp: ReportInput, *, lang: str = "en", generated_at: str | None = None
) -> dict[str, Any]:
    """The whole report of one training as a JSON-ready dict, never holding NaN or infinity."""
    return _build(inp, lang, generated_at)


def _build(inp: ReportInput, lang: str, generated_at: str | None) -> dict[str, Any]:
    m = match(inp.responses)
    versions = {(qs.id, qs.version): qs for qs in inp.other_forms}
    for qs in (inp.pre_form, inp.post_form):
        if qs is not None:
            versions[(qs.id, qs.version)] = qs
    pre_rows = [p.pre for p in m.participants if p.pre is not None]
    post_rows = [p.post for p in m.participants if p.post is not None]
    pre = PhaseMatrix(inp.pre_form, pre_rows, versions)
    post = PhaseMatrix(inp.post_form, post_rows, versions)
    inst_names = {i.key: label(i.name, lang) or i.key for i in inp.institutions}
    inst_order = _ordered(
        {p.institution for p in m.participants}, [i.key for i in inp.institutions]
    )
    sex_order = _ordered({p.sex for p in m.participants}, SEX_ORDER)

    g = _Groups(m, pre, post)
    overall = g.figures(None, "overall", "All participants")
    institutions = [g.figures("institution", k, inst_names.get(k, k)) for k in inst_order]
    sexes = [g.figures("sex", k, SEXES.get(k, k)) for k in sex_order]

    items = _items(pre, post, g, lang)
    eval_entries: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    if inp.eval_form is not None:
        answered = [
            (p.institution, p.evaluation.answers)
            for p in m.participants
            if p.evaluation is not None
        ]
        eval_entries, comments = ev.evaluate(inp.eval_form, answered, lang)
    for c in comments:
        c["institution_name"] = inst_names.get(c["institution"], c["institution"])

    repeated = {r["submission_id"] for r in m.repeats}
    timing: dict[str, int] = {}
    for r in inp.responses:
        if r.flags and r.submission_id not in repeated:
            for f in r.flags:
                timing[f] = timing.get(f, 0) + 1

    t = inp.training
    report: dict[str, Any] = {
        "training": {
            "id": t.id,
            "title": t.title,
            "country": t.country,
            "location": t.location,
            "starts_on": t.starts_on,
            "ends_on": t.ends_on,
            "parent": t.parent,
            "pre_test": _form_ref(inp.pre_form, lang, pre),
            "post_test": _form_ref(inp.post_form, lang, post),
            "evaluation": _form_ref(inp.eval_form, lang),
        },
        "generated_at": generated_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "simulated": t.simulated or any(map(attrgetter("simulated"), inp.responses)),
        "flow": m.flow,
        "overall": overall,
        "institutions": institutions,
        "sexes": sexes,
        "items": items,
        "item_stats": {
            "pre": _item_stats(pre),
            "post": _item_stats(post),
        },
        "test_stats": {"pre": pre.test_stats(), "post": post.test_stats()},
        "topics": _topics(pre, post, g),
        "heatmap": _heatmap(post, g, inst_order, inst_names),
        "evaluation": eval_entries,
        "comments": comments,
        "participants": _participant_rows(m, g),
        "repeats": m.repeats,
        "flags": {
            "near_matches": m.near_matches,
            "duplicate_codes": m.duplicate_codes,
            "institution_changes": m.institution_changes,
            "timing": timing,
        },
        "methods": METHODS,
        "method_parameters": {
            "min_inferential_n": stats.MIN_INFERENTIAL_N,
            "confidence_interval": "t-based, 95%",
            "wilcoxon_zero_method": stats.WILCOXON_ZERO_METHOD,
            "mcnemar": "exact (binomial, two-sided)",
            "score_precision": "percents rounded to 1e-9 before every rank and comparison",
            "item_statistics": "Moodle quiz statistics, post-test, first attempt",
            "group_membership": "institution and sex given with the pre-test",
        },
    }
    _add_followup(report, m, g, inp, versions)
    bulky = {"participants": report.pop("participants"), "repeats": report.pop("repeats")}
    safe: dict[str, Any] = scrub(report)
    safe.update(bulky)
    return safe


def _add_followup(
    report: dict[str, Any],
    m: Matching,
    g: _Groups,
    inp: ReportInput,
    versions: dict[tuple[str, str], QuestionSet],
) -> None:
    pre = np.full(len(m.participants), np.nan)
    pre[g.has_pre] = g.pre.percent
    post = np.full(len(m.participants), np.nan)
    post[g.has_post] = g.post.percent
    add_followup(report, m.participants, pre, post, inp.responses, versions, inp.post_form)


def _form_ref(
    form: QuestionSet | None, lang: str, tm: PhaseMatrix | None = None
) -> dict[str, Any] | None:
    if form is None:
        return None
    out: dict[str, Any] = {
        "form": form.id,
        "version": form.version,
        "title": label(form.title, lang),
        "pass_mark": form.pass_mark,
        "questions": sum(q.type in SCORED_TYPES for q in form.questions),
    }
    if tm is not None:
        out["versions_answered"] = tm.versions
    return out


def _item_stats(tm: PhaseMatrix) -> list[dict[str, Any]]:
    return [
        {"id": q, "n": n, **fig} for q, n, fig in zip(tm.qids, tm.takers(), tm.moodle, strict=True)
    ]


def _items(pre: PhaseMatrix, post: PhaseMatrix, g: _Groups, lang: str) -> list[dict[str, Any]]:
    qids = post.qids + [q for q in pre.qids if q not in post.topics]
    pre_pct = dict(zip(pre.qids, pre.pct_correct(), strict=True))
    post_pct = dict(zip(post.qids, post.pct_correct(), strict=True))
    pre_n = dict(zip(pre.qids, pre.takers(), strict=True))
    post_n = dict(zip(post.qids, post.takers(), strict=True))
    moodle = dict(zip(post.qids, post.moodle, strict=True))
    both = [q for q in qids if q in pre.topics and q in post.topics]
    pre_cols = np.asarray([pre.qids.index(q) for q in both], dtype=np.intp)
    post_cols = np.asarray([post.qids.index(q) for q in both], dtype=np.intp)
    asked = None
    if pre.asked is not None or post.asked is not None:
        # A pair counts for a question only when both of its tests asked it.
        asked = np.ones((g.m_pre.size, len(both)), dtype=bool)
        if pre.asked is not None:
            asked &= pre.asked[np.ix_(g.m_pre, pre_cols)]
        if post.asked is not None:
            asked &= post.asked[np.ix_(g.m_post, post_cols)]
    mc = it.mcnemar(
        pre.ok[np.ix_(g.m_pre, pre_cols)] if both else np.zeros((0, 0), dtype=bool),
        post.ok[np.ix_(g.m_post, post_cols)] if both else np.zeros((0, 0), dtype=bool),
        asked if both else None,
    )
    mcnemar = dict(zip(both, mc, strict=True))
    none_mc = {"mcnemar_b": None, "mcnemar_c": None, "mcnemar_p": None}
    none_moodle = dict.fromkeys(("facility", "sd", "discrimination", "discriminative_efficiency"))
    out = []
    for q in qids:
        src = post if q in post.topics else pre
        before, after = pre_pct.get(q), post_pct.get(q)
        out.append(
            {
                "id": q,
                "topic": src.topics[q],
                "type": src.types[q],
                "label": label(src.labels[q], lang),
                "source": label(src.sources[q], lang) or None,
                "max_points": float(src.maxes[src.qids.index(q)]),
                "pre_n": pre_n.get(q, 0),
                "post_n": post_n.get(q, 0),
                "pre_correct_pct": before,
                "post_correct_pct": after,
                "change_pct": snap_one(after - before)
                if before is not None and after is not None
                else None,
                **mcnemar.get(q, none_mc),
                **moodle.get(q, none_moodle),
            }
        )
    return out


def _mean(values: Floats) -> float | None:
    return mean(values[np.isfinite(values)])


def _topics(pre: PhaseMatrix, post: PhaseMatrix, g: _Groups) -> list[dict[str, Any]]:
    names: list[str] = []
    for tm in (post, pre):
        for q in tm.qids:
            t = tm.topics[q]
            if t and t not in names:
                names.append(t)
    out = []
    for name in names:
        pre_cols = [i for i, q in enumerate(pre.qids) if pre.topics[q] == name]
        post_cols = [i for i, q in enumerate(post.qids) if post.topics[q] == name]
        pre_s = pre.topic_pct(pre_cols) if pre_cols else None
        post_s = post.topic_pct(post_cols) if post_cols else None
        change = None
        if pre_s is not None and post_s is not None and g.m_pre.size:
            change = _mean(snap(post_s[g.m_post] - pre_s[g.m_pre]))
        out.append(
            {
                "topic": name,
                "questions": len(post_cols or pre_cols),
                "pre_mean": _mean(pre_s) if pre_s is not None else None,
                "post_mean": _mean(post_s) if post_s is not None else None,
                "mean_change_matched": change,
            }
        )
    return out


def _heatmap(
    post: PhaseMatrix, g: _Groups, inst_order: list[str], inst_names: dict[str, str]
) -> dict[str, Any]:
    inst_of = g.keys["institution"]["post"]
    columns = []
    values = []
    for k in inst_order:
        mask = inst_of == k
        n = int(np.count_nonzero(mask))
        if not n:
            continue
        columns.append({"key": k, "name": inst_names.get(k, k), "n": n})
        values.append(post.pct_correct(mask))
    overall = post.pct_correct()
    rows = []
    for j, q in enumerate(post.qids):
        rows.append(
            {
                "id": q,
                "topic": post.topics[q],
                "values": [v[j] for v in values],
                "all": overall[j],
            }
        )
    return {"phase": "post", "columns": columns, "rows": rows}


def _finite(values: Floats) -> list[float | None]:
    out: list[float | None] = values.tolist()
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        out[i] = None
    return out


def _participant_rows(m: Matching, g: _Groups) -> list[dict[str, Any]]:
    """One row per participant code; percents, change and individual gain g (None if absent)."""
    n = len(m.participants)
    pre = np.full(n, np.nan)
    pre[g.has_pre] = g.pre.percent
    post = np.full(n, np.nan)
    post[g.has_post] = g.post.percent
    change = snap(post - pre)
    room = snap(100.0 - pre)
    with np.errstate(invalid="ignore", divide="ignore"):
        gain = np.where(room > 0, change / np.where(room > 0, room, 1.0), np.nan)
    return [
        {
            "code": p.code,
            "institution": p.institution,
            "sex": p.sex,
            "pre_percent": a,
            "post_percent": b,
            "change": c,
            "gain": d,
            "evaluation": p.evaluation is not None,
            "matched": p.pre is not None and p.post is not None,
            "flags": p.flags,
        }
        for p, a, b, c, d in zip(
            m.participants, _finite(pre), _finite(post), _finite(change), _finite(gain), strict=True
        )
    ]
