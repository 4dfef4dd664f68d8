"""Benchmark: the participant app's size and how fast a form is ready, offline and on slow 3G.

Prints the gzipped shell against its 50 KB limit, then, on Debian's Chromium against a real
`tadrib serve`: the first visit on "Slow 3G" with no tap at all (until the language choice is
usable, and until the first screen says the phone is ready offline: the training stored and the
worker holding the shell active), and a later visit straight to a form, offline and on slow 3G.
Slow 3G is DevTools' preset (2 s round trip, 400 kbit/s each way) made by a throttling TCP
proxy, so the service worker's own requests are slowed too (DevTools' emulation leaves them
alone).
Run: `.venv/bin/python bench/pwa.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live import LiveServer, admin_token, seed  # noqa: E402

PWA = ROOT / "pwa"
LIMIT = 50 * 1024
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# Chrome DevTools' "Slow 3G" preset: 400 ms x 5 latency, 500 kbit/s x 0.8 each way.
ONE_WAY_S = 1.0
BYTES_PER_S = 500 * 1024 / 8 * 0.8


class SlowProxy:
    """A TCP proxy in a thread that delays and rate-limits both directions like slow 3G."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.port = 0

        async def start() -> None:
            server = await asyncio.start_server(self._client, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()

        def run() -> None:
            self.loop.run_until_complete(start())
            self.loop.run_forever()
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except (asyncio.CancelledError, ConnectionError):
            writer.close()  # the benchmark is over, or a side hung up

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                at, data = await queue.get()
                await asyncio.sleep(max(0.0, at - loop.time()))
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()

        task = asyncio.create_task(deliver())
        link_free = 0.0
        try:
            while data := await reader.read(16384):
                link_free = max(link_free, loop.time()) + len(data) / BYTES_PER_S
                queue.put_nowait((link_free + ONE_WAY_S, data))
        except ConnectionError:
            pass
        queue.put_nowait((loop.time() + ONE_WAY_S, b""))
        with contextlib.suppress(ConnectionError):
            await task

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def shell_size() -> tuple[int, int]:
    """Raw and gzipped bytes of the shell (HTML, JS, CSS, manifest), each file on its own."""
    files = [p for p in PWA.rglob("*") if p.suffix in {".html", ".js", ".css", ".webmanifest"}]
    raw = sum(p.stat().st_size for p in files)
    return raw, sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in files)


def timed(action: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    action()
    return (time.perf_counter() - t0) * 1000


def visit_form(page: Any, url: str) -> float:
    page.goto("about:blank")
    form = page.locator("form.question")
    return timed(lambda: (page.goto(url, wait_until="commit"), form.wait_for()))


def first_visit(page: Any, code: str) -> tuple[float, float]:
    """Opens the join link on slow 3G and taps nothing: ms to a usable first screen, and to
    the first screen saying the phone is ready offline. Then joins, for the return visits."""
    langs = page.locator(".langs button")
    t0 = time.perf_counter()
    page.goto(f"/t/{code}", wait_until="commit")
    langs.first.wait_for()
    first_screen = (time.perf_counter() - t0) * 1000
    page.locator("#ready[data-state=yes]").wait_for()
    ready = (time.perf_counter() - t0) * 1000
    langs.and_(page.locator("[lang=en]")).click()
    page.locator("input[name=institution]").first.check()
    page.locator("input[name=sex]").first.check()
    page.locator("#mother").fill("Karima")
    page.locator("#day").fill("7")
    page.locator("#place").fill("Rabat")
    page.locator("form button[type=submit]").click()
    page.locator("ul.phases").wait_for()
    return first_screen, ready


def spread(times: list[float]) -> str:
    median = statistics.median(times)
    return f"median {median:.0f} ms (min {min(times):.0f}, max {max(times):.0f}, n={len(times)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    raw, packed = shell_size()
    print(
        f"shell: {raw / 1024:.1f} KB raw, {packed / 1024:.1f} KB gzipped; "
        f"limit {LIMIT / 1024:.0f} KB; ratio {packed / LIMIT:.2f} (must be <= 1)"
    )

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        token = admin_token(db)
        with LiveServer(db) as server, sync_playwright() as pw:
            code = seed(server.url, token)["join_code"]
            proxy = SlowProxy(server.port)
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(
                base_url=f"http://127.0.0.1:{proxy.port}", viewport={"width": 360, "height": 740}
            )
            context.set_default_timeout(120_000)
            page = context.new_page()
            first_screen, ready = first_visit(page, code)
            print(
                f"first visit, slow 3G, no tap: language choice usable after {first_screen:.0f} ms;"
                f" ready offline (training stored, shell cached) after {ready:.0f} ms"
            )
            form = f"/t/{code}#q/pre"
            context.set_offline(True)
            offline = [visit_form(page, form) for _ in range(args.runs)]
            context.set_offline(False)
            slow = [visit_form(page, form) for _ in range(args.runs)]
            print(f"return visit to a form, offline: {spread(offline)}")
            print(
                f"return visit to a form, slow 3G: {spread(slow)}; the page is network-first "
                "within a time limit, its files come from the worker's cache"
            )
            browser.close()
            proxy.close()
    return 0 if packed <= LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
