"""Trainings in the console: create and edit through the form, detail, join QR code, monitor."""

from __future__ import annotations

import re
from typing import Any

import pytest
import segno
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.db import trainings as trainings_db
from tests.conftest import (
    EVALUATION,
    INSTITUTIONS,
    KNOWLEDGE,
    batch,
    create_training,
    publish_file,
    submission,
)
from tests.test_console_auth import session_headers

KNOWLEDGE_REF = "tip-som-knowledge@2019.1"
EVALUATION_REF = "tot-evaluation@2019.1"


@pytest.fixture
async def registry(client: AsyncTestClient[Litestar], admin: dict[str, str]) -> None:
    """Published question sets and institutions, no training yet."""
    for path in (KNOWLEDGE, EVALUATION):
        assert (await publish_file(client, admin, path)).status_code == 201
    for key, name in INSTITUTIONS.items():
        response = await client.put(
            f"/api/v1/institutions/{key}", json={"name": name, "country": "MA"}, headers=admin
        )
        assert response.status_code == 201


def good_form(csrf: str, **changes: Any) -> dict[str, Any]:
    return {
        "csrf": csrf,
        "id": "rabat-tot-2019",
        "title_en": "Training of trainers on TIP and SOM",
        "title_fr": "Formation de formateurs sur la TEH et le TIM",
        "title_ar": "تكوين المكونين",
        "country": "ma",
        "location": "Rabat",
        "starts_on": "2019-01-07",
        "ends_on": "2019-01-11",
        "institutions": ["gendarmerie", "police"],
        "trainers": ["ada"],
        "pre_test": KNOWLEDGE_REF,
        "post_test": KNOWLEDGE_REF,
        "evaluation": EVALUATION_REF,
        "parent": "",
        "show_score": "1",
        "joining_open": "1",
        **changes,
    }


async def test_admin_creates_a_training_through_the_form(
    app: Litestar, client: AsyncTestClient[Litestar], registry: None
) -> None:
    headers, csrf = await session_headers(app, "ada")
    page = await client.get("/console/trainings/new", headers=headers)
    assert page.status_code == 200
    for expected in (
        'value="gendarmerie"',
        f'value="{KNOWLEDGE_REF}"',
        f'value="{EVALUATION_REF}"',
    ):
        assert expected in page.text
    response = await client.post(
        "/console/trainings/new", data=good_form(csrf), headers=headers, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console/trainings/rabat-tot-2019"
    saved = await trainings_db.get(app.state.db, "rabat-tot-2019")
    assert saved is not None
    assert saved.title == {
        "en": "Training of trainers on TIP and SOM",
        "fr": "Formation de formateurs sur la TEH et le TIM",
        "ar": "تكوين المكونين",
    }
    assert saved.country == "MA" and saved.location == "Rabat"
    assert saved.institutions == ["gendarmerie", "police"] and saved.trainers == ["ada"]
    assert saved.pre_test is not None and saved.pre_test.form == "tip-som-knowledge"
    assert saved.evaluation is not None and saved.evaluation.version == "2019.1"
    assert saved.show_score and saved.joining_open
    detail = await client.get(response.headers["location"], headers=headers)
    assert saved.join_code in detail.text
    for link in ("/join", "/monitor", "/report", "/edit"):
        assert f'href="/console/trainings/rabat-tot-2019{link}"' in detail.text


async def test_a_wrong_training_form_shows_every_problem_and_saves_nothing(
    app: Litestar, client: AsyncTestClient[Litestar], registry: None
) -> None:
    headers, csrf = await session_headers(app, "ada")
    form = good_form(
        csrf, id="Rabat ToT", country="Morocco", ends_on="2019-01-01", institutions=[],
        pre_test=EVALUATION_REF,
    )  # fmt: skip
    response = await client.post("/console/trainings/new", data=form, headers=headers)
    assert response.status_code == 422
    text = response.text
    assert "Nothing was saved" in text
    for problem in (
        "use 2-64 lowercase letters",
        "use the two-letter ISO code",
        "cannot end before it starts",
        "list at least one institution",
        "is an evaluation, not a test",
    ):
        assert text.count(problem) == 2, problem  # in the summary and next to its field
    # What was typed is kept, so nothing has to be typed again.
    assert 'value="Rabat ToT"' in text and 'value="Training of trainers on TIP and SOM"' in text
    assert await trainings_db.list_visible(app.state.db, None) == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", (
            "Identifiant « Rabat ToT » : utilisez de 2 à 64 minuscules",
            "Pays « MOROCCO » : utilisez le code ISO à deux lettres",
            "La formation ne peut pas se terminer avant d&#39;avoir commencé.",
            "L&#39;institution « navy » n&#39;est pas dans le registre",
            "Il n&#39;existe pas d&#39;utilisateur « ghost »",
            "Pré-test : « tot-evaluation » est une évaluation, pas un test.",
        )),
        ("ar", (
            "المعرّف «Rabat ToT»: استخدم من 2 إلى 64 حرفًا",
            "البلد «MOROCCO»: استخدم رمز ISO من حرفين",
            "لا يمكن أن تنتهي الدورة التكوينية قبل أن تبدأ.",
            "المؤسسة «navy» غير مسجّلة",
            "لا يوجد مستخدم باسم «ghost»",
            "الاختبار القبلي: «tot-evaluation» استبيان تقييم وليس اختبارًا.",
        )),
    ],
)  # fmt: skip
async def test_training_form_problems_speak_the_page_language(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    registry: None,
    lang: str,
    expected: tuple[str, ...],
) -> None:
    headers, csrf = await session_headers(app, "ada")
    headers = {**headers, "Cookie": headers["Cookie"] + f"; tadrib_lang={lang}"}
    form = good_form(
        csrf, id="Rabat ToT", country="Morocco", ends_on="2019-01-01",
        institutions=["gendarmerie", "navy"], trainers=["ada", "ghost"], pre_test=EVALUATION_REF,
    )  # fmt: skip
    response = await client.post("/console/trainings/new", data=form, headers=headers)
    assert response.status_code == 422
    for problem in expected:
        assert response.text.count(problem) == 2, problem  # in the summary and by its field
    for english in ("lowercase letters", "two-letter", "registry", "no user", "not a test"):
        assert english not in response.text, english


