"""Settings read from the environment, with defaults that work on a laptop."""

from __future__ import annotations

import ipaddress
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
    #: Sync requests allowed per phone (device) and minute (429 above it); 0 disables.
    sync_rate_per_minute: int = 60
    #: Sync requests allowed per client address and minute, far above a room of phones behind
    #: one address; 0 disables.
    sync_address_rate_per_minute: int = 20_000
    #: Unknown join codes allowed per address and minute (then 429); 0 disables.
    join_attempts_per_minute: int = 30
    #: Failed sign-ins allowed per account and 15 minutes.
    login_attempts: int = 10
    #: Failed sign-ins allowed per address and 15 minutes, whatever the accounts.
    login_address_attempts: int = 100
    #: Public base URL used in join links; empty means "from the request". With https, cookies
    #: are Secure and HSTS is sent.
    public_url: str = ""
    #: Proxies (addresses or networks) whose X-Forwarded-For and -Proto headers are believed.
    trusted_proxies: tuple[str, ...] = ()
    #: The participant app's folder (the browser tests serve a changed copy).
    pwa_dir: Path = DEFAULT_PWA_DIR

    @classmethod
    def from_env(cls, db_path: str | Path | None = None) -> Settings:
        """The settings from `TADRIB_*` variables; raises `SettingError` naming a bad one."""
        env = os.environ
        return cls(
            db_path=Path(db_path or env.get("TADRIB_DB") or DEFAULT_DB),
            max_body=_count(env, "TADRIB_MAX_BODY", 1024 * 1024),
            sync_rate_per_minute=_count(env, "TADRIB_SYNC_RATE", 60),
            sync_address_rate_per_minute=_count(env, "TADRIB_SYNC_ADDRESS_RATE", 20_000),
            join_attempts_per_minute=_count(env, "TADRIB_JOIN_ATTEMPTS", 30),
            login_attempts=_count(env, "TADRIB_LOGIN_ATTEMPTS", 10),
            login_address_attempts=_count(env, "TADRIB_LOGIN_ADDRESS_ATTEMPTS", 100),
            public_url=_public_url(env, "TADRIB_PUBLIC_URL"),
            trusted_proxies=_networks(env, "TADRIB_TRUSTED_PROXIES"),
            pwa_dir=Path(env.get("TADRIB_PWA_DIR") or DEFAULT_PWA_DIR),
        )

    @property
    def https(self) -> bool:
        """Whether the public URL is https: cookies are then Secure and HSTS is sent."""
        return self.public_url.startswith("https://")


class SettingError(ValueError):
    """A `TADRIB_*` variable that cannot be read; the message names it and what it takes."""


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


def _public_url(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip().rstrip("/")
    if value and not (value.startswith(("https://", "http://")) and len(value.split("/")) == 3):
        raise SettingError(
            f"{name} must be the address phones open, like https://tadrib.example.org "
            f"(scheme and host, no path), not {value!r}."
        )
    return value


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Addresses or networks separated by commas or spaces, each in its normal form."""
    found: list[str] = []
    for item in env.get(name, "").replace(",", " ").split():
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingError(
                f"{name} takes addresses or networks separated by commas, like "
                f"127.0.0.1 or 10.0.0.0/8; {item!r} is neither."
            ) from None
    return tuple(found)
