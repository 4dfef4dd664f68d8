"""`tadrib backup` while phones keep sending: a consistent copy that `tadrib serve` opens."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.live import LiveServer, Phone, admin_token, cli, integrity, quick_submission, seed

PHONES = 6
PER_PHONE = 600  # more than they will send: they stop soon after the backup


@pytest.mark.slow
async def test_backup_during_writes_is_a_consistent_copy_that_serves(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    backups = tmp_path / "backups"
    token = admin_token(db)
    with LiveServer(db) as server:
        code = seed(server.url, token)["join_code"]
        phones = [
            Phone(server.url, [quick_submission(code, p * PER_PHONE + i) for i in range(PER_PHONE)],
                  batch_size=4)
            for p in range(PHONES)
        ]  # fmt: skip
        sent = {s["id"]: s for p in phones for s in p.outbox}
        busy_after: list[bool] = []

        async def back_up() -> None:
            while sum(len(p.acknowledged) for p in phones) < 150:
                await asyncio.sleep(0.01)
            out = await asyncio.to_thread(cli, "backup", str(backups), "--db", str(db))
            assert "backup written" in out
            busy_after.append(any(p.outbox for p in phones))
            for p in phones:  # a few more batches after the copy, then the phones are done
                del p.outbox[8:]

        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as client:
            await asyncio.gather(back_up(), *(p.flush(client, deadline) for p in phones))
    assert busy_after == [True], "the phones stopped before the backup finished"
    (copy,) = backups.glob("tadrib-*.db")

    assert integrity(copy) == "ok"
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        in_copy = {row[0] for row in conn.execute("SELECT id FROM submissions")}
        orphans = conn.execute(
            "SELECT COUNT(*) FROM submissions s LEFT JOIN participants p ON p.id = s.participant_id"
            " WHERE p.id IS NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    assert orphans == 0
    everything = {i for p in phones for i in p.acknowledged}
    assert 0 < len(in_copy) < len(everything)
    assert in_copy <= everything
    # Each batch was one transaction: the copy holds all of it or none of it.
    for p in phones:
        for ids in p.batches:
            assert len(in_copy & set(ids)) in (0, len(ids)), ids

    with LiveServer(copy, env={"TADRIB_SYNC_RATE": "600"}) as restored:
        admin = {"Authorization": f"Bearer {token}"}
        r = httpx.get(f"{restored.url}/api/v1/trainings/rabat-tot/submissions", headers=admin)
        assert r.status_code == 200, r.text
        assert {s["id"] for s in r.json()} == in_copy
        # What the copy holds is known to it: a phone replaying its first batch gets duplicates.
        first = phones[0].batches[0]
        r = httpx.post(
            f"{restored.url}/api/v1/sync",
            json={"device": "replay", "pending": 0, "submissions": [sent[i] for i in first]},
        )
        assert r.status_code == 200, r.text
        assert [x["status"] for x in r.json()["results"]] == ["duplicate"] * len(first)
