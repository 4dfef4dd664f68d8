"""`POST /api/v1/sync`: per-item verdicts, idempotence, envelopes and durability."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import (
    KNOWLEDGE,
    batch,
    create_training,
    knowledge_answers,
    publish_for,
    submission,
    sync_results,
)

Client = AsyncTestClient[Litestar]


async def stored(client: Client, admin: dict[str, str], training_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/trainings/{training_id}/submissions", headers=admin)
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


async def test_mixed_batch_stores_good_items_and_rejects_bad_ones(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    good = submission(code)
    unknown_question = submission(code, answers={**knowledge_answers(), "q99": "a"})
    bad_choice = submission(code, answers={**knowledge_answers(), "q1": "zz"})
    wrong_type = submission(code, answers={**knowledge_answers(), "q1": True})
    missing = submission(code, answers={k: v for k, v in knowledge_answers().items() if k != "q3"})
    malformed = {"id": "abc", "training": code}
    unknown_training = submission("NOPE1234")
    bad_institution = submission(
        code, participant={"code": "ZZ11A", "institution": "navy", "sex": "male"}
    )
    results = await sync_results(
        client,
        batch(good, unknown_question, bad_choice, wrong_type, missing, malformed, unknown_training,
              bad_institution),
    )  # fmt: skip
    statuses = [r["status"] for r in results]
    assert statuses == ["accepted"] + ["rejected"] * 7
    assert [r["id"] for r in results[:5]] == [
        s["id"] for s in (good, unknown_question, bad_choice, wrong_type, missing)
    ]
    assert "q99" in results[1]["detail"]
    assert "q1" in results[2]["detail"] and "zz" in results[2]["detail"]
    assert "q1" in results[3]["detail"]
    assert "q3" in results[4]["detail"]
    assert results[5]["id"] == "abc" and "malformed" in results[5]["detail"]
    assert "NOPE1234" in results[6]["detail"]
    assert "navy" in results[7]["detail"]
    rows = await stored(client, admin, training["id"])
    assert [r["id"] for r in rows] == [good["id"]]
    assert rows[0]["percent"] == 100.0


async def test_retry_after_lost_answer_is_stored_once(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    sub = submission(training["join_code"])
    first = await sync_results(client, batch(sub))
    again = await sync_results(client, batch(sub))
    assert first[0]["status"] == "accepted"
    assert again[0]["status"] == "duplicate"
    assert len(await stored(client, admin, training["id"])) == 1


async def test_same_id_twice_in_one_batch_is_stored_once(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    sub = submission(training["join_code"])
    results = await sync_results(client, batch(sub, sub))
    assert [r["status"] for r in results] == ["accepted", "duplicate"]
    assert len(await stored(client, admin, training["id"])) == 1


async def test_conflicting_replay_keeps_the_first(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    sub = submission(training["join_code"])
    await sync_results(client, batch(sub))
    changed = {**sub, "answers": knowledge_answers(right=False)}
    results = await sync_results(client, batch(changed))
    assert results[0]["status"] == "conflict"
    rows = await stored(client, admin, training["id"])
    assert len(rows) == 1 and rows[0]["percent"] == 100.0


async def test_replayed_batch_with_new_items_stores_the_new_ones_with_their_participants(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    pre = submission(code)
    newcomer = {"code": "NEW42", "institution": "police", "sex": "male"}
    await sync_results(client, batch(pre))
    # The phone never got the answer, and sends the pre-test again with two new records: the
    # server must find the stored one, keep the others, and join them to the right people.
    post = submission(code, phase="post")
    other = submission(code, participant=newcomer)
    results = await sync_results(client, batch(pre, post, other))
    assert [r["status"] for r in results] == ["duplicate", "accepted", "accepted"]
    rows = await app.state.db.fetch_all(
        "SELECT s.id, p.code FROM submissions s JOIN participants p ON p.id = s.participant_id"
    )
    assert {r["id"]: r["code"] for r in rows} == {
        pre["id"]: "KM07R",
        post["id"]: "KM07R",
        other["id"]: "NEW42",
    }
    people = await app.state.db.fetch_value("SELECT COUNT(*) FROM participants")
    assert people == 2


async def test_batches_arriving_together_are_each_stored_once(
    app: Litestar, client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    first = submission(code)
    await sync_results(client, batch(first))
    people = [{"code": f"CO{i}X", "institution": "police", "sex": "male"} for i in range(4)]
    batches = [
        # A phone that never got its answer sends the stored record again, with a new one.
        batch(first, submission(code, phase="post")),
        # Two phones of the same participant (pre-test on one, evaluation on the other).
        batch(submission(code, participant=people[0])),
        batch(submission(code, phase="post", participant=people[0])),
        batch(*(submission(code, participant=person) for person in people[1:])),
    ]
    answers = await asyncio.gather(*(sync_results(client, b) for b in batches))
    assert [[r["status"] for r in a] for a in answers] == [
        ["duplicate", "accepted"],
        ["accepted"],
        ["accepted"],
        ["accepted"] * 3,
    ]
    rows = await app.state.db.fetch_all(
        "SELECT p.code, COUNT(*) FROM submissions s JOIN participants p"
        " ON p.id = s.participant_id GROUP BY p.code ORDER BY p.code"
    )
    assert [tuple(r) for r in rows] == [
        ("C00X", 2),
        ("C01X", 1),
        ("C02X", 1),
        ("C03X", 1),
        ("KM07R", 2),
    ]


async def test_an_institution_added_to_the_training_is_accepted_at_once(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    navy = submission(code, participant={"code": "ZZ11A", "institution": "navy", "sex": "male"})
    assert (await sync_results(client, batch(navy)))[0]["status"] == "rejected"
    name = {"en": "Navy", "fr": "Marine", "ar": "البحرية"}
    await client.put("/api/v1/institutions/navy", json={"name": name}, headers=admin)
    body = {
        key: training[key]
        for key in ("id", "title", "country", "location", "starts_on", "ends_on", "trainers")
    }
    body |= {
        "institutions": [*training["institutions"], "navy"],
        "pre_test": training["pre_test"],
        "post_test": training["post_test"],
        "evaluation": training["evaluation"],
    }
    response = await client.put(f"/api/v1/trainings/{training['id']}", json=body, headers=admin)
    assert response.status_code == 200, response.text
    # What sync read of the training is not reused after the change.
    assert (await sync_results(client, batch(navy)))[0]["status"] == "accepted"


async def test_score_is_returned_only_when_the_training_shows_it(
    client: Client, admin: dict[str, str]
) -> None:
    hidden = await create_training(client, admin)
    shown = await create_training(client, admin, id="shown", show_score=True)
    no_score = await sync_results(client, batch(submission(hidden["join_code"])))
    with_score = await sync_results(client, batch(submission(shown["join_code"], phase="post")))
    assert "score" not in no_score[0]
    assert with_score[0]["score"] == 100.0


async def test_old_version_is_accepted_and_scored_with_its_own_key(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    import yaml

    doc = yaml.safe_load(KNOWLEDGE.read_text())
    doc["version"] = "2019.2"
    q1 = next(q for q in doc["questions"] if q["id"] == "q1")
    for choice in q1["choices"]:
        choice["correct"] = not choice.get("correct", False) and choice is q1["choices"][-1]
    if not any(c["correct"] for c in q1["choices"]):
        q1["choices"][0]["correct"] = True
    await publish_for(client, admin, training, doc)

    old = submission(training["join_code"])  # made offline on 2019.1, all right by 2019.1's key
    results = await sync_results(client, batch(old))
    assert results[0]["status"] == "accepted"
    rows = await stored(client, admin, training["id"])
    assert rows[0]["form_version"] == "2019.1"
    assert rows[0]["percent"] == 100.0
    assert "other-version" in rows[0]["flags"]


async def test_malformed_envelope_is_400_and_stores_nothing(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    response = await client.post("/api/v1/sync", content=b"{not json")
    assert response.status_code == 400
    response = await client.post("/api/v1/sync", json={"submissions": []})
    assert response.status_code == 400
    assert "device" in response.json()["detail"]
    assert await stored(client, admin, training["id"]) == []


async def test_body_over_the_limit_is_413(client: Client) -> None:
    response = await client.post(
        "/api/v1/sync",
        content=b'{"device": "d", "submissions": [], "x": "' + b"a" * (1024 * 1024 + 10) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_too_many_requests_is_429(db_path: Any) -> None:
    from server.app import create_app
    from server.settings import Settings

    app = create_app(Settings(db_path=db_path, sync_rate_per_minute=2))
    async with AsyncTestClient(app=app) as client:
        codes = [(await client.post("/api/v1/sync", json=batch())).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


async def test_pending_count_is_recorded_per_device(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    await sync_results(client, batch(submission(training["join_code"]), pending=3))
    monitor = await client.get(f"/api/v1/trainings/{training['id']}/monitor", headers=admin)
    devices = monitor.json()["devices_pending"]
    assert [d["pending"] for d in devices] == [3]


async def test_late_submission_is_stored_and_flagged(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    late = submission(training["join_code"], completed_at="2019-02-20T10:00:00Z")
    assert (await sync_results(client, batch(late)))[0]["status"] == "accepted"
    rows = await stored(client, admin, training["id"])
    assert rows[0]["flags"] == ["late"]


async def test_codes_are_matched_after_normalisation(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    pre = submission(training["join_code"])
    post = submission(
        training["join_code"],
        phase="post",
        participant={"code": " km-o7r ", "institution": "gendarmerie", "sex": "female"},
    )
    await sync_results(client, batch(pre, post))
    rows = await stored(client, admin, training["id"])
    assert {r["code"] for r in rows} == {"KM07R"}


async def test_guessing_join_codes_through_sync_is_slowed_down(
    client: Client, training: dict[str, Any]
) -> None:
    guesses = [submission(f"ZZ{n:06d}") for n in range(20)]
    results = await sync_results(client, batch(*guesses))
    assert {r["status"] for r in results} == {"rejected"}
    more = [submission(f"YY{n:06d}") for n in range(20)]
    blocked = await client.post("/api/v1/sync", json=batch(*more))
    assert blocked.status_code == 429
    blocked = await client.post("/api/v1/sync", json=batch(submission(training["join_code"])))
    assert blocked.status_code == 429
    assert "join codes" in blocked.json()["detail"]
    assert int(blocked.headers["retry-after"]) >= 1


async def test_the_forms_logic_drops_skipped_answers_and_names_a_missing_required_one(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    import yaml

    doc = yaml.safe_load(KNOWLEDGE.read_text())
    doc["version"] = "2019.3"
    q2 = next(q for q in doc["questions"] if q["id"] == "q2")
    q2["relevant"] = "${q1} != 'a'"  # asked only of those who miss q1
    await publish_for(client, admin, training, doc)

    skipped = submission(training["join_code"], version="2019.3")  # q1 right, q2 sent anyway
    skipped["answers"]["q2"] = knowledge_answers(right=False)["q2"]
    missing = submission(training["join_code"], version="2019.3")
    missing["answers"] = {k: v for k, v in missing["answers"].items() if k != "q2"}
    missing["answers"]["q1"] = "b"
    results = await sync_results(client, batch(skipped, missing))
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["detail"] == "Question 'q2' is required but was not answered."
    [row] = await stored(client, admin, training["id"])
    assert row["percent"] == 100.0  # the wrong answer to q2, not asked, counts for nothing
