"""A lean HTTP/1.1 keep-alive client for benchmarks, so the figures measure the server.

httpx spends about 0.5 ms of CPU per request on this machine, more than the server spends on a
small request; on two cores that would measure the client. This one writes a request, reads the
status line, the headers and a Content-Length body, and nothing else.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class Connection:
    """One keep-alive connection; requests on it go one after another, like one phone's."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def post_json(self, path: str, body: bytes) -> tuple[int, bytes]:
        """Status and body of `POST path` with a JSON body."""
        assert self._reader is not None and self._writer is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self._writer.write(head.encode() + body)
        status_line = await self._reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding":
                raise RuntimeError("chunked answers are not expected from the sync route")
        return status, await self._reader.readexactly(length)
