"""Deciding a sync batch: decode, check and score each submission against what was read of its
training and question set, and say what is stored of each valid one. Pure: no reading, no
writing, so ingest does all its reading before and its writing after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence, Set
from datetime import date, datetime, timedelta
from typing import get_args

import msgspec

from forms.model import QuestionSet
from forms.scoring import mark
from sync import joining
from sync import windows as phase_windows
from sync.limits import MAX_ID, TIMING_GRACE_DAYS
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
    join_code: str
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


class _Who(msgspec.Struct):
    code: str


class Names(msgspec.Struct):
    """What a submission names, read without the rest to know what to load before deciding."""

    training: str
    form: str
    version: str
    phase: str
    participant: _Who | None = None


class Record(msgspec.Struct):
    """A valid submission, checked and scored: what is stored of it, answers, points and flags
    as JSON text. `index` is its place in the batch; `join_code` the training it named."""

    index: int
    join_code: str
    id: str
    training_id: str
    code: str
    form: str
    version: str
    phase: str
    lang: str
    raw_code: str
    institution: str
    sex: str
    age_band: str | None
    answers: str
    content_hash: str
    total: float | None
    maximum: float | None
    percent: float | None
    points: str | None
    started_at: str | None
    completed_at: str
    flags: str


class Decided(msgspec.Struct):
    """A batch decided: the valid submissions, the rejected ones by place in the batch, and how
    many named a join code no training has (guessing shows there)."""

    records: list[Record]
    rejected: list[tuple[int, SyncResult]]
    unknown_codes: int = 0


#: What `decide` was given to read: trainings by join code, question sets by (id, version);
#: None for what does not exist.
Trainings = dict[str, TrainingContext | None]
Forms = dict[tuple[str, str], QuestionSet | None]
#: (training id, normalised participant code) pairs a training has stored submissions of.
Seen = Set[tuple[str, str]]


class Rejection(Exception):
    """A submission that cannot be accepted, with words a trainer understands."""


_names = msgspec.json.Decoder(Names)


def names(raws: Sequence[msgspec.Raw]) -> list[Names]:
    """What the submissions that have them name; the others are left for `decide` to reject."""
    found: list[Names] = []
    for raw in raws:
        try:
            found.append(_names.decode(raw))
        except (*DECODE_ERRORS, msgspec.ValidationError):
            continue
    return found


def needed_forms(batch: list[Names], trainings: Trainings) -> set[tuple[str, str]]:
    """The question sets `decide` will score with: those the training assigns to the phase."""
    wanted: set[tuple[str, str]] = set()
    for n in batch:
        ctx = trainings.get(n.training)
        assigned = ctx.assignments.get(n.phase) if ctx else None
        if assigned is not None and assigned[0] == n.form:
            wanted.add((n.form, n.version))
    return wanted


def codes(batch: list[Names], trainings: Trainings) -> dict[str, set[str]]:
    """By training id, the normalised codes the batch names for trainings closed to joining:
    `decide` needs to know which of them the training has seen."""
    found: dict[str, set[str]] = {}
    for n in batch:
        ctx = trainings.get(n.training)
        if ctx is not None and not ctx.joining_open and n.participant is not None:
            found.setdefault(ctx.id, set()).add(normalise_code(n.participant.code))
    return found


_canonical = msgspec.json.Encoder(order="sorted")
_json = msgspec.json.Encoder()


def content_hash(sub: Submission) -> str:
    """sha256 of the submission's canonical JSON (keys sorted): a retry gives the same."""
    return hashlib.sha256(_canonical.encode(sub)).hexdigest()


#: Fields with a fixed set of values, and those values, to say what a phone should have sent.
_ALLOWED = {
    "$.phase": get_args(Phase),
    "$.participant.sex": get_args(Sex),
    "$.participant.age_band": AGE_BANDS,
}


def _allowed_hint(message: str) -> str:
    for path, values in _ALLOWED.items():
        if message.endswith(f"`{path}`"):
            return f" Allowed: {', '.join(values)}."
    return ""


def _id_of(raw: msgspec.Raw) -> str:
    try:
        value = msgspec.json.decode(raw)
    except DECODE_ERRORS:
        return ""
    found = value.get("id") if isinstance(value, dict) else None
    return found[:MAX_ID] if isinstance(found, str) else ""


def _window(ctx: TrainingContext) -> tuple[date, date] | None:
    """The days a completion is on time for the training (its dates, give or take the grace)."""
    try:
        starts, ends = date.fromisoformat(ctx.starts_on), date.fromisoformat(ctx.ends_on)
    except ValueError:
        return None
    grace = timedelta(days=TIMING_GRACE_DAYS)
    return starts - grace, ends + grace


