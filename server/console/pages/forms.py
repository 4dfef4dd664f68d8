"""Question sets: the list, upload with located errors, preview with the key, publish, retire."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from forms.canonical import content_hash
from forms.errors import FormError, FormErrors
from forms.model import QuestionSet
from server.auth.guards import admin_guard, current, staff_guard
from server.checks import MAX_FORM_BYTES, parse_upload
from server.console import i18n
from server.console.render import html, language
from server.db import forms as forms_db
from server.db.database import Database

ACCEPT = ".yaml,.yml,.json,.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@get("/forms", guards=[staff_guard])
async def forms_list(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in await forms_db.list_all(db):
        groups.setdefault(row["id"], []).append(row)
    return html(request, "forms.html", {"groups": groups})


@get("/forms/{form_id:str}/{version:str}", guards=[staff_guard])
async def form_view(
    form_id: FromPath[str],
    version: FromPath[str],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Response[str]:
    qs = await forms_db.get(db, form_id, version)
    if qs is None:
        raise NotFoundException(f"No question set '{form_id}' version {version}.")
    summary = next(
        (f for f in await forms_db.list_all(db) if f["id"] == form_id and f["version"] == version),
        None,
    )
    flash = {"published": "published_ok", "unchanged": "unchanged_ok"}.get(
        request.query_params.get("done", ""), ""
    )
    return html(request, "form_view.html", {"qs": qs, "summary": summary, "flash": flash})


@post("/forms/{form_id:str}/{version:str}/retire", guards=[admin_guard],
      status_code=303)  # fmt: skip
async def form_retire(
    form_id: FromPath[str],
    version: FromPath[str],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Redirect:
    form = await request.form()
    retired = form.get("retired") == "1"
    if not await forms_db.set_retired(db, form_id, version, retired, current(request).username):
        raise NotFoundException(f"No question set '{form_id}' version {version}.")
    return Redirect("/console/forms", status_code=303)


def _upload_page(
    request: Request[Any, Any, Any],
    errors: list[FormError] | None = None,
    *,
    message: str = "",
    status_code: int = 200,
) -> Response[str]:
    return html(
        request,
        "form_upload.html",
        {"errors": errors or [], "message": message, "accept": ACCEPT},
        status_code=status_code,
    )


@get("/forms/upload", guards=[admin_guard])
async def upload_form(request: Request[Any, Any, Any]) -> Response[str]:
    return _upload_page(request)


@post("/forms/upload", guards=[admin_guard], status_code=200)
async def upload_preview(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    """Check the uploaded file; show its errors, or a preview that can be published as is."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        lang = language(request)
        return _upload_page(request, message=i18n.translate(lang, "choose_file"), status_code=400)
    data = await upload.read()
    try:
        qs = await parse_upload(data, upload.filename)
    except FormErrors as exc:
        return _upload_page(
            request, exc.errors, status_code=413 if len(data) > MAX_FORM_BYTES else 422
        )
    return await _preview(request, db, qs, data, upload.filename)


async def _preview(
    request: Request[Any, Any, Any], db: Database, qs: QuestionSet, data: bytes, filename: str
) -> Response[str]:
    digest = content_hash(qs)
    existing = next(
        (f for f in await forms_db.list_all(db) if f["id"] == qs.id and f["version"] == qs.version),
        None,
    )
    return html(
        request,
        "form_preview.html",
        {
            "qs": qs,
            "hash": digest,
            "existing": existing,
            "payload": base64.b64encode(data).decode(),
            "filename": filename,
        },
    )


@post("/forms/publish", guards=[admin_guard], status_code=303)
async def publish(request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[Any]:
    """Publish exactly what was previewed: the same bytes, checked against the previewed hash."""
    form = await request.form()
    lang = language(request)
    filename = str(form.get("filename") or "")
    try:
        data = base64.b64decode(str(form.get("payload") or ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not data or not filename or len(data) > MAX_FORM_BYTES:
        return _upload_page(
            request, message=i18n.translate(lang, "changed_since_preview"), status_code=400
        )
    try:
        qs = await parse_upload(data, filename)
    except FormErrors as exc:
        return _upload_page(request, exc.errors, status_code=422)
    if content_hash(qs) != form.get("hash"):
        return _upload_page(
            request, message=i18n.translate(lang, "changed_since_preview"), status_code=409
        )
    result = await forms_db.publish(db, qs, current(request).username)
    if result.outcome == "conflict":
        message = i18n.translate(lang, "conflict", id=qs.id, version=qs.version)
        return _upload_page(request, message=message, status_code=409)
    done = "published" if result.outcome == "created" else "unchanged"
    return Redirect(f"/console/forms/{qs.id}/{qs.version}?done={done}", status_code=303)


@get("/forms/template.xlsx", guards=[admin_guard])
async def xlsform_template(request: Request[Any, Any, Any]) -> Response[Any]:
    """The XLSForm template, generated by the importer's own code."""
    try:
        from forms.xlsform_template import template_bytes
    except ModuleNotFoundError:
        lang = language(request)
        return html(
            request,
            "error.html",
            {"message": i18n.translate(lang, "template_missing"), "detail": ""},
            status_code=404,
        )
    body: bytes = template_bytes()
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="tadrib-xlsform-template.xlsx"'},
    )


FORM_PAGES = [
    forms_list,
    xlsform_template,
    upload_form,
    upload_preview,
    publish,
    form_view,
    form_retire,
]
