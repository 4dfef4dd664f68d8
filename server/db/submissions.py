"""SQL for participants, submissions and devices, including the sync ingest store."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from forms.model import QuestionSet
from server.clock import now_iso
from server.db import forms, trainings
from server.db.database import Database
from sync.ingest import Candidate, DeviceReport, Stored, TrainingContext

_INSERT = (
    "INSERT INTO submissions (id, training_id, participant_id, form_id, form_version, phase, lang,"
    " raw_code, institution, sex, age_band, answers, content_hash, score, max_score, percent,"
    " item_points, device, started_at, completed_at, received_at, flags, source, simulated)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
            join_code=found["join_code"],
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
        self, device: DeviceReport, candidates: list[Candidate], source: str
    ) -> dict[str, Stored]:
        now = now_iso()
        return await self.db.write(lambda conn: _commit(conn, device, candidates, source, now))


def _commit(
    conn: sqlite3.Connection,
    device: DeviceReport,
    candidates: list[Candidate],
    source: str,
    now: str,
) -> dict[str, Stored]:
    """Store the candidates whose id is new; runs in the writer's thread, inside its transaction."""
    ids = [c.submission.id for c in candidates]
    stored: dict[str, Stored] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, content_hash, percent FROM submissions WHERE id IN ({marks})", chunk
        ):
            stored[row[0]] = Stored(row[1], row[2])
    new = [c for c in candidates if c.submission.id not in stored]
    if new:
        pairs = {(c.training_id, c.code) for c in new}
        conn.executemany(
            "INSERT OR IGNORE INTO participants (training_id, code, created_at) VALUES (?, ?, ?)",
            [(t, code, now) for t, code in pairs],
        )
        people: dict[tuple[str, str], int] = {}
        for training_id in {t for t, _ in pairs}:
            codes = [code for t, code in pairs if t == training_id]
            for start in range(0, len(codes), 500):
                chunk = codes[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    "SELECT id, code FROM participants"
                    f" WHERE training_id = ? AND code IN ({marks})",
                    [training_id, *chunk],
                ):
                    people[(training_id, row[1])] = row[0]
        conn.executemany(_INSERT, [_row(c, people, device.id, now, source) for c in new])
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


def _row(
    c: Candidate, people: dict[tuple[str, str], int], device: str, now: str, source: str
) -> tuple[Any, ...]:
    sub, sc = c.submission, c.score
    return (
        sub.id, c.training_id, people[(c.training_id, c.code)], sub.form, sub.version, sub.phase,
        sub.lang, sub.participant.code, sub.participant.institution, sub.participant.sex,
        sub.participant.age_band, msgspec.json.encode(sub.answers).decode(), c.content_hash,
        sc.total if sc else None, sc.maximum if sc else None, sc.percent if sc else None,
        msgspec.json.encode(sc.points).decode() if sc else None, device, sub.started_at,
        sub.completed_at, now, msgspec.json.encode(c.flags).decode(), source,
        int(source == "demo"),
    )  # fmt: skip


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
