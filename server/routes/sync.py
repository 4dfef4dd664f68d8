"""`POST /api/v1/sync` for phones, and `POST /api/v1/uploads` for files of unsent records."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.openapi.spec import OpenAPIType, Schema

from server.auth.guards import staff_guard
from server.db.database import Database
from server.ingest import TooManyUnknownCodes, ingest
from server.parsing import unsent_records
from server.ratelimit import Allowance, RateLimiter, join_allowance
from server.routes._openapi import (
    STAFF,
    STAFF_SECURITY,
    TOO_LARGE,
    TOO_MANY,
    UNAVAILABLE,
    Problem,
    answer,
    file_field,
    json_schema,
    operation_with,
)
from sync.limits import MAX_SUBMISSIONS
from sync.wire import (
    DECODE_ERRORS,
    NotUnsentFile,
    Submission,
    SyncBatch,
    SyncResponse,
    UnsentFile,
)


def _with_submissions(body: Schema, **extra: Any) -> Schema:
    """`body` (decoded with its submissions left raw) stating what each submission is."""
    assert body.properties is not None
    submissions = Schema(type=OpenAPIType.ARRAY, items=json_schema(Submission), **extra)
    body.properties = {**body.properties, "submissions": submissions}
    return body


_BATCH = _with_submissions(json_schema(SyncBatch), max_items=MAX_SUBMISSIONS)
_UNSENT = _with_submissions(json_schema(UnsentFile))
assert _UNSENT.properties is not None
_UNSENT.properties["format"] = Schema(type=OpenAPIType.STRING, const="tadrib-unsent")
_RESULTS = answer(SyncResponse, "One result per submission, in order.")
_REFUSED = answer(Problem, "Not a batch or file the app sends; nothing stored.")


def _json_error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response({"detail": detail}, status_code=status, headers=headers)


def _decode_batch(body: bytes) -> SyncBatch:
    try:
        batch = msgspec.json.decode(body, type=SyncBatch)
    except DECODE_ERRORS as exc:
        raise ClientException(
            f"The sync envelope is malformed: {exc}. Expected "
            '{"device": "...", "pending": 0, "submissions": [...]}.'
        ) from exc
    if len(batch.submissions) > MAX_SUBMISSIONS:
        raise ClientException(f"Send at most {MAX_SUBMISSIONS} submissions per batch.")
    return batch


async def _read_limited(request: Request[Any, Any, Any]) -> bytes | None:
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


def _over_limit(limiter: RateLimiter, key: str) -> Response[Any] | None:
    if limiter.allow(key):
        return None
    return _json_error(
        429, "Too many sync requests; retry later.", {"Retry-After": str(limiter.retry_after(key))}
    )


def _too_many_codes(allowance: Allowance) -> Response[Any]:
    return _json_error(
        429, "Too many unknown join codes from here; retry later.",
        {"Retry-After": str(allowance.retry_after())},
    )  # fmt: skip


@post(
    "/api/v1/sync",
    tags=["sync"],
    status_code=200,
    request_max_body_size=None,
    operation_class=operation_with(body={"application/json": _BATCH}),
    responses={200: _RESULTS, 400: _REFUSED, 413: TOO_LARGE, 429: TOO_MANY, 503: UNAVAILABLE},
)
async def sync(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[Any]:
    """Store a batch of submissions; one result per submission, in order."""
    # Limits per phone, and per address a ceiling far above a room of phones behind one NAT.
    client = request.client.host if request.client else "?"
    refused = _over_limit(request.app.state.sync_address_limiter, client)
    if refused:
        return refused
    body = await _read_limited(request)
    if body is None:
        limit = request.app.state.settings.max_body
        return _json_error(413, f"The batch is larger than {limit} bytes; send fewer at a time.")
    batch = _decode_batch(body)
    refused = _over_limit(request.app.state.sync_limiter, f"device {batch.device}")
    if refused:
        return refused
    # Join codes are secrets: an address that sent too many unknown ones (here, in uploads or to
    # the bundle route) waits, so codes cannot be guessed through sync either. Its phones simply
    # retry later.
    allowance = join_allowance(request)
    if allowance.left() == 0:
        return _too_many_codes(allowance)
    try:
        results = await ingest(
            db, batch.submissions, batch.device, batch.pending,
            request.headers.get("user-agent", ""), allowance=allowance,
        )  # fmt: skip
    except TooManyUnknownCodes:
        return _too_many_codes(allowance)
    return Response(SyncResponse(results), status_code=200)


@post(
    "/api/v1/uploads",
    guards=[staff_guard],
    tags=["sync"],
    status_code=200,
    security=STAFF_SECURITY,
    operation_class=operation_with(
        body={
            "application/json": _UNSENT,
            "multipart/form-data": file_field("The file of unsent records the app exported."),
        }
    ),
    responses={
        **STAFF,
        200: _RESULTS,
        400: _REFUSED,
        413: TOO_LARGE,
        429: TOO_MANY,
        503: UNAVAILABLE,
    },
)
async def upload_unsent(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[Any]:
    """Ingest a phone's exported unsent records (JSON body or multipart field `file`)."""
    body: bytes | None
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ClientException("Send the exported file in the multipart field 'file'.")
        body = await upload.read()
    else:
        body = await _read_limited(request)
    limit = request.app.state.settings.max_body
    if body is None or len(body) > limit:
        return _json_error(
            413, f"The file is larger than {limit} bytes, this server's limit (TADRIB_MAX_BODY)."
        )
    try:
        unsent = await unsent_records(body)
    except NotUnsentFile as exc:
        raise ClientException(str(exc)) from exc
    allowance = join_allowance(request)
    try:
        results = await ingest(
            db, unsent.submissions, unsent.device, 0, source="upload", allowance=allowance
        )
    except TooManyUnknownCodes:
        return _too_many_codes(allowance)
    return Response(SyncResponse(results), status_code=200)


SYNC_ROUTES = [sync, upload_unsent]
