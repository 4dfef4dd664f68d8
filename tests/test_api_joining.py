"""Joining closed means closed, without losing offline work: new codes are refused unless the
phone proves it joined while joining was open; codes already seen are unaffected; timing is
flagged, never refused."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.db import trainings as trainings_db
from sync.wire import PhaseWindow
from tests.conftest import batch, submission, sync_results

Client = AsyncTestClient[Litestar]


def person(code: str) -> dict[str, str]:
    return {"code": code, "institution": "gendarmerie", "sex": "female"}


async def stamp_of(client: Client, join_code: str) -> str:
    bundle = (await client.get(f"/api/v1/bundles/{join_code}")).json()
    found: str = bundle["training"]["joining_stamp"]
    return found


async def close_joining(app: Litestar, open_: bool = False) -> None:
    await trainings_db.set_joining(app.state.db, "rabat-tot", open_, "test")


async def test_a_new_code_is_refused_while_joining_is_closed_whatever_its_time_says(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await close_joining(app)
    early = submission(training["join_code"], participant=person("NEW01"),
                       completed_at="2019-01-07T09:00:00Z")  # fmt: skip
    [result] = await sync_results(client, batch(early))
    assert result["status"] == "rejected"
    assert "Joining training 'rabat-tot' is closed" in result["detail"]
    assert "Les inscriptions à la formation 'rabat-tot' sont fermées" in result["detail"]
    assert "الانضمام إلى التدريب 'rabat-tot' مغلق" in result["detail"]
    listed = await client.get("/api/v1/trainings/rabat-tot/submissions", headers=admin)
    assert listed.json() == []

    await close_joining(app, open_=True)  # reopening lets the same record in
    [again] = await sync_results(client, batch(early))
    assert again["status"] == "accepted"


async def test_a_code_already_seen_sends_after_joining_closed(
    app: Litestar, client: Client, training: dict[str, Any]
) -> None:
    code = training["join_code"]
    [pre] = await sync_results(client, batch(submission(code, participant=person("SEEN1"))))
    assert pre["status"] == "accepted"
    await close_joining(app)
    post = submission(code, "post", participant=person("seen 1"),
                      completed_at="2019-01-11T15:00:00Z")  # fmt: skip
    [result] = await sync_results(client, batch(post))
    assert result["status"] == "accepted"


async def test_a_phone_that_joined_then_went_offline_sends_its_pre_test_after_joining_closed(
    app: Litestar, client: Client, training: dict[str, Any]
) -> None:
    code = training["join_code"]
    stamp = await stamp_of(client, code)  # the phone opened the join link while joining was open
    await close_joining(app)
    weeks_later = submission(code, participant=person("OFF01"), joining_stamp=stamp)
    forged = submission(code, participant=person("OFF02"), joining_stamp=stamp[:-2] + "AA")
    results = await sync_results(client, batch(weeks_later, forged))
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert "is closed" in results[1]["detail"]


async def test_submissions_outside_their_phase_window_are_stored_and_flagged(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    db = app.state.db
    await trainings_db.set_window(db, "rabat-tot", "pre", PhaseWindow("2019-01-08"), "test")
    await trainings_db.set_window(
        db, "rabat-tot", "post", PhaseWindow("2019-01-11", "2019-01-11"), "test"
    )
    early = submission(code, "pre", completed_at="2019-01-07T10:00:00Z")
    late = submission(code, "post", completed_at="2019-01-12T10:00:00Z")
    results = await sync_results(client, batch(early, late))
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    listed = await client.get("/api/v1/trainings/rabat-tot/submissions", headers=admin)
    flags = {s["phase"]: s["flags"] for s in listed.json()}
    assert flags == {"pre": ["before-open"], "post": ["after-close"]}
