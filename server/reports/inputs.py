"""Plain inputs of a report: what `queries.py` loads and what the pure computation reads."""

from __future__ import annotations

from typing import Any

import msgspec

from forms.model import QuestionSet


class Response(msgspec.Struct, gc=False):
    """One stored submission, reduced to what a report needs.

    Fields follow `queries.SUBMISSIONS_SQL` so rows convert positionally. Never part of a
    reference cycle, so the garbage collector need not track the thousands a report loads;
    `flags` is a tuple for the same reason (nearly all are empty, and `()` is never tracked).
    """

    submission_id: str
    code: str
    institution: str
    sex: str
    phase: str
    completed_at: str
    received_at: str = ""
    lang: str = ""
    device: str = ""
    form_id: str = ""
    form_version: str = ""
    percent: float | None = None
    #: The stored JSON of `item_points`, left undecoded so a whole test decodes in one pass.
    points_json: str = ""
    answers: dict[str, Any] = {}
    flags: tuple[str, ...] = ()
    simulated: bool = False
    #: Item points as a dict, for inputs built by hand (tests, samples).
    item_points: dict[str, float] = {}
    #: Question id -> choice ids in the order the phone showed them (shuffled questions only).
    choice_order: dict[str, list[str]] = {}


class Institution(msgspec.Struct, kw_only=True):
    """An institution taking part, with its name per language."""

    key: str
    name: dict[str, str] = {}


class TrainingInfo(msgspec.Struct, kw_only=True):
    """The training a report is about."""

    id: str
    title: str
    country: str = ""
    location: str = ""
    starts_on: str = ""
    ends_on: str = ""
    parent: str | None = None
    simulated: bool = False


class ReportInput(msgspec.Struct, kw_only=True):
    """Everything the pure report computation needs for one training."""

    training: TrainingInfo
    institutions: list[Institution]
    responses: list[Response]
    pre_form: QuestionSet | None = None
    post_form: QuestionSet | None = None
    eval_form: QuestionSet | None = None
    #: Other versions of the tests that some submissions were made on (scored with their own).
    other_forms: list[QuestionSet] = []
