"""Links the server hands out: the same URL on the API, the console and the QR code."""

from __future__ import annotations

from typing import Any

from litestar import Request


def join_url(request: Request[Any, Any, Any], code: str) -> str:
    """The link a participant opens to join: under `TADRIB_PUBLIC_URL` when set."""
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/t/{code}"
