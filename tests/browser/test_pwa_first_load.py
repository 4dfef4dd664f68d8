"""The first visit online is enough: the training is stored before any tap, and the first
screen says when the phone is ready offline; joining closed and old unsent records are said."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Live
from pwa_helpers import answer_until_review, fill_profile, finish, join, start

pytestmark = pytest.mark.browser

READY = "#ready[data-state=yes]"
AGE_OUTBOX = """days => new Promise((resolve) => {
  const q = indexedDB.open('tadrib');
  q.onsuccess = () => {
    const t = q.result.transaction('outbox', 'readwrite');
    const s = t.objectStore('outbox');
    const all = s.getAll();
    all.onsuccess = () => all.result.forEach((r) =>
      s.put({ ...r, queued_at: new Date(Date.now() - days * 864e5).toISOString() }));
    t.oncomplete = () => { q.result.close(); resolve(all.result.length); };
  };
})"""


def test_first_load_stores_the_training_before_any_tap(browser: Any, live: Live) -> None:
    context = browser.new_context(
        base_url=live.url, viewport={"width": 360, "height": 740}, locale="fr-FR"
    )
    context.set_default_timeout(10_000)
    try:
        training = live.training()
        page = context.new_page()
        page.route("**/api/v1/bundles/*", lambda route: route.abort("internetdisconnected"))
        page.goto(f"/t/{training['join_code']}")
        page.locator("#ready[data-state=offline]").wait_for()  # said in the three languages
        assert page.locator("#ready span").all_inner_texts() == [
            "Not ready: connect to the internet once to save this training.",
            "Pas prêt : connectez-vous une fois à Internet pour enregistrer cette formation.",
            "غير جاهز: اتصل بالإنترنت مرة واحدة لحفظ هذه الدورة.",
        ]
        assert page.locator("#ready span[lang=ar]").get_attribute("dir") == "rtl"
        # The language screen is shown, with the phone's language preselected, and not a gate.
        assert page.locator(".langs button[aria-pressed=true]").get_attribute("lang") == "fr"

        page.unroute("**/api/v1/bundles/*")
        context.set_offline(True)
        context.set_offline(False)  # the network comes back: the app tries again by itself
        page.locator(READY).wait_for()
        assert page.locator("#ready span[lang=en]").inner_text() == (
            "Ready: this training now works without internet."
        )
        assert page.locator(".langs button").count() == 3  # still no tap

        context.set_offline(True)
        page.reload()
        page.locator(".langs button[lang=fr]").click()
        page.locator("#mother").wait_for()
        assert page.locator("#ready").inner_text() == (
            "Prêt : cette formation fonctionne maintenant sans Internet."
        )
    finally:
        context.close()


def test_a_phone_that_has_not_joined_is_told_joining_is_closed(live: Live, context: Any) -> None:
    training = live.training(joining_open=False)
    page = context.new_page()
    page.goto(f"/t/{training['join_code']}")
    page.locator(".langs button[lang=en]").click()
    page.locator("#closed").wait_for()
    assert page.locator("#closed").inner_text() == (
        "Joining this training is closed. Please ask your trainer."
    )
    assert page.locator("#mother, ul.phases").count() == 0
    assert page.locator("#ready").is_hidden()


def test_records_unsent_for_two_days_are_flagged_with_the_export(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    context.set_offline(True)
    start(page, "evaluation")
    answer_until_review(page)
    finish(page)
    assert page.locator("#stale").count() == 0  # a fresh record is not flagged
    assert page.evaluate(AGE_OUTBOX, 3) == 1
    for url in (f"/t/{training['join_code']}", "/app/"):
        page.goto(url)
        page.locator("#stale").wait_for()
        assert (
            page.locator("#stale")
            .inner_text()
            .startswith("Waiting more than two days to be sent: 1.")
        )
        assert page.locator("#export").is_visible()
