"""The deployment as phones meet it: Caddy with the project's deploy/Caddyfile (its local
authority) in front of `tadrib serve`, reached as https://tadrib.test, a name that is not
localhost, mapped to 127.0.0.1 inside Chromium only (which alone ignores certificate errors)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import INSTITUTIONS, Live
from pwa_helpers import answer_until_review, fill_profile, finish, join, queue_text, start

from tests.live import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    LiveServer,
    add_user,
    admin_token,
    free_port,
    seed_steps,
    send_steps,
)

pytestmark = pytest.mark.browser

HOST = "tadrib.test"
CADDY = shutil.which("caddy") or "/usr/bin/caddy"
JOIN_ATTEMPTS = 3
PASSWORD = "a long console password"


class Site:
    """Caddy at https://tadrib.test:<port> in front of a live tadrib trusting it."""

    def __init__(self, live: Live, server: LiveServer, https_port: int, http_port: int) -> None:
        self.live = live
        self.server = server
        self.https_port = https_port
        self.http_port = http_port
        self.url = f"https://{HOST}:{https_port}"

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        """A client reaching Caddy (or tadrib, with `direct`) from `source`, a loopback address."""
        transport = httpx.HTTPTransport(local_address=source, verify=False)
        return httpx.Client(transport=transport, timeout=10)

    def get(self, client: httpx.Client, path: str, **kwargs: Any) -> httpx.Response:
        """GET through Caddy by name, without a resolver: the name goes in SNI and Host."""
        return client.get(
            f"https://127.0.0.1:{self.https_port}{path}",
            headers={"Host": f"{HOST}:{self.https_port}", **kwargs.pop("headers", {})},
            extensions={"sni_hostname": HOST},
            **kwargs,
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    assert Path(CADDY).exists(), f"Caddy is not at {CADDY}: `make test` installs Debian's caddy"
    tmp = tmp_path_factory.mktemp("caddy")
    db = tmp / "tadrib.db"
    token = admin_token(db)
    add_user(db, "ada", PASSWORD)
    https_port, http_port, admin_port = free_port(), free_port(), free_port()
    env = {
        "TADRIB_TRUSTED_PROXIES": "127.0.0.1",
        "TADRIB_PUBLIC_URL": f"https://{HOST}:{https_port}",
        "TADRIB_JOIN_ATTEMPTS": str(JOIN_ATTEMPTS),
    }
    with LiveServer(db, env=env) as server:
        caddy_env = {
            **os.environ,
            "HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "TADRIB_DOMAIN": HOST, "TADRIB_TLS": "internal",
            "TADRIB_UPSTREAM": f"127.0.0.1:{server.port}",
            "TADRIB_HTTPS_PORT": str(https_port), "TADRIB_HTTP_PORT": str(http_port),
            "TADRIB_CADDY_ADMIN": f"127.0.0.1:{admin_port}",
        }  # fmt: skip
        log = open(tmp / "caddy.log", "wb")  # noqa: SIM115 (open as long as Caddy runs)
        caddy = subprocess.Popen(
            [CADDY, "run", "--config", str(ROOT / "deploy" / "Caddyfile"),
             "--adapter", "caddyfile"],
            env=caddy_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        live = Live(server.url, token, ROOT / "pwa")
        site = Site(live, server, https_port, http_port)
        try:
            with live.api:
                send_steps(live.api, seed_steps(institutions=INSTITUTIONS))
                _wait_for(site, caddy, tmp / "caddy.log")
                yield site
        finally:
            caddy.terminate()
            caddy.wait(timeout=10)
            log.close()


def _wait_for(site: Site, caddy: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    with site.client() as client:
        while True:
            try:
                if site.get(client, "/api/v1/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if caddy.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Caddy did not serve:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def phone_browser() -> Iterator[Any]:
    """Chromium resolving tadrib.test to 127.0.0.1 and ignoring certificate errors: only here."""
    assert Path(CHROMIUM).exists(), f"Chromium is not at {CHROMIUM}: `make test` installs it"
    from playwright.sync_api import sync_playwright

    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
            "--ignore-certificate-errors"]  # fmt: skip
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        yield browser
        browser.close()


def test_a_phone_joins_over_https_works_offline_and_syncs(site: Site, phone_browser: Any) -> None:
    training = site.live.training()
    assert training["join_url"] == f"{site.url}/t/{training['join_code']}"
    context = phone_browser.new_context(base_url=site.url, viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        join(page, training["join_code"])  # waits for the service worker to control the page
        assert page.url == training["join_url"]
        context.set_offline(True)
        page.reload()  # the shell from the service worker, over a connection that is not there
        fill_profile(page)
        start(page, "pre")
        answer_until_review(page)
        finish(page)
        assert "1" in queue_text(page)
        context.set_offline(False)
        deadline = time.monotonic() + 20
        while not site.live.submissions(training["id"]):
            assert time.monotonic() < deadline, "the submission never reached the server"
            page.wait_for_timeout(200)
        [row] = site.live.submissions(training["id"])
        assert row["phase"] == "pre" and row["percent"] is not None
    finally:
        context.close()


def test_cookies_are_secure_and_https_is_strict(site: Site) -> None:
    with site.client() as client:
        plain = client.get(
            f"http://127.0.0.1:{site.http_port}/t/ABC", headers={"Host": f"{HOST}:{site.http_port}"}
        )
        # Plain http is sent to https (to port 443: the test's own HTTPS port goes unnamed).
        assert plain.status_code == 308 and plain.headers["location"] == f"https://{HOST}/t/ABC"
        page = site.get(client, "/console/login")
        assert page.status_code == 200
        assert "secure" in page.headers["set-cookie"].lower().split("; ")
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        # Compressed on the way; long caching only for what carries its version.
        shell = site.get(client, "/app/js/app.js", headers={"Accept-Encoding": "gzip"})
        assert shell.headers["content-encoding"] == "gzip"
        assert shell.headers["cache-control"] == "no-cache"
        css = next(
            s for s in page.text.split('"') if s.startswith("/console/static/console.css?v=")
        )
        assert site.get(client, css).headers["cache-control"] == (
            "public, max-age=31536000, immutable"
        )


def guesses(client: httpx.Client, site: Site, n: int, direct: bool = False) -> list[int]:
    """Unknown join codes asked for; each with a different forged X-Forwarded-For."""
    found = []
    for i in range(n):
        path, forged = f"/api/v1/bundles/ZZZ{i:05d}", {"X-Forwarded-For": f"198.51.100.{i}"}
        if direct:
            found.append(client.get(f"{site.server.url}{path}", headers=forged).status_code)
        else:
            found.append(site.get(client, path, headers=forged).status_code)
    return found


def test_limits_see_the_phone_through_caddy_and_ignore_forged_headers(site: Site) -> None:
    over = [404] * JOIN_ATTEMPTS + [429]
    # A phone (127.0.0.3) through Caddy: forged headers or not, it is the one held back...
    with site.client("127.0.0.3") as phone:
        assert guesses(phone, site, JOIN_ATTEMPTS + 1) == over
    # ...not its neighbour (127.0.0.4), although both reach tadrib through Caddy's address.
    with site.client("127.0.0.4") as neighbour:
        assert guesses(neighbour, site, 1) == [404]
    # Straight to tadrib from a machine that is not the proxy: the header changes nothing.
    with site.client("127.0.0.5") as forger:
        assert guesses(forger, site, JOIN_ATTEMPTS + 1, direct=True) == over
