"""Property-based tests: the claims loader and the figure reader take any input.

The only outcomes allowed are a valid result or a clean `InputError` / `ValueError`: never
another exception, never a hang. Each target runs 2,000 examples, derandomized (seeded) so
CI is repeatable; `HYPOTHESIS_PROFILE=long` runs 20,000 random ones locally.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.claims import MAX_QUOTE_CHARS, load_claims
from factcheck.errors import InputError
from factcheck.models import ClaimsFile
from factcheck.numbers import find_mentions, parse_figure, read_figures

settings.register_profile(
    "ci",
    max_examples=2_000,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=20_000,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# --- text that looks like claims files and health writing -----------------------------------

YAML_PIECES = st.sampled_from(
    [
        "claims:",
        "article: a.md",
        "\n",
        "\n  - ",
        "  ",
        "- ",
        "id: ",
        "quote: ",
        "cite:",
        "\n    cite:\n      ",
        "figures:",
        "pmid: ",
        "doi: 10.1/x",
        "journal: ",
        "year: ",
        "month: ",
        "authors: ",
        "count: ",
        "total: ",
        "percent: ",
        "&a ",
        "*a",
        "[",
        "]",
        "{",
        "}",
        ", ",
        ": ",
        "'",
        '"',
        "!!int ",
        "!!binary ",
        "!!timestamp ",
        "!foo ",
        "<<: ",
        "=",
        "? ",
        "|\n",
        ">-\n",
        "# c",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "\t",
        "\\",
        "\\e",
        "2018",
        "2001-13-45",
        "77%",
        "48 of 61",
        "²",
        "\x1b[2J",
        "\x85",
        "\ufeff",
        "\r",
        "~",
        ".inf",
        "0x1F",
    ]
)
NUMBER_PIECES = st.sampled_from(
    [
        *"0123456789 ,.·-–—/%()<>~±≤≥×abefhgimnorstuy\n",
        "one",
        "forty-",
        "eight",
        "hundred",
        "thousand",
        "million",
        " in ",
        " of ",
        " out of ",
        " and ",
        " to ",
        "between ",
        "nearly ",
        "more than ",
        "up to ",
        "about ",
        "among ",
        " of these",
        "mg/kg/h",
        "25-milligram",
        " days",
        " percent",
        "P < ",
        "2016",
        "10,921",
        "96 032",
        "53·8",
        "½",
        "²",
        "١٢",
        "１２",
        "1e5",
        "0.",
        " patients",
        "doi:10.1/2",
        "PMID 123",
        "http://x/1",
        "\u202e",
    ]
)


def _joined(
    pieces: st.SearchStrategy[str], size: int, printable: bool = False
) -> st.SearchStrategy[str]:
    alphabet = st.characters(exclude_categories=("Cc", "Cs")) if printable else st.characters()
    return st.lists(pieces | st.text(alphabet, max_size=4), max_size=size).map("".join)


ANY_TEXT = st.text(max_size=300) | _joined(YAML_PIECES, 60)
PROSE = st.text(max_size=300) | _joined(NUMBER_PIECES, 80)

# --- claims files: a valid skeleton, raw YAML values --------------------------------------

RAW_VALUES = st.sampled_from(
    [
        "q",
        "'text'",
        "2018",
        "Dec",
        "12",
        "29923953",
        "10.1097/AAP.0000000000000827",
        "PMC123",
        "[Schwenk, Dayan]",
        "{count: 48, total: 61, percent: 77}",
        "77%",
        '"4-14 days"',
        "!!int abc",
        "!!float x",
        "!!bool maybe",
        "!!timestamp nope",
        "!!binary '###'",
        "!!str 12",
        "!!map x",
        "!foo x",
        "=",
        "<<",
        "2001-13-45",
        "2001-01-01",
        "'²'",
        '"٣"',
        ".nan",
        "-.inf",
        "1e400",
        "0x1F",
        "~",
        "&a q",
        "*a",
        "[]",
        "{}",
        "''",
        '"\\e[2J"',
    ]
)
# Printable values: one control character refuses the whole file, and the schema is the target.
PRINTABLE = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)
# Digits of every script, superscripts and fractions: "²".isdigit() is True, int("²") fails.
DIGITS = st.sampled_from(["'²'", "'³³'", "'①'", "'١٢'", "'½'", "'１２'", "'⁵'"]) | st.text(
    st.characters(categories=("Nd", "No")), min_size=1, max_size=3
).map(repr)
VALUES = RAW_VALUES | _joined(NUMBER_PIECES, 6, printable=True) | PRINTABLE | DIGITS
QUOTES = _joined(NUMBER_PIECES, 12, printable=True).map(lambda text: repr(text.replace("\n", " ")))
CITE_FIELDS = "pmid doi pmcid journal year month authors title affiliation".split()
VALID = {
    "pmid": "29923953",
    "doi": "10.1097/AAP.0000000000000827",
    "pmcid": "PMC1234",
    "journal": "Headache",
    "year": "2018",
    "month": "Dec",
    "authors": "[Schwenk, Dayan]",
    "title": "'Ketamine for headache'",
    "affiliation": "Thomas Jefferson University",
    "figure": "'77%'",
    "count": "48",
    "total": "61",
    "percent": "77",
}


SLOTS = ["id", "quote", *VALID]


@st.composite
def claims_files(draw: st.DrawFn) -> str:
    """A valid claims file (every key of the schema used) with one slot holding a wild value,
    so that each key is reached with hostile values often."""
    wild = draw(st.sampled_from(SLOTS))
    values = {**VALID, "id": "c1", "quote": draw(QUOTES), wild: draw(VALUES)}
    cite = [f"      {key}: {values[key]}" for key in VALID if key in CITE_FIELDS]
    rate = ", ".join(f"{key}: {values[key]}" for key in ("count", "total", "percent"))
    lines = [
        "claims:",
        f"  - id: {values['id']}",
        f"    quote: {values['quote']}",
        "    cite:",
        *cite,
        "    figures:",
        f"      - {values['figure']}",
        f"      - {{{rate}}}",
    ]
    return "\n".join(lines) + "\n"


# --- YAML-able structures ---------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | _joined(NUMBER_PIECES, 12)
    | st.dates()
)
KEYS = st.sampled_from(
    "article claims id quote cite figures pmid doi pmcid journal year month authors title "
    "affiliation count total percent citation yr".split()
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=6) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)
RATES = st.fixed_dictionaries(
    {}, optional={"count": SCALARS, "total": SCALARS, "percent": SCALARS, "other": SCALARS}
)
CITES = st.fixed_dictionaries(
    {},
    optional={
        key: SCALARS | st.lists(SCALARS, max_size=3)
        for key in "pmid doi pmcid journal year month authors title affiliation".split()
    },
)
CLAIMS = st.fixed_dictionaries(
    {},
    optional={
        "id": SCALARS,
        "quote": SCALARS,
        "cite": CITES | STRUCTURES,
        "figures": st.lists(SCALARS | RATES, max_size=4) | STRUCTURES,
    },
)
DOCUMENTS = (
    st.fixed_dictionaries(
        {"claims": st.lists(CLAIMS, max_size=4) | STRUCTURES},
        optional={"article": SCALARS},
    )
    | STRUCTURES
)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """One file rewritten by every example (function-scoped tmp_path does not suit @given)."""
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory) / "claims.yaml"


def load_or_refuse(path: Path, data: bytes) -> ClaimsFile | None:
    """Load `data` as a claims file; None when it is refused with a clean InputError."""
    path.write_bytes(data)
    try:
        loaded = load_claims(path)
    except InputError as error:
        assert error.message and "Traceback" not in error.message
        assert str(error).startswith(str(path))
        return None
    assert loaded.claims
    ids = [claim.id for claim in loaded.claims]
    assert len(ids) == len(set(ids))
    for claim in loaded.claims:
        assert claim.id and claim.quote and len(claim.quote) <= MAX_QUOTE_CHARS
        assert claim.line >= 1
    return loaded


# --- the loader ---------------------------------------------------------------------------


@settings(PROFILE)
@given(text=ANY_TEXT)
def test_loader_takes_any_text(scratch: Path, text: str) -> None:
    load_or_refuse(scratch, text.encode("utf-8", "surrogatepass"))  # lone surrogates: not UTF-8


@settings(PROFILE)
@given(text=claims_files())
def test_loader_takes_any_values_in_a_claims_file(scratch: Path, text: str) -> None:
    load_or_refuse(scratch, text.encode("utf-8"))


@settings(PROFILE)
@given(document=DOCUMENTS, flow=st.booleans())
def test_loader_takes_any_yaml_structure(scratch: Path, document: object, flow: bool) -> None:
    text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=flow)
    load_or_refuse(scratch, text.encode("utf-8"))


# --- the figure reader --------------------------------------------------------------------


@settings(PROFILE)
@given(text=PROSE)
def test_figure_reader_takes_any_text(text: str) -> None:
    mentions = find_mentions(text)
    for mention in mentions:
        assert 0 <= mention.start < mention.end <= len(text)
    figures, rates = read_figures(text)
    assert len(figures) == len(mentions)
    for rate in rates:  # impossible ones ("5/0") are kept: the arithmetic check reports them
        assert rate.text and rate.count in [f.value for f in figures]


@settings(PROFILE)
@given(value=PROSE | st.integers() | st.floats() | st.booleans() | st.none())
def test_parse_figure_gives_a_figure_or_a_value_error(value: object) -> None:
    try:
        figure = parse_figure(value)
    except ValueError as error:
        assert str(error)
    else:
        assert figure.text
