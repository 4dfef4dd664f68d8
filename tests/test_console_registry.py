"""Admin registries (institutions, users, audit log), tokens, and unsent-records uploads."""

from __future__ import annotations

import json
import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.db import institutions as inst_db
from server.db import users
from tests.conftest import submission
from tests.test_console_auth import csrf_of, session_headers, sign_in


async def test_admin_adds_and_edits_an_institution(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "ada")
    form = {"csrf": csrf, "key": "social", "name_en": "Social workers",
            "name_ar": "المساعدون الاجتماعيون", "country": "ma"}  # fmt: skip
    added = await client.post(
        "/console/institutions", data=form, headers=headers, follow_redirects=False
    )
    assert added.status_code == 303
    rows = await inst_db.list_all(app.state.db)
    assert rows[0]["name"] == {"en": "Social workers", "ar": "المساعدون الاجتماعيون"}
    assert rows[0]["country"] == "MA"
    edit = await client.get("/console/institutions?edit=social", headers=headers)
    assert 'value="social" dir="ltr" readonly' in edit.text
    form |= {"name_fr": "Travailleurs sociaux", "editing": "1"}
    await client.post("/console/institutions", data=form, headers=headers)
    rows = await inst_db.list_all(app.state.db)
    assert rows[0]["name"]["fr"] == "Travailleurs sociaux" and len(rows) == 1
    bad = await client.post(
        "/console/institutions", data={"csrf": csrf, "key": "Bad Key", "country": "Morocco"},
        headers=headers,
    )  # fmt: skip
    assert bad.status_code == 422
    for problem in ("Key &#39;Bad Key&#39;", "in at least one language", "two-letter ISO code"):
        assert problem in bad.text
    assert len(await inst_db.list_all(app.state.db)) == 1


async def test_admin_adds_a_trainer_who_can_then_sign_in(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "ada")
    short = await client.post(
        "/console/users", data={"csrf": csrf, "username": "karim", "role": "trainer",
                                "password": "short"}, headers=headers,
    )  # fmt: skip
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert await users.get(app.state.db, "karim") is None
    made = await client.post(
        "/console/users", data={"csrf": csrf, "username": "Karim", "role": "trainer",
                                "password": "a long enough secret"},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303
    listing = await client.get(made.headers["location"], headers=headers)
    assert "User karim created." in listing.text
    user = await users.get(app.state.db, "karim")
    assert user is not None and user["role"] == "trainer"
    assert user["password_hash"].startswith("$argon2id$")
    await sign_in(client, "karim", "a long enough secret")
    assert (await client.get("/console/users")).status_code == 403


async def test_tokens_are_shown_once_work_as_bearer_and_can_be_revoked(
    app: Litestar, client: AsyncTestClient[Litestar], trainer: dict[str, str]
) -> None:
    headers, csrf = await session_headers(app, "tariq")
    made = await client.post(
        "/console/tokens", data={"csrf": csrf, "name": "laptop script"}, headers=headers
    )
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token">([^<]+)<', made.text)
    assert secret and secret.group(1).startswith("tdb_")
    bearer = {"Authorization": f"Bearer {secret.group(1)}"}
    assert (await client.get("/api/v1/trainings", headers=bearer)).status_code == 200
    listing = await client.get("/console/tokens", headers=headers)
    assert "laptop script" in listing.text and secret.group(1) not in listing.text
    mine = [row for row in await users.list_tokens(app.state.db, "tariq")
            if row["name"] == "laptop script"]  # fmt: skip
    revoked = await client.post(
        f"/console/tokens/{mine[0]['id']}/revoke", data={"csrf": csrf}, headers=headers,
        follow_redirects=False,
    )  # fmt: skip
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/trainings", headers=bearer)).status_code == 401


async def test_audit_page_lists_admin_changes(
    app: Litestar, client: AsyncTestClient[Litestar], training: dict[str, Any]
) -> None:
    headers, _ = await session_headers(app, "ada")
    page = await client.get("/console/audit", headers=headers)
    assert page.status_code == 200
    for action in ("training.create", "form.publish", "institution.create"):
        assert f"<code>{action}</code>" in page.text
    assert "الدرك الملكي" in page.text  # details keep their script, not \\u escapes


async def test_unsent_records_file_goes_through_the_sync_ingest(
    app: Litestar, client: AsyncTestClient[Litestar], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    good = submission(code)
    wrong = submission(code, participant={"code": "X1", "institution": "navy", "sex": "male"})
    exported = {
        "format": "tadrib-unsent", "version": 1, "device": "5a0c7d1e-0000-4000-8000-000000000001",
        "exported_at": "2019-01-08T10:00:00Z", "submissions": [good, wrong],
    }  # fmt: skip
    await sign_in_trainer(app, client)
    page = await client.get("/console/uploads")
    csrf = csrf_of(page.text)
    body = json.dumps(exported).encode()
    first = await client.post(
        "/console/uploads", data={"csrf": csrf}, files={"file": ("unsent.json", body)}
    )
    assert first.status_code == 200
    assert "1 accepted, 0 already received, 0 in conflict, 1 rejected." in first.text
    assert "navy" in first.text  # the rejection says why
    again = await client.post(
        "/console/uploads", data={"csrf": csrf}, files={"file": ("unsent.json", body)}
    )
    assert "0 accepted, 1 already received, 0 in conflict, 1 rejected." in again.text
    stored = await client.get("/api/v1/trainings/rabat-tot/submissions")
    assert [s["source"] for s in stored.json()] == ["upload"]
    junk = await client.post(
        "/console/uploads", data={"csrf": csrf}, files={"file": ("notes.json", b'{"a": 1}')}
    )
    assert junk.status_code == 400
    assert "not a file of unsent records" in junk.text
    for hostile in (b'{"format": "\xff"}', b"[" * 100_000):  # bad UTF-8, too deep
        refused = await client.post(
            "/console/uploads", data={"csrf": csrf}, files={"file": ("unsent.json", hostile)}
        )
        assert refused.status_code == 400
        assert "not a file of unsent records" in refused.text


async def sign_in_trainer(app: Litestar, client: AsyncTestClient[Litestar]) -> None:
    from tests.test_console_auth import make_user

    await make_user(app, "tariq", "trainer")
    await sign_in(client, "tariq")
