"""Settings read from the environment, with defaults that work on a laptop."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

DEFAULT_DB = "data/tadrib.db"
DEFAULT_PWA_DIR = Path(__file__).resolve().parents[1] / "pwa"


class Settings(msgspec.Struct, frozen=True):
    """Everything the app needs to start; `from_env` fills it from `TADRIB_*` variables."""

    db_path: Path = Path(DEFAULT_DB)
    #: Largest accepted sync or upload body, in bytes (413 above it).
    max_body: int = 1024 * 1024
    #: Sync requests allowed per client address and minute (429 above it); 0 disables.
    sync_rate_per_minute: int = 600
    #: Unknown join codes allowed per address and minute (then 429); 0 disables.
    join_attempts_per_minute: int = 30
    #: Failed sign-ins allowed per address and 15 minutes.
    login_attempts: int = 10
    #: Public base URL used in join links; empty means "from the request".
    public_url: str = ""
    #: Mark session cookies Secure (set when served behind HTTPS).
    secure_cookies: bool = False
    #: The participant app's folder (the browser tests serve a changed copy).
    pwa_dir: Path = DEFAULT_PWA_DIR

    @classmethod
    def from_env(cls, db_path: str | Path | None = None) -> Settings:
        """The settings from `TADRIB_*` variables; raises `SettingError` naming a bad one."""
        env = os.environ
        return cls(
            db_path=Path(db_path or env.get("TADRIB_DB") or DEFAULT_DB),
            max_body=_count(env, "TADRIB_MAX_BODY", 1024 * 1024),
            sync_rate_per_minute=_count(env, "TADRIB_SYNC_RATE", 600),
            join_attempts_per_minute=_count(env, "TADRIB_JOIN_ATTEMPTS", 30),
            login_attempts=_count(env, "TADRIB_LOGIN_ATTEMPTS", 10),
            public_url=env.get("TADRIB_PUBLIC_URL", "").rstrip("/"),
            secure_cookies=_switch(env, "TADRIB_SECURE_COOKIES", False),
            pwa_dir=Path(env.get("TADRIB_PWA_DIR") or DEFAULT_PWA_DIR),
        )


class SettingError(ValueError):
    """A `TADRIB_*` variable that cannot be read; the message names it and what it takes."""


_ON, _OFF = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise SettingError(f"{name} must be a whole number, 0 or more, not {value!r}.")
    return number


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.strip().lower() in _ON | _OFF:
        return value.strip().lower() in _ON
    raise SettingError(f"{name} must be 1 or 0 (or yes/no, on/off), not {value!r}.")
