"""What the participant sees: languages and direction, labels, tap targets, the iPhone hint."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Live
from pwa_helpers import fill_profile, join, start

pytestmark = pytest.mark.browser

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
UNLABELLED = (
    "() => [...document.querySelectorAll('input, select, textarea')]"
    ".filter(e => !e.labels || !e.labels.length).map(e => e.outerHTML)"
)
SMALL_TARGETS = (
    "() => [...document.querySelectorAll('main button, main a, main .choice, header a')]"
    ".filter(e => { const r = e.getBoundingClientRect(); return r.height < 48 || r.width < 48; })"
    ".map(e => e.outerHTML.slice(0, 80))"
)


def test_every_control_is_labelled_and_big_enough_to_tap(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    assert page.evaluate(UNLABELLED) == []  # the profile
    fill_profile(page)
    assert page.evaluate(SMALL_TARGETS) == []  # the training's home
    for phase in ("pre", "evaluation"):
        page.goto(f"/t/{training['join_code']}")
        start(page, phase)
        assert page.evaluate(UNLABELLED) == []
        assert page.evaluate(SMALL_TARGETS) == []


def test_language_switch_turns_the_page_around(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"], "fr")
    fill_profile(page)
    assert page.locator("h2").first.inner_text() == "Pré-test"
    page.locator("a.langlink").click()
    page.locator(".langs button[lang=ar]").click()
    page.locator("ul.phases").wait_for()
    assert page.evaluate("() => document.documentElement.dir") == "rtl"
    assert page.locator("h2").first.inner_text() == "الاختبار القبلي"
    page.reload()  # remembered
    page.locator("ul.phases").wait_for()
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    page.locator("a.langlink").click()
    page.locator(".langs button[lang=en]").click()
    page.locator("ul.phases").wait_for()
    assert page.evaluate("() => document.documentElement.dir") == "ltr"


def test_iphone_users_are_told_to_add_the_app_to_the_home_screen(browser: Any, live: Live) -> None:
    context = browser.new_context(
        base_url=live.url, user_agent=IPHONE, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    try:
        training = live.training()
        page = context.new_page()
        join(page, training["join_code"])
        hint = page.locator("#b-ios")
        hint.wait_for()
        assert "Add to Home Screen" in hint.inner_text()
        hint.locator("button").click()
        hint.wait_for(state="detached")  # gone once the choice is stored
        page.reload()
        page.locator("#mother").wait_for()
        page.wait_for_timeout(300)
        assert page.locator("#b-ios").count() == 0
    finally:
        context.close()


def test_a_redraw_begun_before_a_tap_never_covers_the_new_screen(live: Live, context: Any) -> None:
    page = context.new_page()
    join(page, live.training()["join_code"])
    fill_profile(page)
    # Going offline redraws the training's page 50 ms later; the person taps "Start" just as
    # that redraw begins, while it still reads the phone's storage.
    page.evaluate(
        """async () => {
            dispatchEvent(new Event('offline'));
            await new Promise((r) => setTimeout(r, 50));
            location.hash = '#q/evaluation';
        }"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("() => location.hash") == "#q/evaluation"
    assert page.locator("form.question").count() == 1
