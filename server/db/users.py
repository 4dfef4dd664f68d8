"""SQL for staff users, their API tokens and their console sessions."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from server.clock import now_iso
from server.db import audit
from server.db.database import Database

SESSION_DAYS = 7


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def get(db: Database, username: str) -> dict[str, Any] | None:
    row = await db.fetch_one("SELECT * FROM users WHERE username = ?", (username,))
    return None if row is None else dict(row)


async def list_all(db: Database) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT username, role, display_name, created_at, disabled FROM users ORDER BY username"
    )
    return [dict(row) for row in rows]


async def existing(db: Database, usernames: list[str]) -> set[str]:
    if not usernames:
        return set()
    marks = ",".join("?" * len(usernames))
    rows = await db.fetch_all(f"SELECT username FROM users WHERE username IN ({marks})", usernames)
    return {row[0] for row in rows}


async def upsert(
    db: Database,
    username: str,
    role: str,
    password_hash: str | None,
    actor: str,
    keep_session: str | None = None,
) -> bool:
    """Create a user or change its role (and password when given); True when it was new.

    A new password ends the user's sessions, all but `keep_session` (the secret of the session
    that set it), so whoever held an old one is signed out."""

    def work(conn: sqlite3.Connection) -> bool:
        existed = conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
        if existed:
            conn.execute(
                "UPDATE users SET role = ?, password_hash = COALESCE(?, password_hash)"
                " WHERE username = ?",
                (role, password_hash, username),
            )
            if password_hash is not None:
                conn.execute(
                    "DELETE FROM sessions WHERE username = ? AND id_hash != ?",
                    (username, _digest(keep_session) if keep_session else ""),
                )
        else:
            conn.execute(
                "INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (username, role, password_hash, now_iso()),
            )
        audit.record(conn, actor, "user.update" if existed else "user.create", username, role=role)
        return existed is None

    return await db.write(work)


async def set_disabled(db: Database, username: str, disabled: bool, actor: str) -> bool:
    """Disable or re-enable a user; a disabled user's sessions and tokens stop working at once."""

    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username)
        )
        if not cur.rowcount:
            return False
        if disabled:
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))
        audit.record(conn, actor, "user.disable" if disabled else "user.enable", username)
        return True

    return await db.write(work)


async def create_token(db: Database, username: str, name: str, actor: str) -> str:
    """Make a bearer token for a user; the secret is returned once and stored only hashed."""
    secret = "tdb_" + secrets.token_urlsafe(32)

    def work(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO tokens (token_hash, username, name, created_at) VALUES (?, ?, ?, ?)",
            (_digest(secret), username, name, now_iso()),
        )
        audit.record(conn, actor, "token.create", username, name=name)

    await db.write(work)
    return secret


async def list_tokens(db: Database, username: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT id, username, name, created_at, last_used_at, revoked_at FROM tokens"
    params: tuple[str, ...] = ()
    if username is not None:
        sql += " WHERE username = ?"
        params = (username,)
    return [dict(row) for row in await db.fetch_all(sql + " ORDER BY id", params)]


async def revoke_token(db: Database, token_id: int, actor: str) -> bool:
    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (now_iso(), token_id),
        )
        if cur.rowcount:
            audit.record(conn, actor, "token.revoke", str(token_id))
        return bool(cur.rowcount)

    return await db.write(work)


async def user_for_token(db: Database, secret: str) -> dict[str, Any] | None:
    row = await db.fetch_one(
        "SELECT u.username, u.role, t.id, t.last_used_at FROM tokens t"
        " JOIN users u ON u.username = t.username"
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0",
        (_digest(secret),),
    )
    if row is None:
        return None
    # Record use at most hourly, so reads by scripts do not each cost a write.
    stale = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    if row["last_used_at"] is None or row["last_used_at"] < stale:
        await db.write(
            lambda conn: conn.execute(
                "UPDATE tokens SET last_used_at = ? WHERE id = ?", (now_iso(), row["id"])
            )
        )
    return {"username": row["username"], "role": row["role"]}


async def create_session(db: Database, username: str) -> tuple[str, str]:
    """Open a console session; returns (cookie secret, CSRF token)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = datetime.now(UTC) + timedelta(days=SESSION_DAYS)
    await db.write(
        lambda conn: conn.execute(
            "INSERT INTO sessions (id_hash, username, csrf, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (_digest(secret), username, csrf, now_iso(), expires.strftime("%Y-%m-%dT%H:%M:%SZ")),
        )
    )
    return secret, csrf


async def session(db: Database, secret: str) -> dict[str, Any] | None:
    row = await db.fetch_one(
        "SELECT u.username, u.role, s.csrf FROM sessions s JOIN users u ON u.username = s.username"
        " WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0",
        (_digest(secret), now_iso()),
    )
    return None if row is None else dict(row)


async def end_session(db: Database, secret: str) -> None:
    await db.write(
        lambda conn: conn.execute("DELETE FROM sessions WHERE id_hash = ?", (_digest(secret),))
    )
