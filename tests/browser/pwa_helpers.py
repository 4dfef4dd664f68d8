"""Steps of a participant's journey through the app, shared by the browser tests."""

from __future__ import annotations

from typing import Any

SW_READY = "() => navigator.serviceWorker.controller !== null"


def text(en: str) -> dict[str, str]:
    """A text in the app's three languages, marked so a test sees which one is shown."""
    return {"en": en, "fr": f"{en} (fr)", "ar": f"{en} (ar)"}


def join(page: Any, code: str, lang: str = "en") -> None:
    """Opens the join link, picks a language, waits for the training and the worker."""
    page.goto(f"/t/{code}")
    page.locator(".langs, #mother, ul.phases").first.wait_for()
    if page.locator(".langs").count():  # the first training on this phone: choose a language
        page.locator(f".langs button[lang={lang}]").click()
    page.locator("#mother, ul.phases").first.wait_for()  # the training is stored
    page.wait_for_function(SW_READY)


def fill_profile(page: Any, institution: str = "gendarmerie", sex: str = "female") -> None:
    page.locator(f"input[name=institution][value={institution}]").check()
    page.locator(f"input[name=sex][value={sex}]").check()
    page.locator("#mother").fill("Karima")
    page.locator("#day").fill("7")
    page.locator("#place").fill("Rabat")
    page.locator("form button[type=submit]").click()
    page.locator("ul.phases").wait_for()


def start(page: Any, phase: str) -> None:
    page.locator(f"a[href='#q/{phase}']").click()
    page.locator("form.question").wait_for()


def open_evaluation(live: Any, context: Any, form: dict[str, Any], lang: str) -> tuple[Any, Any]:
    """Publishes `form` as a training's evaluation, joins it in `lang` and starts it: the page
    and the training."""
    r = live.api.post("/api/v1/forms", json=form)
    assert r.status_code in (201, 409), r.text
    training = live.training(evaluation={"form": form["id"], "version": form["version"]})
    page = context.new_page()
    join(page, training["join_code"], lang)
    fill_profile(page)
    start(page, "evaluation")
    return page, training


def answer_current(page: Any) -> None:
    """Gives the first possible answer on the current screen and moves on."""
    form = page.locator("form.question")
    pos = form.get_attribute("data-pos")
    if form.locator("input[type=radio], input[type=checkbox]").count():
        if not form.locator("input:checked").count():
            form.locator("input").first.check()
    elif form.locator("textarea").count():
        form.locator("textarea").fill("Very useful, thank you")
    elif form.locator("input[inputmode=decimal]").count():
        form.locator("input[inputmode=decimal]").fill("27")
    form.locator("button[type=submit]").click()
    try:
        page.wait_for_function(
            "p => { const f = document.querySelector('form.question');"
            " return !f || f.dataset.pos !== p }",
            arg=pos,
        )
    except Exception as exc:
        raise AssertionError(f"stuck on screen {pos}: {page.locator('main').inner_text()}") from exc


def answer_until_review(page: Any, limit: int = 60) -> None:
    for _ in range(limit):
        if page.locator("#finish").count():
            return
        answer_current(page)
    raise AssertionError("the review never came")


def finish(page: Any) -> None:
    page.locator("#finish").click()
    page.locator("ul.phases").wait_for()


def queue_text(page: Any) -> str:
    return str(page.locator("#queue").inner_text())
