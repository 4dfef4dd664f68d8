"""`GET /api/v1/health`: is the server up."""

from __future__ import annotations

from litestar import get

from server import __version__


@get("/api/v1/health", sync_to_thread=False, tags=["meta"])
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}
