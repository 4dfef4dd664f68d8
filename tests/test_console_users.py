"""Admins disable and re-enable users; admins see and revoke every token."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.auth.passwords import hash_password
from server.db import audit, users

Client = AsyncTestClient[Litestar]


async def sign_in(client: Client, app: Litestar, name: str, role: str) -> str:
    """A console session for a new user; returns its CSRF token."""
    await users.upsert(app.state.db, name, role, hash_password("a long password"), "test")
    secret, csrf = await users.create_session(app.state.db, name)
    client.cookies.set("tadrib_session", secret)
    return csrf


async def test_disabled_user_loses_tokens_and_sessions_until_enabled(
    client: Client, app: Litestar, trainer: dict[str, str]
) -> None:
    assert (await client.get("/api/v1/trainings", headers=trainer)).status_code == 200
    csrf = await sign_in(client, app, "root", "admin")
    page = await client.get("/console/users")
    assert "/console/users/tariq/disable" in page.text
    assert "/console/users/root/disable" not in page.text  # not oneself

    done = await client.post(
        "/console/users/tariq/disable", data={"csrf": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert (await client.get("/api/v1/trainings", headers=trainer)).status_code == 401
    assert "/console/users/tariq/enable" in (await client.get("/console/users")).text

    await client.post("/console/users/tariq/enable", data={"csrf": csrf})
    assert (await client.get("/api/v1/trainings", headers=trainer)).status_code == 200
    entries = [e["action"] for e in await audit.recent(app.state.db)]
    assert "user.disable" in entries and "user.enable" in entries


async def test_disable_needs_csrf_and_refuses_oneself(client: Client, app: Litestar) -> None:
    csrf = await sign_in(client, app, "root", "admin")
    refused = await client.post("/console/users/root/disable", data={"csrf": "wrong"})
    assert refused.status_code == 403
    self_disable = await client.post("/console/users/root/disable", data={"csrf": csrf})
    assert self_disable.status_code == 422
    assert "another admin" in self_disable.text


async def test_trainer_cannot_disable_users(client: Client, app: Litestar) -> None:
    await users.upsert(app.state.db, "victim", "trainer", None, "test")
    csrf = await sign_in(client, app, "sami", "trainer")
    response = await client.post("/console/users/victim/disable", data={"csrf": csrf})
    assert response.status_code == 403
    assert (await users.get(app.state.db, "victim") or {}).get("disabled") == 0


async def test_admin_sees_and_revokes_every_token(
    client: Client, app: Litestar, trainer: dict[str, str]
) -> None:
    csrf = await sign_in(client, app, "root", "admin")
    page = (await client.get("/console/tokens")).text
    assert "tariq" in page
    token_id = re.search(r"/console/tokens/(\d+)/revoke", page)
    assert token_id is not None
    await client.post(f"/console/tokens/{token_id.group(1)}/revoke", data={"csrf": csrf})
    assert (await client.get("/api/v1/trainings", headers=trainer)).status_code == 401


async def test_token_use_is_recorded(client: Client, app: Litestar, admin: dict[str, str]) -> None:
    await client.get("/api/v1/forms", headers=admin)
    (row,) = await users.list_tokens(app.state.db, "ada")
    assert row["last_used_at"] is not None
