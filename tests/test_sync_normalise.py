"""Participant codes normalised so the same person matches across phases and phones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.normalise import _normalise_unicode, code_problem, normalise_code


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ab-12 c.d/e_f", "AB12CDEF"),
        ("fat-1985-07", "FAT198507"),
        ("olive", "011VE"),  # O/0 and I/L/1 are the same on a card
        ("Fâtima", "FAT1MA"),  # accents dropped, I read as 1
        ("РАМ", "PAM"),  # Cyrillic look-alikes
        ("كريم٢٠٢٤", "كريم2024"),  # Arabic-Indic digits
        ("ab\u200f12", "AB12"),  # a right-to-left mark from an Arabic keyboard
    ],
)
def test_codes_are_normalised(typed: str, normalised: str) -> None:
    assert normalise_code(typed) == normalised


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_shortcut_gives_the_same_code_as_the_unicode_path(typed: str) -> None:
    assert normalise_code(typed) == _normalise_unicode(typed)


@pytest.mark.parametrize(
    ("code", "problem"),
    [("AB", "too short"), ("A" * 33, "longer than 32"), ("AB\t12", "only letters and digits")],
)
def test_unusable_codes_are_explained(code: str, problem: str) -> None:
    found = code_problem(normalise_code(code))
    assert found is not None and problem in found
