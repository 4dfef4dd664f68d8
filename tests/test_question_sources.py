"""A question's `source`: checked like any text, shown to staff, never sent to phones."""

from __future__ import annotations

import html
import io
from pathlib import Path

import msgspec
import openpyxl
from litestar import Litestar
from litestar.testing import AsyncTestClient

from forms.loaders import load_path
from forms.model import QuestionSet
from forms.public import public_view
from forms.scoring import score
from forms.validate import validate
from server.reports import tables as tbl
from server.reports.build import build_report
from server.reports.inputs import Institution, ReportInput, Response, TrainingInfo
from server.reports.render_csv import render_csv
from server.reports.render_html import render_html
from server.reports.render_xlsx import render_xlsx
from tests.conftest import publish_file
from tests.test_console_auth import session_headers

LIBRARY = Path(__file__).resolve().parent.parent / "forms" / "library"
NEW_TEST = LIBRARY / "tip-som-knowledge-2019.2.yaml"


def test_a_source_needs_every_language_of_the_set() -> None:
    qs = load_path(NEW_TEST)
    q1 = qs.questions[0]
    assert q1.source is not None
    broken = msgspec.structs.replace(
        qs, questions=[msgspec.structs.replace(q1, source={"en": q1.source["en"]})]
    )
    errors = validate(broken)
    assert [e.where for e in errors] == ["questions[0].source"]
    assert "missing the fr, ar text" in errors[0].message


def test_phones_never_receive_sources() -> None:
    view = public_view(load_path(NEW_TEST))
    assert all("source" not in q for q in view["questions"])


def _report_input(qs: QuestionSet) -> ReportInput:
    answers = [{}, {"q1": "b", "q4": "c"}, {"q1": "b", "q5": False, "q7": True}]
    responses = [
        Response(
            submission_id=f"{phase}{i}", code=f"P{i}", institution="police", sex="female",
            phase=phase, completed_at=f"2019-01-0{7 + (phase == 'post')}T10:0{i}:00Z",
            form_id=qs.id, form_version=qs.version, percent=result.percent,
            item_points=result.points,
        )
        for phase in ("pre", "post")
        for i, given in enumerate(answers)
        for result in [score(qs, dict(given) if phase == "post" else {})]
    ]  # fmt: skip
    return ReportInput(
        training=TrainingInfo(id="t", title="T"),
        institutions=[Institution(key="police", name={"en": "Police"})],
        responses=responses, pre_form=qs, post_form=qs,
    )  # fmt: skip


def test_the_report_shows_each_questions_source_in_every_format() -> None:
    qs = load_path(NEW_TEST)
    inp = _report_input(qs)
    report = build_report(inp, lang="fr")
    q1 = next(i for i in report["items"] if i["id"] == "q1")
    assert q1["source"] == "Protocole relatif à la traite des personnes, art. 3 a)"
    page = render_html(report, lang="fr")
    assert html.escape(q1["source"], quote=False) in page.replace("&#39;", "'")
    items = tbl.table("items", report)
    assert "Source" in render_csv(items).decode("utf-8-sig").splitlines()[0].split(",")
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report, tbl.all_tables(report, inp))))
    sheet = book["Questions"]
    column = [c.value for c in sheet[1]].index("Source")
    assert sheet.cell(2, column + 1).value == q1["source"]


async def test_the_console_preview_shows_sources_to_staff(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    assert (await publish_file(client, admin, NEW_TEST)).status_code == 201
    headers, _ = await session_headers(app, "ada")
    page = await client.get("/console/forms/tip-som-knowledge/2019.2", headers=headers)
    assert page.status_code == 200
    text = html.unescape(page.text)
    for code, source in load_path(NEW_TEST).questions[12].source.items():  # type: ignore[union-attr]
        assert source in text, code
