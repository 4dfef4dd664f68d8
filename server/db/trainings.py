"""SQL for trainings, their institutions and their trainers."""

from __future__ import annotations

import secrets
import sqlite3
import time

import msgspec

from server.clock import now_iso
from server.db import audit
from server.db.database import Database
from server.schemas import FormRef, Training, TrainingIn
from sync import joining
from sync.decide import TrainingContext
from sync.wire import PhaseWindow

#: Crockford's base32: no I, L, O, U, so a code read aloud or typed is unambiguous.
JOIN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
JOIN_LENGTH = 8  # 8 x 5 bits = 40 bits


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def normalise_join_code(code: str) -> str:
    """Read a typed join code the way Crockford's base32 intends (O is 0, I and L are 1)."""
    table = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
    return code.strip().upper().translate(table)


_PHASE_COLUMNS = (
    ("pre_test", "pre"),
    ("post_test", "post"),
    ("evaluation", "eval"),
    ("followup_test", "followup"),
)


#: Each phase as the wire names it, and the prefix of its form's columns.
_WIRE_PHASES = (("pre", "pre"), ("post", "post"), ("evaluation", "eval"), ("followup", "followup"))


def _ref(row: sqlite3.Row, prefix: str) -> FormRef | None:
    form = row[f"{prefix}_form"]
    return None if form is None else FormRef(form, row[f"{prefix}_version"])


async def _children(db: Database, training_id: str) -> tuple[list[str], list[str]]:
    inst = await db.fetch_all(
        "SELECT institution FROM training_institutions WHERE training_id = ? ORDER BY rowid",
        (training_id,),
    )
    trainers = await db.fetch_all(
        "SELECT username FROM training_trainers WHERE training_id = ? ORDER BY username",
        (training_id,),
    )
    return [r[0] for r in inst], [r[0] for r in trainers]


async def windows(db: Database, training_id: str) -> dict[str, PhaseWindow]:
    """The training's phase windows by phase; a phase without one is open throughout."""
    rows = await db.fetch_all(
        "SELECT phase, opens_at, closes_at FROM phase_windows WHERE training_id = ?",
        (training_id,),
    )
    return {row["phase"]: PhaseWindow(row["opens_at"], row["closes_at"]) for row in rows}


