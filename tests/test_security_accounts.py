"""Accounts: a new password signs out the old sessions, common passwords are refused, and
signing in takes the same work whether the name exists or not, off the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.auth import passwords
from server.db import users
from tests.test_console_auth import PASSWORD, csrf_of, make_user, session_headers, sign_in

Client = AsyncTestClient[Litestar]
NEW_PASSWORD = "a new password for sara"


async def signed_in(client: Client, cookie: dict[str, str]) -> bool:
    response = await client.get("/api/v1/forms", headers=cookie)
    return response.status_code == 200


async def test_a_password_reset_ends_the_users_sessions(client: Client, app: Litestar) -> None:
    await make_user(app, "sara", "trainer")
    laptop, _ = await session_headers(app, "sara")
    phone, _ = await session_headers(app, "sara")
    await make_user(app, "root", "admin")
    admin_cookie, admin_csrf = await session_headers(app, "root")
    assert await signed_in(client, laptop) and await signed_in(client, phone)
    response = await client.post(
        "/console/users",
        data={"username": "sara", "role": "trainer", "password": NEW_PASSWORD, "csrf": admin_csrf},
        headers=admin_cookie,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert not await signed_in(client, laptop) and not await signed_in(client, phone)
    assert await signed_in(client, admin_cookie)


async def test_changing_ones_own_password_ends_only_the_other_sessions(
    client: Client, app: Litestar
) -> None:
    await make_user(app, "root", "admin")
    here, csrf = await session_headers(app, "root")
    elsewhere, _ = await session_headers(app, "root")
    response = await client.post(
        "/console/users",
        data={"username": "root", "role": "admin", "password": NEW_PASSWORD, "csrf": csrf},
        headers=here,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert await signed_in(client, here)
    assert not await signed_in(client, elsewhere)


@pytest.mark.parametrize("common", ["qwertyuiop", "1234567890", "Password123", "1q2w3e4r5t"])
async def test_common_passwords_are_refused(client: Client, app: Litestar, common: str) -> None:
    await make_user(app, "root", "admin")
    cookie, csrf = await session_headers(app, "root")
    response = await client.post(
        "/console/users",
        data={"username": "sara", "role": "trainer", "password": common, "csrf": csrf},
        headers=cookie,
    )
    assert response.status_code == 422
    assert "most common" in response.text
    assert await users.get(app.state.db, "sara") is None


class Spy:
    """Counts password verifications (Argon2 each) and notes any made on the event loop's thread."""

    def __init__(self, real: Any) -> None:
        self.real, self.calls, self.on_loop = real, 0, 0

    def __call__(self, stored: str | None, password: str) -> bool:
        self.calls += 1
        try:
            asyncio.get_running_loop()
            self.on_loop += 1
        except RuntimeError:
            pass
        result: bool = self.real(stored, password)
        return result


async def test_sign_in_checks_a_hash_for_unknown_names_too_off_the_event_loop(
    client: Client, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_user(app, "sara", "trainer")
    spy = Spy(passwords.verify_password)
    monkeypatch.setattr(passwords, "verify_password", spy)
    for name in ("sara", "nobody-by-this-name"):
        page = await client.get("/console/login")
        before = spy.calls
        response = await client.post(
            "/console/login",
            data={"username": name, "password": "not the password", "csrf": csrf_of(page.text)},
        )
        assert response.status_code == 401
        assert spy.calls == before + 1, name
    assert spy.on_loop == 0
    await sign_in(client, "sara", PASSWORD)
    assert spy.calls == 3
