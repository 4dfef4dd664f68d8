"""The participant app against the real server: offline work, retries, and nothing stored twice."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Live
from pwa_helpers import (
    answer_current,
    answer_until_review,
    fill_profile,
    finish,
    join,
    queue_text,
    start,
)

pytestmark = pytest.mark.browser


def wait_until(page: Any, check: Callable[[], Any], timeout: float = 15, what: str = "it") -> Any:
    """Polls `check`, letting Playwright run the page's route handlers in between."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}")


def stored(live: Live, training: dict[str, Any], phase: str | None = None) -> list[dict[str, Any]]:
    return [s for s in live.submissions(training["id"]) if phase is None or s["phase"] == phase]


def test_offline_journey_in_arabic_survives_reloads_and_is_stored_scored(
    live: Live, context: Any
) -> None:
    training = live.training(show_score=True)
    page = context.new_page()
    page.goto(f"/t/{training['join_code']}")
    page.locator("#ready[data-state=yes]").wait_for()  # stored before any tap

    context.set_offline(True)
    page.reload()  # the shell comes from the service worker, the training from IndexedDB
    page.locator(".langs button[lang=ar]").click()
    page.locator("#mother").wait_for()
    assert page.evaluate("() => [document.documentElement.dir, document.documentElement.lang]") == [
        "rtl",
        "ar",
    ]
    fill_profile(page)
    start(page, "pre")
    assert "السؤال 1 من 15" in page.locator("h1").inner_text()
    answer_current(page)
    answer_current(page)
    first = page.evaluate("() => location.hash")
    page.reload()  # mid-form: the draft and the position survive
    page.locator("form.question[data-pos='2']").wait_for()
    page.locator("button.secondary").click()
    page.locator("form.question[data-pos='1'] input:checked").wait_for()
    assert first.startswith("#q/pre/")
    answer_until_review(page)
    finish(page)
    assert queue_text(page) == "في انتظار الإرسال: 1"
    assert stored(live, training) == []

    context.set_offline(False)
    [row] = wait_until(page, lambda: stored(live, training), what="the submission on the server")
    assert row["phase"] == "pre" and row["lang"] == "ar" and row["code"] == "KA07R"
    assert row["percent"] is not None
    page.locator(".phase.sent .score").wait_for()
    assert page.locator("#queue").inner_text() == "تم إرسال كل شيء."


def _ready(page: Any, live: Live, training: dict[str, Any]) -> None:
    join(page, training["join_code"])
    fill_profile(page)


