"""Month names and numbers, and plain digits: one reading of each, shared by the claims
loader, the PubMed parser, the citation checks and the article's sentences. Pure functions."""

from __future__ import annotations

MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def ascii_digits(text: str) -> bool:
    """0-9 only: str.isdigit() also takes "²", which int() refuses."""
    return text.isascii() and text.isdigit()


def month_number(word: str) -> int | None:
    """1-12 for a month given by number ("12") or by name, whole or cut to three letters or
    more ("December", "dec", "Sept."), in any case; None for anything else."""
    word = word.strip().casefold().rstrip(".")
    if ascii_digits(word):
        number = int(word)
        return number if 1 <= number <= 12 else None
    if len(word) < 3:
        return None
    for number, name in enumerate(MONTH_NAMES, start=1):
        if name.casefold().startswith(word):
            return number
    return None