def _timing_flags(completed_at: str, window: tuple[date, date] | None) -> list[str]:
    try:
        done = datetime.fromisoformat(completed_at).date()
    except ValueError:
        return ["bad-time"]
    if window is None:
        return ["bad-time"]
    if done < window[0]:
        return ["early"]
    if done > window[1]:
        return ["late"]
    return []


_submission = msgspec.json.Decoder(Submission)


def _decode(raw: msgspec.Raw) -> Submission:
    """The submission; raises `Rejection` for what cannot be one."""
    try:
        sub = _submission.decode(raw)
    except msgspec.ValidationError as exc:
        raise Rejection(f"The submission is malformed: {exc}.{_allowed_hint(str(exc))}") from exc
    except DECODE_ERRORS as exc:
        raise Rejection("The submission is not valid JSON.") from exc
    if not sub.id or len(sub.id) > MAX_ID:
        raise Rejection(f"The submission id must be 1 to {MAX_ID} characters.")
    return sub


class _Checker:
    """Decides submissions from what was read; remembers each training's window."""

    def __init__(self, trainings: Trainings, forms: Forms, seen: Seen) -> None:
        self.trainings = trainings
        self.forms = forms
        self.seen = seen
        self.windows = {code: _window(ctx) if ctx else None for code, ctx in trainings.items()}
        self.unknown_codes = 0

    def record(self, index: int, sub: Submission) -> Record:
        """The submission checked and scored; raises `Rejection`."""
        ctx = self.trainings.get(sub.training)
        if ctx is None:
            self.unknown_codes += 1
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
                f"The {phase} of training '{ctx.id}' is question set '{assigned[0]}', "
                f"not '{sub.form}'."
            )
        person = sub.participant
        if person.institution not in ctx.institutions:
            raise Rejection(
                f"Institution '{person.institution}' does not take part in training "
                f"'{ctx.id}'; the trainer can add it to the training, then export and upload "
                "this record again."
            )
        code = normalise_code(person.code)
        problem = code_problem(code)
        if problem:
            raise Rejection(problem)
        refused = joining.refusal(
            ctx.id,
            ctx.joining_open,
            (ctx.id, code) in self.seen,
            joining.matches(ctx.joining_stamp, sub.joining_stamp),
        )
        if refused:
            raise Rejection(refused)
        form = self.forms.get((sub.form, sub.version))
        if form is None:
            raise Rejection(f"Question set '{sub.form}' version {sub.version} is not published.")
        problems, sc = mark(form, sub.answers)  # type: ignore[arg-type]
        if problems:
            raise Rejection(" ".join(problems))
        flags = _timing_flags(sub.completed_at, self.windows.get(sub.training))
        outside = phase_windows.timing_flag(ctx.windows.get(sub.phase), sub.completed_at)
        if outside:
            flags.append(outside)
        # A phone that started offline on an earlier version finishes on it and is scored with it.
        if assigned[1] != sub.version:
            flags.insert(0, "other-version")
        return Record(
            index, sub.training, sub.id, ctx.id, code, sub.form, sub.version, sub.phase,
            sub.lang, person.code, person.institution, person.sex, person.age_band,
            _json.encode(sub.answers).decode(), content_hash(sub),
            sc.total if sc else None, sc.maximum if sc else None, sc.percent if sc else None,
            _json.encode(sc.points).decode() if sc else None, sub.started_at, sub.completed_at,
            _json.encode(flags).decode(),
        )  # fmt: skip


def decide(
    raws: Sequence[msgspec.Raw], trainings: Trainings, forms: Forms, seen: Seen = frozenset()
) -> Decided:
    """Each submission of the batch accepted as a `Record` or rejected with the reason.

    `trainings` and `forms` hold what was read for the batch's `names` (`needed_forms`); a join
    code or question set missing from them is taken as not existing. `seen` holds the
    (training id, code) pairs of `codes` that the training has already stored.
    """
    checker = _Checker(trainings, forms, seen)
    records: list[Record] = []
    rejected: list[tuple[int, SyncResult]] = []
    for index, raw in enumerate(raws):
        sub: Submission | None = None
        try:
            sub = _decode(raw)
            records.append(checker.record(index, sub))
        except Rejection as exc:
            sub_id = sub.id[:MAX_ID] if sub is not None else _id_of(raw)
            rejected.append((index, SyncResult(id=sub_id, status="rejected", detail=str(exc))))
    return Decided(records, rejected, checker.unknown_codes)
