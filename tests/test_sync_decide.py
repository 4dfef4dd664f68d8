"""The batch decider on its own: what it accepts, rejects and answers, with no storage."""

from __future__ import annotations

from typing import Any

import msgspec

from forms.model import QuestionSet
from sync.decide import (
    Caps,
    Record,
    Stored,
    Tally,
    TrainingContext,
    content_hash,
    decide,
    settle,
)
from sync.wire import Submission, read_batch

QS = msgspec.convert(
    {
        "id": "k", "version": "2", "kind": "test", "title": {"en": "K"}, "languages": ["en"],
        "questions": [
            {"id": "q1", "type": "single", "text": {"en": "?"},
             "choices": [{"id": "a", "text": {"en": "a"}, "correct": True},
                         {"id": "b", "text": {"en": "b"}}]},
            {"id": "q2", "type": "truefalse", "text": {"en": "?"}, "answer": True},
        ],
    },
    QuestionSet,
)  # fmt: skip
OLD = msgspec.structs.replace(QS, version="1")
TRAINING = TrainingContext(
    id="t1", institutions=frozenset({"police"}),
    assignments={"pre": ("k", "2"), "post": ("k", "2")}, show_score=True,
    starts_on="2019-01-07", ends_on="2019-01-09",
)  # fmt: skip
TRAININGS = {"JOIN1234": TRAINING, "NOPE": None}
FORMS = {("k", "2"): QS, ("k", "1"): OLD}


def sub(n: int = 1, **overrides: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": f"id-{n}", "training": "JOIN1234", "form": "k", "version": "2", "phase": "pre",
        "lang": "en", "participant": {"code": "km-07r", "institution": "police", "sex": "male"},
        "answers": {"q1": "a", "q2": False}, "completed_at": "2019-01-07T10:00:00Z",
    }  # fmt: skip
    found.update(overrides)
    return found


NOTHING = Tally(by_code={}, by_device={})


def run(
    *subs: Any, stored: dict[str, Stored] | None = None, tally: Tally = NOTHING
) -> list[tuple[str, str, Any]]:
    raws = [msgspec.Raw(msgspec.json.encode(s)) for s in subs]
    decided = decide(read_batch(raws), TRAININGS, FORMS)
    settled = settle(decided, stored or {}, tally, Caps(per_code=2, per_device=3))
    return [(r.id, r.status, r.score or r.detail) for r in settled.results]


def test_a_valid_submission_is_scored_and_stored_by_column_name() -> None:
    raws = [msgspec.Raw(msgspec.json.encode(sub()))]
    decided = decide(read_batch(raws), TRAININGS, FORMS)
    [record] = settle(decided, {}, NOTHING).records
    assert (record.training_id, record.code, record.form_id, record.form_version) == (
        "t1", "KM07R", "k", "2",
    )  # fmt: skip
    assert (record.score, record.max_score, record.percent) == (1.0, 2.0, 50.0)
    assert msgspec.json.decode(record.item_points or "") == {"q1": 1.0, "q2": 0.0}
    assert record.flags == "[]" and record.raw_code == "km-07r"
    assert run(sub()) == [("id-1", "accepted", 50.0)]


def test_each_reason_to_reject_is_told_in_batch_order() -> None:
    results = run(
        sub(1, training="NOPE"),
        sub(2, phase="evaluation"),
        sub(3, form="other"),
        sub(4, participant={"code": "x", "institution": "army", "sex": "male"}),
        sub(5, version="9"),
        sub(6, answers={"q1": "z"}),
        sub(7, phase="during"),
        "not an object",
        sub(9),
    )
    assert [status for _, status, _ in results] == ["rejected"] * 8 + ["accepted"]
    details = [str(detail) for _, _, detail in results]
    assert "No training has the join code 'NOPE'" in details[0]
    assert details[1] == "Training 't1' has no evaluation."
    assert "is question set 'k', not 'other'" in details[2]
    assert "Institution 'army' does not take part" in details[3]
    assert "version 9 is not published" in details[4]
    assert "'z' is not one of its choices" in details[5]
    assert "Allowed: pre, post, evaluation, followup." in details[6]
    assert results[7][0] == "" and "malformed" in details[7]


def test_an_earlier_version_is_scored_with_its_own_key_and_flagged() -> None:
    raws = [msgspec.Raw(msgspec.json.encode(sub(version="1")))]
    [record] = decide(read_batch(raws), TRAININGS, FORMS)
    assert isinstance(record, Record)
    assert record.form_version == "1" and record.flags == '["other-version"]'


