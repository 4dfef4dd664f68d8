"""Follow-up figures: what participants still know when tested again weeks after the training.

The first completed follow-up per participant code counts, as for the other phases. Group
figures use participants with a pre-test, a post-test and a follow-up, grouped as the rest of
the report groups them; every figure but the count is null below `MIN_INFERENTIAL_N`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from forms.model import QuestionSet
from server.reports import stats
from server.reports.inputs import Response
from server.reports.matching import Participant
from server.reports.numbers import num
from server.reports.phase import PhaseMatrix
from server.reports.stats import EPS, MIN_INFERENTIAL_N

Floats = NDArray[np.float64]

#: The follow-up figures of a group, as named in the report JSON.
KEYS = (
    "n_followup",
    "followup_mean",
    "followup_change",
    "followup_ci95",
    "followup_p",
    "retention",
)

METHOD = (
    "Follow-up: participants with a pre-test, a post-test and a follow-up test. Change is "
    "follow-up minus post-test, with a t-based 95% confidence interval and the paired t-test. "
    "Retention = mean (follow-up - pre) / mean (post - pre) over the same participants: 1 means "
    "everything gained was kept, 0 that it was all lost; it is not given when the mean gain is "
    "not positive. Follow-up figures are shown only where at least 5 participants took all "
    "three tests."
)


def firsts(responses: Sequence[Response]) -> dict[str, Response]:
    """The follow-up that counts for each participant code: the first completed."""
    found: dict[str, Response] = {}
    for r in responses:
        if r.phase != "followup":
            continue
        seen = found.get(r.code)
        if seen is None or (r.completed_at, r.received_at, r.submission_id) < (
            seen.completed_at,
            seen.received_at,
            seen.submission_id,
        ):
            found[r.code] = r
    return found


def group(pre: Floats, post: Floats, followup: Floats) -> dict[str, Any]:
    """The follow-up figures of one group: three score arrays of the same participants."""
    n = int(followup.size)
    out: dict[str, Any] = dict.fromkeys(KEYS)
    out["n_followup"] = n
    if n < MIN_INFERENTIAL_N:
        return out
    change = followup - post
    out["followup_mean"] = num(followup.mean())
    out["followup_change"] = num(change.mean())
    # The paired figures of follow-up against post, as for pre against post (one definition).
    paired = stats.inferential(post, followup)
    out["followup_ci95"] = paired["ci95"]
    out["followup_p"] = paired["p"]
    gained = float((post - pre).mean())
    if gained > EPS:
        out["retention"] = num(float((followup - pre).mean()) / gained)
    return out


def add_to(
    report: dict[str, Any],
    participants: Sequence[Participant],
    pre_percent: Floats,
    post_percent: Floats,
    responses: Sequence[Response],
    versions: dict[tuple[str, str], QuestionSet],
    fallback_form: QuestionSet | None,
) -> None:
    """Add the follow-up figures to a built report: `flow.followup`, each group's figures and
    each item's `followup_correct_pct`. `pre_percent` and `post_percent` follow
    `participants` (NaN where a test is missing)."""
    counted = firsts(responses)
    report["flow"]["followup"] = len(counted)
    fu = np.full(len(participants), np.nan)
    if counted:
        row_of = {p.code: i for i, p in enumerate(participants)}
        for code, r in counted.items():
            if r.percent is not None:
                fu[row_of[code]] = r.percent
    complete = np.isfinite(pre_percent) & np.isfinite(post_percent) & np.isfinite(fu)

    def figures(rows: NDArray[np.bool_]) -> dict[str, Any]:
        take = rows & complete
        return group(pre_percent[take], post_percent[take], fu[take])

    everyone = np.ones(len(participants), dtype=bool)
    report["overall"].update(figures(everyone))
    for field, name in (("institution", "institutions"), ("sex", "sexes")):
        keys = np.asarray([getattr(p, field) for p in participants], dtype=object)
        for g in report[name]:
            g.update(figures(keys == g["key"]))

    correct = _items_correct(list(counted.values()), versions, fallback_form)
    for item in report["items"]:
        item["followup_n"], item["followup_correct_pct"] = correct.get(item["id"], (0, None))
    report["method_parameters"]["retention"] = METHOD


def _items_correct(
    taken: list[Response],
    versions: dict[tuple[str, str], QuestionSet],
    fallback_form: QuestionSet | None,
) -> dict[str, tuple[int, float | None]]:
    """Per question, how many took the follow-up and were asked it, and % correct of them."""
    if not taken:
        return {}
    most = Counter((r.form_id, r.form_version) for r in taken).most_common(1)[0][0]
    form = versions.get(most, fallback_form)
    matrix = PhaseMatrix(form, taken, versions)
    figures = zip(matrix.takers(), matrix.pct_correct(), strict=True)
    return dict(zip(matrix.qids, figures, strict=True))
