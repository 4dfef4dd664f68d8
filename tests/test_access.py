"""Who may do what, for every route of the app (docs/api.md, "Who may call what").

The routes come from `app.routes`, so a new route fails this test until it is given a rule
below. A participant has no credentials: over HTTP they are the anonymous caller who knows the
join code, and every path with a join code is filled with the real one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from tests.conftest import create_training, make_token

Client = AsyncTestClient[Litestar]

PUBLIC = "public"  # anyone, participants included
STAFF = "staff"  # admins and every trainer
ADMIN = "admin"  # admins only
TRAINING = "training"  # admins and the trainers of that training (others get 404)
TRAINING_ADMIN = "training-admin"  # admins only, on one training

#: Files served as they are to everyone, so there is nothing to authorise.
SKIPPED = {
    "/app/{file_path:path}": "the participant app's static files, public by design",
    "/console/static/{file_path:path}": "the console's CSS and scripts, public by design",
}

RULES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/health"): PUBLIC,
    ("GET", "/api/v1/bundles/{join_code:str}"): PUBLIC,
    ("POST", "/api/v1/sync"): PUBLIC,
    ("GET", "/t/{join_code:str}"): PUBLIC,
    ("GET", "/app"): PUBLIC,
    ("GET", "/sw.js"): PUBLIC,
    ("GET", "/manifest.webmanifest"): PUBLIC,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("GET", "/console/lang/{code:str}"): PUBLIC,
    ("GET", "/api/v1/forms"): STAFF,
    ("GET", "/api/v1/forms/{form_id:str}/{version:str}"): STAFF,
    ("GET", "/api/v1/institutions"): STAFF,
    ("GET", "/api/v1/trainings"): STAFF,
    ("POST", "/api/v1/uploads"): STAFF,
    ("GET", "/api/v1/programme/report"): STAFF,
    ("GET", "/api/v1/programme/report.csv"): STAFF,
    ("GET", "/api/v1/programme/report.xlsx"): STAFF,
    ("GET", "/console/programme"): STAFF,
    ("POST", "/api/v1/forms"): ADMIN,
    ("PUT", "/api/v1/institutions/{key:str}"): ADMIN,
    ("POST", "/api/v1/trainings"): ADMIN,
    ("PUT", "/api/v1/trainings/{training_id:str}"): TRAINING_ADMIN,
    ("GET", "/api/v1/trainings/{training_id:str}"): TRAINING,
    ("GET", "/api/v1/trainings/{training_id:str}/submissions"): TRAINING,
    ("GET", "/api/v1/trainings/{training_id:str}/monitor"): TRAINING,
    ("POST", "/api/v1/trainings/{training_id:str}/phases/{phase:str}/open"): TRAINING,
    ("POST", "/api/v1/trainings/{training_id:str}/phases/{phase:str}/close"): TRAINING,
    ("POST", "/api/v1/trainings/{training_id:str}/joining/open"): TRAINING,
    ("POST", "/api/v1/trainings/{training_id:str}/joining/close"): TRAINING,
    ("GET", "/api/v1/trainings/{training_id:str}/report"): TRAINING,
    ("GET", "/api/v1/trainings/{training_id:str}/report.csv"): TRAINING,
    ("GET", "/api/v1/trainings/{training_id:str}/report.xlsx"): TRAINING,
    # The console (cookie sessions; bearer tokens are accepted too, which is what is used here).
    ("GET", "/console"): STAFF,
    ("POST", "/console/logout"): STAFF,
    ("GET", "/console/forms"): STAFF,
    ("GET", "/console/forms/{form_id:str}/{version:str}"): STAFF,
    ("GET", "/console/tokens"): STAFF,
    ("POST", "/console/tokens"): STAFF,
    ("POST", "/console/tokens/{token_id:int}/revoke"): STAFF,
    ("GET", "/console/uploads"): STAFF,
    ("POST", "/console/uploads"): STAFF,
    ("GET", "/console/trainings/new"): ADMIN,
    ("POST", "/console/trainings/new"): ADMIN,
    ("GET", "/console/forms/upload"): ADMIN,
    ("POST", "/console/forms/upload"): ADMIN,
    ("POST", "/console/forms/publish"): ADMIN,
    ("GET", "/console/forms/template.xlsx"): ADMIN,
    ("POST", "/console/forms/{form_id:str}/{version:str}/retire"): ADMIN,
    ("GET", "/console/institutions"): ADMIN,
    ("POST", "/console/institutions"): ADMIN,
    ("GET", "/console/users"): ADMIN,
    ("POST", "/console/users"): ADMIN,
    ("GET", "/console/audit"): ADMIN,
    ("POST", "/console/users/{username:str}/{action:str}"): ADMIN,
    ("GET", "/console/trainings/{training_id:str}/edit"): TRAINING_ADMIN,
    ("POST", "/console/trainings/{training_id:str}/edit"): TRAINING_ADMIN,
    ("GET", "/console/trainings/{training_id:str}"): TRAINING,
    ("GET", "/console/trainings/{training_id:str}/join"): TRAINING,
    ("GET", "/console/trainings/{training_id:str}/monitor"): TRAINING,
    ("GET", "/console/trainings/{training_id:str}/report"): TRAINING,
    ("POST", "/console/trainings/{training_id:str}/joining"): TRAINING,
    ("POST", "/console/trainings/{training_id:str}/phases/{phase:str}"): TRAINING,
}
#: Routes whose success is itself a redirect to the sign-in page.
ENDS_AT_LOGIN = {"/console/logout"}
#: The OpenAPI document and its viewers describe the public API; they hold no data.
SCHEMA_PREFIX = "/schema"

ROLES = ("anonymous", "trainer-other", "trainer", "admin")
PARAMS = {
    "training_id": "rabat-tot",
    "phase": "post",
    "form_id": "tip-som-knowledge",
    "version": "2019.1",
    "key": "gendarmerie",
    "code": "fr",
    "token_id": "999999",
    "path": "no-such-page",
    "username": "no-such-user",
    "action": "enable",
}
#: Made-up ids above: an allowed caller rightly gets 404 for them.
MADE_UP = ("999999", "no-such-page", "no-such-user")
QUERIES = {"/report.csv": "?table=participants"}


def all_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(db_path=Path("unused.db")))
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            found.append((method, route.path))
    return found


def rule_for(method: str, path: str) -> str:
    if path.startswith(SCHEMA_PREFIX):
        return PUBLIC
    try:
        return RULES[(method, path)]
    except KeyError:
        raise AssertionError(
            f"{method} {path} has no access rule: add it to RULES in tests/test_access.py"
        ) from None


def expected(rule: str, role: str) -> str:
    """'allowed', 'unauthenticated', 'forbidden' or 'hidden' (404, as if it did not exist)."""
    if rule == PUBLIC or role == "admin":
        return "allowed"
    if role == "anonymous":
        return "unauthenticated"
    if rule == STAFF:
        return "allowed"
    if rule in (ADMIN, TRAINING_ADMIN):
        return "forbidden"
    return "allowed" if role == "trainer" else "hidden"


def concrete(path: str, join_code: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return join_code if name == "join_code" else PARAMS[name]

    url = re.sub(r"\{(\w+):\w+\}", fill, path)
    return url + next((q for suffix, q in QUERIES.items() if url.endswith(suffix)), "")


def verdict(status: int, headers: Any) -> str:
    if status >= 500:
        return f"server error {status}"
    if status == 401:
        return "unauthenticated"
    if status in (302, 303, 307) and "/console/login" in headers.get("location", ""):
        return "unauthenticated"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "hidden"
    return "allowed"


@pytest.fixture
async def people(app: Litestar, client: Client, admin: dict[str, str]) -> dict[str, Any]:
    other = await make_token(app, "omar", "trainer")
    trainer = await make_token(app, "tariq", "trainer")
    training = await create_training(client, admin)
    await create_training(client, admin, id="other-tot", trainers=["omar"])
    return {
        "headers": {"anonymous": {}, "trainer-other": other, "trainer": trainer, "admin": admin},
        "join_code": training["join_code"],
    }


def test_every_route_has_an_access_rule() -> None:
    missing = [
        f"{m} {p}"
        for m, p in all_routes()
        if p not in SKIPPED and not p.startswith(SCHEMA_PREFIX) and (m, p) not in RULES
    ]
    assert missing == [], "add these to RULES in tests/test_access.py"


async def test_every_route_answers_each_role_as_the_design_says(
    client: Client, people: dict[str, Any]
) -> None:
    wrong = []
    for method, path in all_routes():
        if path in SKIPPED:
            continue
        rule = rule_for(method, path)
        url = concrete(path, people["join_code"])
        for role in ROLES:
            headers = people["headers"][role]
            if method == "GET":
                response = await client.get(url, headers=headers, follow_redirects=False)
                # HEAD is answered wherever GET is: through the same guards, to the same people.
                head = await client.head(url, headers=headers, follow_redirects=False)
                if head.status_code != response.status_code:
                    wrong.append(f"HEAD {url} as {role}: {head.status_code}, GET gave "
                                 f"{response.status_code}")  # fmt: skip
            elif path.startswith("/console"):
                response = await client.request(
                    method, url, data={}, headers=headers, follow_redirects=False
                )
            else:
                response = await client.request(
                    method, url, json={}, headers=headers, follow_redirects=False
                )
            got = verdict(response.status_code, response.headers)
            want = expected(rule, role)
            if path in ENDS_AT_LOGIN and response.status_code == 303 and role != "anonymous":
                got = "allowed"
            # A console form post without its CSRF field is refused even for the right person;
            # that refusal is tested by the console. Here only the wrong person matters.
            csrf = method == "POST" and path.startswith("/console") and want == "allowed"
            if csrf and got == "forbidden":
                continue
            # An allowed caller may still get 404 for a made-up id.
            if want == "allowed" and got == "hidden" and any(x in url for x in MADE_UP):
                continue
            if got != want:
                wrong.append(f"{method} {url} as {role}: {response.status_code}, want {want}")
    assert wrong == [], "\n".join(wrong)


async def test_public_pages_and_endpoints_answer_anonymous_callers(
    client: Client, people: dict[str, Any]
) -> None:
    code = people["join_code"]
    for url in ("/api/v1/health", f"/api/v1/bundles/{code}", f"/t/{code}", "/app",
                "/sw.js", "/manifest.webmanifest", "/schema/openapi.json"):  # fmt: skip
        response = await client.get(url, follow_redirects=False)
        assert response.status_code == 200, url


async def test_lists_show_trainers_only_their_own_trainings(
    client: Client, people: dict[str, Any]
) -> None:
    seen = {}
    for role in ("trainer-other", "trainer", "admin"):
        r = await client.get("/api/v1/trainings", headers=people["headers"][role])
        seen[role] = sorted(t["id"] for t in r.json())
    assert seen == {
        "trainer-other": ["other-tot"],
        "trainer": ["rabat-tot"],
        "admin": ["other-tot", "rabat-tot"],
    }
