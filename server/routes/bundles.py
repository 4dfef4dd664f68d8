"""`GET /api/v1/bundles/{join_code}`: what a phone needs to work offline, with an ETag."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.spec import OpenAPIHeader, OpenAPIType, Schema
from litestar.params import FromPath

from forms.public import public_view
from server.db import forms as forms_db
from server.db import institutions as inst_db
from server.db import trainings as trainings_db
from server.db.database import Database
from server.routes._openapi import NOT_FOUND, TOO_MANY, answer, operation_with
from sync import joining
from sync.wire import Bundle, BundleInstitution, BundleTraining

UI_LANGUAGES = ["ar", "fr", "en"]


async def build_bundle(db: Database, join_code: str) -> Bundle | None:
    training = await trainings_db.by_join_code(db, join_code)
    if training is None:
        return None
    registry = {i["key"]: i for i in await inst_db.list_all(db)}
    phases = {
        "pre": training.pre_test,
        "post": training.post_test,
        "evaluation": training.evaluation,
        "followup": training.followup_test,
    }
    forms: dict[str, dict[str, object]] = {}
    languages: list[str] = []
    for phase, ref in phases.items():
        if ref is None:
            continue
        qs = await forms_db.get(db, ref.form, ref.version)
        if qs is not None:
            forms[phase] = public_view(qs)
            languages += [lang for lang in qs.languages if lang not in languages]
    return Bundle(
        training=BundleTraining(
            id=training.id,
            join_code=training.join_code,
            title=training.title,
            country=training.country,
            location=training.location,
            starts_on=training.starts_on,
            ends_on=training.ends_on,
            show_score=training.show_score,
            joining_open=training.joining_open,
            windows={p: w for p, w in (training.windows or {}).items() if p in forms},
            # Only while joining is open: a phone that has it may send after joining closes.
            joining_stamp=joining.stamp(
                await trainings_db.joining_secret(db), training.id, training.join_code
            )
            if training.joining_open
            else None,
        ),
        institutions=[
            BundleInstitution(key, registry[key]["name"] if key in registry else {"en": key})
            for key in training.institutions
        ],
        forms=forms,
        languages=[lang for lang in UI_LANGUAGES if lang in languages] or UI_LANGUAGES,
    )


def _too_many(retry_after: int) -> Response[bytes]:
    return Response(
        msgspec.json.encode({"detail": "Too many unknown join codes from here; wait a minute."}),
        status_code=429,
        media_type="application/json",
        headers={"Retry-After": str(retry_after)},
    )


_VALIDATORS = {
    "ETag": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING),
        description="Send it back in If-None-Match to revalidate the cached bundle.",
    ),
    "Cache-Control": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING)),
}


@get(
    "/api/v1/bundles/{join_code:str}",
    tags=["sync"],
    # The handler sends the bytes its ETag was computed from.
    responses={
        200: answer(Bundle, "What the phone needs to work offline."),
        304: answer(None, "The bundle named in If-None-Match is current."),
        404: NOT_FOUND,
        429: TOO_MANY,
    },
    operation_class=operation_with(headers={200: _VALIDATORS, 304: _VALIDATORS}),
)
async def get_bundle(
    join_code: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[bytes]:
    limiter = request.app.state.join_limiter
    client = request.client.host if request.client else "?"
    # Unknown codes count against the address; once it is over the limit it learns nothing more,
    # not even from a right code, so join codes cannot be guessed by brute force.
    if limiter.blocked(client):
        return _too_many(limiter.retry_after(client))
    bundle = await build_bundle(db, join_code)
    if bundle is None:
        if not limiter.allow(client):
            return _too_many(limiter.retry_after(client))
        raise NotFoundException(
            f"No training has the join code '{join_code}'. Check the link or QR code with the "
            "trainer."
        )
    body = msgspec.json.encode(bundle)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


BUNDLE_ROUTES = [get_bundle]
