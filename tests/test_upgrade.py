"""Upgrades: a database written by the first schema version in the project's history opens in
this version, is migrated to the current schema, and reports exactly what it reported when the
fixture was made (`tests/fixtures/first_schema/make.py` says how it was made)."""

from __future__ import annotations

import gzip
import json
import math
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.db.schema import MIGRATIONS
from server.settings import Settings
from tests.conftest import make_token

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "first_schema"


async def reports_of(db: Path) -> dict[str, Any]:
    """Every report of the file, by URL, as the API gives them (the file is migrated)."""
    app = create_app(Settings(db_path=db))
    async with AsyncTestClient(app=app) as client:
        admin = await make_token(app, "upgrade-check", "admin")

        async def get(url: str) -> Any:
            response = await client.get(url, headers=admin)
            assert response.status_code == 200, (url, response.text)
            return response.json()

        urls = ["/api/v1/programme/report"] + [
            f"/api/v1/trainings/{t['id']}/report" for t in await get("/api/v1/trainings")
        ]
        return {url: _figures(await get(url)) for url in urls}


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the time it was made and its methods note (prose, reworded as the
    methods are explained better; every figure it describes is still compared)."""
    return {k: v for k, v in report.items() if k not in ("generated_at", "methods")}


#: The methods note is prose about how the figures are made; later versions may say more.
NOT_FIGURES = {"methods"}


#: The methods note is prose about how the figures are made; later versions may say more.
NOT_FIGURES = {"methods"}


def differences(expected: Any, found: Any, where: str = "") -> list[str]:
    """Where `found` departs from `expected`; names that `expected` lacks are not compared
    (later versions may report more)."""
    if isinstance(expected, dict):
        if not isinstance(found, dict):
            return [f"{where}: {found!r} is not an object"]
        return [
            problem
            for key, value in expected.items()
            if key not in NOT_FIGURES
            for problem in (
                differences(value, found[key], f"{where}.{key}")
                if key in found
                else [f"{where}.{key}: missing"]
            )
        ]
    if isinstance(expected, list):
        if not isinstance(found, list) or len(found) != len(expected):
            return [f"{where}: {len(expected)} entries expected, got {found!r:.200}"]
        pairs = enumerate(zip(expected, found, strict=True))
        return [p for n, (e, f) in pairs for p in differences(e, f, f"{where}[{n}]")]
    if isinstance(expected, float) and isinstance(found, float | int):
        return [] if math.isclose(expected, found, rel_tol=1e-9, abs_tol=1e-12) else [
            f"{where}: {expected} then, {found} now"
        ]  # fmt: skip
    return [] if expected == found else [f"{where}: {expected!r} then, {found!r} now"]


async def test_the_first_schema_migrates_with_every_report_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "tadrib.db"
    with gzip.open(FIXTURE / "tadrib-v1.db.gz") as packed, open(db, "wb") as raw:
        shutil.copyfileobj(packed, raw)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    submissions = conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    conn.close()
    assert submissions > 100

    found = await reports_of(db)

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == submissions
    conn.close()
    with gzip.open(FIXTURE / "reports.json.gz", "rt") as reports:
        expected = {url: _figures(report) for url, report in json.load(reports).items()}
    assert sorted(found) == sorted(expected)
    assert differences(expected, found) == []


def test_differences_names_each_changed_figure() -> None:
    then = {"overall": {"n_matched": 40, "p": 0.01, "ci95": [1.0, 2.0]}, "items": [{"id": "q1"}]}
    now = {"overall": {"n_matched": 39, "p": 0.01, "ci95": [1.0, 2.5], "new": 1}, "items": []}
    assert differences(then, now) == [
        ".overall.n_matched: 40 then, 39 now",
        ".overall.ci95[1]: 2.0 then, 2.5 now",
        ".items: 1 entries expected, got []",
    ]
    assert differences(then, then) == []
