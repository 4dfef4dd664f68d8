"""The console's routes under /console, its static files, and its HTML error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from server.console import i18n
from server.console.pages.auth import AUTH_ROUTES
from server.console.pages.forms import FORM_PAGES
from server.console.pages.registry import REGISTRY_PAGES
from server.console.pages.trainings import TRAINING_PAGES
from server.console.pages.uploads import UPLOAD_PAGES
from server.console.render import html, language
from server.static import STATIC_OPTIONS

STATIC = Path(__file__).resolve().parent / "static"
_MESSAGES = {401: "error_401", 403: "error_403", 404: "error_404"}


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Errors as pages: anonymous visitors of a page are sent to sign in, others see why."""
    status = exc.status_code
    if status == 401 and request.method in ("GET", "HEAD"):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/console/login?next={quote(here, safe='/')}", status_code=303)
    lang = language(request)
    detail = str(exc.detail or "")
    if status == 403 and "expired" in detail:
        message = i18n.translate(lang, "form_expired")
    elif status in _MESSAGES:
        message = i18n.translate(lang, _MESSAGES[status])
    else:
        message, detail = detail, ""
    return html(
        request,
        "error.html",
        {"message": message, "detail": detail if status == 404 else ""},
        status_code=status,
        headers=exc.headers or None,
    )


CONSOLE_ROUTES: list[ControllerRouterHandler] = [
    Router(
        "/console",
        route_handlers=[
            *AUTH_ROUTES,
            *TRAINING_PAGES,
            *FORM_PAGES,
            *REGISTRY_PAGES,
            *UPLOAD_PAGES,
        ],
        exception_handlers={HTTPException: _http_error},
        include_in_schema=False,
    ),
    create_static_files_router(
        "/console/static",
        directories=[STATIC],
        include_in_schema=False,
        send_as_attachment=False,
        **STATIC_OPTIONS,
    ),
]
