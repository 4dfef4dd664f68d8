"""Errors found in a question set, each with its place and a way to fix it."""

from __future__ import annotations

import msgspec


class FormError(msgspec.Struct, frozen=True):
    """One problem in a question set: where it is and what to do about it."""

    #: The place, e.g. "tip.yaml, line 14, questions[3].choices[1].id".
    where: str
    #: What is wrong and how to fix it.
    message: str


class FormErrors(Exception):
    """Raised when a question set cannot be loaded; carries every error, not just the first."""

    def __init__(self, errors: list[FormError]) -> None:
        self.errors = errors
        super().__init__(
            "\n".join(f"{e.where}: {e.message}" for e in errors) or "invalid question set"
        )
