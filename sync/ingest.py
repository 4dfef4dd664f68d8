"""Idempotent ingest of a sync batch: validate and score each submission, then store the new ones.

Storage is whatever satisfies `IngestStore`; the server provides the SQLite one. The store must
commit durably before `commit` returns, so an `accepted` result is on disk when it is sent.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from forms.model import QuestionSet
from sync.decide import (
    Record,
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
    id: str
    pending: int
    training_id: str | None
    user_agent: str = ""


class IngestStore(Protocol):
    async def training(self, join_code: str) -> TrainingContext | None: ...

    async def form(self, form_id: str, version: str) -> QuestionSet | None: ...

    async def seen(self, training_id: str, codes: set[str]) -> set[str]:
        """Which of `codes` (normalised) the training has stored submissions of."""
        ...

    async def commit(
        self, device: DeviceReport, records: list[Record], source: str
    ) -> dict[str, Stored]:
        """Store the records whose id is new, in one durable transaction; returns, for the ids
        already stored, what is on disk."""
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
    submissions in one transaction; one bad submission never sinks the others."""

    def __init__(self, store: IngestStore) -> None:
        self.store = store
        #: How many submissions named a join code no training has (guessing shows here).
        self.unknown_codes = 0

    async def run(
        self,
        raws: list[msgspec.Raw],
        device_id: str,
        pending: int,
        user_agent: str = "",
        source: str = "sync",
    ) -> list[SyncResult]:
        """One result per submission of the batch, once the new ones are stored."""
        batch = read_batch(raws)
        subs = [sub for sub in batch if isinstance(sub, Submission)]
        trainings: Trainings = {}
        for code in sorted({sub.training for sub in subs}):
            trainings[code] = await self.store.training(code)
        named = sorted({(sub.form, sub.version) for sub in subs if trainings[sub.training]})
        forms = {key: await self.store.form(*key) for key in named}
        seen = {
            (training_id, code)
            for training_id, wanted in closed_codes(batch, trainings).items()
            for code in await self.store.seen(training_id, wanted)
        }
        decided = decide(batch, trainings, forms, seen)
        self.unknown_codes = decided.unknown_codes
        records = decided.to_store()
        # `pending` is what the phone holds besides this batch. It is only shown to trainers,
        # so an absurd count is capped rather than let overflow SQLite.
        remaining = min(max(pending, 0), MAX_PENDING)
        training_id = records[0].training_id if records else None
        device = DeviceReport(device_id[:MAX_ID], remaining, training_id, user_agent[:200])
        stored = await self.store.commit(device, records, source)
        return answer(decided, stored)
