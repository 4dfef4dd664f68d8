"""Report routes: JSON, CSV per table and XLSX under the API, the printable page in the console."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, ValidationException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from server.auth.access import visible_training
from server.auth.guards import current, staff_guard
from server.db import trainings as trainings_db
from server.db.database import Database
from server.reports import tables as tbl
from server.reports.output import programme_for, report_for, write_report
from server.reports.render_csv import render_csv
from server.reports.render_html import render_html
from server.reports.render_xlsx import render_xlsx

__all__ = ["REPORT_ROUTES", "write_report"]

API = "/api/v1/trainings/{training_id:str}"
NO_STORE = {"Cache-Control": "no-store"}  # reports are never public, never cached by proxies
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(name: str) -> dict[str, str]:
    return {**NO_STORE, "Content-Disposition": f'attachment; filename="{quote(name)}"'}


@get(f"{API}/report", guards=[staff_guard], tags=["reports"])
async def report_json(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    training_id: FromPath[str],
    lang: FromQuery[str] = "en",
) -> Response[dict[str, Any]]:
    """The training's report as JSON (DESIGN.md "Reports" fixes the names)."""
    await visible_training(db, current(request), training_id)
    report, _ = await report_for(db, training_id, lang=lang)
    return Response(report, headers=NO_STORE)


@get(f"{API}/report.csv", guards=[staff_guard], tags=["reports"])
async def report_csv(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    training_id: FromPath[str],
    table: FromQuery[str] = "participants",
    lang: FromQuery[str] = "en",
) -> Response[bytes]:
    """One table of the report as CSV (UTF-8 with BOM, formula-injection safe)."""
    if table not in tbl.TABLES:
        raise ValidationException(
            f"Unknown table '{table}'. Valid tables: {', '.join(tbl.TABLES)}."
        )
    await visible_training(db, current(request), training_id)
    report, inp = await report_for(db, training_id, lang=lang, answers=table == "responses")
    body = render_csv(tbl.table(table, report, inp))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers=_download(f"{training_id}-{table}.csv"),
    )


@get(f"{API}/report.xlsx", guards=[staff_guard], tags=["reports"])
async def report_xlsx(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    training_id: FromPath[str],
    lang: FromQuery[str] = "en",
) -> Response[bytes]:
    """The report as an Excel workbook: a sheet per table, with charts."""
    await visible_training(db, current(request), training_id)
    report, inp = await report_for(db, training_id, lang=lang, answers=True)
    body = render_xlsx(report, tbl.all_tables(report, inp))
    return Response(body, media_type=XLSX, headers=_download(f"{training_id}-report.xlsx"))


@get("/api/v1/programme/report", guards=[staff_guard], tags=["reports"])
async def programme_json(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    country: FromQuery[str | None] = None,
    lang: FromQuery[str] = "en",
) -> Response[dict[str, Any]]:
    """Across the trainings the caller may see: by country, institution, period and cascade."""
    who = current(request)
    found = await trainings_db.list_visible(db, None if who.is_admin else who.username)
    ids = [t.id for t in found if country is None or t.country == country]
    return Response(await programme_for(db, ids, lang=lang), headers=NO_STORE)


def _sign_in(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/console/login?next={quote(here, safe='/')}", status_code=303)


@get(
    "/console/trainings/{training_id:str}/report",
    guards=[staff_guard],
    exception_handlers={NotAuthorizedException: _sign_in},
    include_in_schema=False,
)
async def report_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    training_id: FromPath[str],
    lang: FromQuery[str] = "en",
) -> Response[str]:
    """The printable report page (A4, inline SVG charts)."""
    await visible_training(db, current(request), training_id)
    report, _ = await report_for(db, training_id, lang=lang)
    page = render_html(
        report,
        console_url=f"/console/trainings/{quote(training_id)}",
        api_url=f"/api/v1/trainings/{quote(training_id)}",
    )
    return Response(page, media_type="text/html; charset=utf-8", headers=NO_STORE)


REPORT_ROUTES: list[ControllerRouterHandler] = [
    report_json,
    report_csv,
    report_xlsx,
    report_page,
    programme_json,
]
