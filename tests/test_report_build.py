"""The assembled report: matching rules, the fixed JSON names, edge cases without NaN."""

from __future__ import annotations

import math
from typing import Any

import msgspec
import numpy as np
import pytest

from server.reports.build import build_report
from server.reports.inputs import ReportInput, Response
from server.reports.matching import match, within_one_edit
from server.reports.render_html import render_html
from server.reports.render_xlsx import render_xlsx
from server.reports.sample import knowledge_form, sample_input
from server.reports.tables import all_tables

GROUP_KEYS = {
    "key", "n_matched", "pre_mean", "post_mean", "mean_change", "pct_improved", "pct_pass_pre",
    "pct_pass_post", "hake_g", "g_avg", "ci95", "t", "df", "p", "wilcoxon_p", "cohen_dz",
}  # fmt: skip
ITEM_KEYS = {
    "id", "topic", "pre_correct_pct", "post_correct_pct", "mcnemar_b", "mcnemar_c", "mcnemar_p",
    "facility", "discrimination", "discriminative_efficiency",
}  # fmt: skip
TEST_KEYS = {
    "n", "mean", "median", "sd", "standard_error", "skewness", "kurtosis", "cic", "error_ratio",
}  # fmt: skip


def resp(code: str, phase: str, percent: float | None = None, **kw: Any) -> Response:
    points = kw.pop("points", None)
    if points is None and percent is not None:
        right = round(percent / 10)
        points = {f"q{i + 1}": 1.0 if i < right else 0.0 for i in range(10)}
    return Response(
        submission_id=kw.pop("sid", f"{code}-{phase}-{kw.get('completed_at', '')}"),
        code=code,
        institution=kw.pop("institution", "police"),
        sex=kw.pop("sex", "female"),
        phase=phase,
        completed_at=kw.pop("completed_at", "2019-01-07T09:00:00Z"),
        percent=percent,
        item_points=points or {},
        **kw,
    )


def report_of(responses: list[Response], **kw: Any) -> dict[str, Any]:
    base = sample_input(1, 10, evaluation=False)
    form = knowledge_form(10)
    inp = ReportInput(
        training=base.training,
        institutions=base.institutions,
        responses=responses,
        pre_form=kw.get("pre_form", form),
        post_form=kw.get("post_form", form),
        eval_form=kw.get("eval_form"),
    )
    return build_report(inp, generated_at="2019-01-12T00:00:00Z")


