"""Static files: only the app's own assets are served, and a miss names no path on the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import DEFAULT_PWA_DIR as PWA_DIR

ROOT = str(Path(__file__).resolve().parents[1])


async def test_notes_beside_the_app_are_not_served(client: AsyncTestClient[Any]) -> None:
    assert (PWA_DIR / "README.md").exists()
    for path in ("/app/README.md", "/app/.gitignore", "/console/static/../../app.py"):
        response = await client.get(path)
        assert response.status_code == 404, path
    for path in ("/app/app.css", "/app/js/app.js", "/app/icons/icon.svg",
                 "/console/static/console.css"):  # fmt: skip
        assert (await client.get(path)).status_code == 200, path


async def test_static_misses_name_no_server_path(client: AsyncTestClient[Any]) -> None:
    for path in ("/app/nope.js", "/app/js/", "/app/icons", "/console/static/nope.css",
                 "/console/static/"):  # fmt: skip
        response = await client.get(path)
        assert response.status_code == 404, path
        assert ROOT not in response.text and str(PWA_DIR) not in response.text, response.text
