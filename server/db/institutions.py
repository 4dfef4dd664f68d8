"""SQL for the institution registry."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from server.clock import now_iso
from server.db import audit
from server.db.database import Database


async def upsert(db: Database, key: str, name: dict[str, str], country: str, actor: str) -> bool:
    """Create or replace an institution; True when it was new."""

    def work(conn: sqlite3.Connection) -> bool:
        existed = conn.execute("SELECT 1 FROM institutions WHERE key = ?", (key,)).fetchone()
        conn.execute(
            "INSERT INTO institutions (key, name, country, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET name = excluded.name, country = excluded.country,"
            " updated_at = excluded.updated_at",
            (key, msgspec.json.encode(name).decode(), country, now_iso()),
        )
        action = "institution.update" if existed else "institution.create"
        audit.record(conn, actor, action, key, name=name, country=country)
        return existed is None

    return await db.write(work)


async def list_all(db: Database) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT key, name, country, updated_at FROM institutions ORDER BY key"
    )
    return [{**dict(row), "name": msgspec.json.decode(row["name"])} for row in rows]


async def existing_keys(db: Database, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    marks = ",".join("?" * len(keys))
    rows = await db.fetch_all(f"SELECT key FROM institutions WHERE key IN ({marks})", keys)
    return {row["key"] for row in rows}
