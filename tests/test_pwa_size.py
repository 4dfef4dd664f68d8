"""The participant app's shell stays small: HTML, JS and CSS gzip to at most 50 KB."""

from __future__ import annotations

import gzip
from pathlib import Path

PWA = Path(__file__).resolve().parents[1] / "pwa"
LIMIT = 50 * 1024


def shell_files() -> list[Path]:
    return sorted(p for p in PWA.rglob("*") if p.suffix in {".html", ".js", ".css", ".webmanifest"})


def gzipped_size(paths: list[Path]) -> int:
    """Bytes on the wire: each file gzipped on its own, as a server sends it."""
    return sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in paths)


def test_shell_gzips_to_at_most_50_kb() -> None:
    files = shell_files()
    assert {"index.html", "app.css", "sw.js", "app.js"} <= {p.name for p in files}
    assert gzipped_size(files) <= LIMIT
