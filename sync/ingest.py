"""Idempotent ingest of a sync batch: validate and score each submission, then store the new ones.

Storage is whatever satisfies `IngestStore`; the server provides the SQLite one. The store must
commit durably before `commit` returns, so an `accepted` result is on disk when it is sent.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Protocol, get_args

import msgspec

from forms.model import QuestionSet
from forms.scoring import Score, mark
from sync.limits import MAX_ID, TIMING_GRACE_DAYS
from sync.normalise import code_problem, normalise_code
from sync.wire import AGE_BANDS, Phase, Sex, Submission, SyncResult, UnsentFile

#: What decoding hostile JSON can raise: msgspec reports nesting deeper than it supports as a
#: RecursionError and invalid UTF-8 as a UnicodeDecodeError, not as a DecodeError.
DECODE_ERRORS = (msgspec.DecodeError, RecursionError, UnicodeDecodeError)

#: The most unsent records a device is reported to hold (SQLite integers stop at 2**63 - 1).
MAX_PENDING = 1_000_000

PHASE_NAMES = {"pre": "pre-test", "post": "post-test", "evaluation": "evaluation"}


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


class Candidate(msgspec.Struct):
    """A valid submission, scored, ready to be stored."""

    submission: Submission
    training_id: str
    code: str
    content_hash: str
    score: Score | None
    flags: list[str]


class Stored(msgspec.Struct, frozen=True):
    """A submission already on disk with the same id."""

    content_hash: str
    percent: float | None


class DeviceReport(msgspec.Struct):
    id: str
    pending: int
    training_id: str | None
    user_agent: str = ""


class IngestStore(Protocol):
    async def training(self, join_code: str) -> TrainingContext | None: ...

    async def form(self, form_id: str, version: str) -> QuestionSet | None: ...

    async def commit(
        self, device: DeviceReport, candidates: list[Candidate], source: str
    ) -> dict[str, Stored]:
        """Store the candidates whose id is new, in one durable transaction.

        Returns, for each candidate id that was already stored, what is on disk.
        """
        ...


class Rejection(Exception):
    """A submission that cannot be accepted, with words a trainer understands."""


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


_canonical = msgspec.json.Encoder(order="sorted")


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


def _decode(raw: msgspec.Raw) -> Submission | SyncResult:
    """The submission, or the rejection of what cannot be one."""
    try:
        sub = _submission.decode(raw)
    except msgspec.ValidationError as exc:
        detail = f"The submission is malformed: {exc}.{_allowed_hint(str(exc))}"
        return SyncResult(id=_id_of(raw), status="rejected", detail=detail)
    except DECODE_ERRORS:
        detail = "The submission is not valid JSON."
        return SyncResult(id=_id_of(raw), status="rejected", detail=detail)
    if not sub.id or len(sub.id) > MAX_ID:
        detail = f"The submission id must be 1 to {MAX_ID} characters."
        return SyncResult(id=sub.id[:MAX_ID], status="rejected", detail=detail)
    return sub


class Ingest:
    """Validates, scores and stores a batch; one bad submission never sinks the others.

    The work is split so that the checks are pure: `_load` does all the reading (the trainings
    and question sets the batch names), `_check` decides each submission from what was read, and
    the store writes the accepted ones in one transaction.
    """

    def __init__(self, store: IngestStore) -> None:
        self.store = store
        self._trainings: dict[str, TrainingContext | None] = {}
        self._windows: dict[str, tuple[date, date] | None] = {}
        self._forms: dict[tuple[str, str], QuestionSet | None] = {}
        #: How many submissions named a join code no training has (guessing shows here).
        self.unknown_codes = 0

    async def _load(self, subs: list[Submission]) -> None:
        """Read each training and question set the batch needs, once."""
        for sub in subs:
            if sub.training not in self._trainings:
                ctx = self._trainings[sub.training] = await self.store.training(sub.training)
                self._windows[sub.training] = _window(ctx) if ctx else None
        for sub in subs:
            ctx = self._trainings[sub.training]
            assigned = ctx.assignments.get(sub.phase) if ctx else None
            key = (sub.form, sub.version)
            if assigned is not None and assigned[0] == sub.form and key not in self._forms:
                self._forms[key] = await self.store.form(sub.form, sub.version)

    def _check(self, sub: Submission) -> Candidate:
        """The submission checked and scored against what `_load` read; raises `Rejection`."""
        ctx = self._trainings[sub.training]
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
        if sub.participant.institution not in ctx.institutions:
            raise Rejection(
                f"Institution '{sub.participant.institution}' does not take part in training "
                f"'{ctx.id}'; the trainer can add it to the training, then export and upload "
                "this record again."
            )
        code = normalise_code(sub.participant.code)
        problem = code_problem(code)
        if problem:
            raise Rejection(problem)
        form = self._forms[(sub.form, sub.version)]
        if form is None:
            raise Rejection(f"Question set '{sub.form}' version {sub.version} is not published.")
        problems, scored = mark(form, sub.answers)  # type: ignore[arg-type]
        if problems:
            raise Rejection(" ".join(problems))
        flags = _timing_flags(sub.completed_at, self._windows[sub.training])
        # A phone that started offline on an earlier version finishes on it and is scored with it.
        if assigned[1] != sub.version:
            flags.insert(0, "other-version")
        return Candidate(
            submission=sub,
            training_id=ctx.id,
            code=code,
            content_hash=content_hash(sub),
            score=scored,
            flags=flags,
        )

    def _judge(self, item: Submission | SyncResult) -> Candidate | SyncResult:
        if isinstance(item, SyncResult):
            return item
        try:
            return self._check(item)
        except Rejection as exc:
            return SyncResult(id=item.id, status="rejected", detail=str(exc))

    def _visible_score(self, join_code: str, percent: float | None) -> float | None:
        ctx = self._trainings.get(join_code)
        if ctx is None or not ctx.show_score or percent is None:
            return None
        return round(percent, 1)

    async def run(
        self,
        raws: list[msgspec.Raw],
        device_id: str,
        pending: int,
        user_agent: str = "",
        source: str = "sync",
    ) -> list[SyncResult]:
        """Decide every submission of the batch and store the new ones in one transaction."""
        decoded = [_decode(raw) for raw in raws]
        await self._load([sub for sub in decoded if isinstance(sub, Submission)])
        results = [self._judge(item) for item in decoded]

        # The first occurrence of an id in the batch is the one stored; the rest compare to it.
        first: dict[str, Candidate] = {}
        for item in results:
            if isinstance(item, Candidate):
                first.setdefault(item.submission.id, item)
        to_store = list(first.values())
        training_id = to_store[0].training_id if to_store else None
        # `pending` is what the phone holds besides this batch. It is only shown to trainers,
        # so an absurd count is capped rather than let overflow SQLite.
        remaining = min(max(pending, 0), MAX_PENDING)
        device = DeviceReport(device_id[:MAX_ID], remaining, training_id, user_agent[:200])
        stored = await self.store.commit(device, to_store, source)

        out: list[SyncResult] = []
        for item in results:
            if isinstance(item, SyncResult):
                out.append(item)
                continue
            sub = item.submission
            prior = stored.get(sub.id)
            if prior is None and first[sub.id] is not item:
                chosen = first[sub.id]
                prior = Stored(chosen.content_hash, chosen.score.percent if chosen.score else None)
            if prior is None:
                percent = item.score.percent if item.score else None
                out.append(
                    SyncResult(sub.id, "accepted", score=self._visible_score(sub.training, percent))
                )
            elif prior.content_hash == item.content_hash:
                out.append(
                    SyncResult(
                        sub.id,
                        "duplicate",
                        "Already stored.",
                        score=self._visible_score(sub.training, prior.percent),
                    )
                )
            else:
                out.append(
                    SyncResult(
                        sub.id,
                        "conflict",
                        "A different submission with this id is already stored; the first one "
                        "is kept. Export this record and give it to the trainer.",
                    )
                )
        return out
