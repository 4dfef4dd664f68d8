"""SQL for participants, submissions and devices, including the sync ingest store."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from forms.model import QuestionSet
from server.clock import now_iso
from server.db import forms, trainings
from server.db.database import Database
from sync.decide import Record, Stored, TrainingContext
from sync.ingest import DeviceReport

#: One submission, its values named as `sync.decide.Record`'s fields; its participant is found
#: by training and normalised code. RETURNING gives the id only when the row is new.
_INSERT_SUBMISSION = """
INSERT INTO submissions (
    id, training_id, participant_id, form_id, form_version, phase, lang, raw_code,
    institution, sex, age_band, answers, content_hash, score, max_score, percent,
    item_points, device, started_at, completed_at, received_at, flags, source, simulated
) VALUES (
    :id, :training_id,
    (SELECT id FROM participants WHERE training_id = :training_id AND code = :code),
    :form_id, :form_version, :phase, :lang, :raw_code,
    :institution, :sex, :age_band, :answers, :content_hash, :score, :max_score, :percent,
    :item_points, :device, :started_at, :completed_at, :received_at, :flags, :source, :simulated
) ON CONFLICT (id) DO NOTHING RETURNING id
"""


def store(
    conn: sqlite3.Connection, device: DeviceReport, records: list[Record], now: str, source: str
) -> dict[str, Stored]:
    """Store the records whose id is new and note the device; returns, for the ids that were
    already stored, what is on disk. Runs in the writer's thread."""
    conn.executemany(
        "INSERT INTO participants (training_id, code, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [(r.training_id, r.code, now) for r in records],
    )
    simulated = int(source == "demo")
    extra = {"device": device.id, "received_at": now, "source": source, "simulated": simulated}
    new: set[str] = set()
    for record in records:
        if conn.execute(_INSERT_SUBMISSION, msgspec.structs.asdict(record) | extra).fetchone():
            new.add(record.id)
    already = msgspec.json.encode([r.id for r in records if r.id not in new]).decode()
    stored = {
        found[0]: Stored(found[1], found[2])
        for found in conn.execute(
            "SELECT id, content_hash, percent FROM submissions"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (already,),
        )
    }
    conn.execute(
        "INSERT INTO devices (id, training_id, last_seen_at, pending, user_agent)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
        " training_id = COALESCE(excluded.training_id, devices.training_id),"
        " last_seen_at = excluded.last_seen_at, pending = excluded.pending,"
        " user_agent = CASE WHEN excluded.user_agent = '' THEN devices.user_agent"
        " ELSE excluded.user_agent END",
        (device.id, device.training_id, now, device.pending, device.user_agent),
    )
    return stored


class SqliteIngestStore:
    """The `sync.ingest.IngestStore` over Tadrib's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def training(self, join_code: str) -> TrainingContext | None:
        found = await trainings.ingest_view(self.db, join_code)
        if found is None:
            return None
        phases = (("pre", "pre"), ("post", "post"), ("evaluation", "eval"))
        return TrainingContext(
            id=found["id"],
            institutions=frozenset(found["institution_keys"]),
            assignments={
                phase: (found[f"{col}_form"], found[f"{col}_version"])
                for phase, col in phases
                if found[f"{col}_form"] is not None
            },
            show_score=bool(found["show_score"]),
            starts_on=found["starts_on"],
            ends_on=found["ends_on"],
        )

    async def form(self, form_id: str, version: str) -> QuestionSet | None:
        return await forms.get(self.db, form_id, version)

    async def commit(
        self, device: DeviceReport, records: list[Record], source: str
    ) -> dict[str, Stored]:
        now = now_iso()
        return await self.db.write(lambda conn: store(conn, device, records, now, source))


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