def test_server_error_is_retried_and_stored_once(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    calls: list[int] = []

    def fail_first(route: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            route.fulfill(status=500, content_type="application/json", body='{"detail": "boom"}')
        else:
            route.continue_()

    page.route("**/api/v1/sync", fail_first)
    _ready(page, live, training)
    start(page, "evaluation")
    answer_until_review(page)
    finish(page)
    wait_until(page, lambda: stored(live, training), what="the retried submission")
    page.locator("#queue", has_text="Everything is sent.").wait_for()
    assert len(calls) >= 2
    assert len(stored(live, training)) == 1


def test_answer_lost_after_commit_is_sent_again_as_duplicate(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    statuses: list[str] = []

    def lose_first_answer(route: Any) -> None:
        response = route.fetch()
        statuses.extend(r["status"] for r in response.json()["results"])
        if len(statuses) == 1:
            route.abort("connectionreset")  # the server committed; the phone never hears it
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/sync", lose_first_answer)
    _ready(page, live, training)
    start(page, "evaluation")
    answer_until_review(page)
    finish(page)
    page.locator("#queue", has_text="Everything is sent.").wait_for(timeout=15_000)
    assert statuses[:2] == ["accepted", "duplicate"]
    assert len(stored(live, training)) == 1


def test_rejected_record_stays_on_the_phone_with_its_reason(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()

    def ghost_institution(route: Any) -> None:
        # As if the institution was taken off the training after this phone joined.
        response = route.fetch()
        if response.status != 200:
            route.fulfill(response=response)
            return
        bundle = response.json()
        bundle["institutions"].append({"key": "ghost-unit", "name": {"en": "Ghost unit"}})
        route.fulfill(response=response, json=bundle)

    page.route("**/api/v1/bundles/*", ghost_institution)
    join(page, training["join_code"])
    fill_profile(page, institution="ghost-unit")
    start(page, "evaluation")
    answer_until_review(page)
    finish(page)
    attention = page.locator(".phase.attention .error")
    attention.wait_for()
    assert "ghost-unit" in attention.inner_text() or "institution" in attention.inner_text().lower()
    page.reload()
    page.locator(".phase.attention .error").wait_for()
    assert page.locator("#queue").inner_text() == "Waiting to send: 0 · Need attention: 1"
    assert page.locator("#export").is_visible()
    assert stored(live, training) == []
    # The reload revalidates the bundle; an answer still on its way when the page closes must
    # not be fulfilled into the next test.
    page.unroute_all(behavior="ignoreErrors")


def test_one_form_in_two_tabs_makes_one_submission(live: Live, context: Any) -> None:
    training = live.training()
    one = context.new_page()
    _ready(one, live, training)
    context.set_offline(True)
    start(one, "evaluation")
    answer_until_review(one)
    two = context.new_page()
    two.goto(f"/t/{training['join_code']}#q/evaluation/99")
    two.locator("#finish").wait_for()
    # Both tabs press Finish at once.
    two.evaluate("() => document.getElementById('finish').click()")
    one.locator("#finish").click()
    for page in (one, two):
        page.locator("ul.phases").wait_for()
    assert queue_text(one) == "Waiting to send: 1"
    context.set_offline(False)
    wait_until(one, lambda: stored(live, training), what="the submission")
    one.wait_for_timeout(1000)
    assert len(stored(live, training)) == 1


def _finish_offline_and_export(
    page: Any, live: Live, training: dict[str, Any], context: Any
) -> tuple[Any, dict[str, Any]]:
    """Fill the evaluation offline, finish it, and export the unsent record: (download, file)."""
    _ready(page, live, training)
    context.set_offline(True)
    start(page, "evaluation")
    answer_until_review(page)
    finish(page)
    with page.expect_download() as download:
        page.locator("#export").click()
    return download.value, json.loads(Path(download.value.path()).read_text(encoding="utf-8"))


def test_unsent_records_export_to_a_file_the_server_ingests_once(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    download, exported = _finish_offline_and_export(page, live, training, context)
    assert exported["format"] == "tadrib-unsent" and exported["version"] == 1
    assert len(exported["submissions"]) == 1
    assert exported["submissions"][0]["training"] == training["join_code"]
    assert exported["device"] == page.evaluate(
        "() => new Promise(r => { const q = indexedDB.open('tadrib'); q.onsuccess = () =>"
        " { const g = q.result.transaction('meta').objectStore('meta').get('device');"
        " g.onsuccess = () => r(g.result); }; })"
    )

    name = download.suggested_filename
    r = live.api.post(
        "/api/v1/uploads", files={"file": (name, json.dumps(exported), "application/json")}
    )
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["accepted"]
    assert [s["source"] for s in stored(live, training)] == ["upload"]

    context.set_offline(False)  # the phone sends it too: the server knows it already
    page.locator("#queue", has_text="Everything is sent.").wait_for(timeout=15_000)
    assert len(stored(live, training)) == 1


def test_conflicting_copy_is_kept_shown_and_not_retried(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    _, exported = _finish_offline_and_export(page, live, training, context)
    other = exported["submissions"][0] | {"answers": {**exported["submissions"][0]["answers"]}}
    other["answers"]["e1"] = 5 if other["answers"].get("e1") != 5 else 4
    # Another copy of the same id, different content, reaches the server first.
    r = live.api.post("/api/v1/sync", json={"device": "elsewhere", "submissions": [other]})
    assert r.json()["results"][0]["status"] == "accepted", r.text

    sent: list[int] = []
    page.on("request", lambda req: req.url.endswith("/api/v1/sync") and sent.append(1))
    context.set_offline(False)
    page.locator(".phase.attention .error").wait_for(timeout=15_000)
    page.locator("#send").wait_for(state="detached")  # nothing left to send
    page.reload()
    page.locator(".phase.attention .error").wait_for()
    page.wait_for_timeout(500)
    assert sent == [1]
    assert page.locator("#queue").inner_text() == "Waiting to send: 0 · Need attention: 1"
    [row] = stored(live, training)
    assert row["device"] == "elsewhere"
