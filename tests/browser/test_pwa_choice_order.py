"""The participant app shows a shuffled question's choices in the participant's own order, the
same in the pre-test and the post-test, and sends the order it showed."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import msgspec
import pytest
from conftest import Live
from pwa_helpers import answer_current, answer_until_review, fill_profile, finish, join, start

from forms.loaders import load_path
from tests.live import LIBRARY

pytestmark = pytest.mark.browser
VERSION = "2019.1-shuffled"


def shown_order(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("form.question input", "els => els.map(e => e.value)"))


def test_the_order_shown_is_the_participants_own_and_is_stored(live: Live, context: Any) -> None:
    qs = load_path(LIBRARY / "tip-som-knowledge.yaml")
    shuffled = msgspec.structs.replace(qs, version=VERSION, shuffle_choices=True)
    published = live.api.post("/api/v1/forms", json=msgspec.to_builtins(shuffled))
    assert published.status_code in (200, 201), published.text
    test = {"form": "tip-som-knowledge", "version": VERSION}
    training = live.training(pre_test=test, post_test=test)

    page = context.new_page()
    join(page, training["join_code"])
    fill_profile(page)
    start(page, "pre")
    pre = shown_order(page)
    assert sorted(pre) == sorted(c.id for c in qs.questions[0].choices)
    answer_until_review(page)
    finish(page)
    start(page, "post")  # another form: the same participant sees the same order
    assert shown_order(page) == pre
    answer_current(page)

    deadline = time.monotonic() + 15
    while not live.submissions(training["id"]) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    table = live.api.get(
        f"/api/v1/trainings/{training['id']}/report.csv", params={"table": "responses"}
    )
    header, *rows = list(csv.reader(io.StringIO(table.text.lstrip("\ufeff"))))
    assert len(rows) == 1  # the pre-test alone was sent
    assert rows[0][header.index("q1 (order shown)")].split() == pre
    natural_orders = {
        f"{q.id} (order shown)": " ".join(c.id for c in q.choices) for q in qs.questions
    }
    stored = {h: v for h, v in zip(header, rows[0], strict=True) if h in natural_orders}
    assert len(stored) > 5 and any(v != natural_orders[h] for h, v in stored.items())
