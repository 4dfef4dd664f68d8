"""Reading uploaded files in a worker process with a time and a memory limit.

A question set or a file of records is parsed by a child process, so that a file built to
explode (nested YAML aliases, a zip that unpacks to gigabytes) costs that child its limits
while the event loop keeps answering phones and staff. The child only reads; nothing is stored
before its answer is back.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import msgspec

from forms.errors import FormError, FormErrors
from forms.loaders import load_obj, readable
from forms.model import QuestionSet
from sync.wire import NotUnsentFile, UnsentFile, read_unsent

#: Seconds a child may take, and memory it may map beyond what it starts with.
TIME_LIMIT = 20.0
MEMORY_LIMIT = 512 * 1024 * 1024
#: Children parsing at once; more uploads wait their turn.
WORKERS = 2

T = TypeVar("T")

# Children fork from a server process that has already imported the loaders (and the main
# module, which each child would otherwise import again), so each starts in milliseconds; that
# server is single-threaded, so forking it is safe, unlike forking this process.
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["__main__", __name__])
# Per event loop (tests run several): waiting uploads queue here, not in the threads that
# sign-ins hash passwords with.
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


class TooCostly(Exception):
    """The file took more time or memory to read than any honest upload needs."""


def question_set_body(body: bytes) -> QuestionSet:
    """A question set sent as the JSON body of a request; raises FormErrors."""
    try:
        with readable("request body"):
            decoded = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        message = (
            f"The body is not valid JSON ({exc}); send JSON or a file in multipart field 'file'."
        )
        raise FormErrors([FormError("request body", message)]) from exc
    return load_obj(decoded, "request body")


def _child(conn: Connection, job: Callable[..., Any], args: tuple[Any, ...]) -> None:
    with open("/proc/self/statm", "rb") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (mapped + MEMORY_LIMIT, mapped + MEMORY_LIMIT))
    try:
        answer: tuple[str, Any] = ("ok", job(*args))
    except FormErrors as exc:  # its list of errors travels; the exception would not rebuild
        answer = ("form_errors", exc.errors)
    except NotUnsentFile as exc:
        answer = ("not_unsent", str(exc))
    except MemoryError:
        answer = ("costly", "memory")
    except BaseException as exc:  # a bug: the parent raises it, as it would have in-process
        answer = ("bug", f"{type(exc).__name__}: {exc}")
    conn.send(answer)
    conn.close()


def _run(job: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    """The child's answer, or ("costly", "time") once its time is up (the child is killed)."""
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(target=_child, args=(sender, job, args), daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(TIME_LIMIT):
            answer: tuple[str, Any] = receiver.recv()
            return answer
        return ("costly", "time")
    except EOFError:  # the child died without answering, as when the kernel ends it
        return ("costly", "memory")
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
        process.close()


async def in_worker(job: Callable[..., T], *args: Any) -> T:
    """`job(*args)` run in a child process; raises what the job raises, or TooCostly."""
    slots = _slots.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(WORKERS))
    async with slots:
        kind, value = await asyncio.to_thread(_run, job, args)
    if kind == "ok":
        found: T = value
        return found
    if kind == "form_errors":
        raise FormErrors(value)
    if kind == "not_unsent":
        raise NotUnsentFile(value)
    if kind == "costly":
        raise TooCostly(f"the file needed more {value} to read than any honest upload does")
    raise RuntimeError(f"Reading an upload failed: {value}")


async def unsent_records(body: bytes) -> UnsentFile:
    """The file of unsent records in `body`, read in a worker; raises NotUnsentFile."""
    try:
        return await in_worker(read_unsent, body)
    except TooCostly as exc:
        raise NotUnsentFile(
            f"This is not a file of unsent records exported by the Tadrib app: {exc}."
        ) from exc
