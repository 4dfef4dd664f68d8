"""Shuffled choices: `shuffle_choices` in question sets and bundles, and the order a phone showed
stored with its submission, checked, and listed in the `responses` table."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from forms.loaders import load_bytes, load_path
from forms.model import QuestionSet
from forms.public import public_view
from forms.validate import validate
from tests.conftest import KNOWLEDGE, batch, create_training, submission, sync_results

Client = AsyncTestClient[Litestar]
SHUFFLED = "2019.1-shuffled"


def shuffled_set() -> QuestionSet:
    """The bundled knowledge test with every choice question shuffled, as its own version."""
    return msgspec.structs.replace(load_path(KNOWLEDGE), version=SHUFFLED, shuffle_choices=True)


def test_the_set_or_a_question_asks_for_shuffled_choices() -> None:
    qs = load_bytes(
        b"""
id: order-check
version: "1"
kind: evaluation
title: {en: Order}
languages: [en]
shuffle_choices: true
questions:
  - {id: a, type: single, text: {en: A}, choices: [{id: x, text: {en: X}}, {id: y, text: {en: Y}}]}
  - {id: b, type: single, shuffle_choices: false, text: {en: B},
     choices: [{id: x, text: {en: X}}, {id: all, text: {en: All of the above}}]}
  - {id: c, type: likert, text: {en: C}, scale: {min: 1, max: 3}}
""",
        "order.yaml",
    )
    view = public_view(qs)["questions"]
    assert [q.get("shuffle_choices", False) for q in view] == [True, False, False]
    alone = msgspec.structs.replace(qs, shuffle_choices=False)
    assert [q.get("shuffle_choices", False) for q in public_view(alone)["questions"]] == [
        False, False, False
    ]  # fmt: skip
    randomized = msgspec.structs.replace(
        alone, questions=[msgspec.structs.replace(qs.questions[0], randomize=True)]
    )
    assert public_view(randomized)["questions"][0]["shuffle_choices"] is True


def test_shuffling_a_question_without_choices_is_refused_with_its_place() -> None:
    qs = load_path(KNOWLEDGE)
    tf = next(i for i, q in enumerate(qs.questions) if q.type == "truefalse")
    questions = list(qs.questions)
    questions[tf] = msgspec.structs.replace(questions[tf], shuffle_choices=True)
    errors = validate(msgspec.structs.replace(qs, questions=questions))
    assert [(e.where, "no choices to shuffle" in e.message) for e in errors] == [
        (f"questions[{tf}].shuffle_choices", True)
    ]


@pytest.fixture
async def shuffled(client: Client, admin: dict[str, str]) -> dict[str, Any]:
    await create_training(client, admin, id="setup")  # publishes the library and institutions
    body = msgspec.to_builtins(shuffled_set())
    published = await client.post("/api/v1/forms", json=body, headers=admin)
    assert published.status_code == 201, published.text
    test = {"form": "tip-som-knowledge", "version": SHUFFLED}
    return await create_training(client, admin, id="shuffled", pre_test=test, post_test=test)


async def test_the_order_shown_is_stored_and_listed_in_the_responses_table(
    client: Client, admin: dict[str, str], shuffled: dict[str, Any]
) -> None:
    bundle = (await client.get(f"/api/v1/bundles/{shuffled['join_code']}")).json()
    q1 = bundle["forms"]["pre"]["questions"][0]
    assert q1["shuffle_choices"] is True
    order = [c["id"] for c in reversed(q1["choices"])]
    sub = submission(shuffled["join_code"], version=SHUFFLED, choice_order={"q1": order})
    assert [r["status"] for r in await sync_results(client, batch(sub))] == ["accepted"]
    # A retry with the same order is the same submission.
    assert [r["status"] for r in await sync_results(client, batch(sub))] == ["duplicate"]

    csv = await client.get(
        "/api/v1/trainings/shuffled/report.csv", params={"table": "responses"}, headers=admin
    )
    assert csv.status_code == 200, csv.text
    header, row = csv.text.lstrip("\ufeff").splitlines()[:2]
    assert header.split(",")[-1] == "q1 (order shown)"
    assert row.split(",")[-1] == " ".join(order)


async def test_a_wrong_choice_order_is_rejected_saying_which_question(
    client: Client, admin: dict[str, str], shuffled: dict[str, Any]
) -> None:
    code = shuffled["join_code"]
    orders = {
        "an unknown choice": ({"q1": ["a", "b", "c", "zz"]}, "unknown choices zz"),
        "a choice twice": ({"q1": ["a", "a", "b", "c"]}, "exactly once"),
        "a choice left out": ({"q1": ["a", "b"]}, "exactly once"),
        "an unknown question": ({"q99": ["a"]}, "'q99', which is not in"),
        "a question without choices": ({"q5": ["true", "false"]}, "'q5', which has no choices"),
    }
    subs = [
        submission(code, version=SHUFFLED, choice_order=order, participant={
            "code": f"KM0{n}R", "institution": "gendarmerie", "sex": "female"})
        for n, (order, _) in enumerate(orders.values())
    ]  # fmt: skip
    results = await sync_results(client, batch(*subs))
    assert [r["status"] for r in results] == ["rejected"] * len(orders)
    for result, (what, (_, words)) in zip(results, orders.items(), strict=True):
        assert words in result["detail"], what
        assert "choice order" in result["detail"], what
    listed = await client.get("/api/v1/trainings/shuffled/submissions", headers=admin)
    assert listed.json() == []
