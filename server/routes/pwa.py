"""Serving the participant app: the shell at `/t/{code}` and `/app/`, its files, its worker."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from server.static import STATIC_OPTIONS

NO_CACHE = {"Cache-Control": "no-cache"}


def shell_version(root: Path) -> str:
    """A hash of every file of the app, stamped into the service worker.

    Any change to the app changes the worker's bytes, so phones install the new
    shell into a new cache and drop the old one.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _root(request: Request[Any, Any, Any]) -> Path:
    """The app's folder: `Settings.pwa_dir`."""
    root: Path = request.app.state.settings.pwa_dir
    return root


def _index(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(
        (_root(request) / "index.html").read_bytes(), media_type="text/html", headers=NO_CACHE
    )


@get("/t/{join_code:str}", include_in_schema=False, sync_to_thread=False)
def join_page(join_code: FromPath[str], request: Request[Any, Any, Any]) -> Response[bytes]:
    """The app; it reads the join code from the path itself, also offline."""
    return _index(request)


@get(["/app", "/app/"], include_in_schema=False, sync_to_thread=False)
def app_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The app listing the trainings this phone holds."""
    return _index(request)


@get("/sw.js", include_in_schema=False, sync_to_thread=False)
def service_worker(request: Request[Any, Any, Any]) -> Response[bytes]:
    root = _root(request)
    source = (root / "sw.js").read_text(encoding="utf-8")
    stamped = source.replace(
        "const VERSION = 'dev';", f"const VERSION = '{shell_version(root)}';", 1
    )
    return Response(
        stamped.encode(),
        media_type="text/javascript",
        headers={**NO_CACHE, "Service-Worker-Allowed": "/"},
    )


@get("/manifest.webmanifest", include_in_schema=False, sync_to_thread=False)
def manifest(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(
        (_root(request) / "manifest.webmanifest").read_bytes(),
        media_type="application/manifest+json",
        headers=NO_CACHE,
    )


def pwa_routes(root: Path) -> list[ControllerRouterHandler]:
    """The app's routes, serving the folder `root` (the settings' `pwa_dir`)."""
    return [
        join_page,
        app_page,
        service_worker,
        manifest,
        create_static_files_router(
            path="/app",
            directories=[root],
            name="pwa",
            cache_control=CacheControlHeader(no_cache=True),
            include_in_schema=False,
            **STATIC_OPTIONS,
        ),
    ]
