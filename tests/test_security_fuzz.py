"""Fuzzing the sync and publish endpoints with hypothesis: never a 500, nothing stored from
invalid input.

Schemathesis (driven by /schema/openapi.json) is not installed; these strategies build on the
wire types themselves (`sync.wire.Submission`, the question-set documents) instead.
"""

from __future__ import annotations

import copy
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from forms.loaders import load_path
from tests.conftest import KNOWLEDGE, knowledge_answers, seeded_client

# Derandomized: CI runs the same examples every time, so a red run is a real regression.
FUZZ = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ACCEPTED_STATUSES = {"accepted", "duplicate", "conflict", "rejected"}

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                   max_size=5),
    max_leaves=25,
)  # fmt: skip
hostile_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80
) | st.sampled_from(["", " ", "\x00", "\u202e", "<script>", "' OR 1=1 --", "KM07R\u202e"])


def count(db_path: Path, table: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


class Env:
    def __init__(self, client: TestClient[Litestar], db_path: Path, admin: dict[str, str],
                 join_code: str) -> None:  # fmt: skip
        self.client, self.db_path, self.admin, self.join_code = client, db_path, admin, join_code


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    db_path = tmp_path_factory.mktemp("fuzz") / "tadrib.db"
    with seeded_client(db_path, "fuzz-tot") as (client, admin, training):
        yield Env(client, db_path, admin, training["join_code"])


def post_sync(env: Env, body: bytes) -> tuple[int, list[dict[str, Any]]]:
    before = count(env.db_path, "submissions")
    response = env.client.post(
        "/api/v1/sync", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 400, 413), response.text
    results = response.json()["results"] if response.status_code == 200 else []
    accepted = sum(r["status"] == "accepted" for r in results)
    assert {r["status"] for r in results} <= ACCEPTED_STATUSES
    assert count(env.db_path, "submissions") == before + accepted, "stored without accepting"
    return response.status_code, results


@FUZZ
@given(body=json_values)
def test_any_json_body_on_sync_is_answered_without_a_server_error(env: Env, body: Any) -> None:
    _, results = post_sync(env, msgspec.json.encode(body))
    assert all(r["status"] == "rejected" for r in results)


@FUZZ
@given(body=st.binary(max_size=300))
def test_any_bytes_on_sync_are_answered_without_a_server_error(env: Env, body: bytes) -> None:
    post_sync(env, body)


_QUESTIONS = load_path(KNOWLEDGE).questions
answer_values = st.one_of(
    st.sampled_from([c.id for q in _QUESTIONS for c in q.choices] + ["zz", ""]),
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "zz"]), max_size=6),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
    st.none(),
)
_RIGHT = knowledge_answers()
answers = st.builds(  # right answers with a few changed: deep into checking and scoring
    lambda changed: {**_RIGHT, **changed},
    st.dictionaries(st.sampled_from([q.id for q in _QUESTIONS]), answer_values, max_size=3),
) | st.dictionaries(
    st.sampled_from([q.id for q in _QUESTIONS]) | st.text(max_size=8), answer_values, max_size=20
)


