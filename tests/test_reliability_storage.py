"""Database trouble (locked by another process, disk full mid-write): 503, nothing half-kept, then
recovery when the trouble is gone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import batch
from tests.live import quick_submission

Client = AsyncTestClient[Litestar]


def count(db_path: Path, table: str) -> int:
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@contextmanager
def locked_by_another_process(db_path: Path) -> Iterator[None]:
    """Another program (a careless backup tool, a sqlite3 shell) holds the write lock.

    As root, file modes do not make the file read-only, so the writer is kept out this way.
    """
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@pytest.mark.slow
async def test_locked_database_answers_503_then_recovers(
    client: Client, training: dict[str, Any], db_path: Path
) -> None:
    subs = [quick_submission(training["join_code"], n) for n in range(5)]
    before = count(db_path, "submissions"), count(db_path, "participants")
    with locked_by_another_process(db_path):
        response = await client.post("/api/v1/sync", json=batch(*subs))
        assert response.status_code == 503, response.text
        assert "nothing was kept" in response.json()["detail"]
        assert int(response.headers["retry-after"]) > 0
        # Phones can still fetch their bundle: reads do not need the write lock.
        bundle = await client.get(f"/api/v1/bundles/{training['join_code']}")
        assert bundle.status_code == 200
    assert (count(db_path, "submissions"), count(db_path, "participants")) == before
    retry = await client.post("/api/v1/sync", json=batch(*subs))
    assert retry.status_code == 200
    assert [r["status"] for r in retry.json()["results"]] == ["accepted"] * 5
    assert count(db_path, "submissions") == 5


async def test_disk_full_mid_batch_answers_503_and_keeps_nothing(
    app: Litestar, client: Client, training: dict[str, Any], db_path: Path
) -> None:
    # A batch big enough to need new pages, with many new participants written before the
    # submissions: a failure on the submissions must take the participants with it.
    subs = [quick_submission(training["join_code"], n) for n in range(200)]
    db = app.state.db
    pages = await db.write(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0])
    await db.write(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}"))  # disk full
    before = {t: count(db_path, t) for t in ("submissions", "participants", "devices")}
    response = await client.post("/api/v1/sync", json=batch(*subs))
    assert response.status_code == 503, response.text
    assert {t: count(db_path, t) for t in before} == before
    await db.write(lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"))
    retry = await client.post("/api/v1/sync", json=batch(*subs))
    assert retry.status_code == 200
    assert {r["status"] for r in retry.json()["results"]} == {"accepted"}
    assert count(db_path, "submissions") == 200
    assert count(db_path, "participants") == len({s["participant"]["code"] for s in subs})


async def test_read_only_database_answers_503_and_keeps_nothing(
    app: Litestar, client: Client, training: dict[str, Any], db_path: Path
) -> None:
    subs = [quick_submission(training["join_code"], n) for n in range(5)]
    db = app.state.db
    await db.write(lambda conn: conn.execute("PRAGMA query_only = 1"))  # as if mounted read-only
    before = {t: count(db_path, t) for t in ("submissions", "participants", "devices")}
    response = await client.post("/api/v1/sync", json=batch(*subs))
    assert response.status_code == 503, response.text
    assert {t: count(db_path, t) for t in before} == before
