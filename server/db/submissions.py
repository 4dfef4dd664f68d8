"""SQL for participants, submissions and devices, including the sync ingest store."""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

import msgspec

from forms.model import QuestionSet
from server.clock import now_iso
from server.db import forms, trainings
from server.db.database import Database
from sync import joining
from sync.decide import Record, Stored, TrainingContext
from sync.ingest import DeviceReport

#: The columns a batch writes, named as `sync.decide.Record`'s fields and the four the writer
#: adds; `participant_id` is found by training and normalised code.
_COLUMNS = (
    "id", "training_id", "participant_id", "form_id", "form_version", "phase", "lang",
    "raw_code", "institution", "sex", "age_band", "answers", "content_hash", "score",
    "max_score", "percent", "item_points", "device", "started_at", "completed_at",
    "received_at", "flags", "source", "simulated",
)  # fmt: skip
_PARTICIPANT = "(SELECT id FROM participants WHERE training_id = ? AND code = ?)"
_ROW = "(" + ", ".join(_PARTICIPANT if c == "participant_id" else "?" for c in _COLUMNS) + ")"
#: One row's parameters by name, in the order of the `?`s of `_ROW`.
_PARAMS = [
    n for c in _COLUMNS for n in (("training_id", "code") if c == "participant_id" else (c,))
]
#: Rows per statement (SQLite takes at most 32,766 parameters). One statement for a batch
#: keeps the writer's thread inside SQLite, which runs without Python's lock, rather than
#: coming back to Python for each row while the event loop checks the next batches.
_ROWS_PER_STATEMENT = 500


@functools.cache
def _insert_sql(rows: int) -> str:
    return (
        f"INSERT INTO submissions ({', '.join(_COLUMNS)}) VALUES {', '.join([_ROW] * rows)}"
        " ON CONFLICT (id) DO NOTHING RETURNING id"
    )


def store(
    conn: sqlite3.Connection, device: DeviceReport, records: list[Record], now: str, source: str
) -> dict[str, Stored]:
    """Store the records whose id is new and note the device; returns, for the ids that were
    already stored, what is on disk. Runs in the writer's thread."""
    people = [(r.training_id, r.code) for r in records]
    conn.execute(
        "INSERT INTO participants (training_id, code, created_at)"
        " SELECT value ->> 0, value ->> 1, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
        (now, msgspec.json.encode(people).decode()),
    )
    simulated = int(source == "demo")
    extra = {"device": device.id, "received_at": now, "source": source, "simulated": simulated}
    rows = [msgspec.structs.asdict(r) | extra for r in records]
    new: set[str] = set()
    for first in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[first : first + _ROWS_PER_STATEMENT]
        values = [row[name] for row in chunk for name in _PARAMS]
        new.update(found for (found,) in conn.execute(_insert_sql(len(chunk)), values))
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
        phases = (
            ("pre", "pre"),
            ("post", "post"),
            ("evaluation", "eval"),
            ("followup", "followup"),
        )
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
            joining_open=bool(found["joining_open"]),
            joining_stamp=joining.stamp(
                await trainings.joining_secret(self.db), found["id"], found["join_code"]
            ),
            windows=found["windows"],
        )

    async def seen(self, training_id: str, codes: set[str]) -> set[str]:
        wanted = sorted(codes)
        rows = await self.db.fetch_all(
            "SELECT code FROM participants WHERE training_id = ? AND code IN"
            f" ({', '.join('?' * len(wanted))})",
            (training_id, *wanted),
        )
        return {row[0] for row in rows}

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
