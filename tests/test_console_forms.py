"""Question sets in the console: upload, located errors, preview with the key, publish, retire."""

from __future__ import annotations

import base64
import html
import io
import re

import openpyxl
from litestar import Litestar
from litestar.testing import AsyncTestClient

from forms.loaders import load_path
from server.db import forms as forms_db
from tests.conftest import EVALUATION, KNOWLEDGE
from tests.test_console_auth import session_headers

BROKEN = b"""\
id: broken-test
version: "1"
kind: test
title: {en: Broken}
languages: [en]
questions:
  - id: q1
    type: single
    text: {en: "Pick one"}
    choices:
      - {id: a, text: {en: A}, correct: true}
      - {id: b, text: {en: B}}
  - id: q2
    type: sometimes
    text: {en: "Hmm"}
"""

GOOD = """\
id: console-check
version: "1"
kind: test
title: {en: Console check, fr: Vérification, ar: فحص}
languages: [en, fr, ar]
questions:
  - id: q1
    type: single
    text: {en: "Which is smuggling?", fr: "Lequel est du trafic illicite ?", ar: "ما هو التهريب؟"}
    choices:
      - {id: a, text: {en: "Crossing for money", fr: "Passage contre argent", ar: "عبور مقابل المال"}, correct: true}
      - {id: b, text: {en: "Forced labour", fr: "Travail forcé", ar: "العمل القسري"}}
  - id: q2
    type: number
    answer: 27
    tolerance: 1
    text: {en: "How many victims?", fr: "Combien de victimes ?", ar: "كم عدد الضحايا؟"}
"""


async def upload(
    client: AsyncTestClient[Litestar], headers: dict[str, str], csrf: str, name: str, data: bytes
) -> tuple[int, str]:
    response = await client.post(
        "/console/forms/upload", data={"csrf": csrf}, files={"file": (name, data)},
        headers=headers,
    )  # fmt: skip
    return response.status_code, response.text


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return html.unescape(found.group(1))


async def test_broken_yaml_shows_its_errors_with_line_numbers(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "ada")
    status, page = await upload(client, headers, csrf, "broken.yaml", BROKEN)
    assert status == 422
    assert "nothing was published" in page
    assert "broken.yaml, line 14, questions[1].type" in page
    assert "&#39;sometimes&#39; is not a valid type" in page
    status, page = await upload(client, headers, csrf, "broken.yaml", b"id: x\nversion: [1\n")
    assert status == 422 and "broken.yaml, line 3" in page and "not valid YAML" in page
    status, page = await upload(client, headers, csrf, "deep.json", b"[" * 100_000)
    assert status == 422 and "nested too deeply" in page
    status, page = await upload(client, headers, csrf, "latin1.json", b'{"id": "\xff"}')
    assert status == 422 and "not valid UTF-8" in page
    assert await forms_db.list_all(app.state.db) == []


