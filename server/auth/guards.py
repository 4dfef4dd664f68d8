"""Route guards: staff (admin or trainer) and admin only, with the cookie sessions' CSRF checks."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.auth.principal import Principal

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
EXPIRED = "The form has expired; reload the page and try again."


def current(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException(
            "Sign in to the console, or send 'Authorization: Bearer <token>' "
            "(make one with 'tadrib token create NAME --role admin|trainer')."
        )
    return user


def same(sent: object, expected: str) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    return (
        isinstance(sent, str)
        and bool(expected)
        and secrets.compare_digest(sent.encode(), expected.encode())
    )


def _own_origins(connection: ASGIConnection[Any, Any, Any, Any]) -> set[str]:
    """The `host[:port]` this server answers as: the public URL's and the request's own Host.

    Only the host is compared, not the scheme, because behind a TLS proxy the server itself may
    be spoken to in plain HTTP while browsers send `https://` origins.
    """
    own = {connection.headers.get("host", "").lower()}
    public_url: str = connection.app.state.settings.public_url
    if public_url:
        own.add(urlsplit(public_url).netloc.lower())
    return own - {""}


def _from_elsewhere(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether the browser says the request comes from a page of another origin.

    Browsers send `Origin` on every cross-origin POST; `Referer` stands in where it is absent.
    Clients that send neither are no browser acting for another site, and still need the token.
    """
    sent = connection.headers.get("origin") or connection.headers.get("referer")
    if sent is None:
        return False
    parts = urlsplit(sent)
    if parts.scheme not in ("http", "https"):
        return True  # "null" (sandboxed frames, data: URLs) or nonsense
    return parts.netloc.lower() not in _own_origins(connection)


async def _check_csrf(connection: ASGIConnection[Any, Any, Any, Any], user: Principal) -> None:
    """Cookie sessions must prove the request came from our own page, whatever its body type:
    the token in `X-CSRF-Token` or in the form field `csrf`, and our own origin. Bearer tokens
    are never sent by a browser on another site's behalf, so they need no such proof."""
    if user.via != "session" or connection.scope.get("method") not in UNSAFE_METHODS:
        return
    if _from_elsewhere(connection):
        raise PermissionDeniedException(
            "This request was sent from another site; use the console's own pages."
        )
    sent: object = connection.headers.get("x-csrf-token")
    if sent is None and connection.headers.get("content-type", "").startswith(_FORM_TYPES):
        # Litestar keeps the parsed form in the scope, so the handler reads it again for free.
        request = (
            connection
            if isinstance(connection, Request)
            else Request(connection.scope, connection.receive, connection.send)
        )
        form = await request.form()
        sent = form.get("csrf")
        if not same(sent, user.csrf):
            for value in form.values():  # the handler that would have closed them never runs
                if isinstance(value, UploadFile):
                    await value.close()
    if not same(sent, user.csrf):
        raise PermissionDeniedException(EXPIRED)


async def staff_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    await _check_csrf(connection, current(connection))


async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    user = current(connection)
    if not user.is_admin:
        raise PermissionDeniedException("Only an admin may do this; ask a programme officer.")
    await _check_csrf(connection, user)
