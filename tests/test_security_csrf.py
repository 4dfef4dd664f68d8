"""Cross-site requests riding on a staff member's session cookie are refused, whatever the body."""

from __future__ import annotations

import json
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import KNOWLEDGE, batch, submission
from tests.test_console_auth import make_user, session_headers

Client = AsyncTestClient[Litestar]
EVIL = {"Origin": "http://evil.example"}
OWN = {"Origin": "http://testserver.local"}


async def published(client: Client, admin: dict[str, str]) -> list[Any]:
    found: list[Any] = (await client.get("/api/v1/forms", headers=admin)).json()
    return found


async def test_multipart_publish_from_another_site_with_a_session_is_refused(
    client: Client, app: Litestar, admin: dict[str, str]
) -> None:
    await make_user(app, "root", "admin")
    cookie, csrf = await session_headers(app, "root")
    files = {"file": (KNOWLEDGE.name, KNOWLEDGE.read_bytes())}
    for headers in ({**cookie, **EVIL}, cookie, {**cookie, **OWN}):
        response = await client.post("/api/v1/forms", files=files, headers=headers)
        assert response.status_code == 403, (headers, response.text)
    # The right token in the form does not excuse another site's origin either.
    response = await client.post(
        "/api/v1/forms", files=files, data={"csrf": csrf}, headers={**cookie, **EVIL}
    )
    assert response.status_code == 403
    assert await published(client, admin) == []
    # Our own page, with its token as a form field, may publish.
    response = await client.post(
        "/api/v1/forms", files=files, data={"csrf": csrf}, headers={**cookie, **OWN}
    )
    assert response.status_code == 201, response.text
    assert len(await published(client, admin)) == 1


async def test_urlencoded_and_json_writes_from_another_site_are_refused(
    client: Client, app: Litestar, admin: dict[str, str]
) -> None:
    await make_user(app, "root", "admin")
    cookie, csrf = await session_headers(app, "root")
    form = {"name": "Navy", "country": "MA"}
    refused = await client.put("/api/v1/institutions/navy", data=form, headers={**cookie, **EVIL})
    assert refused.status_code == 403
    body = {"name": {"en": "Navy"}, "country": "MA"}
    header = {"X-CSRF-Token": csrf}
    for origin in (EVIL, {"Origin": "null"}, {"Referer": "http://evil.example/page"}):
        response = await client.put(
            "/api/v1/institutions/navy", json=body, headers={**cookie, **header, **origin}
        )
        assert response.status_code == 403, origin
    assert (await client.get("/api/v1/institutions", headers=admin)).json() == []
    allowed = await client.put(
        "/api/v1/institutions/navy", json=body, headers={**cookie, **header, **OWN}
    )
    assert allowed.status_code == 201, allowed.text


async def test_records_upload_from_another_site_stores_nothing(
    client: Client, app: Litestar, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await make_user(app, "root", "admin")
    cookie, _ = await session_headers(app, "root")
    unsent = {"format": "tadrib-unsent", **batch(submission(training["join_code"]))}
    content = json.dumps(unsent).encode()
    multipart = await client.post(
        "/api/v1/uploads", files={"file": ("unsent.json", content)}, headers={**cookie, **EVIL}
    )
    assert multipart.status_code == 403
    urlencoded = await client.post(
        "/api/v1/uploads",
        content=content,
        headers={**cookie, **EVIL, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert urlencoded.status_code == 403
    subs = await client.get(f"/api/v1/trainings/{training['id']}/submissions", headers=admin)
    assert subs.json() == [] or subs.json().get("submissions") == [], subs.text


async def test_bearer_tokens_need_no_csrf_token(client: Client, admin: dict[str, str]) -> None:
    files = {"file": (KNOWLEDGE.name, KNOWLEDGE.read_bytes())}
    response = await client.post("/api/v1/forms", files=files, headers={**admin, **EVIL})
    assert response.status_code == 201, response.text


async def test_console_form_post_from_another_site_is_refused(
    client: Client, app: Litestar
) -> None:
    await make_user(app, "root", "admin")
    cookie, csrf = await session_headers(app, "root")
    form = {"csrf": csrf, "key": "navy", "country": "MA", "name_en": "Navy"}
    refused = await client.post(
        "/console/institutions", data=form, headers={**cookie, **EVIL}, follow_redirects=False
    )
    assert refused.status_code == 403