async def test_retired_sets_are_not_offered_for_new_trainings(
    app: Litestar, client: AsyncTestClient[Litestar], registry: None
) -> None:
    headers, csrf = await session_headers(app, "ada")
    retired = await client.post(
        "/console/forms/tot-evaluation/2019.1/retire", data={"csrf": csrf, "retired": "1"},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert retired.status_code == 303
    page = await client.get("/console/trainings/new", headers=headers)
    assert f'value="{EVALUATION_REF}"' not in page.text
    response = await client.post("/console/trainings/new", data=good_form(csrf), headers=headers)
    assert response.status_code == 422
    assert "is retired" in response.text


async def test_admin_edits_a_training_and_its_join_code_stays(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, str]
) -> None:
    created = await create_training(client, admin)
    headers, csrf = await session_headers(app, "ada")
    page = await client.get("/console/trainings/rabat-tot/edit", headers=headers)
    assert page.status_code == 200
    assert 'name="institutions" value="gendarmerie" checked' in page.text
    form = good_form(csrf, id="ignored", title_en="Renamed", title_fr="", title_ar="",
                     trainers=["tariq"], show_score="", institutions=["police"])  # fmt: skip
    response = await client.post(
        "/console/trainings/rabat-tot/edit", data=form, headers=headers, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    saved = await trainings_db.get(app.state.db, "rabat-tot")
    assert saved is not None
    assert saved.title == {"en": "Renamed"} and saved.institutions == ["police"]
    assert not saved.show_score and saved.join_code == created["join_code"]


async def test_trainer_closes_and_reopens_joining_from_the_detail_page(
    app: Litestar, client: AsyncTestClient[Litestar], training: dict[str, Any]
) -> None:
    headers, csrf = await session_headers(app, "tariq")
    page = await client.get("/console/trainings/rabat-tot", headers=headers)
    assert "Close joining" in page.text and "/edit" not in page.text
    closed = await client.post(
        "/console/trainings/rabat-tot/joining", data={"csrf": csrf, "open": "0"}, headers=headers,
        follow_redirects=False,
    )  # fmt: skip
    assert closed.status_code == 303
    page = await client.get(closed.headers["location"], headers=headers)
    assert "Reopen joining" in page.text and "Joining is closed" in page.text
    found = await trainings_db.get(app.state.db, "rabat-tot")
    assert found is not None and not found.joining_open
    await client.post(
        "/console/trainings/rabat-tot/joining", data={"csrf": csrf, "open": "1"}, headers=headers
    )
    found = await trainings_db.get(app.state.db, "rabat-tot")
    assert found is not None and found.joining_open


# The join page's QR code ------------------------------------------------------------------------


def svg_modules(svg: str) -> list[list[bool]]:
    """The dark modules drawn by a segno SVG path ("M x y" moves, "h n" runs, "m dx dy" moves)."""
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert box, svg[:200]
    size = int(box.group(1))
    grid = [[False] * size for _ in range(size)]
    path = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert path
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for dx in range(int(float(a))):
                grid[int(y)][int(x) + dx] = True
            x += float(a)
    return grid


def decode_qr(m: list[list[bool]]) -> str:
    """Read a clean QR code (no damage, so no error correction): format, unmask, de-interleave,
    parse segments. Only segno's table of block sizes is borrowed; the rest follows ISO 18004."""
    from segno.consts import ECC

    n = len(m)
    version = (n - 17) // 4
    fmt = [m[i][8] for i in range(6)] + [m[7][8], m[8][8], m[8][7]]
    fmt += [m[8][14 - i] for i in range(9, 15)]
    bits = sum(int(b) << i for i, b in enumerate(fmt)) ^ 0x5412
    level, mask = bits >> 13, (bits >> 10) & 7
    function = [[False] * n for _ in range(n)]

    def area(r0: int, r1: int, c0: int, c1: int) -> None:
        for r in range(max(r0, 0), min(r1, n)):
            for c in range(max(c0, 0), min(c1, n)):
                function[r][c] = True

    area(0, 9, 0, 9), area(0, 9, n - 8, n), area(n - 8, n, 0, 9)
    area(6, 7, 0, n), area(0, n, 6, 7)
    if version > 1:
        count = version // 7 + 2
        step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
        centres = [6, *sorted(n - 7 - i * step for i in range(count - 1))]
        corners = {(6, 6), (6, centres[-1]), (centres[-1], 6)}
        for r in centres:
            for c in centres:
                if (r, c) not in corners:
                    area(r - 2, r + 3, c - 2, c + 3)
    if version >= 7:
        area(0, 6, n - 11, n - 8), area(n - 11, n - 8, 0, 6)
    masks = [
        lambda y, x: (y + x) % 2 == 0, lambda y, x: y % 2 == 0, lambda y, x: x % 3 == 0,
        lambda y, x: (y + x) % 3 == 0, lambda y, x: (y // 2 + x // 3) % 2 == 0,
        lambda y, x: (y * x) % 2 + (y * x) % 3 == 0,
        lambda y, x: ((y * x) % 2 + (y * x) % 3) % 2 == 0,
        lambda y, x: ((y + x) % 2 + (y * x) % 3) % 2 == 0,
    ]  # fmt: skip
    stream: list[int] = []
    right = n - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(n):
            y = n - 1 - vert if upward else vert
            for x in (right, right - 1):
                if not function[y][x]:
                    stream.append(int(m[y][x] ^ masks[mask](y, x)))
        right -= 2
    codewords = [int("".join(map(str, stream[i : i + 8])), 2) for i in range(0, len(stream) - 7, 8)]
    blocks: list[list[int]] = [[] for group in ECC[version][level] for _ in range(group.num_blocks)]
    sizes = [group.num_data for group in ECC[version][level] for _ in range(group.num_blocks)]
    taken = 0
    for i in range(max(sizes)):
        for block, size in zip(blocks, sizes, strict=True):
            if i < size:
                block.append(codewords[taken])
                taken += 1
    data = "".join(f"{byte:08b}" for block in blocks for byte in block)
    pos, out = 0, bytearray()

    def take(k: int) -> int:
        nonlocal pos
        pos += k
        return int(data[pos - k : pos] or "0", 2)

    alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    wide = 0 if version < 10 else 1 if version < 27 else 2
    while pos + 4 <= len(data):
        mode = take(4)
        if mode == 0b0100:
            out += bytes(take(8) for _ in range(take((8, 16, 16)[wide])))
        elif mode == 0b0010:
            length = take((9, 11, 13)[wide])
            for _ in range(length // 2):
                pair = take(11)
                out += (alnum[pair // 45] + alnum[pair % 45]).encode()
            if length % 2:
                out += alnum[take(6)].encode()
        elif mode == 0b0001:
            length = take((10, 12, 14)[wide])
            for k in range(0, length, 3):
                digits = min(3, length - k)
                out += str(take((4, 7, 10)[digits - 1])).zfill(digits).encode()
        elif mode == 0b0111:  # ECI designator: one byte here (UTF-8 is 26)
            take(8)
        else:
            break
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return out.decode("latin-1")  # QR's default byte encoding


async def test_join_page_shows_a_qr_code_of_exactly_the_join_link(
    app: Litestar, client: AsyncTestClient[Litestar], training: dict[str, Any]
) -> None:
    headers, _ = await session_headers(app, "tariq")
    page = await client.get("/console/trainings/rabat-tot/join", headers=headers)
    assert page.status_code == 200
    url = training["join_url"]
    assert url == f"http://testserver.local/t/{training['join_code']}"
    assert f'href="{url}"' in page.text and training["join_code"] in page.text
    svg = re.search(r"<svg.*?</svg>", page.text, re.S)
    assert svg, "no inline SVG on the join page"
    border = 4
    drawn = [row[border:-border] for row in svg_modules(svg.group(0))[border:-border]]
    assert decode_qr(drawn) == url
    assert drawn == [[bool(v) for v in row] for row in segno.make(url, micro=False).matrix]
    link = re.search(
        r'<link rel="stylesheet" href="(/console/static/console.css\?v=\w+)">', page.text
    )
    assert link, "the page links no versioned style sheet"
    css = await client.get(link.group(1))
    assert css.status_code == 200 and "@media print" in css.text


def test_the_qr_reader_reads_what_it_should() -> None:
    long_url = "https://training.example.org/t/7K3M9Q2X?from=" + "poster-" * 40  # version 11
    for text in ("http://x.example/t/ABCD1234", "HELLO WORLD 42", "0123456789", long_url):
        code = segno.make(text, micro=False)
        assert decode_qr([[bool(v) for v in row] for row in code.matrix]) == text, code.version


# The monitor ------------------------------------------------------------------------------------


async def test_monitor_shows_counts_arrivals_and_devices_and_polls_the_api(
    app: Litestar, client: AsyncTestClient[Litestar], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    sent = await client.post(
        "/api/v1/sync", json=batch(submission(code), submission(code, "post"), pending=3)
    )
    assert [r["status"] for r in sent.json()["results"]] == ["accepted", "accepted"]
    headers, _ = await session_headers(app, "tariq")
    page = await client.get("/console/trainings/rabat-tot/monitor", headers=headers)
    assert page.status_code == 200
    text = page.text
    assert "Royal Gendarmerie" in text and "KM07R" in text
    assert "3b1f2c1e" in text  # the device still holding 3 records
    assert 'data-url="/api/v1/trainings/rabat-tot/monitor"' in text
    script = re.search(r'<script src="(/console/static/monitor.js\?v=\w+)" defer></script>', text)
    assert script, "the page loads no versioned monitor script"
    assert "<script>" not in text  # the CSP forbids inline scripts
    # The JS reads the API with the session cookie alone (GET needs no CSRF header).
    polled = await client.get("/api/v1/trainings/rabat-tot/monitor", headers=headers)
    assert polled.status_code == 200
    assert polled.json()["devices_pending"][0]["pending"] == 3
    js = await client.get(script.group(1))
    assert js.status_code == 200 and "setTimeout(refresh" in js.text


async def test_dashboard_counts_submissions_per_phase(
    app: Litestar, client: AsyncTestClient[Litestar], training: dict[str, Any]
) -> None:
    code = training["join_code"]
    other = submission(code, participant={"code": "ZZ11A", "institution": "police",
                                          "sex": "male"})  # fmt: skip
    await client.post("/api/v1/sync", json=batch(submission(code), other))
    headers, _ = await session_headers(app, "tariq")
    page = await client.get("/console", headers=headers)
    counts = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page.text)
    assert counts == [("Participants", "2"), ("Pre-test", "2"), ("Post-test", "0"),
                      ("Evaluation", "0")]  # fmt: skip
