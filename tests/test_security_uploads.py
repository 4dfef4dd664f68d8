"""Uploads built to exhaust the server are refused with a clear answer, in a worker process,
while everyone else is still answered; nothing of them is stored."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from forms.limits import MAX_TEXT
from server import parsing
from tests.conftest import batch, submission
from tests.live import LiveServer, admin_token, api_client
from tests.test_console_auth import make_user, session_headers

Client = AsyncTestClient[Litestar]


def billion_laughs(levels: int = 9, width: int = 10) -> bytes:
    """Each level a list of `width` aliases of the one before: `width ** levels` strings."""
    lines = ['a0: &a0 ["lol"]']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return ("\n".join(lines) + "\n").encode()


def many_aliases(size: int = 161_000, keys: int = 2_000) -> bytes:
    """Questions that are all one mapping of `keys` wrong keys: each alias multiplies the work."""
    mapping = "{" + ", ".join(f"k{i}: 0" for i in range(keys)) + "}"
    head = f"id: laughs\nversion: '1'\nm: &m {mapping}\nquestions: ["
    count = (size - len(head)) // 4
    return (head + ", ".join(["*m"] * count) + "]\n").encode()


def small_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label::English (en)"])
    sheet.append(["integer", "age", "Your age"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, change: dict[str, Any]) -> bytes:
    """The workbook with some members replaced: bytes, or a callable writing to a stream."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            new = change.get(info.filename)
            if new is None:
                dst.writestr(info, src.read(info.filename))
            elif callable(new):
                with dst.open(info.filename, "w", force_zip64=True) as stream:
                    new(src.read(info.filename), stream)
            else:
                dst.writestr(info.filename, new)
    return out.getvalue()


def pad(size: int, before: bytes) -> Any:
    """A writer putting `size` bytes of blanks into a member just before `before`."""

    def write(original: bytes, stream: Any) -> None:
        head, _, tail = original.partition(before)
        stream.write(head)
        chunk = b" " * 2**20
        for _ in range(size // len(chunk)):
            stream.write(chunk)
        stream.write(before + tail)

    return write


async def publish(client: Client, admin: dict[str, str], name: str, data: bytes) -> Any:
    return await client.post("/api/v1/forms", files={"file": (name, data)}, headers=admin)


async def nothing_published(client: Client, admin: dict[str, str]) -> bool:
    return (await client.get("/api/v1/forms", headers=admin)).json() == []


async def test_nested_yaml_aliases_are_refused(client: Client, admin: dict[str, str]) -> None:
    # What the tester sent: 161 KB of aliases; and the classic, with few aliases, nested.
    wide = many_aliases()
    assert 160_000 < len(wide) < 162_000
    response = await publish(client, admin, "laughs.yaml", wide)
    assert response.status_code == 422
    assert "aliases" in response.json()["errors"][0]["message"]
    response = await publish(client, admin, "laughs.yaml", billion_laughs())
    assert response.status_code == 422
    assert "the document stands for" in response.json()["errors"][0]["message"]
    assert await nothing_published(client, admin)


async def test_workbook_whose_sheet_unpacks_huge_is_refused(
    client: Client, admin: dict[str, str]
) -> None:
    sheet = "xl/worksheets/sheet1.xml"
    bomb = rewritten(small_workbook(), {sheet: pad(40 * 2**20, b"</sheetData>")})
    assert len(bomb) < 200_000
    response = await publish(client, admin, "bomb.xlsx", bomb)
    assert response.status_code == 422
    assert "unpacks to more than" in response.json()["errors"][0]["message"]
    assert await nothing_published(client, admin)


async def test_workbook_declaring_a_million_blank_rows_is_refused(
    client: Client, admin: dict[str, str]
) -> None:
    data = small_workbook()
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read(sheet)
    declared = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C1048576"', xml)
    far_row = declared.replace(b"</sheetData>", b'<row r="1048576"/></sheetData>')
    for changed in (declared, far_row.replace(b"<dimension", b"<ignored")):
        response = await publish(client, admin, "rows.xlsx", rewritten(data, {sheet: changed}))
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["where"] == "rows.xlsx, sheet 'survey'"
        assert "reaches row 1,048,576" in error["message"]
    assert await nothing_published(client, admin)


def with_label(size: int) -> bytes:
    """A workbook whose one label, a shared string as Excel writes it, is `size` bytes long."""
    data = small_workbook()
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read(sheet)
    shared = xml.replace(b'<c r="C2" t="inlineStr"><is><t>Your age</t></is></c>',
                         b'<c r="C2" t="s"><v>0</v></c>')  # fmt: skip
    assert shared != xml
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Your age</t></si></sst>'
    )
    types = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
    types += b'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    rels = b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
    rels += b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        content_types = book.read("[Content_Types].xml").replace(b"</Types>", types)
        book_rels = book.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", rels)
    out = io.BytesIO(rewritten(data, {
        sheet: shared, "[Content_Types].xml": content_types,
        "xl/_rels/workbook.xml.rels": book_rels,
    }))  # fmt: skip
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as book,
        book.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream,
    ):
        pad(size, b"Your age")(strings, stream)
    return out.getvalue()


