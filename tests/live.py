"""A real `tadrib serve` subprocess on loopback, seeded over HTTP, and the clients that talk
to it: phones that retry like the app does, and Debian's Chromium.

Used by the reliability tests, the browser tests and the benchmarks: they need a process that
can be killed with SIGKILL, or a browser on a real port, not an in-process ASGI app.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TADRIB = ROOT / ".venv" / "bin" / "tadrib"
LIBRARY = ROOT / "forms" / "library"
LIBRARY_FORMS = ("tip-som-knowledge.yaml", "tot-evaluation.yaml")
INSTITUTIONS = {
    "gendarmerie": {"en": "Royal Gendarmerie", "fr": "Gendarmerie royale", "ar": "الدرك الملكي"},
    "police": {"en": "National police", "fr": "Sûreté nationale", "ar": "الأمن الوطني"},
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, timeout: float = 60) -> str:
    """Run the `tadrib` command; its standard output."""
    done = subprocess.run(
        [str(TADRIB), *args], capture_output=True, text=True, timeout=timeout, check=True
    )
    return done.stdout


def admin_token(db: Path, name: str = "seed") -> str:
    return cli("token", "create", name, "--role", "admin", "--db", str(db)).strip().splitlines()[-1]


def add_user(db: Path, name: str, password: str, role: str = "admin") -> None:
    """A console user who signs in with `password`."""
    cli("users", "add", name, "--role", role, "--password", password, "--db", str(db))


class LiveServer:
    """`tadrib serve` on 127.0.0.1; the port stays the same across restarts."""

    def __init__(self, db: Path, env: dict[str, str] | None = None) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "TADRIB_SYNC_RATE": "0", "TADRIB_SYNC_ADDRESS_RATE": "0", **(env or {})
        }  # fmt: skip
        self.log = db.with_suffix(".log")
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 30) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [str(TADRIB), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--db", str(self.db)],
                stdout=log, stderr=subprocess.STDOUT, env=self.env,
            )  # fmt: skip
        self.starts += 1
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"tadrib serve did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no lifespan exit."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def training_body(training_id: str = "rabat-tot", **changes: Any) -> dict[str, Any]:
    """A training on the bundled question sets, as `POST /api/v1/trainings` takes it."""
    return {
        "id": training_id, "title": "ToT on TIP and SOM", "country": "MA", "location": "Rabat",
        "starts_on": "2019-01-07", "ends_on": "2019-01-11", "institutions": list(INSTITUTIONS),
        "pre_test": {"form": "tip-som-knowledge", "version": "2019.1"},
        "post_test": {"form": "tip-som-knowledge", "version": "2019.1"},
        "evaluation": {"form": "tot-evaluation", "version": "2019.1"},
        **changes,
    }  # fmt: skip


Step = tuple[str, str, dict[str, Any]]  # method, path, keyword arguments of httpx's request()


def seed_steps(
    training: dict[str, Any] | None = None,
    institutions: dict[str, dict[str, str]] = INSTITUTIONS,
    country: str | None = "MA",
) -> list[Step]:
    """The requests that publish the bundled forms, add the institutions and, if given, create
    the training: what seeding sends, for a sync or an async client alike."""
    steps: list[Step] = [
        ("POST", "/api/v1/forms", {"files": {"file": (name, (LIBRARY / name).read_bytes())}})
        for name in LIBRARY_FORMS
    ]
    for key, names in institutions.items():
        body: dict[str, Any] = {"name": names}
        if country is not None:
            body["country"] = country
        steps.append(("PUT", f"/api/v1/institutions/{key}", {"json": body}))
    if training is not None:
        steps.append(("POST", "/api/v1/trainings", {"json": training}))
    return steps


def api_client(url: str, token: str, timeout: float = 30) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)


def send_steps(api: httpx.Client, steps: Iterable[Step]) -> dict[str, Any]:
    """Sends each step in turn; each must succeed. The last answer's body."""
    body: dict[str, Any] = {}
    for method, path, kwargs in steps:
        r = api.request(method, path, **kwargs)
        assert r.status_code in (200, 201), r.text
        body = dict(r.json())
    return body


def seed(url: str, token: str, training_id: str = "rabat-tot") -> dict[str, Any]:
    """Publish the bundled forms, add the institutions and create a training; the training."""
    with api_client(url, token) as api:
        return send_steps(api, seed_steps(training_body(training_id)))


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, from a started Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium is not at {CHROMIUM}: `make test` installs Debian's chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


