"""Benchmark: a room coming online at once.

300 phones, each holding one participant's pre-test, post-test and evaluation, send them in one
batch at the same moment (their connections already open). Prints the 50th, 95th and 99th
percentile time from that moment to each phone's answer, and the errors: any answer other than
200 with three `accepted`. The bar: p99 under 1 s and no error. The server is a real
`tadrib serve` on 127.0.0.1 with its default rate limits (per phone, and per address: every phone
here shares one, as a room behind one router does).
Run: `.venv/bin/python bench/room.py [--phones N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._client import Connection  # noqa: E402
from server.settings import Settings  # noqa: E402
from tests.live import (  # noqa: E402
    LiveServer,
    admin_token,
    evaluation_answers,
    quick_submission,
    seed,
)

LIMIT_P99 = 1.0
#: The server's own defaults (`tests.live.LiveServer` turns the limits off unless told).
DEFAULT_LIMITS = {
    "TADRIB_SYNC_RATE": str(Settings().sync_rate_per_minute),
    "TADRIB_SYNC_ADDRESS_RATE": str(Settings().sync_address_rate_per_minute),
}


def phone_batch(join_code: str, n: int, rated: dict[str, object]) -> bytes:
    """One phone's batch: its participant's pre-test, post-test and evaluation (`rated`)."""
    pre, post = quick_submission(join_code, n, "pre"), quick_submission(join_code, n, "post")
    evaluation = {
        **quick_submission(join_code, n, "evaluation"),
        "id": str(uuid.uuid4()),
        "form": "tot-evaluation",
        "answers": rated,
    }
    return msgspec.json.encode(
        {"device": f"room-{n}", "pending": 0, "submissions": [pre, post, evaluation]}
    )


async def room(url: str, bodies: list[bytes]) -> tuple[list[float], list[str]]:
    """Seconds from the moment to each answer, and the errors."""
    moment = asyncio.Event()
    errors: list[str] = []
    start = 0.0

    async def phone(conn: Connection, body: bytes) -> float:
        await moment.wait()
        status, answer = await conn.post_json("/api/v1/sync", body)
        took = time.perf_counter() - start
        statuses = (
            [r["status"] for r in msgspec.json.decode(answer)["results"]] if status == 200 else []
        )
        if statuses != ["accepted"] * 3:
            errors.append(f"{status}: {answer[:200]!r}")
        return took

    conns = [Connection(url) for _ in bodies]
    for conn in conns:
        await conn.__aenter__()
    try:
        tasks = [asyncio.create_task(phone(c, b)) for c, b in zip(conns, bodies, strict=True)]
        await asyncio.sleep(0.2)  # every phone is waiting for the moment
        start = time.perf_counter()
        moment.set()
        times = list(await asyncio.gather(*tasks))
    finally:
        for conn in conns:
            await conn.__aexit__()
    return times, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tadrib-room-", dir=ROOT / ".venv") as tmp:
        db = Path(tmp) / "room.db"
        token = admin_token(db)
        with LiveServer(db, env=DEFAULT_LIMITS) as server:
            code = seed(server.url, token)["join_code"]
            rated = evaluation_answers()
            bodies = [phone_batch(code, n, rated) for n in range(args.phones)]
            times, errors = asyncio.run(room(server.url, bodies))
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    ok = p99 < LIMIT_P99 and not errors
    print(
        f"room: {args.phones} phones x 3 forms at once: time to answer p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (max {max(times) * 1000:.0f} ms); "
        f"{len(errors)} error(s); {'meets' if ok else 'misses'} the bar "
        f"(p99 under {LIMIT_P99:g} s, no error)"
    )
    for error in errors[:5]:
        print(f"  {error}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
