"""A live `tadrib serve` on a temporary database, seeded over HTTP, and Debian's Chromium."""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import (
    LIBRARY,
    ROOT,
    LiveServer,
    admin_token,
    api_client,
    launch_chromium,
    seed_steps,
    send_steps,
    training_body,
)

__all__ = ["LIBRARY", "Live"]  # what the browser tests import from here

INSTITUTIONS = {
    "prosecution": {"en": "Public Prosecutor's Office", "fr": "Ministère public", "ar": "النيابة العامة"},
    "gendarmerie": {"en": "Royal Gendarmerie", "fr": "Gendarmerie royale", "ar": "الدرك الملكي"},
    "social": {"en": "Social workers", "fr": "Travailleurs sociaux", "ar": "المساعدون الاجتماعيون"},
}  # fmt: skip
TITLE = {"en": "Training of trainers on TIP and SOM", "fr": "Formation de formateurs TIP et SOM", "ar": "تكوين المكونين"}  # fmt: skip


class Live:
    """The running server and an admin client for seeding and checking."""

    def __init__(self, url: str, token: str, pwa_dir: Path) -> None:
        self.url = url
        self.pwa_dir = pwa_dir  # the copy of pwa/ the server serves; a test may change it
        self.api: httpx.Client = api_client(url, token, timeout=10)
        self._ids = itertools.count(1)

    def training(self, **extra: Any) -> dict[str, Any]:
        """A new training on the bundled forms; its join code makes each test independent."""
        n = next(self._ids)
        changes = {"title": TITLE, "institutions": list(INSTITUTIONS), **extra}
        r = self.api.post(
            "/api/v1/trainings", json=training_body(f"pwa-{n}-{os.getpid()}", **changes)
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def submissions(self, training_id: str) -> list[dict[str, Any]]:
        r = self.api.get(f"/api/v1/trainings/{training_id}/submissions")
        assert r.status_code == 200, r.text
        return list(r.json())

    def submissions_soon(self, training_id: str) -> list[dict[str, Any]]:
        """The training's submissions once there are any, or none after 10 s of asking."""
        for _ in range(50):
            if found := self.submissions(training_id):
                return found
            time.sleep(0.2)
        return []


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    db = tmp_path_factory.mktemp("live") / "tadrib.db"
    token = admin_token(db)
    pwa_dir = db.parent / "pwa"
    shutil.copytree(ROOT / "pwa", pwa_dir)
    env = {"TADRIB_SYNC_RATE": "100000", "TADRIB_PWA_DIR": str(pwa_dir)}
    with LiveServer(db, env=env) as server:
        live = Live(server.url, token, pwa_dir)
        with live.api:
            send_steps(live.api, seed_steps(institutions=INSTITUTIONS))
            yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one module: Playwright's sync API holds an event loop while it runs,
    so it must be stopped before pytest-asyncio's tests in other modules."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def context(browser: Any, live: Live, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh profile (its own IndexedDB and service worker) on the live server."""
    ctx = browser.new_context(base_url=live.url, viewport={"width": 360, "height": 740})
    ctx.set_default_timeout(10_000)
    logs: list[str] = []
    ctx.on("console", lambda m: logs.append(f"console {m.type}: {m.text}"))
    ctx.on("weberror", lambda e: logs.append(f"error: {e.error}"))
    yield ctx
    if request.node.stash.get(FAILED, False):
        # What the participant saw, to explain the failure.
        for page in ctx.pages:
            print(f"--- {page.url}\n{page.locator('body').inner_text()}")
        print("\n".join(logs[-30:]))
    ctx.close()
