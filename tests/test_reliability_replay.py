"""Answers lost after the commit, whole batches replayed, pre and post arriving out of order."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.types import Message, Receive, Scope, Send

from tests.conftest import batch, submission, sync_results
from tests.live import evaluation_answers, quick_submission

Client = AsyncTestClient[Litestar]


class AnswerLost(Exception):
    """The connection dropped after the server did its work, before the phone read the answer."""


def dropping_answers(app: Litestar) -> Any:
    """The real app behind a network that loses every response."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        async def lose(_: Message) -> None:
            return None

        await app(scope, receive, lose)
        raise AnswerLost

    return asgi


def rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


async def test_retry_after_answer_lost_past_the_commit_is_duplicate(
    app: Litestar, client: Client, training: dict[str, Any], db_path: Path
) -> None:
    subs = [quick_submission(training["join_code"], n) for n in range(3)]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dropping_answers(app)), base_url="http://phone"
    ) as lossy:
        with pytest.raises(AnswerLost):
            await lossy.post("/api/v1/sync", json=batch(*subs))
    # The phone saw nothing and keeps the three in its outbox; the server has them already.
    assert len(rows(db_path, "SELECT id FROM submissions")) == 3
    results = await sync_results(client, batch(*subs))
    assert [r["status"] for r in results] == ["duplicate"] * 3
    assert sorted(r[0] for r in rows(db_path, "SELECT id FROM submissions")) == sorted(
        s["id"] for s in subs
    )


async def test_whole_batch_replayed_concurrently_is_accepted_exactly_once(
    client: Client, training: dict[str, Any], db_path: Path
) -> None:
    subs = [quick_submission(training["join_code"], n) for n in range(20)]
    replies = await asyncio.gather(*(sync_results(client, batch(*subs)) for _ in range(6)))
    for n, sub in enumerate(subs):
        statuses = sorted(reply[n]["status"] for reply in replies)
        assert statuses == ["accepted"] + ["duplicate"] * 5, sub["id"]
        assert {reply[n]["id"] for reply in replies} == {sub["id"]}
    assert len(rows(db_path, "SELECT id FROM submissions")) == 20


async def test_overlapping_replay_stores_only_the_new_ones(
    client: Client, training: dict[str, Any], db_path: Path
) -> None:
    subs = [quick_submission(training["join_code"], n) for n in range(15)]
    first = await sync_results(client, batch(*subs[:10]))
    second = await sync_results(client, batch(*subs[5:]))
    assert [r["status"] for r in first] == ["accepted"] * 10
    assert [r["status"] for r in second] == ["duplicate"] * 5 + ["accepted"] * 5
    assert len(rows(db_path, "SELECT id FROM submissions")) == 15


async def test_post_and_evaluation_before_pre_are_stored_and_matched(
    client: Client, admin: dict[str, str], training: dict[str, Any], db_path: Path
) -> None:
    code = training["join_code"]
    who = {"code": "RT12K", "institution": "police", "sex": "male"}
    evaluation = submission(
        code, "evaluation", form="tot-evaluation", participant=who, answers=evaluation_answers(),
        completed_at="2019-01-11T16:00:00Z",
    )  # fmt: skip
    post = submission(code, "post", participant=who, completed_at="2019-01-11T15:00:00Z")
    pre = submission(code, "pre", participant={**who, "code": "rt12k"})
    # Evaluation and post from one device, the pre-test a day later from another.
    assert [r["status"] for r in await sync_results(client, batch(evaluation, post))] == [
        "accepted",
        "accepted",
    ]
    late_pre = {**batch(pre), "device": "second-phone"}
    assert [r["status"] for r in await sync_results(client, late_pre)] == ["accepted"]

    people = rows(db_path, "SELECT DISTINCT participant_id FROM submissions")
    assert len(people) == 1, "pre, post and evaluation of one code must be one participant"
    phases = sorted(r[0] for r in rows(db_path, "SELECT phase FROM submissions"))
    assert phases == ["evaluation", "post", "pre"]
    report = await client.get(f"/api/v1/trainings/{training['id']}/report", headers=admin)
    assert report.status_code == 200, report.text
    assert report.json()["flow"]["matched"] == 1
