"""A question the form's logic skipped for a participant counts neither for nor against them in
any item figure; a question that was shown and left blank still counts as wrong."""

from __future__ import annotations

import math
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from server.reports.build import build_report
from server.reports.inputs import ReportInput, Response
from server.reports.render_html import render_html
from server.reports.sample import knowledge_form, sample_input
from server.reports.tables import all_tables
from tests.conftest import (
    KNOWLEDGE,
    batch,
    knowledge_answers,
    publish_for,
    submission,
    sync_results,
)

Client = AsyncTestClient[Any]
FORM = knowledge_form(3)  # q1 (definitions), q2 (law), q3 (victims), 1 point each

# Item points per participant; a question missing from a row was not asked (relevance false).
# P2 was asked q3 on the post-test and left it blank: scoring recorded 0 points.
PRE = {
    "P1": {"q1": 0, "q2": 1, "q3": 0},
    "P2": {"q1": 1, "q2": 0, "q3": 0},
    "P3": {"q1": 0, "q2": 0, "q3": 1},
    "P4": {"q1": 1, "q2": 1, "q3": 0},
    "P5": {"q1": 0, "q2": 0},
    "P6": {"q1": 0, "q2": 1},
}
POST = {
    "P1": {"q1": 1, "q2": 1, "q3": 1},
    "P2": {"q1": 0, "q2": 0, "q3": 0},
    "P3": {"q1": 0, "q2": 0},
    "P4": {"q1": 1, "q2": 1},
    "P5": {"q1": 1, "q2": 0, "q3": 1},
    "P6": {"q1": 1, "q2": 0},
}
FOLLOWUP = {"P1": {"q1": 1, "q2": 1, "q3": 1}, "P2": {"q1": 1, "q2": 0}, "P3": {"q3": 0}}


def _rows(phase: str, table: dict[str, dict[str, int]]) -> list[Response]:
    rows = []
    for code, points in table.items():
        rows.append(
            Response(
                submission_id=f"{code}-{phase}",
                code=code,
                institution="police",
                sex="female",
                phase=phase,
                completed_at="2019-01-07T09:00:00Z",
                form_id="knowledge",
                form_version="1",
                percent=100.0 * sum(points.values()) / len(points),
                item_points={q: float(v) for q, v in points.items()},
            )
        )
    return rows


def _report(reverse: bool = False) -> dict[str, Any]:
    base = sample_input(1, 1, evaluation=False)
    responses = _rows("pre", PRE) + _rows("post", POST) + _rows("followup", FOLLOWUP)
    if reverse:
        responses.reverse()
    inp = ReportInput(
        training=base.training, institutions=base.institutions, responses=responses,
        pre_form=FORM, post_form=FORM,
    )  # fmt: skip
    return build_report(inp, generated_at="x")


def test_item_figures_count_only_the_participants_who_were_asked() -> None:
    report = _report()
    items = {q["id"]: q for q in report["items"]}
    q1, q3 = items["q1"], items["q3"]
    # q3: asked of P1-P4 on the pre-test (P3 right), of P1, P2, P5 on the post-test
    # (P1 and P5 right; P2's blank is wrong, not skipped).
    assert (q3["pre_n"], q3["pre_correct_pct"]) == (4, 25.0)
    assert (q3["post_n"], q3["post_correct_pct"]) == (3, pytest.approx(200 / 3))
    assert q3["change_pct"] == pytest.approx(200 / 3 - 25)
    # McNemar pairs only P1 (wrong -> right) and P2 (wrong -> wrong): asked q3 both times.
    assert (q3["mcnemar_b"], q3["mcnemar_c"]) == (1, 0)
    # Moodle on the post-test takers of q3: item [1, 0, 1]; rest of test as a share of each
    # row's own other questions [1, 0, 0.5]; r = (1/2) / sqrt(2/3 * 1/2) = sqrt(3) / 2, and
    # the sorted lists pair up as they already are (efficiency 100).
    assert q3["facility"] == pytest.approx(200 / 3)
    assert q3["discrimination"] == pytest.approx(50 * math.sqrt(3))
    assert q3["discriminative_efficiency"] == pytest.approx(100.0)
    # q1 was asked of everyone: 4 of 6 right after, 2 of 6 before.
    assert (q1["post_n"], q1["post_correct_pct"]) == (6, pytest.approx(200 / 3))
    assert (q1["pre_n"], q1["pre_correct_pct"]) == (6, pytest.approx(100 / 3))
    # The follow-up: q3 asked of P1 (right) and P3 (blank), not of P2.
    assert q3["followup_correct_pct"] == 50.0
    assert q1["followup_correct_pct"] == 100.0
    stats = {s["id"]: s for s in report["item_stats"]["post"]}
    assert stats["q3"]["n"] == 3 and stats["q1"]["n"] == 6


