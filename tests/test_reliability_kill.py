"""A server killed with SIGKILL mid-sync, again and again, loses nothing and stores nothing twice."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import httpx
import pytest

from tests.live import LiveServer, Phone, admin_token, integrity, quick_submission, seed, stored_ids

PHONES = 8
PER_PHONE = 100
KILLS = 5


@pytest.mark.slow
async def test_sigkill_mid_sync_loses_nothing_and_stores_each_once(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    token = admin_token(db)
    rng = random.Random()
    seed_value = rng.randrange(1 << 30)
    rng.seed(seed_value)
    with LiveServer(db) as server:
        code = seed(server.url, token)["join_code"]
        phones = [
            Phone(
                server.url,
                [quick_submission(code, p * PER_PHONE + i) for i in range(PER_PHONE)],
                batch_size=rng.choice([3, 5, 8]),
            )
            for p in range(PHONES)
        ]
        all_ids = sorted(s["id"] for p in phones for s in p.outbox)
        acked_at_kill: list[set[str]] = []
        on_disk_at_kill: list[set[str]] = []

        async def killer() -> None:
            for k in range(KILLS):
                # Spread the kills over the run, each at a random moment within its stretch.
                target = rng.uniform(k + 0.2, k + 0.8) / (KILLS + 1) * len(all_ids)
                while sum(len(p.acknowledged) for p in phones) < target:
                    await asyncio.sleep(0.005)
                await asyncio.sleep(rng.uniform(0, 0.03))
                await asyncio.to_thread(server.kill)
                # Everything acknowledged so far was answered before the process died.
                acked_at_kill.append({i for p in phones for i in p.acknowledged})
                on_disk_at_kill.append(set(await asyncio.to_thread(stored_ids, db)))
                await asyncio.sleep(rng.uniform(0, 0.2))  # phones fail while it is down
                await asyncio.to_thread(server.start)

        deadline = time.monotonic() + 120
        async with httpx.AsyncClient() as client:
            await asyncio.gather(killer(), *(p.flush(client, deadline) for p in phones))

    context = f"(random seed {seed_value})"
    print(
        f"{len(all_ids)} submissions, {server.starts} server starts, "
        f"{sum(p.retries for p in phones)} retries {context}"
    )
    assert len(acked_at_kill) == KILLS, (
        f"the phones finished before the server was killed {context}"
    )
    for acked, on_disk in zip(acked_at_kill, on_disk_at_kill, strict=True):
        assert acked <= on_disk, f"acknowledged but lost: {sorted(acked - on_disk)[:5]} {context}"
    assert sum(p.retries for p in phones) > 0, f"no kill hit a sync in flight {context}"
    assert [e for p in phones for e in p.errors] == []
    assert sorted(i for p in phones for i in p.acknowledged) == all_ids
    assert integrity(db) == "ok"
    stored = stored_ids(db)
    assert len(stored) == len(set(stored)), "a submission was stored twice"
    assert sorted(stored) == all_ids
