"""`tadrib demo`: the bundled library old and new, the trainings on the new versions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from msgspec.structs import replace

from server.demo import seed
from server.schemas import FormRef
from tests.test_cli import run


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_demo_publishes_every_version_and_trains_on_the_new_ones(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    code, _ = run("demo", "--db", str(db))
    assert code == 0
    assert sorted(rows(db, "SELECT id, version FROM forms")) == [
        ("first-responder-evaluation", "2019.1"),
        ("tip-som-knowledge", "2019.1"),
        ("tip-som-knowledge", "2019.2"),
        ("tot-evaluation", "2019.1"),
        ("tot-evaluation", "2019.2"),
    ]
    sql = "SELECT id, pre_form, pre_version, post_version, eval_form, eval_version FROM trainings"
    assignments = {r[0]: r[1:] for r in rows(db, sql)}
    assert assignments == {
        "rabat-tot-2019": ("tip-som-knowledge", "2019.2", "2019.2", "tot-evaluation", "2019.2"),
        "tanger-cascade-2019": (
            "tip-som-knowledge", "2019.2", "2019.2", "first-responder-evaluation", "2019.1"
        ),
    }  # fmt: skip
    versions = rows(db, "SELECT DISTINCT form_id, form_version FROM submissions ORDER BY 1")
    assert versions == [
        ("first-responder-evaluation", "2019.1"),
        ("tip-som-knowledge", "2019.2"),
        ("tot-evaluation", "2019.2"),
    ]
    names = {k: json.loads(n) for k, n in rows(db, "SELECT key, name FROM institutions")}
    assert names["judiciary"] == {"en": "Judges (bench)", "fr": "Magistrats du siège",
                                  "ar": "قضاة الحكم"}  # fmt: skip
    assert names["police"]["en"] == "General Directorate for National Security (DGSN)"
    (title,) = rows(db, "SELECT title FROM trainings WHERE id = 'tanger-cascade-2019'")[0]
    assert "تكوين تتابعي" in title and "المتدخلين في الخط الأول" in title


def test_a_demo_seeded_on_the_old_versions_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "demo.db"
    old = {"pre_test": FormRef("tip-som-knowledge", "2019.1"),
           "post_test": FormRef("tip-som-knowledge", "2019.1"),
           "evaluation": FormRef("tot-evaluation", "2019.1")}  # fmt: skip
    with monkeypatch.context() as m:
        followup = FormRef("tip-som-knowledge", "2019.1")
        m.setattr(seed, "TOT", replace(seed.TOT, **old, followup_test=followup))
        m.setattr(seed, "CASCADE", replace(seed.CASCADE, **old))
        assert run("demo", "--db", str(db))[0] == 0
    count = rows(db, "SELECT COUNT(*) FROM submissions")[0][0]
    # The current demo finds the trainings on 2019.1 and only meets its own answers again.
    assert run("demo", "--db", str(db))[0] == 0
    assert rows(db, "SELECT COUNT(*) FROM submissions")[0][0] == count
    assert rows(db, "SELECT DISTINCT form_version FROM submissions") == [("2019.1",)]
    out = tmp_path / "report.json"
    code, _ = run(
        "report", "rabat-tot-2019", "--format", "json", "--out", str(out), "--db", str(db)
    )
    assert code == 0
    items = json.loads(out.read_text())["items"]
    assert [i["id"] for i in items] == [f"q{n}" for n in range(1, 16)]
    assert all(i["source"] is None for i in items)
