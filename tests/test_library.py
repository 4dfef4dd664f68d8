"""The bundled question sets (forms/library/) and the demo's simulated participants."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from forms.model import SCORED_TYPES, Question, QuestionSet, Text
from forms.scoring import check_answers
from forms.validate import validate
from server.demo.simulate import simulate
from sync.wire import AGE_BANDS, Submission

LIBRARY = Path(__file__).resolve().parent.parent / "forms" / "library"
INSTITUTIONS = ["prosecution", "judiciary", "national-police", "gendarmerie", "social-workers"]
START = datetime(2019, 1, 7, 8, 30, tzinfo=UTC)
CODE = re.compile(r"^[A-Z]{2}\d{2}[A-Z]$")


def load(name: str) -> QuestionSet:
    return msgspec.yaml.decode(
        (LIBRARY / f"{name}.yaml").read_bytes(), type=QuestionSet, strict=False
    )


@pytest.fixture(scope="module")
def test_set() -> QuestionSet:
    return load("tip-som-knowledge")


@pytest.fixture(scope="module")
def evaluation() -> QuestionSet:
    return load("tot-evaluation")


@pytest.fixture(scope="module")
def submissions(test_set: QuestionSet, evaluation: QuestionSet) -> list[Submission]:
    return simulate("K7QX3MPA", INSTITUTIONS, test_set, test_set, evaluation, 45, START, seed=2019)


def texts(qs: QuestionSet) -> Iterator[tuple[str, Text]]:
    """Every human-facing string map of a set, with where it is."""
    yield "title", qs.title
    if qs.description is not None:
        yield "description", qs.description
    for q in qs.questions:
        yield f"{q.id}.text", q.text
        if q.hint is not None:
            yield f"{q.id}.hint", q.hint
        for c in q.choices:
            yield f"{q.id}.{c.id}", c.text
        if q.scale is not None:
            for value, label in q.scale.labels.items():
                yield f"{q.id}.scale.{value}", label


def is_right(q: Question, value: object) -> bool:
    """Full marks on a scored question, from the key, independently of forms.scoring."""
    correct = {c.id for c in q.choices if c.correct}
    if q.type == "single":
        return value in correct
    if q.type == "multiple":
        return isinstance(value, list) and set(value) == correct
    if q.type == "truefalse":
        return value is q.answer
    assert isinstance(value, int | float) and isinstance(q.answer, float)
    return abs(value - q.answer) <= q.tolerance


def test_knowledge_test_is_the_documented_set(test_set: QuestionSet) -> None:
    assert (test_set.id, test_set.version, test_set.kind) == ("tip-som-knowledge", "2019.1", "test")
    assert test_set.languages == ["en", "fr", "ar"]
    assert test_set.pass_mark == 70
    assert [q.id for q in test_set.questions] == [f"q{i}" for i in range(1, 16)]
    types = {q.type for q in test_set.questions}
    assert {"single", "multiple", "truefalse", "number"} <= types
    assert any(q.partial and q.points == 2 for q in test_set.questions if q.type == "multiple")
    topics = {q.topic for q in test_set.questions}
    assert topics == {
        "definitions", "elements", "children", "consent", "smuggling", "victims", "law", "data"
    }  # fmt: skip


@pytest.mark.parametrize("name", ["tip-som-knowledge", "tot-evaluation"])
def test_every_string_is_in_every_language(name: str) -> None:
    qs = load(name)
    for where, text in texts(qs):
        assert sorted(text) == sorted(qs.languages), where
        assert all(value.strip() for value in text.values()), where
        # Arabic texts are fully in Arabic: no Latin words left untranslated.
        assert not re.search(r"[A-Za-z]", text["ar"]), (where, text["ar"])
        assert re.search(r"[\u0600-\u06ff]", text["ar"]) or text["ar"] == text["en"], where


@pytest.mark.parametrize("name", ["tip-som-knowledge", "tot-evaluation"])
def test_ids_are_unique_and_the_set_validates(name: str) -> None:
    qs = load(name)
    ids = [q.id for q in qs.questions]
    assert len(ids) == len(set(ids))
    for q in qs.questions:
        choice_ids = [c.id for c in q.choices]
        assert len(choice_ids) == len(set(choice_ids)), q.id
    assert validate(qs) == []


def test_every_scored_question_has_a_key(test_set: QuestionSet) -> None:
    for q in test_set.questions:
        assert q.type in SCORED_TYPES, q.id
        correct = [c for c in q.choices if c.correct]
        if q.type == "single":
            assert len(correct) == 1 and len(q.choices) >= 3, q.id
        elif q.type == "multiple":
            assert 1 <= len(correct) < len(q.choices), q.id
        elif q.type == "truefalse":
            assert isinstance(q.answer, bool), q.id
        else:
            assert isinstance(q.answer, float) and q.tolerance > 0, q.id


def test_evaluation_has_no_keys(evaluation: QuestionSet) -> None:
    assert (evaluation.id, evaluation.version, evaluation.kind) == (
        "tot-evaluation", "2019.1", "evaluation"
    )  # fmt: skip
    likert = [q for q in evaluation.questions if q.type == "likert"]
    assert len(likert) >= 8
    for q in likert:
        assert q.scale is not None and (q.scale.min, q.scale.max) == (1, 5)
        assert sorted(q.scale.labels) == [1, 2, 3, 4, 5]
    assert [q.id for q in evaluation.questions if q.type == "text" and not q.required] == [
        "e10", "e11"
    ]  # fmt: skip
    for q in evaluation.questions:
        assert q.answer is None and q.points == 1 and not q.partial and q.tolerance == 0, q.id
        assert not any(c.correct for c in q.choices), q.id


def test_simulation_is_deterministic_for_a_seed(
    test_set: QuestionSet, evaluation: QuestionSet, submissions: list[Submission]
) -> None:
    again = simulate("K7QX3MPA", INSTITUTIONS, test_set, test_set, evaluation, 45, START, 2019)
    assert msgspec.json.encode(again) == msgspec.json.encode(submissions)
    other = simulate("K7QX3MPA", INSTITUTIONS, test_set, test_set, evaluation, 45, START, 7)
    assert msgspec.json.encode(other) != msgspec.json.encode(submissions)


def test_simulated_submissions_are_valid_on_the_wire(
    test_set: QuestionSet, evaluation: QuestionSet, submissions: list[Submission]
) -> None:
    forms = {"pre": test_set, "post": test_set, "evaluation": evaluation}
    ids = [s.id for s in submissions]
    assert len(ids) == len(set(ids))
    for s in submissions:
        msgspec.json.decode(msgspec.json.encode(s), type=Submission)  # round-trips strictly
        qs = forms[s.phase]
        assert (s.form, s.version, s.training) == (qs.id, qs.version, "K7QX3MPA")
        assert s.lang in qs.languages
        assert CODE.match(s.participant.code), s.participant.code
        assert s.participant.institution in INSTITUTIONS
        assert s.participant.age_band in {None, *AGE_BANDS}
        assert s.started_at is not None and s.started_at < s.completed_at
        assert s.completed_at.endswith("Z")
        day = {"pre": "2019-01-07T", "post": "2019-01-11T", "evaluation": "2019-01-11T"}
        assert s.started_at.startswith(day[s.phase])
        by_id = {q.id: q for q in qs.questions}
        assert set(s.answers) <= set(by_id)
        for q in qs.questions:
            if q.required:
                assert q.id in s.answers, (s.id, q.id)
        for qid, value in s.answers.items():
            q = by_id[qid]
            choices = {c.id for c in q.choices}
            if q.type == "single":
                assert isinstance(value, str) and value in choices
            elif q.type == "multiple":
                assert isinstance(value, list) and value and set(value) <= choices
                assert len(value) == len(set(value))
            elif q.type == "truefalse":
                assert isinstance(value, bool)
            elif q.type == "number":
                assert isinstance(value, int | float) and not isinstance(value, bool)
            elif q.type == "likert":
                assert q.scale is not None and isinstance(value, int)
                assert q.scale.min <= value <= q.scale.max
            else:
                assert isinstance(value, str) and value.strip()
        assert check_answers(qs, dict(s.answers)) == []


def test_simulated_class_learns_but_not_perfectly(
    test_set: QuestionSet, submissions: list[Submission]
) -> None:
    def share_right(s: Submission) -> float:
        return statistics.mean(is_right(q, s.answers[q.id]) for q in test_set.questions)

    pre = {s.participant.code: share_right(s) for s in submissions if s.phase == "pre"}
    post = {s.participant.code: share_right(s) for s in submissions if s.phase == "post"}
    assert 0.4 <= statistics.mean(pre.values()) <= 0.65
    assert 0.7 <= statistics.mean(post.values()) <= 0.9
    assert statistics.mean(post.values()) - statistics.mean(pre.values()) >= 0.15
    matched = pre.keys() & post.keys()
    assert any(post[c] < pre[c] for c in matched), "someone should do worse after the training"
    # Some questions barely improve.
    gains = []
    for q in test_set.questions:
        before = [is_right(q, s.answers[q.id]) for s in submissions if s.phase == "pre"]
        after = [is_right(q, s.answers[q.id]) for s in submissions if s.phase == "post"]
        gains.append(statistics.mean(after) - statistics.mean(before))
    assert min(gains) < 0.1 < max(gains)


def test_simulated_flow_has_the_irregular_cases(submissions: list[Submission]) -> None:
    pre = {s.participant.code: s.participant for s in submissions if s.phase == "pre"}
    post = {s.participant.code: s.participant for s in submissions if s.phase == "post"}
    assert 44 <= len(pre.keys() | post.keys()) <= 50
    pre_only, post_only = pre.keys() - post.keys(), post.keys() - pre.keys()
    assert pre_only and post_only
    near = {
        (a, b)
        for a in pre_only
        for b in post_only
        if sum(x != y for x, y in zip(a, b, strict=True)) == 1
    }
    assert 1 <= len(near) <= 3
    moved = [c for c in pre.keys() & post.keys() if pre[c].institution != post[c].institution]
    assert 1 <= len(moved) <= 3
    assert {p.sex for p in pre.values()} >= {"female", "male", "undisclosed"}
    assert {s.lang for s in submissions} == {"fr", "ar", "en"}
    evaluations = [s for s in submissions if s.phase == "evaluation"]
    assert len(evaluations) >= 0.75 * len(post)
    assert len({s.answers["e1"] for s in evaluations}) >= 3
    comments = [s.answers[k] for s in evaluations for k in ("e10", "e11") if k in s.answers]
    assert 0 < len(comments) < len(evaluations)
