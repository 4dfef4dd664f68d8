"""Sign-in, sign-out and the language switcher."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from server.auth.guards import current, same, staff_guard
from server.auth.middleware import SESSION_COOKIE
from server.auth.passwords import password_matches
from server.console import i18n
from server.console.render import html, user_of
from server.console.security import (
    LOGIN_COOKIE,
    expired_session_cookie,
    login_cookie,
    session_cookie,
    throttle,
)
from server.cookies import LANG_COOKIE
from server.db import users as users_db
from server.db.database import Database


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only console paths, never another site."""
    if (
        target
        and target.startswith("/console")
        and "\\" not in target
        and not target.startswith("/console/login")
    ):
        return target
    return "/console"


def _secure(request: Request[Any, Any, Any]) -> bool:
    return bool(request.app.state.settings.https)


def _login_page(
    request: Request[Any, Any, Any],
    *,
    next_: str,
    username: str = "",
    error: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    # Keep the token of an earlier visit, so two open sign-in tabs both still work.
    token = request.cookies.get(LOGIN_COOKIE, "")
    if len(token) < 32:
        token = secrets.token_urlsafe(24)
    return html(
        request,
        "login.html",
        {"next": next_, "username": username, "error": error, "login_csrf": token},
        status_code=status_code,
        headers=headers,
        cookies=[login_cookie(token, _secure(request))],
    )


@get("/login")
async def login_form(request: Request[Any, Any, Any]) -> Response[Any]:
    target = safe_next(request.query_params.get("next"))
    if user_of(request) is not None:
        return Redirect(target, status_code=303)
    return _login_page(request, next_=target)


@post("/login", status_code=200)
async def login(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[Any]:
    form = await request.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    lang = i18n.choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", ""))
    if not same(form.get("csrf"), request.cookies.get(LOGIN_COOKIE, "")):
        return _login_page(
            request, next_=target, username=username,
            error=i18n.translate(lang, "form_expired"), status_code=403,
        )  # fmt: skip
    gate = throttle(request)
    address = request.client.host if request.client else "?"
    wait = gate.wait(address, username)
    if not wait:
        user = await users_db.get(db, username) if username else None
        usable = user is not None and not user["disabled"]
        ok = await password_matches(user["password_hash"] if usable and user else None, password)
        if user is not None and ok:
            secret, _ = await users_db.create_session(db, username)
            return Redirect(
                target,
                status_code=303,
                cookies=[
                    session_cookie(secret, _secure(request)),
                    Cookie(key=LOGIN_COOKIE, value="", path="/console/login", max_age=0),
                ],
            )
        wait = gate.failed(address, username)
        if not wait:
            return _login_page(
                request, next_=target, username=username,
                error=i18n.translate(lang, "login_failed"), status_code=401,
            )  # fmt: skip
    minutes = max(1, (wait + 59) // 60)
    return _login_page(
        request, next_=target, username=username,
        error=i18n.translate(lang, "login_throttled", minutes=minutes), status_code=429,
        headers={"Retry-After": str(wait)},
    )  # fmt: skip


@post("/logout", guards=[staff_guard], status_code=303)
async def logout(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Redirect:
    current(request)
    secret = request.cookies.get(SESSION_COOKIE, "")
    if secret:
        await users_db.end_session(db, secret)
    # To the console's home, which sends a signed-out browser on to the sign-in page.
    return Redirect("/console", status_code=303, cookies=[expired_session_cookie(_secure(request))])


@get("/lang/{code:str}")
async def switch_language(code: FromPath[str], request: Request[Any, Any, Any]) -> Redirect:
    """Remember the chosen language in a cookie and go back to the page."""
    target = request.query_params.get("next") or ""
    back = target if target.startswith("/console") and "\\" not in target else "/console"
    cookies: list[Cookie] = []
    if code in i18n.LANGUAGES:
        cookies.append(
            Cookie(key=LANG_COOKIE, value=code, path="/", max_age=365 * 24 * 3600, samesite="lax")
        )
    return Redirect(back, status_code=303, cookies=cookies)


AUTH_ROUTES = [login_form, login, logout, switch_language]
