"""Report routes through the real app: JSON names, CSV tables, XLSX, the page, and who may see."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.reports.tables import TABLES
from tests.conftest import batch, knowledge_answers, make_token, submission

Client = AsyncTestClient[Litestar]

EVIL_COMMENT = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script>'


def _mixed_answers(n_right: int) -> dict[str, Any]:
    right, wrong = knowledge_answers(True), knowledge_answers(False)
    return {q: (right[q] if i < n_right else wrong[q]) for i, q in enumerate(right)}


def _evaluation(i: int) -> dict[str, Any]:
    answers: dict[str, Any] = {f"e{k}": 1 + (i + k) % 5 for k in range(1, 9)}
    answers["e9"] = "right"
    if i == 0:
        answers["e10"] = EVIL_COMMENT
    return answers


async def seed(client: Client, join_code: str, n: int = 6) -> None:
    subs = []
    for i in range(n):
        who = {
            "code": f"AB{i:02d}X",
            "institution": "gendarmerie" if i % 2 else "police",
            "sex": "female" if i % 3 else "male",
        }
        subs.append(submission(join_code, "pre", participant=who, answers=_mixed_answers(3 + i)))
        subs.append(
            submission(
                join_code, "post", participant=who, answers=_mixed_answers(6 + 2 * i),
                completed_at="2019-01-11T15:00:00Z",
            )
        )  # fmt: skip
        subs.append(
            submission(
                join_code, "evaluation", form="tot-evaluation", participant=who,
                answers=_evaluation(i), completed_at="2019-01-11T16:00:00Z",
            )
        )  # fmt: skip
    response = await client.post("/api/v1/sync", json=batch(*subs))
    assert response.status_code == 200, response.text
    statuses = {r["status"] for r in response.json()["results"]}
    assert statuses == {"accepted"}, response.json()


async def test_report_json_has_designs_names_and_real_numbers(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await seed(client, training["join_code"])
    response = await client.get(f"/api/v1/trainings/{training['id']}/report", headers=admin)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["flow"]["matched"] == 6 and report["flow"]["registered"] == 6
    overall = report["overall"]
    assert overall["n_matched"] == 6
    assert overall["post_mean"] > overall["pre_mean"]
    assert overall["t"] is not None and overall["df"] == 5
    assert {g["key"] for g in report["institutions"]} == {"gendarmerie", "police"}
    assert len(report["items"]) == 15
    assert report["test_stats"]["post"]["n"] == 6
    assert any(e["id"] == "e1" and sum(e["counts"].values()) == 6 for e in report["evaluation"])
    assert [c["text"] for c in report["comments"]] == [EVIL_COMMENT]
    assert response.headers["cache-control"] == "no-store"


async def test_csv_tables_have_bom_and_neutralise_formulas(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await seed(client, training["join_code"])
    base = f"/api/v1/trainings/{training['id']}/report.csv"
    for name in TABLES:
        response = await client.get(base, params={"table": name}, headers=admin)
        assert response.status_code == 200, (name, response.text)
        assert response.content.startswith(b"\xef\xbb\xbf"), name
        assert response.headers["content-type"] == "text/csv; charset=utf-8", name
    comments = await client.get(base, params={"table": "comments"}, headers=admin)
    rows = list(csv.reader(io.StringIO(comments.content.decode("utf-8-sig"))))
    assert rows[1][-1] == "'" + EVIL_COMMENT
    responses = await client.get(base, params={"table": "responses"}, headers=admin)
    cells = [
        c for row in csv.reader(io.StringIO(responses.content.decode("utf-8-sig"))) for c in row
    ]
    assert "'" + EVIL_COMMENT in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


async def test_unknown_csv_table_is_400_listing_the_valid_ones(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    response = await client.get(
        f"/api/v1/trainings/{training['id']}/report.csv", params={"table": "nope"}, headers=admin
    )
    assert response.status_code == 400
    assert "participants" in response.text and "responses" in response.text


async def test_xlsx_opens_with_sheets_and_charts(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await seed(client, training["join_code"])
    response = await client.get(f"/api/v1/trainings/{training['id']}/report.xlsx", headers=admin)
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    for sheet in ("Overview", "Participants", "Institutions", "Questions", "Evaluation",
                  "Comments", "Responses"):  # fmt: skip
        assert sheet in wb.sheetnames
    assert wb["Participants"].freeze_panes == "A2"
    assert wb["Comments"]["D2"].value == EVIL_COMMENT  # stored as text, not as a formula
    assert wb["Comments"]["D2"].data_type == "s"
    # openpyxl drops charts on load; count the chart parts in the package instead.
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len([n for n in names if n.startswith("xl/charts/chart")]) >= 3


async def test_report_page_escapes_comments(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await seed(client, training["join_code"])
    response = await client.get(f"/console/trainings/{training['id']}/report", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg" in page and "Methods" in page


async def seed_doubts(client: Client, join_code: str) -> None:
    """A second pre-test for AB00X from another phone, as another sex and institution, and a
    late pre-test: what the report's "to check" section is for."""
    again = submission(
        join_code, "pre", answers=_mixed_answers(5), completed_at="2019-01-07T10:00:00Z",
        participant={"code": "AB00X", "institution": "gendarmerie", "sex": "female"},
    )  # fmt: skip
    late = submission(
        join_code, "pre", answers=_mixed_answers(5), completed_at="2019-03-01T10:00:00Z",
        participant={"code": "ZZ99Y", "institution": "police", "sex": "male"},
    )  # fmt: skip
    other_phone = {**batch(again, late), "device": "9d0e5b8d-8f3c-4a51-9d0e-3b1f2c1e7d4a"}
    response = await client.post("/api/v1/sync", json=other_phone)
    assert {r["status"] for r in response.json()["results"]} == {"accepted"}, response.text


