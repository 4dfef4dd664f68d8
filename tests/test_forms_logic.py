"""A form's logic applied on the server: relevance drops answers, required and relevant questions
must be answered, constraints hold with their message in the participant's language."""

from __future__ import annotations

import datetime

from forms.model import Choice, Question, QuestionSet
from forms.scoring import check_and_score

NOW = datetime.datetime(2019, 1, 7, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
YES_NO = [Choice("y", {"en": "Yes", "fr": "Oui"}), Choice("n", {"en": "No", "fr": "Non"})]


def survey() -> QuestionSet:
    def q(qid: str, qtype: str, **logic: object) -> Question:
        question = Question(qid, qtype, {"en": qid, "fr": qid}, **logic)  # type: ignore[arg-type]
        return question

    return QuestionSet("s", "1", "evaluation", {"en": "S", "fr": "S"}, ["en", "fr"], [
        q("consent", "single", choices=YES_NO),
        q("age", "number", relevant="${consent} = 'y'", constraint=". >= 18",
          constraint_message={"en": "Adults only", "fr": "Adultes seulement"}),
        q("school", "text", required=False, required_if="${age} < 25"),
        q("born", "date", required=False, constraint=". <= today()"),
        q("double", "calculate", required=False, calculation="${age} * 2"),
        q("why", "text", relevant="${double} > 100"),
    ])  # fmt: skip


def test_relevant_answers_are_kept_and_calculations_filled_in() -> None:
    checked = check_and_score(
        survey(), {"consent": "y", "age": 60, "why": "long career"}, "en", NOW
    )
    assert checked.problems == []
    assert checked.answers == {"consent": "y", "age": 60, "double": "120", "why": "long career"}


def test_answers_to_questions_not_relevant_are_dropped_and_not_required() -> None:
    checked = check_and_score(survey(), {"consent": "n", "age": 12, "why": "x"}, "en", NOW)
    assert checked.problems == []
    assert checked.answers == {"consent": "n"}


def test_constraints_and_conditional_requirements_are_checked_in_the_participants_language() -> (
    None
):
    checked = check_and_score(
        survey(), {"consent": "y", "age": 17, "born": "2020-01-01"}, "fr", NOW
    )
    assert checked.problems == [
        "Question 'age': Adultes seulement (. >= 18).",
        "Question 'school' is required but was not answered.",
        "Question 'born': the answer does not meet its condition (. <= today()).",
    ]
