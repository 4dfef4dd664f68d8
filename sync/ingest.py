"""Idempotent ingest of a sync batch: validate and score each submission, then store the new ones.

Storage is whatever satisfies `IngestStore`; the server provides the SQLite one. The store must
commit durably before `commit` returns, so an `accepted` result is on disk when it is sent.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from forms.model import QuestionSet
from sync.decide import (
    CAPS,
    Admitted,
    Caps,
    Decided,
    Stored,
    TrainingContext,
    Trainings,
    answer,
    closed_codes,
    decide,
    read_batch,
)
from sync.limits import MAX_ID
from sync.wire import DECODE_ERRORS, Submission, SyncResult, UnsentFile

#: The most unsent records a device is reported to hold (SQLite integers stop at 2**63 - 1).
MAX_PENDING = 1_000_000


class DeviceReport(msgspec.Struct):
    """A device seen by a training whose join code it sent, with the records it still holds."""

    id: str
    pending: int
    training_id: str
    user_agent: str = ""


class CodeAllowance(Protocol):
    """How many join codes no training has the sender may still name; the server keeps it."""

    def left(self) -> int: ...

    def spend(self, unknown: int) -> None: ...


class TooManyUnknownCodes(Exception):
    """The batch names more join codes than its sender may still get wrong: nothing of it was
    looked up, answered or stored."""


class IngestStore(Protocol):
    async def training(self, join_code: str) -> TrainingContext | None: ...

    async def form(self, form_id: str, version: str) -> QuestionSet | None: ...

    async def seen(self, training_id: str, codes: set[str]) -> set[str]:
        """Which of `codes` (normalised) the training has stored submissions of."""
        ...

    async def commit(
        self,
        device: str,
        reports: list[DeviceReport],
        decided: Decided,
        caps: Caps | None,
        source: str,
    ) -> tuple[dict[str, Stored], Admitted]:
        """In one durable transaction, read what is on disk for the batch, store what
        `sync.decide.admit` admits and note the device; returns, for the ids already stored,
        what is on disk, and what was admitted."""
        ...


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


class Ingest:
    """Reads what a batch names, decides it (`sync.decide`, pure) and stores the accepted
    submissions in one transaction; one bad submission never sinks the others. `CAPS` bound
    what one participant code or device may store per phase."""

    def __init__(self, store: IngestStore) -> None:
        self.store = store

    async def run(
        self,
        raws: list[msgspec.Raw],
        device_id: str,
        pending: int,
        user_agent: str = "",
        source: str = "sync",
        allowance: CodeAllowance | None = None,
    ) -> list[SyncResult]:
        """One result per submission of the batch, once the new ones are stored. Join codes
        are secrets: with an `allowance`, a batch naming more codes than its sender may still
        get wrong raises `TooManyUnknownCodes` before any is looked up (so no answer tells which
        of them exist) and uses the allowance up; otherwise the unknown ones are spent from it."""
        batch = read_batch(raws)
        subs = [sub for sub in batch if isinstance(sub, Submission)]
        codes = sorted({sub.training for sub in subs})
        if allowance is not None and len(codes) > allowance.left():
            allowance.spend(allowance.left())  # more codes than a phone holds: a guesser
            raise TooManyUnknownCodes(f"The batch names {len(codes)} join codes.")
        trainings: Trainings = {}
        for code in codes:
            trainings[code] = await self.store.training(code)
        if allowance is not None:
            allowance.spend(sum(ctx is None for ctx in trainings.values()))
        named = sorted({(sub.form, sub.version) for sub in subs if trainings[sub.training]})
        forms = {key: await self.store.form(*key) for key in named}
        seen_codes = {
            (training_id, code)
            for training_id, wanted in closed_codes(batch, trainings).items()
            for code in await self.store.seen(training_id, wanted)
        }
        decided = decide(batch, trainings, forms, seen_codes)
        # `pending` is what the phone holds besides this batch. It is only shown to trainers,
        # so an absurd count is capped rather than let overflow SQLite. A device is noted only
        # under the trainings whose join code it sent.
        remaining = min(max(pending, 0), MAX_PENDING)
        device = device_id[:MAX_ID]
        seen = sorted({ctx.id for ctx in trainings.values() if ctx is not None})
        reports = [DeviceReport(device, remaining, t, user_agent[:200]) for t in seen]
        stored, admitted = await self.store.commit(device, reports, decided, CAPS, source)
        return answer(decided, admitted, stored)
