"""Group commit: the writes waiting for the writer run in one transaction, one durable commit.

When many phones sync at once, their batches queue up behind the single writer. Committing
each alone costs one fsync per batch; committing the ones already waiting together costs one
for all of them, and every batch is still answered only after the commit that holds it. When
one write fails for its own reasons (a retried batch whose ids are already stored, say), the
group is rolled back and each write is run again alone, so only that one fails. Storage
trouble (a locked, read-only or full file) fails the whole group: nothing of it is stored,
and every phone retries later.

This module runs in the writer's thread (or the scribe process, `server/scribe.py`) and knows
nothing of the event loop: `Database.write` queues `Job`s and hands `run_group` to the writer;
each job's result or error is read once `run_group` returns.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.db.database import Outage

#: The most writes committed together: a bound on how long the first of them waits.
MAX_GROUP = 64


class Job:
    """One write waiting for the writer: the work, when it arrived, and how it ended."""

    __slots__ = ("arrived", "error", "result", "work")

    def __init__(self, work: Callable[[sqlite3.Connection], Any]) -> None:
        self.work = work
        self.arrived = time.monotonic()
        self.result: Any = None
        self.error: BaseException | None = None


def run_group(conn: sqlite3.Connection, jobs: Sequence[Job], outage: Outage) -> None:
    """Run the jobs in one transaction and commit once. Sets each job's result or error;
    never raises.

    `outage.unavailable` turns SQLite's storage error into the one callers see (and notes
    when); jobs that arrived before the storage last failed get `outage.refused()` at once.
    """
    live: list[Job] = []
    for job in jobs:
        if job.arrived < outage.failed_at:
            job.error = outage.refused()
        else:
            live.append(job)
    if not live:
        return
    try:
        if _together(conn, live):
            return
    except sqlite3.OperationalError as exc:
        # The file is locked, read-only or full: the whole group is rolled back, none kept.
        _fail(conn, live, outage.unavailable(exc))
        return
    # One of them failed for its own reasons and nothing was kept: each is run again in a
    # transaction of its own, so that only that one fails. This is rare (a retried batch).
    for job in live:
        job.result, job.error = None, None
        try:
            _together(conn, [job])
        except sqlite3.OperationalError as exc:
            _fail(conn, [job], outage.unavailable(exc))


def _together(conn: sqlite3.Connection, jobs: Sequence[Job]) -> bool:
    """Run the jobs in one transaction and commit it; False, with nothing kept and the failing
    job's error set, when one fails for its own reasons. Storage errors are raised.
    """
    conn.execute("BEGIN IMMEDIATE")
    for job in jobs:
        try:
            job.result = job.work(conn)
        except sqlite3.OperationalError:
            raise
        except Exception as exc:  # the job's own failure, passed to its caller
            job.error = exc
            conn.execute("ROLLBACK")
            return False
    conn.execute("COMMIT")
    return True


def _fail(conn: sqlite3.Connection, jobs: Sequence[Job], error: BaseException) -> None:
    with suppress(sqlite3.Error):
        conn.execute("ROLLBACK")
    for job in jobs:
        job.result, job.error = None, error