def test_completions_outside_the_training_dates_are_flagged() -> None:
    early = sub(1, completed_at="2019-01-01T10:00:00Z")
    late = sub(2, completed_at="2019-02-01T10:00:00Z")
    unreadable = sub(3, completed_at="last tuesday")
    raws = [msgspec.Raw(msgspec.json.encode(s)) for s in (early, late, unreadable)]
    flags = [r.flags for r in decide(read_batch(raws), TRAININGS, FORMS) if isinstance(r, Record)]
    assert flags == ['["early"]', '["late"]', '["bad-time"]']


def test_the_same_id_twice_in_a_batch_is_stored_once() -> None:
    different = sub(1, answers={"q1": "b", "q2": True})
    raws = [msgspec.Raw(msgspec.json.encode(s)) for s in (sub(1), sub(1), different)]
    decided = decide(read_batch(raws), TRAININGS, FORMS)
    settled = settle(decided, {}, NOTHING)
    assert len(settled.records) == 1
    assert [r.status for r in settled.results] == [
        "accepted", "duplicate", "conflict",
    ]  # fmt: skip


def test_what_is_already_stored_makes_a_duplicate_or_a_conflict() -> None:
    first = msgspec.convert(sub(1), Submission)
    same = Stored("t1", content_hash(first), 50.0, first=True)
    other = Stored("t1", "another hash", 100.0, first=True)
    assert run(sub(1), stored={"id-1": same}) == [("id-1", "duplicate", 50.0)]
    [(_, status, detail)] = run(sub(1), stored={"id-1": other})
    assert status == "conflict" and "the first one is kept" in detail


def test_scores_are_shown_only_when_the_training_shows_them() -> None:
    hidden = msgspec.structs.replace(TRAINING, show_score=False)
    raws = [msgspec.Raw(msgspec.json.encode(sub()))]
    trainings = {"JOIN1234": hidden}
    decided = decide(read_batch(raws), dict(trainings), FORMS)
    [result] = settle(decided, {}, NOTHING).results
    assert result.status == "accepted" and result.score is None


def test_only_the_first_submission_of_a_code_and_phase_shows_its_score() -> None:
    again = sub(2, answers={"q1": "b", "q2": True})
    assert run(sub(1), again) == [("id-1", "accepted", 50.0), ("id-2", "accepted", "")]
    # A repeat's retry shows no score either; the first one's retry shows it.
    repeat = Stored("t1", content_hash(msgspec.convert(sub(2), Submission)), 50.0, first=False)
    counted = Stored("t1", content_hash(msgspec.convert(sub(1), Submission)), 50.0, first=True)
    stored = {"id-1": counted, "id-2": repeat}
    assert run(sub(1), sub(2), stored=stored) == [
        ("id-1", "duplicate", 50.0), ("id-2", "duplicate", "Already stored."),
    ]  # fmt: skip


def test_what_one_code_or_one_device_sends_per_phase_is_capped() -> None:
    code_full = Tally(by_code={("t1", "KM07R", "pre"): 1}, by_device={})
    [first, second] = run(sub(1), sub(2), tally=code_full)
    assert first == ("id-1", "accepted", "")  # a repeat: stored, no score
    assert second[1] == "rejected" and "already sent 2 pre-tests" in second[2]
    other = {"code": "ZZ99", "institution": "police", "sex": "male"}
    device_full = Tally(by_code={}, by_device={("t1", "pre"): 3})
    [(_, status, detail)] = run(sub(3, participant=other), tally=device_full)
    assert status == "rejected" and "This device already sent 3 pre-tests" in detail
    # Retries of what is stored are never refused by the caps, nor other phases.
    stored = {"id-1": Stored("t1", content_hash(msgspec.convert(sub(1), Submission)), 50.0, True)}
    assert run(sub(1), sub(4, phase="post"), stored=stored, tally=code_full) == [
        ("id-1", "duplicate", 50.0), ("id-4", "accepted", 50.0),
    ]  # fmt: skip


def test_an_id_another_training_holds_is_refused() -> None:
    theirs = {"id-1": Stored("t2", "their hash", 90.0, first=True)}
    [(_, status, detail)] = run(sub(1), stored=theirs)
    assert status == "rejected" and "in use elsewhere" in detail


