"""The wire types and the app agree: what a phone may send is what the server accepts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sync.wire import AGE_BANDS
from tests.conftest import batch, submission

APP_JS = Path(__file__).resolve().parents[1] / "pwa" / "js" / "app.js"


def test_the_app_offers_exactly_the_age_bands_the_server_accepts() -> None:
    found = re.search(r"const AGES = \[([^\]]*)\]", APP_JS.read_text(encoding="utf-8"))
    assert found is not None
    assert tuple(re.findall(r"'([^']+)'", found.group(1))) == AGE_BANDS


async def test_an_unknown_age_band_is_rejected_naming_the_allowed_ones(
    client: Any, training: dict[str, Any]
) -> None:
    sub = submission(
        training["join_code"],
        participant={"code": "KM07R", "institution": "police", "sex": "male", "age_band": "old"},
    )
    response = await client.post("/api/v1/sync", json=batch(sub))
    (result,) = response.json()["results"]
    assert result["status"] == "rejected"
    assert "age_band" in result["detail"] and "18-24, 25-34" in result["detail"]
