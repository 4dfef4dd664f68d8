"""Date, time, date-and-time and acknowledgement questions on the phone, in Arabic: native
inputs with their labels, the form's constraint and relevance applied, and the server storing
each value as written."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from conftest import Live
from pwa_helpers import open_evaluation, text

pytestmark = pytest.mark.browser


FORM = {
    "id": "dates-eval", "version": "1", "kind": "evaluation", "title": text("Dates"),
    "languages": ["en", "fr", "ar"],
    "questions": [
        {"id": "born", "type": "date", "text": text("Date of the first session"),
         "constraint": ". <= today()",
         "constraint_message": {"en": "Not in the future", "fr": "Pas dans le futur",
                                "ar": "ليس في المستقبل"}},
        {"id": "arrived", "type": "time", "text": text("Arrival time"), "required": False},
        {"id": "session", "type": "datetime", "text": text("Next session")},
        {"id": "ack", "type": "acknowledge", "text": text("I was told about the follow-up"),
         "relevant": "${arrived} != ''"},
    ],
}  # fmt: skip


def _next(page: Any, pos: int) -> None:
    page.locator("form.question button[type=submit]").click()
    page.locator(f"form.question[data-pos='{pos}'], #finish").first.wait_for()


def test_dates_times_and_an_acknowledgement_are_filled_and_stored(live: Live, context: Any) -> None:
    page, training = open_evaluation(live, context, FORM, "ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"

    born = page.get_by_label("Date of the first session (ar)")
    assert born.get_attribute("type") == "date"
    born.fill("2099-01-01")
    page.locator("form.question button[type=submit]").click()
    page.locator("#err", has_text="ليس في المستقبل").wait_for()
    born.fill("2019-01-07")
    _next(page, 1)

    # Left blank, the optional time keeps the acknowledgement that depends on it hidden.
    assert page.get_by_label("Arrival time (ar)").get_attribute("type") == "time"
    _next(page, 2)
    session = page.get_by_label("Next session (ar)")
    assert session.get_attribute("type") == "datetime-local"
    session.focus()
    page.keyboard.type("12")  # a month alone reads as blank: said, not dropped
    page.locator("form.question button[type=submit]").click()
    page.locator("#err", has_text="أكمل التاريخ").wait_for()
    session.fill("2019-01-08T14:30")
    _next(page, 4)
    page.locator("#finish").wait_for()
    assert "I was told" not in page.locator("ol.review").inner_text()

    page.locator("ol.review a[href$='/1']").click()  # answer the time after all
    page.get_by_label("Arrival time (ar)").fill("09:15")
    _next(page, 2)
    _next(page, 3)
    page.locator("form.question button[type=submit]").click()  # now asked, and required
    page.locator("#err", has_text="يرجى الإجابة").wait_for()
    ack = page.get_by_role("checkbox", name="موافق")
    ack.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing overflows
    _next(page, 4)
    review = page.locator("ol.review").inner_text()
    assert "\u20662019-01-08 14:30\u2069" in review and "موافق" in review
    page.locator("#finish").click()
    page.locator("ul.phases").wait_for()

    assert [s["phase"] for s in live.submissions_soon(training["id"])] == ["evaluation"]
    got = live.api.get(
        f"/api/v1/trainings/{training['id']}/report.csv", params={"table": "responses"}
    )
    assert got.status_code == 200, got.text
    [row] = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    stored = {k: row[k] for k in ("born", "arrived", "session", "ack")}
    assert stored == {
        "born": "2019-01-07",
        "arrived": "09:15",
        "session": "2019-01-08T14:30",
        "ack": "OK",
    }
