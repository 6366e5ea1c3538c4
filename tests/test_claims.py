"""Loading claims files: the happy path and every bad input a writer can produce."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from factcheck.claims import load_claims
from factcheck.errors import InputError
from factcheck.models import Hedge

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str, name: str = "claims.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_claims(path)
    return info.value


GOOD = """\
claims:
  - id: jefferson-responders
    quote: "Among the sixty-one participants, forty-eight responded, a 77% success rate."
    cite:
      journal: Regional Anesthesia & Pain Medicine
      year: 2018
      month: Dec
      authors: [Schwenk]
"""


def test_good_file_loads_with_positions(tmp_path: Path) -> None:
    claims_file = load_claims(write(tmp_path, GOOD))
    (claim,) = claims_file.claims
    assert claim.id == "jefferson-responders"
    assert claim.line == 2
    assert claim.cite is not None
    assert claim.cite.journal == "Regional Anesthesia & Pain Medicine"
    assert (claim.cite.year, claim.cite.month, claim.cite.authors) == (2018, 12, ("Schwenk",))
    assert claim.cite.line_of("year") == 6
    assert claim.figures_from_quote


def test_rate_read_from_the_quote(tmp_path: Path) -> None:
    (claim,) = load_claims(write(tmp_path, GOOD)).claims
    assert [(r.count, r.total) for r in claim.rates] == [(48, 61)]
    assert claim.rates[0].percent is not None
    assert claim.rates[0].percent.value == 77


def test_figures_given_explicitly(tmp_path: Path) -> None:
    text = """\
claims:
  - id: c1
    quote: "Some quote."
    figures:
      - 61
      - "about 40%"
      - {count: 48, total: 61, percent: 77}
