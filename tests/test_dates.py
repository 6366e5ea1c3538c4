"""factcheck.dates: the one reading of month names and plain digits."""

from __future__ import annotations

import pytest

from factcheck.dates import ascii_digits, month_number


@pytest.mark.parametrize(
    ("word", "number"),
    [
        ("December", 12),
        ("dec", 12),
        ("Dec.", 12),
        ("Sept.", 9),
        ("SEPTEMBER", 9),
        (" 12 ", 12),
        ("1", 1),
        ("13", None),
        ("0", None),
        ("De", None),  # too short to tell
        ("Decembers", None),
        ("Mayo", None),
        ("", None),
        ("１２", None),  # full-width digits are not 0-9
    ],
)
def test_month_number(word: str, number: int | None) -> None:
    assert month_number(word) == number


@pytest.mark.parametrize(("text", "digits"), [("29923953", True), ("²", False), ("", False)])
def test_ascii_digits(text: str, digits: bool) -> None:
    assert ascii_digits(text) is digits
