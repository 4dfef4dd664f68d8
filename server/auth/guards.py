"""Route guards: staff (admin or trainer) and admin only."""

from __future__ import annotations

import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.auth.principal import Principal

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def current(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException(
            "Sign in to the console, or send 'Authorization: Bearer <token>' "
            "(make one with 'tadrib token create NAME --role admin|trainer')."
        )
    return user


def _check_csrf(connection: ASGIConnection[Any, Any, Any, Any], user: Principal) -> None:
    """Cookie sessions must prove the request came from our own page (bearer tokens cannot leak
    through a browser, so they need no such proof)."""
    if user.via != "session" or connection.scope.get("method") not in UNSAFE_METHODS:
        return
    sent = connection.headers.get("x-csrf-token", "")
    content_type = connection.headers.get("content-type", "")
    if not sent and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        # HTML form posts carry the token as a field, checked by the console's form guard.
        return
    if not secrets.compare_digest(sent, user.csrf):
        raise PermissionDeniedException("The form has expired; reload the page and try again.")


def staff_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    _check_csrf(connection, current(connection))


def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    user = current(connection)
    if not user.is_admin:
        raise PermissionDeniedException("Only an admin may do this; ask a programme officer.")
    _check_csrf(connection, user)
