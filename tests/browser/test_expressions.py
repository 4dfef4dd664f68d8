"""The expression table (tests/data/expressions.json) run in Chromium and WebKit through the participant
app's own glue (pwa/js/logic.js) and the vendored openrosa-xpath-evaluator (pwa/vendor/): the
same expressions give the same values on the phone as in Python (tests/test_expressions.py).

The glue builds an XForm-like instance with one element per question
(`<data><age>34</age>...</data>`), reads `${name}` as `/data/name`, `.` as the question being
answered, and evaluates a choice filter with the choice as its context.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from test_pwa_webkit import display, webkit  # noqa: F401 (fixtures)

from tests.live import ROOT, launch_chromium

TABLE = json.loads((ROOT / "tests" / "data" / "expressions.json").read_text("utf-8"))
#: Expressions the import refuses never reach a phone; the rest must agree.
CASES = [case for case in TABLE["cases"] if not case.get("error")]
PWA = ROOT / "pwa"
ORIGIN = "http://expressions.test"

PAGE = """<!doctype html><meta charset="utf-8"><script type="module">
import { evaluate } from "/app/js/logic.js";
window.runCase = (answers, c) => {
  try {
    return evaluate(c.expr, answers, { current: c.current, choice: c.choice });
  } catch (e) {
    return { error: String(e && e.message || e) };
  }
};
window.ready = true;
</script>"""


def _serve(route: Any) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path in ("/app/js/logic.js", "/app/vendor/openrosa-xpath-evaluator.js"):
        file = PWA / path.removeprefix("/app/")
        route.fulfill(body=file.read_bytes(), content_type="text/javascript")
    elif path == "/":
        route.fulfill(body=PAGE, content_type="text/html")
    else:
        route.fulfill(status=404)


def _matches(case: dict[str, Any], got: dict[str, Any]) -> bool:
    expected = case["expected"]
    if isinstance(expected, bool):
        return got.get("boolean") is expected
    if isinstance(expected, int | float):
        number = got.get("number")
        return isinstance(number, int | float) and abs(number - expected) < 1e-9
    return got.get("string") == expected


def test_expression_table_in_chromium() -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            # The table's clock: 09:30 on 7 January 2019 in Rabat (UTC+1 then).
            context = browser.new_context(timezone_id="Africa/Casablanca")
            page = context.new_page()
            page.clock.set_fixed_time(TABLE["now"])
            page.route(f"{ORIGIN}/**", _serve)
            page.goto(f"{ORIGIN}/")
            page.wait_for_function("window.ready === true")
            results = page.evaluate(
                "([answers, cases]) => cases.map((c) => window.runCase(answers, c))",
                [TABLE["answers"], CASES],
            )
        finally:
            browser.close()
    wrong = [
        f"{case['expr']!r}: expected {case['expected']!r}, got {got}"
        for case, got in zip(CASES, results, strict=True)
        if not _matches(case, got)
    ]
    assert wrong == [], "\n".join(wrong)


#: WebKit driven by Selenium has no clock control: the page's Date is held at the table's now.
FIXED_CLOCK = """<script>{
  const now = Date.parse(%s);
  const Real = Date;
  window.Date = class extends Real {
    constructor(...a) { if (a.length) super(...a); else super(now); }
    static now() { return now; }
  };
}</script>"""


@pytest.fixture
def served() -> Iterator[str]:
    """The table's page, the glue and the engine over plain HTTP (WebKit loads modules only
    from a server): the page's address."""
    files = {
        "/": (FIXED_CLOCK % json.dumps(TABLE["now"]) + PAGE).encode(),
        "/app/js/logic.js": (PWA / "js" / "logic.js").read_bytes(),
        "/app/vendor/openrosa-xpath-evaluator.js": (
            PWA / "vendor" / "openrosa-xpath-evaluator.js"
        ).read_bytes(),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            self.send_response(200 if body else 404)
            kind = "text/html" if self.path == "/" else "text/javascript"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def rabat(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table's time zone, for the WebKit process the driver starts next."""
    monkeypatch.setenv("TZ", "Africa/Casablanca")


def test_expression_table_in_webkit(rabat: None, served: str, webkit: Any) -> None:  # noqa: F811
    webkit.get(served)
    deadline = time.monotonic() + 10
    while not webkit.execute_script("return window.ready === true"):
        assert time.monotonic() < deadline, "the glue did not load in WebKit"
        time.sleep(0.05)
    results = webkit.execute_script(
        "return arguments[1].map((c) => window.runCase(arguments[0], c))",
        TABLE["answers"],
        CASES,
    )
    wrong = [
        f"{case['expr']!r}: expected {case['expected']!r}, got {got}"
        for case, got in zip(CASES, results, strict=True)
        if not _matches(case, got)
    ]
    assert wrong == [], "\n".join(wrong)
