"""The service worker: a new version is offered, old caches go, bundles revalidate by ETag."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Live
from pwa_helpers import fill_profile, join

pytestmark = pytest.mark.browser

CACHES = "() => caches.keys()"


def test_new_version_is_offered_and_replaces_the_old_cache(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    [old] = page.evaluate(CACHES)
    assert old.startswith("tadrib-shell-")

    with open(live.pwa_dir / "app.css", "a", encoding="utf-8") as css:
        css.write("/* a new release */\n")  # any change to the app makes a new worker
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    prompt = page.locator("#b-update button")
    prompt.wait_for()
    assert page.locator("ul.phases").is_visible()  # nothing is taken from the participant meanwhile
    with page.expect_navigation():
        prompt.click()
    page.locator("ul.phases").wait_for()
    page.wait_for_function(
        "old => caches.keys().then(k => k.length === 1 && k[0] !== old)", arg=old
    )
    [new] = page.evaluate(CACHES)
    assert new.startswith("tadrib-shell-") and new != old
    assert page.locator("#b-update").count() == 0


def test_bundle_is_revalidated_with_its_etag(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    seen: list[tuple[str | None, int]] = []
    page.on(
        "response",
        lambda r: (
            "/api/v1/bundles/" in r.url
            and seen.append((r.request.headers.get("if-none-match"), r.status))
        ),
    )
    join(page, training["join_code"])
    fill_profile(page)
    page.reload()
    page.locator("ul.phases").wait_for()
    page.wait_for_timeout(300)
    assert seen[0] == (None, 200)
    assert seen[-1][0] and seen[-1][1] == 304


def test_offline_navigation_to_the_app_home_lists_the_training(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    context.set_offline(True)
    page.goto("/app/")
    card = page.locator(f"a.card[href='/t/{training['join_code']}']")
    card.wait_for()
    card.click()
    page.locator("ul.phases").wait_for()
