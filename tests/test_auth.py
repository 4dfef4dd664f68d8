"""Who may do what: no token, a trainer, an admin, a revoked token, a session without CSRF."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.db import users

Client = AsyncTestClient[Litestar]


async def test_staff_routes_refuse_anonymous_callers_with_advice(client: Client) -> None:
    for method, path in [
        ("GET", "/api/v1/forms"),
        ("POST", "/api/v1/forms"),
        ("GET", "/api/v1/institutions"),
        ("PUT", "/api/v1/institutions/x"),
        ("GET", "/api/v1/trainings"),
        ("POST", "/api/v1/trainings"),
        ("GET", "/api/v1/trainings/x/submissions"),
        ("POST", "/api/v1/uploads"),
    ]:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert "token" in response.json()["detail"]


async def test_wrong_and_revoked_tokens_are_refused(
    client: Client, app: Litestar, admin: dict[str, str]
) -> None:
    bad = await client.get("/api/v1/forms", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert (await client.get("/api/v1/forms", headers=admin)).status_code == 200
    token_id = (await users.list_tokens(app.state.db, "ada"))[0]["id"]
    await users.revoke_token(app.state.db, token_id, "test")
    assert (await client.get("/api/v1/forms", headers=admin)).status_code == 401


async def test_trainer_cannot_change_the_registry(
    client: Client, trainer: dict[str, str], training: dict[str, Any]
) -> None:
    put = await client.put("/api/v1/institutions/x", json={"name": {"en": "X"}}, headers=trainer)
    assert put.status_code == 403
    assert "admin" in put.json()["detail"]
    edit = await client.put(f"/api/v1/trainings/{training['id']}", json={}, headers=trainer)
    assert edit.status_code == 403


async def test_session_cookie_needs_csrf_header_for_api_writes(
    client: Client, app: Litestar, training: dict[str, Any]
) -> None:
    secret, csrf = await users.create_session(app.state.db, "ada")
    client.cookies.set("tadrib_session", secret)
    assert (await client.get("/api/v1/forms")).status_code == 200
    body = {"name": {"en": "Navy"}, "country": "MA"}
    refused = await client.put("/api/v1/institutions/navy", json=body)
    assert refused.status_code == 403
    allowed = await client.put("/api/v1/institutions/navy", json=body,
                               headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert allowed.status_code == 201


async def test_passwords_are_stored_with_argon2(app: Litestar, client: Client) -> None:
    from server.auth.passwords import hash_password, verify_password

    await users.upsert(app.state.db, "sara", "trainer", hash_password("correct horse"), "test")
    stored = await users.get(app.state.db, "sara")
    assert stored is not None and stored["password_hash"].startswith("$argon2id$")
    assert verify_password(stored["password_hash"], "correct horse")
    assert not verify_password(stored["password_hash"], "wrong horse")
