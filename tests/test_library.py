"""The bundled question sets (forms/library/) and the demo's simulated participants."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from forms.canonical import content_hash
from forms.model import SCORED_TYPES, Question, QuestionSet, Text
from forms.scoring import check_answers, score
from forms.validate import validate
from server.demo.simulate import simulate
from sync.wire import AGE_BANDS, Submission

LIBRARY = Path(__file__).resolve().parent.parent / "forms" / "library"
INSTITUTIONS = ["prosecution", "judiciary", "national-police", "gendarmerie", "social-workers"]
START = datetime(2019, 1, 7, 8, 30, tzinfo=UTC)
CODE = re.compile(r"^[A-Z]{2}\d{2}[A-Z]$")
TESTS = ["tip-som-knowledge", "tip-som-knowledge-2019.2"]
EVALUATIONS = ["tot-evaluation", "tot-evaluation-2019.2", "first-responder-evaluation"]
ALL = TESTS + EVALUATIONS

#: Published (id, version) are immutable: data collected on them is scored and reported with
#: exactly this content, so these files are never edited; a change is a new version.
PUBLISHED_HASHES = {
    "tip-som-knowledge": "5a2e0ac14f52604720ad30443669a4a2564278dafd189fea8ead9af0e8b92ec6",
    "tot-evaluation": "7788a61487c6831e03bb82e4ccb6d60d4d387754de0da1328377ba19b8fabeb9",
}


def load(name: str) -> QuestionSet:
    return msgspec.yaml.decode(
        (LIBRARY / f"{name}.yaml").read_bytes(), type=QuestionSet, strict=False
    )


@pytest.fixture(scope="module")
def test_set() -> QuestionSet:
    return load("tip-som-knowledge-2019.2")


@pytest.fixture(scope="module")
def evaluation() -> QuestionSet:
    return load("tot-evaluation-2019.2")


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
        if q.source is not None:
            yield f"{q.id}.source", q.source
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


#: The key of every question of tip-som-knowledge 2019.2, written from the sources (not from the
#: file): question -> (the right choice ids or true/false, words the right option must contain
#: in English, the provision it rests on).
KEY_FROM_SOURCES: dict[str, tuple[str | frozenset[str] | bool, str, str]] = {
    "q1": ("b", "act, a means and a purpose", "TIP Protocol art. 3(a): act, means, purpose"),
    "q2": (frozenset("ace"), "", "TIP Protocol art. 3(a): recruitment, transportation, transfer, "
           "harbouring or receipt"),
    "q3": (frozenset("acd"), "", "TIP Protocol art. 3(a): fraud, abuse of a position of "
           "vulnerability, payments or benefits to achieve the consent of a person having "
           "control over another person"),
    "q4": ("c", "organs", "TIP Protocol art. 3(a): exploitation includes removal of organs"),
    "q5": (False, "", "TIP Protocol art. 3(c): a child's recruitment for exploitation is "
           "trafficking even without any of the means"),
    "q6": ("c", "Trafficking in persons", "TIP Protocol art. 3(c), (d): a child is under 18"),
    "q7": (True, "", "TIP Protocol art. 3(b): consent irrelevant where a means was used"),
    "q8": ("c", "Trafficking in persons", "TIP Protocol art. 3(a), (b): deception, coercion"),
    "q9": ("b", "illegal entry", "SOM Protocol art. 3(a): procuring illegal entry for a "
           "financial or other material benefit"),
    "q10": (frozenset("ace"), "", "SOM Protocol art. 3(a) illegal entry and benefit, "
            "art. 6(1)(c) enabling illegal stay; art. 2 protects migrants' rights; no "
            "exploitation or lack of consent needed"),
    "q11": (True, "", "SOM Protocol art. 5: migrants not liable for having been smuggled"),
    "q12": ("c", "lives or safety", "SOM Protocol art. 6(3): endangering lives or safety; "
            "inhuman or degrading treatment"),
    "q13": ("b", "three or more persons", "UNTOC art. 2(a): structured group of three or "
            "more, for a period of time, in concert, serious crimes, material benefit"),
    "q14": ("b", "supplement the Convention", "UNTOC art. 37; Protocols art. 1"),
    "q15": ("b", "Extradition", "UNTOC art. 16"),
    "q16": ("a", "Mutual legal assistance", "UNTOC art. 18"),
    "q17": (frozenset("acd"), "", "TIP Protocol art. 6(1) privacy and identity, art. 6(3) "
            "housing, medical, psychological and material assistance; art. 8(2) return with "
            "due regard for safety"),
    "q18": (True, "", "TIP Protocol art. 7 (remaining in the territory), art. 8(2) (safe, "
            "preferably voluntary return)"),
    "q19": ("b", "possible victim", "TIP Protocol art. 6(3), (5): assistance, physical safety"),
    "q20": ("b", "2016", "Law 27-14, Dahir 1-16-127 of 25 August 2016, BO September 2016; "
            "national commission"),
    "q21": ("c", "Luring and intermediation", "Law 27-14 (Penal Code art. 448-1)"),
    "q22": (frozenset("ace"), "", "Law 27-14: victim a child, public official, organized group"),
    "q23": (True, "", "Law 27-14, Penal Code art. 448-14: non-punishment of victims"),
    "q24": ("d", "within the country", "UNODC Global Report 2018, Morocco: 27 victims in 2017, "
            "all trafficked domestically"),
    "q25": (False, "", "Law 27-14 definition has no border element; UNTOC art. 34(2)"),
}  # fmt: skip


def test_every_key_is_what_its_source_says(test_set: QuestionSet) -> None:
    assert [q.id for q in test_set.questions] == list(KEY_FROM_SOURCES)
    for q in test_set.questions:
        expected, words, source = KEY_FROM_SOURCES[q.id]
        correct = [c for c in q.choices if c.correct]
        if isinstance(expected, bool):
            assert q.type == "truefalse" and q.answer is expected, (q.id, source)
        elif isinstance(expected, frozenset):
            assert q.type == "multiple" and {c.id for c in correct} == expected, (q.id, source)
        else:
            assert q.type == "single" and [c.id for c in correct] == [expected], (q.id, source)
            assert words in correct[0].text["en"], (q.id, source)


def test_partial_credit_is_right_minus_wrong_picks_over_the_correct_count() -> None:
    new, old = load("tip-som-knowledge-2019.2"), load("tip-som-knowledge")
    everything = {qs.version: [c.id for c in qs.questions[1].choices] for qs in (new, old)}
    # 2019.2: 3 of 6 options are acts, so ticking everything earns nothing: 2 x (3 - 3) / 3.
    assert score(new, {"q2": everything["2019.2"]}).points["q2"] == 0.0
    # 2019.1 had 4 of 6 right: ticking everything earned half the points, 2 x (4 - 2) / 4.
    assert score(old, {"q2": everything["2019.1"]}).points["q2"] == 1.0
    assert score(new, {"q2": ["a", "c", "e", "b"]}).points["q2"] == pytest.approx(4 / 3)
    assert score(new, {"q2": ["a", "b", "d"]}).points["q2"] == 0.0  # floored at 0
    assert score(new, {"q10": ["a", "c", "e"]}).points["q10"] == 2.0


@pytest.mark.parametrize("name", sorted(PUBLISHED_HASHES))
def test_published_versions_are_never_edited(name: str) -> None:
    qs = load(name)
    assert qs.version == "2019.1"
    assert content_hash(qs) == PUBLISHED_HASHES[name]


def test_knowledge_test_is_the_documented_set(test_set: QuestionSet) -> None:
    assert (test_set.id, test_set.version, test_set.kind) == ("tip-som-knowledge", "2019.2", "test")
    assert test_set.languages == ["en", "fr", "ar"]
    assert test_set.pass_mark == 70
    types = {q.type for q in test_set.questions}
    assert {"single", "multiple", "truefalse"} <= types
    partial = [q.id for q in test_set.questions if q.partial and q.points == 2]
    assert partial == ["q2", "q10"]
    topics = Counter(q.topic for q in test_set.questions)
    assert set(topics) == {
        "definition", "children", "consent", "smuggling", "convention", "cooperation",
        "victims", "law", "domestic",
    }  # fmt: skip
    # Every topic a report shows on its own rests on at least two items.
    assert min(topics.values()) >= 2, topics
    # One statistics item at most, and it gives its figures rather than asking to recall them.
    statistics = [
        q for q in test_set.questions if "Global Report" in (q.source or {}).get("en", "")
    ]
    assert [q.id for q in statistics] == ["q24"] and "27" in statistics[0].text["en"]


def test_every_question_of_the_new_versions_names_its_source(test_set: QuestionSet) -> None:
    for q in test_set.questions:
        assert q.source is not None and sorted(q.source) == ["ar", "en", "fr"], q.id
    assert all(q.source is None for q in load("tip-som-knowledge").questions)


def test_no_right_option_is_systematically_the_longest(test_set: QuestionSet) -> None:
    singles = [q for q in test_set.questions if q.type == "single"]
    for lang in test_set.languages:
        longest = [
            q.id
            for q in singles
            if max(len(c.text[lang]) for c in q.choices)
            == max(len(c.text[lang]) for c in q.choices if c.correct)
        ]
        assert len(longest) <= len(singles) // 4, (lang, longest)


def test_french_says_traite_des_etres_humains_except_in_the_protocols_title(
    test_set: QuestionSet,
) -> None:
    for where, text in texts(test_set):
        french = text["fr"]
        for hit in re.finditer("traite des personnes", french):
            before = french[: hit.start()]
            assert before.endswith(("Protocole relatif à la ", "Rapport mondial sur la ")), where
        assert "Répondez seul" not in french and "m'ont aidé " not in french, where


def test_arabic_multiple_choice_stems_are_plural(test_set: QuestionSet) -> None:
    for q in test_set.questions:
        if q.type == "multiple":
            assert "من بين ما يلي" in q.text["ar"] and "اختاروا" in q.text["ar"], q.id


@pytest.mark.parametrize("name", ALL)
def test_every_string_is_in_every_language(name: str) -> None:
    qs = load(name)
    for where, text in texts(qs):
        assert sorted(text) == sorted(qs.languages), where
        assert all(value.strip() for value in text.values()), where
        # Arabic texts are fully in Arabic: no Latin words left untranslated.
        assert not re.search(r"[A-Za-z]", text["ar"]), (where, text["ar"])
        assert re.search(r"[\u0600-\u06ff]", text["ar"]) or text["ar"] == text["en"], where


@pytest.mark.parametrize("name", ALL)
def test_ids_are_unique_and_the_set_validates(name: str) -> None:
    qs = load(name)
    ids = [q.id for q in qs.questions]
    assert len(ids) == len(set(ids))
    for q in qs.questions:
        choice_ids = [c.id for c in q.choices]
        assert len(choice_ids) == len(set(choice_ids)), q.id
    assert validate(qs) == []


@pytest.mark.parametrize("name", TESTS)
def test_every_scored_question_has_a_key(name: str) -> None:
    for q in load(name).questions:
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


@pytest.mark.parametrize("name", EVALUATIONS)
def test_evaluation_has_no_keys(name: str) -> None:
    evaluation = load(name)
    assert evaluation.kind == "evaluation"
    likert = [q for q in evaluation.questions if q.type == "likert"]
    assert len(likert) >= 8
    for q in likert:
        assert q.scale is not None and (q.scale.min, q.scale.max) == (1, 5)
        assert sorted(q.scale.labels) == [1, 2, 3, 4, 5]
    for q in evaluation.questions:
        assert q.answer is None and q.points == 1 and not q.partial and q.tolerance == 0, q.id
        assert not any(c.correct for c in q.choices), q.id
        assert q.type != "text" or not q.required, q.id


@pytest.mark.parametrize("name", ["tot-evaluation-2019.2", "first-responder-evaluation"])
def test_new_evaluations_are_confidential_and_ask_what_donors_ask(name: str) -> None:
    qs = load(name)
    assert qs.description is not None
    assert "confidential" in qs.description["en"] and "code" in qs.description["en"]
    assert "anonym" not in qs.description["fr"] + qs.description["en"]
    topics = {q.topic for q in qs.questions}
    assert {"overall", "relevance", "trainers", "organisation", "approach", "cooperation",
            "application"} <= topics  # fmt: skip
    trainers = [q.text["fr"] for q in qs.questions if q.topic == "trainers"]
    assert len(trainers) == 2 and not any("parfaitement" in t for t in trainers)
    comments = [q.text["en"] for q in qs.questions if q.type == "text"]
    assert any("least useful" in c for c in comments)
    assert any("missing" in c for c in comments)


def test_tot_evaluation_asks_about_interpretation_and_the_cascade_plan() -> None:
    qs = load("tot-evaluation-2019.2")
    by_topic = {q.id: q for q in qs.questions}
    interpretation = next(q for q in qs.questions if "interpretation" in q.text["en"])
    # "Not applicable" to those who did not use it: optional, and the hint says so.
    assert not interpretation.required and interpretation.hint is not None
    assert "Not applicable" in interpretation.hint["en"]
    plan = next(q for q in by_topic.values() if q.topic == "cascade" and q.type == "single")
    assert "na" in {c.id for c in plan.choices}


def test_first_responder_evaluation_fits_a_cascade_training() -> None:
    qs = load("first-responder-evaluation")
    words = " ".join(t["en"] + t["fr"] for _, t in texts(qs)).lower()
    for absent in ("mock trial", "procès fictif", "train my colleagues", "former mes collègues"):
        assert absent not in words
    assert "cascade" not in {q.topic for q in qs.questions}
    assert "refer" in words


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
    comments = [s.answers[k] for s in evaluations for k in ("e17", "e20") if k in s.answers]
    assert 0 < len(comments) < len(evaluations)