async def _from_row(db: Database, row: sqlite3.Row) -> Training:
    institutions, trainers = await _children(db, row["id"])
    return Training(
        id=row["id"],
        title=msgspec.json.decode(row["title"]),
        country=row["country"],
        location=row["location"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        institutions=institutions,
        pre_test=_ref(row, "pre"),
        post_test=_ref(row, "post"),
        evaluation=_ref(row, "eval"),
        followup_test=_ref(row, "followup"),
        windows=await windows(db, row["id"]),
        parent=row["parent"],
        trainers=trainers,
        show_score=bool(row["show_score"]),
        joining_open=bool(row["joining_open"]),
        join_code=row["join_code"],
        simulated=bool(row["simulated"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def get(db: Database, training_id: str) -> Training | None:
    row = await db.fetch_one("SELECT * FROM trainings WHERE id = ?", (training_id,))
    return None if row is None else await _from_row(db, row)


async def by_join_code(db: Database, join_code: str) -> Training | None:
    row = await db.fetch_one(
        "SELECT * FROM trainings WHERE join_code = ?", (normalise_join_code(join_code),)
    )
    return None if row is None else await _from_row(db, row)


_WINDOWS = dict[str, PhaseWindow]

#: How long sync reuses what it read of a training, in seconds. Changes made through this
#: server apply at once (they drop what was read); one made by another process, within this.
INGEST_VIEW_SECONDS = 2.0


async def ingest_context(db: Database, join_code: str) -> TrainingContext | None:
    """What sync ingest needs of the training with this join code, in one query; read again
    at most every `INGEST_VIEW_SECONDS`, as every batch of every phone needs it."""
    code = normalise_join_code(join_code)
    views: dict[str, tuple[float, TrainingContext | None]] = db.recent.setdefault("ingest", {})
    now = time.monotonic()
    hit = views.get(code)
    if hit is not None and now - hit[0] < INGEST_VIEW_SECONDS:
        return hit[1]
    row = await db.fetch_one(
        "SELECT t.*, (SELECT json_group_array(institution) FROM training_institutions"
        " WHERE training_id = t.id) AS institution_keys, (SELECT json_group_object(phase,"
        " json_object('opens_at', opens_at, 'closes_at', closes_at)) FROM phase_windows"
        " WHERE training_id = t.id) AS window_json FROM trainings t WHERE t.join_code = ?",
        (code,),
    )
    context = None
    if row is not None:
        context = TrainingContext(
            id=row["id"],
            institutions=frozenset(msgspec.json.decode(row["institution_keys"])),
            assignments={
                phase: (row[f"{col}_form"], row[f"{col}_version"])
                for phase, col in _WIRE_PHASES
                if row[f"{col}_form"] is not None
            },
            show_score=bool(row["show_score"]),
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            joining_open=bool(row["joining_open"]),
            joining_stamp=joining.stamp(await joining_secret(db), row["id"], row["join_code"]),
            windows=msgspec.json.decode(row["window_json"], type=_WINDOWS),
        )
    if len(views) > 10_000:  # unknown codes tried by guessing must not fill memory
        views.clear()
    views[code] = (now, context)
    return context


def _changed(db: Database) -> None:
    """A training was written: what sync read of trainings is read again."""
    db.recent.pop("ingest", None)


async def list_visible(db: Database, username: str | None) -> list[Training]:
    """All trainings, or only those a trainer is assigned to when `username` is given."""
    if username is None:
        rows = await db.fetch_all("SELECT * FROM trainings ORDER BY starts_on DESC, id")
    else:
        rows = await db.fetch_all(
            "SELECT t.* FROM trainings t JOIN training_trainers tt ON tt.training_id = t.id"
            " WHERE tt.username = ? ORDER BY t.starts_on DESC, t.id",
            (username,),
        )
    return [await _from_row(db, row) for row in rows]


def _write_children(conn: sqlite3.Connection, data: TrainingIn) -> None:
    conn.execute("DELETE FROM training_institutions WHERE training_id = ?", (data.id,))
    conn.executemany(
        "INSERT INTO training_institutions (training_id, institution) VALUES (?, ?)",
        [(data.id, key) for key in dict.fromkeys(data.institutions)],
    )
    conn.execute("DELETE FROM training_trainers WHERE training_id = ?", (data.id,))
    conn.executemany(
        "INSERT INTO training_trainers (training_id, username) VALUES (?, ?)",
        [(data.id, name) for name in dict.fromkeys(data.trainers)],
    )
    if data.windows is not None:
        conn.execute("DELETE FROM phase_windows WHERE training_id = ?", (data.id,))
        conn.executemany(
            "INSERT INTO phase_windows (training_id, phase, opens_at, closes_at)"
            " VALUES (?, ?, ?, ?)",
            [(data.id, phase, w.opens_at, w.closes_at) for phase, w in data.windows.items()],
        )


def _form_values(data: TrainingIn) -> list[str | None]:
    values: list[str | None] = []
    for attr, _ in _PHASE_COLUMNS:
        ref: FormRef | None = getattr(data, attr)
        values += [ref.form, ref.version] if ref else [None, None]
    return values


async def create(db: Database, data: TrainingIn, actor: str, simulated: bool = False) -> Training:
    now = now_iso()

    def work(conn: sqlite3.Connection) -> None:
        while True:
            code = new_join_code()
            if conn.execute("SELECT 1 FROM trainings WHERE join_code = ?", (code,)).fetchone():
                continue
            break
        conn.execute(
            "INSERT INTO trainings (id, title, country, location, starts_on, ends_on, join_code,"
            " parent, pre_form, pre_version, post_form, post_version, eval_form, eval_version,"
            " followup_form, followup_version, show_score, joining_open, simulated, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                data.id, msgspec.json.encode(data.title).decode(), data.country, data.location,
                data.starts_on, data.ends_on, code, data.parent, *_form_values(data),
                int(data.show_score), int(data.joining_open), int(simulated), now, now,
            ),
        )  # fmt: skip
        _write_children(conn, data)
        audit.record(conn, actor, "training.create", data.id, join_code=code)

    await db.write(work)
    _changed(db)
    created = await get(db, data.id)
    assert created is not None
    return created


async def update(db: Database, data: TrainingIn, actor: str) -> Training:
    """Replace a training's settings; its join code and collected data stay."""

    def work(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE trainings SET title = ?, country = ?, location = ?, starts_on = ?, ends_on = ?,"
            " parent = ?, pre_form = ?, pre_version = ?, post_form = ?, post_version = ?,"
            " eval_form = ?, eval_version = ?, followup_form = ?, followup_version = ?,"
            " show_score = ?, joining_open = ?, updated_at = ? WHERE id = ?",
            (
                msgspec.json.encode(data.title).decode(), data.country, data.location,
                data.starts_on, data.ends_on, data.parent, *_form_values(data),
                int(data.show_score), int(data.joining_open), now_iso(), data.id,
            ),
        )  # fmt: skip
        _write_children(conn, data)
        audit.record(conn, actor, "training.update", data.id)

    await db.write(work)
    _changed(db)
    updated = await get(db, data.id)
    assert updated is not None
    return updated


async def set_joining(db: Database, training_id: str, open_: bool, actor: str) -> None:
    def work(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE trainings SET joining_open = ?, updated_at = ? WHERE id = ?",
            (int(open_), now_iso(), training_id),
        )
        audit.record(conn, actor, "training.open" if open_ else "training.close", training_id)

    await db.write(work)
    _changed(db)


async def set_window(
    db: Database, training_id: str, phase: str, window: PhaseWindow, actor: str
) -> None:
    """Set one phase's window (the trainer's "open now" and "close now")."""

    def work(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO phase_windows (training_id, phase, opens_at, closes_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (training_id, phase)"
            " DO UPDATE SET opens_at = excluded.opens_at, closes_at = excluded.closes_at",
            (training_id, phase, window.opens_at, window.closes_at),
        )
        conn.execute("UPDATE trainings SET updated_at = ? WHERE id = ?", (now_iso(), training_id))
        audit.record(
            conn, actor, "training.window", training_id,
            phase=phase, opens_at=window.opens_at, closes_at=window.closes_at,
        )  # fmt: skip

    await db.write(work)
    _changed(db)


async def joining_secret(db: Database) -> bytes:
    """The server's secret for joining stamps, made by the schema migration; kept in the
    database so a restored backup still honours the stamps phones hold."""
    found: bytes | None = db.recent.get("joining_secret")
    if found is None:
        row = await db.fetch_one("SELECT value FROM server_secrets WHERE name = 'joining'")
        assert row is not None, "the schema migration makes the joining secret"
        found = bytes.fromhex(row[0])
        db.recent["joining_secret"] = found
    return found
