"""SQL for participants, submissions and devices, including the sync ingest store."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable
from itertools import chain
from typing import Any, TypeVar

import msgspec
from msgspec.structs import astuple

from forms.model import QuestionSet
from server.clock import now_iso
from server.db import forms, trainings
from server.db.database import Database
from sync import joining
from sync.decide import Record, TrainingContext
from sync.ingest import DeviceReport, Stored

T = TypeVar("T")

_COLUMNS = (
    "id, training_id, participant_id, form_id, form_version, phase, lang, raw_code, institution,"
    " sex, age_band, answers, content_hash, score, max_score, percent, item_points, device,"
    " started_at, completed_at, received_at, flags, source, simulated"
)
#: One row. Its participant is given by id when known; otherwise (NULL) SQLite finds it by
#: training and normalised code, just added (COALESCE only looks when the id is NULL).
_ROW = (
    "(?, ?, COALESCE(?, (SELECT id FROM participants WHERE training_id = ? AND code = ?)),"
    f" {', '.join('?' * (len(_COLUMNS.split(',')) - 3))})"
)
#: Parameters per row of `_ROW`.
_WIDTH = _ROW.count("?")
_PEOPLE_COLUMNS = "training_id, code, created_at"
#: Rows per INSERT statement. One statement per batch rather than one per row keeps the
#: writer's thread inside SQLite, where it runs without the GIL, instead of coming back to
#: Python for every row while the event loop checks the next batch.
_ROWS_PER_STATEMENT = 200


class AlreadyStored(Exception):
    """A submission of the batch is already on disk: redo the batch with `write_careful`."""


@functools.cache
def _insert_sql(verb: str, table: str, columns: str, row: str, n: int) -> str:
    """`verb INTO table (columns) VALUES row, row, ...` with `n` rows."""
    return f"{verb} INTO {table} ({columns}) VALUES {', '.join([row] * n)}"


#: An SQL statement and its parameters.
Statement = tuple[str, list[Any]]
#: One submission as stored: the values `_row` makes of a `sync.decide.Record`.
Row = tuple[Any, ...]


def statements(rows: list[Row], now: str, known: dict[tuple[str, str], int]) -> list[Statement]:
    """The statements that store `rows` (made by `_row`): participants in `known` are named
    by id; the others are added first, then found by training and code. Made before the
    write, so the writer's thread only runs them.
    """
    values: list[Any] = []
    people: set[tuple[str, str]] = set()
    for row in rows:
        key = (row[1], row[2])
        person = known.get(key)
        if person is None:
            people.add(key)
        values += (row[0], row[1], person, *row[1:])
    return [
        *(
            (
                _insert_sql(
                    "INSERT OR IGNORE", "participants", _PEOPLE_COLUMNS, "(?, ?, ?)", len(some)
                )
                + " RETURNING training_id, code, id",
                list(chain.from_iterable((training_id, code, now) for training_id, code in some)),
            )
            for some in _chunks(sorted(people), _ROWS_PER_STATEMENT)
        ),
        *(
            (
                _insert_sql("INSERT", "submissions", _COLUMNS, _ROW, len(chunk) // _WIDTH),
                chunk,
            )
            for chunk in _chunks(values, _ROWS_PER_STATEMENT * _WIDTH)
        ),
    ]


def known_people(kept: dict[Any, Any]) -> dict[tuple[str, str], int]:
    """(training id, normalised code) -> participants.id, for the participants this process
    added, kept in `kept` (`Database.immutable`, or the scribe's own).

    Kept in memory: participants are never changed or deleted, so an id once known stays
    right. Others (added by another process, or before a restart) are found by SQLite.
    """
    known: dict[tuple[str, str], int] = kept.setdefault("participants", {})
    if len(known) > 500_000:
        known.clear()
    return known


async def write_rows(
    db: Database, device: DeviceReport, now: str, rows: list[Row]
) -> dict[str, Stored]:
    """Store the rows whose id is new and note the device, durably, through the writer's
    thread; returns, for the ids already stored, what is on disk."""
    known = known_people(db.immutable)
    inserts = statements(rows, now, known)
    try:
        # Retries are rare: insert straight away, and look for what is stored only when
        # SQLite says an id is taken.
        stored, added = await db.write(lambda conn: write_new(conn, device, now, inserts))
    except AlreadyStored:
        stored, added = await db.write(lambda conn: write_careful(conn, device, now, rows))
    known.update(added)  # committed now
    return stored


#: Stores a batch's rows as `write_rows` does: here, or in the scribe process.
RowWriter = Callable[[Database, DeviceReport, str, list[Row]], Awaitable[dict[str, Stored]]]


class SqliteIngestStore:
    """The `sync.ingest.IngestStore` over Tadrib's database."""

    def __init__(self, db: Database, writer: RowWriter = write_rows) -> None:
        self.db = db
        self.writer = writer

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
        simulated = int(source == "demo")
        rows = [_row(astuple(r), device.id, now, source, simulated) for r in records]
        return await self.writer(self.db, device, now, rows)


#: What a write returns: what was already stored (by submission id), and the participants
#: it added (by training and code).
Written = tuple[dict[str, Stored], dict[tuple[str, str], int]]


def _run(conn: sqlite3.Connection, inserts: list[Statement]) -> dict[tuple[str, str], int]:
    """Run the statements of `statements`; the ids of the participants they added."""
    added: dict[tuple[str, str], int] = {}
    for sql, values in inserts:
        for training_id, code, person in conn.execute(sql, values):  # RETURNING rows
            added[(training_id, code)] = person
    return added


def write_new(
    conn: sqlite3.Connection, device: DeviceReport, now: str, inserts: list[Statement]
) -> Written:
    """Run the inserts and note the device; runs in the writer's transaction.

    Raises `AlreadyStored` (and the transaction is rolled back) when an id is taken: the
    common case then costs no look-up.
    """
    try:
        added = _run(conn, inserts)
    except sqlite3.IntegrityError as exc:
        raise AlreadyStored from exc
    _note_device(conn, device, now)
    return {}, added


def write_careful(
    conn: sqlite3.Connection, device: DeviceReport, now: str, rows: list[Row]
) -> Written:
    """Store the rows whose id is new; returns, for the others, what is on disk."""
    stored: dict[str, Stored] = {}
    for chunk in _chunks([row[0] for row in rows], 500):
        marks = ",".join("?" * len(chunk))
        for found in conn.execute(
            f"SELECT id, content_hash, percent FROM submissions WHERE id IN ({marks})", chunk
        ):
            stored[found[0]] = Stored(found[1], found[2])
    added = _run(conn, statements([row for row in rows if row[0] not in stored], now, {}))
    _note_device(conn, device, now)
    return stored, added


def _note_device(conn: sqlite3.Connection, device: DeviceReport, now: str) -> None:
    """When the device was last seen, and how many records it still holds."""
    conn.execute(
        "INSERT INTO devices (id, training_id, last_seen_at, pending, user_agent)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
        " training_id = COALESCE(excluded.training_id, devices.training_id),"
        " last_seen_at = excluded.last_seen_at, pending = excluded.pending,"
        " user_agent = CASE WHEN excluded.user_agent = '' THEN devices.user_agent"
        " ELSE excluded.user_agent END",
        (device.id, device.training_id, now, device.pending, device.user_agent),
    )


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


#: The fields of `sync.decide.Record`, in order: `_row` takes them by place, for speed.
_RECORD_FIELDS = (
    "index", "join_code", "id", "training_id", "code", "form", "version", "phase", "lang",
    "raw_code", "institution", "sex", "age_band", "answers", "content_hash", "total", "maximum",
    "percent", "points", "started_at", "completed_at", "flags",
)  # fmt: skip
assert Record.__struct_fields__ == _RECORD_FIELDS, "sync.decide.Record changed: update _row"


def _row(record: tuple[Any, ...], device: str, now: str, source: str, simulated: int) -> Row:
    """The values of a `sync.decide.Record` (as a tuple) in the order `statements` wants: its
    id, training and normalised code, then the columns after `participant_id`."""
    return (*record[2:19], device, record[19], record[20], now, record[21], source, simulated)


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
