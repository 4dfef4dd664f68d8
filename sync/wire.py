"""Wire types of `POST /api/v1/sync`, the one definition used by routes, tests and benchmarks,
and reading them from a request's bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import msgspec

from sync.limits import MAX_ID

Phase = Literal["pre", "post", "evaluation", "followup"]
#: The phases in the order a participant meets them.
PHASES: tuple[Phase, ...] = get_args(Phase)
Sex = Literal["female", "male", "other", "undisclosed"]
AgeBand = Literal["18-24", "25-34", "35-44", "45-54", "55+"]
#: The age bands a phone offers, in order (pwa/js/app.js lists the same).
AGE_BANDS: tuple[AgeBand, ...] = get_args(AgeBand)
Status = Literal["accepted", "duplicate", "conflict", "rejected"]

#: What decoding hostile JSON can raise: msgspec reports nesting deeper than it supports as a
#: RecursionError and invalid UTF-8 as a UnicodeDecodeError, not as a DecodeError.
DECODE_ERRORS = (msgspec.DecodeError, RecursionError, UnicodeDecodeError)

#: One answer value: a choice id, choice ids, true/false, a number or free text.
AnswerValue = str | bool | int | float | list[str] | None


class ParticipantInfo(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The profile a participant entered on the phone; no names."""

    code: str
    institution: str
    sex: Sex
    age_band: AgeBand | None = None


class Submission(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One completed form, as made on the phone."""

    id: str
    training: str
    form: str
    version: str
    phase: Phase
    lang: str
    participant: ParticipantInfo
    answers: dict[str, AnswerValue]
    completed_at: str
    started_at: str | None = None
    #: The proof, from the bundle, that the phone joined while joining was open.
    joining_stamp: str | None = None
    #: For questions whose choices were shuffled: question id -> choice ids in the order shown.
    choice_order: dict[str, list[str]] = {}


class SyncBatch(msgspec.Struct, forbid_unknown_fields=True):
    """The envelope; submissions are decoded one by one so one bad item never sinks the batch."""

    device: str
    submissions: list[msgspec.Raw]
    pending: int = 0


class UnsentFile(msgspec.Struct):
    """The file a phone exports when it never had a network (see sync/PROTOCOL.md)."""

    format: str
    device: str
    submissions: list[msgspec.Raw]
    version: int = 1
    exported_at: str = ""


class SyncResult(msgspec.Struct, omit_defaults=True):
    """The server's verdict on one submission, in batch order."""

    id: str
    status: Status
    detail: str = ""
    score: float | None = None


class SyncResponse(msgspec.Struct):
    results: list[SyncResult]


class PhaseWindow(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """When a phase may be started on a phone: each edge is absent (no limit), a day
    (`2019-01-11`: from the start of that day, or to its end, on the phone's own calendar) or an
    instant with its offset (`2019-01-11T08:00:00Z`)."""

    opens_at: str | None = None
    closes_at: str | None = None


class BundleTraining(msgspec.Struct):
    """What a phone needs to know of its training."""

    id: str
    join_code: str
    title: str | dict[str, str]
    country: str
    location: str
    starts_on: str
    ends_on: str
    show_score: bool
    joining_open: bool
    #: phase -> its window; a phase missing here is open throughout.
    windows: dict[str, PhaseWindow] = {}
    #: Given while joining is open; the phone sends it with each submission (`joining_stamp`).
    joining_stamp: str | None = None


class BundleInstitution(msgspec.Struct):
    key: str
    name: dict[str, str]


class Bundle(msgspec.Struct):
    """`GET /api/v1/bundles/{join_code}`: everything a phone needs offline; no answer keys.

    `forms` maps a phase (`pre`, `post`, `evaluation`, `followup`) to the public view of its
    question set.
    """

    training: BundleTraining
    institutions: list[BundleInstitution]
    forms: dict[str, dict[str, object]]
    languages: list[str]
    sync_url: str = "/api/v1/sync"


class NotUnsentFile(ValueError):
    """What was uploaded is not a file of unsent records exported by the app."""


def read_unsent(body: bytes) -> UnsentFile:
    """The exported file of unsent records in `body`; raises `NotUnsentFile` saying why."""
    try:
        unsent = msgspec.json.decode(body, type=UnsentFile)
    except DECODE_ERRORS as exc:
        raise NotUnsentFile(
            f"This is not a file of unsent records exported by the Tadrib app ({exc})."
        ) from exc
    if unsent.format != "tadrib-unsent":
        raise NotUnsentFile("This is not a file of unsent records exported by the Tadrib app.")
    return unsent


#: Fields with a fixed set of values, and those values, to say what a phone should have sent.
_ALLOWED = {
    "$.phase": PHASES,
    "$.participant.sex": get_args(Sex),
    "$.participant.age_band": AGE_BANDS,
}
_submission = msgspec.json.Decoder(Submission)


def read_batch(raws: Sequence[msgspec.Raw]) -> list[Submission | SyncResult]:
    """Each submission of a batch decoded, or rejected saying why it cannot be one: one bad
    submission never sinks the others."""
    return [_read(raw) for raw in raws]


def _read(raw: msgspec.Raw) -> Submission | SyncResult:
    try:
        sub = _submission.decode(raw)
    except msgspec.ValidationError as exc:
        allowed = [v for path, v in _ALLOWED.items() if str(exc).endswith(f"`{path}`")]
        hint = f" Allowed: {', '.join(allowed[0])}." if allowed else ""
        return _rejected(raw, f"The submission is malformed: {exc}.{hint}")
    except DECODE_ERRORS:
        return _rejected(raw, "The submission is not valid JSON.")
    if not sub.id or len(sub.id) > MAX_ID:
        return _rejected(raw, f"The submission id must be 1 to {MAX_ID} characters.")
    return sub


def _rejected(raw: msgspec.Raw, detail: str) -> SyncResult:
    """A submission that cannot be read, answered under its id when it has a readable one."""
    try:
        value = msgspec.json.decode(raw)
    except DECODE_ERRORS:
        value = None
    found = value.get("id") if isinstance(value, dict) else None
    return SyncResult(found[:MAX_ID] if isinstance(found, str) else "", "rejected", detail)
