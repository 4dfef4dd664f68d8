"""The database schema, as an ordered list of migrations applied by `PRAGMA user_version`."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

MIGRATIONS: list[str] = [
    # 1: the first schema.
    """
    CREATE TABLE forms (
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('test', 'evaluation')),
        title TEXT NOT NULL,            -- JSON {lang: text}
        content TEXT NOT NULL,          -- JSON of the whole set, answer keys included
        hash TEXT NOT NULL,             -- sha256 of the canonical content
        published_at TEXT NOT NULL,
        published_by TEXT,
        retired_at TEXT,
        PRIMARY KEY (id, version)
    );
    CREATE TABLE institutions (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,             -- JSON {lang: text}
        country TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );
    CREATE TABLE trainings (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,            -- JSON: a string or {lang: text}
        country TEXT NOT NULL,
        location TEXT NOT NULL DEFAULT '',
        starts_on TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        parent TEXT REFERENCES trainings(id),
        pre_form TEXT, pre_version TEXT,
        post_form TEXT, post_version TEXT,
        eval_form TEXT, eval_version TEXT,
        show_score INTEGER NOT NULL DEFAULT 0,
        joining_open INTEGER NOT NULL DEFAULT 1,
        simulated INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        FOREIGN KEY (pre_form, pre_version) REFERENCES forms(id, version),
        FOREIGN KEY (post_form, post_version) REFERENCES forms(id, version),
        FOREIGN KEY (eval_form, eval_version) REFERENCES forms(id, version)
    );
    CREATE TABLE training_institutions (
        training_id TEXT NOT NULL REFERENCES trainings(id) ON DELETE CASCADE,
        institution TEXT NOT NULL REFERENCES institutions(key),
        PRIMARY KEY (training_id, institution)
    );
    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('admin', 'trainer')),
        password_hash TEXT,
        display_name TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE training_trainers (
        training_id TEXT NOT NULL REFERENCES trainings(id) ON DELETE CASCADE,
        username TEXT NOT NULL REFERENCES users(username),
        PRIMARY KEY (training_id, username)
    );
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,  -- sha256 of the secret; the secret is shown once
        username TEXT NOT NULL REFERENCES users(username),
        name TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        training_id TEXT NOT NULL REFERENCES trainings(id),
        code TEXT NOT NULL,               -- normalised pseudonymous code
        created_at TEXT NOT NULL,
        UNIQUE (training_id, code)
    );
    CREATE TABLE submissions (
        id TEXT PRIMARY KEY,              -- uuid made on the phone
        training_id TEXT NOT NULL REFERENCES trainings(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        form_id TEXT NOT NULL,
        form_version TEXT NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('pre', 'post', 'evaluation')),
        lang TEXT NOT NULL,
        raw_code TEXT NOT NULL,           -- the code as typed on the phone
        institution TEXT NOT NULL,
        sex TEXT NOT NULL,
        age_band TEXT,
        answers TEXT NOT NULL,            -- JSON {question id: value}, as received
        content_hash TEXT NOT NULL,       -- sha256 of the canonical submission
        score REAL,                       -- points obtained (tests only)
        max_score REAL,                   -- maximum points (tests only)
        percent REAL,                     -- score as percent of the maximum (tests only)
        item_points TEXT,                 -- JSON {question id: points obtained} (tests only)
        device TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        flags TEXT NOT NULL DEFAULT '[]', -- JSON list: early, late, ...
        source TEXT NOT NULL DEFAULT 'sync',  -- sync | upload | demo
        simulated INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (form_id, form_version) REFERENCES forms(id, version)
    );
    CREATE INDEX submissions_by_training ON submissions (training_id, phase, completed_at);
    CREATE INDEX submissions_by_participant ON submissions (participant_id, phase);
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        training_id TEXT REFERENCES trainings(id),
        last_seen_at TEXT NOT NULL,
        pending INTEGER NOT NULL DEFAULT 0,
        user_agent TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}'
    );
    """,
    # 2: a device is noted per training whose join code it sent, never moved between trainings;
    # devices seen with no training are forgotten. Submissions are counted per device.
    """
    CREATE TABLE devices_by_training (
        training_id TEXT NOT NULL REFERENCES trainings(id),
        id TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        pending INTEGER NOT NULL DEFAULT 0,
        user_agent TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (training_id, id)
    );
    INSERT INTO devices_by_training (training_id, id, last_seen_at, pending, user_agent)
        SELECT training_id, id, last_seen_at, pending, user_agent FROM devices
        WHERE training_id IS NOT NULL;
    DROP TABLE devices;
    ALTER TABLE devices_by_training RENAME TO devices;
    CREATE INDEX submissions_by_device ON submissions (device, training_id, phase);
    """,
    # 3: phase windows, the follow-up test, the secret that signs joining stamps. SQLite cannot
    # change a CHECK, so submissions are copied into a table that allows the `followup` phase.
    """
    ALTER TABLE trainings ADD COLUMN followup_form TEXT;
    ALTER TABLE trainings ADD COLUMN followup_version TEXT;
    CREATE TABLE phase_windows (
        training_id TEXT NOT NULL REFERENCES trainings(id) ON DELETE CASCADE,
        phase TEXT NOT NULL CHECK (phase IN ('pre', 'post', 'evaluation', 'followup')),
        opens_at TEXT,                  -- a day (YYYY-MM-DD) or an instant in UTC (...Z)
        closes_at TEXT,
        PRIMARY KEY (training_id, phase)
    );
    CREATE TABLE server_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL             -- hex
    );
    INSERT INTO server_secrets (name, value) VALUES ('joining', lower(hex(randomblob(32))));
    CREATE TABLE submissions_2 (
        id TEXT PRIMARY KEY,
        training_id TEXT NOT NULL REFERENCES trainings(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        form_id TEXT NOT NULL,
        form_version TEXT NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('pre', 'post', 'evaluation', 'followup')),
        lang TEXT NOT NULL,
        raw_code TEXT NOT NULL,
        institution TEXT NOT NULL,
        sex TEXT NOT NULL,
        age_band TEXT,
        answers TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        score REAL,
        max_score REAL,
        percent REAL,
        item_points TEXT,
        device TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        flags TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL DEFAULT 'sync',
        simulated INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (form_id, form_version) REFERENCES forms(id, version)
    );
    INSERT INTO submissions_2 SELECT * FROM submissions;
    DROP TABLE submissions;
    ALTER TABLE submissions_2 RENAME TO submissions;
    CREATE INDEX submissions_by_training ON submissions (training_id, phase, completed_at);
    CREATE INDEX submissions_by_participant ON submissions (participant_id, phase);
    CREATE INDEX submissions_by_device ON submissions (device, training_id, phase);
    """,
    # 4: the order in which a phone showed the choices of shuffled questions.
    """
    ALTER TABLE submissions ADD COLUMN choice_order TEXT;  -- JSON {question id: [choice ids]}
    """,
]


def migrate(conn: sqlite3.Connection, migrations: Sequence[str] = MIGRATIONS) -> None:
    """Bring the schema up to date, one transaction per migration."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(migrations[current:], start=current + 1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
