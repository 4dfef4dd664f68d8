"""Password hashing with Argon2id, a memory-hard function, and what makes a password acceptable."""

from __future__ import annotations

import asyncio
import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 10
COMMON_LIST = Path(__file__).resolve().parent / "common_passwords.txt"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


async def password_matches(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash, checked in a thread (Argon2 takes tens of
    milliseconds of CPU). Without a hash, a dummy one is checked all the same, so the time a
    sign-in takes does not tell whether the name exists."""
    if not stored:
        await asyncio.to_thread(verify_password, _dummy_hash(), password)
        return False
    return await asyncio.to_thread(verify_password, stored, password)


async def hash_in_thread(password: str) -> str:
    """`hash_password` off the event loop, for request handlers."""
    return await asyncio.to_thread(hash_password, password)


@cache
def _common() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    """Whether the password is on the shipped list of common passwords (case does not matter)."""
    return password.strip().lower() in _common()


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Choose a password of at least {MIN_LENGTH} characters."
    if is_common(password):
        return (
            "This password is one of the most common ones, which are tried first; choose another."
        )
    return None
