"""The console in Debian's Chromium against a live `tadrib serve`: sign in, Arabic pages."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
TADRIB = ROOT / ".venv" / "bin" / "tadrib"
LIBRARY = ROOT / "forms" / "library"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = "a long admin password"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str) -> str:
    done = subprocess.run(
        [str(TADRIB), *args], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """A live server with an admin who has a password, and one training seeded over the API."""
    if not TADRIB.exists() or not Path(CHROMIUM).exists():
        pytest.skip("needs .venv/bin/tadrib and /usr/bin/chromium")
    db = tmp_path_factory.mktemp("console") / "tadrib.db"
    _run("users", "add", "amina", "--role", "admin", "--password", PASSWORD, "--db", str(db))
    token = _run("token", "create", "amina", "--role", "admin", "--db", str(db)).split()[-1]
    port = _free_port()
    log = open(db.with_suffix(".log"), "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(TADRIB), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)],
        stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy(),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(db.with_suffix(".log").read_text())
            time.sleep(0.1)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
            for name in ("tip-som-knowledge.yaml", "tot-evaluation.yaml"):
                r = api.post("/api/v1/forms", files={"file": (name, (LIBRARY / name).read_bytes())})
                assert r.status_code in (200, 201), r.text
            r = api.put("/api/v1/institutions/gendarmerie",
                        json={"name": {"en": "Royal Gendarmerie", "ar": "الدرك الملكي"}})  # fmt: skip
            assert r.status_code == 201, r.text
            r = api.post("/api/v1/trainings", json={
                "id": "rabat-tot", "country": "MA", "location": "الرباط",
                "title": {"en": "Training of trainers on TIP and SOM", "ar": "تكوين المكونين"},
                "starts_on": "2019-01-07", "ends_on": "2019-01-11",
                "institutions": ["gendarmerie"], "trainers": ["amina"],
                "pre_test": {"form": "tip-som-knowledge", "version": "2019.1"},
                "post_test": {"form": "tip-som-knowledge", "version": "2019.1"},
                "evaluation": {"form": "tot-evaluation", "version": "2019.1"},
            })  # fmt: skip
            assert r.status_code == 201, r.text
            yield url, r.json()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_admin_signs_in_and_sees_the_arabic_dashboard_and_join_page(
    server: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    url, training = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(base_url=url, viewport={"width": 390, "height": 844})
            page.set_default_timeout(10_000)
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "console",
                lambda m: (
                    problems.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            failed: list[str] = []  # every failing request but the refused sign-in
            page.on(
                "response",
                lambda r: (
                    failed.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/console/login")
                    else None
                ),
            )

            page.goto("/console/trainings/rabat-tot/join")
            assert page.url.endswith("/console/login?next=/console/trainings/rabat-tot/join")
            page.get_by_role("link", name="العربية").click()
            page.wait_for_url(
                re.compile(r"/console/login\?next=/console/trainings/rabat-tot/join$")
            )
            assert page.locator("html").get_attribute("dir") == "rtl"
            page.get_by_label("اسم المستخدم").fill("amina")
            page.get_by_label("كلمة المرور").fill("not the password")
            page.get_by_role("button", name="دخول").click()
            assert page.get_by_role("alert").inner_text().startswith("اسم المستخدم أو كلمة المرور")
            page.get_by_label("كلمة المرور").fill(PASSWORD)
            page.get_by_role("button", name="دخول").click()
            page.wait_for_url("**/console/trainings/rabat-tot/join")

            # The join page: QR code large on a phone screen, link and code readable.
            assert page.locator("html").get_attribute("dir") == "rtl"
            qr = page.locator(".qrbox svg")
            box = qr.bounding_box()
            assert box is not None and box["width"] >= 300 and box["width"] == box["height"]
            assert page.get_by_text(training["join_url"]).is_visible()
            assert page.get_by_text(training["join_code"], exact=True).is_visible()
            page.screenshot(path=str(tmp_path / "join-ar.png"), full_page=True)

            page.goto("/console")
            assert page.get_by_role("heading", name="تكوين المكونين").is_visible()
            brand = page.locator(".brand").bounding_box()
            assert brand is not None and brand["x"] > 390 / 2  # the frame starts on the right
            page.screenshot(path=str(tmp_path / "dashboard-ar.png"), full_page=True)

            # The monitor refreshes itself through the API with the session cookie alone.
            page.goto("/console/trainings/rabat-tot/monitor")
            status = page.locator("#monitor-status")
            status.filter(has_text="حُدّث").wait_for(timeout=8_000)
            assert problems == [] and failed == []
        finally:
            browser.close()
    for name in ("join-ar.png", "dashboard-ar.png"):
        assert (tmp_path / name).stat().st_size > 10_000
