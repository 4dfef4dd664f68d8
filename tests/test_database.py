"""The database wrapper: durable settings, migrations, and failing fast when the file is locked."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from server.db.database import Database, StorageUnavailable
from server.db.schema import MIGRATIONS


async def test_opening_applies_migrations_and_durable_settings(tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")
    await db.open()
    try:
        assert await db.fetch_value("PRAGMA user_version") == len(MIGRATIONS)
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
    finally:
        await db.close()


async def test_writers_queued_behind_a_locked_file_fail_at_once(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    db = Database(path)
    await db.open()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("PRAGMA busy_timeout=0")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        await db.writer_busy_timeout(200)

        async def write() -> None:
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO audit_log (at, actor, action) VALUES ('t', 'a', 'b')"
                )

        outcomes = await asyncio.gather(write(), write(), write(), return_exceptions=True)
        assert all(isinstance(o, StorageUnavailable) for o in outcomes)
        # Only the first waited for the lock; the others were told while they queued.
        assert sum("while this write waited" in str(o) for o in outcomes) == 2
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    async with db.transaction() as conn:  # a new writer tries again, and succeeds
        await conn.execute("INSERT INTO audit_log (at, actor, action) VALUES ('t', 'a', 'b')")
    assert await db.fetch_value("SELECT COUNT(*) FROM audit_log") == 1
    await db.close()


async def test_a_failed_write_keeps_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")
    await db.open()
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO audit_log (at, actor, action) VALUES ('t', 'a', 'b')")
            raise ZeroDivisionError
    with pytest.raises(ZeroDivisionError):
        await db.write(lambda conn: (conn.execute("INSERT INTO audit_log (at, actor, action)"
                                                  " VALUES ('t', 'a', 'b')"), 1 / 0))  # fmt: skip
    assert await db.fetch_value("SELECT COUNT(*) FROM audit_log") == 0
    await db.close()
