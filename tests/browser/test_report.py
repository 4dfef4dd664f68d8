"""The HTML report renders in Chromium: charts drawn, nothing escapes, a screenshot and a PDF."""

from __future__ import annotations

from pathlib import Path

from server.reports.build import build_report
from server.reports.inputs import Response
from server.reports.render_html import render_html
from server.reports.sample import sample_input
from tests.live import launch_chromium


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
        browser = launch_chromium(pw)
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


def _programme_page(lang: str) -> str:
    from server.reports.programme import programme_report, summarise
    from server.reports.render_html import render_programme

    tot = summarise(sample_input(30, 10))
    cascade = summarise(sample_input(20, 10, seed=2))
    cascade.id, cascade.title, cascade.parent = "cascade", "Cascade training", tot.id
    cascade.starts_on = "2019-04-01"
    report = programme_report([tot, cascade])
    report["filters"] = {"country": None, "period": None}
    report["available"] = {"countries": ["MA"], "periods": ["2019-Q1", "2019-Q2"]}
    return render_programme(report, lang=lang, console_url="/console", api_url="/api")


def test_arabic_report_and_programme_mirror_fit_a_phone_and_print(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    pages = {
        "report-ar": render_html(build_report(sample_input(45, 15), lang="ar"), lang="ar"),
        "programme-en": _programme_page("en"),
        "programme-ar": _programme_page("ar"),
    }
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for name, html in pages.items():
                path = tmp_path / f"{name}.html"
                path.write_text(html, encoding="utf-8")
                page = browser.new_page(viewport={"width": 390, "height": 800})
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023
                page.goto(path.as_uri())
                assert not errors, name
                # Nothing pushes the page sideways on a phone: wide tables and charts scroll.
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
                h2 = page.locator("h2").first.bounding_box()
                assert h2 is not None
                if name.endswith("-ar"):
                    assert page.evaluate("document.dir") == "rtl"
                    text_right = page.evaluate(
                        "(() => { const r = document.createRange();"
                        " r.selectNodeContents(document.querySelector('h2'));"
                        " return r.getBoundingClientRect().right; })()"
                    )
                    assert text_right > 390 - 40, "Arabic headings start on the right"
                    svg = page.locator("svg.chart").first
                    assert svg.evaluate("e => getComputedStyle(e).direction") == "ltr"
                if name.startswith("programme"):
                    assert page.locator("svg.chart").count() >= 5
                    assert page.locator("ul.tree li ul li").count() == 1  # the cascade
                shot = tmp_path / f"{name}-phone.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 20_000
                page.emulate_media(media="print")
                assert (
                    page.locator("form.filters").count() == 0
                    or not page.locator("form.filters").is_visible()
                )
                pdf = tmp_path / f"{name}.pdf"
                page.pdf(path=str(pdf), format="A4")
                assert pdf.read_bytes().startswith(b"%PDF")
                page.close()
        finally:
            browser.close()
