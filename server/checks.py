"""Checks the staff API and the console share, so both refuse the same input in the same words:
a training as sent, an institution key, a question-set file."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from forms.errors import FormError, FormErrors
from forms.loaders import load_bytes_noting
from forms.model import QuestionSet
from server.db import forms as forms_db
from server.db import institutions as inst_db
from server.db import trainings as trainings_db
from server.db import users as users_db
from server.db.database import Database
from server.parsing import TooCostly, in_worker
from server.phases import window_problems
from server.schemas import TRAINING_ID, TrainingIn

#: Largest question-set file accepted for upload.
MAX_FORM_BYTES = 5 * 1024 * 1024
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ID_RE = re.compile(TRAINING_ID)


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


async def parse_upload(
    data: bytes, filename: str, warnings: list[FormError] | None = None
) -> QuestionSet:
    """The question set in an uploaded file, read in a worker; raises FormErrors. What reading
    a workbook assumed or left out is added to `warnings`."""
    if len(data) > MAX_FORM_BYTES:
        raise FormErrors([FormError(filename, "The file is larger than 5 MB.")])
    try:
        qs, found = await in_worker(load_bytes_noting, data, filename)
    except TooCostly as exc:
        raise FormErrors([FormError(filename, f"This is no question set: {exc}.")]) from exc
    if warnings is not None:
        warnings.extend(found)
    return qs
