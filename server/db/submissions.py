"""SQL for participants, submissions and devices as ingest stores them (what trainers see of
them while a training runs is in `server.db.monitor`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import msgspec

from sync.decide import CAPS, Caps, Record, Stored, Tally, settle
from sync.wire import SyncResult

#: What is on disk for a batch, as one row of three JSON arrays (one statement: the writer's
#: thread gives up Python's lock at each, and gets it back late while the event loop is busy):
#: the batch's ids already stored, with their training, content hash, score and whether each
#: was its participant's first for its phase (the lowest rowid); the submissions stored per
#: [training, code, phase] the batch names, and whether the training has seen the code; and
#: those from its device per [training, phase].
_ON_DISK = """
SELECT
  (SELECT json_group_array(json_array(s.id, s.training_id, s.content_hash, s.percent,
          NOT EXISTS (SELECT 1 FROM submissions AS o WHERE o.participant_id = s.participant_id
                      AND o.phase = s.phase AND o.rowid < s.rowid)))
   FROM submissions AS s WHERE s.id IN (SELECT value FROM json_each(:ids))),
  (SELECT json_group_array(json_array(k.value ->> 0, k.value ->> 1, k.value ->> 2,
          (SELECT COUNT(*) FROM participants AS p JOIN submissions AS s ON s.participant_id = p.id
           WHERE p.training_id = k.value ->> 0 AND p.code = k.value ->> 1
           AND s.phase = k.value ->> 2),
          EXISTS (SELECT 1 FROM participants
                  WHERE training_id = k.value ->> 0 AND code = k.value ->> 1)))
   FROM json_each(:codes) AS k),
  (SELECT json_group_array(json_array(k.value ->> 0, k.value ->> 1,
          (SELECT COUNT(*) FROM submissions
           WHERE device = :device AND training_id = k.value ->> 0 AND phase = k.value ->> 1)))
   FROM json_each(:phases) AS k)
"""
_on_disk = msgspec.json.Decoder(
    tuple[
        list[tuple[str, str, str, float | None, int]],
        list[tuple[str, str, str, int, int]],
        list[tuple[str, str, int]],
    ]
)

#: The participants of the records to store, as one JSON array of [training, code] pairs.
_PARTICIPANTS = """
INSERT INTO participants (training_id, code, created_at)
SELECT value ->> 0, value ->> 1, :now FROM json_each(:people) WHERE true ON CONFLICT DO NOTHING
"""
#: The columns a batch fills, named as `sync.decide.Record`'s fields and the four the writer
#: adds; the last, `participant_id`, is found by training and normalised code.
_COLUMNS = (
    "id", "training_id", "form_id", "form_version", "phase", "lang", "raw_code", "institution",
    "sex", "age_band", "answers", "content_hash", "score", "max_score", "percent", "item_points",
    "device", "started_at", "completed_at", "received_at", "flags", "source", "simulated",
    "choice_order", "participant_id",
)  # fmt: skip
_PARTICIPANT = "(SELECT id FROM participants WHERE training_id = ? AND code = ?)"
_ROW = f"({'?, ' * (len(_COLUMNS) - 1)}{_PARTICIPANT})"
#: A row's parameters by name, in the order of `_ROW`'s `?`s.
_PARAMS = [*_COLUMNS[:-1], "training_id", "code"]
#: Rows per statement: SQLite takes at most 32,766 parameters. The rows are bound, not read
#: from a JSON document as the participants are: SQLite reads JSON about five times slower.
_ROWS_PER_STATEMENT = 500
_DEVICES = """
INSERT INTO devices (training_id, id, last_seen_at, pending, user_agent)
SELECT value, :device, :now, :pending, :user_agent FROM json_each(:trainings) WHERE true
ON CONFLICT (training_id, id) DO UPDATE SET
  last_seen_at = excluded.last_seen_at, pending = excluded.pending,
  user_agent = CASE WHEN excluded.user_agent = '' THEN devices.user_agent
               ELSE excluded.user_agent END
"""


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()


class DeviceSeen(msgspec.Struct, frozen=True):
    """The device that sent a batch, the records it still holds, and the trainings whose join
    code it sent (it is noted under those alone)."""

    id: str
    pending: int
    user_agent: str
    trainings: list[str]


def store(
    conn: sqlite3.Connection,
    decided: Sequence[Record | SyncResult],
    device: DeviceSeen,
    now: str,
    source: str,
    caps: Caps = CAPS,
) -> list[SyncResult]:
    """Read what is on disk for the batch, store what `sync.decide.settle` keeps, note the
    device, and answer each submission. Runs in the writer's thread, so what it reads stays
    true until it commits."""
    records = [r for r in decided if isinstance(r, Record)]
    keys = {
        "ids": _json(sorted({r.id for r in records})),
        "codes": _json(sorted({(r.training_id, r.code, r.phase) for r in records})),
        "device": device.id,
        "phases": _json(sorted({(r.training_id, r.phase) for r in records})),
    }
    found = conn.execute(_ON_DISK, keys).fetchone()
    ids, by_code, by_device = _on_disk.decode("[" + ",".join(found) + "]")
    stored = {i: Stored(t, content, percent, bool(first)) for i, t, content, percent, first in ids}
    tally = Tally(
        by_code={(t, c, p): n for t, c, p, n, _ in by_code},
        by_device={(t, p): n for t, p, n in by_device},
        seen={(t, c) for t, c, _, _, known in by_code if known},
    )
    settled = settle(decided, stored, tally, caps)
    params = {
        "people": _json([(r.training_id, r.code) for r in settled.records]), "now": now,
        "device": device.id, "pending": device.pending, "user_agent": device.user_agent,
        "trainings": _json(device.trainings),
    }  # fmt: skip
    conn.execute(_PARTICIPANTS, params)  # each statement takes the names it needs
    extra: dict[str, object] = {"device": device.id, "received_at": now, "source": source}
    extra["simulated"] = source == "demo"
    rows = [msgspec.structs.asdict(r) | extra for r in settled.records]
    for first in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[first : first + _ROWS_PER_STATEMENT]
        values = ", ".join([_ROW] * len(chunk))
        conn.execute(
            f"INSERT INTO submissions ({', '.join(_COLUMNS)}) VALUES {values}",
            [row[name] for row in chunk for name in _PARAMS],
        )
    conn.execute(_DEVICES, params)
    return settled.results
