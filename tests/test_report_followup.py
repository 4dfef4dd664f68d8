"""Follow-up figures of a report, checked against scipy on a synthetic training."""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pytest
from scipy import stats as sps

from server.reports.build import build_report
from server.reports.inputs import ReportInput, Response
from server.reports.programme import programme_report, summarise
from server.reports.programme_tables import programme_table
from server.reports.render_html import render_html, render_programme
from server.reports.sample import knowledge_form, sample_input
from server.reports.tables import all_tables

FORM = knowledge_form(10, form_id="knowledge")


def resp(code: str, phase: str, right: int, institution: str, sex: str) -> Response:
    return Response(
        submission_id=f"{code}-{phase}",
        code=code,
        institution=institution,
        sex=sex,
        phase=phase,
        completed_at="2019-03-01T09:00:00Z" if phase == "followup" else "2019-01-07T09:00:00Z",
        form_id="knowledge",
        form_version="1",
        percent=10.0 * right,
        item_points={f"q{i + 1}": 1.0 if i < right else 0.0 for i in range(10)},
    )


def synthetic() -> tuple[ReportInput, dict[str, tuple[int, int, int | None]], dict[str, str]]:
    """Twelve police and four gendarmes; three of the police never took the follow-up."""
    rng = np.random.default_rng(18)
    scores: dict[str, tuple[int, int, int | None]] = {}
    institution: dict[str, str] = {}
    for n in range(16):
        pre = int(rng.integers(1, 6))
        post = min(10, pre + int(rng.integers(1, 5)))
        follow = max(0, post - int(rng.integers(0, 3)))
        code = f"P{n:02d}"
        scores[code] = (pre, post, None if n in (3, 7, 11) else follow)
        institution[code] = "police" if n < 12 else "gendarmerie"
    responses = []
    for code, (pre, post, follow) in scores.items():
        sex = "female" if int(code[1:]) % 2 else "male"
        responses += [
            resp(code, "pre", pre, institution[code], sex),
            resp(code, "post", post, institution[code], sex),
        ]
        if follow is not None:
            responses.append(resp(code, "followup", follow, institution[code], sex))
    responses.append(resp("ONLYFU", "followup", 9, "police", "male"))
    base = sample_input(1, 10, evaluation=False)
    inp = ReportInput(
        training=base.training,
        institutions=base.institutions,
        responses=responses,
        pre_form=FORM,
        post_form=FORM,
    )
    return inp, scores, institution


def expected(rows: list[tuple[int, int, int | None]]) -> dict[str, Any]:
    kept = [(a * 10.0, b * 10.0, c * 10.0) for a, b, c in rows if c is not None]
    pre, post, fu = (np.asarray(col) for col in zip(*kept, strict=True))
    change = fu - post
    ci = sps.t.interval(0.95, change.size - 1, loc=change.mean(), scale=sps.sem(change))
    return {
        "n_followup": change.size,
        "followup_mean": fu.mean(),
        "followup_change": change.mean(),
        "followup_ci95": list(ci),
        "followup_p": sps.ttest_rel(fu, post).pvalue,
        "retention": (fu - pre).mean() / (post - pre).mean(),
    }


def check(group: dict[str, Any], want: dict[str, Any]) -> None:
    assert group["n_followup"] == want["n_followup"]
    for key in ("followup_mean", "followup_change", "followup_p", "retention"):
        assert group[key] == pytest.approx(want[key], rel=1e-9), key
    assert group["followup_ci95"] == pytest.approx(want["followup_ci95"], rel=1e-9)


def test_followup_figures_match_scipy_overall_and_by_group() -> None:
    inp, scores, institution = synthetic()
    report = build_report(inp, generated_at="2019-04-01T00:00:00Z")
    assert report["flow"]["followup"] == 14  # thirteen with all three tests, one follow-up only
    assert report["flow"]["registered"] == 17
    check(report["overall"], expected(list(scores.values())))
    police = next(g for g in report["institutions"] if g["key"] == "police")
    check(police, expected([s for c, s in scores.items() if institution[c] == "police"]))
    female = next(g for g in report["sexes"] if g["key"] == "female")
    check(female, expected([s for c, s in scores.items() if int(c[1:]) % 2]))


def test_followup_figures_are_null_below_five_and_retention_without_a_gain() -> None:
    inp, _, _ = synthetic()
    report = build_report(inp, generated_at="2019-04-01T00:00:00Z")
    gendarmes = next(g for g in report["institutions"] if g["key"] == "gendarmerie")
    assert gendarmes["n_followup"] == 4
    assert all(gendarmes[k] is None for k in ("followup_mean", "followup_change",
                                             "followup_ci95", "followup_p", "retention"))  # fmt: skip

    flat = [resp(f"F{n}", phase, 5, "police", "male") for n in range(6)
            for phase in ("pre", "post", "followup")]  # fmt: skip
    flat_inp = ReportInput(
        training=inp.training, institutions=inp.institutions, responses=flat,
        pre_form=FORM, post_form=FORM,
    )  # fmt: skip
    overall = build_report(flat_inp)["overall"]
    assert overall["n_followup"] == 6 and overall["followup_mean"] == 50
    assert overall["retention"] is None  # nothing was gained, so nothing can be retained
    assert overall["followup_p"] is None  # no change varies


def test_items_and_every_format_show_the_followup() -> None:
    inp, scores, _ = synthetic()
    report = build_report(inp, generated_at="2019-04-01T00:00:00Z")
    takers = [f for _, _, f in scores.values() if f is not None] + [9]
    q1 = next(i for i in report["items"] if i["id"] == "q1")
    assert q1["followup_correct_pct"] == pytest.approx(
        100 * sum(f >= 1 for f in takers) / len(takers)
    )
    assert "Retention" in report["method_parameters"]["retention"]
    tables = {t.name: t for t in all_tables(report, inp)}
    headings = [c.heading for c in tables["institutions"].columns]
    assert "Retention" in headings and "Follow-up (n)" in headings
    assert "Correct follow-up (%)" in [c.heading for c in tables["items"].columns]
    for lang, words in (("en", "Retention"), ("fr", "Rétention"), ("ar", "الاحتفاظ")):
        page = render_html(report, lang=lang)
        assert words in page, lang


def test_a_training_without_followups_says_nothing_of_them() -> None:
    inp, _, _ = synthetic()
    inp.responses = [r for r in inp.responses if r.phase != "followup"]
    report = build_report(inp)
    assert report["flow"]["followup"] == 0 and report["overall"]["n_followup"] == 0
    assert "Retention" not in render_html(report, lang="en")


def test_the_programme_pools_retention_by_institution_and_generation() -> None:
    inp, scores, institution = synthetic()
    child = ReportInput(
        training=msgspec.structs.replace(inp.training, id="cascade", parent=inp.training.id),
        institutions=inp.institutions,
        responses=inp.responses,
        pre_form=FORM,
        post_form=FORM,
    )
    report = programme_report([summarise(inp), summarise(child)])
    police = next(g for g in report["institutions"] if g["key"] == "police")
    rows = [s for c, s in scores.items() if institution[c] == "police"]
    check(police, expected(rows + rows))
    generations = report["cascades"][0]["generations"]
    assert [g["generation"] for g in generations] == [0, 1]
    for g in generations:
        check(g, expected(list(scores.values())))
    table = programme_table("generations", report)
    low = [c.key for c in table.columns].index("followup_ci95_low")
    assert [row[low] for row in table.rows] == [g["followup_ci95"][0] for g in generations]
    page = render_programme(report, lang="fr")
    assert "Rétention" in page and "suivi - pré" in page