"""
    (claim,) = load_claims(write(tmp_path, text)).claims
    assert not claim.figures_from_quote
    assert [(r.count, r.total, r.line) for r in claim.rates] == [(48, 61, 7)]
    values = [(f.value, f.percent, f.hedge) for f in claim.figures]
    assert (40, True, Hedge.ABOUT) in values
    assert (61, False, Hedge.EXACT) in values
    assert (77, True, Hedge.EXACT) in values


def test_largest_whole_number_a_rate_takes(tmp_path: Path) -> None:
    text = "claims:\n  - id: c1\n    quote: q\n    figures:\n"
    text += "      - {count: 999999999999999999, total: 999999999999999999}\n"
    (claim,) = load_claims(write(tmp_path, text)).claims
    assert [(r.count, r.total) for r in claim.rates] == [(10**18 - 1, 10**18 - 1)]


def test_numeric_looking_text_is_kept_as_written(tmp_path: Path) -> None:
    text = "claims:\n"
    for claim_id in ("010", "0x8", "1.50", "1_000", "1:30", ".inf", "7"):
        text += f"  - id: {claim_id}\n    quote: q\n"
    text += "  - id: c\n    quote: 1.50\n    cite: {pmid: 0012345, journal: 2.0, authors: [1e3]}\n"
    claims = load_claims(write(tmp_path, text)).claims
    assert [c.id for c in claims] == ["010", "0x8", "1.50", "1_000", "1:30", ".inf", "7", "c"]
    assert claims[-1].quote == "1.50"
    cite = claims[-1].cite
    assert cite is not None
    assert (cite.pmid, cite.journal, cite.authors) == ("0012345", "2.0", ("1e3",))


def test_a_duplicate_id_is_named_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "claims:\n  - id: 010\n    quote: q\n  - id: 010\n    quote: r\n")
    assert str(error_of(path)) == (f"{path}:4:5: claim '010': duplicate id (first used on line 2)")


def test_a_hexadecimal_pmid_is_not_read_as_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, "claims:\n  - id: a\n    quote: q\n    cite: {pmid: 0x1F}\n")
    assert str(error_of(path)) == (
        f"{path}:4:18: claim 'a': 'pmid' must be a PubMed ID (digits), got '0x1F'"
    )


def test_volume_and_pages_load_as_written_with_their_lines(tmp_path: Path) -> None:
    text = GOOD + "      volume: 43\n      pages: 875-879\n"
    (claim,) = load_claims(write(tmp_path, text)).claims
    assert claim.cite is not None
    assert (claim.cite.volume, claim.cite.pages) == ("43", "875-879")
    assert (claim.cite.line_of("volume"), claim.cite.line_of("pages")) == (9, 10)
    text = GOOD + "      volume: '043'\n      pages: e12\n"
    (claim,) = load_claims(write(tmp_path, text)).claims
    assert claim.cite is not None
    assert (claim.cite.volume, claim.cite.pages) == ("043", "e12")


def test_the_repository_claims_file_loads() -> None:
    claims_file = load_claims(ROOT / "claims.yaml")
    assert len(claims_file.claims) >= 12
    ids = [c.id for c in claims_file.claims]
    assert "jefferson-responders" in ids
    assert len(set(ids)) == len(ids)


BAD_INPUTS = [
    # (file text, line, column, words the message must contain)
    ("claims:\n  - id: a\n    quote: [unclosed\n", 4, 1, "invalid YAML"),
    ("claims:\n\t- id: a\n", 2, 1, "tab character"),
    ("article: x.md\n", 1, 1, "missing 'claims:'"),
    ("claims: 12\n", 1, 9, "must be a list"),
    ("claims: []\n", 1, 9, "'claims' is empty"),
    ("- id: a\n  quote: b\n", 1, 1, "must be a mapping"),
    ("claims:\n  - quote: q\n", 2, 5, "missing 'id'"),
    ("claims:\n  - id: ''\n    quote: q\n", 2, 9, "'id' is empty"),
    ("claims:\n  - id: a\n", 2, 5, "missing 'quote'"),
    ("claims:\n  - id: a\n    quote: '   '\n", 3, 12, "'quote' is empty"),
    (
        "claims:\n  - id: a\n    quote: q\n  - id: a\n    quote: r\n",
        4,
        5,
        "duplicate id (first used on line 2)",
    ),
    ("claims:\n  - id: a\n    quote: q\n    citation: {}\n", 4, 5, "did you mean 'cite'?"),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      yr: 2018\n", 5, 7, "did you mean 'year'?"),
    (
        "claims:\n  - id: a\n    quote: q\n    cite:\n      year: twenty\n",
        5,
        13,
        "'year' must be a whole number, got 'twenty'",
    ),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      month: Smarch\n", 5, 14, "month name"),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      pmid: abc\n", 5, 13, "PubMed ID"),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      doi: nope\n", 5, 12, "10.1234/abc"),
    (
        "claims:\n  - id: a\n    quote: q\n    figures:\n      - {count: 1, total: 0}\n",
        5,
        27,
        "'total' must be at least 1",
    ),
    (
        "claims:\n  - id: a\n    quote: q\n    figures:\n      - {count: 62, total: 61}\n",
        5,
        17,
        "count 62 is more than total 61",
    ),
    (
        "claims:\n  - id: a\n    quote: q\n    figures:\n"
        "      - {count: 1, total: 2, percent: 130}\n",
        5,
        39,
        "not a share",
    ),
    ("claims:\n  - id: a\n    quote: q\n    figures: 12\n", 4, 14, "must be a list"),
    ("claims:\n  - id: a\n    quote: q\n    figures:\n      - 'banana'\n", 5, 9, "figure"),
    ("claims:\n  - id: a\n    quote: q\n    id: b\n", 4, 5, "given twice"),
    (
        "claims:\n  - id: a\n    quote: q\n    figures:\n"
        "      - {count: 1, total: 1000000000000000000}\n",
        5,
        27,
        "'total' must be at most 999,999,999,999,999,999, got 1000000000000000000",
    ),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      volume: [1]\n", 5, 15, "single value"),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      volume: true\n", 5, 15, "text"),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      pages: {a: 1}\n", 5, 14, "single"),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      pages: ' - '\n", 5, 14, "a page"),
    ("claims:\n  - id: a\n    quote: q\n    cite:\n      volumes: 4\n", 5, 7, "'volume'?"),
    (
        "claims:\n  - id: a\n    quote: q\n    cite:\n      year: 1700\n",
        5,
        13,
        "'year' must be a year like 2018, got 1700",
    ),
    (
        f"claims:\n  - id: a\n    quote: q\n    cite:\n      year: 1{'0' * 400}\n",
        5,
        13,
        "'year' must be a year like 2018, got 1" + "0" * 36 + "...",
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), BAD_INPUTS)
def test_bad_input_names_file_line_and_column(
    tmp_path: Path, text: str, line: int, column: int, words: str
) -> None:
    path = write(tmp_path, text)
    error = error_of(path)
    assert (error.line, error.column) == (line, column), str(error)
    assert words in error.message
    assert str(error).startswith(f"{path}:{line}:{column}: ")


def test_empty_file(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, "\n  \n"))
    assert "empty" in error.message


def test_comment_only_file(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, "# nothing yet\n"))
    assert "no content" in error.message


def test_missing_file(tmp_path: Path) -> None:
    error = error_of(tmp_path / "absent.yaml")
    assert str(error) == f"{tmp_path / 'absent.yaml'}: no such file"


def test_directory(tmp_path: Path) -> None:
    assert "directory" in error_of(tmp_path).message


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert "binary" in error_of(path).message


def test_non_utf8_file_gives_the_position(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes(b"claims:\n  - id: caf\xe9\n    quote: q\n")
    error = error_of(path)
    assert "UTF-8" in error.message
    assert (error.line, error.column) == (2, 12)


def test_non_utf8_position_counts_characters_not_bytes(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes("claims:\n  - id: été-café ".encode() + b"caf\xe9\n    quote: q\n")
    assert str(error_of(path)) == f"{path}:2:21: not UTF-8 text (save the file as UTF-8)"


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["claims:", "  - id: x", "    quote: q", "    cite:"]
    lines.append('      title: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
    lines.append("  - id: y\n    quote: q\n    cite:")
    lines.extend(f"      a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10))
    lines.append("      authors: *a9")
    path = write(tmp_path, "\n".join(lines) + "\n")
    started = time.perf_counter()
    error = error_of(path)
    assert time.perf_counter() - started < 1.0
    assert error.line is not None


def test_aliases_within_budget_are_followed(tmp_path: Path) -> None:
    text = "claims:\n  - id: x\n    quote: q\n    cite: &c {journal: Headache, year: 2017}\n"
    for i in range(12):
        text += f"  - id: y{i}\n    quote: q\n    cite: *c\n"
    claims = load_claims(write(tmp_path, text)).claims
    assert len(claims) == 13
    assert all(c.cite is not None and c.cite.journal == "Headache" for c in claims)


def test_oversized_quote(tmp_path: Path) -> None:
    text = f"claims:\n  - id: a\n    quote: {'x' * 100_000}\n"
    error = error_of(write(tmp_path, text))
    assert "100,000 characters" in error.message


def test_one_suggestion_for_every_misspelt_name() -> None:
    from factcheck.accept import ACCEPTABLE, SEE_THE_CHECKS
    from factcheck.claims import suggestion

    assert suggestion("yr", ("year", "month")) == " (did you mean 'year'?)"
    assert suggestion("the_year_cited", ("year", "month")) == " (did you mean 'year'?)"
    assert suggestion("zzz", ("year", "month")) == " (expected one of: year, month)"
    otherwise = suggestion("zzz", ACCEPTABLE, cutoff=0.6, otherwise=SEE_THE_CHECKS)
    assert otherwise == " (see the checks in the README)"
    close = suggestion("figure.arithmetc", ACCEPTABLE, cutoff=0.6, otherwise=SEE_THE_CHECKS)
    assert close == " (did you mean 'figure.arithmetic'?)"


@pytest.mark.parametrize(
    ("written", "read"), [("pmc4014022", "PMC4014022"), ("4014022", "PMC4014022")]
)
def test_a_pmcid_is_read_in_one_form(tmp_path: Path, written: str, read: str) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(f"claims:\n  - id: a\n    quote: q\n    cite: {{pmcid: '{written}'}}\n")
    (claim,) = load_claims(path).claims
    assert claim.cite is not None and claim.cite.pmcid == read


def test_a_pmcid_that_is_not_one_is_refused_as_written(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - id: a\n    quote: q\n    cite: {pmcid: 'pmc12x'}\n")
    with pytest.raises(InputError, match=r"must look like PMC1234567, got 'pmc12x'"):
        load_claims(path)
