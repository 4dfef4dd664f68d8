"""Behind a reverse proxy: forwarded headers believed only from `TADRIB_TRUSTED_PROXIES`, and an
https public URL that makes cookies Secure and sends HSTS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from server.app import create_app
from server.cli import main
from server.proxy import client_address, forwarded_scheme, networks
from server.settings import Settings
from tests.conftest import make_token, seed_steps, training_body

TRUSTED = networks(["10.0.0.1", "fd00::/8"])


def test_the_client_is_the_first_untrusted_address_from_the_right() -> None:
    assert client_address("10.0.0.1", ["203.0.113.7"], TRUSTED) == "203.0.113.7"
    # What the phone wrote itself (left) is not believed; what our proxy appended is.
    assert client_address("10.0.0.1", ["1.2.3.4, 203.0.113.7"], TRUSTED) == "203.0.113.7"
    assert client_address("10.0.0.1", ["1.2.3.4", "203.0.113.7, fd00::5"], TRUSTED) == (
        "203.0.113.7"
    )
    assert client_address("10.0.0.1", ["nonsense"], TRUSTED) == "10.0.0.1"
    assert client_address("10.0.0.1", [], TRUSTED) == "10.0.0.1"


def test_forwarded_headers_from_anyone_else_change_nothing() -> None:
    assert client_address("198.51.100.9", ["203.0.113.7"], TRUSTED) == "198.51.100.9"
    assert client_address("10.0.0.1", ["203.0.113.7"], ()) == "10.0.0.1"
    assert forwarded_scheme("198.51.100.9", "https", TRUSTED) is None
    assert forwarded_scheme("10.0.0.1", "https", TRUSTED) == "https"
    assert forwarded_scheme("10.0.0.1", "gopher", TRUSTED) is None


def from_peer(app: Litestar, address: str) -> Litestar:
    """`app` as if each connection came from `address` (the test client has no address)."""
    inner: ASGIApp = app.asgi_handler

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        await inner({**scope, "client": (address, 40000)}, receive, send)

    app.asgi_handler = handle
    return app


@pytest.fixture
async def behind_proxy(tmp_path: Path) -> AsyncIterator[dict[str, AsyncTestClient[Litestar]]]:
    """Two views of one server trusting 10.0.0.1: through the proxy, and straight from a
    machine that is not the proxy."""
    settings = Settings(
        db_path=tmp_path / "t.db", trusted_proxies=("10.0.0.1/32",), join_attempts_per_minute=2
    )
    app = create_app(settings)
    async with AsyncTestClient(app=from_peer(app, "10.0.0.1")) as proxied:
        other = create_app(settings)  # the same limits are per app: share them
        other.state.update(app.state)
        async with AsyncTestClient(app=from_peer(other, "198.51.100.9")) as direct:
            yield {"proxied": proxied, "direct": direct}


async def guesses(client: AsyncTestClient[Litestar], forwarded_for: list[str]) -> list[int]:
    return [
        (
            await client.get(f"/api/v1/bundles/ZZZZ{n:04d}", headers={"X-Forwarded-For": ip})
        ).status_code
        for n, ip in enumerate(forwarded_for)
    ]


async def test_limits_see_the_phone_behind_the_proxy(
    behind_proxy: dict[str, AsyncTestClient[Litestar]],
) -> None:
    proxied = behind_proxy["proxied"]
    assert await guesses(proxied, ["203.0.113.7"] * 3) == [404, 404, 429]
    # Another phone behind the same proxy is not held back by the first one.
    assert await guesses(proxied, ["203.0.113.8"]) == [404]


async def test_a_forged_header_sent_straight_to_tadrib_is_ignored(
    behind_proxy: dict[str, AsyncTestClient[Litestar]],
) -> None:
    direct = behind_proxy["direct"]
    forged = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    assert await guesses(direct, forged) == [404, 404, 429]


async def test_join_links_take_the_scheme_from_the_trusted_proxy_only(
    behind_proxy: dict[str, AsyncTestClient[Litestar]],
) -> None:
    for name, scheme in (("proxied", "https"), ("direct", "http")):
        client = behind_proxy[name]
        admin = await make_token(client.app, f"ada-{name}", "admin")
        steps = seed_steps(training_body(f"t-{name}"))
        for method, path, kwargs in steps:
            headers = {**admin, "X-Forwarded-Proto": "https"}
            r = await client.request(method, path, headers=headers, **kwargs)
            assert r.status_code in (200, 201), r.text
        assert r.json()["join_url"].startswith(f"{scheme}://testserver.local/t/")


async def test_an_https_public_url_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "s.db", public_url="https://tadrib.example.org"))
    async with AsyncTestClient(app=app) as client:
        page = await client.get("/console/login")
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        assert "secure" in page.headers["set-cookie"].lower().split("; ")
    app = create_app(Settings(db_path=tmp_path / "p.db", public_url="http://10.1.1.1:8000"))
    async with AsyncTestClient(app=app) as client:
        page = await client.get("/console/login")
        assert "strict-transport-security" not in page.headers
        assert "secure" not in page.headers["set-cookie"].lower().split("; ")


@pytest.mark.parametrize(
    ("host", "public_url", "warned"),
    [("0.0.0.0", "", True), ("127.0.0.1", "", False), ("0.0.0.0", "https://t.example", False)],
)
def test_serve_warns_without_a_public_url_off_loopback(
    monkeypatch: pytest.MonkeyPatch, host: str, public_url: str, warned: bool
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("TADRIB_PUBLIC_URL", public_url)
    result = CliRunner().invoke(main, ["serve", "--host", host, "--db", ":memory:"])
    assert result.exit_code == 0, result.output
    assert ("TADRIB_PUBLIC_URL" in result.output) == warned
    # uvicorn's own reading of forwarded headers (which trusts 127.0.0.1) is off.
    assert calls[0]["proxy_headers"] is False
