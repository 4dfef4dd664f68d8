"""Admin registries: institutions, users and the audit log; every user's own tokens."""

from __future__ import annotations

import json
import re
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from server.auth.guards import admin_guard, current, staff_guard
from server.auth.middleware import SESSION_COOKIE
from server.auth.passwords import MIN_LENGTH, hash_in_thread, password_problem
from server.checks import KEY_RE
from server.console import i18n
from server.console.render import html, language
from server.db import audit as audit_db
from server.db import institutions as inst_db
from server.db import users as users_db
from server.db.database import Database

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
COUNTRY_RE = re.compile(r"^([A-Z]{2})?$")
AUDIT_ROWS = 200


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# Institutions ----------------------------------------------------------------------------------


async def _institutions_page(
    request: Request[Any, Any, Any],
    db: Database,
    values: dict[str, Any],
    *,
    editing: bool,
    problems: list[str] | None = None,
    saved: str = "",
) -> Response[str]:
    return html(
        request,
        "institutions.html",
        {
            "rows": await inst_db.list_all(db),
            "v": values,
            "editing": editing,
            "problems": problems or [],
            "saved": saved,
        },
        status_code=422 if problems else 200,
    )


@get("/institutions", guards=[admin_guard])
async def institutions(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    key = request.query_params.get("edit", "")
    found = next((row for row in await inst_db.list_all(db) if row["key"] == key), None)
    values = (
        {"key": found["key"], "name": found["name"], "country": found["country"]}
        if found
        else {"key": "", "name": {}, "country": ""}
    )
    saved = request.query_params.get("saved", "")
    return await _institutions_page(request, db, values, editing=found is not None, saved=saved)


@post("/institutions", guards=[admin_guard], status_code=303)
async def save_institution(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[Any]:
    form = await request.form()
    lang = language(request)
    key = _text(form, "key")
    names = {code: _text(form, f"name_{code}") for code in i18n.LANGUAGES}
    names = {code: text for code, text in names.items() if text}
    country = _text(form, "country").upper()
    problems = []
    if not KEY_RE.match(key):
        problems.append(i18n.translate(lang, "bad_key", key=key))
    if not names:
        problems.append(i18n.translate(lang, "need_name"))
    if not COUNTRY_RE.match(country):
        problems.append(i18n.translate(lang, "bad_country", country=country))
    if problems:
        values = {"key": key, "name": names, "country": country}
        editing = form.get("editing") == "1"
        return await _institutions_page(request, db, values, editing=editing, problems=problems)
    await inst_db.upsert(db, key, names, country, current(request).username)
    return Redirect(f"/console/institutions?saved={key}", status_code=303)


# Users -----------------------------------------------------------------------------------------


async def _users_page(
    request: Request[Any, Any, Any],
    db: Database,
    values: dict[str, str],
    *,
    problems: list[str] | None = None,
    message: str = "",
) -> Response[str]:
    return html(
        request,
        "users.html",
        {
            "rows": await users_db.list_all(db),
            "v": values,
            "problems": problems or [],
            "message": message,
            "min_length": MIN_LENGTH,
        },
        status_code=422 if problems else 200,
    )


@get("/users", guards=[admin_guard])
async def users(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[str]:
    lang = language(request)
    name = request.query_params.get("created") or request.query_params.get("updated") or ""
    message = ""
    if name:
        key = "user_created" if "created" in request.query_params else "user_updated"
        message = i18n.translate(lang, key, name=name)
    return await _users_page(request, db, {"username": "", "role": "trainer"}, message=message)


@post("/users", guards=[admin_guard], status_code=303)
async def save_user(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[Any]:
    form = await request.form()
    lang = language(request)
    values = {"username": _text(form, "username").lower(), "role": _text(form, "role")}
    password = str(form.get("password") or "")
    problems = []
    if not USERNAME_RE.match(values["username"]):
        problems.append(i18n.translate(lang, "bad_username", name=values["username"]))
    if values["role"] not in ("admin", "trainer"):
        values["role"] = "trainer"
    if password_problem(password):
        key = "short_password" if len(password) < MIN_LENGTH else "common_password"
        problems.append(i18n.translate(lang, key, n=MIN_LENGTH))
    if problems:
        return await _users_page(request, db, values, problems=problems)
    who = current(request)
    # A new password ends the user's sessions, except the one setting it.
    keep = request.cookies.get(SESSION_COOKIE) if values["username"] == who.username else None
    created = await users_db.upsert(
        db, values["username"], values["role"], await hash_in_thread(password), who.username,
        keep_session=keep,
    )  # fmt: skip
    outcome = "created" if created else "updated"
    return Redirect(f"/console/users?{outcome}={values['username']}", status_code=303)


@post("/users/{username:str}/{action:str}", guards=[admin_guard], status_code=303)
async def toggle_user(
    username: FromPath[str],
    action: FromPath[str],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Response[Any]:
    """Disable a user (sessions end, tokens stop working) or enable them again."""
    if action not in ("disable", "enable"):
        raise NotFoundException(f"No action '{action}' on users; use disable or enable.")
    who = current(request)
    if username == who.username:
        lang = language(request)
        values = {"username": "", "role": "trainer"}
        problems = [i18n.translate(lang, "cannot_disable_self")]
        return await _users_page(request, db, values, problems=problems)
    if not await users_db.set_disabled(db, username, action == "disable", who.username):
        raise NotFoundException(f"No user '{username}'.")
    return Redirect("/console/users", status_code=303)


# Tokens ----------------------------------------------------------------------------------------


async def _tokens_page(
    request: Request[Any, Any, Any],
    db: Database,
    *,
    secret: str = "",
    problems: list[str] | None = None,
) -> Response[str]:
    who = current(request)
    return html(
        request,
        "tokens.html",
        {
            "rows": await users_db.list_tokens(db, None if who.is_admin else who.username),
            "show_owner": who.is_admin,
            "secret": secret,
            "problems": problems or [],
        },
        status_code=422 if problems else 200,
    )


@get("/tokens", guards=[staff_guard])
async def tokens(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[str]:
    return await _tokens_page(request, db)


@post("/tokens", guards=[staff_guard], status_code=200)
async def create_token(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    """Make a token and show its secret on this response only (never stored in clear)."""
    who = current(request)
    name = _text(await request.form(), "name")[:100]
    if not name:
        return await _tokens_page(
            request, db, problems=[i18n.translate(language(request), "need_token_name")]
        )
    secret = await users_db.create_token(db, who.username, name, who.username)
    return await _tokens_page(request, db, secret=secret)


@post("/tokens/{token_id:int}/revoke", guards=[staff_guard], status_code=303)
async def revoke_token(
    token_id: FromPath[int], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Redirect:
    who = current(request)
    mine = {
        row["id"] for row in await users_db.list_tokens(db, None if who.is_admin else who.username)
    }
    if token_id not in mine:
        raise NotFoundException(f"No token {token_id} that you may revoke.")
    await users_db.revoke_token(db, token_id, who.username)
    return Redirect("/console/tokens", status_code=303)


# Audit log -------------------------------------------------------------------------------------


@get("/audit", guards=[admin_guard])
async def audit(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[str]:
    rows = [
        {**row, "detail": _detail(row["detail"])} for row in await audit_db.recent(db, AUDIT_ROWS)
    ]
    return html(request, "audit.html", {"rows": rows, "limit": AUDIT_ROWS})


def _detail(detail: Any) -> str:
    """An entry's details as short readable text (JSON values, non-Latin scripts kept)."""
    if not isinstance(detail, dict):
        return json.dumps(detail, ensure_ascii=False)
    return "; ".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in detail.items()
    )


REGISTRY_PAGES = [
    institutions,
    save_institution,
    users,
    save_user,
    toggle_user,
    tokens,
    create_token,
    revoke_token,
    audit,
]
