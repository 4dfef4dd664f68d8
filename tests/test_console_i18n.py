"""The console in English, French and Arabic: every string translated, Arabic right to left."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.checks import PROBLEMS
from server.console import i18n
from tests.test_console_auth import session_headers

TEMPLATES = Path(__file__).resolve().parents[1] / "server" / "console" / "templates"
PAGES = ["/console", "/console/trainings/rabat-tot", "/console/trainings/rabat-tot/join",
         "/console/trainings/rabat-tot/monitor", "/console/trainings/rabat-tot/edit",
         "/console/forms", "/console/forms/upload", "/console/forms/tot-evaluation/2019.1",
         "/console/institutions", "/console/users", "/console/tokens", "/console/audit",
         "/console/uploads"]  # fmt: skip


def test_every_string_has_three_translations_and_the_same_placeholders() -> None:
    for key, texts in i18n.STRINGS.items():
        assert len(texts) == 3 and all(t.strip() for t in texts), key
        fields = [sorted(re.findall(r"{(\w+)}", text)) for text in texts]
        assert fields[0] == fields[1] == fields[2], key


def test_every_training_problem_is_translated_with_the_values_the_server_gives() -> None:
    for key, english in PROBLEMS.items():
        given = set(re.findall(r"{(\w+)}", english))
        console = i18n.STRINGS[f"problem_{key}"][0]
        assert set(re.findall(r"{(\w+)}", console)) <= given, key


#: Keys built in templates from a prefix and a value, with every value they can take.
BUILT = {
    "kind_": {"test", "evaluation"},
    "phase_": {"pre", "post", "evaluation", "followup"},
    "role_": {"admin", "trainer"},
    "status_": {"accepted", "duplicate", "conflict", "rejected"},
    "window_state_": {"open", "not_yet", "closed"},
}


def test_every_key_the_templates_use_exists() -> None:
    used: set[str] = set()
    prefixes: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\('([a-z0-9_]+)'\s*[,)]", text))
        prefixes |= set(re.findall(r"\bt\('([a-z0-9_]+)'\s*~", text))
    assert len(used) > 100, "t('...') calls not found"
    assert used - set(i18n.STRINGS) == set()
    assert prefixes == set(BUILT)
    built = {prefix + value for prefix, values in BUILT.items() for value in values}
    assert built - set(i18n.STRINGS) == set()


def test_language_comes_from_the_cookie_then_the_browser() -> None:
    assert i18n.choose("ar", "fr-FR,fr;q=0.9") == "ar"
    assert i18n.choose(None, "fr-FR,fr;q=0.9,en;q=0.5") == "fr"
    assert i18n.choose("xx", "de-DE") == "en"
    assert i18n.pick({"fr": "Bonjour", "en": "Hello"}, "ar") == "Hello"
    assert i18n.pick({"fr": "Bonjour"}, "ar") == "Bonjour"


async def test_switcher_remembers_the_language_and_arabic_pages_are_rtl(
    app: Litestar, client: AsyncTestClient[Litestar], training: dict[str, Any]
) -> None:
    headers, _ = await session_headers(app, "ada")
    switched = await client.get(
        "/console/lang/ar?next=/console/forms", headers=headers, follow_redirects=False
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/console/forms"
    cookie = switched.headers["set-cookie"]
    assert cookie.startswith("tadrib_lang=ar;") and "Path=/" in cookie
    arabic = {**headers, "Cookie": headers["Cookie"] + "; tadrib_lang=ar"}
    for path in PAGES:
        page = await client.get(path, headers=arabic)
        assert page.status_code == 200, path
        assert '<html lang="ar" dir="rtl">' in page.text, path
    dashboard = await client.get("/console", headers=arabic)
    assert "الدورات التكوينية" in dashboard.text and "تسجيل الخروج" in dashboard.text
    french = await client.get("/console", headers={**headers, "Accept-Language": "fr"})
    assert '<html lang="fr" dir="ltr">' in french.text and "Formations" in french.text


async def test_sign_in_page_speaks_the_chosen_language(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get("/console/login", headers={"Cookie": "tadrib_lang=ar"})
    assert '<html lang="ar" dir="rtl">' in page.text and "تسجيل الدخول" in page.text
    bad = await client.get("/console/lang/xx?next=https://evil.example/", follow_redirects=False)
    assert bad.headers["location"] == "/console" and "set-cookie" not in bad.headers


def test_stylesheet_uses_logical_properties_only() -> None:
    css = (TEMPLATES.parent / "static" / "console.css").read_text(encoding="utf-8")
    physical = re.findall(
        r"(?<![-\w])(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:|"
        r"text-align:\s*(left|right)|float:\s*(left|right)",
        css,
    )
    assert physical == []
