"""The participant app and a training's timing: phase windows applied with the phone's own
clock while offline, and work done before joining closed still counted after it closed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import INSTITUTIONS, TITLE, Live
from pwa_helpers import (
    answer_current,
    answer_until_review,
    fill_profile,
    finish,
    join,
    queue_text,
    start,
)

from tests.live import quick_submission, training_body

pytestmark = pytest.mark.browser

BUNDLES = """() => new Promise((resolve, reject) => {
  const r = indexedDB.open('tadrib');
  r.onerror = () => reject(r.error);
  r.onsuccess = () => {
    const all = r.result.transaction('bundles').objectStore('bundles').getAll();
    all.onsuccess = () => resolve(all.result.map((b) => [b.bundle.training.joining_open, b.joining_stamp]));
  };
})"""


def wait_until(page: Any, check: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_phone_that_joined_sends_its_pre_test_after_joining_closed(
    live: Live, context: Any
) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    [[joining_open, stamp]] = page.evaluate(BUNDLES)
    assert joining_open and stamp

    context.set_offline(True)
    start(page, "pre")
    answer_until_review(page)
    finish(page)
    body = training_body(
        training["id"], title=TITLE, institutions=list(INSTITUTIONS), joining_open=False
    )
    closed = live.api.put(f"/api/v1/trainings/{training['id']}", json=body)
    assert closed.status_code == 200 and not closed.json()["joining_open"], closed.text

    context.set_offline(False)  # the code is new to the server: only the stamp lets it in
    rows = wait_until(page, lambda: live.submissions(training["id"]), "the pre-test stored")
    page.locator(".phase.sent").wait_for()
    assert queue_text(page) == "Everything is sent."
    assert [(r["phase"], r["code"]) for r in rows] == [("pre", "KA07R")]
    # The bundle learnt that joining closed, and the phone kept its proof of joining.
    assert wait_until(page, lambda: page.evaluate(BUNDLES)[0][0] is False, "the new bundle")
    assert page.evaluate(BUNDLES) == [[False, stamp]]
    assert len(live.submissions(training["id"])) == 1


def test_phases_open_by_the_phone_clock_while_offline_in_arabic(live: Live, context: Any) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    at = lambda hours: (now + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    training = live.training(
        followup_test={"form": "tip-som-knowledge", "version": "2019.1"},
        windows={
            "pre": {"closes_at": at(2)},
            "post": {"opens_at": at(1)},
            "evaluation": {"closes_at": "2020-01-01"},
            "followup": {"opens_at": at(3)},
        },
    )
    page = context.new_page()
    page.clock.install(time=now.timestamp())
    join(page, training["join_code"], lang="ar")
    fill_profile(page)
    context.set_offline(True)

    assert page.evaluate("() => document.documentElement.dir") == "rtl"
    soon = page.locator(".phase.soon .status")
    assert soon.count() == 2 and all(s.startswith("يُفتح في") for s in soon.all_inner_texts())
    assert page.locator(".phase.closed .status").inner_text().startswith("مغلق")
    assert page.locator("a[href='#q/pre']").count() == 1
    for phase in ("post", "evaluation", "followup"):
        assert page.locator(f"a[href='#q/{phase}']").count() == 0
    page.evaluate("() => { location.hash = '#q/post'; }")  # a link kept from before
    page.wait_for_timeout(500)
    assert page.locator("form.question").count() == 0 and page.locator(".phase.soon").count() == 2
    assert page.evaluate("() => location.hash") == ""

    start(page, "pre")  # begun before it closes
    answer_current(page)
    page.evaluate("() => { location.hash = ''; }")
    page.locator(".phase.draft").wait_for()

    page.clock.fast_forward("02:00:00")  # the post-test opens, the phone still offline
    page.locator("a[href='#q/post']").wait_for()
    page.locator(".phase.draft a[href='#q/pre']").wait_for()  # closed since, yet it may be finished
    start(page, "pre")
    answer_until_review(page)
    finish(page)
    start(page, "post")
    answer_until_review(page)
    finish(page)
    assert page.locator("a[href='#q/followup']").count() == 0

    page.clock.fast_forward("02:00:00")  # the training stays, and the follow-up appears
    page.locator("a[href='#q/followup']").wait_for()
    assert page.locator(".phase.queued").count() == 2  # pre and post, waiting for a network
    assert page.locator(".phase.closed").count() == 1  # the evaluation stays closed
    start(page, "followup")


def test_a_participant_who_lost_the_app_types_the_same_code_after_joining_closed(
    live: Live, browser: Any
) -> None:
    training = live.training(
        followup_test={"form": "tip-som-knowledge", "version": "2019.1"},
        windows={"followup": {"opens_at": "2019-01-01"}},
    )
    before = quick_submission(training["join_code"], 0)  # the pre-test, sent from the lost phone
    before["participant"] = {"code": "KA07R", "institution": "gendarmerie", "sex": "female"}
    sent = live.api.post("/api/v1/sync", json={"device": "lost", "submissions": [before]})
    assert [r["status"] for r in sent.json()["results"]] == ["accepted"], sent.text
    body = training_body(
        training["id"], title=TITLE, institutions=list(INSTITUTIONS), joining_open=False,
        followup_test={"form": "tip-som-knowledge", "version": "2019.1"},
    )  # fmt: skip
    assert live.api.put(f"/api/v1/trainings/{training['id']}", json=body).status_code == 200

    def rejoin(card: str | None) -> Any:
        """A fresh phone: joining is closed, so the person says they took part before."""
        context = browser.new_context(base_url=live.url, viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(f"/t/{training['join_code']}")
        page.locator(".langs button[lang=fr]").click()
        page.locator("#closed").wait_for()
        page.locator("#rejoin").click()
        assert "même code" in page.locator("#rejoin-help").inner_text()
        if card is None:
            fill_profile(page)  # builds KA07R again
        else:
            page.locator("input[name=institution][value=gendarmerie]").check()
            page.locator("input[name=sex][value=male]").check()
            page.locator("input[name=mode][value=card]").check()
            page.locator("#card").fill(card)
            page.locator("form button[type=submit]").click()
            page.locator("ul.phases").wait_for()
        start(page, "followup")
        answer_until_review(page)
        finish(page)
        return context, page

    known, page = rejoin(None)
    page.locator(".phase.sent").wait_for()
    assert [(r["phase"], r["code"]) for r in live.submissions(training["id"])] == [
        ("followup", "KA07R"), ("pre", "KA07R")
    ]  # fmt: skip
    known.close()

    unknown, page = rejoin("ZZ99Z")
    refused = page.locator(".phase.attention .error")
    refused.wait_for()
    # The server's reason, in the three languages, for the participant and the trainer.
    assert "ce code de participant n'y a jamais participé" in refused.inner_text()
    assert len(live.submissions(training["id"])) == 2
    unknown.close()


def test_a_phase_opened_in_the_room_becomes_startable_on_an_open_page(
    live: Live, context: Any
) -> None:
    training = live.training(windows={"post": {"opens_at": "2099-01-11"}})
    page = context.new_page()
    answers: list[tuple[int, str | None]] = []
    page.on(
        "response",
        lambda r: (
            "/api/v1/bundles/" in r.url
            and answers.append((r.status, r.request.headers.get("if-none-match")))
        ),
    )
    page.clock.install(time=datetime.now(UTC).timestamp())
    join(page, training["join_code"])
    fill_profile(page)
    page.locator(".phase.soon").wait_for()
    page.clock.fast_forward("01:01")  # a minute on: the app asks, and nothing changed
    wait_until(page, lambda: len(answers) == 2, "the first check")
    assert answers[1][0] == 304 and answers[1][1]

    opened = live.api.post(f"/api/v1/trainings/{training['id']}/phases/post/open")
    assert opened.status_code == 200, opened.text
    page.wait_for_timeout(1000)
    assert page.locator("a[href='#q/post']").count() == 0  # the page has not asked yet
    page.clock.fast_forward("01:01")
    page.locator("a[href='#q/post']").wait_for()  # no reload: the next check brought it
    assert answers[2][0] == 200 and answers[2][1] == answers[1][1]
    start(page, "post")
