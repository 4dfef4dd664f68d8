"""Dated backups of the database, kept to the newest N, and restoring one with the server
stopped.

A running server holds a shared lock on `<db>.lock` (`serving`); a restore takes it exclusively,
so neither can happen while the other is under way.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    closing,
    contextmanager,
    nullcontext,
    suppress,
)
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.db.schema import MIGRATIONS

PREFIX = "tadrib-"
SUFFIX = ".db"
#: Tables every version of the schema has; a file without them is not a Tadrib database.
CORE_TABLES = {"forms", "trainings", "participants", "submissions", "users"}


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why and what to do."""


class ServerRunning(BackupError):
    """The database is in use by `tadrib serve` (or a restore is under way)."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def _locked(db: Path, mode: int, busy: str) -> Iterator[None]:
    db.parent.mkdir(parents=True, exist_ok=True)
    # Read-only is enough to lock, so a lock file made by another user (root) stays usable.
    fd = os.open(lock_path(db), os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerRunning(busy) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def serving(db: Path) -> AbstractContextManager[None]:
    """Held by a running server: shared, so a restore (exclusive) is refused meanwhile."""
    return _locked(db, fcntl.LOCK_SH, f"{db} is being restored; start the server when it is done.")


def hold_lock(db: Path) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The server's lifespan step holding `serving(db)` (no lock for an in-memory database)."""

    @asynccontextmanager
    async def held(_: Any) -> AsyncIterator[None]:
        with nullcontext() if str(db) == ":memory:" else serving(db):
            yield

    return held


def backup_name(now: datetime) -> str:
    return f"{PREFIX}{now.astimezone(UTC):%Y%m%d-%H%M%S}{SUFFIX}"


def backups_in(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first (their names sort by date)."""
    return sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def make_backup(db: Path, folder: Path, keep: int, now: datetime | None = None) -> Path:
    """A consistent, checked copy of `db` in `folder` named for the time; then only the newest
    `keep` backups stay. Safe while the server writes (SQLite's online backup)."""
    if keep < 1:
        raise BackupError("--keep must be 1 or more: the newest backup is always kept.")
    if not db.is_file():
        raise BackupError(f"{db} does not exist; give the database with --db or TADRIB_DB.")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / backup_name(now or datetime.now(UTC))
    if target.exists():
        raise BackupError(f"{target} exists already; wait a second and back up again.")
    partial = target.with_name(target.name + ".part")
    _copy(db, partial)
    problem = check(partial)
    if problem:
        partial.unlink()
        raise BackupError(f"The copy of {db} failed its check ({problem}); nothing was kept.")
    _fsync(partial)
    partial.rename(target)  # a backup is either whole or absent
    _fsync(folder)
    for old in backups_in(folder)[:-keep]:
        old.unlink()
    return target


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of `source` as one self-contained file (SQLite's online backup)."""
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reading,
        closing(sqlite3.connect(target)) as writing,
    ):
        reading.backup(writing)
        writing.execute("PRAGMA journal_mode=DELETE")


def check(path: Path) -> str:
    """What is wrong with `path` as a Tadrib database to restore, or '' when it is sound."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                return "integrity check: " + "; ".join(integrity[:3])
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                return "foreign key check: rows refer to rows that are missing"
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return f"not a readable SQLite database ({exc})"
    if not tables >= CORE_TABLES or version < 1:
        return "not a Tadrib database"
    if version > len(MIGRATIONS):
        return (
            f"schema version {version} is newer than this Tadrib's ({len(MIGRATIONS)}); "
            "restore it with the Tadrib version that made it"
        )
    return ""


def restore(backup: Path, db: Path, now: datetime | None = None) -> Path | None:
    """Put `backup` in place of `db` with the server stopped; the file it replaced is kept
    beside it (returned) so nothing is lost. Migrations run when the server starts."""
    problem = check(backup)
    if problem:
        raise BackupError(f"{backup} cannot be restored: {problem}.")
    busy = f"{db} is in use by a running server; stop it first (systemctl stop tadrib)."
    with _locked(db, fcntl.LOCK_EX, busy):
        incoming = db.with_name(db.name + ".restoring")
        _copy(backup, incoming)
        _fsync(incoming)
        kept = None
        if db.exists():
            owner = db.stat()
            with suppress(PermissionError):  # restored by root: the server's user still owns it
                os.chown(incoming, owner.st_uid, owner.st_gid)
            stamp = f"{(now or datetime.now(UTC)).astimezone(UTC):%Y%m%d-%H%M%S}"
            kept = db.with_name(f"{db.name}.before-restore-{stamp}")
            _set_aside(db, kept)
        incoming.rename(db)
        _fsync(db.parent)
    return kept


def _set_aside(db: Path, kept: Path) -> None:
    """Move the current file and its journal away: a write-ahead log left by a killed server
    belongs to the old file and must not be applied to the restored one."""
    with suppress(sqlite3.DatabaseError), closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # folds the log into the old file
    db.rename(kept)
    for extra in ("-wal", "-shm", "-journal"):
        leftover = db.with_name(db.name + extra)
        if leftover.exists():
            leftover.rename(kept.with_name(kept.name + extra))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