async def test_workbook_with_a_400_mb_label_is_refused(
    client: Client, admin: dict[str, str]
) -> None:
    bomb = with_label(400 * 2**20)
    assert len(bomb) < 2_000_000
    response = await publish(client, admin, "label.xlsx", bomb)
    assert response.status_code == 422
    assert "unpacks to more than" in response.json()["errors"][0]["message"]
    # A long label that unpacks within the limits is still refused by its length.
    response = await publish(client, admin, "label.xlsx", with_label(2**20))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["where"] == "label.xlsx"
    assert f"keep each under {MAX_TEXT:,}" in error["message"], error
    assert await nothing_published(client, admin)


def test_health_answers_while_a_large_upload_is_read(tmp_path: Path) -> None:
    """A real server: the upload is read in a worker, so the event loop is free meanwhile."""
    large = b"id: x\nnotes: [" + b"0," * 150_000 + b"0]\n"
    db = tmp_path / "tadrib.db"
    finished: list[str] = []
    with LiveServer(db) as live:
        token = admin_token(db)
        with api_client(live.url, token, timeout=60) as api:

            def upload() -> httpx.Response:
                response = api.post("/api/v1/forms", files={"file": ("large.yaml", large)})
                finished.append("upload")
                return response

            with ThreadPoolExecutor(1) as pool:
                uploading = pool.submit(upload)
                time.sleep(0.3)  # the upload is being read by now
                healthy = api.get("/api/v1/health")
                finished.append("health")
                uploaded = uploading.result()
        forms = httpx.get(f"{live.url}/api/v1/forms", headers={"Authorization": f"Bearer {token}"})
    assert healthy.status_code == 200
    assert finished == ["health", "upload"]
    assert uploaded.status_code == 422, uploaded.text
    assert forms.json() == []


def hog_memory() -> bytes:
    return bytes(2 * parsing.MEMORY_LIMIT)


def take_time() -> None:
    time.sleep(30)


async def test_a_worker_over_its_time_or_memory_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(parsing.TooCostly, match="more memory"):
        await parsing.in_worker(hog_memory)
    monkeypatch.setattr(parsing, "TIME_LIMIT", 0.5)
    with pytest.raises(parsing.TooCostly, match="more time"):
        await parsing.in_worker(take_time)


async def test_records_upload_over_the_body_limit_is_413_and_stores_nothing(
    client: Client, admin: dict[str, str], training: dict[str, Any]
) -> None:
    one = submission(training["join_code"])
    subs = [{**one, "id": str(uuid.uuid4())} for _ in range(2500)]
    body = json.dumps({"format": "tadrib-unsent", **batch(*subs)}).encode()
    assert len(body) > client.app.state.settings.max_body
    as_json = await client.post(
        "/api/v1/uploads", content=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert as_json.status_code == 413
    as_file = await client.post(
        "/api/v1/uploads", files={"file": ("unsent.json", body)}, headers=admin
    )
    assert as_file.status_code == 413
    await make_user(client.app, "root", "admin")
    cookie, csrf = await session_headers(client.app, "root")
    console = await client.post(
        "/console/uploads", data={"csrf": csrf}, files={"file": ("unsent.json", body)},
        headers=cookie,
    )  # fmt: skip
    assert console.status_code == 413
    assert "TADRIB_MAX_BODY" in console.text
    listed = await client.get(f"/api/v1/trainings/{training['id']}/submissions", headers=admin)
    assert listed.json() == []
