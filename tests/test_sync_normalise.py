"""Participant codes normalised so the same person matches across phases and phones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.normalise import code_problem, normalise_code


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


@given(st.text(max_size=12), st.sampled_from([" ", "-", ".", "/", "_", "\u200f"]))
def test_a_code_normalised_twice_or_typed_with_separators_is_the_same(
    typed: str, separator: str
) -> None:
    once = normalise_code(typed)
    assert normalise_code(once) == once
    assert normalise_code(separator.join(typed)) == once


@pytest.mark.parametrize(
    ("code", "problem"),
    [("AB", "too short"), ("A" * 33, "longer than 32"), ("AB\t12", "only letters and digits")],
)
def test_unusable_codes_are_explained(code: str, problem: str) -> None:
    found = code_problem(normalise_code(code))
    assert found is not None and problem in found
