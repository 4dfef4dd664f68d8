"""The scribe: a helper process that stores sync batches in SQLite, on a core of its own.

Storing a batch is most of what sync costs: SQLite's B-trees and the kernel's writes. In the
server's process that work shares Python's lock with the event loop, so each waits for the
other; in a process of its own it runs on another core while the event loop reads and checks
the next batches. `tadrib serve` starts it on a machine with more than one core.

The scribe stores a batch exactly as the server's own writer does (`server.db.submissions`:
`write_new`, then `write_careful` when an id is taken), with group commit
(`server.db.group_commit`): the batches waiting are committed together, and each is answered
only after the commit that holds it. Storage trouble (a locked, read-only or full file) is
answered as such, and the phone is told to retry later. Whatever happens to the scribe itself,
a batch is still stored once: if it has died, stopped answering or failed, the server waits
until it is surely gone, stores the batch through its own writer (which finds anything the
scribe committed) and starts the scribe again later.

The scribe reads frames from its stdin and answers on its stdout, in order: a 4-byte big-endian
length, then msgpack (`_Job` in, `_Reply` out). It exits when its stdin closes, so it never
outlives the server, even one killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import logging
import os
import select
import sqlite3
import sys
import time
import traceback
from collections import deque
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from server.db.database import PRAGMAS, Database, Outage, StorageUnavailable
from server.db.group_commit import MAX_GROUP, Job, run_group
from server.db.submissions import (
    AlreadyStored,
    Row,
    Written,
    known_people,
    statements,
    write_careful,
    write_new,
    write_rows,
)
from sync.ingest import DeviceReport, Stored

log = logging.getLogger("tadrib.scribe")

#: How long a batch waits for the scribe before the scribe, taken to be stuck, is stopped and
#: the batch stored by the server itself. A batch takes it milliseconds; a locked file makes it
#: wait SQLite's busy timeout (5 s) before it answers that the storage is unavailable.
ANSWER_SECONDS = 15.0
#: The least time between two starts of the scribe, so one that keeps dying costs little.
RESTART_SECONDS = 5.0
#: The pipes' size: a batch of 100 goes through in one write instead of several hand-overs
#: between the processes (Linux's default is 64 KiB; unprivileged processes may ask for 1 MiB).
PIPE_BYTES = 1 << 20

_LENGTH = 4


class _Job(msgspec.Struct, array_like=True):
    device: DeviceReport
    now: str
    rows: list[Row]


class _Reply(msgspec.Struct, array_like=True):
    #: For the ids already stored, what is on disk.
    stored: dict[str, Stored] = {}
    #: Why the database cannot be written (locked, read-only, full): the batch is refused.
    unavailable: str = ""
    #: Why the scribe failed on the batch (a bug); the server then stores the batch itself.
    error: str = ""


class ScribeUnavailable(Exception):
    """The scribe died, stopped answering or failed on a batch."""


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(_LENGTH, "big") + payload


def _widen(fd: int) -> None:
    """Make the pipe behind `fd` hold `PIPE_BYTES`, where the system allows it."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class Scribe:
    """The server's side of the scribe: `store` sends a batch's rows and waits for the commit."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        #: Futures of the batches sent and not yet answered, in the order sent.
        self._waiting: deque[asyncio.Future[_Reply]] = deque()
        self._started_at = -RESTART_SECONDS
        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder(_Reply).decode
        self._closing = False
        #: How the server stores a batch when the scribe cannot.
        self._here = write_rows

    async def start(self) -> None:
        """Start the scribe process; it is ready when Python has imported its modules."""
        self._started_at = time.monotonic()
        root = str(Path(__file__).resolve().parents[1])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}"}
        try:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "server.scribe", str(self.db_path.resolve()),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
            )  # fmt: skip
        except OSError as exc:  # batches are then stored through the server's writer
            log.error("the scribe cannot start: %s", exc)
            return
        self._reader = asyncio.create_task(self._read_answers(self._proc))

    async def close(self) -> None:
        """Close the scribe's stdin, so it finishes what it holds and exits; wait for it."""
        self._closing = True
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader is not None:
            await self._reader

    async def store(
        self, db: Database, device: DeviceReport, now: str, rows: list[Row]
    ) -> dict[str, Stored]:
        """`server.db.submissions.write_rows` in the scribe, or here when the scribe cannot.

        Raises `StorageUnavailable` when the database cannot be written.
        """
        try:
            return await self._ask(_Job(device, now, rows))
        except ScribeUnavailable as exc:
            log.debug("sync batch stored by the server's writer: %s", exc)
            return await self._here(db, device, now, rows)

    async def _ask(self, job: _Job) -> dict[str, Stored]:
        if self._proc is None:  # never started, stopped, or gone: `_read_answers` saw it end
            if self._closing or time.monotonic() - self._started_at < RESTART_SECONDS:
                raise ScribeUnavailable("the scribe is not running")
            log.warning("starting the scribe again")
            await self.start()
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise ScribeUnavailable("the scribe cannot start")
        answer: asyncio.Future[_Reply] = asyncio.get_running_loop().create_future()
        # Appended and written with no await between, so the order of `_waiting` is the order
        # of the frames, which is the order of the answers. While `_proc` is set, the reader
        # is running, and it settles every future in `_waiting` before it ends.
        self._waiting.append(answer)
        proc.stdin.write(_frame(self._encode(job)))
        try:
            async with asyncio.timeout(ANSWER_SECONDS):
                await proc.stdin.drain()  # waits too when the scribe stopped reading
                reply = await answer
        except TimeoutError:
            answer.cancel()
            # Gone before the batch is stored here: it cannot commit the batch afterwards.
            await self._end(proc, f"no answer within {ANSWER_SECONDS:g} s")
            raise ScribeUnavailable(
                f"the scribe gave no answer within {ANSWER_SECONDS:g} s"
            ) from None
        except ConnectionError as exc:
            answer.cancel()
            await self._end(proc, f"it cannot be reached ({exc})")
            raise ScribeUnavailable(f"the scribe cannot be reached ({exc})") from exc
        if reply.unavailable:
            raise StorageUnavailable(reply.unavailable)
        if reply.error:
            raise ScribeUnavailable(f"the scribe failed: {reply.error}")
        return reply.stored

    async def _end(self, proc: asyncio.subprocess.Process, why: str) -> None:
        """Stop the scribe and wait until it is gone."""
        if proc.returncode is None and not self._closing:
            log.error("stopping the scribe: %s", why)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()

    async def _read_answers(self, proc: asyncio.subprocess.Process) -> None:
        """Hand each answer to the batch waiting for it; when the scribe is gone, fail them all
        (only once it has surely exited, so none of theirs can still be committed)."""
        assert proc.stdout is not None
        try:
            while True:
                size = int.from_bytes(await proc.stdout.readexactly(_LENGTH), "big")
                reply = self._decode(await proc.stdout.readexactly(size))
                answer = self._waiting.popleft()
                if reply.error:
                    log.error("the scribe failed on a batch: %s", reply.error)
                if not answer.done():  # else its batch gave up waiting
                    answer.set_result(reply)
        except Exception as exc:  # it exited, or answered what it was not asked (never seen)
            if not self._closing:
                log.error("the scribe stopped (%s: %s)", type(exc).__name__, exc)
        finally:
            if self._proc is proc:
                self._proc = None
            await self._end(proc, "its answers stopped")
            while self._waiting:
                answer = self._waiting.popleft()
                if not answer.done():
                    answer.set_exception(ScribeUnavailable("the scribe stopped"))


