"""The SQLite database: a single serialised writer and a separate reader, both durable."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

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


class Database:
    """One writer connection behind a lock (the single-writer rule) and one reader connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        #: When the file was last found locked or unwritable: writers that were already queued
        #: then fail at once instead of each waiting out the busy timeout in turn.
        self._failed_at = float("-inf")
        #: Things that never change once stored (published question sets), per database.
        self.immutable: dict[Any, Any] = {}

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
            self._check_available(arrived)
            try:
                await conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self._unavailable(exc) from exc
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    await conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise self._unavailable(exc) from exc
                raise

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the writer connection, in the writer's own thread, as one durable
        transaction: one hand-over between threads instead of one per statement (the sync path).

        The lock is held only to put the work in the writer's queue, not while it runs: writes
        queued one after another then run back to back in the writer's thread, without waiting
        for the event loop in between, while the loop gets the next batches ready.
        """
        if self._writer is None:
            raise RuntimeError("the database is not open")
        writer = self._writer
        arrived = time.monotonic()

        def run() -> T:
            self._check_available(arrived)
            conn = writer._conn  # aiosqlite's sqlite3 connection, used in its own thread
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                raise self._unavailable(exc) from exc
            return result

        async with self._write_lock:
            self._check_available(arrived)
            done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
            # aiosqlite (pinned) runs every call from this queue, in order, in its thread;
            # `transaction` holds the lock for its whole length, so nothing comes between.
            writer._tx.put_nowait((done, run))
        return await done

    def _check_available(self, arrived: float) -> None:
        if arrived < self._failed_at:
            raise StorageUnavailable("the database became unavailable while this write waited")

    def _unavailable(self, exc: sqlite3.OperationalError) -> StorageUnavailable:
        self._failed_at = time.monotonic()
        return StorageUnavailable(str(exc))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def backup(self, target: Path) -> None:
        """Copy the database consistently while writes may go on (SQLite's online backup)."""
        if self._reader is None:
            raise RuntimeError("the database is not open")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = await aiosqlite.connect(target)
        try:
            await self._reader.backup(dest)
        finally:
            await dest.close()
