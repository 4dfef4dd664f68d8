"""Picking one language out of a {lang: text} map, with a predictable fallback."""

from __future__ import annotations


def label(text: dict[str, str] | str | None, lang: str = "en") -> str:
    """The text in `lang`, else English, else the first language given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for key in (lang, "en"):
        if text.get(key):
            return text[key]
    return next(iter(text.values()), "")
