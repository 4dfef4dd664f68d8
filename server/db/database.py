"""The SQLite database: a single serialised writer and a separate reader, both durable.

On a server with a scribe (`server/scribe.py`), sync batches are written by the scribe's own
connection instead; SQLite lets one of the two write at a time, the other waits its turn.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from server.db.group_commit import MAX_GROUP, Job, run_group
from server.db.schema import MIGRATIONS

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


class StorageUnavailable(Exception):
    """The database cannot be written (read-only file, locked, disk full); try again later."""


PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


class Outage:
    """When the file was last found locked, read-only or full: writes that were already
    waiting then fail at once instead of each waiting out the busy timeout in turn."""

    def __init__(self) -> None:
        self.failed_at = float("-inf")

    def unavailable(self, exc: sqlite3.OperationalError) -> StorageUnavailable:
        """SQLite's storage error as callers see it; notes when it happened."""
        self.failed_at = time.monotonic()
        return StorageUnavailable(str(exc))

    def refused(self) -> StorageUnavailable:
        """The error of a write that was waiting when the storage failed."""
        return StorageUnavailable("the database became unavailable while this write waited")

    def check(self, arrived: float) -> None:
        """Refuse a write that arrived before the storage last failed."""
        if arrived < self.failed_at:
            raise self.refused()


class _Write(Job):
    """A job and the future its caller awaits."""

    __slots__ = ("done",)

    def __init__(self, work: Callable[[sqlite3.Connection], Any], done: asyncio.Future[Any]):
        super().__init__(work)
        self.done = done

    def settle(self) -> None:
        """In the event loop: pass the outcome to whoever awaits the future."""
        if self.done.done():  # cancelled: the request went away; the write stands or not
            return
        if self.error is not None:
            self.done.set_exception(self.error)
        else:
            self.done.set_result(self.result)


def _settle_all(jobs: list[_Write]) -> None:
    for job in jobs:
        job.settle()


class Database:
    """One writer connection behind a lock (the single-writer rule) and one reader connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._outage = Outage()
        #: Writes waiting for the writer's thread, and whether a run of them is queued there.
        self._jobs: queue.SimpleQueue[_Write] = queue.SimpleQueue()
        self._group_queued = False
        #: Things that never change once stored (published question sets), per database.
        self.immutable: dict[Any, Any] = {}
        #: Things read recently that may change: their module says for how long they are good,
        #: and drops them when it changes them.
        self.recent: dict[Any, Any] = {}

    async def open(self) -> None:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await aiosqlite.connect(self.path, isolation_level=None)
        self._writer.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await self._writer.execute(pragma)
        await self._migrate(self._writer)
        self._reader = await aiosqlite.connect(self.path, isolation_level=None)
        self._reader.row_factory = sqlite3.Row
        for pragma in PRAGMAS[1:]:
            await self._reader.execute(pragma)

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @staticmethod
    async def _migrate(conn: aiosqlite.Connection) -> None:
        async with conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        current = int(row[0]) if row else 0
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            # executescript commits first; the version bump is part of the same script.
            await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")

    async def writer_busy_timeout(self, milliseconds: int) -> None:
        """How long a write waits for another process's lock before giving up (5 s by default)."""
        if self._writer is None:
            raise RuntimeError("the database is not open")
        await self._writer.execute(f"PRAGMA busy_timeout={int(milliseconds)}")

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("the database is not open")
        return self._reader

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self.reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self.reader.execute(sql, params) as cur:
            row: sqlite3.Row | None = await cur.fetchone()
            return row

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run writes in one durable transaction; commit on exit, roll back on error."""
        if self._writer is None:
            raise RuntimeError("the database is not open")
        conn = self._writer
        arrived = time.monotonic()
        async with self._write_lock:
            self._outage.check(arrived)
            try:
                await conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self._outage.unavailable(exc) from exc
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    await conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise self._outage.unavailable(exc) from exc
                raise

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the writer connection, in the writer's own thread, durably committed
        before this returns: the sync path, one hand-over between threads per batch.

        Writes that wait for the writer together are committed together (see `group_commit`);
        one that fails alone is rolled back alone. The lock is held only to queue the work:
        queued writes run back to back in the writer's thread while the event loop gets the
        next ones ready. `work` must only change the database: it may run twice.
        """
        if self._writer is None:
            raise RuntimeError("the database is not open")
        writer = self._writer
        job = _Write(work, asyncio.get_running_loop().create_future())
        async with self._write_lock:
            self._outage.check(job.arrived)
            self._jobs.put(job)
            if not self._group_queued:
                self._group_queued = True
                # aiosqlite (pinned) runs every call from this queue, in order, in its thread;
                # `transaction` holds the lock for its whole length, so nothing comes between.
                writer._tx.put_nowait((None, self._run_group))
        result: T = await job.done
        return result

    def _run_group(self) -> None:
        """In the writer's thread: commit the writes waiting now, together."""
        self._group_queued = False  # before taking jobs: one queued after this gets a new run
        jobs: list[_Write] = []
        with suppress(queue.Empty):
            while len(jobs) < MAX_GROUP:
                jobs.append(self._jobs.get_nowait())
        if not self._jobs.empty() and not self._group_queued:
            self._group_queued = True
            assert self._writer is not None
            self._writer._tx.put_nowait((None, self._run_group))
        if not jobs:
            return
        assert self._writer is not None
        conn = self._writer._conn  # aiosqlite's sqlite3 connection, used in its own thread
        try:
            run_group(conn, jobs, self._outage)
        except Exception as exc:  # a fault of ours: roll back what is open; let no write hang
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            for job in jobs:
                job.result, job.error = None, exc
        # One wake-up of the event loop for the whole group.
        jobs[0].done.get_loop().call_soon_threadsafe(_settle_all, jobs)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)
