"""A small fixed-window rate limiter kept in memory, per client address."""

from __future__ import annotations

import sys
import time
from typing import Any

from litestar import Request


class RateLimiter:
    """Allows `limit` events per `window` seconds for each key; a limit of 0 disables it."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._counts: dict[str, tuple[float, int]] = {}

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic()
        started, count = self._counts.get(key, (now, 0))
        if now - started >= self.window:
            started, count = now, 0
        if count >= self.limit:
            return False
        self._counts[key] = (started, count + 1)
        if len(self._counts) > 10_000:
            self._forget(now)
        return True

    def blocked(self, key: str) -> bool:
        """Whether `key` has used up its window, without counting this look."""
        if self.limit <= 0 or key not in self._counts:
            return False
        started, count = self._counts[key]
        return time.monotonic() - started < self.window and count >= self.limit

    def left(self, key: str) -> int:
        """How many more events `key` may have in its window (a large number when disabled)."""
        if self.limit <= 0:
            return sys.maxsize
        if key not in self._counts:
            return self.limit
        started, count = self._counts[key]
        if time.monotonic() - started >= self.window:
            return self.limit
        return max(0, self.limit - count)

    def retry_after(self, key: str) -> int:
        started, _ = self._counts.get(key, (time.monotonic(), 0))
        return max(1, int(self.window - (time.monotonic() - started)) + 1)

    def _forget(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}


class Allowance:
    """What one key may still spend of a limiter: for join codes, what ingest may still look up."""

    def __init__(self, limiter: RateLimiter, key: str) -> None:
        self.limiter = limiter
        self.key = key

    def left(self) -> int:
        return self.limiter.left(self.key)

    def spend(self, unknown: int) -> None:
        for _ in range(unknown):
            self.limiter.allow(self.key)

    def retry_after(self) -> int:
        return self.limiter.retry_after(self.key)


def join_allowance(request: Request[Any, Any, Any]) -> Allowance:
    """The unknown join codes the client's address may still name, on every route that takes
    one (bundles, sync, uploads)."""
    client = request.client.host if request.client else "?"
    return Allowance(request.app.state.join_limiter, client)
