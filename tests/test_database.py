"""The database wrapper: durable settings, migrations, and failing fast when the file is locked."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
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


def _audit(action: str) -> Callable[[sqlite3.Connection], int]:
    def work(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO audit_log (at, actor, action) VALUES ('t', 'a', ?)", (action,))
        if action == "bad":
            raise ValueError("refused by its own rules")
        return len(action)

    return work


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "t.db")
    await database.open()
    try:
        yield database
    finally:
        await database.close()


async def _while_busy(db: Database, actions: tuple[str, ...]) -> list[object]:
    """Outcomes of writes that arrive while the writer is busy, as when phones sync at once."""
    gate = threading.Event()
    busy = asyncio.ensure_future(db.write(lambda conn: gate.wait(10)))
    await asyncio.sleep(0.05)
    waiting = asyncio.gather(*(db.write(_audit(a)) for a in actions), return_exceptions=True)
    await asyncio.sleep(0.05)
    gate.set()
    assert await busy is True
    return list(await waiting)


async def test_writes_waiting_together_commit_together_and_fail_alone(db: Database) -> None:
    commits: list[str] = []
    writer = db._writer
    assert writer is not None
    await writer.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    assert await _while_busy(db, ("one", "two", "three")) == [3, 3, 5]
    assert len(commits) == 2  # the busy one, then one durable commit for the three
    outcomes = await _while_busy(db, ("four", "bad", "six"))
    assert outcomes[0] == 4 and outcomes[2] == 3
    assert isinstance(outcomes[1], ValueError)
    rows = await db.fetch_all("SELECT action FROM audit_log ORDER BY id")
    assert [r[0] for r in rows] == ["one", "two", "three", "four", "six"]


async def test_storage_trouble_fails_the_whole_group_and_keeps_none(db: Database) -> None:
    await db.writer_busy_timeout(100)
    blocker = sqlite3.connect(db.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        outcomes = await asyncio.gather(
            *(db.write(_audit(action)) for action in ("one", "two", "three")),
            return_exceptions=True,
        )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert all(isinstance(o, StorageUnavailable) for o in outcomes)
    assert await db.write(_audit("later")) == 5  # the next write tries again, and succeeds
    assert await db.fetch_value("SELECT COUNT(*) FROM audit_log") == 1