def mostly(valid: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually the valid value (hypothesis favours both ends of a range, so the other strategy
    sits at one end of a wide one), so most submissions get deep into the checks."""
    return st.integers(0, 30).flatmap(lambda n: other if n == 30 else st.just(valid))


@st.composite
def submissions(draw: st.DrawFn, join_code: str) -> dict[str, Any]:
    """A submission shaped by the wire type, aimed at the real training and question set, with
    any field possibly replaced, dropped or joined by an unknown one."""
    sub: dict[str, Any] = {
        "id": draw(mostly(str(uuid.uuid4()), hostile_text)),
        "training": draw(mostly(join_code, hostile_text)),
        "form": draw(st.just("tip-som-knowledge") | st.just("tot-evaluation") | hostile_text),
        "version": draw(mostly("2019.1", hostile_text)),
        "phase": draw(st.sampled_from(["pre", "post", "evaluation", "PRE", ""])),
        "lang": draw(mostly("fr", hostile_text)),
        "participant": {
            "code": draw(
                mostly("KM07R", st.sampled_from(["km-o7r", "٣٤AB", "K", "K" * 40]) | hostile_text)
            ),
            "institution": draw(mostly("police", st.just("navy") | hostile_text)),
            "sex": draw(mostly("female", st.sampled_from(["male", "other", "undisclosed", "x"]))),
        },
        "answers": draw(answers),
        "started_at": draw(mostly("2019-01-07T09:01:00Z", hostile_text)),
        "completed_at": draw(
            mostly(
                "2019-01-07T09:19:30Z",
                st.sampled_from(["2031-13-45T99:99:99Z", "2019-02-20"]) | hostile_text,
            )
        ),
    }
    for field in draw(mostly([], st.lists(st.sampled_from(sorted(sub)), max_size=2, unique=True))):
        if draw(st.booleans()):
            del sub[field]
        else:
            sub[field] = draw(json_values)
    if draw(mostly(False, st.just(True))):
        sub[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return sub


@FUZZ
@given(data=st.data())
def test_fuzzed_submissions_are_judged_one_by_one(env: Env, data: st.DataObject) -> None:
    subs = data.draw(st.lists(submissions(env.join_code), min_size=1, max_size=4))
    device = data.draw(st.just("fuzz-phone") | hostile_text)
    body = {
        "device": device,
        "pending": data.draw(st.integers(-(2**70), 2**70)),
        "submissions": subs,
    }
    status, results = post_sync(env, msgspec.json.encode(body))
    assert status == 200
    assert len(results) == len(subs)
    for sub, result in zip(subs, results, strict=True):
        if isinstance(sub, dict) and isinstance(sub.get("id"), str) and result["id"]:
            assert result["id"] == sub["id"][:64]
        event(result["status"])
        if result["status"] == "rejected":
            assert result.get("detail"), "a rejection must say why"


# --- POST /api/v1/forms ---------------------------------------------------------------------

_SET = yaml.safe_load(KNOWLEDGE.read_text(encoding="utf-8"))


@st.composite
def question_sets(draw: st.DrawFn) -> Any:
    """The bundled test under a fresh version, with a few places replaced by anything."""
    doc = copy.deepcopy(_SET)
    doc["version"] = f"fuzz-{uuid.uuid4().hex[:8]}"
    for _ in range(draw(st.integers(1, 4))):
        target: Any = doc
        path = []
        while isinstance(target, dict | list) and target and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(target) if isinstance(target, dict)
                                       else range(len(target))))  # fmt: skip
            path.append((target, key))
            target = target[key]
        if path:
            parent, key = path[-1]
            parent[key] = draw(json_values | hostile_text)
        else:
            doc[draw(st.text(max_size=8))] = draw(json_values)
    return doc


def post_form(env: Env, body: bytes) -> int:
    before = count(env.db_path, "forms")
    response = env.client.post(
        "/api/v1/forms", content=body, headers={**env.admin, "content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 201, 400, 409, 422), response.text
    if response.status_code in (400, 409, 422):
        errors = response.json().get("errors") or [response.json().get("detail")]
        assert errors and all(errors), "a refusal must say why"
    created = response.status_code == 201
    assert count(env.db_path, "forms") == before + created, "stored without being published"
    return response.status_code


@FUZZ
@given(doc=question_sets())
def test_fuzzed_question_sets_are_published_whole_or_refused(env: Env, doc: Any) -> None:
    event(str(post_form(env, msgspec.json.encode(doc))))


@FUZZ
@given(body=json_values)
def test_any_json_body_on_publish_is_answered_without_a_server_error(env: Env, body: Any) -> None:
    assert post_form(env, msgspec.json.encode(body)) != 201


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"id": "\xff"}'])
def test_deep_or_badly_encoded_json_on_publish_is_a_client_error(env: Env, body: bytes) -> None:
    post_form(env, body)
