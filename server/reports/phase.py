"""Item points of one test (pre or post), scored with the version each participant answered.

A training may hold submissions on several versions of its test (a new version published while
devices were still offline), and the form's logic may skip a question for some participants
(its relevance false). Either way a question counts only for the people who were asked it:
scoring stores points for exactly the questions of the row's version that were asked, so a
question missing from a row's points was not asked. Questions are keyed by id across versions
and each row's maximum comes from its own version. When everyone was asked everything on one
version (the common case) no mask is built at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property, lru_cache
from itertools import chain
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np
from msgspec.structs import astuple
from numpy.typing import NDArray

from forms.model import SCORED_TYPES, Question, QuestionSet
from server.reports import items as it
from server.reports.inputs import Response
from server.reports.numbers import canonical_rows, fraction, num, snap

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
_any_dict = msgspec.json.Decoder(dict[str, Any])
_version_of = attrgetter("form_id", "form_version")


def _scored(form: QuestionSet | None) -> list[Question]:
    return [q for q in form.questions if q.type in SCORED_TYPES] if form else []


class PhaseMatrix:
    """Item points of everyone who took one test: rows follow `responses`, columns `qids`.

    `asked` and `row_max` are None when every row answered the same version and was asked
    every question; otherwise `asked[i, j]` says whether row i was asked question j (its
    version has it and its logic did not skip it) and `row_max[i, j]` is its maximum there
    (0 where not asked).
    """

    def __init__(
        self,
        form: QuestionSet | None,
        responses: Sequence[Response],
        versions: dict[tuple[str, str], QuestionSet] | None = None,
    ) -> None:
        self.form = form
        self.pass_mark = form.pass_mark if form else None
        self.codes = [r.code for r in responses]
        current = (form.id, form.version) if form else ("", "")
        known = versions or {}
        # Rows whose version is unknown (hand-built inputs, a deleted form) use the current one.
        seen = {k if k in known else current for k in set(map(_version_of, responses))}
        taken = sorted(seen, key=lambda k: (k != current, k))
        self.asked: Bools | None = None
        self.row_max: Floats | None = None
        #: The versions answered, current first: form, version and number of takers.
        self.versions: list[dict[str, Any]] = []
        self._keys: list[tuple[str, str]] = []

        if taken in ([], [current]):
            questions = _scored(form)
            self._describe(questions)
            self.points = points_matrix(self.qids, responses)
            skipped = np.isnan(self.points)
            if skipped.any():
                self.asked = ~skipped
                self.row_max = np.where(skipped, 0.0, self.maxes)
                self.points[skipped] = 0.0
                self._keys = [current] * len(responses)
        else:
            keys = [k if k in known else current for k in map(_version_of, responses)]
            self._keys = keys
            by_version = {k: _scored(form if k == current else known[k]) for k in taken}
            ordered = chain(_scored(form), *by_version.values())
            union: dict[str, Question] = {}
            for q in ordered:
                union.setdefault(q.id, q)
            # Only questions someone was asked: a question new in a version nobody took is noise.
            asked_ids = {q.id for qs in by_version.values() for q in qs}
            self._describe([q for q in union.values() if q.id in asked_ids])
            col = {q: j for j, q in enumerate(self.qids)}
            n, width = len(responses), len(self.qids)
            self.points = np.zeros((n, width))
            self.asked = np.zeros((n, width), dtype=bool)
            self.row_max = np.zeros((n, width))
            key_rows: dict[tuple[str, str], list[int]] = {}
            for i, k in enumerate(keys):
                key_rows.setdefault(k, []).append(i)
            for k, rows_list in key_rows.items():
                qs = by_version[k]
                rows = np.asarray(rows_list, dtype=np.intp)
                cols = np.asarray([col[q.id] for q in qs], dtype=np.intp)
                sub = points_matrix([q.id for q in qs], [responses[i] for i in rows_list])
                skipped = np.isnan(sub)
                sub[skipped] = 0.0
                grid = np.ix_(rows, cols)
                self.points[grid] = sub
                self.asked[grid] = ~skipped
                maxes = np.asarray([q.points for q in qs], dtype=np.float64)
                self.row_max[grid] = np.where(skipped, 0.0, maxes)
            self.versions = [{"form": k[0], "version": k[1], "n": len(key_rows[k])} for k in taken]

        if not self.versions and form and responses:
            self.versions = [{"form": current[0], "version": current[1], "n": len(responses)}]
        if self.row_max is None:
            self.ok = self.shares >= 1.0  # correct only with full points
            total = float(self.maxes.sum())
            computed = 100.0 * self.points.sum(axis=1) / total if total > 0 else None
        else:
            assert self.asked is not None
            self.ok = it.correct(self.points, self.row_max) & self.asked
            totals = self.row_max.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                computed = np.where(totals > 0, 100.0 * self.points.sum(axis=1) / totals, 0.0)
        # The stored percent is what the participant was told; fall back to the item sums.
        stored = np.asarray([r.percent for r in responses], dtype=np.float64).reshape(-1)
        missing = ~np.isfinite(stored)
        if missing.any():
            stored[missing] = computed[missing] if computed is not None else 0.0
        self.percent = snap(stored)

    def _describe(self, questions: list[Question]) -> None:
        self.qids = [q.id for q in questions]
        self.topics = {q.id: q.topic for q in questions}
        self.labels = {q.id: q.text for q in questions}
        self.sources = {q.id: q.source for q in questions}
        self.types = {q.id: q.type for q in questions}
        #: Each question's maximum in the current version (else the newest that has it).
        self.maxes = np.asarray([q.points for q in questions], dtype=np.float64)

    def takers(self) -> list[int]:
        """How many people were asked each question."""
        if self.asked is None:
            return [len(self.codes)] * len(self.qids)
        counts: list[int] = self.asked.sum(axis=0).tolist()
        return counts

    def pct_correct(self, rows: NDArray[Any] | None = None) -> list[float | None]:
        """Percent correct per question over the rows (default all) that were asked it."""
        ok = self.ok if rows is None else self.ok[rows]
        if self.asked is None:
            return it.pct_correct(ok)
        asked = self.asked if rows is None else self.asked[rows]
        right = ok.sum(axis=0)
        n = asked.sum(axis=0)
        return [num(100.0 * a / b) if b else None for a, b in zip(right, n, strict=True)]

    @cached_property
    def shares(self) -> Floats:
        """Each item's points as a share of its maximum (one version), rounded as `snap` does."""
        return fraction(self.points, self.maxes)

    @cached_property
    def _ordered(self) -> tuple[Floats, Floats]:
        """`shares` in canonical row order, and each question's share of the test's maximum:
        what the item and test statistics of one version are computed from, the same whatever
        the scale of the points or the order of the participants."""
        shares = self.shares[canonical_rows(self.shares)]
        return shares, fraction(self.maxes, float(self.maxes.sum()))

    @cached_property
    def moodle(self) -> list[dict[str, float | None]]:
        """Moodle's item statistics of this test, one dict per question.

        Item and rest scores are shares of their maxima in each row's own version: this only
        rescales each column, which leaves every figure unchanged, and makes the figures the
        same whatever the scale of the questions' points.
        """
        if self.asked is None or self.row_max is None:
            x, weight = self._ordered
            weighted = x * weight
            rest = weighted.sum(axis=1, keepdims=True) - weighted
            rest_weight = 1.0 - weight
            if bool(np.all(rest_weight > 0)):
                rest /= rest_weight
            else:  # a test of one question has no rest
                rest[:] = 0.0
            return it.moodle_items(x, np.ones(len(self.qids)), rest, ordered=True)
        total = self.points.sum(axis=1, keepdims=True)
        total_max = self.row_max.sum(axis=1, keepdims=True)
        x = np.nan_to_num(fraction(self.points, self.row_max))
        rest = np.nan_to_num(fraction(total - self.points, total_max - self.row_max))
        return it.moodle_items_asked(x, rest, self.asked)

    def test_stats(self) -> dict[str, Any]:
        """Moodle's test statistics. Internal consistency needs the same items in every row:
        when not everyone was asked everything, it is computed on the takers of the most
        answered version, over the questions every one of them was asked (a question shown
        only to some is left out rather than its takers: they are a group the logic picked)."""
        if self.asked is None or self.row_max is None:
            x, weight = self._ordered
            out = it.test_stats(x * weight, weight, ordered=True)
            out["consistency_questions"] = len(self.qids) if out["n"] else 0
            return out
        totals = self.row_max.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = np.where(totals > 0, 100.0 * self.points.sum(axis=1) / totals, 0.0)
        out = it.score_stats(scores)
        biggest = max(self.versions, key=lambda v: int(v["n"]))
        key = (biggest["form"], biggest["version"])
        rows = np.asarray([k == key for k in self._keys], dtype=bool)
        cols = self.asked[rows].all(axis=0) if rows.any() else np.zeros(len(self.qids), bool)
        first = int(np.argmax(rows))
        sub = _test_stats(self.points[np.ix_(rows, cols)], self.row_max[first][cols])
        for name in ("cic", "error_ratio", "standard_error"):
            out[name] = sub[name]
        out["consistency_version"] = biggest["version"]
        out["consistency_n"] = biggest["n"]
        out["consistency_questions"] = int(cols.sum())
        return out

    def topic_pct(self, cols: list[int]) -> Floats:
        """Each row's percent of the topic's points (NaN where its version has none of them)."""
        if self.row_max is None:
            top = float(self.maxes[cols].sum())
            if top <= 0:
                return np.zeros(self.points.shape[0])
            return snap(100.0 * self.points[:, cols].sum(axis=1) / top)
        tops = self.row_max[:, cols].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(tops > 0, 100.0 * self.points[:, cols].sum(axis=1) / tops, np.nan)
        return snap(out)