async def test_checks_keep_english_reasons_and_give_kinds_and_params(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await seed(client, training["join_code"])
    await seed_doubts(client, training["join_code"])
    url = f"/api/v1/trainings/{training['id']}/report"
    flags = (await client.get(url, headers=admin)).json()["flags"]
    [shared] = flags["duplicate_codes"]
    assert shared["code"] == "AB00X"
    assert shared["reasons"] == [
        "pre answered as male and as female",
        "pre answered from police and from gendarmerie",
        "pre sent from 2 devices",
    ]
    assert shared["details"] == [
        {"kind": "sex", "params": {"phase": "pre", "first": "male", "later": "female"}},
        {"kind": "institution",
         "params": {"phase": "pre", "first": "police", "later": "gendarmerie"}},
        {"kind": "devices", "params": {"phase": "pre", "n": 2}},
    ]  # fmt: skip
    assert flags["timing"] == {"late": 1}
    csv_url = f"/api/v1/trainings/{training['id']}/report.csv"
    table = (await client.get(csv_url, params={"table": "flags"}, headers=admin)).text
    assert "pre answered as male and as female; pre answered from police" in table


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", (
            "Code AB00X may be shared by two people: pre answered as male and as female; pre "
            "answered from police and from gendarmerie; pre sent from 2 devices.",
            "1 counted submission(s) flagged “late”.",
        )),
        ("fr", (
            "Le code AB00X est peut-être partagé par deux personnes : sexe « homme » puis "
            "« femme » pour le pré-test ; institution police puis gendarmerie pour le pré-test ; "
            "2 appareils différents pour le pré-test.",
            "1 envoi(s) compté(s) signalé(s) « en retard ».",
        )),
        ("ar", (
            "قد يكون الرمز AB00X مشتركا بين شخصين: الجنس «ذكر» ثم «أنثى» في الاختبار القبلي؛ "
            "المؤسسة police ثم gendarmerie في الاختبار القبلي؛ "
            "إرسال من أجهزة مختلفة عددها 2 في الاختبار القبلي.",
            "1 من الإرسالات المحتسبة عليها علامة «متأخر».",
        )),
    ],
)  # fmt: skip
async def test_report_page_says_what_to_check_in_its_language(
    client: Client,
    admin: dict[str, str],
    training: dict[str, Any],
    lang: str,
    expected: tuple[str, ...],
) -> None:
    await seed(client, training["join_code"])
    await seed_doubts(client, training["join_code"])
    url = f"/console/trainings/{training['id']}/report"
    page = (await client.get(url, params={"lang": lang}, headers=admin)).text
    for sentence in expected:
        assert sentence in page, sentence
    if lang != "en":
        for english in ("answered as", "answered from", "devices", "“late”"):
            assert english not in page, english


@pytest.mark.parametrize("page", ["/console/trainings/{id}/report", "/console/programme"])
async def test_every_download_link_on_a_report_page_answers(
    client: Client, admin: dict[str, str], training: dict[str, Any], page: str
) -> None:
    await seed(client, training["join_code"])
    text = (await client.get(page.format(id=training["id"]), headers=admin)).text
    links = [html.unescape(link) for link in re.findall(r'href="(/api/[^"]+)"', text)]
    assert len(links) >= 2, "the CSV and Excel downloads"
    for link in links:
        assert (await client.get(link, headers=admin)).status_code == 200, link


async def test_reports_need_staff_and_trainers_see_only_their_trainings(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    url = f"/api/v1/trainings/{training['id']}/report"
    assert (await client.get(url)).status_code == 401
    page = await client.get(f"/console/trainings/{training['id']}/report", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")
    own = await make_token(app, "tariq", "trainer")
    assert (await client.get(url, headers=own)).status_code == 200
    other = await make_token(app, "omar", "trainer")
    for suffix in ("", ".csv", ".xlsx"):
        response = await client.get(f"{url}{suffix}", headers=other)
        assert response.status_code == 404, suffix
    assert (await client.get("/api/v1/trainings/nope/report", headers=admin)).status_code == 404


async def test_write_report_for_the_cli(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any], tmp_path: Any
) -> None:
    from server.reports.output import write_report

    await seed(client, training["join_code"])
    db = app.state.db
    await write_report(db, training["id"], "json", tmp_path / "r.json")
    await write_report(db, training["id"], "html", tmp_path / "r.html")
    await write_report(db, training["id"], "xlsx", tmp_path / "r.xlsx")
    await write_report(db, training["id"], "csv", tmp_path / "csv")
    await write_report(db, training["id"], "csv", tmp_path / "r.zip")
    assert (tmp_path / "r.json").read_bytes().startswith(b"{")
    assert "<svg" in (tmp_path / "r.html").read_text()
    assert (tmp_path / "csv" / f"{training['id']}-participants.csv").exists()
    assert (tmp_path / "r.zip").stat().st_size > 0


async def test_write_report_names_an_unknown_training(app: Litestar, client: Client) -> None:
    from server.reports.output import NoSuchTraining, write_report

    with pytest.raises(NoSuchTraining, match="No training 'nope'"):
        await write_report(app.state.db, "nope", "json", Path("/nonexistent/r.json"))
