"""Publishing a real workbook over the API: what the import assumed comes back as warnings."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import publish_file

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
