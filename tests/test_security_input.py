"""Hostile input on the public endpoints: oversized, deep, malformed, spoofing and scripting."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import batch, submission, sync_results
from tests.live import evaluation_answers

Client = AsyncTestClient[Litestar]
JSON = {"content-type": "application/json"}


def stored_count(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])
    finally:
        conn.close()


# --- Size, depth, encoding --------------------------------------------------------------------


async def test_body_streamed_over_the_limit_without_length_is_413(
    app: Litestar, client: Client, training: dict[str, Any], db_path: Path
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"device": "d", "pending": 1, "submissions": ['
        yield json.dumps(submission(training["join_code"])).encode()
        for _ in range(40):  # 40 x 32 KiB of padding, sent chunked with no Content-Length
            yield b', "' + b"x" * 32 * 1024 + b'"'
        yield b"]}"

    # httpx's own ASGI transport streams the chunks as uvicorn would (the test client cannot).
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.post("/api/v1/sync", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert stored_count(db_path) == 0


async def test_declared_huge_length_is_413_before_reading(client: Client) -> None:
    response = await client.post(
        "/api/v1/sync",
        content=b"{}",
        headers={**JSON, "content-length": str(50 * 1024 * 1024)},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("depth", [100, 5_000, 200_000])
async def test_deeply_nested_envelope_is_400(client: Client, depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    body = b'{"device": "d", "submissions": [' + nested + b"]}"
    response = await client.post("/api/v1/sync", content=body, headers=JSON)
    # Shallow enough to parse: the envelope is fine and its one item is rejected.
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert [r["status"] for r in response.json()["results"]] == ["rejected"]


async def test_deeply_nested_answer_is_rejected_and_the_rest_stored(
    client: Client, training: dict[str, Any], db_path: Path
) -> None:
    good = submission(training["join_code"])
    deep = json.dumps(submission(training["join_code"])).replace(
        '"q1": "', '"q1": ' + "[" * 3000 + "]" * 3000 + ', "x": "', 1
    )
    body = b'{"device": "d", "submissions": [' + json.dumps(good).encode() + b", "
    body += deep.encode() + b"]}"
    response = await client.post("/api/v1/sync", content=body, headers=JSON)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        statuses = [r["status"] for r in response.json()["results"]]
        assert statuses == ["accepted", "rejected"]
        assert stored_count(db_path) == 1
    else:
        assert stored_count(db_path) == 0


async def test_invalid_utf8_is_400_in_the_envelope_and_rejected_in_a_submission(
    client: Client, training: dict[str, Any], db_path: Path
) -> None:
    response = await client.post(
        "/api/v1/sync", content=b'{"device": "\xff\xfe", "submissions": []}', headers=JSON
    )
    assert response.status_code == 400
    good = json.dumps(submission(training["join_code"])).encode()
    bad = good.replace(b'"lang": "fr"', b'"lang": "f\xc3\x28"')
    body = b'{"device": "d", "submissions": [' + good + b", " + bad + b"]}"
    response = await client.post("/api/v1/sync", content=body, headers=JSON)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert [r["status"] for r in response.json()["results"]] == ["accepted", "rejected"]
    assert stored_count(db_path) == (1 if response.status_code == 200 else 0)


async def test_long_strings_are_rejected_with_a_reason(
    client: Client, training: dict[str, Any], db_path: Path
) -> None:
    code = training["join_code"]
    long_id = submission(code, id="x" * 10_000)
    long_code = submission(code, participant={"code": "K" * 5000, "institution": "police",
                                              "sex": "male"})  # fmt: skip
    long_text = submission(
        code, "evaluation", form="tot-evaluation", answers=evaluation_answers("é" * 60_000)
    )
    long_lang = submission(code, lang="fr" * 20_000)
    found = await sync_results(client, batch(long_id, long_code, long_text, long_lang))
    assert [r["status"] for r in found[:3]] == ["rejected"] * 3
    assert len(found[0]["id"]) <= 64 and "1 to 64" in found[0]["detail"]
    assert "longer" in found[1]["detail"]
    assert "5,000" in found[2]["detail"]
    # Whatever happens to an absurd language tag, the answer stays small and nothing breaks.
    assert len(json.dumps(found)) < 5_000
    assert stored_count(db_path) == (1 if found[3]["status"] == "accepted" else 0)


@pytest.mark.parametrize(
    "raw",
    ["KM\x0007R", "KM\x1b[2J07R", "\u202eR70MK", "KM\u202e07R", "KM\u2066\u200d07R", "<b>KM07R"],
)
async def test_control_and_bidi_characters_never_make_a_code(
    client: Client, training: dict[str, Any], raw: str
) -> None:
    sub = submission(
        training["join_code"], participant={"code": raw, "institution": "police", "sex": "male"}
    )
    found = await sync_results(client, batch(sub))
    assert found[0]["status"] == "rejected", f"{raw!r} was accepted as a participant code"
    assert "letters and digits" in found[0]["detail"]


# --- Free text is data, never markup ----------------------------------------------------------

XSS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "\u202egnp.exe <b>bold</b>",
    '=HYPERLINK("http://evil","x")',
]


async def test_scripts_in_free_text_are_stored_verbatim_and_shown_escaped(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    subs = [
        submission(code, "evaluation", form="tot-evaluation", answers=evaluation_answers(text),
                   participant={"code": f"XS{n:02d}A", "institution": "police", "sex": "male"})
        for n, text in enumerate(XSS)
    ]  # fmt: skip
    assert {r["status"] for r in await sync_results(client, batch(*subs))} == {"accepted"}

    listing = await client.get(f"/api/v1/trainings/{training['id']}/submissions", headers=admin)
    assert listing.headers["content-type"].startswith("application/json")
    assert listing.headers["x-content-type-options"] == "nosniff"

    report = await client.get(f"/api/v1/trainings/{training['id']}/report", headers=admin)
    assert report.status_code == 200, report.text
    assert report.headers["content-type"].startswith("application/json")
    text = json.dumps(report.json(), ensure_ascii=False)
    assert all(t in text for t in XSS[:3]), "comments are kept as they were typed"

    page = await client.get(f"/console/trainings/{training['id']}/report", headers=admin)
    assert page.status_code == 200, page.text[:500]
    html = page.text
    for text in XSS[:3]:
        assert text not in html, f"unescaped in the HTML report: {text}"
    assert "&lt;script&gt;alert(" in html, "the comments should be listed, escaped"
    assert "<img src=x" not in html and "<svg onload" not in html
    csp = page.headers["content-security-policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src


# --- What the public may learn ----------------------------------------------------------------

KEY_FIELDS = {"correct", "answer", "tolerance", "points", "partial", "pass_mark"}


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


async def test_bundle_carries_no_answer_keys(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    bundle = await client.get(f"/api/v1/bundles/{training['join_code']}")
    assert bundle.status_code == 200
    assert set(bundle.json()["forms"]) == {"pre", "post", "evaluation"}
    assert keys_in(bundle.json()) & KEY_FIELDS == set()
    # The staff view of the same set has them, so the check above can fail.
    full = await client.get("/api/v1/forms/tip-som-knowledge/2019.1", headers=admin)
    assert {"correct", "answer"} <= keys_in(full.json())
    # Nor can a participant learn the key by reading back scores of a training that hides them.
    found = await sync_results(client, batch(submission(training["join_code"])))
    assert "score" not in found[0]


async def test_join_codes_carry_at_least_40_bits_and_do_not_repeat(
    client: Client, admin: dict[str, str]
) -> None:
    from server.db.trainings import JOIN_ALPHABET, JOIN_LENGTH, new_join_code
    from tests.conftest import create_training

    assert JOIN_LENGTH * math.log2(len(set(JOIN_ALPHABET))) >= 40
    made = [(await create_training(client, admin, id=f"t-{n}"))["join_code"] for n in range(8)]
    drawn = [new_join_code() for _ in range(2000)]
    for code in made + drawn:
        assert len(code) == JOIN_LENGTH and set(code) <= set(JOIN_ALPHABET)
    assert len(set(drawn)) == len(drawn)
    # Every symbol turns up in every position: no position is fixed or narrowed.
    for position in range(JOIN_LENGTH):
        assert {c[position] for c in drawn} == set(JOIN_ALPHABET)


async def test_guessing_join_codes_is_rate_limited(client: Client) -> None:
    statuses = [(await client.get(f"/api/v1/bundles/ZZZZ{n:04d}")).status_code for n in range(40)]
    assert statuses[0] == 404
    assert statuses[-1] == 429
    assert statuses.count(404) <= 30


async def test_an_address_over_the_limit_learns_nothing_from_further_guesses(
    client: Client, training: dict[str, Any]
) -> None:
    for n in range(35):
        await client.get(f"/api/v1/bundles/ZZZZ{n:04d}")
    right = await client.get(f"/api/v1/bundles/{training['join_code']}")
    assert right.status_code == 429


# --- Headers ----------------------------------------------------------------------------------


async def test_security_headers_on_pages_api_and_errors(
    client: Client, training: dict[str, Any]
) -> None:
    paths = ["/api/v1/health", f"/t/{training['join_code']}", "/app/", "/no-such-page",
             "/api/v1/trainings", f"/api/v1/bundles/{training['join_code']}"]  # fmt: skip
    for path in paths:
        response = await client.get(path, follow_redirects=False)
        csp = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, path
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, path
        assert "object-src 'none'" in csp, path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        # Join codes sit in page URLs: no other site ever sees them, while our own posts keep
        # their Origin (which "no-referrer" would blank to "null").
        assert response.headers.get("referrer-policy") == "same-origin", path


async def test_the_api_is_described_by_its_document_and_no_page_loads_outside_scripts(
    client: Client,
) -> None:
    for path in ("/schema", "/schema/openapi.json", "/schema/openapi.yaml"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/vnd.oai.openapi"), path
    for viewer in ("swagger", "redoc", "rapidoc", "elements", "scalar"):
        assert (await client.get(f"/schema/{viewer}")).status_code == 404, viewer


# --- Question texts and exports ---------------------------------------------------------------

SCRIPT = "<script>alert('q')</script>"


async def test_scripts_in_question_texts_are_escaped_in_every_page(
    client: Client, admin: dict[str, str]
) -> None:
    import yaml

    from tests.conftest import KNOWLEDGE, create_training

    doc = yaml.safe_load(KNOWLEDGE.read_text(encoding="utf-8"))
    doc["id"], doc["version"] = "hostile-test", "1"
    doc["title"] = {lang: f"Title {SCRIPT}" for lang in doc["languages"]}
    q1 = doc["questions"][0]
    q1["text"] = {lang: f"Question {SCRIPT}" for lang in doc["languages"]}
    q1["choices"][0]["text"] = {lang: '"><img src=x onerror=alert(2)>' for lang in doc["languages"]}
    response = await client.post("/api/v1/forms", json=doc, headers=admin)
    assert response.status_code == 201, response.text
    training = await create_training(
        client, admin, id="hostile", title=f"Training {SCRIPT}",
        pre_test={"form": "hostile-test", "version": "1"},
        post_test={"form": "hostile-test", "version": "1"},
    )  # fmt: skip
    sub = submission(training["join_code"], form="hostile-test", version="1")
    assert (await sync_results(client, batch(sub)))[0]["status"] == "accepted"

    pages = [
        "/console/forms/hostile-test/1",
        f"/console/trainings/{training['id']}",
        f"/console/trainings/{training['id']}/report",
        f"/console/trainings/{training['id']}/join",
        "/console",
    ]
    for url in pages:
        page = await client.get(url, headers=admin)
        assert page.status_code == 200, f"{url}: {page.status_code}"
        assert "<script>alert(" not in page.text, url
        assert "<img src=x" not in page.text, url


async def test_formulas_in_answers_are_neutralised_in_csv_exports(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    formulas = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1"]
    subs = [
        submission(training["join_code"], "evaluation", form="tot-evaluation",
                   answers=evaluation_answers(text),
                   participant={"code": f"CV{n:02d}A", "institution": "police", "sex": "male"})
        for n, text in enumerate(formulas)
    ]  # fmt: skip
    assert {r["status"] for r in await sync_results(client, batch(*subs))} == {"accepted"}
    url = f"/api/v1/trainings/{training['id']}/report.csv?table=comments"
    response = await client.get(url, headers=admin)
    assert response.status_code == 200, response.text
    import csv
    import io

    cells = [c for row in csv.reader(io.StringIO(response.text.lstrip("\ufeff"))) for c in row]
    for formula in formulas:
        assert formula not in cells, f"{formula!r} would run as a formula in Excel"
        assert any(formula.strip() in c for c in cells), f"{formula!r} is missing from the CSV"
    assert all(not c.startswith(("=", "+", "-", "@", "\t")) for c in cells if c)


@pytest.mark.parametrize("pending", [2**63, 10**30, -(2**70)])
async def test_absurd_pending_counts_are_accepted_and_capped(
    client: Client, admin: dict[str, str], training: dict[str, Any], pending: int
) -> None:
    body = {**batch(submission(training["join_code"])), "pending": pending}
    found = await sync_results(client, body)
    assert found[0]["status"] == "accepted"
    monitor = await client.get(f"/api/v1/trainings/{training['id']}/monitor", headers=admin)
    assert all(0 <= d["pending"] <= 1_000_000 for d in monitor.json()["devices_pending"])
