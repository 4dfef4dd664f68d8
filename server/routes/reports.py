"""Report routes: JSON, CSV per table and XLSX under the API, the printable page in the console."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, ValidationException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from server.auth.access import visible_training
from server.auth.guards import current, staff_guard
from server.cookies import LANG_COOKIE
from server.db import trainings as trainings_db
from server.db.database import Database
from server.reports import tables as tbl
from server.reports.output import programme_for, report_for, write_report
from server.reports.programme import quarter
from server.reports.programme_tables import PROGRAMME_TABLES, programme_table, programme_tables
from server.reports.render_csv import render_csv
from server.reports.render_html import render_html, render_programme
from server.reports.render_xlsx import render_xlsx
from server.reports.strings import PROGRAMME_METHODS, pick_lang
from server.reports.text import label
from server.routes._openapi import STAFF, STAFF_SECURITY, TRAINING, answer

__all__ = ["REPORT_ROUTES", "write_report"]

NO_STORE = {"Cache-Control": "no-store"}  # reports are never public, never cached by proxies
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The handlers set these media types on their answers, not on the route: a route's media type
# would also be used for its JSON error answers.
CSV = answer(str, "The table as CSV: UTF-8 with BOM.", "text/csv")
WORKBOOK = answer(bytes, "The Excel workbook.", XLSX)


def _download(name: str) -> dict[str, str]:
    return {**NO_STORE, "Content-Disposition": f'attachment; filename="{quote(name)}"'}


def _table_param(tables: Collection[str]) -> QueryParameter:
    """The `table` query parameter: the document lists the valid names, the handler refuses
    others with a message that lists them too."""
    return QueryParameter(schema_extra={"enum": list(tables)})


def _known_table(table: str, tables: Collection[str]) -> None:
    if table not in tables:
        raise ValidationException(f"Unknown table '{table}'. Valid tables: {', '.join(tables)}.")


def _csv(body: bytes, name: str) -> Response[bytes]:
    # Litestar adds "; charset=utf-8" to text/* itself.
    return Response(body, media_type="text/csv", headers=_download(name))


def _page(page: str) -> Response[str]:
    return Response(page, media_type="text/html; charset=utf-8", headers=NO_STORE)


@get(
    "/trainings/{training_id:str}/report",
    responses=TRAINING,
)
async def report_json(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    training_id: FromPath[str],
    lang: FromQuery[str] = "en",
) -> Response[dict[str, Any]]:
    """The training's report as JSON (docs/api.md lists the names, which are fixed)."""
    await visible_training(db, current(request), training_id)
    report, _ = await report_for(db, training_id, lang=lang)
    return Response(report, headers=NO_STORE)


@get(
    "/trainings/{training_id:str}/report.csv",
    responses={**TRAINING, 200: CSV},
)
async def report_csv(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    training_id: FromPath[str],
    table: Annotated[str, _table_param(tbl.TABLES)] = "participants",
    lang: FromQuery[str] = "en",
) -> Response[bytes]:
    """One table of the report as CSV (UTF-8 with BOM, formula-injection safe)."""
    _known_table(table, tbl.TABLES)
    await visible_training(db, current(request), training_id)
    report, inp = await report_for(db, training_id, lang=lang, answers=table == "responses")
    return _csv(render_csv(tbl.table(table, report, inp)), f"{training_id}-{table}.csv")


@get(
    "/trainings/{training_id:str}/report.xlsx",
    responses={**TRAINING, 200: WORKBOOK},
)
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


async def _programme(
    request: Request[Any, Any, Any],
    db: Database,
    country: str | None,
    period: str | None,
    lang: str,
) -> dict[str, Any]:
    """The programme view over what the caller may see, narrowed by country and period.

    `period` is a quarter (`2019-Q1`) or a year (`2019`). Generations are counted over every
    visible training, so filtering never turns a cascade into a training of trainers.
    """
    who = current(request)
    found = await trainings_db.list_visible(db, None if who.is_admin else who.username)
    country = country or None
    period = period or None

    def kept(starts_on: str, where: str) -> bool:
        if country is not None and where != country:
            return False
        return period is None or quarter(starts_on) == period or starts_on[:4] == period

    ids = [t.id for t in found if kept(t.starts_on, t.country)]
    report = await programme_for(
        db,
        ids,
        lang=lang,
        parents={t.id: t.parent for t in found},
        titles={t.id: label(t.title, lang) for t in found},
    )
    report["filters"] = {"country": country, "period": period}
    report["available"] = {
        "countries": sorted({t.country for t in found if t.country}),
        "periods": sorted({quarter(t.starts_on) for t in found}),
    }
    return report


