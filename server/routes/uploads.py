"""`POST /api/v1/uploads`: a phone's exported file of unsent records, uploaded by its trainer
and stored as a sync batch would be."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.openapi.spec import OpenAPIType, Schema

from server.auth.guards import staff_guard
from server.db.database import Database
from server.ingest import TooManyUnknownCodes, ingest
from server.parsing import unsent_records
from server.ratelimit import join_allowance
from server.routes._openapi import (
    STAFF,
    STAFF_SECURITY,
    SYNC_ANSWERS,
    file_field,
    json_schema,
    operation_with,
    with_submissions,
)
from server.routes.sync import json_error, read_limited, too_many_codes
from sync.wire import NotUnsentFile, SyncResponse, UnsentFile

_UNSENT = with_submissions(json_schema(UnsentFile))
assert _UNSENT.properties is not None
_UNSENT.properties["format"] = Schema(type=OpenAPIType.STRING, const="tadrib-unsent")


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
    responses={**STAFF, **SYNC_ANSWERS},
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
        body = await read_limited(request)
    limit = request.app.state.settings.max_body
    if body is None or len(body) > limit:
        return json_error(
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
        return too_many_codes(allowance)
    return Response(SyncResponse(results), status_code=200)


UPLOAD_ROUTES = [upload_unsent]
