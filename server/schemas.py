"""Request and response bodies of the staff API (the sync wire types live in sync/wire.py)."""

from __future__ import annotations

from typing import Literal

import msgspec

Role = Literal["admin", "trainer"]


class FormRef(msgspec.Struct, forbid_unknown_fields=True):
    """A question set assigned to a phase: its id and exact version."""

    form: str
    version: str


class InstitutionIn(msgspec.Struct, forbid_unknown_fields=True):
    name: dict[str, str]
    country: str = ""


class TrainingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What an admin sends to create or replace a training."""

    id: str
    title: str | dict[str, str]
    country: str
    location: str = ""
    starts_on: str
    ends_on: str
    institutions: list[str]
    pre_test: FormRef | None = None
    post_test: FormRef | None = None
    evaluation: FormRef | None = None
    parent: str | None = None
    trainers: list[str] = []
    show_score: bool = False
    joining_open: bool = True


class Training(TrainingIn, kw_only=True):
    """A training as the API returns it."""

    join_code: str
    join_url: str = ""
    simulated: bool = False
    created_at: str = ""
    updated_at: str = ""


class PublishOut(msgspec.Struct):
    id: str
    version: str
    hash: str


class ErrorItem(msgspec.Struct):
    where: str
    message: str


class ErrorsOut(msgspec.Struct):
    errors: list[ErrorItem]