def _test_stats(points: Floats, maxes: Floats) -> dict[str, Any]:
    """Moodle's test statistics on each item's share of the test's maximum: the same figures,
    whatever the scale of the questions' points."""
    total = float(maxes.sum())
    if total <= 0:
        return it.test_stats(points, maxes)
    return it.test_stats(fraction(points, total), fraction(maxes, total))


@lru_cache(maxsize=32)
def _points_decoder(qids: tuple[str, ...]) -> msgspec.json.Decoder[Any]:
    # A struct with one float field per question decodes `{qid: points}` without building a
    # dict per row; unknown keys are ignored and a question missing (not asked) is NaN.
    fields = [(f"f{i}", float, math.nan) for i in range(len(qids))]
    rename = {f"f{i}": q for i, q in enumerate(qids)}
    row = msgspec.defstruct("ItemPoints", fields, rename=rename, gc=False)
    return msgspec.json.Decoder(row)


def points_matrix(qids: list[str], responses: Sequence[Response]) -> Floats:
    """Rows of item points as a float matrix; NaN where a question is missing from a row's
    points, which means it was not asked (scoring records every question asked, unanswered
    ones with 0; a row without item points records none asked)."""
    n = len(responses)
    if not qids:
        return np.zeros((n, 0))
    jsons = [r.points_json for r in responses]
    if n and all(jsons):
        try:
            rows = list(map(_points_decoder(tuple(qids)).decode, jsons))
        except msgspec.ValidationError:
            pass  # a null or odd value somewhere: take the careful path below
        else:
            flat = chain.from_iterable(map(astuple, rows))  # no Python frame per value
            return np.fromiter(flat, dtype=np.float64, count=n * len(qids)).reshape(n, len(qids))
    out = np.full((n, len(qids)), np.nan)
    for i, r in enumerate(responses):
        points = r.item_points or (_any_dict.decode(r.points_json) if r.points_json else {})
        for j, q in enumerate(qids):
            if q not in points:
                continue
            v = points[q]
            # Asked, with an odd value (never written by scoring): no points rather than no row.
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            out[i, j] = v if ok else 0.0
    return out
