"""The expression table (tests/data/expressions.json) run in Chromium through the participant
app's own glue (pwa/js/logic.js) and the vendored openrosa-xpath-evaluator (pwa/vendor/): the
same expressions give the same values on the phone as in Python (tests/test_expressions.py).

The glue builds an XForm-like instance with one element per question
(`<data><age>34</age>...</data>`), reads `${name}` as `/data/name`, `.` as the question being
answered, and evaluates a choice filter with the choice as its context.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import sync_playwright

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
