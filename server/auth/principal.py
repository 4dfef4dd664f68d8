"""The authenticated staff member behind a request."""

from __future__ import annotations

from typing import Literal

import msgspec


class Principal(msgspec.Struct, frozen=True):
    username: str
    role: Literal["admin", "trainer"]
    #: "token" for scripts, "session" for the console (which also carries a CSRF token).
    via: Literal["token", "session"] = "token"
    csrf: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
