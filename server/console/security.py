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
    """Failed sign-ins per account and per address, on the app's limiters; an account or address
    over its limit waits it out.

    Per account, so guessing one password is slow; per address with a higher ceiling, so trying
    many accounts from one place is slow too, while one trainer's mistyped password never locks
    out the others signing in from the same training room. Once blocked, even the right password
    waits, so guessing cannot go on.
    """

    def __init__(self, per_account: RateLimiter, per_address: RateLimiter) -> None:
        self.limiters = {"account": per_account, "address": per_address}
        self._blocked: dict[tuple[str, str], float] = {}

    @staticmethod
    def _keys(address: str, account: str) -> dict[str, str]:
        return {"account": account.strip().casefold(), "address": address}

    def wait(self, address: str, account: str) -> int:
        """Seconds this account or address must still wait, or 0 when it may try."""
        now = time.monotonic()
        left = 0.0
        for kind, key in self._keys(address, account).items():
            until = self._blocked.get((kind, key))
            if until is not None and until <= now:
                del self._blocked[(kind, key)]
            elif until is not None:
                left = max(left, until - now)
        return int(left) + 1 if left else 0

    def failed(self, address: str, account: str) -> int:
        """Count a failure; the seconds to wait when it went over a limit, else 0."""
        wait = 0
        for kind, key in self._keys(address, account).items():
            limiter = self.limiters[kind]
            if not limiter.allow(key):
                retry = limiter.retry_after(key)
                self._blocked[(kind, key)] = time.monotonic() + retry
                wait = max(wait, retry)
        if len(self._blocked) > 10_000:
            now = time.monotonic()
            self._blocked = {k: v for k, v in self._blocked.items() if v > now}
        return wait


def throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    state = request.app.state
    found = state.get("console_login_throttle")
    if not isinstance(found, LoginThrottle) or found.limiters["account"] is not state.login_limiter:
        found = LoginThrottle(state.login_limiter, state.login_address_limiter)
        state["console_login_throttle"] = found
    return found
