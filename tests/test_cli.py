"""The `tadrib` command: forms check/publish, users, tokens, demo, backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from server.cli import main
from tests.conftest import EVALUATION, KNOWLEDGE


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_forms_check_reports_ok_and_errors_with_places(tmp_path: Path) -> None:
    code, out = run("forms", "check", str(KNOWLEDGE), str(EVALUATION))
    assert code == 0
    assert "ok: tip-som-knowledge version 2019.1 (test" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text(KNOWLEDGE.read_text().replace("id: q2\n", "id: q1\n", 1))
    code, out = run("forms", "check", str(broken))
    assert code == 1
    assert "broken.yaml" in out and "q1" in out


def test_forms_publish_is_idempotent(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    code, out = run("forms", "publish", str(KNOWLEDGE), "--db", db)
    assert code == 0 and out.startswith("published: tip-som-knowledge")
    code, out = run("forms", "publish", str(KNOWLEDGE), "--db", db)
    assert code == 0 and out.startswith("unchanged: tip-som-knowledge")


def test_token_create_prints_the_token_last_and_it_works(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    code, out = run("token", "create", "script", "--role", "admin", "--db", db)
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("tdb_") and len(token) > 30
    rows = sqlite3.connect(db).execute("SELECT token_hash FROM tokens").fetchall()
    assert len(rows) == 1 and token not in rows[0][0]


def test_users_add_refuses_short_password(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(
        main, ["users", "add", "amina", "--role", "trainer", "--password", "short", "--db", db]
    )
    assert result.exit_code == 2 and "at least" in result.output
    code, out = run("users", "add", "amina", "--role", "trainer", "--password", "long enough pw",
                    "--db", db)  # fmt: skip
    assert code == 0 and "added: amina (trainer)" in out


def test_demo_is_idempotent_and_backup_copies_everything(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    code, first = run("demo", "--db", str(db))
    assert code == 0 and "/t/" in first and "login: admin /" in first
    count = sqlite3.connect(db).execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    assert count > 100
    code, second = run("demo", "--db", str(db))
    assert code == 0 and second == first
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == count
    simulated = (
        sqlite3.connect(db)
        .execute("SELECT COUNT(*) FROM submissions WHERE simulated = 1")
        .fetchone()[0]
    )
    assert simulated == count

    code, out = run("backup", str(tmp_path / "backups"), "--db", str(db))
    assert code == 0 and "backup written" in out
    (copy,) = (tmp_path / "backups").glob("tadrib-*.db")
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == count


def test_report_writes_json_and_explains_an_unknown_training(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    run("demo", "--db", db)
    out = tmp_path / "report.json"
    code, _ = run("report", "rabat-tot-2019", "--format", "json", "--out", str(out), "--db", db)
    assert code == 0
    import json

    assert json.loads(out.read_text())["flow"]["matched"] > 30
    result = CliRunner().invoke(main, ["report", "nope", "--format", "json", "--out",
                                       str(tmp_path / "x.json"), "--db", db])  # fmt: skip
    assert result.exit_code == 2 and "nope" in result.output


def test_report_in_arabic_is_right_to_left(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    run("demo", "--db", db)
    out = tmp_path / "report.html"
    code, _ = run("report", "rabat-tot-2019", "--format", "html", "--lang", "ar", "--out",
                  str(out), "--db", db)  # fmt: skip
    assert code == 0
    html = out.read_text()
    assert 'dir="rtl"' in html and 'lang="ar"' in html


def test_every_command_takes_db() -> None:
    from tests.test_docs import commands

    for name in commands(main):
        command: click.Command = main
        for part in name.split():
            assert isinstance(command, click.Group)
            command = command.commands[part]
        assert any("--db" in p.opts for p in command.params), name


def test_a_bad_setting_is_named_with_what_it_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value, expected in (
        ("TADRIB_SYNC_RATE", "lots", "TADRIB_SYNC_RATE must be a whole number, 0 or more"),
        ("TADRIB_MAX_BODY", "-1", "TADRIB_MAX_BODY must be a whole number, 0 or more"),
        ("TADRIB_PUBLIC_URL", "tadrib.example.org", "TADRIB_PUBLIC_URL must be the address"),
        ("TADRIB_TRUSTED_PROXIES", "caddy", "TADRIB_TRUSTED_PROXIES takes addresses"),
    ):
        with monkeypatch.context() as env:
            env.setenv(name, value)
            result = CliRunner().invoke(main, ["serve"])
        assert result.exit_code == 2, result.output
        assert expected in result.output and repr(value) in result.output
