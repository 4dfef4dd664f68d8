"""Idempotent ingest of a sync batch: validate and score each submission, then store the new ones.

Storage is whatever satisfies `IngestStore`; the server provides the SQLite one. The store must
commit durably before `commit` returns, so an `accepted` result is on disk when it is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import msgspec

from forms.model import QuestionSet
from sync.decide import (
    Forms,
    Record,
    Seen,
    TrainingContext,
    Trainings,
    codes,
    decide,
    names,
    needed_forms,
)
from sync.limits import MAX_ID
from sync.wire import DECODE_ERRORS, SyncResult, UnsentFile

#: The most unsent records a device is reported to hold (SQLite integers stop at 2**63 - 1).
MAX_PENDING = 1_000_000


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

    async def seen(self, training_id: str, codes: set[str]) -> set[str]:
        """Which of `codes` (normalised) the training has stored submissions of."""
        ...

    async def commit(
        self, device: DeviceReport, records: list[Record], source: str
    ) -> dict[str, Stored]:
        """Store the records whose id is new, in one durable transaction.

        Returns, for each record id that was already stored, what is on disk.
        """
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
    """Validates, scores and stores a batch; one bad submission never sinks the others.

    `_load` does all the reading (the trainings and question sets the batch names),
    `sync.decide` decides each submission from what was read (pure), and the store writes the
    accepted ones in one transaction.
    """

    def __init__(self, store: IngestStore) -> None:
        self.store = store
        self._trainings: Trainings = {}
        #: How many submissions named a join code no training has (guessing shows here).
        self.unknown_codes = 0

    async def _load(self, raws: Sequence[msgspec.Raw]) -> tuple[Forms, Seen]:
        """Read each training and question set the batch needs, once, and which of its codes
        the trainings closed to joining have seen; the question sets and those codes."""
        batch = names(raws)
        for n in batch:
            if n.training not in self._trainings:
                self._trainings[n.training] = await self.store.training(n.training)
        forms = {
            key: await self.store.form(*key) for key in sorted(needed_forms(batch, self._trainings))
        }
        seen = {
            (training_id, code)
            for training_id, wanted in codes(batch, self._trainings).items()
            for code in await self.store.seen(training_id, wanted)
        }
        return forms, seen

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
        forms, seen = await self._load(raws)
        decided = decide(raws, self._trainings, forms, seen)
        self.unknown_codes = decided.unknown_codes

        # The first occurrence of an id in the batch is the one stored; the rest compare to it.
        first: dict[str, Record] = {}
        for record in decided.records:
            first.setdefault(record.id, record)
        to_store = list(first.values())
        training_id = to_store[0].training_id if to_store else None
        # `pending` is what the phone holds besides this batch. It is only shown to trainers,
        # so an absurd count is capped rather than let overflow SQLite.
        remaining = min(max(pending, 0), MAX_PENDING)
        device = DeviceReport(device_id[:MAX_ID], remaining, training_id, user_agent[:200])
        stored = await self.store.commit(device, to_store, source)

        by_place = dict(decided.rejected)
        for record in decided.records:
            by_place[record.index] = self._result(record, first[record.id], stored.get(record.id))
        return [by_place[index] for index in range(len(raws))]

    def _result(self, record: Record, first: Record, prior: Stored | None) -> SyncResult:
        """The result of a valid record: new, the same as one stored (on disk or earlier in
        the batch), or different from it."""
        if prior is None and first is not record:
            prior = Stored(first.content_hash, first.percent)
        if prior is None:
            return SyncResult(
                record.id, "accepted", score=self._visible_score(record.join_code, record.percent)
            )
        if prior.content_hash == record.content_hash:
            return SyncResult(
                record.id,
                "duplicate",
                "Already stored.",
                score=self._visible_score(record.join_code, prior.percent),
            )
        return SyncResult(
            record.id,
            "conflict",
            "A different submission with this id is already stored; the first one "
            "is kept. Export this record and give it to the trainer.",
        )
