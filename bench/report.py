"""Benchmark: the report JSON of 10,000 matched participants x 40 questions.

The bar: at most 3 x the time SQLite needs to read those submission rows, measured
in the same run. Run: `.venv/bin/python bench/report.py [--participants N] [--questions Q]`;
`--skipped` leaves one question out of every third participant's points (the form's logic did
not ask it of them), so that every item figure is computed over the people asked it.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.db.schema import MIGRATIONS
from server.reports.output import report_for
from server.reports.sample import INSTITUTIONS, knowledge_form

LIMIT = 3.0
T = TypeVar("T")
NOW = "2019-01-11T12:00:00Z"


class SyncReader:
    """The report's `Reader` over a plain sqlite3 connection, so both timings share one driver."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Any | None:
        return self.conn.execute(sql, params).fetchone()


def seed(path: Path, n: int, n_questions: int, seed: int = 7, skipped: bool = False) -> None:
    """Write a training with `n` matched participants straight into a fresh database; with
    `skipped`, the last question was not asked of every third participant."""
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS:
        conn.executescript(migration)
    form = knowledge_form(n_questions, form_id="bench-test")
    content = msgspec.json.encode(form).decode()
    conn.execute(
        "INSERT INTO forms VALUES (?, ?, 'test', ?, ?, 'x', ?, NULL, NULL)",
        (form.id, form.version, '{"en": "Bench"}', content, NOW),
    )
    conn.execute(
        "INSERT INTO trainings (id, title, country, starts_on, ends_on, join_code, pre_form,"
        " pre_version, post_form, post_version, created_at, updated_at)"
        " VALUES ('bench', '\"Bench\"', 'MA', '2019-01-07', '2019-01-11', 'BENCH234', ?, ?, ?, ?,"
        " ?, ?)",
        (form.id, form.version, form.id, form.version, NOW, NOW),
    )
    for key in INSTITUTIONS:
        conn.execute("INSERT INTO institutions VALUES (?, ?, 'MA', ?)", (key, '{"en": "x"}', NOW))
        conn.execute("INSERT INTO training_institutions VALUES ('bench', ?)", (key,))
    conn.executemany(
        "INSERT INTO participants (id, training_id, code, created_at) VALUES (?, 'bench', ?, ?)",
        [(i + 1, f"C{i:06d}", NOW) for i in range(n)],
    )
    rng = np.random.default_rng(seed)
    qids = [q.id for q in form.questions]
    difficulty = rng.normal(0, 1, n_questions)
    ability = rng.normal(0, 1, n)
    rows = []
    for phase, shift in (("pre", 0.0), ("post", 1.0)):
        right = rng.random((n, n_questions)) < 1 / (
            1 + np.exp(-(ability[:, None] + shift - difficulty[None, :]))
        )
        for i in range(n):
            r = right[i]
            asked = qids[:-1] if skipped and i % 3 == 0 else qids
            points = msgspec.json.encode({q: float(x) for q, x in zip(asked, r, strict=False)})
            picks = {q: "a" if x else "b" for q, x in zip(qids, r, strict=True)}
            answers = msgspec.json.encode(picks)
            score = float(r.sum())
            rows.append(
                (
                    f"{phase}-{i}",
                    i + 1,
                    form.id,
                    form.version,
                    phase,
                    f"C{i:06d}",
                    INSTITUTIONS[i % len(INSTITUTIONS)],
                    "female" if i % 2 else "male",
                    answers.decode(),
                    score,
                    float(n_questions),
                    100.0 * score / n_questions,
                    points.decode(),
                    f"device-{i}",
                    f"2019-01-{'07' if phase == 'pre' else '11'}T09:00:00Z",
                )
            )
    conn.executemany(
        "INSERT INTO submissions (id, training_id, participant_id, form_id, form_version, phase,"
        " lang, raw_code, institution, sex, answers, content_hash, score, max_score, percent,"
        " item_points, device, completed_at, received_at)"
        " VALUES (?, 'bench', ?, ?, ?, ?, 'en', ?, ?, ?, ?, 'h', ?, ?, ?, ?, ?, ?, ?)",
        [(*r, NOW) for r in rows],
    )
    conn.commit()
    conn.close()


def read_rows(conn: sqlite3.Connection) -> int:
    """The baseline: read every submission row of the training, all columns."""
    return len(conn.execute("SELECT * FROM submissions WHERE training_id = 'bench'").fetchall())


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never suspends (SyncReader never does) without an event loop.

    asyncio.run() would add its own overhead, and in 3.11 it reprs the finished task's result.
    """
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("the reader suspended")


def make_report(conn: sqlite3.Connection) -> bytes:
    """What `GET /api/v1/trainings/{id}/report` does: load, compute, encode."""
    report, _ = run_sync(report_for(SyncReader(conn), "bench"))
    return msgspec.json.encode(report)


def timed(fn: Any) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def interleaved(a: Any, b: Any, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Best (wall, CPU) of each, run alternately so that a busy machine slows both alike."""
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(timed(a))
        tb.append(timed(b))
    best = lambda ts: (min(t[0] for t in ts), min(t[1] for t in ts))  # noqa: E731
    return best(ta), best(tb)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skipped", action="store_true", help="a question not asked of some")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        seed(path, args.participants, args.questions, skipped=args.skipped)
        conn = sqlite3.connect(path)
        n_rows = read_rows(conn)
        body = make_report(conn)  # warm caches and imports before timing
        if args.profile:
            import cProfile
            import pstats

            cProfile.runctx("make_report(conn)", globals(), {"conn": conn}, "/tmp/report.prof")
            pstats.Stats("/tmp/report.prof").sort_stats("cumulative").print_stats(25)
        read, report = interleaved(lambda: read_rows(conn), lambda: make_report(conn), args.repeat)
        conn.close()
    # Both sides run in this one thread, so CPU time measures the same work as wall time
    # without the noise of other processes on a shared machine; it decides, wall is shown.
    ratio = report[1] / read[1]
    wall_ratio = report[0] / read[0]
    some = ", the last not asked of every third" if args.skipped else ""
    print(f"rows read: {n_rows} ({args.participants} matched x {args.questions} questions{some})")
    print(
        f"read rows (SELECT * of the training's submissions): {read[0] * 1000:.1f} ms wall, "
        f"{read[1] * 1000:.1f} ms CPU"
    )
    print(
        f"report JSON (load, compute, encode; {len(body)} bytes): {report[0] * 1000:.1f} ms wall, "
        f"{report[1] * 1000:.1f} ms CPU"
    )
    print(f"wall-time ratio: {wall_ratio:.2f}")
    print(f"ratio (CPU): {ratio:.2f} (limit {LIMIT:.1f}) -> {'PASS' if ratio <= LIMIT else 'FAIL'}")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
