"""Attach the staff principal (bearer token or session cookie) to each request's scope."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from server.auth.principal import Principal
from server.db import users
from server.db.database import Database

SESSION_COOKIE = "tadrib_session"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _cookie(scope: Scope, name: str) -> str:
    for part in _header(scope, b"cookie").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


async def principal_for(db: Database, scope: Scope) -> Principal | None:
    auth = _header(scope, b"authorization")
    if auth[:7].lower() == "bearer ":
        user = await users.user_for_token(db, auth[7:].strip())
        return None if user is None else Principal(user["username"], user["role"], "token")
    secret = _cookie(scope, SESSION_COOKIE)
    if secret:
        sess = await users.session(db, secret)
        if sess is not None:
            return Principal(sess["username"], sess["role"], "session", sess["csrf"])
    return None


def auth_middleware(app: ASGIApp) -> ASGIApp:
    """Pure ASGI middleware: sets scope["user"] to a Principal or None, never refuses."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            path = scope.get("path", "")
            needs_user = path.startswith(("/api/", "/console", "/schema")) and not path.startswith(
                ("/api/v1/sync", "/api/v1/bundles/", "/api/v1/health")
            )
            db: Database = scope["litestar_app"].state.db
            scope["user"] = await principal_for(db, scope) if needs_user else None
        await app(scope, receive, send)

    return middleware
