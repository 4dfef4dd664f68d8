"""Console sign-in, sessions, sign-out, the sign-in throttle and CSRF on form posts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.auth.passwords import hash_password
from server.db import institutions as inst_db
from server.db import users
from server.db.database import Database
from server.settings import Settings

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


# Helpers shared by the console tests ------------------------------------------------------------


async def make_user(app: Litestar, name: str, role: str, password: str = PASSWORD) -> None:
    db: Database = app.state.db
    await users.upsert(db, name, role, hash_password(password), "test")


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def sign_in(client: AsyncTestClient[Litestar], name: str, password: str = PASSWORD) -> str:
    """Sign in through the form like a browser; returns the session's CSRF token."""
    page = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"username": name, "password": password, "csrf": csrf_of(page.text)},
    )
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


async def session_headers(app: Litestar, name: str) -> tuple[dict[str, str], str]:
    """A cookie header for a fresh session of `name`, and its CSRF token."""
    secret, csrf = await users.create_session(app.state.db, name)
    return {"Cookie": f"tadrib_session={secret}"}, csrf


# Sign-in ----------------------------------------------------------------------------------------


async def test_anonymous_page_visit_is_sent_to_sign_in_and_back(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    await make_user(app, "ada", "admin")
    first = await client.get("/console/forms", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/console/login?next=/console/forms"
    page = await client.get(first.headers["location"])
    assert 'name="next" value="/console/forms"' in page.text
    response = await client.post(
        "/console/login",
        data={"username": "ada", "password": PASSWORD, "csrf": csrf_of(page.text),
              "next": "/console/forms"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/console/forms"


async def test_right_password_opens_a_session_with_a_safe_cookie(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    await make_user(app, "ada", "admin")
    page = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"username": "ada", "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "tadrib_session=" in c)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "path=/" in flags and "samesite=lax" in flags
    assert "secure" not in flags
    dashboard = await client.get("/console")
    assert dashboard.status_code == 200
    assert "ada" in dashboard.text and "/console/trainings/new" in dashboard.text


async def test_wrong_password_is_refused_with_a_clear_message(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    await make_user(app, "ada", "admin")
    page = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"username": "ada", "password": "not the password", "csrf": csrf_of(page.text)},
    )
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert "tadrib_session" not in client.cookies
    assert (await client.get("/console", follow_redirects=False)).status_code == 303


async def test_unknown_user_and_passwordless_user_cannot_sign_in(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    await users.upsert(app.state.db, "scripted", "admin", None, "test")  # token-only user
    for name in ("nobody", "scripted"):
        page = await client.get("/console/login")
        response = await client.post(
            "/console/login", data={"username": name, "password": "", "csrf": csrf_of(page.text)}
        )
        assert response.status_code == 401


@pytest.fixture
async def strict_client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(Settings(db_path=tmp_path / "strict.db", login_attempts=3))
    async with AsyncTestClient(app=app) as c:
        yield c


async def test_failed_sign_ins_are_rate_limited_per_address(
    strict_client: AsyncTestClient[Litestar],
) -> None:
    client = strict_client
    await make_user(client.app, "ada", "admin")

    async def attempt(password: str) -> int:
        page = await client.get("/console/login")
        r = await client.post(
            "/console/login",
            data={"username": "ada", "password": password, "csrf": csrf_of(page.text)},
            follow_redirects=False,
        )
        if r.status_code == 429:
            assert "Too many failed sign-ins" in r.text
            assert int(r.headers["retry-after"]) > 0
        return r.status_code

    assert [await attempt("guess one") for _ in range(3)] == [401, 401, 401]
    assert await attempt("guess four") == 429
    # Once blocked, even the right password waits: guessing cannot go on.
    assert await attempt(PASSWORD) == 429


async def test_secure_cookies_when_the_public_url_is_https(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "s.db", public_url="https://tadrib.example.org"))
    async with AsyncTestClient(app=app) as client:
        await make_user(app, "ada", "admin")
        page = await client.get("/console/login")
        login_cookie = page.headers["set-cookie"]
        assert "secure" in [part.strip().lower() for part in login_cookie.split(";")]
        # The test client speaks plain http, so it would not send a Secure cookie back itself.
        token = csrf_of(page.text)
        client.cookies.clear()
        response = await client.post(
            "/console/login",
            data={"username": "ada", "password": PASSWORD, "csrf": token},
            headers={"Cookie": f"tadrib_login={token}"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        cookie = next(c for c in response.headers.get_list("set-cookie") if "tadrib_session" in c)
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]


async def test_sign_in_form_needs_its_own_token(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    """A page on another site cannot sign a browser into someone else's account."""
    await make_user(app, "ada", "admin")
    response = await client.post(
        "/console/login", data={"username": "ada", "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 403
    assert "tadrib_session" not in client.cookies


async def test_next_never_leaves_the_console(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    await make_user(app, "ada", "admin")
    for target in ("https://evil.example/", "//evil.example/console", "/console\\@evil"):
        client.cookies.clear()
        page = await client.get("/console/login")
        response = await client.post(
            "/console/login",
            data={"username": "ada", "password": PASSWORD, "csrf": csrf_of(page.text),
                  "next": target},
            follow_redirects=False,
        )  # fmt: skip
        assert response.headers["location"] == "/console", target


async def test_sign_out_ends_the_session(app: Litestar, client: AsyncTestClient[Litestar]) -> None:
    await make_user(app, "ada", "admin")
    csrf = await sign_in(client, "ada")
    response = await client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    home = await client.get("/console", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"].startswith("/console/login")


# CSRF -------------------------------------------------------------------------------------------


async def test_form_post_without_csrf_token_is_refused_and_changes_nothing(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    await make_user(app, "ada", "admin")
    csrf = await sign_in(client, "ada")
    form = {"key": "police", "name_en": "National police", "country": "MA"}
    for sent in ({}, {"csrf": "wrong"}, {"csrf": csrf[:-1]}):
        response = await client.post("/console/institutions", data={**form, **sent})
        assert response.status_code == 403
        assert "This form has expired" in response.text
    assert await inst_db.list_all(app.state.db) == []
    # A JSON post with the session cookie and no header is refused by the API guard too.
    response = await client.post("/console/institutions", json=form)
    assert response.status_code == 403
    # Signing out is a POST as well, and needs the token.
    assert (await client.post("/console/logout", data={})).status_code == 403
    assert (await client.get("/console")).status_code == 200
    # With the token the same post goes through.
    response = await client.post("/console/institutions", data={**form, "csrf": csrf})
    assert response.status_code == 200
    assert [row["key"] for row in await inst_db.list_all(app.state.db)] == ["police"]
