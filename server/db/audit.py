"""SQL for the audit log of admin changes."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from server.clock import now_iso
from server.db.database import Database


def record(
    conn: sqlite3.Connection, actor: str, action: str, target: str = "", **detail: Any
) -> None:
    """Write one audit entry inside the caller's write, so it lands with the change."""
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (now_iso(), actor, action, target, msgspec.json.encode(detail).decode()),
    )


async def recent(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [{**dict(row), "detail": msgspec.json.decode(row["detail"])} for row in rows]
