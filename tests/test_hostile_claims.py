"""Hostile claims files through `factcheck verify`: each is refused quickly with exit 2 and
`file:line:col: message`, never expanded, never a traceback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factcheck import claims
from factcheck.cli import main

BILLION_LAUGHS = (
    "article: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    + "claims: *a9\n"
)


def quote_bomb(claims_count: int = 5_000) -> str:
    """One 9,999-character quote of digits, used by every claim through an alias: a
    150 kB file that would make the figure reader scan 50 million characters (15 minutes)."""
    quote = " ".join(["1"] * 5_000)
    head = f"claims:\n  - id: c0\n    quote: &q '{quote}'\n"
    return head + "".join(f"  - {{id: c{i}, quote: *q}}\n" for i in range(1, claims_count))


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def verify(text: str | bytes, *args: str) -> tuple[Result, float]:
    """`factcheck verify --offline claims.yaml`, and how long it took."""
    path = Path("claims.yaml")
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["verify", "--offline", "--cache-dir", "cache", *args])
    return result, time.perf_counter() - started


def assert_refused(result: Result, line: int, column: int, words: str) -> None:
    """Exit 2, one line `claims.yaml:line:col: …words…`, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert message.startswith(f"claims.yaml:{line}:{column}: "), message
    assert words in message and "\n" not in message
    assert "Traceback" not in result.output


def test_billion_laughs_is_refused_in_well_under_a_second() -> None:
    result, seconds = verify(BILLION_LAUGHS)
    assert_refused(result, 6, 5, "aliases expand this to over 500,000 values")
    assert seconds < 0.5


def test_an_aliased_quote_cannot_multiply_the_work() -> None:
    result, seconds = verify(quote_bomb())
    assert_refused(result, 2, 3, "aliases expand this to over 10,485,760 characters")
    assert seconds < 1.0


def test_an_alias_cycle_is_refused() -> None:
    text = "claims:\n  - id: a\n    quote: q\n    cite: &c {journal: *c}\n"
    result, _ = verify(text)
    assert_refused(result, 4, 11, "an alias refers to the value it is part of")


def test_too_many_values_are_refused_while_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims, "MAX_NODES", 1_000)
    result, _ = verify("claims: [" + ", ".join(["1"] * 2_000) + "]\n")
    assert_refused(result, 1, 3_001, "too many values (over 1,000)")


def test_a_file_over_10_mb_is_refused_unread() -> None:
    text = "claims:\n  - id: a\n    quote: q\n# " + "x" * claims.MAX_FILE_BYTES + "\n"
    result, seconds = verify(text)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"claims.yaml: file is {len(text):,} bytes; the limit is {claims.MAX_FILE_BYTES:,}"
    )
    assert seconds < 0.5


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("claims:\n  - id: a\n    quote: q\n    figures: " + "[" * 5_000 + "]" * 5_000, 4, 31),
        ("claims:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)), 20, 39),
        ("claims: " + "{a: " * 3_000 + "1" + "}" * 3_000, 1, 82),
    ],
    ids=["flow-sequences", "block-mappings", "flow-mappings"],
)
def test_nesting_deeper_than_the_schema_is_refused(text: str, line: int, column: int) -> None:
    result, seconds = verify(text + "\n")
    assert_refused(result, line, column, "nested more than 20 levels deep")
    assert seconds < 1.0


def test_a_100_000_character_quote_is_refused() -> None:
    result, _ = verify(f"claims:\n  - id: a\n    quote: {'x' * 100_000}\n")
    assert_refused(result, 3, 12, "'quote' is 100,000 characters")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!int abc", "cannot read 'abc' as int"),
        ("!!float x", "cannot read 'x' as float"),
        ("!!bool maybe", "cannot read 'maybe' as bool"),
        ("!!timestamp nope", "cannot read 'nope' as timestamp"),
        ("2001-13-45", "cannot read '2001-13-45' as timestamp"),
        ("=", "cannot read '=' as value"),
        ("<<", "cannot read '<<' as merge"),
        ("!custom x", "cannot read 'x' as !custom"),
        ("!!python/object x", "cannot read 'x' as python/object"),
    ],
)
def test_values_that_do_not_fit_their_tag_are_refused(value: str, words: str) -> None:
    result, _ = verify(f"claims:\n  - id: a\n    quote: {value}\n")
    assert_refused(result, 3, 12, words)


@pytest.mark.parametrize(
    ("key", "column"), [("pmid", 13), ("pmcid", 14), ("month", 14), ("year", 13)]
)
def test_superscript_digits_are_not_digits(key: str, column: int) -> None:
    value = "'PMC²'" if key == "pmcid" else "'²'"
    result, _ = verify(f"claims:\n  - id: a\n    quote: q\n    cite:\n      {key}: {value}\n")
    assert_refused(result, 5, column, f"'{key}' must")


def test_control_characters_in_the_file_are_refused_with_their_position() -> None:
    result, _ = verify("claims:\n  - id: a\n    quote: 'q \x1b[2J'\n")
    assert_refused(result, 3, 15, "special characters are not allowed (U+001B)")


def test_a_quote_with_control_characters_spelled_as_escapes_stays_text() -> None:
    text = 'claims:\n  - id: a\n    quote: "48 of 61 (77%) \\e[2J\\e]8;;http://evil\\a x"\n'
    result, _ = verify(text, "--format", "json")
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\u001b[2J" in result.output  # kept, escaped by JSON


@pytest.mark.parametrize("kind", ["device", "symlink-to-device", "named-pipe"])
def test_a_claims_file_that_never_ends_is_refused_unread(kind: str, tmp_path: Path) -> None:
    """A pull request can make claims.yaml a symlink to /dev/zero, or a named pipe."""
    path = Path("claims.yaml")
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "symlink-to-device":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["verify", "--offline", "--cache-dir", "cache", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}: not a regular file, so not a claims file"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("rate", "column", "words"),
    [
        (f"{{count: 47, total: 1{'0' * 400}}}", 28, "'total' must be at most 999,999,999,999,"),
        (f"{{count: 1{'0' * 18}, total: 61}}", 17, "'count' must be at most 999,999,999,999,"),
    ],
)
def test_a_rate_too_large_for_arithmetic_is_refused(rate: str, column: int, words: str) -> None:
    text = "claims:\n  - id: a\n    quote: 'Of 61 patients, 47 responded.'\n    figures:\n"
    result, _ = verify(f"{text}      - {rate}\n")
    assert_refused(result, 5, column, words)


ALIASED_CITE = (
    "claims:\n"
    "  - {id: a, quote: q, cite: &c {journal: J, year: 2017}}\n"
    "  - {id: b, quote: q, cite: *c}\n"
)  # 25 values with the alias expanded: 3 above the claims, 11 in each (5 in the cite)


def test_the_value_budget_counts_aliases_once_per_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Composing counts what reading the file will visit, so at exactly the budget the file
    is read through, and one value fewer refuses it before reading."""
    monkeypatch.setattr(claims, "MAX_NODES", 25)
    result, _ = verify(ALIASED_CITE)
    assert result.exit_code == 3, result.output  # read; the sources are not in the cache
    assert "claims.yaml · 2 claims ·" in result.output
    monkeypatch.setattr(claims, "MAX_NODES", 24)
    result, _ = verify(ALIASED_CITE)
    assert_refused(result, 1, 1, "aliases expand this to over 24 values: refusing the file")
