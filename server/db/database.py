"""The SQLite database: every write through the one writer thread, reads on a connection of
their own, in a thread of their own so the event loop never waits on the disk."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from server.db.schema import MIGRATIONS
from server.db.writer import Writer

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


class Database:
    """The one writer (`write`) and one reading connection (`read`, `fetch_*`)."""

    def __init__(self, path: Path, busy_timeout: float = 5.0) -> None:
        self.path = path
        #: How long a write waits for another process's lock before giving up, in seconds.
        self.busy_timeout = busy_timeout
        self._writer: Writer | None = None
        self._reader: sqlite3.Connection | None = None
        self._reads: ThreadPoolExecutor | None = None
        #: Things that never change once stored (published question sets), per database.
        self.immutable: dict[Any, Any] = {}
        #: Things read recently that may change: their module says for how long they are good,
        #: and drops them when it changes them.
        self.recent: dict[Any, Any] = {}

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = Writer(self.path, self.busy_timeout)
        writer.migrate(MIGRATIONS)
        writer.start()
        self._writer = writer
        self._reader = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=self.busy_timeout
        )
        self._reader.row_factory = sqlite3.Row
        self._reads = ThreadPoolExecutor(1, thread_name_prefix="tadrib-reader")

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.close()
        if self._reads is not None:
            await asyncio.to_thread(self._reads.shutdown)
        if self._reader is not None:
            self._reader.close()
        self._writer, self._reader, self._reads = None, None, None

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the writing connection; returns once it is durably committed.

        Writes waiting together are committed together; one that raises is undone alone.
        Raises `StorageUnavailable` when the file cannot be written.
        """
        if self._writer is None:
            raise RuntimeError("the database is not open")
        return await self._writer.write(work)

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
