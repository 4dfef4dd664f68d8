"""Every answer to a staff member, by bearer token or session cookie, says no cache may keep it."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.test_console_auth import make_user, session_headers

Client = AsyncTestClient[Litestar]


def staff_paths(training: dict[str, Any]) -> list[str]:
    t = f"/api/v1/trainings/{training['id']}"
    c = f"/console/trainings/{training['id']}"
    return [
        "/api/v1/trainings", t, f"{t}/submissions", f"{t}/monitor",
        "/api/v1/forms", "/api/v1/forms/tip-som-knowledge/2019.1", "/api/v1/institutions",
        f"{t}/report", f"{t}/report.csv?table=participants", f"{t}/report.xlsx",
        "/api/v1/programme/report", "/api/v1/programme/report.csv?table=trainings",
        "/console/", c, f"{c}/join", f"{c}/monitor", "/console/forms",
        "/console/forms/tip-som-knowledge/2019.1", "/console/institutions", "/console/tokens",
        "/api/v1/trainings/no-such-training",
    ]  # fmt: skip


async def test_staff_answers_are_never_stored_by_caches(
    client: Client, app: Litestar, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await make_user(app, "root", "admin")
    cookie, _ = await session_headers(app, "root")
    for headers in (admin, cookie):
        for path in staff_paths(training):
            response = await client.get(path, headers=headers)
            assert response.status_code in {200, 404}, (path, response.status_code)
            assert response.headers.get("cache-control") == "no-store", (path, headers)


async def test_the_phones_bundle_stays_cacheable(client: Client, training: dict[str, Any]) -> None:
    response = await client.get(f"/api/v1/bundles/{training['join_code']}")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
