"""Who may open which console page: anonymous, trainer and admin, route by route."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.db import users
from tests.conftest import create_training
from tests.test_console_auth import session_headers

T = "rabat-tot"
#: (method, path, who may: "staff" or "admin"). Every console route is listed here.
ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/console", "staff"),
    ("GET", "/console/trainings/new", "admin"),
    ("POST", "/console/trainings/new", "admin"),
    ("GET", f"/console/trainings/{T}", "staff"),
    ("GET", f"/console/trainings/{T}/edit", "admin"),
    ("POST", f"/console/trainings/{T}/edit", "admin"),
    ("GET", f"/console/trainings/{T}/join", "staff"),
    ("GET", f"/console/trainings/{T}/monitor", "staff"),
    ("POST", f"/console/trainings/{T}/joining", "staff"),
    ("POST", f"/console/trainings/{T}/phases/post", "staff"),
    ("GET", "/console/forms", "staff"),
    ("GET", "/console/forms/tip-som-knowledge/2019.1", "staff"),
    ("POST", "/console/forms/tip-som-knowledge/2019.1/retire", "admin"),
    ("GET", "/console/forms/upload", "admin"),
    ("POST", "/console/forms/upload", "admin"),
    ("POST", "/console/forms/publish", "admin"),
    ("GET", "/console/forms/template.xlsx", "admin"),
    ("GET", "/console/institutions", "admin"),
    ("POST", "/console/institutions", "admin"),
    ("GET", "/console/users", "admin"),
    ("POST", "/console/users", "admin"),
    ("POST", "/console/users/tariq/disable", "admin"),
    ("GET", "/console/tokens", "staff"),
    ("POST", "/console/tokens", "staff"),
    ("POST", "/console/tokens/1/revoke", "staff"),
    ("GET", "/console/audit", "admin"),
    ("GET", "/console/uploads", "staff"),
    ("GET", "/console/programme", "staff"),
    ("POST", "/console/uploads", "staff"),
    ("POST", "/console/logout", "staff"),
]
#: Token 1 is ada's (the `admin` fixture's): revoking it is hers to do, and nobody else's.
OWN_TOKEN = {"tariq": 404, "ada": 303}


def test_the_table_lists_every_console_route(app: Litestar) -> None:
    listed = {(m, p.replace(T, "{training_id:str}")) for m, p, _ in ROUTES}
    listed = {
        (m, p.replace("tip-som-knowledge/2019.1", "{form_id:str}/{version:str}")
         .replace("/tokens/1/", "/tokens/{token_id:int}/")
         .replace("/users/tariq/disable", "/users/{username:str}/{action:str}")
         .replace("/phases/post", "/phases/{phase:str}"))
        for m, p in listed
    }  # fmt: skip
    public = {"/console/login", "/console/lang/{code:str}", "/console/static/{file_path:path}"}
    served = {
        (method, route.path)
        for route in app.routes
        if route.path.startswith("/console") and route.path not in public
        and not route.path.endswith("/report")  # the reports' own page, tested with them
        for method in getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}
    }  # fmt: skip
    assert served == listed


@pytest.fixture
async def seeded(app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]) -> None:
    # Users "ada" (admin) and "tariq" (its trainer); sessions are opened directly, no password.
    await create_training(client, admin)


async def _call(
    client: AsyncTestClient[Litestar], method: str, path: str, headers: dict[str, str], csrf: str
) -> Any:
    if method == "GET":
        return await client.get(path, headers=headers, follow_redirects=False)
    return await client.post(path, data={"csrf": csrf}, headers=headers, follow_redirects=False)


@pytest.mark.parametrize(("method", "path", "who"), ROUTES)
async def test_anonymous_visitors_are_sent_to_sign_in(
    client: AsyncTestClient[Litestar], seeded: None, method: str, path: str, who: str
) -> None:
    response = await _call(client, method, path, {}, "")
    if method == "GET":
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login?next=/console")
    else:
        assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "who"), ROUTES)
async def test_trainers_are_kept_off_admin_pages(
    app: Litestar, client: AsyncTestClient[Litestar], seeded: None, method: str, path: str,
    who: str,
) -> None:  # fmt: skip
    headers, csrf = await session_headers(app, "tariq")
    response = await _call(client, method, path, headers, csrf)
    if who == "admin":
        assert response.status_code == 403, response.text
        assert "Only an admin may do this" in response.text
    elif path == "/console/tokens/1/revoke":
        assert response.status_code == OWN_TOKEN["tariq"]
    else:
        assert response.status_code not in (401, 403, 404, 500), response.text


@pytest.mark.parametrize(("method", "path", "who"), ROUTES)
async def test_admins_may_open_everything(
    app: Litestar, client: AsyncTestClient[Litestar], seeded: None, method: str, path: str,
    who: str,
) -> None:  # fmt: skip
    headers, csrf = await session_headers(app, "ada")
    response = await _call(client, method, path, headers, csrf)
    if path == "/console/tokens/1/revoke":
        assert response.status_code == OWN_TOKEN["ada"]
        return
    assert response.status_code not in (401, 403, 404, 500), response.text


async def test_trainers_see_only_their_trainings(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str], seeded: None
) -> None:
    await create_training(client, admin, id="casablanca-cascade", trainers=[],
                          title="Cascade in Casablanca")  # fmt: skip
    headers, csrf = await session_headers(app, "tariq")
    dashboard = await client.get("/console", headers=headers)
    assert "ToT on TIP and SOM" in dashboard.text
    assert "Cascade in Casablanca" not in dashboard.text
    for suffix in ("", "/join", "/monitor"):
        response = await client.get(
            f"/console/trainings/casablanca-cascade{suffix}", headers=headers
        )
        assert response.status_code == 404
        assert "There is nothing here that you may see." in response.text
    closed = await client.post(
        "/console/trainings/casablanca-cascade/joining", data={"csrf": csrf, "open": "0"},
        headers=headers,
    )  # fmt: skip
    assert closed.status_code == 404
    admin_headers, _ = await session_headers(app, "ada")
    everything = await client.get("/console", headers=admin_headers)
    assert "Cascade in Casablanca" in everything.text


async def test_trainers_read_question_sets_without_admin_buttons(
    app: Litestar, client: AsyncTestClient[Litestar], seeded: None
) -> None:
    headers, _ = await session_headers(app, "tariq")
    page = await client.get("/console/forms", headers=headers)
    assert page.status_code == 200
    assert "tip-som-knowledge" in page.text
    assert "/retire" not in page.text and "/console/forms/upload" not in page.text
    assert "/console/institutions" not in page.text  # admin menu entries hidden


async def test_a_disabled_user_loses_the_session(
    app: Litestar, client: AsyncTestClient[Litestar], seeded: None
) -> None:
    headers, _ = await session_headers(app, "tariq")
    await app.state.db.write(
        lambda conn: conn.execute("UPDATE users SET disabled = 1 WHERE username = 'tariq'")
    )
    response = await client.get("/console", headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert await users.get(app.state.db, "tariq") is not None
