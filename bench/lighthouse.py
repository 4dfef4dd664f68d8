"""Benchmark: Lighthouse's mobile performance and accessibility scores of the participant app.

Runs npm's `lighthouse` (pinned in bench/package.json, installed into bench/node_modules on
first use) on Debian's Chromium against a real `tadrib serve` with a seeded training, on the
join page `/t/<code>` and on `/app/`, each a first visit (Lighthouse clears the origin's
storage). Prints both scores of each page and every audit that is not passed; the bar is
100 and 100. Run: `.venv/bin/python bench/lighthouse.py [--runs N] [--strict]`; with
`--strict` it exits 1 when a score is below 100.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live import LiveServer, admin_token, seed  # noqa: E402

BENCH = ROOT / "bench"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CATEGORIES = ("performance", "accessibility")
#: Modes whose score counts: the rest (manual, informative, not applicable) never fail.
SCORED = {"binary", "numeric", "metricSavings"}
RUN_TIMEOUT_S = 240


def install() -> None:
    """`npm ci` into bench/node_modules, from the committed lock file, when it is missing."""
    if LIGHTHOUSE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to install Lighthouse (apt-get install npm)")
    print("installing Lighthouse into bench/node_modules (npm ci)", flush=True)
    subprocess.run(
        [npm, "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund", "--loglevel=error"],
        check=True,
        timeout=600,
    )


def audit(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile, its default form factor) on `url`; the JSON report."""
    command = [
        str(LIGHTHOUSE), url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json", f"--output-path={out}", "--quiet",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse could not audit {url}: {report['runtimeError']}")
    return report


def scores(report: dict[str, Any]) -> dict[str, int]:
    return {key: round(100 * (report["categories"][key]["score"] or 0)) for key in CATEGORIES}


def where(details: dict[str, Any] | None) -> list[str]:
    """The elements or URLs an audit points at, for the listing."""
    found = []
    for item in (details or {}).get("items", [])[:5]:
        node = item.get("node") if isinstance(item, dict) else None
        if isinstance(node, dict):
            found.append(f"{node.get('selector', '')}  {node.get('snippet', '')[:120]}")
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            found.append(item["url"])
    return found


def failing(report: dict[str, Any]) -> list[str]:
    """Lines describing each audit of the two categories that is not passed."""
    lines = []
    seen: set[str] = set()
    for key in CATEGORIES:
        for ref in report["categories"][key]["auditRefs"]:
            result = report["audits"][ref["id"]]
            score = result.get("score")
            if ref["id"] in seen or score is None or score >= 1:
                continue
            if result.get("scoreDisplayMode") not in SCORED:
                continue
            seen.add(ref["id"])
            value = f" ({result['displayValue']})" if result.get("displayValue") else ""
            lines.append(
                f"  {key[:4]} {ref['id']}: score {score:.2f}, weight {ref['weight']}"
                f" - {result['title']}{value}"
            )
            lines.extend(f"      {place}" for place in where(result.get("details")))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the lowest counts")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a score is below 100")
    args = parser.parse_args()
    install()

    lowest: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        token = admin_token(db)
        with LiveServer(db) as server:
            code = seed(server.url, token)["join_code"]
            pages = {"join page /t/<code>": f"/t/{code}", "app /app/": "/app/"}
            for name, path in pages.items():
                for run in range(max(1, args.runs)):
                    report = audit(server.url + path, Path(tmp) / f"report-{run}.json")
                    got = scores(report)
                    metrics = report["audits"]
                    print(
                        f"{name}: performance {got['performance']}, "
                        f"accessibility {got['accessibility']} (limit 100 each); "
                        f"FCP {metrics['first-contentful-paint']['displayValue']}, "
                        f"LCP {metrics['largest-contentful-paint']['displayValue']}, "
                        f"TBT {metrics['total-blocking-time']['displayValue']}, "
                        f"CLS {metrics['cumulative-layout-shift']['displayValue']}",
                        flush=True,
                    )
                    for line in failing(report):
                        print(line)
                    for key, value in got.items():
                        label = f"{name} {key}"
                        lowest[label] = min(value, lowest.get(label, 100))
    below = {label: value for label, value in lowest.items() if value < 100}
    if below:
        print("below 100: " + ", ".join(f"{label} {value}" for label, value in below.items()))
    return 1 if below and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
