"""Across trainings: pooled figures, cascade generations, and who sees which trainings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.reports.programme import (
    Person,
    ProgrammeTraining,
    generations,
    programme_report,
    summarise,
)
from server.reports.sample import sample_input
from server.reports.stats import paired
from tests.conftest import create_training, make_token


def training(
    tid: str, parent: str | None, scores: list[tuple[float, float]], **kw: Any
) -> ProgrammeTraining:
    people = [
        Person(kw.get("institution", "police"), "female", a, b, a >= 70, b >= 70) for a, b in scores
    ]
    return ProgrammeTraining(
        id=tid, title=tid.upper(), country=kw.get("country", "MA"),
        starts_on=kw.get("starts_on", "2019-01-07"), parent=parent, simulated=False, people=people,
    )  # fmt: skip


def test_generations_follow_parents_and_survive_cycles() -> None:
    ts = [training("tot", None, []), training("c1", "tot", []), training("c2", "c1", []),
          training("x", "y", []), training("y", "x", [])]  # fmt: skip
    depth = generations(ts)
    assert depth["tot"] == 0 and depth["c1"] == 1 and depth["c2"] == 2
    assert {depth["x"], depth["y"]} == {0, 1}


def test_programme_pools_participants_rather_than_averaging_averages() -> None:
    a = [(40.0, 60.0), (50.0, 80.0), (60.0, 70.0), (30.0, 65.0), (55.0, 75.0)]
    b = [(70.0, 90.0), (80.0, 85.0)]
    ts = [
        training("tot", None, a, country="MA"),
        training(
            "cascade", "tot", b, country="TN", institution="judiciary", starts_on="2020-03-01"
        ),
    ]
    report = programme_report(ts)
    pre = np.asarray([x for x, _ in a + b])
    post = np.asarray([y for _, y in a + b])
    ref = paired(pre, post)
    overall = report["overall"]
    assert overall["n_matched"] == 7 and overall["trainings"] == 2
    for key in ("pre_mean", "post_mean", "mean_change", "t", "p", "wilcoxon_p", "hake_g", "g_avg"):
        assert overall[key] == pytest.approx(ref[key]), key
    assert overall["pct_pass_post"] == pytest.approx(100 * 5 / 7)  # 80, 70, 75, 90, 85
    assert [c["key"] for c in report["countries"]] == ["MA", "TN"]
    assert [p["key"] for p in report["periods"]] == ["2019", "2020"]
    tn = report["countries"][1]
    assert tn["n_matched"] == 2 and tn["t"] is None  # below five: no inference
    (cascade,) = report["cascades"]
    assert cascade["root"] == "tot" and cascade["reached"] == 7
    assert [g["generation"] for g in cascade["generations"]] == [0, 1]
    assert cascade["generations"][1]["reached_by_institution"] == {"judiciary": 2}


def test_summarise_keeps_one_person_per_code() -> None:
    t = summarise(sample_input(12, 5))
    assert len(t.people) == 12
    assert all(p.pre is not None and p.post is not None for p in t.people)


async def test_programme_endpoint_shows_trainers_only_their_trainings(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    await create_training(client, admin)
    await create_training(client, admin, id="other-tot", trainers=[])
    everyone = (await client.get("/api/v1/programme/report", headers=admin)).json()
    assert {t["key"] for t in everyone["trainings"]} == {"rabat-tot", "other-tot"}
    tariq = await make_token(app, "tariq", "trainer")
    own = (await client.get("/api/v1/programme/report", headers=tariq)).json()
    assert [t["key"] for t in own["trainings"]] == ["rabat-tot"]
    assert (await client.get("/api/v1/programme/report")).status_code == 401
