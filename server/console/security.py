"""The console's own protections: the sign-in throttle and its cookies."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from server.auth.middleware import SESSION_COOKIE
from server.db.users import SESSION_DAYS
from server.ratelimit import RateLimiter

#: The sign-in form's CSRF token lives in its own short cookie (there is no session yet).
LOGIN_COOKIE = "tadrib_login"


def session_cookie(secret: str, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=secret,
        path="/",
        max_age=SESSION_DAYS * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def expired_session_cookie(secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax",
        secure=secure,
    )  # fmt: skip


def login_cookie(token: str, secure: bool) -> Cookie:
    return Cookie(
        key=LOGIN_COOKIE, value=token, path="/console/login", max_age=3600, httponly=True,
        samesite="strict", secure=secure,
    )  # fmt: skip


class LoginThrottle:
    """Failed sign-ins per address, on the app's limiter; an address over it waits it out.

    The limiter counts failures; once it says no, the address is blocked until its window ends,
    even for the right password, so guessing cannot go on.
    """

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._blocked: dict[str, float] = {}

    def wait(self, address: str) -> int:
        """Seconds this address must still wait, or 0 when it may try."""
        until = self._blocked.get(address)
        if until is None:
            return 0
        left = until - time.monotonic()
        if left <= 0:
            del self._blocked[address]
            return 0
        return int(left) + 1

    def failed(self, address: str) -> int:
        """Count a failure; the seconds to wait when this one went over the limit, else 0."""
        if self.limiter.allow(address):
            return 0
        retry = self.limiter.retry_after(address)
        self._blocked[address] = time.monotonic() + retry
        if len(self._blocked) > 10_000:
            now = time.monotonic()
            self._blocked = {k: v for k, v in self._blocked.items() if v > now}
        return retry


def throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    state = request.app.state
    found = state.get("console_login_throttle")
    if not isinstance(found, LoginThrottle) or found.limiter is not state.login_limiter:
        found = LoginThrottle(state.login_limiter)
        state["console_login_throttle"] = found
    return found