def walk_finite(value: Any, where: str = "$") -> None:
    if isinstance(value, float):
        assert math.isfinite(value), where
    elif isinstance(value, dict):
        for k, v in value.items():
            walk_finite(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            walk_finite(v, f"{where}[{i}]")


def test_report_has_designs_json_names() -> None:
    report = build_report(sample_input(45, 15))
    assert set(report["flow"]) >= {"registered", "pre", "post", "matched", "pre_only", "post_only"}
    assert set(report["overall"]) >= GROUP_KEYS
    assert report["institutions"] and all(set(g) >= GROUP_KEYS for g in report["institutions"])
    assert report["sexes"] and all(set(g) >= GROUP_KEYS for g in report["sexes"])
    assert len(report["items"]) == 15 and all(set(i) >= ITEM_KEYS for i in report["items"])
    for phase in ("pre", "post"):
        assert set(report["test_stats"][phase]) >= TEST_KEYS
    assert {e["id"] for e in report["evaluation"]} == {"e1", "e2", "e3", "c1"}
    assert report["methods"]
    msgspec.json.encode(report)  # plain JSON all the way down
    walk_finite(report)


def test_first_completed_submission_counts_and_later_ones_are_repeats() -> None:
    report = report_of(
        [
            resp("AB12", "pre", 30, completed_at="2019-01-07T10:00:00Z", sid="late"),
            resp("AB12", "pre", 80, completed_at="2019-01-07T09:00:00Z", sid="first"),
            resp("AB12", "post", 90),
        ]
    )
    assert report["flow"]["pre"] == 1 and report["flow"]["matched"] == 1
    assert report["overall"]["pre_mean"] == 80
    assert report["repeats"] == [
        {
            "code": "AB12",
            "phase": "pre",
            "submission_id": "late",
            "completed_at": "2019-01-07T10:00:00Z",
            "counted_submission_id": "first",
        }
    ]


def test_flow_counts_pre_only_post_only_and_evaluation() -> None:
    report = report_of(
        [
            resp("A1", "pre", 50),
            resp("A1", "post", 70),
            resp("B2", "pre", 40),
            resp("C3", "post", 60),
            resp("D4", "evaluation"),
        ]
    )
    assert report["flow"] == {
        "registered": 4,
        "pre": 2,
        "post": 2,
        "matched": 1,
        "pre_only": 1,
        "post_only": 1,
        "evaluation": 1,
        "repeats": 0,
        "followup": 0,
    }


def test_near_matches_duplicates_and_institution_changes_are_flagged_not_merged() -> None:
    m = match(
        [
            resp("KM07R", "pre", 50),
            resp("KM08R", "post", 70),  # one element differs
            resp("ZZ01", "pre", 50, institution="police"),
            resp("ZZ01", "post", 60, institution="gendarmerie"),
            resp("DUP9", "pre", 40, device="phone-a", completed_at="2019-01-07T09:00:00Z"),
            resp("DUP9", "pre", 60, device="phone-b", completed_at="2019-01-07T09:05:00Z"),
        ]
    )
    assert m.flow["matched"] == 1
    assert [(p["pre_code"], p["post_code"]) for p in m.near_matches] == [("KM07R", "KM08R")]
    assert m.institution_changes == [{"code": "ZZ01", "pre": "police", "post": "gendarmerie"}]
    assert [d["code"] for d in m.duplicate_codes] == ["DUP9"]
    flags = {p.code: p.flags for p in m.participants}
    assert "near_match" in flags["KM07R"] and "duplicate_code" in flags["DUP9"]


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [("KM07R", "KM08R", True), ("KM07R", "KM7R", True), ("KM07R", "KM07R", False),
     ("KM07R", "XX07R", False), ("AB", "ABCD", False)],
)  # fmt: skip
def test_within_one_edit(a: str, b: str, near: bool) -> None:
    assert within_one_edit(a, b) is near


def test_group_without_post_test_has_descriptive_means_only() -> None:
    responses = [resp(f"P{i}", "pre", 50 + i, institution="police") for i in range(6)]
    responses += [resp(f"G{i}", "pre", 40, institution="gendarmerie") for i in range(6)]
    responses += [
        resp(f"G{i}", "post", 60 + 10 * (i % 3), institution="gendarmerie") for i in range(6)
    ]
    report = report_of(responses)
    police = next(g for g in report["institutions"] if g["key"] == "police")
    assert police["n_matched"] == 0
    assert police["pre_n"] == 6 and police["pre_all_mean"] is not None
    assert police["post_mean"] is None and police["t"] is None
    walk_finite(report)


@pytest.mark.parametrize("percent", [0.0, 100.0])
def test_everyone_answering_identically_gives_no_nan(percent: float) -> None:
    responses = [resp(f"S{i}", phase, percent) for i in range(8) for phase in ("pre", "post")]
    report = report_of(responses)
    walk_finite(report)
    assert report["overall"]["t"] is None
    assert report["test_stats"]["post"]["cic"] is None
    assert all(i["discrimination"] is None for i in report["items"])
    if percent == 100.0:
        assert report["overall"]["hake_g"] is None
        assert report["overall"]["g_avg_excluded"] == 8


def test_single_participant_report() -> None:
    report = report_of([resp("ONE", "pre", 30), resp("ONE", "post", 60)])
    assert report["overall"]["n_matched"] == 1
    assert report["overall"]["mean_change"] == pytest.approx(30)
    assert report["overall"]["ci95"] is None
    walk_finite(report)


