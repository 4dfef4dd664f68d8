"""What a security tester sent to the sync routes, and what a server on the internet answers:
no answer key rebuilt from scores, no join code learnt in bulk, no device moved or hidden
without a join code, no submission id claimed across trainings."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.db.schema import MIGRATIONS, migrate
from server.settings import Settings
from sync.limits import MAX_PER_CODE, MAX_PER_DEVICE
from tests.conftest import (
    batch,
    create_training,
    knowledge_answers,
    make_token,
    submission,
    sync_results,
)
from tests.test_console_auth import csrf_of
from tests.test_console_registry import sign_in_trainer

Client = AsyncTestClient[Litestar]


@pytest.fixture
def app(db_path: Path) -> Litestar:
    # The per-phone request limit is not what these tests are about: a tester forges devices.
    return create_app(Settings(db_path=db_path, sync_rate_per_minute=0))


async def stored(client: Client, admin: dict[str, str], training_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/trainings/{training_id}/submissions", headers=admin)
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()
    return found


async def monitor(client: Client, admin: dict[str, str], training_id: str) -> dict[str, int]:
    response = await client.get(f"/api/v1/trainings/{training_id}/monitor", headers=admin)
    return {d["id"]: d["pending"] for d in response.json()["devices_pending"]}


async def test_scores_of_161_tries_under_one_code_do_not_give_the_key_away(
    client: Client, admin: dict[str, str]
) -> None:
    training = await create_training(client, admin, show_score=True)
    right, wrong = knowledge_answers(), knowledge_answers(right=False)
    questions = sorted(right)
    tries = [
        submission(
            training["join_code"],
            answers={**right, questions[n % len(questions)]: wrong[questions[n % len(questions)]]},
        )
        for n in range(161)
    ]
    results = [
        (await sync_results(client, {**batch(sub), "device": f"forged-{n}"}))[0]
        for n, sub in enumerate(tries)
    ]
    assert "score" in results[0]
    assert [r["status"] for r in results[:MAX_PER_CODE]] == ["accepted"] * MAX_PER_CODE
    assert all("score" not in r for r in results[1:])
    refused = results[MAX_PER_CODE:]
    assert {r["status"] for r in refused} == {"rejected"}
    assert f"already sent {MAX_PER_CODE} pre-tests" in refused[0]["detail"]
    # The first try counts; the others are kept as repeats, and nothing beyond the cap.
    assert len(await stored(client, admin, training["id"])) == MAX_PER_CODE
    report = await client.get(f"/api/v1/trainings/{training['id']}/report", headers=admin)
    assert report.json()["flow"]["pre"] == 1
    # A retry of the counted one still shows its score; a retry of a repeat does not.
    again = await sync_results(client, batch(tries[0], tries[1]))
    assert [(r["status"], r.get("score")) for r in again] == [
        ("duplicate", results[0]["score"]), ("duplicate", None),
    ]  # fmt: skip


async def test_one_device_sending_for_many_codes_is_capped(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    subs = [
        submission(
            training["join_code"],
            participant={"code": f"AB{n:03d}", "institution": "police", "sex": "male"},
        )
        for n in range(MAX_PER_DEVICE + 2)
    ]
    results = await sync_results(client, batch(*subs))
    assert [r["status"] for r in results] == ["accepted"] * MAX_PER_DEVICE + ["rejected"] * 2
    assert f"This device already sent {MAX_PER_DEVICE} pre-tests" in results[-1]["detail"]
    assert len(await stored(client, admin, training["id"])) == MAX_PER_DEVICE


async def test_a_batch_of_500_guessed_join_codes_is_stopped_before_any_answer(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    guesses = [submission(f"G{n:07d}") for n in range(499)] + [submission(training["join_code"])]
    response = await client.post("/api/v1/sync", json=batch(*guesses))
    assert response.status_code == 429
    assert "results" not in response.json() and int(response.headers["retry-after"]) >= 1
    assert await stored(client, admin, training["id"]) == []
    # The address then waits, even with a right code.
    again = await client.post("/api/v1/sync", json=batch(submission(training["join_code"])))
    assert again.status_code == 429


def unsent_file(*subs: dict[str, Any]) -> dict[str, Any]:
    return {"format": "tadrib-unsent", "version": 1, "device": "d", "submissions": list(subs)}


async def test_a_records_upload_of_many_codes_learns_nothing_beyond_the_limit(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    trainer = await make_token(app, "tariq", "trainer")
    real = submission(training["join_code"])
    codes = [submission(f"U{n:07d}", id=f"u-{n}") for n in range(400)] + [real]
    response = await client.post("/api/v1/uploads", json=unsent_file(*codes), headers=trainer)
    assert response.status_code == 429
    assert "results" not in response.json()
    assert await stored(client, admin, training["id"]) == []
    # The address then waits, even for a file of right codes.
    response = await client.post("/api/v1/uploads", json=unsent_file(real), headers=trainer)
    assert response.status_code == 429


async def test_the_console_upload_page_learns_nothing_beyond_the_limit(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    import json

    codes = [submission(f"W{n:07d}") for n in range(200)] + [submission(training["join_code"])]
    await sign_in_trainer(app, client)
    csrf = csrf_of((await client.get("/console/uploads")).text)
    body = json.dumps(unsent_file(*codes)).encode()
    page = await client.post(
        "/console/uploads", data={"csrf": csrf}, files={"file": ("unsent.json", body)}
    )
    assert page.status_code == 429
    assert "nothing was stored" in page.text and "accepted," not in page.text
    assert await stored(client, admin, training["id"]) == []


async def test_a_device_is_neither_hidden_nor_moved_without_its_trainings_code(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    other = await create_training(client, admin, id="tanger")
    device = batch()["device"]
    await sync_results(client, batch(submission(training["join_code"]), pending=3))
    assert await monitor(client, admin, training["id"]) == {device: 3}
    # A sync with no items and no code changes nothing.
    await sync_results(client, batch(pending=0))
    assert await monitor(client, admin, training["id"]) == {device: 3}
    # Another training's code notes the device there too, and leaves it here.
    await sync_results(client, batch(submission(other["join_code"]), pending=2))
    assert await monitor(client, admin, other["id"]) == {device: 2}
    assert await monitor(client, admin, training["id"]) == {device: 3}
    # An unknown code notes it nowhere.
    await sync_results(client, batch(submission("NOSUCH00"), pending=0))
    assert await monitor(client, admin, training["id"]) == {device: 3}


async def test_a_submission_id_of_another_training_is_refused_and_not_stored(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    other = await create_training(client, admin, id="tanger")
    real = submission(training["join_code"])
    assert (await sync_results(client, batch(real)))[0]["status"] == "accepted"
    claim = submission(other["join_code"], id=real["id"], answers=knowledge_answers(False))
    [result] = await sync_results(client, batch(claim))
    assert result["status"] == "rejected" and "in use elsewhere" in result["detail"]
    assert await stored(client, admin, other["id"]) == []
    [mine] = await stored(client, admin, training["id"])
    assert mine["id"] == real["id"] and mine["percent"] == 100.0


async def test_devices_seen_with_no_training_are_forgotten_when_the_schema_moves_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        migrate(conn, MIGRATIONS[:1])
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO trainings (id, title, country, starts_on, ends_on, join_code,"
            " created_at, updated_at) VALUES ('t', '\"T\"', 'MA', 'a', 'b', 'J', 'n', 'n')"
        )
        conn.executemany(
            "INSERT INTO devices (id, training_id, last_seen_at, pending) VALUES (?, ?, 'n', ?)",
            [("seen", "t", 3), ("codeless", None, 4)],
        )
    with sqlite3.connect(path, isolation_level=None) as conn:
        migrate(conn)
        assert conn.execute("SELECT training_id, id, pending FROM devices").fetchall() == [
            ("t", "seen", 3),
        ]  # fmt: skip
