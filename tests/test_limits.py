"""Limits that fit a training room: 200 phones behind one address never lock themselves out,
and one trainer's mistyped password never locks out the others."""

from __future__ import annotations

import uuid
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from tests.conftest import create_training, make_token, submission
from tests.test_console_auth import PASSWORD, csrf_of, make_user

Client = AsyncTestClient[Litestar]


async def sync(client: Client, device: str) -> int:
    body = {"device": device, "pending": 0, "submissions": []}
    return (await client.post("/api/v1/sync", json=body)).status_code


async def test_a_room_of_200_phones_behind_one_address_is_never_refused(tmp_path: Path) -> None:
    async with AsyncTestClient(app=create_app(Settings(db_path=tmp_path / "t.db"))) as client:
        # Every phone syncs a few times in the same minute: on load, when the network comes
        # back, from the button.
        statuses = [await sync(client, f"phone-{n}") for _ in range(4) for n in range(200)]
    assert set(statuses) == {200}
    # Even a room whose every phone used its whole allowance stays under the address ceiling.
    defaults = Settings()
    assert defaults.sync_address_rate_per_minute >= 200 * defaults.sync_rate_per_minute


async def test_one_phone_over_its_limit_waits_and_the_others_go_on(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "t.db", sync_rate_per_minute=3)
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert [await sync(client, "runaway") for _ in range(4)] == [200, 200, 200, 429]
        assert await sync(client, "neighbour") == 200


async def test_one_address_has_a_ceiling(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "t.db", sync_address_rate_per_minute=5)
    async with AsyncTestClient(app=create_app(settings)) as client:
        statuses = [await sync(client, f"phone-{n}") for n in range(6)]
    assert statuses == [200] * 5 + [429]


async def attempt(client: Client, name: str, password: str) -> int:
    page = await client.get("/console/login")
    r = await client.post(
        "/console/login",
        data={"username": name, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    return r.status_code


async def test_one_trainers_mistyped_password_never_locks_out_the_others(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "t.db", login_attempts=3))
    async with AsyncTestClient(app=app) as client:
        for name in ("amina", "youssef"):
            await make_user(app, name, "trainer")
        assert [await attempt(client, "amina", "wrong") for _ in range(4)] == [401] * 3 + [429]
        # Amina's account waits, even with the right password, spelled another way...
        assert await attempt(client, " AMINA", PASSWORD) == 429
        # ...while her colleague in the same room (the same address) signs in.
        assert await attempt(client, "youssef", PASSWORD) == 303


async def test_failures_across_accounts_from_one_address_have_a_ceiling(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "t.db", login_address_attempts=4))
    async with AsyncTestClient(app=app) as client:
        await make_user(app, "youssef", "trainer")
        tried = [await attempt(client, f"guess-{n}", "wrong") for n in range(5)]
        assert tried == [401] * 4 + [429]
        assert await attempt(client, "youssef", PASSWORD) == 429


def stale(code: str, n: int) -> list[dict[str, object]]:
    return [submission(code, id=str(uuid.uuid4())) for _ in range(n)]


async def test_phones_holding_records_of_an_unknown_training_do_not_stop_the_room(
    tmp_path: Path,
) -> None:
    app = create_app(Settings(db_path=tmp_path / "t.db"))
    async with AsyncTestClient(app=app) as client:
        admin = await make_token(app, "ada", "admin")
        training = await create_training(client, admin)
        for n in range(5):  # five phones, each with 40 records of a training gone from here
            body = {"device": f"old-{n}", "pending": 0, "submissions": stale("OLDCODE1", 40)}
            assert (await client.post("/api/v1/sync", json=body)).status_code == 200
        fresh = {"device": "new", "submissions": stale(training["join_code"], 1)}
        assert (await client.post("/api/v1/sync", json=fresh)).status_code == 200


async def test_guessing_join_codes_through_sync_is_limited(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "t.db", join_attempts_per_minute=30))
    async with AsyncTestClient(app=app) as client:
        guesses = [s for n in range(30) for s in stale(f"GUESS{n:03d}", 1)]
        body = {"device": "guesser", "submissions": guesses}
        assert (await client.post("/api/v1/sync", json=body)).status_code == 200
        again = await client.post("/api/v1/sync", json={"device": "other", "submissions": []})
        assert again.status_code == 429
