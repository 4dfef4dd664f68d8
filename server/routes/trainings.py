"""Trainings: create and edit (admin), list and read (staff, trainers their own)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody

from server.auth.access import visible_training
from server.auth.guards import admin_guard, current, staff_guard
from server.checks import Problem, training_problems
from server.db import submissions as subs_db
from server.db import trainings as trainings_db
from server.db.database import Database
from server.links import join_url
from server.phases import completed
from server.routes._openapi import STAFF, STAFF_SECURITY, TRAINING
from server.schemas import Training, TrainingIn


def with_url(request: Request[Any, Any, Any], training: Training) -> Training:
    training.join_url = join_url(request, training.join_code)
    return training


def _refuse(problems: list[Problem]) -> None:
    if problems:
        messages = [p.english() for p in problems]
        raise ValidationException(
            "The training was not saved: " + " ".join(messages),
            extra=[{"message": m} for m in messages],
        )


@post(
    "/",
    guards=[admin_guard],
    responses=STAFF,
)
async def create_training(
    data: JSONBody[TrainingIn], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Training:
    _refuse(await training_problems(db, data, creating=True))
    created = await trainings_db.create(db, completed(data, None), current(request).username)
    return with_url(request, created)


@put(
    "/{training_id:str}",
    guards=[admin_guard],
    responses=TRAINING,
)
async def update_training(
    training_id: FromPath[str],
    data: JSONBody[TrainingIn],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Training:
    await visible_training(db, current(request), training_id)
    if data.id != training_id:
        raise ValidationException(f"id: the body says '{data.id}' but the URL '{training_id}'.")
    _refuse(await training_problems(db, data, creating=False))
    stored = await trainings_db.windows(db, training_id)
    updated = await trainings_db.update(db, completed(data, stored), current(request).username)
    return with_url(request, updated)


@get(
    "/",
    responses=STAFF,
)
async def list_trainings(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> list[Training]:
    who = current(request)
    found = await trainings_db.list_visible(db, None if who.is_admin else who.username)
    return [with_url(request, t) for t in found]


@get(
    "/{training_id:str}",
    responses=TRAINING,
)
async def get_training(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Training:
    return with_url(request, await visible_training(db, current(request), training_id))


@get(
    "/{training_id:str}/submissions",
    responses=TRAINING,
)
async def list_submissions(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> list[dict[str, Any]]:
    """What has arrived, newest first (participant codes, never names)."""
    await visible_training(db, current(request), training_id)
    return await subs_db.list_for_training(db, training_id)


@get(
    "/{training_id:str}/monitor",
    responses=TRAINING,
)
async def monitor(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> dict[str, Any]:
    """Counts per phase and institution, the last arrivals, devices still holding unsent work."""
    await visible_training(db, current(request), training_id)
    recent = await subs_db.list_for_training(db, training_id, limit=10)
    return {
        "counts": await subs_db.counts(db, training_id),
        "recent": recent,
        "devices_pending": await subs_db.devices_with_pending(db, training_id),
    }


#: Staff only; creating and editing also need an admin (their own guard adds to the router's).
TRAINING_ROUTES = [
    Router(
        "/api/v1/trainings",
        guards=[staff_guard],
        tags=["trainings"],
        security=STAFF_SECURITY,
        route_handlers=[
            create_training,
            update_training,
            list_trainings,
            get_training,
            list_submissions,
            monitor,
        ],
    )
]
