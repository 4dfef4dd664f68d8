"""What trainers watch while a training runs: its latest submissions, the counts per phase and
institution, and the devices that still hold unsent records (`server.db.submissions` stores
them)."""

from __future__ import annotations

from typing import Any

import msgspec

from server.db.database import Database


async def list_for_training(
    db: Database, training_id: str, limit: int = 1000
) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT s.id, s.phase, p.code, s.raw_code, s.institution, s.sex, s.lang, s.form_id,"
        " s.form_version, s.percent, s.completed_at, s.received_at, s.flags, s.source, s.device"
        " FROM submissions s JOIN participants p ON p.id = s.participant_id"
        " WHERE s.training_id = ? ORDER BY s.received_at DESC, s.id LIMIT ?",
        (training_id, limit),
    )
    return [{**dict(r), "flags": msgspec.json.decode(r["flags"])} for r in rows]


async def counts(db: Database, training_id: str) -> list[dict[str, Any]]:
    """Submissions per phase and institution, for the trainer's live monitor."""
    rows = await db.fetch_all(
        "SELECT phase, institution, COUNT(*) AS n FROM submissions WHERE training_id = ?"
        " GROUP BY phase, institution ORDER BY phase, institution",
        (training_id,),
    )
    return [dict(r) for r in rows]


async def devices_with_pending(db: Database, training_id: str) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT id, last_seen_at, pending FROM devices WHERE training_id = ? AND pending > 0"
        " ORDER BY last_seen_at DESC",
        (training_id,),
    )
    return [dict(r) for r in rows]
