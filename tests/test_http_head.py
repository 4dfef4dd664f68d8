"""HEAD is answered wherever GET is: what uptime monitors and link checkers ask."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient


@pytest.mark.parametrize(
    "path", ["/api/v1/health", "/app/", "/t/ABCD2345", "/app/app.css", "/sw.js", "/console/login"]
)
async def test_head_answers_as_get_without_the_body(
    client: AsyncTestClient[Any], path: str
) -> None:
    got = await client.get(path)
    head = await client.head(path)
    assert (head.status_code, got.status_code) == (200, 200)
    assert head.content == b""
    for name in ("content-type", "content-length", "content-security-policy", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name), name


async def test_head_keeps_the_answer_of_get_for_what_is_missing_or_protected(
    client: AsyncTestClient[Any],
) -> None:
    assert (await client.head("/nowhere")).status_code == 404
    assert (await client.head("/api/v1/trainings")).status_code == 401


async def test_other_methods_are_still_refused_where_only_get_is_served(
    client: AsyncTestClient[Any],
) -> None:
    assert (await client.delete("/api/v1/health")).status_code == 405
