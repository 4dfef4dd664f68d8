"""Publishing a real workbook over the API and the console: what the import assumed is said,
and the console shows the form's logic before anything is published."""

from __future__ import annotations

import html
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import publish_file
from tests.test_console_auth import session_headers

CORPUS = Path(__file__).parent / "data" / "xlsforms"


async def test_publishing_a_workbook_without_a_version_says_which_version_it_got(
    client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    r = await publish_file(client, admin, CORPUS / "pyxform__example_xls__group.xlsx")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"].startswith("auto-")
    assert [w["where"] for w in body["warnings"]] == [
        "pyxform__example_xls__group.xlsx, sheet 'settings', column 'version'"
    ]
    assert f"this content is version {body['version']!r}" in body["warnings"][0]["message"]
    stored = await client.get(f"/api/v1/forms/{body['id']}/{body['version']}", headers=admin)
    assert stored.status_code == 200


async def test_console_preview_lists_warnings_and_shows_the_logic(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    name = "correlaid__testB.xlsx"
    headers, csrf = await session_headers(app, "ada")
    response = await client.post(
        "/console/forms/upload", data={"csrf": csrf},
        files={"file": (name, (CORPUS / name).read_bytes())}, headers=headers,
    )  # fmt: skip
    page = html.unescape(response.text)
    assert response.status_code == 200, page
    assert "What the check assumed or left out (1)" in page
    assert f"{name}, sheet 'survey', row 61, column 'constraint_message'" in page
    assert "Shown when" in page and "Calculated as" in page
