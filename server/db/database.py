"""The SQLite database: one thread owns the only connection that writes; reads have a
connection and a thread of their own, so the event loop never waits on the disk.

Every write of the server is a function handed to `Database.write`. The writer's thread takes
the functions waiting in its queue, runs them in one transaction and commits once (one fsync
for all), then answers each caller: no caller hears back before the commit that holds its
write. A function that raises is undone alone (it runs in a savepoint); when the file cannot
be written (locked, read-only, full), the whole group is undone and each caller gets
`StorageUnavailable`.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from server.db.schema import migrate

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")

#: WAL, so readers see the last commit while the writer works; FULL, so a commit is on disk.
PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
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
class _Write:
    """A write waiting for the writer's thread; its caller awaits `done`."""

    work: Callable[[sqlite3.Connection], Any]
    arrived: float = field(default_factory=time.monotonic)
    done: Future[Any] = field(default_factory=Future)


class Database:
    """The one writer (`write`) and one reading connection (`read`, `fetch_*`)."""

    def __init__(self, path: Path, busy_timeout: float = 5.0) -> None:
        self.path = path
        #: How long a write waits for another process's lock before giving up, in seconds.
        self.busy_timeout = busy_timeout
        self._writes: queue.SimpleQueue[_Write | None] | None = None
        self._writer: threading.Thread | None = None
        self._reader: sqlite3.Connection | None = None
        self._reads: ThreadPoolExecutor | None = None
        #: When the file last failed: the writes already waiting then are refused at once,
        #: instead of each waiting out the busy timeout in turn.
        self._failed_at = float("-inf")
        #: Things that never change once stored (published question sets), per database.
        self.immutable: dict[Any, Any] = {}
        #: Things read recently that may change: their module says for how long they are good,
        #: and drops them when it changes them.
        self.recent: dict[Any, Any] = {}

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=self.busy_timeout
        )

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        conn.executescript(PRAGMAS)
        migrate(conn)
        self._writes = queue.SimpleQueue()
        self._writer = threading.Thread(
            target=self._run, args=(conn, self._writes), name="tadrib-writer", daemon=True
        )
        self._writer.start()
        self._reader = self._connect()
        self._reader.row_factory = sqlite3.Row
        self._reads = ThreadPoolExecutor(1, thread_name_prefix="tadrib-reader")

    async def close(self) -> None:
        """Commit the writes queued so far, then stop both threads and close."""
        if self._writes is not None and self._writer is not None:
            self._writes.put(None)
            await asyncio.to_thread(self._writer.join)
        if self._reads is not None:
            await asyncio.to_thread(self._reads.shutdown)
        if self._reader is not None:
            self._reader.close()
        self._writes, self._writer, self._reader, self._reads = None, None, None, None

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the writing connection; returns once it is durably committed. Raises
        what `work` raised (it alone is undone), or `StorageUnavailable`."""
        if self._writes is None:
            raise RuntimeError("the database is not open")
        write = _Write(work)
        self._writes.put(write)
        result: T = await asyncio.wrap_future(write.done)
        return result

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the reading connection, in the reader's thread."""
        if self._reader is None or self._reads is None:
            raise RuntimeError("the database is not open")
        return await asyncio.get_running_loop().run_in_executor(self._reads, work, self._reader)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self.read(lambda conn: conn.execute(sql, params).fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = await self.read(lambda conn: conn.execute(sql, params).fetchone())
        return row

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    def _run(self, conn: sqlite3.Connection, writes: queue.SimpleQueue[_Write | None]) -> None:
        """The writer's thread: take the writes waiting, commit them together, until closed."""
        while (write := writes.get()) is not None:
            group = [write]
            with suppress(queue.Empty):
                while len(group) < MAX_GROUP and (write := writes.get_nowait()) is not None:
                    group.append(write)
            self._commit(conn, group)
            if write is None:  # `close` was called while these waited
                break
        conn.close()

    def _commit(self, conn: sqlite3.Connection, group: list[_Write]) -> None:
        """Run the writes in one transaction, commit once, and answer each."""
        # A write whose caller went away before it ran is dropped: nothing was promised.
        group = [write for write in group if write.done.set_running_or_notify_cancel()]
        refused = StorageUnavailable("the database became unavailable while this write waited")
        for write in group:
            if write.arrived < self._failed_at:
                write.done.set_exception(refused)
        live = [write for write in group if write.arrived >= self._failed_at]
        if not live:
            return
        outcomes: list[tuple[Any, Exception | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for write in live:
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append((write.work(conn), None))
                except Exception as exc:
                    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _STORAGE_CODES:
                        raise
                    conn.execute("ROLLBACK TO job")  # this write alone is undone
                    outcomes.append((None, exc))
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except Exception as exc:  # the file cannot be written: none of the group is kept
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            self._failed_at = time.monotonic()
            outcomes = [(None, StorageUnavailable(str(exc)))] * len(live)
        for write, (result, error) in zip(live, outcomes, strict=True):
            if error is None:
                write.done.set_result(result)
            else:
                write.done.set_exception(error)
