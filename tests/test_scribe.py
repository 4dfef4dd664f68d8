"""The scribe process stores sync batches exactly as the server's own writer does, and a scribe
that dies, hangs or fails never costs a batch its answer, nor stores one twice.

Every test here runs the app with its scribe; a batch the server had to store itself fails the
test unless the test says it expects that.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server import scribe as scribe_module
from server.app import create_app
from server.db.submissions import Row, write_rows
from server.scribe import Scribe
from server.settings import Settings
from sync.ingest import DeviceReport, Stored
from tests.conftest import batch, create_training, make_token, submission, sync_results
from tests.live import LiveServer, admin_token

# The sync tests and the locked-database test, collected here again with the scribe on.
from tests.test_api_sync import (  # noqa: F401
    test_batches_arriving_together_are_each_stored_once,
    test_conflicting_replay_keeps_the_first,
    test_mixed_batch_stores_good_items_and_rejects_bad_ones,
    test_replayed_batch_with_new_items_stores_the_new_ones_with_their_participants,
    test_retry_after_lost_answer_is_stored_once,
    test_same_id_twice_in_one_batch_is_stored_once,
)
from tests.test_reliability_storage import test_locked_database_answers_503_then_recovers  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
Client = AsyncTestClient[Litestar]


@pytest.fixture
def app(db_path: Path) -> Litestar:
    """The app with its scribe (overrides `tests.conftest.app`)."""
    return create_app(Settings(db_path=db_path, scribe_process=True))


async def _not_here(db: Any, device: DeviceReport, now: str, rows: list[Row]) -> dict[str, Stored]:
    raise AssertionError("the server stored a batch itself; the scribe should have")


@pytest.fixture(autouse=True)
def only_the_scribe_stores(app: Litestar) -> Iterator[None]:
    app.state.scribe._here = _not_here
    yield


def scribe_of(app: Litestar) -> Scribe:
    found: Scribe = app.state.scribe
    return found


@pytest.fixture
def lenient(app: Litestar) -> Scribe:
    """The app's scribe, the server being allowed to store batches itself."""
    scribe = scribe_of(app)
    scribe._here = write_rows
    return scribe


def rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


#: Every column of a submission but when it was received and its hash, which covers the join
#: code it was sent to (made at random).
_ALL_BUT_WHEN = (
    "id, training_id, participant_id, form_id, form_version, phase, lang, raw_code, institution,"
    " sex, age_band, answers, score, max_score, percent, item_points, device,"
    " started_at, completed_at, flags, source, simulated"
)


def _batches(code: str) -> list[dict[str, Any]]:
    people = [{"code": f"SC{i}X", "institution": "police", "sex": "male"} for i in range(3)]
    first = submission(code, id="00000000-0000-4000-8000-000000000001")
    return [
        batch(first, submission(code, id="00000000-0000-4000-8000-000000000002",
                                participant=people[0])),
        batch(first, submission(code, phase="post", id="00000000-0000-4000-8000-000000000003")),
        batch(*(submission(code, id=f"00000000-0000-4000-8000-00000000001{i}", participant=p)
                for i, p in enumerate(people))),
    ]  # fmt: skip


async def test_the_scribe_stores_what_the_servers_writer_stores(tmp_path: Path) -> None:
    """The same batches, through the scribe and through the server's writer: the same rows."""
    stored: dict[bool, tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}
    for with_scribe in (True, False):
        path = tmp_path / f"scribe-{with_scribe}.db"
        app = create_app(Settings(db_path=path, scribe_process=with_scribe))
        if with_scribe:
            app.state.scribe._here = _not_here
        async with AsyncTestClient(app=app) as client:
            admin = await make_token(app, "ada", "admin")
            code = (await create_training(client, admin))["join_code"]
            for body in _batches(code):
                await sync_results(client, body)
        stored[with_scribe] = (
            rows(path, f"SELECT {_ALL_BUT_WHEN} FROM submissions ORDER BY id"),
            rows(path, "SELECT id, training_id, code FROM participants ORDER BY id"),
        )
    assert stored[True] == stored[False]
    assert len(stored[True][0]) == 6


