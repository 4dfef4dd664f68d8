"""Question sets: publish (admin), list and read (staff)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from forms.canonical import to_json
from forms.errors import FormError, FormErrors
from forms.model import QuestionSet
from server.auth.guards import admin_guard, current, staff_guard
from server.checks import MAX_FORM_BYTES, parse_upload
from server.db import forms as forms_db
from server.db.database import Database
from server.parsing import TooCostly, in_worker, question_set_body
from server.routes._openapi import (
    NOT_FOUND,
    STAFF,
    STAFF_SECURITY,
    UNAVAILABLE,
    answer,
    file_field,
    json_schema,
    operation_with,
)
from server.schemas import ErrorItem, ErrorsOut, PublishOut


def errors_response(errors: list[FormError], status: int = 422) -> Response[ErrorsOut]:
    return Response(ErrorsOut([ErrorItem(e.where, e.message) for e in errors]), status_code=status)


async def read_question_set(request: Request[Any, Any, Any]) -> QuestionSet:
    """The set sent as a JSON body or as a YAML/JSON/XLSX file in multipart field `file`."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise FormErrors(
                [FormError("request", "Send the question set in the multipart field 'file'.")]
            )
        return await parse_upload(await upload.read(), upload.filename or "upload")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormErrors([FormError("request body", "The body is larger than 5 MB.")])
    try:
        return await in_worker(question_set_body, body)
    except TooCostly as exc:
        raise FormErrors([FormError("request body", f"This is no question set: {exc}.")]) from exc


PUBLISH_BODY = {
    "application/json": json_schema(QuestionSet),
    "multipart/form-data": file_field("A YAML, JSON or XLSX question set (5 MB at most)."),
}


@post(
    "/api/v1/forms",
    guards=[admin_guard],
    tags=["forms"],
    status_code=201,
    security=STAFF_SECURITY,
    operation_class=operation_with(body=PUBLISH_BODY),
    responses={
        **STAFF,
        200: answer(PublishOut, "Identical content is already published."),
        409: answer(ErrorsOut, "The version is already published with other content."),
        422: answer(ErrorsOut, "Not a valid question set; each error says where."),
        503: UNAVAILABLE,
    },
)
async def publish_form(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[Any]:
    """Publish a question set; identical content is 200, other content under the version 409."""
    try:
        qs = await read_question_set(request)
    except FormErrors as exc:
        return errors_response(exc.errors)
    result = await forms_db.publish(db, qs, current(request).username)
    out = PublishOut(result.id, result.version, result.hash)
    if result.outcome == "created":
        return Response(out, status_code=201)
    if result.outcome == "unchanged":
        return Response(out, status_code=200)
    return errors_response(
        [
            FormError(
                f"{qs.id} version {qs.version}",
                "This version is already published with other content, and published versions "
                "never change. Give the new content a new version number.",
            )
        ],
        status=409,
    )


@get(
    "/api/v1/forms", guards=[staff_guard], tags=["forms"], security=STAFF_SECURITY, responses=STAFF
)
async def list_forms(db: NamedDependency[Database]) -> list[dict[str, Any]]:
    return await forms_db.list_all(db)


@get(
    "/api/v1/forms/{form_id:str}/{version:str}",
    guards=[staff_guard],
    tags=["forms"],
    security=STAFF_SECURITY,
    responses={
        **STAFF,
        # The handler sends the stored canonical JSON as it is.
        200: answer(QuestionSet, "The question set, answer keys included."),
        404: NOT_FOUND,
    },
)
async def get_form(
    form_id: FromPath[str], version: FromPath[str], db: NamedDependency[Database]
) -> Response[bytes]:
    qs = await forms_db.get(db, form_id, version)
    if qs is None:
        raise NotFoundException(f"No question set '{form_id}' version {version}.")
    return Response(to_json(qs), media_type="application/json")


FORM_ROUTES = [publish_form, list_forms, get_form]
