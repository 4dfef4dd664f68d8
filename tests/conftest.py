"""Shared fixtures: the real app on a temporary SQLite file, staff credentials, a training."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from server.app import create_app
from server.db import users
from server.db.database import Database
from server.settings import Settings
from tests.live import seed_steps, send_steps, training_body

# Property tests repeat the same examples on every run, so a red CI run is a real regression.
settings.register_profile("tadrib", derandomize=True, deadline=None)
settings.load_profile("tadrib")

LIBRARY = Path(__file__).resolve().parents[1] / "forms" / "library"
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
KNOWLEDGE = LIBRARY / "tip-som-knowledge.yaml"
EVALUATION = LIBRARY / "tot-evaluation.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/browser/ is a browser test, and no other: `make test` runs that
    folder in a process of its own, as Playwright's sync API holds an event loop."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
        elif item.get_closest_marker("browser") is not None:
            raise pytest.UsageError(f"{item.nodeid}: browser tests belong in tests/browser/")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tadrib.db"


@pytest.fixture
def app(db_path: Path) -> Litestar:
    return create_app(Settings(db_path=db_path))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


async def make_token(app: Litestar, name: str, role: str) -> dict[str, str]:
    db: Database = app.state.db
    if await users.get(db, name) is None:
        await users.upsert(db, name, role, None, "test")
    secret = await users.create_token(db, name, "test", "test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
async def admin(app: Litestar, client: AsyncTestClient[Litestar]) -> dict[str, str]:
    return await make_token(app, "ada", "admin")


@pytest.fixture
async def trainer(app: Litestar, client: AsyncTestClient[Litestar]) -> dict[str, str]:
    return await make_token(app, "tariq", "trainer")


async def publish_file(
    client: AsyncTestClient[Litestar], headers: dict[str, str], path: Path
) -> Any:
    return await client.post(
        "/api/v1/forms", files={"file": (path.name, path.read_bytes())}, headers=headers
    )


INSTITUTIONS = {
    "gendarmerie": {"en": "Royal Gendarmerie", "fr": "Gendarmerie royale", "ar": "الدرك الملكي"},
    "police": {"en": "National police", "fr": "Sûreté nationale", "ar": "الأمن الوطني"},
}


async def create_training(
    client: AsyncTestClient[Litestar], admin: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    for path in (KNOWLEDGE, EVALUATION):
        assert (await publish_file(client, admin, path)).status_code in {200, 201}
    for key, name in INSTITUTIONS.items():
        await client.put(f"/api/v1/institutions/{key}", json={"name": name, "country": "MA"},
                         headers=admin)  # fmt: skip
    body = {
        "id": "rabat-tot",
        "title": "ToT on TIP and SOM",
        "country": "MA",
        "location": "Rabat",
        "starts_on": "2019-01-07",
        "ends_on": "2019-01-11",
        "institutions": list(INSTITUTIONS),
        "pre_test": {"form": "tip-som-knowledge", "version": "2019.1"},
        "post_test": {"form": "tip-som-knowledge", "version": "2019.1"},
        "evaluation": {"form": "tot-evaluation", "version": "2019.1"},
        "trainers": ["tariq"],
        **overrides,
    }
    if "tariq" in body["trainers"]:
        db: Database = client.app.state.db
        if await users.get(db, "tariq") is None:
            await users.upsert(db, "tariq", "trainer", None, "test")
    response = await client.post("/api/v1/trainings", json=body, headers=admin)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def publish_for(
    client: AsyncTestClient[Litestar],
    admin: dict[str, str],
    training: dict[str, Any],
    doc: dict[str, Any],
    phases: tuple[str, ...] = ("pre_test",),
) -> None:
    """Publish the question set `doc` and make it the training's set for `phases`."""
    response = await client.post("/api/v1/forms", json=doc, headers=admin)
    assert response.status_code == 201, response.text
    update = {**training}
    for phase in phases:
        update[phase] = {"form": doc["id"], "version": doc["version"]}
    for key in ("join_code", "join_url", "simulated", "created_at", "updated_at"):
        update.pop(key)
    response = await client.put(f"/api/v1/trainings/{training['id']}", json=update, headers=admin)
    assert response.status_code == 200, response.text


@pytest.fixture
async def training(client: AsyncTestClient[Litestar], admin: dict[str, str]) -> dict[str, Any]:
    return await create_training(client, admin)


#: Right answers to the bundled knowledge test, and a set with some wrong.
def knowledge_answers(right: bool = True) -> dict[str, Any]:
    from forms.loaders import load_path

    qs = load_path(KNOWLEDGE)
    answers: dict[str, Any] = {}
    for q in qs.questions:
        if q.type == "single":
            pick = [c.id for c in q.choices if c.correct == right]
            answers[q.id] = pick[0]
        elif q.type == "multiple":
            answers[q.id] = [c.id for c in q.choices if c.correct == right] or [q.choices[0].id]
        elif q.type == "truefalse":
            answers[q.id] = q.answer if right else not q.answer
        elif q.type == "number":
            assert isinstance(q.answer, float | int)
            answers[q.id] = q.answer if right else q.answer + q.tolerance + 10
    return answers


def submission(join_code: str, phase: str = "pre", **overrides: Any) -> dict[str, Any]:
    sub: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "training": join_code,
        "form": "tip-som-knowledge",
        "version": "2019.1",
        "phase": phase,
        "lang": "fr",
        "participant": {"code": "KM07R", "institution": "gendarmerie", "sex": "female"},
        "answers": knowledge_answers(),
        "started_at": "2019-01-07T09:01:00Z",
        "completed_at": "2019-01-07T09:19:30Z",
    }
    sub.update(overrides)
    return sub


def batch(*subs: dict[str, Any], pending: int | None = None) -> dict[str, Any]:
    return {
        "device": "3b1f2c1e-7d4a-4a51-9d0e-5b8d8f3c2a10",
        "pending": 0 if pending is None else pending,
        "submissions": list(subs),
    }


async def sync_results(client: AsyncTestClient[Litestar], body: Any) -> list[dict[str, Any]]:
    """POST a sync batch that must be answered 200; its per-submission results."""
    response = await client.post("/api/v1/sync", json=body)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["results"]
    return found


@contextmanager
def seeded_client(
    db_path: Path, training_id: str
) -> Iterator[tuple[TestClient[Litestar], dict[str, str], dict[str, Any]]]:
    """A client of the app with its rate limits off (fuzzers would meet 429s; the limits are
    tested in tests/test_security_input.py), an admin's headers, and a training seeded over
    the API."""
    app = create_app(Settings(db_path=db_path, sync_rate_per_minute=0, join_attempts_per_minute=0))
    with TestClient(app=app) as client:
        admin = client.blocking_portal.call(make_token, app, "ada", "admin")
        steps = seed_steps(training_body(training_id))
        training = send_steps(
            client, [(m, path, {**kw, "headers": admin}) for m, path, kw in steps]
        )
        yield client, admin, training