async def test_a_dead_scribe_costs_no_batch_and_is_started_again(
    app: Litestar, client: Client, training: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    scribe = scribe_of(app)
    first = scribe._proc
    assert first is not None
    os.kill(first.pid, signal.SIGKILL)
    await _until(lambda: scribe._proc is None)  # the app's loop saw it go
    # Stored by the server's writer while the scribe is down ...
    scribe._here = write_rows
    code = training["join_code"]
    assert [r["status"] for r in await sync_results(client, batch(submission(code)))] == [
        "accepted"
    ]
    assert scribe._proc is None
    # ... and the scribe is started again on a later batch, and stores it.
    scribe._here = _not_here
    monkeypatch.setattr(scribe_module, "RESTART_SECONDS", 0.0)
    later = submission(code, phase="post")
    assert [r["status"] for r in await sync_results(client, batch(later))] == ["accepted"]
    assert scribe._proc is not None and scribe._proc is not first
    assert scribe._proc.returncode is None


async def test_a_stuck_scribe_is_stopped_before_the_server_stores_the_batch(
    lenient: Scribe, client: Client, training: dict[str, Any], db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(scribe_module, "ANSWER_SECONDS", 0.5)
    stuck = lenient._proc
    assert stuck is not None
    os.kill(stuck.pid, signal.SIGSTOP)
    sub = submission(training["join_code"])
    assert [r["status"] for r in await sync_results(client, batch(sub))] == ["accepted"]
    assert stuck.returncode is not None, "killed, not left stopped"
    assert rows(db_path, "SELECT id FROM submissions") == [(sub["id"],)]


async def test_a_batch_the_scribe_fails_on_is_stored_by_the_server(
    lenient: Scribe, client: Client, training: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A frame the scribe cannot read stands for a bug in the scribe.
    monkeypatch.setattr(lenient, "_encode", lambda job: b"\xc1")
    results = await sync_results(client, batch(submission(training["join_code"])))
    assert [r["status"] for r in results] == ["accepted"]
    assert lenient._proc is not None, "one failed batch does not stop the scribe"


async def test_an_answer_lost_on_the_way_back_from_the_scribe_is_no_loss(
    lenient: Scribe, client: Client, training: dict[str, Any], db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The scribe committed, then its answer was lost: the server finds the batch stored."""

    def garbled(data: bytes) -> Any:
        raise ValueError("garbled answer")

    monkeypatch.setattr(lenient, "_decode", garbled)
    sub = submission(training["join_code"])
    results = await sync_results(client, batch(sub))
    assert [r["status"] for r in results] == ["duplicate"]
    assert rows(db_path, "SELECT id FROM submissions") == [(sub["id"],)]


async def _until(done: Callable[[], bool]) -> None:
    for _ in range(500):
        if done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def test_the_scribe_exits_when_its_server_is_gone(tmp_path: Path) -> None:
    """Its stdin closes when the server dies, even by SIGKILL; it must not linger."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "server.scribe", str(tmp_path / "t.db")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
    ) as proc:  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0


def test_tadrib_serve_killed_takes_its_scribe_with_it(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    admin_token(db)
    server = LiveServer(db, env={"TADRIB_SCRIBE_PROCESS": "1"})
    server.start()
    try:
        assert server.proc is not None
        pid = server.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert len(children) == 1, "one scribe process"
        scribe_pid = int(children[0])
        server.kill()
        for _ in range(200):
            if not Path(f"/proc/{scribe_pid}").exists() or _is_zombie(scribe_pid):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the scribe outlived its server")
    finally:
        server.stop()


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("yes", True), ("On", True), ("0", False), ("no", False), ("off", False)],
)
def test_the_scribe_process_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("TADRIB_SCRIBE_PROCESS", value)
    assert Settings.from_env().scribe_process is expected


def test_by_default_a_scribe_process_only_with_more_than_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TADRIB_SCRIBE_PROCESS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0})
    assert Settings.from_env().scribe_process is False
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    assert Settings.from_env().scribe_process is True
