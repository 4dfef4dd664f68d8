"""The HTML report renders in Chromium: charts drawn, nothing escapes, a screenshot and a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.reports.build import build_report
from server.reports.inputs import Response
from server.reports.render_html import render_html
from server.reports.sample import sample_input

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.mark.browser
def test_report_renders_in_chromium_with_charts_and_a_screenshot(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    inp = sample_input(45, 15)
    inp.responses.append(
        Response(
            submission_id="evil",
            code="ZZZ99",
            institution="police",
            sex="female",
            phase="evaluation",
            completed_at="2019-01-11T17:00:00Z",
            answers={"e1": 5, "c1": "<img src=x onerror=\"document.title='pwned'\">"},
        )
    )
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(build_report(inp)), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            assert page.title() == "Report: Sample training"
            assert page.locator("svg.chart").count() == 4
            assert page.locator("svg.chart circle").count() >= 12  # pre and post per group
            assert page.get_by_text("<img src=x", exact=False).count() == 1  # shown as text
            assert page.locator("img").count() == 0
            assert not errors
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
            pdf = tmp_path / "report.pdf"
            page.pdf(path=str(pdf), format="A4")
            assert pdf.read_bytes().startswith(b"%PDF")
        finally:
            browser.close()
