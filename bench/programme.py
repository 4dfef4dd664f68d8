"""Benchmark: the programme view of 1,000 trainings x 40 matched participants x 30 questions.

The bar, as for one training's report: at most 3 x the time SQLite needs to read those
submission rows, measured in the same run (CPU time, both in this one thread; wall time shown).
Run: `.venv/bin/python bench/programme.py [--trainings N] [--participants P] [--questions Q]`.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

import msgspec
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import NOW, SyncReader, interleaved, run_sync
from server.db.schema import MIGRATIONS
from server.reports.output import programme_for
from server.reports.sample import INSTITUTIONS, knowledge_form

LIMIT = 3.0


def seed(path: Path, n_trainings: int, n: int, n_questions: int, seed: int = 7) -> list[str]:
    """Write `n_trainings` trainings of `n` matched participants each on one test straight into
    a fresh database; the training ids."""
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS:
        conn.executescript(migration)
    form = knowledge_form(n_questions, form_id="bench-test")
    conn.execute(
        "INSERT INTO forms VALUES (?, ?, 'test', ?, ?, 'x', ?, NULL, NULL)",
        (form.id, form.version, '{"en": "Bench"}', msgspec.json.encode(form).decode(), NOW),
    )
    for key in INSTITUTIONS:
        conn.execute("INSERT INTO institutions VALUES (?, ?, 'MA', ?)", (key, '{"en": "x"}', NOW))
    rng = np.random.default_rng(seed)
    qids = [q.id for q in form.questions]
    difficulty = rng.normal(0, 1, n_questions)
    ids = [f"t{t:04d}" for t in range(n_trainings)]
    for t, tid in enumerate(ids):
        month = 1 + t % 12
        conn.execute(
            "INSERT INTO trainings (id, title, country, starts_on, ends_on, join_code, parent,"
            " pre_form, pre_version, post_form, post_version, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tid, f'"Training {t}"', ("MA", "TN", "SN")[t % 3], f"2019-{month:02d}-07",
                f"2019-{month:02d}-11", f"J{t:07d}", ids[t // 10] if t >= 10 else None,
                form.id, form.version, form.id, form.version, NOW, NOW,
            ),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO training_institutions VALUES (?, ?)", [(tid, k) for k in INSTITUTIONS]
        )
        first = t * n
        conn.executemany(
            "INSERT INTO participants (id, training_id, code, created_at) VALUES (?, ?, ?, ?)",
            [(first + i + 1, tid, f"C{i:04d}", NOW) for i in range(n)],
        )
        ability = rng.normal(0, 1, n)
        rows = []
        for phase, shift in (("pre", 0.0), ("post", 1.0)):
            right = rng.random((n, n_questions)) < 1 / (
                1 + np.exp(-(ability[:, None] + shift - difficulty[None, :]))
            )
            for i in range(n):
                r = right[i]
                points = msgspec.json.encode({q: float(x) for q, x in zip(qids, r, strict=True)})
                answers = msgspec.json.encode(
                    {q: "a" if x else "b" for q, x in zip(qids, r, strict=True)}
                )
                score = float(r.sum())
                rows.append((
                    f"{tid}-{phase}-{i}", tid, first + i + 1, form.id, form.version, phase,
                    f"C{i:04d}", INSTITUTIONS[i % len(INSTITUTIONS)],
                    "female" if i % 2 else "male", answers.decode(), score, float(n_questions),
                    100.0 * score / n_questions, points.decode(), f"device-{i}",
                    f"2019-{month:02d}-{'07' if phase == 'pre' else '11'}T09:00:00Z", NOW,
                ))  # fmt: skip
        conn.executemany(
            "INSERT INTO submissions (id, training_id, participant_id, form_id, form_version,"
            " phase, lang, raw_code, institution, sex, answers, content_hash, score, max_score,"
            " percent, item_points, device, completed_at, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'en', ?, ?, ?, ?, 'h', ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.commit()
    conn.close()
    return ids


def read_rows(conn: sqlite3.Connection) -> int:
    """The baseline: read every submission row of the programme, all columns."""
    return len(conn.execute("SELECT * FROM submissions").fetchall())


def make_view(conn: sqlite3.Connection, ids: list[str]) -> bytes:
    """What `GET /api/v1/programme/report` does for someone who sees every training."""
    return msgspec.json.encode(run_sync(programme_for(SyncReader(conn), ids)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trainings", type=int, default=1000)
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "programme.db"
        ids = seed(path, args.trainings, args.participants, args.questions)
        conn = sqlite3.connect(path)
        n_rows = read_rows(conn)
        body = make_view(conn, ids)  # warm caches and imports before timing
        read, view = interleaved(lambda: read_rows(conn), lambda: make_view(conn, ids), args.repeat)
        conn.close()
    ratio = view[1] / read[1]
    print(
        f"rows read: {n_rows} ({args.trainings} trainings x {args.participants} matched x "
        f"{args.questions} questions)"
    )
    print(
        f"read rows (SELECT * of the submissions): {read[0] * 1000:.0f} ms wall, "
        f"{read[1] * 1000:.0f} ms CPU"
    )
    print(
        f"programme view (load, compute, encode; {len(body)} bytes): {view[0] * 1000:.0f} ms "
        f"wall, {view[1] * 1000:.0f} ms CPU"
    )
    print(f"wall-time ratio: {view[0] / read[0]:.2f}")
    print(f"ratio (CPU): {ratio:.2f} (limit {LIMIT:.1f}) -> {'PASS' if ratio <= LIMIT else 'FAIL'}")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
