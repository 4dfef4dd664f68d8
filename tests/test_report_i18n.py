"""The HTML reports in English, French and Arabic: one strings module, ?lang= or the console's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.reports.build import build_report
from server.reports.programme import programme_report, summarise
from server.reports.render_html import render_html, render_programme
from server.reports.sample import sample_input
from server.reports.strings import LANGUAGES, METHODS_BY_LANG, UI, WORDS, check_reason, pick_lang
from tests.test_report_api import seed

ENGLISH_HEADINGS = ("Summary", "Results by institution", "Participant flow", "Methods.",
                    "Test statistics", "Unpaired means")  # fmt: skip


def _fields(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


@pytest.mark.parametrize("key", sorted(UI))
def test_every_string_has_three_languages_with_the_same_placeholders(key: str) -> None:
    en, fr, ar = UI[key]
    assert en and fr and ar, key
    assert _fields(en) == _fields(fr) == _fields(ar), key


def test_methods_are_translated_paragraph_for_paragraph() -> None:
    sizes = {lang: len(METHODS_BY_LANG[lang]) for lang in LANGUAGES}
    assert len(set(sizes.values())) == 1, sizes
    assert METHODS_BY_LANG["fr"] != METHODS_BY_LANG["en"] != METHODS_BY_LANG["ar"]


def test_words_inside_the_checks_are_translated_and_english_keeps_the_json_values() -> None:
    for kind, words in WORDS.items():
        for value, (en, fr, ar) in words.items():
            assert en == value and fr and ar and len({en, fr, ar}) == 3, (kind, value)
    sex = {"phase": "post", "first": "undisclosed", "later": "other"}
    assert check_reason("en", "sex", sex) == "post answered as undisclosed and as other"
    assert check_reason("fr", "sex", sex) == (
        "sexe « non précisé » puis « autre » pour le post-test"
    )
    assert check_reason("ar", "devices", {"phase": "evaluation", "n": 3}) == (
        "إرسال من أجهزة مختلفة عددها 3 في التقييم"
    )


def test_language_choice_prefers_the_query_then_the_cookie_then_english() -> None:
    assert pick_lang("ar", "fr") == "ar"
    assert pick_lang(None, "fr") == "fr"
    assert pick_lang("xx", None) == "en" and pick_lang(None, None) == "en"


@pytest.mark.parametrize(
    ("lang", "direction", "heading"),
    [("en", "ltr", "Summary"), ("fr", "ltr", "Synthèse"), ("ar", "rtl", "الملخص")],
)
def test_training_report_speaks_the_language_asked(lang: str, direction: str, heading: str) -> None:
    page = render_html(build_report(sample_input(20, 6), lang=lang), lang=lang)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert f"<h2>{heading}</h2>" in page
    assert METHODS_BY_LANG[lang][0] in page.replace("&#39;", "'")
    if lang != "en":
        for english in ENGLISH_HEADINGS:
            assert english not in page, (lang, english)


def test_arabic_keeps_numbers_dates_and_charts_left_to_right() -> None:
    report = build_report(sample_input(20, 6), lang="ar")
    page = render_html(report, lang="ar")
    assert "\u2066" + report["training"]["starts_on"] + "\u2069" in page  # an isolated date
    assert "direction: ltr" in page  # the stylesheet keeps numbers and charts LTR
    assert page.count('<div class="chart-wrap"><svg class="chart"') == 4
    assert "الاختبار القبلي" in page  # the chart legend is translated too


def test_programme_page_in_arabic_is_right_to_left() -> None:
    report = programme_report([summarise(sample_input(12, 5))])
    page = render_programme(report, lang="ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert "نتائج البرنامج" in page and "Programme results" not in page


async def test_console_language_cookie_is_the_default_and_query_wins(
    client: AsyncTestClient[Litestar], admin: dict[str, str], training: dict[str, Any]
) -> None:
    await seed(client, training["join_code"])
    url = f"/console/trainings/{training['id']}/report"
    assert "<h2>Summary</h2>" in (await client.get(url, headers=admin)).text
    client.cookies.set("tadrib_lang", "fr")
    french = (await client.get(url, headers=admin)).text
    assert '<html lang="fr" dir="ltr">' in french and "<h2>Synthèse</h2>" in french
    assert "Gendarmerie royale" in french  # institution names follow the language too
    arabic = (await client.get(url, params={"lang": "ar"}, headers=admin)).text
    assert '<html lang="ar" dir="rtl">' in arabic and "الدرك الملكي" in arabic
    programme = (await client.get("/console/programme", headers=admin)).text
    assert "Résultats du programme" in programme
