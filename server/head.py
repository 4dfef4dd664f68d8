"""HEAD answered wherever GET is, as HTTP asks of every server (RFC 9110, 9.3.2).

Uptime monitors and link checkers ask HEAD; Litestar routes it only where a handler says so.
The request goes to the GET handler and the answer keeps its status and headers (the length
and type of what GET would send) without the body.
"""

from __future__ import annotations

from typing import cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def answer_head(app: ASGIApp) -> ASGIApp:
    """`app`, answering HEAD as GET without the body."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def send_head(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = cast(Message, {**message, "body": b""})
            await send(message)

        await app(cast(Scope, {**scope, "method": "GET"}), receive, send_head)

    return handle
