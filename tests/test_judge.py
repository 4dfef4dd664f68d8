"""The judge process decides a batch exactly as the event loop does, and a judge that dies,
hangs or fails never costs a batch its answer."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from forms.loaders import load_path
from server import judge as judge_module
from server.demo.simulate import simulate
from server.judge import Judge
from server.settings import Settings
from sync.decide import Decided, Forms, TrainingContext, Trainings, decide
from tests.conftest import EVALUATION, KNOWLEDGE
from tests.live import LiveServer, admin_token

ROOT = Path(__file__).resolve().parents[1]
KNOWN = "JOIN-1234"


def _inputs() -> tuple[list[msgspec.Raw], Trainings, Forms]:
    """A batch with every kind of outcome, and what was read for it."""
    test, evaluation = load_path(KNOWLEDGE), load_path(EVALUATION)
    subs = simulate(
        KNOWN, ["police", "gendarmerie"], test, test, evaluation, n=6,
        start=datetime(2026, 3, 2, 8, tzinfo=UTC), seed=11,
    )  # fmt: skip
    raws = [msgspec.Raw(msgspec.json.encode(s)) for s in subs]
    strangers = msgspec.structs.replace(
        subs[0], id="from-afar", participant=msgspec.structs.replace(
            subs[0].participant, institution="customs"
        ),
    )  # fmt: skip
    raws += [
        msgspec.Raw(msgspec.json.encode(msgspec.structs.replace(subs[1], training="NOPE-0000"))),
        msgspec.Raw(msgspec.json.encode(strangers)),
        msgspec.Raw(msgspec.json.encode(msgspec.structs.replace(subs[2], answers={"zz": "a"}))),
        msgspec.Raw(b'{"id": "half'),
        msgspec.Raw(b'{"id": "x", "phase": "later"}'),
        raws[3],  # the same submission twice in one batch
    ]
    ctx = TrainingContext(
        id="t-1", join_code=KNOWN, institutions=frozenset({"police", "gendarmerie"}),
        assignments={"pre": (test.id, test.version), "post": (test.id, test.version),
                     "evaluation": (evaluation.id, evaluation.version)},
        show_score=True, starts_on="2026-03-02", ends_on="2026-03-06",
    )  # fmt: skip
    trainings: Trainings = {KNOWN: ctx, "NOPE-0000": None}
    forms: Forms = {(test.id, test.version): test, (evaluation.id, evaluation.version): evaluation}
    return raws, trainings, forms


@pytest.fixture
async def judge() -> AsyncIterator[Judge]:
    """A judge process, started, and closed after the test."""
    started = Judge()
    await started.start()
    yield started
    await started.close()


def test_the_batch_covers_every_outcome() -> None:
    raws, trainings, forms = _inputs()
    decided = decide(raws, trainings, forms)
    details = " ".join(result.detail for _, result in decided.rejected)
    assert len(decided.records) == len(raws) - 5
    for reason in ("No training has", "does not take part", "not a question", "not valid JSON",
                   "malformed"):  # fmt: skip
        assert reason in details
    assert decided.unknown_codes == 1


async def test_the_judge_decides_as_the_event_loop_does(judge: Judge) -> None:
    raws, trainings, forms = _inputs()
    # Several batches at once: the answers come back in order, each to its own batch.
    answers = await asyncio.gather(*(judge.decide(raws[i:], trainings, forms) for i in range(5)))
    assert answers == [decide(raws[i:], trainings, forms) for i in range(5)]
    assert judge._proc is not None, "the judge answered; it was not replaced"


async def test_a_dead_judge_costs_no_batch_and_is_started_again(
    judge: Judge, monkeypatch: pytest.MonkeyPatch
) -> None:
    raws, trainings, forms = _inputs()
    expected = decide(raws, trainings, forms)
    assert await judge.decide(raws, trainings, forms) == expected
    first = judge._proc
    assert first is not None
    first.kill()
    await first.wait()
    # Decided in the event loop while the judge is down ...
    assert await judge.decide(raws, trainings, forms) == expected
    assert judge._proc is None
    # ... and the judge is started again on a later batch.
    monkeypatch.setattr(judge_module, "RESTART_SECONDS", 0.0)
    assert await judge.decide(raws, trainings, forms) == expected
    assert judge._proc is not None and judge._proc is not first
    assert judge._proc.returncode is None


async def test_a_stuck_judge_is_replaced_and_the_batch_decided_here(
    judge: Judge, monkeypatch: pytest.MonkeyPatch
) -> None:
    raws, trainings, forms = _inputs()
    monkeypatch.setattr(judge_module, "ANSWER_SECONDS", 0.5)
    stuck = judge._proc
    assert stuck is not None
    os.kill(stuck.pid, signal.SIGSTOP)
    assert await judge.decide(raws, trainings, forms) == decide(raws, trainings, forms)
    await asyncio.wait_for(stuck.wait(), 5)  # killed, not left stopped


async def test_a_batch_the_judge_fails_on_is_decided_here(
    judge: Judge, monkeypatch: pytest.MonkeyPatch
) -> None:
    raws, trainings, forms = _inputs()
    # A question set the judge cannot read stands for a bug in the judge.
    monkeypatch.setattr(
        judge, "_forms", lambda f: [judge_module._Form(i, v, b"\xc1") for i, v in f]
    )
    assert await judge.decide(raws, trainings, forms) == decide(raws, trainings, forms)
    assert judge._proc is not None, "one failed batch does not stop the judge"


def test_the_judge_exits_when_its_server_is_gone() -> None:
    """Its stdin closes when the server dies, even by SIGKILL; it must not linger."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "server.judge"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env=env,
    ) as proc:  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0


def test_tadrib_serve_killed_takes_its_judge_with_it(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    admin_token(db)
    server = LiveServer(db, env={"TADRIB_JUDGE_PROCESS": "1"})
    server.start()
    try:
        assert server.proc is not None
        pid = server.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert len(children) == 1, "one judge process"
        judge_pid = int(children[0])
        server.kill()
        for _ in range(200):
            if not Path(f"/proc/{judge_pid}").exists() or _is_zombie(judge_pid):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the judge outlived its server")
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
def test_the_judge_process_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("TADRIB_JUDGE_PROCESS", value)
    assert Settings.from_env().judge_process is expected


def test_by_default_a_judge_process_only_with_more_than_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TADRIB_JUDGE_PROCESS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0})
    assert Settings.from_env().judge_process is False
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    assert Settings.from_env().judge_process is True


def test_decided_batches_cross_the_pipe_unchanged() -> None:
    raws, trainings, forms = _inputs()
    decided = decide(raws, trainings, forms)
    again = msgspec.msgpack.decode(msgspec.msgpack.encode(decided), type=Decided)
    assert again == decided
