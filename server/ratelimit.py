"""A small fixed-window rate limiter kept in memory, per client address."""

from __future__ import annotations

import time


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

    def retry_after(self, key: str) -> int:
        started, _ = self._counts.get(key, (time.monotonic(), 0))
        return max(1, int(self.window - (time.monotonic() - started)) + 1)

    def _forget(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}
