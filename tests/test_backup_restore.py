"""`tadrib backup DIR --keep N` and `tadrib restore FILE`: data in, backup, damage, restore, the
same report; and a restore refused while a server runs or when the copy is unsound."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from server.app import create_app
from server.backups import backups_in, check, make_backup
from server.cli import main
from server.db.schema import MIGRATIONS
from server.settings import Settings


def tadrib(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code != 0, result.output
    return result.output


def report(db: Path, out: Path) -> dict[str, object]:
    """The training's report, without the time it was made."""
    tadrib("report", "rabat-tot-2019", "--format", "json", "--out", str(out), "--db", str(db))
    found = json.loads(out.read_text())
    del found["generated_at"]
    return dict(found)


def test_backup_damage_restore_gives_the_same_report(tmp_path: Path) -> None:
    db = tmp_path / "data" / "tadrib.db"
    tadrib("demo", "--db", str(db))
    before = report(db, tmp_path / "before.json")
    out = tadrib("backup", str(tmp_path / "backups"), "--keep", "3", "--db", str(db))
    (backup,) = backups_in(tmp_path / "backups")
    assert str(backup) in out and check(backup) == ""

    with open(db, "r+b") as damaged:  # a disk fault: pages in the middle turn to noise
        damaged.seek(8 * 4096)
        damaged.write(b"\xde\xad" * 40_000)
    assert check(db) != ""

    out = tadrib("restore", str(backup), "--db", str(db))
    assert "restored" in out
    (kept,) = tmp_path.glob("data/tadrib.db.before-restore-*")  # the damaged file is kept aside
    assert kept.stat().st_size > 0
    assert report(db, tmp_path / "after.json") == before


def test_backups_are_dated_and_only_the_newest_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    sqlite3.connect(db).close()
    start = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    with pytest.raises(Exception, match="not a Tadrib database"):  # an empty file is refused
        make_backup(db, tmp_path / "b", keep=2, now=start)
    tadrib("users", "add", "ada", "--role", "admin", "--password", "long enough pw",
           "--db", str(db))  # fmt: skip
    for day in range(4):
        make_backup(db, tmp_path / "b", keep=2, now=start + timedelta(days=day))
    names = [p.name for p in backups_in(tmp_path / "b")]
    assert names == ["tadrib-20260303-023000.db", "tadrib-20260304-023000.db"]
    assert list((tmp_path / "b").glob("*.part")) == []


def test_restore_is_refused_while_the_server_runs(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    tadrib("users", "add", "ada", "--role", "admin", "--password", "long enough pw",
           "--db", str(db))  # fmt: skip
    backup = make_backup(db, tmp_path / "b", keep=1)
    with TestClient(app=create_app(Settings(db_path=db))):
        output = refused("restore", str(backup), "--db", str(db))
        assert "in use by a running server; stop it first" in output
    assert "restored" in tadrib("restore", str(backup), "--db", str(db))


def test_an_unsound_or_newer_backup_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    tadrib("users", "add", "ada", "--role", "admin", "--password", "long enough pw",
           "--db", str(db))  # fmt: skip
    newer = make_backup(db, tmp_path / "b", keep=5)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()
    assert "newer than this Tadrib's" in refused("restore", str(newer), "--db", str(db))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x01" * 5000)
    assert "cannot be restored" in refused("restore", str(junk), "--db", str(db))
    # Nothing was touched: the database is the one it was.
    assert check(db) == "" and not list(tmp_path.glob("tadrib.db.before-restore-*"))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")
def test_a_restore_by_root_leaves_the_database_to_the_servers_user(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    tadrib("users", "add", "ada", "--role", "admin", "--password", "long enough pw",
           "--db", str(db))  # fmt: skip
    backup = make_backup(db, tmp_path / "b", keep=1)
    os.chown(db, 4242, 4242)  # the service's user owns the database
    tadrib("restore", str(backup), "--db", str(db))
    assert (db.stat().st_uid, db.stat().st_gid) == (4242, 4242)
