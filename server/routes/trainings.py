"""Trainings: create and edit (admin), list and read (staff, trainers their own)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody

from server.auth.access import visible_training
from server.auth.guards import admin_guard, current, staff_guard
from server.checks import Problem, training_problems
from server.db import monitor as monitor_db
from server.db import trainings as trainings_db
from server.db.database import Database
from server.links import join_url
from server.phases import completed, set_now
from server.routes._openapi import STAFF, STAFF_SECURITY, TRAINING
from server.schemas import Training, TrainingIn
from sync.wire import PHASES


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
    return await monitor_db.list_for_training(db, training_id)


@get(
    "/{training_id:str}/monitor",
    responses=TRAINING,
)
async def monitor(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> dict[str, Any]:
    """Counts per phase and institution, the last arrivals, devices still holding unsent work."""
    await visible_training(db, current(request), training_id)
    recent = await monitor_db.list_for_training(db, training_id, limit=10)
    return {
        "counts": await monitor_db.counts(db, training_id),
        "recent": recent,
        "devices_pending": await monitor_db.devices_with_pending(db, training_id),
    }


async def _set_phase(
    request: Request[Any, Any, Any], db: Database, training_id: str, phase: str, open_: bool
) -> Training:
    who = current(request)
    found = await visible_training(db, who, training_id)
    if phase not in PHASES:
        raise NotFoundException(f"'{phase}' is not a phase; use {', '.join(PHASES)}.")
    await set_now(db, found, phase, open_, who.username)
    return with_url(request, await visible_training(db, who, training_id))


@post("/{training_id:str}/phases/{phase:str}/open", status_code=200, responses=TRAINING)
async def open_phase(
    training_id: FromPath[str],
    phase: FromPath[str],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Training:
    """Open a phase now (the console's "open now"): phones may start it from now on, also
    when it had closed. The trainers of the training may do it."""
    return await _set_phase(request, db, training_id, phase, True)


@post("/{training_id:str}/phases/{phase:str}/close", status_code=200, responses=TRAINING)
async def close_phase(
    training_id: FromPath[str],
    phase: FromPath[str],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Training:
    """Close a phase now (the console's "close now"): phones can no longer start it; forms
    already begun may still be finished and sent. The trainers of the training may do it."""
    return await _set_phase(request, db, training_id, phase, False)


async def _set_joining(
    request: Request[Any, Any, Any], db: Database, training_id: str, open_: bool
) -> Training:
    who = current(request)
    await visible_training(db, who, training_id)
    await trainings_db.set_joining(db, training_id, open_, who.username)
    return with_url(request, await visible_training(db, who, training_id))


@post("/{training_id:str}/joining/open", status_code=200, responses=TRAINING)
async def open_joining(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Training:
    """Let new participants join again. The trainers of the training may do it."""
    return await _set_joining(request, db, training_id, True)


@post("/{training_id:str}/joining/close", status_code=200, responses=TRAINING)
async def close_joining(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Training:
    """Close joining: codes the training has not seen are refused, unless their phone joined
    while joining was open. The trainers of the training may do it."""
    return await _set_joining(request, db, training_id, False)


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
            open_phase,
            close_phase,
            open_joining,
            close_joining,
        ],
    )
]
