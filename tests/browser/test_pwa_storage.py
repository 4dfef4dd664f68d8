"""Storage and updates under the app's feet: a closed IndexedDB connection, a new release."""

from __future__ import annotations

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
from test_pwa_sync import stored, wait_until

pytestmark = pytest.mark.browser

# Keeps every connection the app opens, so that a test can close them as iOS does under
# memory pressure, and can make opening fail as when the storage is gone.
SPY = """
const open = IDBFactory.prototype.open;
self.__dbs = [];
self.__refuse = false;
IDBFactory.prototype.open = function (...args) {
  if (self.__refuse) throw new DOMException('storage is gone', 'UnknownError');
  const r = open.apply(this, args);
  r.addEventListener('success', () => self.__dbs.push(r.result));
  return r;
};
"""
CLOSE = "refuse => { self.__refuse = refuse; self.__dbs.splice(0).forEach((d) => d.close()); }"
DRAFT = """() => new Promise((resolve) => {
  const q = indexedDB.open('tadrib');
  q.onsuccess = () => {
    const g = q.result.transaction('drafts').objectStore('drafts').getAll();
    g.onsuccess = () => { q.result.close(); resolve(g.result[0]); };
  };
})"""


def test_closed_storage_is_reopened_and_an_unsaved_answer_is_never_shown_saved(
    live: Live, context: Any
) -> None:
    context.add_init_script(SPY)
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    start(page, "pre")
    form = page.locator("form.question[data-pos='0']")
    choices = form.locator("input[type=radio]")

    page.evaluate(CLOSE, False)  # closed under the app: it reopens and writes again
    choices.nth(0).check()
    page.locator(".saved", has_text="Saved").wait_for()
    draft = page.evaluate(DRAFT)
    [(question, first)] = draft["answers"].items()

    page.evaluate(CLOSE, True)  # and now it cannot be reopened at all
    second = choices.nth(1).get_attribute("value")
    choices.nth(1).check()
    page.locator("#err", has_text="This answer was not saved on the phone.").wait_for()
    assert page.locator(".saved").inner_text() == ""
    form.locator("button[type=submit]").click()  # the write is tried again, and fails again
    page.wait_for_timeout(300)
    assert form.count() == 1 and page.locator("#err").inner_text().startswith("This answer")

    page.evaluate("() => { self.__refuse = false; }")
    form.locator("button[type=submit]").click()  # storage is back: saved, then on to the next
    page.locator("form.question[data-pos='1']").wait_for()
    answer = page.evaluate(DRAFT)["answers"][question]
    assert answer != first and answer == second


def test_an_update_never_strands_a_draft_begun_under_the_old_version(
    live: Live, context: Any
) -> None:
    training = live.training()
    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    start(page, "pre")
    answer_current(page)
    answer_current(page)
    [old] = page.evaluate("() => caches.keys()")

    with open(live.pwa_dir / "js" / "send.js", "a", encoding="utf-8") as js:
        js.write("// a new release\n")  # a module the worker imports too
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    with page.expect_navigation():
        page.locator("#b-update button").click()
    page.locator("form.question[data-pos='2']").wait_for()
    page.wait_for_function(
        "old => caches.keys().then(k => k.length === 1 && k[0] !== old)", arg=old
    )

    context.set_offline(True)
    page.reload()  # the new version, from its own cache, opens the old draft
    page.locator("form.question[data-pos='2']").wait_for()
    answer_until_review(page)
    finish(page)
    assert queue_text(page) == "Waiting to send: 1"
    context.set_offline(False)
    [row] = wait_until(page, lambda: stored(live, training), what="the submission")
    assert row["phase"] == "pre"
    page.locator("#queue", has_text="Everything is sent.").wait_for()
    assert len(stored(live, training)) == 1