def _filters(country: str | None, period: str | None) -> str:
    return "&".join(f"{k}={quote(v)}" for k, v in (("country", country), ("period", period)) if v)


@get(
    "/programme/report",
    responses=STAFF,
)
async def programme_json(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    country: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    lang: FromQuery[str] = "en",
) -> Response[dict[str, Any]]:
    """Across the trainings the caller may see: by country, institution, period and cascade."""
    report = await _programme(request, db, country, period, lang)
    return Response(report, headers=NO_STORE)


@get(
    "/programme/report.csv",
    responses={**STAFF, 200: CSV},
)
async def programme_csv(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    table: Annotated[str, _table_param(PROGRAMME_TABLES)] = "trainings",
    country: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
) -> Response[bytes]:
    """One table of the programme view as CSV (UTF-8 with BOM, English headings)."""
    _known_table(table, PROGRAMME_TABLES)
    report = await _programme(request, db, country, period, "en")
    return _csv(render_csv(programme_table(table, report)), f"programme-{table}.csv")


@get(
    "/programme/report.xlsx",
    responses={**STAFF, 200: WORKBOOK},
)
async def programme_xlsx(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    country: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
) -> Response[bytes]:
    """The programme view as an Excel workbook: a sheet per table, with charts."""
    report = await _programme(request, db, country, period, "en")
    overview = [
        ("Programme", "Results across trainings"),
        ("Country", report["filters"]["country"] or "all"),
        ("Period", report["filters"]["period"] or "all"),
        ("Trainings", str(len(report["trainings"]))),
        ("Reached (registered)", str(report["overall"]["reached"])),
        ("Matched", str(report["overall"]["n_matched"])),
    ]
    body = render_xlsx(
        report, programme_tables(report), overview=overview, methods=[PROGRAMME_METHODS]
    )
    return Response(body, media_type=XLSX, headers=_download("programme-report.xlsx"))


def _sign_in(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/console/login?next={quote(here, safe='/')}", status_code=303)


def _console_page(path: str) -> get:
    """A page of the console: staff only, a signed-out visitor sent to sign in first."""
    return get(
        path,
        guards=[staff_guard],
        exception_handlers={NotAuthorizedException: _sign_in},
        include_in_schema=False,
    )


@_console_page("/console/trainings/{training_id:str}/report")
async def report_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    training_id: FromPath[str],
    lang: FromQuery[str | None] = None,
) -> Response[str]:
    """The printable report page (A4, inline SVG charts) in `?lang=`, else the console's."""
    await visible_training(db, current(request), training_id)
    chosen = pick_lang(lang, request.cookies.get(LANG_COOKIE))
    report, _ = await report_for(db, training_id, lang=chosen)
    page = render_html(
        report,
        console_url=f"/console/trainings/{quote(training_id)}",
        api_url=f"/api/v1/trainings/{quote(training_id)}",
        lang=chosen,
    )
    return _page(page)


@_console_page("/console/programme")
async def programme_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    country: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    lang: FromQuery[str | None] = None,
) -> Response[str]:
    """The programme view across trainings: countries, institutions, periods and cascades."""
    chosen = pick_lang(lang, request.cookies.get(LANG_COOKIE))
    report = await _programme(request, db, country, period, chosen)
    page = render_programme(
        report,
        lang=chosen,
        console_url="/console",
        api_url="/api/v1/programme/report",
        query=_filters(report["filters"]["country"], report["filters"]["period"]),
    )
    return _page(page)


#: The downloads share one guard, tag and security; the console pages carry their own.
REPORT_ROUTES: list[ControllerRouterHandler] = [
    Router(
        "/api/v1",
        guards=[staff_guard],
        tags=["reports"],
        security=STAFF_SECURITY,
        route_handlers=[
            report_json,
            report_csv,
            report_xlsx,
            programme_json,
            programme_csv,
            programme_xlsx,
        ],
    ),
    report_page,
    programme_page,
]
