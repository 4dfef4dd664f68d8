"""Deciding a sync batch: decode, check and score each submission against what was read of its
training and question set, and answer each once what was already stored is known. Pure: no
reading, no writing, so ingest does all its reading before and its writing after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence, Set
from datetime import date, datetime, timedelta
from typing import get_args

import msgspec

from forms.choice_order import order_problems
from forms.model import QuestionSet
from forms.scoring import check_and_score
from sync import joining
from sync import windows as phase_windows
from sync.limits import MAX_ID, MAX_PER_CODE, MAX_PER_DEVICE, TIMING_GRACE_DAYS
from sync.normalise import code_problem, normalise_code
from sync.wire import AGE_BANDS, DECODE_ERRORS, Phase, PhaseWindow, Sex, Submission, SyncResult

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
    """A valid submission, checked and scored: its place in the batch, whether its training
    shows scores, and what is stored of it, named as the columns of `submissions` (answers,
    points and flags as JSON text; `code` is the participant's normalised code)."""

    index: int
    show_score: bool
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
    choice_order: str | None = None


class Stored(msgspec.Struct, frozen=True):
    """A submission already on disk with the same id: its training, content and score, and
    whether it was the first its participant sent for its phase (only that one shows a score)."""

    training_id: str
    content_hash: str
    percent: float | None
    first: bool


class Decided(msgspec.Struct):
    """A batch decided: the valid submissions, and the rejected ones by place in the batch."""

    records: list[Record]
    rejected: dict[int, SyncResult]


class Caps(msgspec.Struct, frozen=True):
    """The most submissions stored per phase of a training for one participant code and for one
    device: enough for honest use, too few to rebuild an answer key by trial."""

    per_code: int = MAX_PER_CODE
    per_device: int = MAX_PER_DEVICE


#: The caps of the protocol (sync/PROTOCOL.md states them).
CAPS = Caps()


class Tally(msgspec.Struct):
    """How many submissions are already stored per (training, code, phase), and from the
    batch's device per (training, phase)."""

    by_code: dict[tuple[str, str, str], int]
    by_device: dict[tuple[str, str], int]


class Settled(msgspec.Struct):
    """A decided batch once what is on disk is known: the records to store, and one result
    per submission, in batch order."""

    records: list[Record]
    results: list[SyncResult]


#: What `decide` was given to read: trainings by join code, question sets by (id, version);
#: None for what does not exist.
Trainings = dict[str, TrainingContext | None]
Forms = dict[tuple[str, str], QuestionSet | None]
#: (training id, normalised participant code) pairs a training has stored submissions of.
Seen = Set[tuple[str, str]]


class Rejection(Exception):
    """A submission that cannot be accepted, with words a trainer understands."""


#: Fields with a fixed set of values, and those values, to say what a phone should have sent.
_ALLOWED = {
    "$.phase": get_args(Phase),
    "$.participant.sex": get_args(Sex),
    "$.participant.age_band": AGE_BANDS,
}
_submission = msgspec.json.Decoder(Submission)


def _id_of(raw: msgspec.Raw) -> str:
    try:
        value = msgspec.json.decode(raw)
    except DECODE_ERRORS:
        return ""
    found = value.get("id") if isinstance(value, dict) else None
    return found[:MAX_ID] if isinstance(found, str) else ""


def _decode(raw: msgspec.Raw) -> Submission:
    """The submission; raises `Rejection` for what cannot be one."""
    try:
        sub = _submission.decode(raw)
    except msgspec.ValidationError as exc:
        allowed = [v for path, v in _ALLOWED.items() if str(exc).endswith(f"`{path}`")]
        hint = f" Allowed: {', '.join(allowed[0])}." if allowed else ""
        raise Rejection(f"The submission is malformed: {exc}.{hint}") from exc
    except DECODE_ERRORS as exc:
        raise Rejection("The submission is not valid JSON.") from exc
    if not sub.id or len(sub.id) > MAX_ID:
        raise Rejection(f"The submission id must be 1 to {MAX_ID} characters.")
    return sub


def read_batch(raws: Sequence[msgspec.Raw]) -> list[Submission | SyncResult]:
    """Each submission of the batch decoded, or rejected when it cannot be one."""
    read: list[Submission | SyncResult] = []
    for raw in raws:
        try:
            read.append(_decode(raw))
        except Rejection as exc:
            read.append(SyncResult(id=_id_of(raw), status="rejected", detail=str(exc)))
    return read


_canonical = msgspec.json.Encoder(order="sorted")
_json = msgspec.json.Encoder()


def content_hash(sub: Submission) -> str:
    """sha256 of the submission's canonical JSON (keys sorted): a retry gives the same."""
    return hashlib.sha256(_canonical.encode(sub)).hexdigest()


def _timing_flags(completed: datetime | None, ctx: TrainingContext) -> list[str]:
    """`early` or `late` for a completion outside the training's dates (give or take the
    grace), `bad-time` when a date cannot be read."""
    try:
        starts, ends = date.fromisoformat(ctx.starts_on), date.fromisoformat(ctx.ends_on)
    except ValueError:
        return ["bad-time"]
    if completed is None:
        return ["bad-time"]
    grace = timedelta(days=TIMING_GRACE_DAYS)
    if completed.date() < starts - grace:
        return ["early"]
    if completed.date() > ends + grace:
        return ["late"]
    return []


def closed_codes(
    batch: Sequence[Submission | SyncResult], trainings: Trainings
) -> dict[str, set[str]]:
    """By training id, the normalised codes the batch names for trainings closed to joining:
    `decide` needs to know which of them the training has seen."""
    found: dict[str, set[str]] = {}
    for sub in batch:
        ctx = trainings.get(sub.training) if isinstance(sub, Submission) else None
        if isinstance(sub, Submission) and ctx is not None and not ctx.joining_open:
            found.setdefault(ctx.id, set()).add(normalise_code(sub.participant.code))
    return found


def _record(index: int, sub: Submission, ctx: TrainingContext, forms: Forms, seen: Seen) -> Record:
    """The submission checked and scored; raises `Rejection`."""
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
    refused = joining.refusal(
        ctx.id,
        ctx.joining_open,
        (ctx.id, code) in seen,
        joining.matches(ctx.joining_stamp, sub.joining_stamp),
    )
    if refused:
        raise Rejection(refused)
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
    sc = checked.score
    flags = _timing_flags(done, ctx)
    outside = phase_windows.timing_flag(ctx.windows.get(sub.phase), sub.completed_at)
    if outside:
        flags.append(outside)
    # A phone that started offline on an earlier version finishes on it and is scored with it.
    if assigned[1] != sub.version:
        flags.insert(0, "other-version")
    return Record(
        index=index, show_score=ctx.show_score, id=sub.id, training_id=ctx.id, code=code,
        form_id=sub.form, form_version=sub.version, phase=sub.phase, lang=sub.lang,
        raw_code=person.code, institution=person.institution, sex=person.sex,
        age_band=person.age_band, answers=_json.encode(checked.answers).decode(),
        content_hash=content_hash(sub), score=sc.total if sc else None,
        max_score=sc.maximum if sc else None, percent=sc.percent if sc else None,
        item_points=_json.encode(sc.points).decode() if sc else None,
        started_at=sub.started_at, completed_at=sub.completed_at,
        flags=_json.encode(flags).decode(),
        choice_order=_json.encode(sub.choice_order).decode() if sub.choice_order else None,
    )  # fmt: skip


def decide(
    batch: Sequence[Submission | SyncResult],
    trainings: Trainings,
    forms: Forms,
    seen: Seen = frozenset(),
) -> Decided:
    """Each submission of the batch (`read_batch`) accepted as a `Record` or rejected with the
    reason. A join code or question set missing from `trainings` or `forms` does not exist;
    `seen` holds the pairs of `closed_codes` whose training has stored the code."""
    decided = Decided(records=[], rejected={})
    for index, sub in enumerate(batch):
        if isinstance(sub, SyncResult):
            decided.rejected[index] = sub
            continue
        try:
            ctx = trainings.get(sub.training)
            if ctx is None:
                raise Rejection(
                    f"No training has the join code '{sub.training}'; "
                    "the phone should open the training's join link again."
                )
            decided.records.append(_record(index, sub, ctx, forms, seen))
        except Rejection as exc:
            decided.rejected[index] = SyncResult(id=sub.id, status="rejected", detail=str(exc))
    return decided


def settle(decided: Decided, stored: dict[str, Stored], tally: Tally, caps: Caps = CAPS) -> Settled:
    """What to store of `decided` and what to answer, given what is on disk: `stored` for the
    ids already there, `tally` of what each participant code and the device sent before.

    A record beyond `caps` is refused, as is an id another training's submission holds; an id
    already stored (or earlier in the batch) is a duplicate when its content is the same and a
    conflict otherwise. Only the first submission of a participant and phase shows its score
    (if the training shows scores): later ones are repeats, and their scores would give the
    answer key away one changed answer at a time.
    """
    results = dict(decided.rejected)
    refused: set[int] = set()
    by_code, by_device = dict(tally.by_code), dict(tally.by_device)
    earlier: dict[str, Record] = {}
    first: set[str] = set()
    kept: list[Record] = []

    def refuse(record: Record, detail: str) -> None:
        results[record.index] = SyncResult(record.id, "rejected", detail)
        refused.add(record.index)

    def visible(record: Record, percent: float | None, was_first: bool) -> float | None:
        shown = record.show_score and was_first and percent is not None
        return round(percent, 1) if shown and percent is not None else None

    for record in decided.records:
        prior = stored.get(record.id)
        seen = earlier.setdefault(record.id, record)
        owner = prior.training_id if prior is not None else seen.training_id
        if owner != record.training_id:
            refuse(record, "This submission id is in use elsewhere, by another training's "
                   "submission; nothing was stored. Export this record and give it to the "
                   "trainer.")  # fmt: skip
            continue
        if seen is not record and seen.index in refused:
            results[record.index] = results[seen.index]
            refused.add(record.index)
            continue
        if prior is None and seen is not record:  # the same id earlier in this batch
            prior = Stored(seen.training_id, seen.content_hash, seen.percent, seen.id in first)
        if prior is not None and prior.content_hash == record.content_hash:
            score = visible(record, prior.percent, prior.first)
            results[record.index] = SyncResult(record.id, "duplicate", "Already stored.", score)
            continue
        if prior is not None:
            results[record.index] = SyncResult(
                record.id, "conflict", "A different submission with this id is already stored; "
                "the first one is kept. Export this record and give it to the trainer.",
            )  # fmt: skip
            continue
        code_key = (record.training_id, record.code, record.phase)
        device_key = (record.training_id, record.phase)
        sent, from_device = by_code.get(code_key, 0), by_device.get(device_key, 0)
        phase = PHASE_NAMES[record.phase]
        if sent >= caps.per_code:
            refuse(record, f"Participant code '{record.code}' already sent {sent} {phase}s to "
                   f"training '{record.training_id}'; no more are stored for it. The first one "
                   "counts.")  # fmt: skip
            continue
        if from_device >= caps.per_device:
            refuse(record, f"This device already sent {from_device} {phase}s to training "
                   f"'{record.training_id}'; no more are stored from it. Export this record and "
                   "give it to the trainer.")  # fmt: skip
            continue
        by_code[code_key], by_device[device_key] = sent + 1, from_device + 1
        if sent == 0:
            first.add(record.id)
        kept.append(record)
        score = visible(record, record.percent, sent == 0)
        results[record.index] = SyncResult(record.id, "accepted", score=score)
    return Settled(kept, [results[index] for index in range(len(results))])
