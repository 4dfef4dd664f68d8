"""SQL for published question sets (immutable once published)."""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

import msgspec

from forms.canonical import content_hash, from_json, to_json
from forms.model import QuestionSet
from server.clock import now_iso
from server.db import audit
from server.db.database import Database

PublishOutcome = Literal["created", "unchanged", "conflict"]


class PublishResult(msgspec.Struct):
    outcome: PublishOutcome
    id: str
    version: str
    hash: str
    existing_hash: str | None = None


async def publish(db: Database, qs: QuestionSet, actor: str) -> PublishResult:
    """Store a new version; identical content is a no-op and other content under it a conflict."""
    digest = content_hash(qs)

    def work(conn: sqlite3.Connection) -> PublishResult:
        row = conn.execute(
            "SELECT hash FROM forms WHERE id = ? AND version = ?", (qs.id, qs.version)
        ).fetchone()
        if row is not None:
            outcome: PublishOutcome = "unchanged" if row[0] == digest else "conflict"
            return PublishResult(outcome, qs.id, qs.version, digest, existing_hash=row[0])
        conn.execute(
            "INSERT INTO forms (id, version, kind, title, content, hash, published_at,"
            " published_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                qs.id, qs.version, qs.kind, msgspec.json.encode(qs.title).decode(),
                to_json(qs).decode(), digest, now_iso(), actor,
            ),
        )  # fmt: skip
        audit.record(conn, actor, "form.publish", f"{qs.id}@{qs.version}", hash=digest)
        return PublishResult("created", qs.id, qs.version, digest)

    return await db.write(work)


def _summary(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "version": row["version"],
        "kind": row["kind"],
        "title": msgspec.json.decode(row["title"]),
        "hash": row["hash"],
        "published_at": row["published_at"],
        "retired": row["retired_at"] is not None,
    }


async def list_all(db: Database) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT id, version, kind, title, hash, published_at, retired_at FROM forms"
        " ORDER BY id, published_at"
    )
    return [_summary(row) for row in rows]


async def get(db: Database, form_id: str, version: str) -> QuestionSet | None:
    """The full set with its keys; published versions never change, so they are kept in memory."""
    key = ("form", form_id, version)
    cached: QuestionSet | None = db.immutable.get(key)
    if cached is not None:
        return cached
    row = await db.fetch_one(
        "SELECT content FROM forms WHERE id = ? AND version = ?", (form_id, version)
    )
    if row is None:
        return None
    qs = from_json(row["content"].encode())
    db.immutable[key] = qs
    return qs


async def set_retired(db: Database, form_id: str, version: str, retired: bool, actor: str) -> bool:
    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE forms SET retired_at = ? WHERE id = ? AND version = ?",
            (now_iso() if retired else None, form_id, version),
        )
        if cur.rowcount == 0:
            return False
        action = "form.retire" if retired else "form.unretire"
        audit.record(conn, actor, action, f"{form_id}@{version}")
        return True

    return await db.write(work)


async def is_retired(db: Database, form_id: str, version: str) -> bool:
    value = await db.fetch_value(
        "SELECT retired_at FROM forms WHERE id = ? AND version = ?", (form_id, version)
    )
    return value is not None