def test_figures_do_not_depend_on_the_order_of_the_participants() -> None:
    forward, backward = _report(), _report(reverse=True)
    for key in ("items", "item_stats", "test_stats", "topics", "heatmap"):
        assert forward[key] == backward[key], key


def test_topics_and_heat_map_leave_out_the_skipped() -> None:
    report = _report()
    topics = {t["topic"]: t for t in report["topics"]}
    # victims = q3 alone: post 100, 0, 100 among its takers; pre 0, 0, 100, 0.
    assert topics["victims"]["post_mean"] == pytest.approx(200 / 3)
    assert topics["victims"]["pre_mean"] == 25.0
    # Matched and asked both times: P1 (0 -> 100) and P2 (0 -> 0).
    assert topics["victims"]["mean_change_matched"] == 50.0
    heat = {row["id"]: row for row in report["heatmap"]["rows"]}
    assert heat["q3"]["all"] == heat["q3"]["values"][0] == pytest.approx(200 / 3)


def test_internal_consistency_uses_the_questions_everyone_was_asked() -> None:
    post = _report()["test_stats"]["post"]
    # KR-20 over q1 [1,0,0,1,1,1] and q2 [1,0,0,1,0,0] for all six: item variances 4/15 each,
    # totals [2,0,0,2,1,1] with variance 4/5: 100 * 2 * (1 - (8/15) / (4/5)) = 200/3.
    assert (post["consistency_n"], post["consistency_questions"]) == (6, 2)
    assert post["cic"] == pytest.approx(200 / 3)
    # Scores are each row's percent of the questions it was asked: 100, 0, 0, 100, 200/3, 50.
    assert post["mean"] == pytest.approx((200 + 200 / 3 + 50) / 6)


def test_the_report_shows_how_many_were_asked_each_question() -> None:
    report = _report()
    html = render_html(report)
    assert "<td>4 / 3</td>" in html  # q3: asked of 4 before, 3 after
    table = next(t for t in all_tables(report) if t.name == "items")
    keys = [c.key for c in table.columns]
    q3 = dict(zip(keys, next(r for r in table.rows if r[0] == "q3"), strict=True))
    assert (q3["pre_n"], q3["post_n"], q3["followup_n"]) == (4, 3, 2)


async def test_a_question_skipped_by_the_logic_on_the_phone_is_left_out_of_the_report(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    import yaml

    doc = yaml.safe_load(KNOWLEDGE.read_text())
    doc["version"] = "2019.4"
    q2 = next(q for q in doc["questions"] if q["id"] == "q2")
    q2["relevant"] = "${q1} != 'a'"  # asked only of those who miss q1
    q2["required"] = False
    await publish_for(client, admin, training, doc, ("pre_test", "post_test"))

    right, wrong = knowledge_answers(True), knowledge_answers(False)
    subs = []
    for i in range(6):
        answers = dict(right)
        if i < 3:
            answers["q1"] = "b"  # q2 is asked: right for 0, wrong for 1, left blank by 2
            if i == 1:
                answers["q2"] = wrong["q2"]
            elif i == 2:
                del answers["q2"]
        else:
            del answers["q2"]  # q1 right: q2 is never shown
        who = {"code": f"RL{i:02d}X", "institution": "police", "sex": "male"}
        subs.append(
            submission(training["join_code"], "post", version="2019.4", participant=who,
                       answers=answers)
        )  # fmt: skip
    results = await sync_results(client, batch(*subs))
    assert {r["status"] for r in results} == {"accepted"}, results
    response = await client.get(f"/api/v1/trainings/{training['id']}/report", headers=admin)
    assert response.status_code == 200, response.text
    items = {q["id"]: q for q in response.json()["items"]}
    assert (items["q2"]["post_n"], items["q2"]["post_correct_pct"]) == (3, pytest.approx(100 / 3))
    assert (items["q1"]["post_n"], items["q1"]["post_correct_pct"]) == (6, 50.0)


def test_a_row_on_an_unknown_version_without_a_question_was_not_asked_it() -> None:
    # A submission on a version the report does not hold (its form deleted) is read with the
    # current version; a question its points lack was not asked of it, not answered wrong.
    base = sample_input(1, 1, evaluation=False)
    rows = _rows("post", {"A": {"q1": 1, "q2": 1, "q3": 1}, "B": {"q1": 0, "q2": 1}})
    rows[1] = msgspec.structs.replace(rows[1], form_version="0")
    inp = ReportInput(
        training=base.training, institutions=base.institutions, responses=rows,
        pre_form=FORM, post_form=FORM,
    )  # fmt: skip
    items = {q["id"]: q for q in build_report(inp, generated_at="x")["items"]}
    assert (items["q3"]["post_n"], items["q3"]["post_correct_pct"]) == (1, 100.0)
    assert (items["q1"]["post_n"], items["q1"]["post_correct_pct"]) == (2, 50.0)
