"""Validation of question sets: every rule, with the path and a message that says how to fix it."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from forms.model import QuestionSet
from forms.validate import validate


def text(value: str = "x") -> dict[str, str]:
    return {"en": value, "fr": value, "ar": value}


def choices(*correct: str, ids: str = "abc") -> list[dict[str, Any]]:
    return [{"id": i, "text": text(), **({"correct": True} if i in correct else {})} for i in ids]


def a_test(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "tip-som",
        "version": "2019.1",
        "kind": "test",
        "title": text("TIP"),
        "languages": ["en", "fr", "ar"],
        "pass_mark": 70,
        "questions": [
            {"id": "q1", "type": "single", "text": text(), "choices": choices("a")},
            {"id": "q2", "type": "multiple", "text": text(), "choices": choices("a", "b")},
            {"id": "q3", "type": "truefalse", "text": text(), "answer": False},
            {"id": "q4", "type": "number", "text": text(), "answer": 18, "tolerance": 0},
            {"id": "q5", "type": "text", "text": text(), "required": False},
            {"id": "q6", "type": "note", "text": text()},
        ],
    }
    doc.update(changes)
    return doc


def an_evaluation(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "tot-eval",
        "version": "1",
        "kind": "evaluation",
        "title": text(),
        "languages": ["en", "fr", "ar"],
        "questions": [
            {
                "id": "e1",
                "type": "likert",
                "text": text(),
                "scale": {"min": 1, "max": 5, "labels": {1: text("no"), 5: text("yes")}},
            },
            {"id": "e2", "type": "single", "text": text(), "choices": choices()},
            {"id": "e3", "type": "text", "text": text(), "required": False},
        ],
    }
    doc.update(changes)
    return doc


def with_question(doc: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    doc["questions"][index] = {**doc["questions"][index], **changes}
    return doc


def problems(doc: dict[str, Any]) -> dict[str, str]:
    """where -> message of every problem found."""
    qs = msgspec.convert(doc, QuestionSet)
    return {e.where: e.message for e in validate(qs)}


def test_a_well_formed_test_and_evaluation_have_no_problems() -> None:
    assert problems(a_test()) == {}
    assert problems(an_evaluation()) == {}


@pytest.mark.parametrize("value", ["", "tip som", "tip/som", "../etc", "é"])
def test_set_id_and_version_must_be_slug_safe(value: str) -> None:
    found = problems(a_test(id=value, version=value))
    assert set(found) == {"id", "version"}
    assert "letters, digits" in found["id"] or "empty" in found["id"]


def test_ids_may_use_letters_digits_dash_underscore_and_dot() -> None:
    assert problems(a_test(id="TIP_som-2019.1", version="2019.1-b")) == {}


def test_unknown_and_repeated_language_codes_are_reported() -> None:
    found = problems(a_test(languages=["en", "english", "en"], title={"en": "t", "english": "t"}))
    assert "not a known language code" in found["languages[1]"]
    assert "listed 2 times" in found["languages"]


def test_empty_languages_are_reported() -> None:
    assert "languages is empty" in problems(a_test(languages=[]))["languages"]


def test_every_text_needs_every_language() -> None:
    doc = with_question(a_test(), 0, text={"en": "x", "fr": "x"})
    doc["questions"][0]["choices"][1]["text"] = {"en": "x"}
    found = problems(doc)
    assert "missing the ar text" in found["questions[0].text"]
    assert "missing the fr, ar text" in found["questions[0].choices[1].text"]


def test_empty_texts_and_texts_in_other_languages_are_reported() -> None:
    found = problems(a_test(title={"en": "T", "fr": " ", "ar": "T", "de": "T"}))
    assert "fr text is empty" in found["title.fr"]
    assert "not one of the set's languages" in found["title.de"]


def test_hints_descriptions_and_scale_labels_are_checked_for_languages() -> None:
    doc = an_evaluation(description={"en": "d"})
    with_question(doc, 1, hint={"en": "h"})
    doc["questions"][0]["scale"]["labels"][5] = {"en": "yes"}
    found = problems(doc)
    assert set(found) == {"description", "questions[1].hint", "questions[0].scale.labels[5]"}


def test_question_ids_must_be_unique() -> None:
    doc = with_question(a_test(), 2, id="q1")
    assert "'q1' is used more than once" in problems(doc)["questions[2].id"]


def test_choice_ids_must_be_unique_within_a_question() -> None:
    doc = a_test()
    doc["questions"][0]["choices"][2]["id"] = "b"
    assert "'b' is used twice" in problems(doc)["questions[0].choices[2].id"]


def test_choice_questions_need_two_choices() -> None:
    doc = with_question(a_test(), 0, choices=choices("a", ids="a"))
    assert "at least 2 choices" in problems(doc)["questions[0]"]


def test_single_needs_exactly_one_correct_choice() -> None:
    none = problems(with_question(a_test(), 0, choices=choices()))
    two = problems(with_question(a_test(), 0, choices=choices("a", "b")))
    assert "no correct choice" in none["questions[0]"]
    assert "2 correct choices (a, b)" in two["questions[0]"]
    assert "type: multiple" in two["questions[0]"]


def test_multiple_needs_at_least_one_correct_choice() -> None:
    found = problems(with_question(a_test(), 1, choices=choices()))
    assert "mark at least one with `correct: true`" in found["questions[1]"]


def test_truefalse_needs_a_boolean_answer() -> None:
    doc = a_test()
    del doc["questions"][2]["answer"]
    assert "add `answer: true` or `answer: false`" in problems(doc)["questions[2]"]
    found = problems(with_question(a_test(), 2, answer=1))
    assert "must be true or false" in found["questions[2].answer"]


def test_number_needs_a_numeric_answer_and_a_non_negative_tolerance() -> None:
    doc = a_test()
    del doc["questions"][3]["answer"]
    assert "has no answer" in problems(doc)["questions[3]"]
    assert (
        "must be a number"
        in problems(with_question(a_test(), 3, answer=True))["questions[3].answer"]
    )
    assert (
        "give 0 or more"
        in problems(with_question(a_test(), 3, tolerance=-1))["questions[3].tolerance"]
    )


@pytest.mark.parametrize("points", [0, -1, float("nan")])
def test_points_must_be_above_zero(points: float) -> None:
    found = problems(with_question(a_test(), 0, points=points))
    assert "give a number above 0" in found["questions[0].points"]


@pytest.mark.parametrize(
    ("index", "key", "value"),
    [(0, "partial", True), (1, "correct", True), (2, "answer", True), (1, "points", 2)],
)
def test_evaluations_carry_no_keys(index: int, key: str, value: object) -> None:
    doc = an_evaluation()
    doc["questions"].append({"id": "e4", "type": "multiple", "text": text(), "choices": choices()})
    doc["questions"].insert(2, {"id": "e5", "type": "truefalse", "text": text()})
    if key == "correct":
        doc["questions"][index]["choices"][0]["correct"] = True
        where = f"questions[{index}].choices[0].correct"
    else:
        doc["questions"][index][key] = value
        where = f"questions[{index}].{key}"
    found = problems(doc)
    assert found[where] == f"evaluations are not scored; remove {key}"


def test_evaluations_take_no_pass_mark_and_no_tolerance() -> None:
    doc = an_evaluation(pass_mark=50)
    doc["questions"].append({"id": "n", "type": "number", "text": text(), "tolerance": 1})
    found = problems(doc)
    assert "remove pass_mark" in found["pass_mark"]
    assert "remove tolerance" in found["questions[3].tolerance"]


def test_keys_are_refused_on_types_that_do_not_use_them() -> None:
    doc = a_test()
    with_question(doc, 2, choices=choices("a"))
    with_question(doc, 0, scale={"min": 1, "max": 5}, partial=True, answer=True)
    with_question(doc, 4, points=2, tolerance=1)
    found = problems(doc)
    assert "truefalse questions have no choices" in found["questions[2].choices"]
    assert "single questions have no scale" in found["questions[0].scale"]
    assert "only multiple questions give partial credit" in found["questions[0].partial"]
    assert "only truefalse and number questions have an answer" in found["questions[0].answer"]
    assert "text questions are not scored; remove points" in found["questions[4].points"]
    assert "only number questions have a tolerance" in found["questions[4].tolerance"]


def test_likert_needs_a_scale() -> None:
    doc = with_question(an_evaluation(), 0, scale=None)
    assert "needs a scale" in problems(doc)["questions[0]"]


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [(5, 1, "must be below max"), (3, 3, "must be below max"), (0, 11, "at most 11")],
)
def test_likert_scale_bounds(low: int, high: int, message: str) -> None:
    doc = with_question(an_evaluation(), 0, scale={"min": low, "max": high})
    assert message in problems(doc)["questions[0].scale"]


def test_an_eleven_point_scale_is_allowed() -> None:
    assert problems(with_question(an_evaluation(), 0, scale={"min": 0, "max": 10})) == {}


def test_likert_labels_must_lie_on_the_scale() -> None:
    doc = with_question(an_evaluation(), 0, scale={"min": 1, "max": 5, "labels": {7: text()}})
    assert "outside the scale 1–5" in problems(doc)["questions[0].scale.labels[7]"]


@pytest.mark.parametrize("mark", [-1, 100.5, float("inf")])
def test_pass_mark_is_a_percent(mark: float) -> None:
    assert "from 0 to 100" in problems(a_test(pass_mark=mark))["pass_mark"]


def test_a_test_needs_a_scored_question() -> None:
    doc = a_test(questions=[{"id": "t", "type": "text", "text": text()}])
    assert "at least one scored question" in problems(doc)["questions"]


def test_a_set_needs_questions() -> None:
    assert "no questions" in problems(a_test(questions=[]))["questions"]


def test_every_problem_is_reported_at_once() -> None:
    doc = a_test(id="", languages=["en", "fr", "ar"], pass_mark=120)
    with_question(doc, 0, choices=choices())
    with_question(doc, 3, tolerance=-2)
    assert len(problems(doc)) == 4
