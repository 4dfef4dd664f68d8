"""The institution registry."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, put
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import JSONBody, PathParameter

from server.auth.guards import admin_guard, current, staff_guard
from server.checks import KEY_RE
from server.db import institutions as inst_db
from server.db.database import Database
from server.routes._openapi import STAFF, STAFF_SECURITY, answer
from server.schemas import Institution, InstitutionIn

#: The key as the document states it; the handler checks it and says how to fix it.
Key = Annotated[str, PathParameter(schema_extra={"pattern": KEY_RE.pattern})]


@put(
    "/api/v1/institutions/{key:str}",
    guards=[admin_guard],
    tags=["institutions"],
    security=STAFF_SECURITY,
    responses={**STAFF, 201: answer(Institution, "A new institution.")},
)
async def put_institution(
    key: Key,
    data: JSONBody[InstitutionIn],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Response[Institution]:
    """Add an institution (201) or rename it (200)."""
    if not KEY_RE.match(key):
        raise ValidationException(
            f"Institution key '{key}' must be lowercase letters, digits, '-' or '_' "
            "(e.g. 'gendarmerie')."
        )
    if not data.name or not all(v.strip() for v in data.name.values()):
        raise ValidationException('Give the institution a name, e.g. {"en": "..."}.')
    created = await inst_db.upsert(db, key, data.name, data.country, current(request).username)
    body = Institution(key, data.name, data.country)
    return Response(body, status_code=201 if created else 200)


@get(
    "/api/v1/institutions",
    guards=[staff_guard],
    tags=["institutions"],
    security=STAFF_SECURITY,
    responses=STAFF,
)
async def list_institutions(db: NamedDependency[Database]) -> list[dict[str, Any]]:
    return await inst_db.list_all(db)


INSTITUTION_ROUTES = [put_institution, list_institutions]