# The scribe process.


def _read(fd: int, size: int) -> bytes:
    """Exactly `size` bytes, or fewer only when the stream has ended."""
    chunks: list[bytes] = []
    while size > 0 and (chunk := os.read(fd, min(size, PIPE_BYTES))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frames(fd: int) -> list[bytes]:
    """The frames waiting: at least one (waiting for it), at most `MAX_GROUP`; none at the end
    of the stream."""
    frames: list[bytes] = []
    while len(frames) < MAX_GROUP:
        head = _read(fd, _LENGTH)
        if len(head) < _LENGTH:
            break
        body = _read(fd, int.from_bytes(head, "big"))
        if len(body) < int.from_bytes(head, "big"):
            break
        frames.append(body)
        if not select.select([fd], [], [], 0)[0]:
            break
    return frames


def _store(
    conn: sqlite3.Connection, jobs: list[_Job], known: dict[tuple[str, str], int], outage: Outage
) -> list[_Reply]:
    """Store the jobs' rows, committed together; one reply per job."""

    def first_try(job: _Job) -> Job:
        inserts = statements(job.rows, job.now, known)
        return Job(lambda conn: write_new(conn, job.device, job.now, inserts))

    def careful(job: _Job) -> Job:
        return Job(lambda conn: write_careful(conn, job.device, job.now, job.rows))

    works = [first_try(job) for job in jobs]
    run_group(conn, works, outage)
    for i, (job, work) in enumerate(zip(jobs, works, strict=True)):
        if isinstance(work.error, AlreadyStored):  # a retried batch: store what is new of it
            works[i] = careful(job)
            run_group(conn, [works[i]], outage)
    replies: list[_Reply] = []
    for work in works:
        if work.error is None:
            written: Written = work.result
            known.update(written[1])  # committed now
            replies.append(_Reply(written[0]))
        elif isinstance(work.error, StorageUnavailable):
            replies.append(_Reply(unavailable=str(work.error)))
        else:
            replies.append(_Reply(error=f"{type(work.error).__name__}: {work.error}"))
    return replies


def serve(db_path: str, source: int, sink: BinaryIO) -> None:
    """Store each job read from the file descriptor `source`, answering on `sink`, until
    `source` ends."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    decode_job = msgspec.msgpack.Decoder(_Job).decode
    encode = msgspec.msgpack.Encoder().encode
    kept: dict[Any, Any] = {}
    outage = Outage()
    while frames := _read_frames(source):
        try:
            replies = _store(conn, [decode_job(f) for f in frames], known_people(kept), outage)
        except Exception as exc:  # a bug: say so, and let the server store the batches itself
            traceback.print_exc(file=sys.stderr)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            replies = [_Reply(error=f"{type(exc).__name__}: {exc}")] * len(frames)
        sink.write(b"".join(_frame(encode(reply)) for reply in replies))
        sink.flush()
    conn.close()


def main() -> None:
    # Answers go to the original stdout; anything printed goes to stderr instead.
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for fd in (0, sink.fileno()):
        _widen(fd)
    # What is alive now lives as long as the scribe; keep it out of the collector's walks.
    gc.freeze()
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        serve(sys.argv[1], 0, sink)


if __name__ == "__main__":
    main()
