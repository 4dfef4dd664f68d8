"""The judge: a helper process that decides sync batches (`sync.decide.decide`: decoding,
checking, scoring and hashing each submission) on a core of its own.

The event loop reads what a batch names and gives the judge the raw submissions with the
trainings and question sets read for them; while the judge decides one batch, the event loop
serves the next request and the writer's thread commits the one before. `tadrib serve` starts
it on a machine with more than one core. Whatever happens to the judge, a batch is still
decided: if it has died, stopped answering or failed, the batch is decided in the event loop
and the judge is started again.

The judge reads frames from its stdin and answers on its stdout, in order: a 4-byte big-endian
length, then msgpack (`_Job` in, `_Reply` out). It exits when its stdin closes, so it never
outlives the server, even one killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
import time
import traceback
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import msgspec

from forms.model import QuestionSet
from sync.decide import Decided, Forms, TrainingContext, Trainings, decide

log = logging.getLogger("tadrib.judge")

#: How long a batch waits for the judge before it is decided in the event loop instead, and
#: the judge, taken to be stuck, is replaced. A batch takes it milliseconds.
ANSWER_SECONDS = 10.0
#: The least time between two starts of the judge, so one that keeps dying costs little.
RESTART_SECONDS = 5.0

_LENGTH = 4


class _Form(msgspec.Struct, array_like=True):
    """A question set named by a batch, msgpack-encoded; `blob` None when not published."""

    id: str
    version: str
    blob: bytes | None


class _Job(msgspec.Struct, array_like=True):
    raws: list[memoryview]
    trainings: dict[str, TrainingContext | None]
    forms: list[_Form]


class _Reply(msgspec.Struct, array_like=True):
    decided: Decided | None
    #: Why `decide` failed in the judge (a bug); the batch is then decided in the event loop.
    error: str = ""


class JudgeUnavailable(Exception):
    """The judge died, stopped answering or failed on a batch."""


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(_LENGTH, "big") + payload


class Judge:
    """The server's side of the judge: `decide` sends a batch and waits for its decision."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        #: Futures of the batches sent and not yet answered, in the order sent.
        self._waiting: deque[asyncio.Future[Decided]] = deque()
        self._started_at = -RESTART_SECONDS
        #: Encoded question sets, by (id, version); kept with the set they encode.
        self._blobs: dict[tuple[str, str], tuple[QuestionSet, bytes]] = {}
        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder(_Reply).decode
        self._closing = False

    async def start(self) -> None:
        """Start the judge process; it is ready when Python has imported its modules."""
        self._started_at = time.monotonic()
        root = str(Path(__file__).resolve().parents[1])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}"}
        try:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "server.judge",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
            )  # fmt: skip
        except OSError as exc:  # batches are then decided in the event loop
            log.error("the judge cannot start: %s", exc)
            return
        self._reader = asyncio.create_task(self._read_answers(self._proc))

    async def close(self) -> None:
        """Close the judge's stdin, so it exits, and wait for it."""
        self._closing = True
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader is not None:
            await self._reader

    async def decide(
        self, raws: Sequence[msgspec.Raw], trainings: Trainings, forms: Forms
    ) -> Decided:
        """`sync.decide.decide` in the judge, or in the event loop when the judge cannot."""
        try:
            return await self._ask(raws, trainings, forms)
        except JudgeUnavailable as exc:
            log.debug("sync batch decided in the event loop: %s", exc)
            return decide(raws, trainings, forms)

    async def _ask(
        self, raws: Sequence[msgspec.Raw], trainings: Trainings, forms: Forms
    ) -> Decided:
        if self._proc is None:  # never started, stopped, or gone: `_read_answers` saw it end
            if self._closing or time.monotonic() - self._started_at < RESTART_SECONDS:
                raise JudgeUnavailable("the judge is not running")
            log.warning("starting the judge again")
            await self.start()
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise JudgeUnavailable("the judge cannot start")
        job = _Job([memoryview(raw) for raw in raws], trainings, self._forms(forms))
        answer: asyncio.Future[Decided] = asyncio.get_running_loop().create_future()
        # Appended and written with no await between, so the order of `_waiting` is the order
        # of the frames, which is the order of the answers. While `_proc` is set, the reader
        # is running, and it settles every future in `_waiting` before it ends.
        self._waiting.append(answer)
        proc.stdin.write(_frame(self._encode(job)))
        try:
            async with asyncio.timeout(ANSWER_SECONDS):
                await proc.stdin.drain()  # waits too when the judge stopped reading
                return await answer
        except TimeoutError:
            answer.cancel()
            self._stop(proc, f"no answer within {ANSWER_SECONDS:g} s")
            raise JudgeUnavailable(
                f"the judge gave no answer within {ANSWER_SECONDS:g} s"
            ) from None
        except ConnectionError as exc:
            answer.cancel()
            raise JudgeUnavailable(f"the judge cannot be reached ({exc})") from exc

    def _forms(self, forms: Forms) -> list[_Form]:
        """The question sets encoded, each once for the life of the server."""
        out: list[_Form] = []
        for (form_id, version), qs in forms.items():
            if qs is None:
                out.append(_Form(form_id, version, None))
                continue
            known = self._blobs.get((form_id, version))
            if known is None or known[0] is not qs:
                known = self._blobs[(form_id, version)] = (qs, self._encode(qs))
            out.append(_Form(form_id, version, known[1]))
        return out

    def _stop(self, proc: asyncio.subprocess.Process, why: str) -> None:
        log.error("stopping the judge: %s", why)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()

    async def _read_answers(self, proc: asyncio.subprocess.Process) -> None:
        """Hand each answer to the batch waiting for it; when the judge is gone, fail them all."""
        assert proc.stdout is not None
        try:
            while True:
                size = int.from_bytes(await proc.stdout.readexactly(_LENGTH), "big")
                reply = self._decode(await proc.stdout.readexactly(size))
                answer = self._waiting.popleft()
                if answer.done():  # its batch gave up waiting
                    continue
                if reply.decided is None:
                    log.error("the judge failed on a batch: %s", reply.error)
                    answer.set_exception(JudgeUnavailable(f"the judge failed: {reply.error}"))
                else:
                    answer.set_result(reply.decided)
        except Exception as exc:  # it exited, or answered what it was not asked (never seen)
            if not self._closing:
                log.error("the judge stopped (%s: %s)", type(exc).__name__, exc)
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            if self._proc is proc:
                self._proc = None
            while self._waiting:
                answer = self._waiting.popleft()
                if not answer.done():
                    answer.set_exception(JudgeUnavailable("the judge stopped"))


