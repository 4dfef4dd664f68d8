"""Uploading a phone's exported unsent records, through the same ingest as a sync."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency

from server.auth.guards import staff_guard
from server.console import i18n
from server.console.render import html, language
from server.db.database import Database
from server.ingest import TooManyUnknownCodes, ingest
from server.parsing import unsent_records
from server.ratelimit import join_allowance
from sync.wire import NotUnsentFile, SyncResult


def _page(
    request: Request[Any, Any, Any],
    *,
    results: list[SyncResult] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response[str]:
    tally = Counter(r.status for r in results or [])
    summary = {s: tally.get(s, 0) for s in ("accepted", "duplicate", "conflict", "rejected")}
    return html(
        request,
        "uploads.html",
        {"results": results, "summary": summary, "error": error},
        status_code=status_code,
    )


@get("/uploads", guards=[staff_guard])
async def uploads(request: Request[Any, Any, Any]) -> Response[str]:
    return _page(request)


@post("/uploads", guards=[staff_guard], status_code=200)
async def upload_unsent(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    lang = language(request)
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, error=i18n.translate(lang, "choose_file"), status_code=400)
    body = await upload.read()
    limit = request.app.state.settings.max_body
    if len(body) > limit:
        error = i18n.translate(lang, "upload_too_large", megabytes=f"{limit / 2**20:.1f}")
        return _page(request, error=error, status_code=413)
    try:
        unsent = await unsent_records(body)
    except NotUnsentFile:
        return _page(request, error=i18n.translate(lang, "not_unsent_file"), status_code=400)
    try:
        results = await ingest(
            db,
            unsent.submissions,
            unsent.device,
            0,
            source="upload",
            allowance=join_allowance(request),
        )
    except TooManyUnknownCodes:
        return _page(request, error=i18n.translate(lang, "too_many_codes"), status_code=429)
    return _page(request, results=results)


UPLOAD_PAGES = [uploads, upload_unsent]
