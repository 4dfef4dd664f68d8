"""The service worker: a new version is offered, old caches go, bundles revalidate by ETag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import LIBRARY, Live
from pwa_helpers import answer_current, answer_until_review, fill_profile, finish, join, start

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


def test_offline_app_home_lists_every_training_the_phone_holds(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    other = live.training()
    join(page, other["join_code"])  # a phone can hold several trainings
    context.set_offline(True)
    page.goto("/app/")
    page.locator("a.card").nth(1).wait_for()
    assert page.locator("a.card").count() == 2
    card = page.locator(f"a.card[href='/t/{training['join_code']}']")
    card.click()
    page.locator("ul.phases").wait_for()


def test_open_draft_finishes_on_the_version_it_started_with(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    start(page, "evaluation")
    answer_current(page)

    source = (LIBRARY / "tot-evaluation.yaml").read_text(encoding="utf-8")
    newer = source.replace('version: "2019.1"', 'version: "pwa-next"', 1)
    r = live.api.post("/api/v1/forms", files={"file": ("next.yaml", newer, "application/yaml")})
    assert r.status_code in (200, 201), r.text
    body = {k: training[k] for k in ("id", "title", "country", "location", "starts_on", "ends_on")}
    body |= {k: training[k] for k in ("institutions", "pre_test", "post_test")}
    body["evaluation"] = {"form": "tot-evaluation", "version": "pwa-next"}
    r = live.api.put(f"/api/v1/trainings/{training['id']}", json=body)
    assert r.status_code == 200, r.text

    page.reload()  # online: the bundle is revalidated and now carries the new version
    page.locator("form.question").wait_for()
    page.wait_for_function(
        "() => new Promise(r => { const q = indexedDB.open('tadrib'); q.onsuccess = () => {"
        " const g = q.result.transaction('bundles').objectStore('bundles').getAll();"
        " g.onsuccess = () => r(g.result[0].bundle.forms.evaluation.version === 'pwa-next'); }; })"
    )
    context.set_offline(True)
    answer_until_review(page)
    finish(page)
    with page.expect_download() as download:
        page.locator("#export").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [s["version"] for s in exported["submissions"]] == ["2019.1"]


def test_background_sync_sends_the_outbox_with_no_app_open(live: Live, context: Any) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    context.set_offline(True)
    start(page, "evaluation")
    answer_until_review(page)
    finish(page)
    blank = context.new_page()  # not a client of the app: only a handle on DevTools
    cdp = context.new_cdp_session(blank)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(r["registrationId"] for r in e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    blank.wait_for_timeout(200)
    page.close()
    context.set_offline(False)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live.url,
            "registrationId": registrations[0],
            "tag": "tadrib-outbox",
            "lastChance": False,
        },
    )
    assert [s["phase"] for s in live.submissions_soon(training["id"])] == ["evaluation"]
    app = context.new_page()
    app.goto(f"/t/{training['join_code']}")
    app.locator(".phase.sent").wait_for()
    assert app.locator("#queue").inner_text() == "Everything is sent."


# Three waiting records, two for the training's sync URL and one for another, sent by the
# module the page and the worker share, to a server that finds any batch of two too large.
SEND_THREE = """async () => {
  const { tx } = await import('/app/js/db.js');
  const { sendOutbox } = await import('/app/js/send.js');
  const urls = ['/api/v1/sync', '/api/v1/sync', '/other/sync'];
  await tx('outbox', 'readwrite', (s) => urls.forEach((url, i) => s.outbox.put({
    id: `rec-${i}`, code: 'X', phase: 'pre', url, state: 'pending', detail: '',
    queued_at: `2026-01-0${i + 1}T00:00:00Z`, submission: { id: `rec-${i}`, form: 'f', version: '1' },
  })));
  const calls = [];
  const post = async (url, body) => {
    const ids = JSON.parse(body).submissions.map((s) => s.id);
    const status = ids.length > 1 ? 413 : 200;
    calls.push([url, ids, status]);
    return status === 413 ? new Response('', { status })
      : Response.json({ results: ids.map((id) => ({ id, status: 'accepted' })) });
  };
  const sent = await sendOutbox(post);
  const left = await tx('outbox', 'readonly', (s) => new Promise((r) => { s.outbox.count().onsuccess = (e) => r(e.target.result); }));
  return { sent, calls, left };
}"""


def test_one_send_module_halves_a_batch_too_large_and_keeps_each_records_url(
    live: Live, context: Any
) -> None:
    page = context.new_page()
    join(page, live.training()["join_code"])
    context.set_offline(True)  # the app's own sending stays out of the way
    assert page.evaluate(SEND_THREE) == {
        "sent": 3,
        "calls": [
            ["/api/v1/sync", ["rec-0", "rec-1"], 413],
            ["/api/v1/sync", ["rec-0"], 200],
            ["/api/v1/sync", ["rec-1"], 200],
            ["/other/sync", ["rec-2"], 200],
        ],
        "left": 0,
    }
