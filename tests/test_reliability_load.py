"""Load: 200 phones sending 50 submissions each to a live server at once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.live import LiveServer, Phone, admin_token, integrity, quick_submission, seed, stored_ids

PHONES = 200
PER_PHONE = 50


@pytest.mark.slow
async def test_200_phones_sending_50_each_all_stored_once_without_errors(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    token = admin_token(db)
    # Phones at one venue share one address behind the router; the limiter is tested on its own.
    with LiveServer(db, env={"TADRIB_SYNC_RATE": "0"}) as server:
        code = seed(server.url, token)["join_code"]
        phones = [
            # 200 requests at once queue behind one writer: a phone waits as long as it must.
            Phone(
                server.url,
                [quick_submission(code, p * PER_PHONE + i) for i in range(PER_PHONE)],
                timeout=60,
            )
            for p in range(PHONES)
        ]
        all_ids = sorted(s["id"] for p in phones for s in p.outbox)
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends, or a request sent
        # just as the server closes one fails with a reset (a race of HTTP/1.1, not of Tadrib).
        limits = httpx.Limits(
            max_connections=PHONES, max_keepalive_connections=PHONES, keepalive_expiry=2
        )
        started = time.perf_counter()
        async with httpx.AsyncClient(limits=limits) as client:
            deadline = time.monotonic() + 90
            await asyncio.gather(*(p.flush(client, deadline) for p in phones))
        elapsed = time.perf_counter() - started
    requests = sum(len(p.batches) for p in phones)
    print(
        f"\nload: {PHONES} phones x {PER_PHONE} submissions = {len(all_ids)} in {elapsed:.1f} s "
        f"({len(all_ids) / elapsed:.0f} submissions/s, {requests} requests, "
        f"{sum(p.retries for p in phones)} retries)"
    )
    assert [e for p in phones for e in p.errors] == []
    failures = [f for p in phones for f in p.failures]
    assert failures == [], f"{failures[:5]}\n{server.log.read_text()[-3000:]}"
    assert sorted(i for p in phones for i in p.acknowledged) == all_ids
    assert {s for p in phones for s in p.acknowledged.values()} == {"accepted"}
    stored = stored_ids(db)
    assert len(stored) == len(set(stored)) == len(all_ids)
    assert sorted(stored) == all_ids
    assert integrity(db) == "ok"
