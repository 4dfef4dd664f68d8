"""Request and response bodies of the staff API (the sync wire types live in sync/wire.py)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar.params import KwargDefinition

from sync.wire import PhaseWindow

Role = Literal["admin", "trainer"]


class FormRef(msgspec.Struct, forbid_unknown_fields=True):
    """A question set assigned to a phase: its id and exact version."""

    form: str
    version: str


# `KwargDefinition` in a field's annotation is a rule the OpenAPI document states and decoding
# leaves alone (msgspec.Meta would enforce it): the handlers check these rules themselves, so a
# client that breaks one reads what to fix rather than a decoder's message.
NonBlank = Annotated[str, KwargDefinition(pattern=r"\S", description="Not empty or blank.")]
TRAINING_ID = r"^[a-z0-9][a-z0-9-]{1,63}$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
Date = Annotated[str, KwargDefinition(format="date", pattern=ISO_DATE)]


class InstitutionIn(msgspec.Struct, forbid_unknown_fields=True):
    """An institution's name in one or more languages (`{"en": "...", "fr": "..."}`)."""

    name: Annotated[
        dict[str, NonBlank],
        KwargDefinition(
            description="The name by language code (en, fr, ar), at least one.",
            schema_extra={"min_properties": 1},
        ),
    ]
    country: str = ""


class Institution(msgspec.Struct):
    """An institution as `PUT /api/v1/institutions/{key}` returns it."""

    key: str
    name: dict[str, str]
    country: str


class TrainingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What an admin sends to create or replace a training."""

    id: Annotated[str, KwargDefinition(pattern=TRAINING_ID)]
    title: str | dict[str, str]
    country: Annotated[str, KwargDefinition(pattern="^[A-Z]{2}$", description="ISO 3166 code.")]
    location: str = ""
    starts_on: Date
    ends_on: Annotated[
        str, KwargDefinition(format="date", pattern=ISO_DATE, description="Not before starts_on.")
    ]
    institutions: Annotated[
        list[str], KwargDefinition(min_items=1, description="Keys in the institution registry.")
    ]
    pre_test: FormRef | None = None
    post_test: FormRef | None = None
    evaluation: FormRef | None = None
    #: The delayed retention test; a follow-up window without it uses the post-test's set.
    followup_test: FormRef | None = None
    #: phase (pre, post, evaluation, followup) -> when it may be started. Left out when
    #: creating: the pre-test opens at once, the post-test and the evaluation on the last day, a
    #: follow-up 30 to 90 days after it. Left out when replacing: the windows stay as they are.
    windows: dict[str, PhaseWindow] | None = None
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


class PublishOut(msgspec.Struct, omit_defaults=True):
    id: str
    version: str
    hash: str
    #: What reading an XLSForm assumed or left out (a made-up version, a missing translation).
    warnings: list[ErrorItem] = []


class ErrorItem(msgspec.Struct):
    where: str
    message: str


class ErrorsOut(msgspec.Struct):
    errors: list[ErrorItem]
