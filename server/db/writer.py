"""The one writer: a thread that owns the only SQLite connection that writes.

Every write of the server is a function handed to `Writer.write`. The thread takes the
functions waiting in its queue, runs them in one transaction and commits once (one fsync for
all), then answers each caller: no caller hears back before the commit that holds its write.
A function that raises is undone alone (it runs in a savepoint); when the file cannot be
written (locked, read-only, full), the whole group is undone and each caller gets
`StorageUnavailable`.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON")
#: The most writes committed together: a bound on how long the first of them waits.
MAX_GROUP = 64
#: SQLite's result codes that say the file cannot be written now, whatever the write.
_STORAGE_CODES = {
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
}  # fmt: skip


class StorageUnavailable(Exception):
    """The database cannot be written (read-only file, locked, disk full); try again later."""


@dataclass(slots=True)
class _Job:
    """A write waiting for the thread; its caller awaits `future`."""

    work: Callable[[sqlite3.Connection], Any]
    arrived: float = field(default_factory=time.monotonic)
    future: Future[Any] = field(default_factory=Future)


class Writer:
    """The writing connection and the thread that alone uses it."""

    def __init__(self, path: Path, busy_timeout: float = 5.0) -> None:
        self._conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
        )
        for pragma in PRAGMAS:
            self._conn.execute(pragma)
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="tadrib-writer", daemon=True)
        #: When the file last failed: the writes already waiting then are refused at once,
        #: instead of each waiting out the busy timeout in turn.
        self._failed_at = float("-inf")

    def migrate(self, migrations: Sequence[str]) -> None:
        """Bring the schema up to date, one transaction per migration; before `start`."""
        current = self._conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(migrations[current:], start=current + 1):
            self._conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")

    def start(self) -> None:
        self._thread.start()

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in the writer's thread; returns once it is durably committed."""
        job = _Job(work)
        self._queue.put(job)
        result: T = await asyncio.wrap_future(job.future)
        return result

    async def close(self) -> None:
        """Commit the writes queued so far, then stop the thread and close the connection."""
        self._queue.put(None)
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join)
        self._conn.close()

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            jobs = [job]
            with suppress(queue.Empty):
                while len(jobs) < MAX_GROUP and (job := self._queue.get_nowait()) is not None:
                    jobs.append(job)
            self._commit(jobs)
            if job is None:  # `close` was called while these waited
                return

    def _commit(self, jobs: list[_Job]) -> None:
        """Run the jobs in one transaction, commit once, and answer each."""
        # A write whose caller went away before it ran is dropped: nothing was promised.
        jobs = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        refused = StorageUnavailable("the database became unavailable while this write waited")
        for job in jobs:
            if job.arrived < self._failed_at:
                job.future.set_exception(refused)
        live = [job for job in jobs if job.arrived >= self._failed_at]
        if not live:
            return
        outcomes: list[tuple[Any, Exception | None]] = []
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for job in live:
                self._conn.execute("SAVEPOINT job")
                try:
                    outcomes.append((job.work(self._conn), None))
                except Exception as exc:
                    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _STORAGE_CODES:
                        raise
                    self._conn.execute("ROLLBACK TO job")  # this write alone is undone
                    outcomes.append((None, exc))
                self._conn.execute("RELEASE job")
            self._conn.execute("COMMIT")
        except Exception as exc:  # the file cannot be written: none of the group is kept
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            self._failed_at = time.monotonic()
            outcomes = [(None, StorageUnavailable(str(exc)))] * len(live)
        for job, (result, error) in zip(live, outcomes, strict=True):
            if error is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(error)