def test_a_repeat_in_the_batch_is_settled_as_if_its_first_copy_were_stored() -> None:
    code_full = Tally(by_code={("t1", "KM07R", "pre"): 2}, by_device={})
    [first, again] = run(sub(1), sub(1), tally=code_full)
    assert first[1] == "rejected" and again == first
    # The first copy kept under one training: the same id for another training is refused.
    other = {**TRAININGS, "OTHER123": msgspec.structs.replace(TRAINING, id="t2")}
    raws = [msgspec.Raw(msgspec.json.encode(s)) for s in (sub(1), sub(1, training="OTHER123"))]
    settled = settle(decide(read_batch(raws), other, FORMS), {}, NOTHING)
    assert [r.status for r in settled.results] == ["accepted", "rejected"]
    assert "in use elsewhere" in (settled.results[1].detail or "")
    assert [r.training_id for r in settled.records] == ["t1"]


def test_while_joining_is_closed_only_seen_codes_and_stamped_phones_are_taken() -> None:
    closed = msgspec.structs.replace(TRAINING, joining_open=False, joining_stamp="j1.ok")

    def statuses(
        *subs: dict[str, Any], seen: frozenset[tuple[str, str]] = frozenset()
    ) -> list[str]:
        raws = [msgspec.Raw(msgspec.json.encode(s)) for s in subs]
        decided = decide(read_batch(raws), {"JOIN1234": closed}, FORMS)
        tally = Tally(by_code={}, by_device={}, seen=set(seen))
        return [r.status for r in settle(decided, {}, tally).results]

    assert statuses(sub(1)) == ["rejected"]
    assert statuses(sub(1, joining_stamp="j1.forged")) == ["rejected"]
    assert statuses(sub(1), seen=frozenset({("t1", "KM07R")})) == ["accepted"]
    # A stamped phone's first record makes its code seen for the rest of the batch.
    later = sub(2, phase="post")
    assert statuses(sub(1, joining_stamp="j1.ok"), later) == ["accepted", "accepted"]
    assert statuses(later, sub(1, joining_stamp="j1.ok")) == ["rejected", "accepted"]


# The form's logic (forms.scoring.check_and_score), applied to what phones send and to uploads alike
LOGIC = msgspec.convert(
    {
        "id": "l", "version": "1", "kind": "test", "title": {"en": "L", "fr": "L"},
        "languages": ["en", "fr"],
        "questions": [
            {"id": "q1", "type": "single", "text": {"en": "?", "fr": "?"},
             "choices": [{"id": "a", "text": {"en": "a", "fr": "a"}, "correct": True},
                         {"id": "b", "text": {"en": "b", "fr": "b"}}]},
            {"id": "q2", "type": "truefalse", "text": {"en": "?", "fr": "?"}, "answer": True,
             "relevant": "${q1} = 'b'"},
            {"id": "why", "type": "text", "text": {"en": "?", "fr": "?"}, "required": False,
             "constraint": "string-length(.) <= 5",
             "constraint_message": {"en": "Five letters at most", "fr": "Cinq lettres au plus"}},
        ],
    },
    QuestionSet,
)  # fmt: skip


def decide_logic(answers: dict[str, Any], lang: str = "en") -> tuple[Any, Any]:
    training = msgspec.structs.replace(TRAINING, assignments={"pre": ("l", "1")})
    one = sub(form="l", version="1", lang=lang, answers=answers)
    decided = decide(read_batch([msgspec.Raw(msgspec.json.encode(one))]), {"JOIN1234": training},
                     {("l", "1"): LOGIC})  # fmt: skip
    settled = settle(decided, {}, NOTHING)
    return settled.records, settled.results[0]


def test_an_answer_to_a_question_that_was_not_relevant_is_dropped_and_not_scored() -> None:
    [record], result = decide_logic({"q1": "a", "q2": False})
    assert result.status == "accepted"
    assert msgspec.json.decode(record.answers) == {"q1": "a"}
    assert msgspec.json.decode(record.item_points or "") == {"q1": 1.0}
    assert (record.score, record.max_score, record.percent) == (1.0, 1.0, 100.0)


def test_a_required_question_that_is_relevant_must_be_answered() -> None:
    [record], _ = decide_logic({"q1": "b", "q2": True})
    assert (record.score, record.max_score) == (1.0, 2.0)
    stored, result = decide_logic({"q1": "b"})
    assert stored == [] and result.status == "rejected"
    assert result.detail == "Question 'q2' is required but was not answered."


def test_a_failing_constraint_is_refused_with_its_message_in_the_participants_language() -> None:
    stored, result = decide_logic({"q1": "a", "why": "far too long"}, lang="fr")
    assert stored == [] and result.status == "rejected"
    assert result.detail == "Question 'why': Cinq lettres au plus (string-length(.) <= 5)."
    [_], result = decide_logic({"q1": "a", "why": "short"}, lang="fr")
    assert result.status == "accepted"
