"""Ingest of a sync batch or a file of unsent records: read what the batch names, decide it
(`sync.decide`, pure), then store what is admitted in one durable write. One bad submission
never sinks the others, and an `accepted` answer is on disk when it is sent.
"""

from __future__ import annotations

import msgspec

from server.clock import now_iso
from server.db import forms, submissions, trainings
from server.db.database import Database
from server.ratelimit import Allowance
from sync.decide import Trainings, decide
from sync.limits import MAX_ID, MAX_PENDING
from sync.wire import Submission, SyncResult, read_batch


class TooManyUnknownCodes(Exception):
    """The batch names more join codes than its sender may still get wrong: none is looked up."""


async def ingest(
    db: Database,
    raws: list[msgspec.Raw],
    device: str,
    pending: int,
    user_agent: str = "",
    source: str = "sync",
    allowance: Allowance | None = None,
) -> list[SyncResult]:
    """One result per submission of the batch, once the new ones are stored. `pending` is what
    the phone holds besides this batch, shown to trainers.

    Join codes are secrets: a batch naming more codes than the sender's `allowance` has left
    raises `TooManyUnknownCodes` before any is looked up (so no answer tells which exist) and
    uses it up; otherwise the unknown ones are spent from it."""
    batch = read_batch(raws)
    subs = [sub for sub in batch if isinstance(sub, Submission)]
    codes = sorted({sub.training for sub in subs})
    if allowance is not None and len(codes) > allowance.left():
        allowance.spend(allowance.left())  # more codes than a phone holds: a guesser
        raise TooManyUnknownCodes(f"The batch names {len(codes)} join codes.")
    known: Trainings = {code: await trainings.ingest_context(db, code) for code in codes}
    if allowance is not None:
        allowance.spend(sum(ctx is None for ctx in known.values()))
    named = sorted({(sub.form, sub.version) for sub in subs if known[sub.training]})
    sets = {key: await forms.get(db, *key) for key in named}
    decided = decide(batch, known, sets)
    # A device is noted only under the trainings whose join code it sent.
    device_of = submissions.DeviceSeen(
        id=device[:MAX_ID],
        pending=min(max(pending, 0), MAX_PENDING),  # an absurd count must not overflow SQLite
        user_agent=user_agent[:200],
        trainings=sorted({ctx.id for ctx in known.values() if ctx is not None}),
    )
    now = now_iso()
    return await db.write(lambda conn: submissions.store(conn, decided, device_of, now, source))
