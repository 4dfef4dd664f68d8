"""Checking submitted answers and scoring tests, rule by rule as docs/question-sets.md states them."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.model import SCORED_TYPES, QuestionSet
from forms.scoring import check_and_score, check_answers, is_correct, score


def text(value: str = "x") -> dict[str, str]:
    return {"en": value}


def choices(*correct: str, ids: str = "abcd") -> list[dict[str, Any]]:
    return [{"id": i, "text": text(), **({"correct": True} if i in correct else {})} for i in ids]


def make(*questions: dict[str, Any], kind: str = "test") -> QuestionSet:
    doc = {
        "id": "t",
        "version": "1",
        "kind": kind,
        "title": text(),
        "languages": ["en"],
        "questions": list(questions),
    }
    return msgspec.convert(doc, QuestionSet)


SINGLE = {"id": "s", "type": "single", "text": text(), "choices": choices("b")}
MULTIPLE = {"id": "m", "type": "multiple", "text": text(), "choices": choices("a", "b", "c")}
PARTIAL = {**MULTIPLE, "id": "p", "partial": True, "points": 3}
TRUEFALSE = {"id": "tf", "type": "truefalse", "text": text(), "answer": False}
NUMBER = {"id": "n", "type": "number", "text": text(), "answer": 27, "tolerance": 2}
LIKERT = {"id": "l", "type": "likert", "text": text(), "scale": {"min": 1, "max": 5}}
TEXT = {"id": "c", "type": "text", "text": text(), "required": False}
NOTE = {"id": "note", "type": "note", "text": text()}

TEST = make(SINGLE, MULTIPLE, PARTIAL, TRUEFALSE, NUMBER, LIKERT, TEXT, NOTE)
FULL: dict[str, object] = {
    "s": "b",
    "m": ["c", "a", "b"],
    "p": ["a", "b", "c"],
    "tf": False,
    "n": 27,
    "l": 4,
    "c": "Good week",
}


# check_answers


def test_complete_valid_answers_are_accepted() -> None:
    assert check_answers(TEST, FULL) == []


def test_optional_questions_may_be_absent_null_or_empty() -> None:
    assert check_answers(TEST, {**FULL, "c": None}) == []
    assert check_answers(TEST, {**FULL, "c": ""}) == []
    assert check_answers(TEST, {k: v for k, v in FULL.items() if k != "c"}) == []


@pytest.mark.parametrize("missing", [None, "", "  ", []])
def test_required_question_with_no_answer_is_named(missing: object) -> None:
    answers = {**FULL, "s": missing, "m": missing}
    problems = check_answers(TEST, answers)
    assert "Question 's' is required but was not answered." in problems
    assert "Question 'm' is required but was not answered." in problems


def test_absent_required_question_is_named() -> None:
    answers = {k: v for k, v in FULL.items() if k != "tf"}
    assert check_answers(TEST, answers) == ["Question 'tf' is required but was not answered."]


def test_unknown_question_id_is_rejected() -> None:
    problems = check_answers(TEST, {**FULL, "q99": "a"})
    assert problems == ["Answer given for 'q99', which is not a question of t 1."]


def test_answering_a_note_is_rejected() -> None:
    assert check_answers(TEST, {**FULL, "note": "hi"}) == [
        "Question 'note' is a note; it takes no answer."
    ]
    assert check_answers(TEST, {**FULL, "note": None}) == []


@pytest.mark.parametrize(
    ("qid", "value", "expected"),
    [
        ("s", ["b"], "needs one choice (a, b, c, d), got a list"),
        ("s", "z", "'z' is not one of its choices (a, b, c, d)"),
        ("m", "a", "needs a list of choices (a, b, c, d), got text"),
        ("m", ["a", 1], "needs a list of choices (a, b, c, d), got a list"),
        ("m", ["a", "z"], "'z' is not among its choices (a, b, c, d)"),
        ("m", ["y", "z"], "'y', 'z' are not among its choices (a, b, c, d)"),
        ("m", ["a", "a"], "the same choice is picked more than once"),
        ("tf", "false", "needs true or false, got text"),
        ("tf", 0, "needs true or false, got a number"),
        ("n", "27", "needs a number, got text"),
        ("n", True, "needs a number, got true/false"),
        ("n", float("nan"), "needs a finite number"),
        ("n", float("inf"), "needs a finite number"),
        ("l", 6, "needs a whole number from 1 to 5, got 6"),
        ("l", 0, "needs a whole number from 1 to 5, got 0"),
        ("l", 3.5, "needs a whole number from 1 to 5, got 3.5"),
        ("l", True, "needs a whole number from 1 to 5, got true/false"),
        ("c", 42, "needs text, got a number"),
        ("c", "x" * 5001, "the text has 5,001 characters; the limit is 5,000"),
    ],
)
def test_wrong_answers_are_explained_naming_the_question(
    qid: str, value: object, expected: str
) -> None:
    assert check_answers(TEST, {**FULL, qid: value}) == [f"Question {qid!r}: {expected}."]


def test_text_of_exactly_the_limit_is_accepted() -> None:
    assert check_answers(TEST, {**FULL, "c": "x" * 5000}) == []


def test_numbers_may_be_integers_or_floats() -> None:
    assert check_answers(TEST, {**FULL, "n": 26.5}) == []


def test_every_problem_is_listed() -> None:
    problems = check_answers(TEST, {"s": "z", "x": 1})
    assert problems[0].startswith("Answer given for 'x'")
    assert problems[1].startswith("Question 's': 'z' is not one of its choices")
    missing = [p.split("'")[1] for p in problems[2:]]
    assert missing == ["m", "p", "tf", "n", "l"]


# score


def test_full_marks_for_all_right_answers() -> None:
    result = score(TEST, FULL)
    assert result.points == {"s": 1, "m": 1, "p": 3, "tf": 1, "n": 1}
    assert result.max_points == result.points
    assert result.total == result.maximum == 7
    assert result.percent == 100


def test_unanswered_questions_score_zero() -> None:
    result = score(TEST, {})
    assert result.total == 0 and result.maximum == 7 and result.percent == 0
    assert set(result.points) == {"s", "m", "p", "tf", "n"}


def test_likert_text_and_notes_are_not_scored() -> None:
    assert not {"l", "c", "note"} & set(score(TEST, FULL).max_points)


def test_single_scores_only_the_correct_choice() -> None:
    assert score(TEST, {"s": "b"}).points["s"] == 1
    assert score(TEST, {"s": "a"}).points["s"] == 0


def test_single_scores_its_points() -> None:
    qs = make({**SINGLE, "points": 2.5})
    assert score(qs, {"s": "b"}).points["s"] == 2.5


@pytest.mark.parametrize(
    ("picks", "points"),
    [(["a", "b", "c"], 1), (["a", "b"], 0), (["a", "b", "c", "d"], 0), ([], 0)],
)
def test_multiple_is_all_or_nothing_by_default(picks: list[str], points: float) -> None:
    assert score(TEST, {"m": picks}).points["m"] == points


@pytest.mark.parametrize(
    ("picks", "points"),
    [
        (["a", "b", "c"], 3),  # 3 right
        (["a", "b"], 2),  # 3 × 2/3
        (["a"], 1),
        (["a", "b", "c", "d"], 2),  # 3 × (3 − 1)/3
        (["a", "d"], 0),  # (1 − 1) → 0
        (["d"], 0),  # (0 − 1) floored at 0
    ],
)
def test_multiple_with_partial_credit(picks: list[str], points: float) -> None:
    assert score(TEST, {"p": picks}).points["p"] == pytest.approx(points)


def test_truefalse_scores_the_right_boolean_only() -> None:
    assert score(TEST, {"tf": False}).points["tf"] == 1
    assert score(TEST, {"tf": True}).points["tf"] == 0
    assert score(TEST, {"tf": 0}).points["tf"] == 0


@pytest.mark.parametrize(
    ("given", "points"), [(27, 1), (25, 1), (29, 1), (29.0, 1), (24.99, 0), (29.01, 0)]
)
def test_number_is_right_within_tolerance_inclusive(given: float, points: float) -> None:
    assert score(TEST, {"n": given}).points["n"] == points


def test_number_tolerance_absorbs_float_rounding() -> None:
    qs = make({"id": "n", "type": "number", "text": text(), "answer": 0.3})
    assert score(qs, {"n": 0.1 + 0.2}).points["n"] == 1
    assert score(qs, {"n": 0.31}).points["n"] == 0


def test_invalid_values_score_zero_instead_of_failing() -> None:
    result = score(TEST, {"s": ["b"], "m": "a", "p": None, "tf": "false", "n": True})
    assert result.total == 0
    assert score(TEST, {"p": ["a", "a", "b"]}).points["p"] == 0  # a choice picked twice


def test_percent_is_total_over_maximum() -> None:
    result = score(TEST, {"s": "b", "p": ["a"]})
    assert result.total == 2 and result.maximum == 7
    assert result.percent == pytest.approx(200 / 7)


def test_evaluations_are_not_scored() -> None:
    qs = make(LIKERT, TEXT, {**SINGLE, "choices": choices()}, kind="evaluation")
    result = score(qs, {"l": 5})
    assert result.points == {} and result.max_points == {}
    assert result.total == result.maximum == 0
    assert result.percent is None


def test_a_question_is_correct_only_with_full_points() -> None:
    partial = score(TEST, {"p": ["a", "b"]})
    assert not is_correct(partial.points["p"], partial.max_points["p"])
    full = score(TEST, {"p": ["a", "b", "c"]})
    assert is_correct(full.points["p"], full.max_points["p"])
    assert is_correct(2.0, 2.0) and not is_correct(0.0, 0.0)


# check_and_score: what sync, uploads and reports use

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["a", "b", "c", "d", "z", "", "  ", "Good week"]),
    st.lists(st.sampled_from(["a", "b", "c", "d", "z", 1]), max_size=5),  # type: ignore[list-item]
)
_EVALUATION = make(LIKERT, TEXT, {**SINGLE, "choices": choices()}, NOTE, kind="evaluation")


@given(
    st.sampled_from([TEST, _EVALUATION]),
    st.dictionaries(st.sampled_from([*FULL, "note", "q99"]), _VALUES, max_size=9),
    st.booleans(),
)
def test_check_and_score_keeps_given_answers_and_scores_every_question_of_a_test(
    qs: QuestionSet, answers: dict[str, object], complete: bool
) -> None:
    if complete:
        answers = {**FULL, **answers}
    checked = check_and_score(qs, answers)
    assert checked.problems == check_answers(qs, answers)
    # Without logic, what is kept of valid answers is what was given, blanks aside.
    assert checked.answers.items() <= answers.items()
    if not checked.problems:
        blank = (None, [], "", "  ")
        assert checked.answers == {k: v for k, v in answers.items() if v not in blank}
    if qs.kind != "test":
        assert checked.score is None
        return
    assert checked.score is not None
    scored = [q.id for q in qs.questions if q.type in SCORED_TYPES]
    assert sorted(checked.score.points) == sorted(scored)
    assert checked.score.total == pytest.approx(sum(checked.score.points.values()))
    assert 0 <= checked.score.total <= checked.score.maximum
    assert checked.score == score(qs, answers)
