"""Phase windows and the follow-up test: set through the API and the console, carried by the
bundle (whose ETag follows them), opened and closed now from the room."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.db import trainings as trainings_db
from sync import windows
from sync.wire import PhaseWindow
from tests.conftest import batch, create_training, make_token, submission, sync_results
from tests.test_console_auth import session_headers

Client = AsyncTestClient[Litestar]
KNOWLEDGE = {"form": "tip-som-knowledge", "version": "2019.1"}


async def test_a_training_given_no_windows_fits_a_five_day_training(
    client: Client, admin: dict[str, str]
) -> None:
    made = await create_training(client, admin)
    assert made["windows"] == {
        "pre": {},
        "post": {"opens_at": "2019-01-11"},
        "evaluation": {"opens_at": "2019-01-11"},
    }
    assert made["followup_test"] is None


async def test_a_followup_window_alone_reuses_the_post_test(
    client: Client, admin: dict[str, str]
) -> None:
    made = await create_training(
        client, admin, windows={"followup": {"opens_at": "2019-02-10T08:00:00+01:00"}}
    )
    assert made["followup_test"] == KNOWLEDGE
    assert made["windows"] == {"followup": {"opens_at": "2019-02-10T07:00:00Z"}}


async def test_a_followup_test_alone_gets_thirty_to_ninety_days_after_the_end(
    client: Client, admin: dict[str, str]
) -> None:
    made = await create_training(client, admin, followup_test=KNOWLEDGE)
    assert made["windows"]["followup"] == {"opens_at": "2019-02-10", "closes_at": "2019-04-11"}


async def test_bad_windows_are_refused_saying_how_to_fix_them(
    client: Client, admin: dict[str, str]
) -> None:
    await create_training(client, admin)
    body = (await client.get("/api/v1/trainings/rabat-tot", headers=admin)).json()
    body = {k: v for k, v in body.items() if k not in {"join_code", "join_url", "simulated",
                                                       "created_at", "updated_at"}}  # fmt: skip
    body["windows"] = {
        "post": {"opens_at": "2019-01-11T08:00"},
        "lunch": {},
        "evaluation": {"opens_at": "2019-01-12", "closes_at": "2019-01-11"},
    }
    response = await client.put("/api/v1/trainings/rabat-tot", json=body, headers=admin)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "windows.post: '2019-01-11T08:00' has no offset" in detail
    assert "windows: 'lunch' is not a phase; use pre, post, evaluation, followup." in detail
    assert "windows.evaluation: it closes (2019-01-11) before it opens (2019-01-12)." in detail


async def test_replacing_a_training_without_windows_keeps_them(
    client: Client, admin: dict[str, str]
) -> None:
    await create_training(client, admin, windows={"post": {"opens_at": "2019-01-10"}})
    body = (await client.get("/api/v1/trainings/rabat-tot", headers=admin)).json()
    body = {k: v for k, v in body.items() if k not in {"join_code", "join_url", "simulated",
                                                       "created_at", "updated_at", "windows"}}  # fmt: skip
    body["location"] = "Salé"
    response = await client.put("/api/v1/trainings/rabat-tot", json=body, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["windows"] == {"post": {"opens_at": "2019-01-10"}}


async def test_the_bundle_carries_windows_followup_and_a_stamp_while_joining_is_open(
    app: Litestar, client: Client, admin: dict[str, str]
) -> None:
    made = await create_training(client, admin, followup_test=KNOWLEDGE)
    url = f"/api/v1/bundles/{made['join_code']}"
    first = await client.get(url)
    bundle = first.json()
    assert set(bundle["forms"]) == {"pre", "post", "evaluation", "followup"}
    assert bundle["training"]["windows"]["post"] == {"opens_at": "2019-01-11"}
    assert bundle["training"]["windows"]["followup"]["closes_at"] == "2019-04-11"
    stamp = bundle["training"]["joining_stamp"]
    assert stamp.startswith("j1.") and len(stamp) > 40

    await trainings_db.set_joining(app.state.db, "rabat-tot", False, "test")
    closed = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert closed.status_code == 200 and closed.json()["training"]["joining_stamp"] is None

    await trainings_db.set_joining(app.state.db, "rabat-tot", True, "test")
    again = await client.get(url)
    assert again.headers["etag"] == first.headers["etag"]
    assert again.json()["training"]["joining_stamp"] == stamp  # the same stamp, the same ETag


async def test_trainer_closes_and_opens_a_phase_now_and_the_bundle_changes(
    app: Litestar, client: Client, training: dict[str, Any]
) -> None:
    url = f"/api/v1/bundles/{training['join_code']}"
    before = await client.get(url)
    headers, csrf = await session_headers(app, "tariq")
    page = await client.get("/console/trainings/rabat-tot", headers=headers)
    assert "Open now" not in page.text  # every phase opened long ago

    closed = await client.post(
        "/console/trainings/rabat-tot/phases/post", data={"csrf": csrf, "open": "0"},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert closed.status_code == 303
    found = await trainings_db.get(app.state.db, "rabat-tot")
    assert found is not None and found.windows is not None
    post = found.windows["post"]
    assert post.opens_at == "2019-01-11" and post.closes_at is not None
    assert windows.window_state(post, later_than(datetime.now(UTC))) == "closed"
    after = await client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["training"]["windows"]["post"] == {
        "opens_at": "2019-01-11",
        "closes_at": post.closes_at,
    }
    page = await client.get("/console/trainings/rabat-tot", headers=headers)
    assert "Open now" in page.text and "closed" in page.text

    await client.post(
        "/console/trainings/rabat-tot/phases/post", data={"csrf": csrf, "open": "1"},
        headers=headers,
    )  # fmt: skip
    found = await trainings_db.get(app.state.db, "rabat-tot")
    assert found is not None and found.windows is not None
    assert found.windows["post"].closes_at is None
    assert windows.window_state(found.windows["post"], datetime.now(UTC)) == "open"


async def test_a_phase_that_is_not_one_is_not_found(
    app: Litestar, client: Client, training: dict[str, Any]
) -> None:
    headers, csrf = await session_headers(app, "tariq")
    response = await client.post(
        "/console/trainings/rabat-tot/phases/lunch", data={"csrf": csrf, "open": "1"},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 404


def test_a_completion_outside_its_window_is_flagged_by_day_or_instant() -> None:
    def flags(window: PhaseWindow | None, completed_at: str) -> list[str]:
        return windows.timing_flags(completed_at, "2019-01-07", "2019-01-11", window)

    days = PhaseWindow(opens_at="2019-01-11", closes_at="2019-01-11")
    assert flags(days, "2019-01-10T23:59:00Z") == ["before-open"]
    assert flags(days, "2019-01-11T00:00:00Z") == []
    assert flags(days, "2019-01-11T23:59:00Z") == []
    assert flags(days, "2019-01-12T00:00:00Z") == ["after-close"]
    instants = PhaseWindow(opens_at="2019-01-11T08:00:00Z", closes_at="2019-01-11T12:00:00Z")
    assert flags(instants, "2019-01-11T09:00:00+02:00") == ["before-open"]
    assert flags(instants, "2019-01-11T13:00:00+02:00") == []
    assert flags(instants, "2019-01-11T12:00:01Z") == ["after-close"]
    assert flags(None, "2019-01-11T12:00:01Z") == []


def test_a_completion_outside_the_training_dates_is_flagged_with_a_days_grace() -> None:
    def flags(completed_at: str, starts_on: str = "2019-01-07") -> list[str]:
        window = PhaseWindow(closes_at="2019-01-13")
        return windows.timing_flags(completed_at, starts_on, "2019-01-11", window)

    assert flags("2019-01-05T23:00:00+01:00") == ["early"]
    assert flags("2019-01-06T00:30:00+01:00") == []  # the phone's own day, not UTC's
    assert flags("2019-01-12T23:59:00Z") == []
    assert flags("2019-01-13T10:00:00Z") == ["late"]
    assert flags("2019-01-14T10:00:00Z") == ["late", "after-close"]
    assert flags("yesterday") == ["bad-time"]
    assert flags("2019-01-08T10:00:00Z", starts_on="soon") == ["bad-time"]


def test_open_now_and_close_now() -> None:
    now = datetime(2019, 1, 9, 10, 0, tzinfo=UTC)
    later = PhaseWindow(opens_at="2019-01-11")
    assert windows.opened_now(later, now) == PhaseWindow(opens_at="2019-01-09T10:00:00Z")
    closed = PhaseWindow(opens_at="2019-01-07", closes_at="2019-01-08")
    assert windows.opened_now(closed, now) == PhaseWindow(opens_at="2019-01-09T10:00:00Z")
    assert windows.closed_now(later, now) == PhaseWindow(
        opens_at="2019-01-09T10:00:00Z", closes_at="2019-01-09T10:00:00Z"
    )
    assert windows.window_state(windows.closed_now(PhaseWindow(), now), now) == "open"
    assert windows.window_state(windows.closed_now(PhaseWindow(), now), later_than(now)) == (
        "closed"
    )


def later_than(moment: datetime) -> datetime:
    return moment + timedelta(seconds=1)


async def test_a_followup_is_stored_as_its_own_phase(client: Client, admin: dict[str, str]) -> None:
    made = await create_training(client, admin, followup_test=KNOWLEDGE)
    code = made["join_code"]
    results = await sync_results(
        client, batch(submission(code, "followup", completed_at="2019-03-01T10:00:00Z"))
    )
    assert [r["status"] for r in results] == ["accepted"]
    listed = (await client.get("/api/v1/trainings/rabat-tot/submissions", headers=admin)).json()
    assert [s["phase"] for s in listed] == ["followup"]


async def test_a_followup_is_refused_by_a_training_without_one(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    results = await sync_results(client, batch(submission(training["join_code"], "followup")))
    assert results[0]["status"] == "rejected"
    assert results[0]["detail"] == "Training 'rabat-tot' has no follow-up test."


async def test_the_api_opens_and_closes_a_phase_and_joining_now_as_the_console_does(
    app: Litestar, client: Client, training: dict[str, Any], trainer: dict[str, str]
) -> None:
    url = f"/api/v1/bundles/{training['join_code']}"
    before = await client.get(url)
    base = "/api/v1/trainings/rabat-tot"
    closed = await client.post(f"{base}/phases/post/close", headers=trainer)
    assert closed.status_code == 200, closed.text
    post = closed.json()["windows"]["post"]
    assert post["opens_at"] == "2019-01-11"
    assert windows.window_state(PhaseWindow(**post), later_than(datetime.now(UTC))) == "closed"
    changed = await client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert changed.status_code == 200 and changed.json()["training"]["windows"]["post"] == post

    opened = await client.post(f"{base}/phases/post/open", headers=trainer)
    assert opened.status_code == 200
    assert windows.window_state(PhaseWindow(**opened.json()["windows"]["post"]), datetime.now(UTC)) == "open"  # fmt: skip

    shut = await client.post(f"{base}/joining/close", headers=trainer)
    assert shut.status_code == 200 and shut.json()["joining_open"] is False
    assert (await client.get(url)).json()["training"]["joining_open"] is False
    again = await client.post(f"{base}/joining/open", headers=trainer)
    assert again.json()["joining_open"] is True

    actions = await app.state.db.fetch_all(
        "SELECT actor, action FROM audit_log WHERE target = 'rabat-tot' AND actor = 'tariq'"
    )
    assert [tuple(r) for r in actions] == [
        ("tariq", "training.window"), ("tariq", "training.window"),
        ("tariq", "training.close"), ("tariq", "training.open"),
    ]  # fmt: skip


async def test_the_api_refuses_an_unknown_phase_someone_elses_training_and_anonymous(
    app: Litestar, client: Client, training: dict[str, Any]
) -> None:
    base = "/api/v1/trainings/rabat-tot"
    stranger = await make_token(app, "sami", "trainer")
    admin = await make_token(app, "ada", "admin")
    lunch = await client.post(f"{base}/phases/lunch/open", headers=admin)
    assert lunch.status_code == 404 and "pre, post, evaluation, followup" in lunch.text
    assert (await client.post(f"{base}/phases/post/open", headers=stranger)).status_code == 404
    assert (await client.post(f"{base}/joining/close", headers=stranger)).status_code == 404
    assert (await client.post(f"{base}/joining/close")).status_code == 401
    found = await trainings_db.get(app.state.db, "rabat-tot")
    assert found is not None and found.joining_open
