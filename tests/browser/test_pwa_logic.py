"""A form's logic on the phone: a skipped question is never shown nor required, a constraint is
checked with its message in the participant's language, and what is sent passes the server's
same rules."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Live
from pwa_helpers import open_evaluation, text

pytestmark = pytest.mark.browser


FORM = {
    "id": "logic-eval", "version": "1", "kind": "evaluation", "title": text("Logic"),
    "languages": ["en", "fr", "ar"],
    "questions": [
        {"id": "attended", "type": "single", "text": text("Did you attend every day?"),
         "choices": [{"id": "y", "text": text("Yes")}, {"id": "n", "text": text("No")}]},
        {"id": "why", "type": "text", "text": text("Why not?"), "relevant": "${attended} = 'n'"},
        {"id": "hours", "type": "number", "text": text("Hours of practice?"),
         "constraint": ". <= 40",
         "constraint_message": {"en": "At most 40", "fr": "Au plus 40", "ar": "40 على الأكثر"}},
    ],
}  # fmt: skip


def test_a_skipped_question_is_not_shown_and_a_constraint_speaks_the_participants_language(
    live: Live, context: Any
) -> None:
    page, training = open_evaluation(live, context, FORM, "fr")
    form = page.locator("form.question")
    form.locator("input[value=y]").check()
    form.locator("button[type=submit]").click()
    page.locator("form.question[data-pos='2']").wait_for()  # "why" was skipped
    form.locator("input[inputmode=decimal]").fill("50")
    form.locator("button[type=submit]").click()
    page.locator("#err", has_text="Au plus 40").wait_for()
    form.locator("input[inputmode=decimal]").fill("12")
    form.locator("button[type=submit]").click()
    page.locator("#finish").wait_for()
    review = page.locator("ol.review").inner_text()
    assert "Why not?" not in review and "Hours of practice? (fr)" in review
    page.locator("#back, .nav a.secondary").first.click()  # back steps over the skipped question
    page.locator("form.question[data-pos='2']").wait_for()
    page.locator(".nav button.secondary").click()
    page.locator("form.question[data-pos='0']").wait_for()
    page.locator("form.question input[value=n]").check()
    page.locator("form.question button[type=submit]").click()
    page.locator("form.question[data-pos='1']").wait_for()  # now asked, and required
    page.locator("form.question button[type=submit]").click()
    page.locator("#err", has_text="Merci de répondre").wait_for()
    page.locator("form.question textarea").fill("Ill")
    page.locator("form.question button[type=submit]").click()
    page.locator("form.question[data-pos='2']").wait_for()
    page.locator("form.question button[type=submit]").click()
    page.locator("#finish").click()
    page.locator("ul.phases").wait_for()
    assert [s["phase"] for s in live.submissions_soon(training["id"])] == ["evaluation"]
