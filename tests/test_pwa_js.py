"""The participant app's pure JS modules (code, outbox retry and batching, i18n), under `node --test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

JS_TESTS = Path(__file__).resolve().parent / "browser" / "js"


def test_pure_js_modules_pass_their_node_tests() -> None:
    assert shutil.which("node"), "Node.js is needed: `make test` installs Debian's nodejs"
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    assert files
    run = subprocess.run(
        ["node", "--test", *files], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
