"""The expression table (tests/data/expressions.json) run in Chromium by the vendored
openrosa-xpath-evaluator, the engine the participant app will use: the same expressions give
the same values on the phone as in Python (tests/test_expressions.py). The engine waits in
tests/vendor/ until the app loads it (its service worker must then precache it).

The page builds what the phone will have: an XForm-like instance with one element per question
(`<data><age>34</age>...</data>`), `${name}` read as `/data/name`, `.` as the question being
answered and a choice filter evaluated with the choice as its context.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import sync_playwright

from tests.live import ROOT, launch_chromium

TABLE = json.loads((ROOT / "tests" / "data" / "expressions.json").read_text("utf-8"))
#: Expressions the import refuses never reach a phone; the rest must agree.
CASES = [case for case in TABLE["cases"] if not case.get("error")]
VENDOR = ROOT / "tests" / "vendor" / "openrosa-xpath-evaluator.js"
ORIGIN = "http://expressions.test"

PAGE = """<!doctype html><meta charset="utf-8"><script type="module">
import orxe from "/vendor/openrosa-xpath-evaluator.js";
const evaluator = orxe();
const text = (v) => v === null || v === undefined ? "" : Array.isArray(v) ? v.join(" ") : String(v);
window.runCase = (answers, c) => {
  const doc = document.implementation.createDocument(null, "data", null);
  const root = doc.documentElement;
  const names = new Set(Object.keys(answers));
  for (const m of c.expr.matchAll(/\\$\\{\\s*([^}\\s]+)\\s*\\}/g)) names.add(m[1]);
  for (const name of names) {
    const el = doc.createElement(name);
    el.textContent = text(answers[name]);
    root.appendChild(el);
  }
  let context = doc.createElement("current");
  context.textContent = text(c.current);
  root.appendChild(context);
  if (c.choice) {
    context = doc.createElement("item");
    for (const [k, v] of Object.entries(c.choice)) {
      const el = doc.createElement(k);
      el.textContent = v;
      context.appendChild(el);
    }
    root.appendChild(context);
  }
  const expr = c.expr.replace(/\\$\\{\\s*([^}\\s]+)\\s*\\}/g, "/data/$1");
  try {
    const r = evaluator.evaluate(expr, context, null, XPathResult.ANY_TYPE, null);
    if (r.resultType === XPathResult.NUMBER_TYPE) return { number: r.numberValue };
    if (r.resultType === XPathResult.BOOLEAN_TYPE) return { boolean: r.booleanValue };
    if (r.resultType === XPathResult.STRING_TYPE) return { string: r.stringValue };
    if (typeof r.iterateNext !== "function") {  // a date: read as the string it writes
      const s = evaluator.evaluate(expr, context, null, XPathResult.STRING_TYPE, null);
      return { string: s.stringValue };
    }
    const node = r.iterateNext();
    return { string: node ? node.textContent : "" };
  } catch (e) {
    return { error: String(e && e.message || e) };
  }
};
window.ready = true;
</script>"""


def _serve(route: Any) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/vendor/openrosa-xpath-evaluator.js":
        route.fulfill(body=VENDOR.read_bytes(), content_type="text/javascript")
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
