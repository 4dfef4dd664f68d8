"""Rendering console pages: one jinja2 environment, the language of the request, the frame."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any

import jinja2
from litestar import Request, Response
from litestar.datastructures import Cookie

from server.auth.principal import Principal
from server.console import i18n
from server.cookies import LANG_COOKIE

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: str | None) -> str:
    """A stored ISO time as people read it ("2019-01-07 09:19 UTC")."""
    if not value:
        return ""
    return value[:16].replace("T", " ") + (" UTC" if "T" in value else "")


def _clock(value: str | None) -> str:
    """A short arrival time for the live monitor ("01-07 09:19", UTC)."""
    return value[5:16].replace("T", " ") if value else ""


@cache
def _static(name: str) -> str:
    """The URL of a console static file, versioned by its content: a proxy may cache it for
    long (deploy/Caddyfile does), and a changed file gets a new URL."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/console/static/{name}?v={digest}"


ENV.filters["when"] = _when
ENV.filters["clock"] = _clock
ENV.filters["static"] = _static


def language(request: Request[Any, Any, Any]) -> str:
    return i18n.choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", ""))


def user_of(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def html(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    cookies: list[Cookie] | None = None,
) -> Response[str]:
    """Render `template` with the frame's context (user, CSRF token, language, direction)."""
    lang = language(request)
    user = user_of(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = ENV.get_template(template).render(
        {
            "t": partial(i18n.translate, lang),
            "pick": partial(_pick, lang=lang),
            "lang": lang,
            "dir": "rtl" if lang in i18n.RTL else "ltr",
            "languages": i18n.LANGUAGES,
            "rtl": i18n.RTL,
            "user": user,
            "csrf": user.csrf if user else "",
            "here": here,
            **(context or {}),
        }
    )
    return Response(
        body,
        status_code=status_code,
        media_type="text/html",
        headers={"Cache-Control": "no-store", **(headers or {})},
        cookies=cookies,
    )


def _pick(text: Mapping[str, str] | str | None, lang: str) -> str:
    return i18n.pick(text, lang)
