"""Trainings: create and edit (admin), list and read (staff, trainers their own)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple

from litestar import Request, Router, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody

from server.auth.access import visible_training
from server.auth.guards import admin_guard, current, staff_guard
from server.db import forms as forms_db
from server.db import institutions as inst_db
from server.db import submissions as subs_db
from server.db import trainings as trainings_db
from server.db import users as users_db
from server.db.database import Database
from server.phases import completed, window_problems
from server.routes._openapi import STAFF, STAFF_SECURITY, TRAINING
from server.schemas import TRAINING_ID, Training, TrainingIn

ID_RE = re.compile(TRAINING_ID)


def join_url(request: Request[Any, Any, Any], code: str) -> str:
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/t/{code}"


def with_url(request: Request[Any, Any, Any], training: Training) -> Training:
    training.join_url = join_url(request, training.join_code)
    return training


class Problem(NamedTuple):
    """One thing wrong with a training as sent: the form field it concerns, what is wrong (a key
    of `PROBLEMS`, and of the console's strings as ``problem_<key>``) and the values it names."""

    field: str
    key: str
    params: dict[str, str]

    def english(self) -> str:
        """The problem as the API states it."""
        return PROBLEMS[self.key].format(**self.params)


#: The API's English for each problem; the console translates the same keys.
PROBLEMS: dict[str, str] = {
    "bad_id": "id '{id}': use 2-64 lowercase letters, digits and '-' (e.g. 'rabat-tot-2019').",
    "id_taken": "id '{id}': a training with this id exists; choose another id.",
    "no_title": "title: give the training a title.",
    "bad_country": "country '{country}': use the two-letter ISO code, e.g. 'MA'.",
    "ends_before_start": "ends_on: the training cannot end before it starts.",
    "bad_dates": "starts_on/ends_on: use dates like 2019-01-07.",
    "no_institutions": "institutions: list at least one institution key.",
    "unknown_institution": (
        "institutions: '{key}' is not in the registry; add it with "
        "PUT /api/v1/institutions/{key} first."
    ),
    "unknown_trainer": "trainers: no user '{name}'; add it with 'tadrib users add {name}'.",
    "unknown_parent": "parent: no other training '{parent}'.",
    "not_published": "{field}: question set '{form}' version {version} is not published.",
    "not_a_test": "{field}: '{form}' is an evaluation, not a test.",
    "not_an_evaluation": "{field}: '{form}' is a test, not an evaluation.",
    "retired": "{field}: '{form}' version {version} is retired.",
    "no_question_set": "Assign at least one of pre_test, post_test and evaluation.",
    "unknown_phase": "windows: '{phase}' is not a phase; use {allowed}.",
    "bad_window": "windows.{phase}: {problem}",
    "followup_without_test": "followup_test: name the follow-up's question set (there is no "
    "post-test whose set it could use).",
}


async def training_problems(db: Database, data: TrainingIn, creating: bool) -> list[Problem]:
    """Everything wrong with a training as sent, each saying how to fix it."""
    problems: list[Problem] = []
    if not ID_RE.match(data.id):
        problems.append(Problem("id", "bad_id", {"id": data.id}))
    elif creating and await trainings_db.get(db, data.id) is not None:
        problems.append(Problem("id", "id_taken", {"id": data.id}))
    title = data.title if isinstance(data.title, str) else " ".join(data.title.values())
    if not title.strip():
        problems.append(Problem("title", "no_title", {}))
    if not re.match(r"^[A-Z]{2}$", data.country):
        problems.append(Problem("country", "bad_country", {"country": data.country}))
    try:
        if date.fromisoformat(data.ends_on) < date.fromisoformat(data.starts_on):
            problems.append(Problem("ends_on", "ends_before_start", {}))
    except ValueError:
        problems.append(Problem("starts_on", "bad_dates", {}))
    if not data.institutions:
        problems.append(Problem("institutions", "no_institutions", {}))
    missing = set(data.institutions) - await inst_db.existing_keys(db, data.institutions)
    for key in sorted(missing):
        problems.append(Problem("institutions", "unknown_institution", {"key": key}))
    missing_users = set(data.trainers) - await users_db.existing(db, data.trainers)
    for name in sorted(missing_users):
        problems.append(Problem("trainers", "unknown_trainer", {"name": name}))
    if data.parent is not None and (
        data.parent == data.id or await trainings_db.get(db, data.parent) is None
    ):
        problems.append(Problem("parent", "unknown_parent", {"parent": data.parent}))
    wanted = {
        "pre_test": "test",
        "post_test": "test",
        "evaluation": "evaluation",
        "followup_test": "test",
    }
    for field, kind in wanted.items():
        ref = getattr(data, field)
        if ref is None:
            continue
        named = {"field": field, "form": ref.form, "version": ref.version}
        qs = await forms_db.get(db, ref.form, ref.version)
        if qs is None:
            problems.append(Problem(field, "not_published", named))
        elif qs.kind != kind:
            wrong = "not_a_test" if kind == "test" else "not_an_evaluation"
            problems.append(Problem(field, wrong, named))
        elif creating and await forms_db.is_retired(db, ref.form, ref.version):
            problems.append(Problem(field, "retired", named))
    if data.pre_test is None and data.post_test is None and data.evaluation is None:
        problems.append(Problem("question_sets", "no_question_set", {}))
    problems += [Problem(*found) for found in window_problems(data)]
    return problems


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
