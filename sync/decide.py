"""Deciding a sync batch, in two pure steps: `decide` checks and scores each submission against
what was read of its training and question set; `settle` answers each once what is already
stored is known. No reading, no writing: ingest reads before and writes after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import msgspec

from forms.choice_order import order_problems
from forms.model import QuestionSet
from forms.scoring import check_and_score
from sync import joining, windows
from sync.limits import MAX_PER_CODE, MAX_PER_DEVICE
from sync.normalise import code_problem, normalise_code
from sync.wire import PhaseWindow, Submission, SyncResult

PHASE_NAMES = {
    "pre": "pre-test",
    "post": "post-test",
    "evaluation": "evaluation",
    "followup": "follow-up test",
}


class TrainingContext(msgspec.Struct, frozen=True):
    """What ingest needs to know of a training."""

    id: str
    institutions: frozenset[str]
    #: phase -> (form id, version)
    assignments: dict[str, tuple[str, str]]
    show_score: bool
    starts_on: str
    ends_on: str
    joining_open: bool = True
    #: The stamp its bundles give (`sync.joining.stamp`): proof a phone joined while open.
    joining_stamp: str = ""
    windows: dict[str, PhaseWindow] = {}


class Record(msgspec.Struct, kw_only=True):
    """A valid submission, checked and scored: what is stored of it, named as the columns of
    `submissions` (answers, points, flags and choice order as JSON text; `code` is the
    participant's normalised code), and whether its training shows scores."""

    show_score: bool
    #: Joining was open, or the phone's stamp proves it joined while it was (`sync.joining`).
    may_join: bool
    id: str
    training_id: str
    code: str
    form_id: str
    form_version: str
    phase: str
    lang: str
    raw_code: str
    institution: str
    sex: str
    age_band: str | None
    answers: str
    content_hash: str
    score: float | None
    max_score: float | None
    percent: float | None
    item_points: str | None
    started_at: str | None
    completed_at: str
    flags: str
    choice_order: str | None


class Stored(msgspec.Struct, frozen=True):
    """A submission already on disk with the same id: its training, content and score, and
    whether it was the first its participant sent for its phase (only that one shows a score)."""

    training_id: str
    content_hash: str
    percent: float | None
    first: bool


class Tally(msgspec.Struct):
    """Submissions already stored per (training, code, phase), and from the batch's device per
    (training, phase); the (training, code) pairs the batch names that the training has seen."""

    by_code: dict[tuple[str, str, str], int]
    by_device: dict[tuple[str, str], int]
    seen: set[tuple[str, str]] = set()


class Caps(msgspec.Struct, frozen=True):
    """The most submissions stored per phase of a training for one participant code and for one
    device: enough for honest use, too few to rebuild an answer key by trial."""

    per_code: int = MAX_PER_CODE
    per_device: int = MAX_PER_DEVICE


CAPS = Caps()


class Settled(msgspec.Struct):
    """The records to store, and one result per submission, in batch order."""

    records: list[Record]
    results: list[SyncResult]


#: What `decide` was given to read: trainings by join code, question sets by (id, version);
#: None for what does not exist.
Trainings = dict[str, TrainingContext | None]
Forms = dict[tuple[str, str], QuestionSet | None]


class Rejection(Exception):
    """A submission that cannot be accepted, with words a trainer understands."""


_canonical = msgspec.json.Encoder(order="sorted")
_json = msgspec.json.Encoder()


def content_hash(sub: Submission) -> str:
    """sha256 of the submission's canonical JSON (keys sorted): a retry gives the same."""
    return hashlib.sha256(_canonical.encode(sub)).hexdigest()


def _record(sub: Submission, trainings: Trainings, forms: Forms) -> Record:
    """The submission checked and scored; raises `Rejection`."""
    ctx = trainings.get(sub.training)
    if ctx is None:
        raise Rejection(
            f"No training has the join code '{sub.training}'; "
            "the phone should open the training's join link again."
        )
    phase = PHASE_NAMES[sub.phase]
    assigned = ctx.assignments.get(sub.phase)
    if assigned is None:
        raise Rejection(f"Training '{ctx.id}' has no {phase}.")
    if assigned[0] != sub.form:
        raise Rejection(
            f"The {phase} of training '{ctx.id}' is question set '{assigned[0]}', not '{sub.form}'."
        )
    person = sub.participant
    if person.institution not in ctx.institutions:
        raise Rejection(
            f"Institution '{person.institution}' does not take part in training '{ctx.id}'; the "
            "trainer can add it to the training, then export and upload this record again."
        )
    code = normalise_code(person.code)
    problem = code_problem(code)
    if problem:
        raise Rejection(problem)
    form = forms.get((sub.form, sub.version))
    if form is None:
        raise Rejection(f"Question set '{sub.form}' version {sub.version} is not published.")
    try:
        done: datetime | None = datetime.fromisoformat(sub.completed_at)
    except ValueError:
        done = None
    # The form's expressions see the phone's completion time as now, as the phone did.
    checked = check_and_score(form, sub.answers, sub.lang, done)
    problems = checked.problems + order_problems(form, sub.choice_order)
    if problems:
        raise Rejection(" ".join(problems))
    # A phone that started offline on an earlier version finishes on it and is scored with it.
    flags = ["other-version"] if assigned[1] != sub.version else []
    window = ctx.windows.get(sub.phase)
    flags += windows.timing_flags(sub.completed_at, ctx.starts_on, ctx.ends_on, window)
    sc = checked.score
    stamped = joining.matches(ctx.joining_stamp, sub.joining_stamp)
    return Record(
        show_score=ctx.show_score, may_join=ctx.joining_open or stamped, id=sub.id,
        training_id=ctx.id, code=code, form_id=sub.form, form_version=sub.version,
        phase=sub.phase, lang=sub.lang, raw_code=person.code, institution=person.institution,
        sex=person.sex, age_band=person.age_band, content_hash=content_hash(sub),
        answers=_json.encode(checked.answers).decode(),
        score=sc.total if sc else None, max_score=sc.maximum if sc else None,
        percent=sc.percent if sc else None,
        item_points=_json.encode(sc.points).decode() if sc else None,
        started_at=sub.started_at, completed_at=sub.completed_at,
        flags=_json.encode(flags).decode(),
        choice_order=_json.encode(sub.choice_order).decode() if sub.choice_order else None,
    )  # fmt: skip


def decide(
    batch: Sequence[Submission | SyncResult],
    trainings: Trainings,
    forms: Forms,
) -> list[Record | SyncResult]:
    """Each submission of the batch (`sync.wire.read_batch`), in order, accepted as a `Record` or
    rejected with the reason. A join code or question set missing from `trainings` or `forms`
    does not exist."""
    decided: list[Record | SyncResult] = []
    for sub in batch:
        if isinstance(sub, SyncResult):
            decided.append(sub)
            continue
        try:
            decided.append(_record(sub, trainings, forms))
        except Rejection as exc:
            decided.append(SyncResult(id=sub.id, status="rejected", detail=str(exc)))
    return decided


_EXPORT = " Export this record and give it to the trainer."


def _visible(record: Record, percent: float | None, was_first: bool) -> float | None:
    """The score to show: only for a participant's first submission of a phase, and only when
    the training shows scores."""
    return round(percent, 1) if record.show_score and was_first and percent is not None else None


def _refused(record: Record, detail: str, export: bool = False) -> SyncResult:
    return SyncResult(record.id, "rejected", detail + (_EXPORT if export else ""))


def settle(
    decided: Sequence[Record | SyncResult],
    stored: dict[str, Stored],
    tally: Tally,
    caps: Caps = CAPS,
) -> Settled:
    """What to store of `decided` and what to answer, given what is on disk: `stored` for the
    ids already there, `tally` of what each participant code and the device sent before. Each
    record is settled in turn, as if the ones the batch stored before it were on disk.

    An id already stored is a duplicate when its content is the same and a conflict otherwise;
    an id another training's submission holds is refused, as is a code the training has not
    seen from a phone that may not join, and a record beyond `caps`. Only the first submission
    of a participant and phase shows its score (if the training shows scores): later ones are
    repeats, and their scores would give the answer key away one changed answer at a time.
    """
    by_code, by_device, seen = dict(tally.by_code), dict(tally.by_device), set(tally.seen)
    stored = dict(stored)  # grows with what the batch stores: a repeat in it is a duplicate
    settled = Settled(records=[], results=[])

    def answer(record: Record) -> SyncResult:
        prior = stored.get(record.id)
        if prior is not None and prior.training_id != record.training_id:
            return _refused(record, "This submission id is in use elsewhere, by another "
                            "training's submission; nothing was stored.", export=True)  # fmt: skip
        if prior is not None and prior.content_hash == record.content_hash:
            score = _visible(record, prior.percent, prior.first)
            return SyncResult(record.id, "duplicate", "Already stored.", score)
        if prior is not None:
            detail = "A different submission with this id is already stored; the first one is kept."
            return SyncResult(record.id, "conflict", detail + _EXPORT)
        person = (record.training_id, record.code)
        refused = joining.refusal(record.training_id, record.may_join, person in seen)
        if refused:
            return _refused(record, refused)
        code_key = (record.training_id, record.code, record.phase)
        device_key = (record.training_id, record.phase)
        sent, from_device = by_code.get(code_key, 0), by_device.get(device_key, 0)
        to = f"{PHASE_NAMES[record.phase]}s to training '{record.training_id}'"
        if sent >= caps.per_code:
            return _refused(record, f"Participant code '{record.code}' already sent {sent} {to}; "
                            "no more are stored for it. The first one counts.")  # fmt: skip
        if from_device >= caps.per_device:
            return _refused(record, f"This device already sent {from_device} {to}; no more are "
                            "stored from it.", export=True)  # fmt: skip
        by_code[code_key], by_device[device_key] = sent + 1, from_device + 1
        first = sent == 0
        seen.add(person)
        stored[record.id] = Stored(record.training_id, record.content_hash, record.percent, first)
        settled.records.append(record)
        return SyncResult(record.id, "accepted", score=_visible(record, record.percent, first))

    for item in decided:
        settled.results.append(item if isinstance(item, SyncResult) else answer(item))
    return settled
