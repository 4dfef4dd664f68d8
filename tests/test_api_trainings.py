"""Trainings and institutions: creation, validation errors, visibility, the offline bundle."""

from __future__ import annotations

import json
import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import create_training

Client = AsyncTestClient[Litestar]


def walk(value: Any) -> list[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(value, dict):
        return [k for k in value] + [k for v in value.values() for k in walk(v)]
    if isinstance(value, list):
        return [k for v in value for k in walk(v)]
    return []


async def test_created_training_has_a_random_join_code_and_url(
    client: Client, admin: dict[str, str]
) -> None:
    made = await create_training(client, admin)
    other = await create_training(client, admin, id="second")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", made["join_code"])
    assert made["join_code"] != other["join_code"]
    assert made["join_url"].endswith(f"/t/{made['join_code']}")


async def test_invalid_training_lists_every_problem_and_saves_nothing(
    client: Client, admin: dict[str, str]
) -> None:
    await create_training(client, admin)
    body = {
        "id": "Bad Id",
        "title": "",
        "country": "Morocco",
        "starts_on": "2019-01-11",
        "ends_on": "2019-01-07",
        "institutions": ["navy"],
        "pre_test": {"form": "tot-evaluation", "version": "2019.1"},
        "post_test": {"form": "nope", "version": "1"},
        "trainers": ["ghost"],
    }
    response = await client.post("/api/v1/trainings", json=body, headers=admin)
    assert response.status_code == 400
    detail = response.json()["detail"]
    for fragment in ("id 'Bad Id'", "title", "country 'Morocco'", "ends_on", "'navy'",
                     "pre_test", "post_test", "'ghost'"):  # fmt: skip
        assert fragment in detail, fragment
    listing = (await client.get("/api/v1/trainings", headers=admin)).json()
    assert [t["id"] for t in listing] == ["rabat-tot"]


async def test_trainers_see_only_their_trainings(
    client: Client, admin: dict[str, str], trainer: dict[str, str]
) -> None:
    await create_training(client, admin)
    await create_training(client, admin, id="other-training", trainers=[])
    mine = (await client.get("/api/v1/trainings", headers=trainer)).json()
    assert [t["id"] for t in mine] == ["rabat-tot"]
    hidden = await client.get("/api/v1/trainings/other-training", headers=trainer)
    assert hidden.status_code == 404
    assert (await client.get("/api/v1/trainings/rabat-tot", headers=trainer)).status_code == 200


async def test_institution_registry(client: Client, admin: dict[str, str]) -> None:
    name = {"en": "Social workers", "fr": "Travailleurs sociaux", "ar": "المساعدون الاجتماعيون"}
    created = await client.put("/api/v1/institutions/social-work",
                               json={"name": name, "country": "MA"}, headers=admin)  # fmt: skip
    updated = await client.put("/api/v1/institutions/social-work",
                               json={"name": name, "country": "TN"}, headers=admin)  # fmt: skip
    bad = await client.put("/api/v1/institutions/Bad Key", json={"name": name}, headers=admin)
    assert (created.status_code, updated.status_code, bad.status_code) == (201, 200, 400)
    listing = (await client.get("/api/v1/institutions", headers=admin)).json()
    assert [(i["key"], i["country"], i["name"]["ar"]) for i in listing] == [
        ("social-work", "TN", name["ar"])
    ]


async def test_bundle_has_forms_without_keys_and_an_etag(
    client: Client, training: dict[str, Any]
) -> None:
    url = f"/api/v1/bundles/{training['join_code']}"
    response = await client.get(url)
    assert response.status_code == 200
    bundle = response.json()
    assert set(bundle["forms"]) == {"pre", "post", "evaluation"}
    assert [i["key"] for i in bundle["institutions"]] == ["gendarmerie", "police"]
    assert bundle["languages"] == ["ar", "fr", "en"]
    keys = set(walk(bundle))
    assert not keys & {"correct", "answer", "tolerance", "points", "partial"}
    assert '"correct":' not in json.dumps(bundle)
    etag = response.headers["etag"]
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    lower = await client.get(f"/api/v1/bundles/{training['join_code'].lower()}")
    assert lower.status_code == 200


async def test_unknown_join_code_is_404_with_advice(client: Client) -> None:
    response = await client.get("/api/v1/bundles/ZZZZZZZZ")
    assert response.status_code == 404
    assert "join code" in response.json()["detail"]


async def test_admin_changes_are_audited(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    from server.db import audit

    entries = await audit.recent(client.app.state.db)
    actions = {e["action"] for e in entries}
    assert {"form.publish", "institution.create", "training.create"} <= actions
    assert all(e["actor"] for e in entries)