def _read(stream: BinaryIO, size: int) -> bytes:
    """Exactly `size` bytes, or fewer only when the stream has ended."""
    chunks: list[bytes] = []
    while size > 0 and (chunk := stream.read(size)):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """Decide each job read from `source`, answering on `sink`, until `source` ends."""
    decode_job = msgspec.msgpack.Decoder(_Job).decode
    decode_form = msgspec.msgpack.Decoder(QuestionSet).decode
    encode = msgspec.msgpack.Encoder().encode
    known: dict[tuple[str, str], tuple[bytes, QuestionSet]] = {}
    while len(head := _read(source, _LENGTH)) == _LENGTH:
        size = int.from_bytes(head, "big")
        try:
            job = decode_job(_read(source, size))
            forms: Forms = {}
            for f in job.forms:
                key = (f.id, f.version)
                if f.blob is None:
                    forms[key] = None
                    continue
                hit = known.get(key)
                if hit is None or hit[0] != f.blob:
                    hit = known[key] = (f.blob, decode_form(f.blob))
                forms[key] = hit[1]
            reply = _Reply(decide(job.raws, job.trainings, forms))
        except Exception as exc:  # a bug: say so, and let the server decide the batch itself
            traceback.print_exc(file=sys.stderr)
            reply = _Reply(None, f"{type(exc).__name__}: {exc}")
        sink.write(_frame(encode(reply)))
        sink.flush()


def main() -> None:
    # Answers go to the original stdout; anything printed goes to stderr instead.
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    # What is alive now lives as long as the judge; keep it out of the collector's walks.
    gc.freeze()
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        serve(sys.stdin.buffer, sink)


if __name__ == "__main__":
    main()
