"""Submissions on two versions of a test: each scored and counted with the version answered."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from forms.model import QuestionSet
from server.reports.build import build_report
from server.reports.inputs import ReportInput, Response
from server.reports.sample import knowledge_form, sample_input
from tests.conftest import KNOWLEDGE, batch, knowledge_answers, publish_for, submission

Client = AsyncTestClient[Any]

COMPARED = ("pre_correct_pct", "post_correct_pct", "mcnemar_b", "mcnemar_c", "mcnemar_p",
            "facility", "sd", "discrimination", "discriminative_efficiency")  # fmt: skip


def _relabelled(inp: ReportInput, every: int) -> ReportInput:
    """The same input with every `every`-th test submission made on an identical old version."""
    form = inp.pre_form
    assert form is not None
    old = msgspec.structs.replace(form, version="0")
    responses = [
        msgspec.structs.replace(
            r, form_id=form.id, form_version="0" if i % every == 0 else form.version
        )
        if r.phase != "evaluation"
        else r
        for i, r in enumerate(inp.responses)
    ]
    return msgspec.structs.replace(inp, responses=responses, other_forms=[old])


def test_an_identical_old_version_changes_no_item_figure() -> None:
    inp = sample_input(60, 12, seed=3)
    same = build_report(inp, generated_at="x")
    mixed = build_report(_relabelled(inp, 4), generated_at="x")
    versions = mixed["training"]["post_test"]["versions_answered"]
    assert sorted(v["version"] for v in versions) == ["0", "1"]
    for a, b in zip(same["items"], mixed["items"], strict=True):
        assert a["id"] == b["id"]
        for key in COMPARED:
            assert b[key] == pytest.approx(a[key], abs=1e-9), (a["id"], key)
    for phase in ("pre", "post"):
        for key in ("n", "mean", "median", "sd", "skewness", "kurtosis"):
            got, want = mixed["test_stats"][phase][key], same["test_stats"][phase][key]
            assert got == pytest.approx(want), (phase, key)
    for a, b in zip(same["topics"], mixed["topics"], strict=True):
        assert b == pytest.approx(a)
    assert mixed["heatmap"]["columns"] == same["heatmap"]["columns"]
    for a, b in zip(same["heatmap"]["rows"], mixed["heatmap"]["rows"], strict=True):
        assert b["values"] == pytest.approx(a["values"]) and b["all"] == pytest.approx(a["all"])


def _form(version: str, questions: dict[str, float]) -> QuestionSet:
    base = knowledge_form(1)
    template = base.questions[0]
    qs = [
        msgspec.structs.replace(template, id=q, points=pts, topic="t")
        for q, pts in questions.items()
    ]
    return msgspec.structs.replace(base, version=version, questions=qs)


def _r(code: str, phase: str, version: str, points: dict[str, float]) -> Response:
    return Response(
        submission_id=f"{code}-{phase}", code=code, institution="police", sex="female",
        phase=phase, completed_at="2019-01-07T09:00:00Z", form_id="knowledge",
        form_version=version, item_points=points,
    )  # fmt: skip


def test_questions_of_one_version_count_only_their_takers_by_hand() -> None:
    v1 = _form("1", {"q1": 1, "q2": 1, "q3": 1})
    v2 = _form("2", {"q1": 2, "q2": 1, "q4": 1})  # q1 now worth 2, q3 dropped, q4 new
    responses = []
    for i in range(4):  # pre on v1: q1 right for two people, q2 and q3 wrong
        responses.append(_r(f"P{i}", "pre", "1", {"q1": float(i < 2), "q2": 0, "q3": 0}))
    # post: P0 and P1 still on v1 (offline), P2 and P3 on v2
    responses.append(_r("P0", "post", "1", {"q1": 1, "q2": 1, "q3": 1}))
    responses.append(_r("P1", "post", "1", {"q1": 1, "q2": 0, "q3": 1}))
    responses.append(_r("P2", "post", "2", {"q1": 2, "q2": 1, "q4": 1}))
    responses.append(_r("P3", "post", "2", {"q1": 1, "q2": 1, "q4": 0}))  # q1 half: wrong
    base = sample_input(1, 1, evaluation=False)
    inp = ReportInput(
        training=base.training, institutions=base.institutions, responses=responses,
        pre_form=v1, post_form=v2, other_forms=[v1],
    )  # fmt: skip
    report = build_report(inp, generated_at="x")
    items = {q["id"]: q for q in report["items"]}
    assert list(items) == ["q1", "q2", "q4", "q3"]  # current version's order, then the old
    assert (items["q1"]["post_n"], items["q1"]["post_correct_pct"]) == (4, 75.0)
    assert (items["q2"]["post_n"], items["q2"]["post_correct_pct"]) == (4, 75.0)
    assert (items["q3"]["post_n"], items["q3"]["post_correct_pct"]) == (2, 100.0)
    assert (items["q4"]["post_n"], items["q4"]["post_correct_pct"]) == (2, 50.0)
    assert (items["q4"]["pre_n"], items["q4"]["pre_correct_pct"]) == (0, None)
    assert items["q3"]["pre_correct_pct"] == 0.0
    # McNemar on q3 pairs only the two who were asked it twice: both wrong -> right.
    assert (items["q3"]["mcnemar_b"], items["q3"]["mcnemar_c"]) == (2, 0)
    assert (items["q1"]["mcnemar_b"], items["q1"]["mcnemar_c"]) == (1, 0)  # P2 up, P3 stays
    # Facility of q1 on the post-test: fractions 1, 1, 1, 0.5 of each row's own maximum.
    assert items["q1"]["facility"] == pytest.approx(87.5)
    # Scores as percents of each row's own version: 100, 66.7, 100, 50.
    post = report["test_stats"]["post"]
    assert post["mean"] == pytest.approx((100 + 200 / 3 + 100 + 50) / 4)
    assert post["consistency_n"] == 2
    assert report["training"]["post_test"]["versions_answered"] == [
        {"form": "knowledge", "version": "2", "n": 2},
        {"form": "knowledge", "version": "1", "n": 2},
    ]


async def test_report_scores_each_submission_with_the_version_it_answered(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    import yaml

    doc = yaml.safe_load(KNOWLEDGE.read_text())
    doc["version"] = "2019.2"
    questions = {q["id"]: q for q in doc["questions"]}
    q1 = questions["q1"]  # a new key: only the last choice is right
    for choice in q1["choices"]:
        choice["correct"] = choice is q1["choices"][-1]
    questions["q2"]["points"] = 3  # worth more: 2 points on 2019.1 are still full marks there
    doc["questions"] = [q for q in doc["questions"] if q["id"] != "q15"]
    doc["questions"].append(
        {"id": "q16", "type": "truefalse", "topic": "data", "answer": True,
         "text": {"en": "New question", "fr": "Nouvelle question", "ar": "سؤال جديد"}}
    )  # fmt: skip
    await publish_for(client, admin, training, doc, ("pre_test", "post_test"))

    right_v1 = knowledge_answers(True)
    right_v2 = {k: v for k, v in right_v1.items() if k != "q15"}
    right_v2.update({"q1": q1["choices"][-1]["id"], "q16": True})
    subs = []
    for i in range(6):
        who = {"code": f"VV{i:02d}X", "institution": "police", "sex": "female"}
        subs.append(
            submission(training["join_code"], "pre", participant=who,
                       answers=knowledge_answers(False))
        )  # fmt: skip
        on_v1 = i < 3  # three devices were offline when 2019.2 was published
        subs.append(
            submission(
                training["join_code"], "post", participant=who,
                version="2019.1" if on_v1 else "2019.2",
                answers=right_v1 if on_v1 else right_v2, completed_at="2019-01-11T15:00:00Z",
            )
        )  # fmt: skip
    response = await client.post("/api/v1/sync", json=batch(*subs))
    assert {r["status"] for r in response.json()["results"]} == {"accepted"}, response.text

    response = await client.get(f"/api/v1/trainings/{training['id']}/report", headers=admin)
    report = response.json()
    items = {q["id"]: q for q in report["items"]}
    assert report["overall"]["post_mean"] == 100.0
    for qid in ("q1", "q2"):  # on both versions: everyone right by their own key and maximum
        assert (items[qid]["post_n"], items[qid]["post_correct_pct"]) == (6, 100.0), qid
        assert items[qid]["facility"] == 100.0
    assert (items["q15"]["post_n"], items["q15"]["post_correct_pct"]) == (3, 100.0)
    assert (items["q15"]["mcnemar_b"], items["q15"]["mcnemar_c"]) == (3, 0)
    assert (items["q16"]["post_n"], items["q16"]["post_correct_pct"]) == (3, 100.0)
    assert (items["q16"]["pre_n"], items["q16"]["pre_correct_pct"]) == (0, None)
    assert report["test_stats"]["post"]["mean"] == 100.0
    heat = {r["id"]: r["all"] for r in report["heatmap"]["rows"]}
    assert heat["q2"] == 100.0 and heat["q15"] == 100.0
    answered = report["training"]["post_test"]["versions_answered"]
    assert {(v["version"], v["n"]) for v in answered} == {("2019.1", 3), ("2019.2", 3)}
    assert any("version" in m for m in report["methods"])
    page = await client.get(f"/console/trainings/{training['id']}/report", headers=admin)
    assert "2019.1" in page.text and "2019.2" in page.text
