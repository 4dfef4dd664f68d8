"""The console in Debian's Chromium against a live `tadrib serve`: sign in, Arabic pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import (
    LiveServer,
    add_user,
    admin_token,
    api_client,
    launch_chromium,
    seed_steps,
    send_steps,
    training_body,
)

PASSWORD = "a long admin password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """A live server with an admin who has a password, and one training seeded over the API."""
    db = tmp_path_factory.mktemp("console") / "tadrib.db"
    add_user(db, "amina", PASSWORD)
    token = admin_token(db, "amina")
    training = training_body(
        "rabat-tot", location="الرباط", institutions=["gendarmerie"], trainers=["amina"],
        title={"en": "Training of trainers on TIP and SOM", "ar": "تكوين المكونين"},
    )  # fmt: skip
    institutions = {"gendarmerie": {"en": "Royal Gendarmerie", "ar": "الدرك الملكي"}}
    with LiveServer(db) as live, api_client(live.url, token) as api:
        yield live.url, send_steps(api, seed_steps(training, institutions, country=None))


def test_admin_signs_in_and_sees_the_arabic_dashboard_and_join_page(
    server: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    url, training = server
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
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
