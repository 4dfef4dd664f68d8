"""`POST /api/v1/sync`: a phone's batch of submissions, each answered in order."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException

from server.db.database import Database
from server.ingest import TooManyUnknownCodes, ingest
from server.ratelimit import Allowance, join_allowance
from server.routes._openapi import (
    SYNC_ANSWERS,
    json_schema,
    operation_with,
    with_submissions,
)
from sync.limits import MAX_SUBMISSIONS
from sync.wire import DECODE_ERRORS, SyncBatch, SyncResponse

_BATCH = with_submissions(json_schema(SyncBatch), max_items=MAX_SUBMISSIONS)


def json_error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response({"detail": detail}, status_code=status, headers=headers)


async def read_limited(request: Request[Any, Any, Any]) -> bytes | None:
    """The body, or None when it is over the limit (checked while streaming)."""
    limit: int = request.app.state.settings.max_body
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def retry_later(detail: str, seconds: int) -> Response[Any]:
    return json_error(429, f"{detail}; retry later.", {"Retry-After": str(seconds)})


@post(
    "/api/v1/sync",
    tags=["sync"],
    status_code=200,
    request_max_body_size=None,
    operation_class=operation_with(body={"application/json": _BATCH}),
    responses=SYNC_ANSWERS,
)
async def sync(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[Any]:
    """Store a batch of submissions; one result per submission, in order."""
    # Limits per phone, and per address a ceiling far above a room of phones behind one NAT.
    by_address, by_device = request.app.state.sync_address_limiter, request.app.state.sync_limiter
    client = request.client.host if request.client else "?"
    if not by_address.allow(client):
        return retry_later("Too many sync requests", by_address.retry_after(client))
    body = await read_limited(request)
    if body is None:
        limit = request.app.state.settings.max_body
        return json_error(413, f"The batch is larger than {limit} bytes; send fewer at a time.")
    try:
        batch = msgspec.json.decode(body, type=SyncBatch)
    except DECODE_ERRORS as exc:
        raise ClientException(
            f"The sync envelope is malformed: {exc}. Expected "
            '{"device": "...", "pending": 0, "submissions": [...]}.'
        ) from exc
    if len(batch.submissions) > MAX_SUBMISSIONS:
        raise ClientException(f"Send at most {MAX_SUBMISSIONS} submissions per batch.")
    device = f"device {batch.device}"
    if not by_device.allow(device):
        return retry_later("Too many sync requests", by_device.retry_after(device))
    # Join codes are secrets: an address that sent too many unknown ones (here, in uploads or to
    # the bundle route) waits, so codes cannot be guessed through sync either. Its phones simply
    # retry later.
    allowance = join_allowance(request)
    if allowance.left() == 0:
        return too_many_codes(allowance)
    try:
        results = await ingest(
            db, batch.submissions, batch.device, batch.pending,
            request.headers.get("user-agent", ""), allowance=allowance,
        )  # fmt: skip
    except TooManyUnknownCodes:
        return too_many_codes(allowance)
    return Response(SyncResponse(results), status_code=200)


def too_many_codes(allowance: Allowance) -> Response[Any]:
    return retry_later("Too many unknown join codes from here", allowance.retry_after())


SYNC_ROUTES = [sync]
