"""Comments that a spreadsheet would run as formulas are neutralised in CSV downloads, also when
the formula hides behind a line break, a full-width sign or invisible characters."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import batch, submission, sync_results
from tests.live import evaluation_answers

Client = AsyncTestClient[Litestar]

#: What the tester sent, each of which Excel or LibreOffice ran as a formula.
HIDDEN_FORMULAS = [
    "\n=1+1", "\r\n=HYPERLINK(\"http://evil.example\")", "＝1+1", "＋SUM(A1)", "－2+3", "＠cmd",
    "\ufeff=1+1", "\u200b=1+1", "\u00a0+1", " =1+1", "\u2060@cmd",
]  # fmt: skip


async def test_hidden_formulas_in_comments_are_neutralised(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    subs = [
        submission(training["join_code"], "evaluation", form="tot-evaluation",
                   answers=evaluation_answers(text),
                   participant={"code": f"CV{n:02d}A", "institution": "police", "sex": "male"})
        for n, text in enumerate(HIDDEN_FORMULAS)
    ]  # fmt: skip
    assert {r["status"] for r in await sync_results(client, batch(*subs))} == {"accepted"}
    url = f"/api/v1/trainings/{training['id']}/report.csv?table=comments"
    response = await client.get(url, headers=admin)
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    for formula in HIDDEN_FORMULAS:
        stored = formula.strip()  # comments may be trimmed on the way in; what remains counts
        found = [c for c in cells if c.endswith(stored)]
        assert found, f"{formula!r} is missing from the CSV"
        assert all(c.startswith("'") for c in found), f"{found!r} would run as a formula"