async def test_good_yaml_previews_every_language_with_the_key_then_publishes(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "ada")
    status, page = await upload(client, headers, csrf, "check.yaml", GOOD.encode())
    assert status == 200, page
    assert await forms_db.list_all(app.state.db) == []  # a preview publishes nothing
    for code, direction in (("en", "ltr"), ("fr", "ltr"), ("ar", "rtl")):
        assert f'id="lang-{code}" lang="{code}" dir="{direction}"' in page
    assert "Lequel est du trafic illicite ?" in page and "ما هو التهريب؟" in page
    # The key, for the admin's eyes: the right choice is marked and the number's answer shown.
    assert re.search(
        r'class="is-correct"><input type="radio" disabled checked[^>]*> Crossing', page
    )
    assert "Answer: 27" in page and "± 1" in page
    assert base64.b64decode(hidden(page, "payload")) == GOOD.encode()
    published = await client.post(
        "/console/forms/publish",
        data={"csrf": csrf, "payload": hidden(page, "payload"),
              "filename": hidden(page, "filename"), "hash": hidden(page, "hash")},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert published.status_code == 303, published.text
    assert published.headers["location"] == "/console/forms/console-check/1?done=published"
    rows = await forms_db.list_all(app.state.db)
    assert [(r["id"], r["version"], r["hash"]) for r in rows] == [
        ("console-check", "1", hidden(page, "hash"))
    ]
    view = await client.get(published.headers["location"], headers=headers)
    assert "Published." in view.text and "Which is smuggling?" in view.text
    listing = await client.get("/console/forms", headers=headers)
    assert "console-check" in listing.text and hidden(page, "hash") in listing.text


async def test_publishing_checks_the_content_is_the_one_previewed(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "ada")
    _, page = await upload(client, headers, csrf, "check.yaml", GOOD.encode())
    tampered = base64.b64encode(GOOD.replace("answer: 27", "answer: 28").encode()).decode()
    response = await client.post(
        "/console/forms/publish",
        data={"csrf": csrf, "payload": tampered, "filename": "check.yaml",
              "hash": hidden(page, "hash")},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 409
    assert "not the one previewed" in response.text
    assert await forms_db.list_all(app.state.db) == []


async def test_same_version_with_other_content_is_refused_with_409(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "ada")
    first = GOOD.encode()
    _, page = await upload(client, headers, csrf, "check.yaml", first)
    data = {"csrf": csrf, "filename": "check.yaml"}
    ok = await client.post(
        "/console/forms/publish",
        data={**data, "payload": hidden(page, "payload"), "hash": hidden(page, "hash")},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303
    # Identical content again: a no-op, said so.
    _, again = await upload(client, headers, csrf, "check.yaml", first)
    assert "already published with exactly this content" in again
    same = await client.post(
        "/console/forms/publish",
        data={**data, "payload": hidden(again, "payload"), "hash": hidden(again, "hash")},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert same.headers["location"].endswith("?done=unchanged")
    # Other content under the same version: warned on the preview, refused on publish.
    changed = GOOD.replace("answer: 27", "answer: 28").encode()
    _, preview = await upload(client, headers, csrf, "check.yaml", changed)
    assert "already published with other content" in preview
    refused = await client.post(
        "/console/forms/publish",
        data={**data, "payload": hidden(preview, "payload"), "hash": hidden(preview, "hash")},
        headers=headers,
    )  # fmt: skip
    assert refused.status_code == 409
    assert "Give the new content a new version number" in refused.text
    rows = await forms_db.list_all(app.state.db)
    assert [r["hash"] for r in rows] == [hidden(page, "hash")]


async def test_admin_retires_and_brings_back_a_set(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "ada")
    _, page = await upload(client, headers, csrf, EVALUATION.name, EVALUATION.read_bytes())
    await client.post(
        "/console/forms/publish",
        data={"csrf": csrf, "payload": hidden(page, "payload"), "filename": EVALUATION.name,
              "hash": hidden(page, "hash")},
        headers=headers,
    )  # fmt: skip
    for flag, expected in (("1", True), ("0", False)):
        response = await client.post(
            "/console/forms/tot-evaluation/2019.1/retire", data={"csrf": csrf, "retired": flag},
            headers=headers, follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303
        assert await forms_db.is_retired(app.state.db, "tot-evaluation", "2019.1") is expected
    missing = await client.post(
        "/console/forms/nope/1/retire", data={"csrf": csrf, "retired": "1"}, headers=headers
    )
    assert missing.status_code == 404


async def test_published_set_page_renders_every_question_of_the_library_test(
    app: Litestar, client: AsyncTestClient[Litestar], training: object
) -> None:
    headers, _ = await session_headers(app, "tariq")
    page = await client.get("/console/forms/tip-som-knowledge/2019.1", headers=headers)
    assert page.status_code == 200
    qs = load_path(KNOWLEDGE)
    for q in qs.questions:
        for code in qs.languages:
            assert f'id="q-{code}-{q.id}"' in page.text
            assert html.escape(q.text[code], quote=False) in page.text.replace("&#39;", "'")


async def test_xlsform_upload_previews(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::Français (fr)", "required"])
    survey.append(["select_one yn", "q1", "Is consent relevant?", "Le consentement compte-t-il ?",
                   "yes"])  # fmt: skip
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Français (fr)", "correct"])
    choices.append(["yn", "yes", "Yes", "Oui", ""])
    choices.append(["yn", "no", "No", "Non", 1])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "kind"])
    settings.append(["xls-check", "1", "XLS check", "test"])
    buffer = io.BytesIO()
    book.save(buffer)
    headers, csrf = await session_headers(app, "ada")
    status, page = await upload(client, headers, csrf, "check.xlsx", buffer.getvalue())
    assert status == 200, page
    assert "Le consentement compte-t-il ?" in page and 'id="lang-fr"' in page


async def test_xlsform_template_downloads(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, _ = await session_headers(app, "ada")
    response = await client.get("/console/forms/template.xlsx", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.content[:2] == b"PK"  # a zip, as every .xlsx
    upload_page = await client.get("/console/forms/upload", headers=headers)
    assert 'href="/console/forms/template.xlsx"' in upload_page.text
