"""Publishing question sets over the API: created, unchanged, conflict, errors with places."""

from __future__ import annotations

from typing import Any

import yaml
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import KNOWLEDGE, publish_file

Client = AsyncTestClient[Litestar]


async def test_publishing_twice_is_a_no_op_and_other_content_is_409(
    client: Client, admin: dict[str, str]
) -> None:
    first = await publish_file(client, admin, KNOWLEDGE)
    again = await publish_file(client, admin, KNOWLEDGE)
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json() == again.json()
    assert set(first.json()) == {"id", "version", "hash"}

    doc = yaml.safe_load(KNOWLEDGE.read_text())
    doc["title"]["en"] = "Changed title"
    clash = await client.post("/api/v1/forms", json=doc, headers=admin)
    assert clash.status_code == 409
    assert "new version" in clash.json()["errors"][0]["message"]
    stored = await client.get("/api/v1/forms/tip-som-knowledge/2019.1", headers=admin)
    assert stored.json()["title"]["en"] != "Changed title"


async def test_broken_yaml_gets_422_with_line_and_path_and_nothing_is_published(
    client: Client, admin: dict[str, str]
) -> None:
    broken = KNOWLEDGE.read_text().replace("type: single", "type: singel", 1)
    response = await client.post(
        "/api/v1/forms", files={"file": ("tip.yaml", broken.encode())}, headers=admin
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any("line" in e["where"] and "questions[" in e["where"] for e in errors), errors
    listing = await client.get("/api/v1/forms", headers=admin)
    assert listing.json() == []


async def test_json_body_that_is_not_json_is_explained(
    client: Client, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/forms", content=b"id: x", headers={**admin, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["errors"][0]["message"]


async def test_staff_read_full_set_with_keys_and_list_versions(
    client: Client, admin: dict[str, str], trainer: dict[str, str]
) -> None:
    await publish_file(client, admin, KNOWLEDGE)
    listing = (await client.get("/api/v1/forms", headers=trainer)).json()
    assert [(f["id"], f["version"], f["kind"]) for f in listing] == [
        ("tip-som-knowledge", "2019.1", "test")
    ]
    assert listing[0]["published_at"]
    full: dict[str, Any] = (
        await client.get("/api/v1/forms/tip-som-knowledge/2019.1", headers=trainer)
    ).json()
    assert any(c.get("correct") for q in full["questions"] for c in q.get("choices", []))
    missing = await client.get("/api/v1/forms/tip-som-knowledge/9.9", headers=trainer)
    assert missing.status_code == 404


async def test_trainer_may_not_publish(client: Client, trainer: dict[str, str]) -> None:
    response = await publish_file(client, trainer, KNOWLEDGE)
    assert response.status_code == 403
