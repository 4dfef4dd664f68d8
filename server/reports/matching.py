"""Pre/post matching by participant code, with the flags a trainer must check by hand.

The first completed submission per participant and phase counts; later ones are repeats.
Nothing is merged by guesswork: near-matches, shared codes and changed institutions are
reported, never silently resolved.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec

from server.reports.inputs import Response
from server.reports.strings import check_reason

PHASES = ("pre", "post", "evaluation")


class Participant(msgspec.Struct, gc=False):
    """One participant code with the submissions that count for it (never in a cycle; `flags`
    is a tuple so that the thousands without any hold nothing the garbage collector tracks)."""

    code: str
    institution: str
    sex: str
    pre: Response | None = None
    post: Response | None = None
    evaluation: Response | None = None
    flags: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return self.pre is not None and self.post is not None


class Matching(msgspec.Struct, kw_only=True):
    """The result of matching one training's submissions."""

    participants: list[Participant]
    flow: dict[str, int]
    repeats: list[dict[str, Any]]
    near_matches: list[dict[str, Any]]
    duplicate_codes: list[dict[str, Any]]
    institution_changes: list[dict[str, Any]]


def _order(r: Response) -> tuple[str, str, str]:
    return (r.completed_at, r.received_at, r.submission_id)


def match(responses: list[Response]) -> Matching:
    """Group submissions by code and phase, keep the first completed one, flag the doubtful."""
    #: Per phase, the submission that counts for each code (keyed by code alone: one dict
    #: lookup per code and phase, no key tuple built for each).
    firsts: dict[str, dict[str, Response]] = defaultdict(dict)
    several: dict[tuple[str, str], list[Response]] = {}
    for r in responses:
        seen = firsts[r.phase].setdefault(r.code, r)
        if seen is r:
            continue
        key = (r.code, r.phase)
        if key in several:
            several[key].append(r)
        else:
            several[key] = [seen, r]

    repeats: list[dict[str, Any]] = []
    #: Per code, each reason to doubt it by its English text: {"kind": ..., "params": {...}}.
    reasons: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (code, phase), subs in sorted(several.items()):
        subs.sort(key=_order)
        first = firsts[phase][code] = subs[0]
        for later in subs[1:]:
            repeats.append(
                {
                    "code": code,
                    "phase": phase,
                    "submission_id": later.submission_id,
                    "completed_at": later.completed_at,
                    "counted_submission_id": first.submission_id,
                }
            )
            if later.device and first.device and later.device != first.device:
                _note(reasons[code], "devices", phase=phase, n=len({s.device for s in subs}))
            if later.sex != first.sex:
                _note(reasons[code], "sex", phase=phase, first=first.sex, later=later.sex)
            if later.institution != first.institution:
                _note(
                    reasons[code],
                    "institution",
                    phase=phase,
                    first=first.institution,
                    later=later.institution,
                )
    repeated = {code for code, _ in several}

    participants: list[Participant] = []
    duplicates: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    pres, posts, evaluations, followups = (firsts[p] for p in (*PHASES, "followup"))
    for code in sorted(set().union(*firsts.values())):
        pre = pres.get(code)
        post = posts.get(code)
        evaluation = evaluations.get(code)
        anchor = pre or post or evaluation or followups.get(code)
        assert anchor is not None
        flags: tuple[str, ...] = ()
        if code in reasons:
            flags += ("duplicate_code",)
            texts = sorted(reasons[code])
            details = [reasons[code][text] for text in texts]
            duplicates.append({"code": code, "reasons": texts, "details": details})
        if pre is not None and post is not None and pre.institution != post.institution:
            flags += ("institution_changed",)
            changes.append({"code": code, "pre": pre.institution, "post": post.institution})
        if code in repeated:
            flags += ("repeat",)
        participants.append(
            Participant(code, anchor.institution, anchor.sex, pre, post, evaluation, flags)
        )

    near = near_matches(participants)
    if near:
        near_codes = {c for pair in near for c in (pair["pre_code"], pair["post_code"])}
        for p in participants:
            if p.code in near_codes:
                p.flags += ("near_match",)

    n_pre, n_post, n_matched = len(pres), len(posts), len(pres.keys() & posts.keys())
    flow = {
        "registered": len(participants),
        "pre": n_pre,
        "post": n_post,
        "matched": n_matched,
        "pre_only": n_pre - n_matched,
        "post_only": n_post - n_matched,
        "evaluation": len(evaluations),
        "repeats": len(repeats),
    }
    return Matching(
        participants=participants,
        flow=flow,
        repeats=repeats,
        near_matches=near,
        duplicate_codes=duplicates,
        institution_changes=changes,
    )


def _note(found: dict[str, dict[str, Any]], kind: str, **params: Any) -> None:
    """Records one reason to doubt a code, keyed by its English so that each is said once."""
    found[check_reason("en", kind, params)] = {"kind": kind, "params": params}


def within_one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by exactly one substituted, inserted or deleted character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _deletions(code: str) -> set[str]:
    return {code} | {code[:i] + code[i + 1 :] for i in range(len(code))}


def near_matches(participants: list[Participant]) -> list[dict[str, Any]]:
    """Pairs of a pre-only and a post-only code one edit apart: probably one person, typed twice.

    Candidates are found through their one-deletion neighbourhoods, so the cost grows with the
    number of unmatched codes, not with its square.
    """
    pre_only = [p for p in participants if p.pre is not None and p.post is None]
    post_only = [p for p in participants if p.post is not None and p.pre is None]
    index: dict[str, list[Participant]] = defaultdict(list)
    for p in post_only:
        for key in _deletions(p.code):
            index[key].append(p)
    pairs: list[dict[str, Any]] = []
    for a in pre_only:
        seen: set[str] = set()
        for key in _deletions(a.code):
            for b in index.get(key, ()):
                if b.code in seen or not within_one_edit(a.code, b.code):
                    continue
                seen.add(b.code)
                pairs.append(
                    {
                        "pre_code": a.code,
                        "post_code": b.code,
                        "pre_institution": a.institution,
                        "post_institution": b.institution,
                        "same_institution": a.institution == b.institution,
                        "same_sex": a.sex == b.sex,
                    }
                )
    pairs.sort(key=lambda d: (d["pre_code"], d["post_code"]))
    return pairs
