"""The database: durable settings, migrations, and the one writer (group commit, a write that
fails alone, storage trouble failing the whole group and refusing the writes that waited)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from server.db import Database, StorageUnavailable
from server.db.schema import MIGRATIONS
from server.db.submissions import DeviceSeen, store
from sync.decide import Caps, Record


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "t.db", busy_timeout=0.2)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def _audit(action: str) -> Callable[[sqlite3.Connection], int]:
    def work(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO audit_log (at, actor, action) VALUES ('t', 'a', ?)", (action,))
        if action == "bad":
            raise ValueError("refused by its own rules")
        return len(action)

    return work


async def _actions(db: Database) -> list[str]:
    return [r[0] for r in await db.fetch_all("SELECT action FROM audit_log ORDER BY id")]


async def test_opening_applies_migrations_and_durable_settings(db: Database) -> None:
    assert await db.fetch_value("PRAGMA user_version") == len(MIGRATIONS)
    assert await db.fetch_value("PRAGMA journal_mode") == "wal"
    assert await db.write(lambda conn: conn.execute("PRAGMA synchronous").fetchone()[0]) == 2
    assert await db.write(lambda conn: conn.execute("PRAGMA foreign_keys").fetchone()[0]) == 1


async def test_a_failed_write_keeps_nothing(db: Database) -> None:
    with pytest.raises(ValueError, match="its own rules"):
        await db.write(_audit("bad"))
    assert await _actions(db) == []


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
    await db.write(
        lambda conn: conn.set_trace_callback(
            lambda sql: commits.append(sql) if sql == "COMMIT" else None
        )
    )
    commits.clear()
    assert await _while_busy(db, ("one", "two", "three")) == [3, 3, 5]
    assert len(commits) == 2  # the busy one, then one durable commit for the three
    outcomes = await _while_busy(db, ("four", "bad", "six"))
    assert outcomes[0] == 4 and outcomes[2] == 3
    assert isinstance(outcomes[1], ValueError)
    assert await _actions(db) == ["one", "two", "three", "four", "six"]


async def test_storage_trouble_fails_the_whole_group_and_keeps_none(db: Database) -> None:
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
    assert await _actions(db) == ["later"]


async def test_writes_waiting_behind_a_locked_file_are_refused_at_once(db: Database) -> None:
    blocker = sqlite3.connect(db.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        first = asyncio.ensure_future(db.write(_audit("first")))
        await asyncio.sleep(0.05)  # the first waits for the lock; these queue behind it
        queued = asyncio.gather(*(db.write(_audit(a)) for a in ("x", "y")), return_exceptions=True)
        with pytest.raises(StorageUnavailable):
            await first
        outcomes = await queued
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert all("while this write waited" in str(o) for o in outcomes)
    assert await db.write(_audit("later")) == 5


async def test_a_batch_longer_than_one_statement_is_stored_whole(db: Database) -> None:
    """Uploads may hold more rows than one INSERT takes: each is stored once, and the ones
    already there are found."""

    def training(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO forms (id, version, kind, title, content, hash, published_at)"
            " VALUES ('f', '1', 'test', '{}', '{}', 'h', 'n')"
        )
        conn.execute(
            "INSERT INTO trainings (id, title, country, starts_on, ends_on, join_code,"
            " created_at, updated_at) VALUES ('t', '\"T\"', 'MA', 'a', 'b', 'J', 'n', 'n')"
        )

    await db.write(training)
    records = [
        Record(
            show_score=False, may_join=True, id=f"id-{i}", training_id="t", code=f"C{i % 700}",
            form_id="f", form_version="1", phase="pre", lang="en", raw_code="c",
            institution="police", sex="male", age_band=None, answers="{}", content_hash="h",
            score=None, max_score=None, percent=None, item_points=None, started_at=None,
            completed_at="2019-01-07T10:00:00Z", flags="[]", choice_order=None,
        )
        for i in range(1200)
    ]  # fmt: skip
    device = DeviceSeen(id="d", pending=0, user_agent="", trainings=["t"])
    no_caps = Caps(per_code=10_000, per_device=10_000)

    results = await db.write(lambda conn: store(
        conn, records[:300], device, "now", "upload", no_caps
    ))  # fmt: skip
    assert {r.status for r in results} == {"accepted"} and len(results) == 300
    results = await db.write(lambda conn: store(
        conn, records, device, "now", "upload", no_caps
    ))  # fmt: skip
    assert [r.status for r in results] == ["duplicate"] * 300 + ["accepted"] * 900
    assert await db.fetch_value("SELECT COUNT(*) FROM submissions") == 1200
    assert await db.fetch_value("SELECT COUNT(*) FROM participants") == 700
