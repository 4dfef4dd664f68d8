"""A live `tadrib serve` on a temporary database, seeded over HTTP, and Debian's Chromium."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TADRIB = ROOT / ".venv" / "bin" / "tadrib"
LIBRARY = ROOT / "forms" / "library"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
INSTITUTIONS = {
    "prosecution": {"en": "Public Prosecutor's Office", "fr": "Ministère public", "ar": "النيابة العامة"},
    "gendarmerie": {"en": "Royal Gendarmerie", "fr": "Gendarmerie royale", "ar": "الدرك الملكي"},
    "social": {"en": "Social workers", "fr": "Travailleurs sociaux", "ar": "المساعدون الاجتماعيون"},
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Live:
    """The running server and an admin client for seeding and checking."""

    def __init__(self, url: str, token: str, pwa_dir: Path) -> None:
        self.url = url
        self.pwa_dir = pwa_dir  # the copy of pwa/ the server serves; a test may change it
        self.api = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        self._ids = itertools.count(1)

    def training(self, **extra: Any) -> dict[str, Any]:
        """A new training on the bundled forms; its join code makes each test independent."""
        n = next(self._ids)
        body = {
            "id": f"pwa-{n}-{os.getpid()}",
            "title": {"en": "Training of trainers on TIP and SOM", "fr": "Formation de formateurs TIP et SOM", "ar": "تكوين المكونين"},
            "country": "MA", "location": "Rabat", "starts_on": "2019-01-07", "ends_on": "2019-01-11",
            "institutions": list(INSTITUTIONS),
            "pre_test": {"form": "tip-som-knowledge", "version": "2019.1"},
            "post_test": {"form": "tip-som-knowledge", "version": "2019.1"},
            "evaluation": {"form": "tot-evaluation", "version": "2019.1"},
            **extra,
        }  # fmt: skip
        r = self.api.post("/api/v1/trainings", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def submissions(self, training_id: str) -> list[dict[str, Any]]:
        r = self.api.get(f"/api/v1/trainings/{training_id}/submissions")
        assert r.status_code == 200, r.text
        return list(r.json())


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    if not TADRIB.exists():
        pytest.skip("the tadrib CLI is not installed in .venv")
    db = tmp_path_factory.mktemp("live") / "tadrib.db"
    made = subprocess.run(
        [str(TADRIB), "token", "create", "seed", "--role", "admin", "--db", str(db)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    token = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    log = open(db.with_suffix(".log"), "wb")  # noqa: SIM115 - closed below
    pwa_dir = db.parent / "pwa"
    shutil.copytree(ROOT / "pwa", pwa_dir)
    env = {**os.environ, "TADRIB_SYNC_RATE": "100000", "TADRIB_PWA_DIR": str(pwa_dir)}
    proc = subprocess.Popen(
        [str(TADRIB), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(db.with_suffix(".log").read_text())
            time.sleep(0.1)
        server = Live(url, token, pwa_dir)
        for name in ("tip-som-knowledge.yaml", "tot-evaluation.yaml"):
            with open(LIBRARY / name, "rb") as f:
                r = server.api.post("/api/v1/forms", files={"file": (name, f, "application/yaml")})
            assert r.status_code in (200, 201), r.text
        for key, name in INSTITUTIONS.items():
            r = server.api.put(f"/api/v1/institutions/{key}", json={"name": name, "country": "MA"})
            assert r.status_code in (200, 201), r.text
        yield server
        server.api.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one module: Playwright's sync API holds an event loop while it runs,
    so it must be stopped before pytest-asyncio's tests in other modules."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
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
