"""A restart keeps everything: forms, trainings, submissions, tokens."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from tests.conftest import batch, create_training, make_token, submission


async def test_restart_keeps_everything(db_path: Path) -> None:
    app = create_app(Settings(db_path=db_path))
    async with AsyncTestClient(app=app) as client:
        admin = await make_token(app, "ada", "admin")
        training = await create_training(client, admin)
        sub = submission(training["join_code"])
        first = await client.post("/api/v1/sync", json=batch(sub))
        assert first.json()["results"][0]["status"] == "accepted"

    again = create_app(Settings(db_path=db_path))
    async with AsyncTestClient(app=again) as client:
        assert (await client.get("/api/v1/trainings/rabat-tot", headers=admin)).status_code == 200
        rows = (await client.get("/api/v1/trainings/rabat-tot/submissions", headers=admin)).json()
        assert [r["id"] for r in rows] == [sub["id"]]
        replay = await client.post("/api/v1/sync", json=batch(sub))
        assert replay.json()["results"][0]["status"] == "duplicate"
        forms = (await client.get("/api/v1/forms", headers=admin)).json()
        assert len(forms) == 2