_ANSWERS: dict[str, Any] = {}


def quick_submission(join_code: str, n: int, phase: str = "pre") -> dict[str, Any]:
    """A valid knowledge-test submission with a fresh id and one of many participant codes."""
    if not _ANSWERS:
        from tests.conftest import knowledge_answers

        _ANSWERS.update(knowledge_answers())
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    code = f"{letters[n % 23]}{letters[(n // 23) % 23]}{n % 100:02d}{letters[(n // 529) % 23]}"
    return {
        "id": str(uuid.uuid4()),
        "training": join_code,
        "form": "tip-som-knowledge",
        "version": "2019.1",
        "phase": phase,
        "lang": ("fr", "ar", "en")[n % 3],
        "participant": {
            "code": code,
            "institution": "gendarmerie" if n % 2 else "police",
            "sex": "female" if n % 3 else "male",
        },
        "answers": dict(_ANSWERS),
        "started_at": "2019-01-07T09:01:00Z",
        "completed_at": "2019-01-07T09:19:30Z",
    }


class Phone:
    """Sends an outbox in batches and retries as the app does: 5xx, 429 and network failures
    with exponential backoff and jitter; a batch leaves the outbox only when every item in it
    was answered accepted or duplicate."""

    def __init__(
        self,
        url: str,
        outbox: Iterable[dict[str, Any]],
        batch_size: int = 10,
        device: str | None = None,
        max_delay: float = 0.5,
        timeout: float = 10,
    ) -> None:
        self.url = url
        self.outbox = list(outbox)
        self.batch_size = batch_size
        self.device = device or str(uuid.uuid4())
        self.max_delay = max_delay
        self.timeout = timeout
        self.acknowledged: dict[str, str] = {}  # id -> accepted | duplicate
        self.retries = 0
        self.failures: list[str] = []  # why each retry was needed
        self.batches: list[list[str]] = []  # ids of each batch answered all accepted
        self.errors: list[str] = []  # answers the phone would show as a problem

    async def flush(self, client: httpx.AsyncClient, deadline: float) -> None:
        delay = 0.02
        while self.outbox:
            if time.monotonic() > deadline:
                raise TimeoutError(f"phone {self.device} still holds {len(self.outbox)} records")
            chunk = self.outbox[: self.batch_size]
            body = {"device": self.device, "pending": len(self.outbox), "submissions": chunk}
            try:
                r = await client.post(f"{self.url}/api/v1/sync", json=body, timeout=self.timeout)
            except httpx.HTTPError as exc:
                r = None
                self.failures.append(f"{type(exc).__name__}: {exc}")
            if r is None or r.status_code >= 500 or r.status_code == 429:
                if r is not None:
                    self.failures.append(f"{r.status_code}: {r.text[:200]}")
                self.retries += 1
                await asyncio.sleep(random.uniform(0, delay))
                delay = min(delay * 2, self.max_delay)
                continue
            delay = 0.02
            if r.status_code != 200:
                self.errors.append(f"{r.status_code}: {r.text[:200]}")
                return
            results = r.json()["results"]
            if all(result["status"] == "accepted" for result in results):
                self.batches.append([sub["id"] for sub in chunk])
            for sub, result in zip(chunk, results, strict=True):
                assert result["id"] == sub["id"]
                if result["status"] in ("accepted", "duplicate"):
                    self.acknowledged[sub["id"]] = result["status"]
                else:
                    self.errors.append(f"{result['status']}: {result.get('detail', '')}")
            del self.outbox[: len(chunk)]


def stored_ids(db: Path) -> list[str]:
    """Submission ids in the file, read with plain sqlite3 (not through the app)."""
    conn = sqlite3.connect(db, timeout=10)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM submissions")]
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db, timeout=10)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def evaluation_answers(comment: str = "Good.") -> dict[str, Any]:
    """Answers to every question of the bundled evaluation; `comment` in each text question."""
    from forms.loaders import load_path

    answers: dict[str, Any] = {}
    for q in load_path(LIBRARY / "tot-evaluation.yaml").questions:
        if q.type == "likert" and q.scale is not None:
            answers[q.id] = q.scale.max
        elif q.type == "single":
            answers[q.id] = q.choices[0].id
        elif q.type == "text":
            answers[q.id] = comment
    return answers