def test_no_submissions_at_all() -> None:
    report = report_of([])
    assert report["flow"]["registered"] == 0
    assert report["overall"]["pre_mean"] is None
    walk_finite(report)


def test_per_question_percent_correct_is_over_everyone_who_was_asked_it() -> None:
    # 4 took the pre-test: A right on q1, B and D wrong (D left it blank: 0 points recorded),
    # C was not asked it (no points recorded for q1); 1 took the post-test (right).
    responses = [
        resp("A", "pre", points={"q1": 1.0}, percent=10),
        resp("B", "pre", points={"q1": 0.0}, percent=0),
        resp("C", "pre", points={}, percent=0),
        resp("D", "pre", points={"q1": 0.0}, percent=0),
        resp("A", "post", points={"q1": 1.0}, percent=10),
    ]
    q1 = report_of(responses)["items"][0]
    assert (q1["pre_n"], q1["pre_correct_pct"]) == (3, pytest.approx(100 / 3))
    assert (q1["post_n"], q1["post_correct_pct"]) == (1, 100)


def test_evaluation_likert_counts_top_two_box_and_median() -> None:
    inp = sample_input(8, 5)
    report = build_report(inp)
    e1 = report["evaluation"][0]
    values = [r.answers["e1"] for r in inp.responses if r.phase == "evaluation"]
    assert sum(e1["counts"].values()) == e1["n"] == len(values)
    assert e1["top_two_box_pct"] == pytest.approx(100 * sum(v >= 4 for v in values) / len(values))
    assert e1["median"] == pytest.approx(sorted(values)[3] / 2 + sorted(values)[4] / 2)
    comments = report["comments"]
    assert comments and all({"institution", "text", "question"} <= set(c) for c in comments)


def test_heatmap_has_a_cell_per_question_and_institution() -> None:
    report = build_report(sample_input(20, 6))
    heat = report["heatmap"]
    assert len(heat["rows"]) == 6
    assert [c["key"] for c in heat["columns"]] == [
        "prosecution", "judiciary", "police", "gendarmerie", "social",
    ]  # fmt: skip
    assert all(len(r["values"]) == 5 for r in heat["rows"])


def test_training_with_evaluation_only_and_late_flags() -> None:
    inp = sample_input(6, 4)
    only_eval = [r for r in inp.responses if r.phase == "evaluation"]
    only_eval[0].flags = ["late"]
    report = report_of(only_eval, pre_form=None, post_form=None, eval_form=inp.eval_form)
    assert report["flow"]["evaluation"] == 6 and report["flow"]["matched"] == 0
    assert report["items"] == [] and report["test_stats"]["post"]["n"] == 0
    assert report["flags"]["timing"] == {"late": 1}
    assert report["evaluation"][0]["n"] == 6
    walk_finite(report)
    page = render_html(report)
    assert "flagged “late”" in page
    render_xlsx(report, all_tables(report))


@pytest.mark.parametrize("seed", range(40))
def test_random_small_trainings_never_produce_nan_or_warnings(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 9))
    p_right = float(rng.choice([0.0, 1.0, rng.random()]))
    responses = []
    for i in range(n):
        for phase in ("pre", "post"):
            if rng.random() < 0.15:
                continue  # some miss a test
            right = rng.random(10) < p_right
            points = {f"q{j + 1}": float(r) for j, r in enumerate(right)}
            responses.append(
                resp(f"R{i}", phase, 10.0 * right.sum(), points=points,
                     institution=str(rng.choice(["police", "gendarmerie"])),
                     sex=str(rng.choice(["female", "male", "undisclosed"])))
            )  # fmt: skip
    report = report_of(responses)
    walk_finite(report)
    msgspec.json.encode(report)
    render_html(report)
