"""How the server serves the participant app: the shell, its worker, its files, its headers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from server.routes.pwa import shell_version
from server.settings import DEFAULT_PWA_DIR as PWA_DIR

SW_SOURCE = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
SHELL_SOURCE = (PWA_DIR / "index.html").read_text(encoding="utf-8")


async def test_join_link_and_app_home_serve_the_shell(client: AsyncTestClient[Any]) -> None:
    for path in ("/t/ABCD2345", "/app/", "/app"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert '<main id="main">' in r.text


async def test_shell_has_no_inline_script_or_style(client: AsyncTestClient[Any]) -> None:
    html = (await client.get("/app/")).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


async def test_worker_is_stamped_with_the_app_version_and_never_cached(
    client: AsyncTestClient[Any],
) -> None:
    r = await client.get("/sw.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "no-cache"
    assert f"const VERSION = '{shell_version(PWA_DIR)}';" in r.text
    assert "const VERSION = 'dev';" in SW_SOURCE


async def test_every_precached_file_is_served(client: AsyncTestClient[Any]) -> None:
    listed = re.search(r"const SHELL = \[(.*?)\];", SW_SOURCE, re.S)
    assert listed
    urls = re.findall(r"'([^']+)'", listed.group(1))
    on_disk = {
        "/app/" + p.relative_to(PWA_DIR).as_posix()
        for p in PWA_DIR.rglob("*")
        if p.suffix in {".js", ".css"} and p.name != "sw.js"
    }
    assert on_disk <= set(urls), "a module or stylesheet is missing from the precache list"
    for url in urls:
        assert (await client.get(url)).status_code == 200, url


async def test_manifest_makes_the_app_installable(client: AsyncTestClient[Any]) -> None:
    r = await client.get("/manifest.webmanifest")
    assert r.headers["content-type"].startswith("application/manifest+json")
    m = r.json()
    assert m["display"] == "standalone" and m["start_url"] and m["theme_color"]
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in m["icons"]}
    assert {("192x192", "maskable"), ("512x512", "maskable")} <= sizes
    for icon in m["icons"]:
        assert (await client.get(icon["src"])).status_code == 200


def test_version_changes_with_any_file(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("one")
    before = shell_version(tmp_path)
    (tmp_path / "a.js").write_text("two")
    assert shell_version(tmp_path) != before


def test_every_module_the_app_imports_is_preloaded_by_the_shell() -> None:
    """On a slow network each level of imports costs a round trip before the first screen:
    the shell asks for the whole graph at once."""
    found = re.compile(r"""^import\s[^'"]*?from\s+['"](\.[^'"]+)['"]""", re.MULTILINE)
    graph, waiting = set(), [PWA_DIR / "js" / "app.js"]
    while waiting:
        module = waiting.pop().resolve()
        for ref in found.findall(module.read_text(encoding="utf-8")):
            target = (module.parent / ref).resolve()
            if target not in graph:
                graph.add(target)
                waiting.append(target)
    preloaded = set(re.findall(r'rel="modulepreload" href="/app/([^"]+)"', SHELL_SOURCE))
    assert {str(p.relative_to(PWA_DIR.resolve())) for p in graph} == preloaded
