"""Normalising pseudonymous participant codes so the same person matches across phases."""

from __future__ import annotations

import unicodedata

# Characters that people confuse when copying a code from a card or typing on a phone.
_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "I": "1",
        "L": "1",
        # Cyrillic and Greek capitals that look Latin.
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y",
        "Α": "A", "Β": "B", "Ε": "E", "Κ": "K", "Μ": "M", "Ν": "N", "Ρ": "P",
        "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z",
    }
)  # fmt: skip

_SEPARATORS = {" ", "-", "_", ".", "/", "\u200f", "\u200e", "\u200b"}

MAX_CODE = 32


def normalise_code(raw: str) -> str:
    """Uppercase, drop separators and accents, map look-alikes and Arabic-Indic digits."""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", raw):
        if ch in _SEPARATORS or unicodedata.combining(ch):
            continue
        if ch.isdigit():
            ch = str(unicodedata.digit(ch, 0)) if unicodedata.digit(ch, None) is not None else ch
        kept.append(ch)
    return "".join(kept).upper().translate(_LOOKALIKES)


def code_problem(code: str) -> str | None:
    """Why a normalised code (see `normalise_code`) cannot identify a participant, or None."""
    if len(code) < 3:
        return "The participant code is too short (at least 3 letters or digits)."
    if len(code) > MAX_CODE:
        return f"The participant code is longer than {MAX_CODE} characters."
    if not code.isalnum():
        return "The participant code may hold only letters and digits."
    return None
