"""Across trainings: pooled figures, cascade generations, and who sees which trainings."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import numpy as np
import openpyxl
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.reports.programme import (
    Person,
    ProgrammeTraining,
    generations,
    programme_report,
    quarter,
    summarise,
)
from server.reports.sample import sample_input
from server.reports.stats import paired
from tests.conftest import batch, create_training, knowledge_answers, make_token, submission


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
    assert [p["key"] for p in report["periods"]] == ["2019-Q1", "2020-Q1"]
    tn = report["countries"][1]
    assert tn["n_matched"] == 2 and tn["t"] is None  # below five: no inference
    (cascade,) = report["cascades"]
    assert cascade["root"] == "tot" and cascade["reached"] == 7
    assert [g["generation"] for g in cascade["generations"]] == [0, 1]
    assert cascade["generations"][1]["reached_by_institution"] == {"judiciary": 2}
    (top,) = cascade["tree"]
    assert top["id"] == "tot" and top["generation"] == 0 and top["reached"] == 5
    assert [c["id"] for c in top["children"]] == ["cascade"]
    assert top["children"][0]["reached_by_institution"] == {"judiciary": 2}


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


def test_quarters_and_generations_survive_filters() -> None:
    assert [quarter(d) for d in ("2019-01-07", "2019-06-30", "2019-07-01", "2020-12-31", "")] == [
        "2019-Q1",
        "2019-Q2",
        "2019-Q3",
        "2020-Q4",
        "unknown",
    ]
    cascade = training("c1", "tot", [(40.0, 80.0)], starts_on="2019-04-02")
    # The ToT is filtered out (another quarter): its cascade keeps generation 1.
    report = programme_report([cascade], parents={"tot": None, "c1": "tot"}, titles={"tot": "ToT"})
    (c,) = report["cascades"]
    assert c["root"] == "tot" and c["root_title"] == "ToT"
    assert [g["generation"] for g in c["generations"]] == [1]
    assert c["tree"][0]["id"] == "c1" and c["tree"][0]["generation"] == 1


async def _two_trainings(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    tot = await create_training(client, admin)
    await create_training(
        client, admin, id="tanger-cascade", parent="rabat-tot", country="MA",
        starts_on="2019-04-08", ends_on="2019-04-10", trainers=[],
    )  # fmt: skip
    cascade = (await client.get("/api/v1/trainings/tanger-cascade", headers=admin)).json()
    subs = []
    for code, join in (("AA11X", tot["join_code"]), ("BB22Y", cascade["join_code"])):
        who = {"code": code, "institution": "police", "sex": "male"}
        subs.append(submission(join, "pre", participant=who, answers=knowledge_answers(False)))
        subs.append(submission(join, "post", participant=who, answers=knowledge_answers(True),
                               completed_at="2019-01-11T15:00:00Z"))  # fmt: skip
    response = await client.post("/api/v1/sync", json=batch(*subs))
    assert {r["status"] for r in response.json()["results"]} == {"accepted"}


async def test_programme_page_csv_and_xlsx_follow_the_filters(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    await _two_trainings(app, client, admin)
    everything = (await client.get("/api/v1/programme/report", headers=admin)).json()
    assert everything["overall"]["reached"] == 2 and everything["overall"]["n_matched"] == 2
    assert everything["available"]["periods"] == ["2019-Q1", "2019-Q2"]
    (c,) = everything["cascades"]
    assert [n["id"] for n in c["tree"]] == ["rabat-tot"]
    assert [n["id"] for n in c["tree"][0]["children"]] == ["tanger-cascade"]

    q2 = (await client.get("/api/v1/programme/report?period=2019-Q2", headers=admin)).json()
    assert [t["key"] for t in q2["trainings"]] == ["tanger-cascade"]
    assert q2["trainings"][0]["generation"] == 1  # still a cascade with its ToT filtered out
    none = (await client.get("/api/v1/programme/report?country=TN", headers=admin)).json()
    assert none["trainings"] == [] and none["overall"]["reached"] == 0

    page = await client.get("/console/programme?period=2019-Q2", headers=admin)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Programme results" in page.text and "<svg" in page.text
    assert 'class="tree"' in page.text and "table=trainings&amp;period=2019-Q2" in page.text

    csv_body = await client.get(
        "/api/v1/programme/report.csv", params={"table": "generations"}, headers=admin
    )
    assert csv_body.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(csv_body.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Cascade (top training)", "Generation"]
    assert [r[1] for r in rows[1:]] == ["0", "1"]
    bad = await client.get("/api/v1/programme/report.csv?table=nope", headers=admin)
    assert bad.status_code == 400 and "cascade_institutions" in bad.text
    book = await client.get("/api/v1/programme/report.xlsx", headers=admin)
    wb = openpyxl.load_workbook(io.BytesIO(book.content))
    assert {"Overview", "Trainings", "Countries", "Cascade generations"} <= set(wb.sheetnames)
    names = zipfile.ZipFile(io.BytesIO(book.content)).namelist()
    assert len([n for n in names if n.startswith("xl/charts/chart")]) >= 3


async def test_programme_page_sends_anonymous_people_to_sign_in_and_trainers_see_their_own(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    await _two_trainings(app, client, admin)
    page = await client.get("/console/programme?country=MA", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=/console/programme%3Fcountry%3DMA"
    tariq = await make_token(app, "tariq", "trainer")  # trains rabat-tot only
    own = await client.get("/console/programme", headers=tariq)
    assert "ToT on TIP and SOM" in own.text and "tanger-cascade" not in own.text
    data = (await client.get("/api/v1/programme/report", headers=tariq)).json()
    assert [t["key"] for t in data["trainings"]] == ["rabat-tot"]
