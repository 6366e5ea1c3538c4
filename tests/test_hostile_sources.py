"""Hostile E-utilities answers through `factcheck verify` (and `show`), end to end.

A record whose every field holds markup, HTML, table breakers, newlines and terminal controls;
error texts full of ESC sequences; XML bombs; answers too big, never ending, gzip bombs and
invalid UTF-8. Each is handled with a clear finding, and nothing from the source can change
the terminal or add structure to any report format.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eutils_stand_in import HOSTILE_TEXT, Fault, StandInEutils

from factcheck.cli import main
from factcheck.errors import PubMedError
from factcheck.pubmed import client
from factcheck.pubmed.client import EutilsClient
from factcheck.pubmed.parse import parse_efetch, parse_esearch

HOSTILE_XML = (Path(__file__).parent / "fixtures" / "hostile" / "90000666.xml").read_text()
SCHWENK = "29923953"
FORMATS = ["terminal", "markdown", "json", "github", "sarif"]

CLAIMS = """\
claims:
  - id: hostile-source
    quote: "Of the 61 patients, 48 (77%) responded to the treatment."
    cite:
      pmid: 90000666
      journal: Headache
      year: 2012
      authors: [Nobody]
      title: A calm and ordinary title
      affiliation: Mayo Clinic
"""
SCHWENK_CLAIM = f"""\
claims:
  - id: schwenk
    quote: "Of the 61 patients, 47 (77%) responded to the treatment."
    cite:
      pmid: {SCHWENK}
"""
SEARCH_CLAIM = """\
claims:
  - id: searched
    quote: "Ketamine helped 47 of 61 patients (77%)."
    cite:
      journal: Regional Anesthesia & Pain Medicine
      year: 2018
      authors: [Schwenk]
"""

# Anything a terminal acts on: C0 controls but tab and newline, DEL, C1 controls (U+009B is
# an 8-bit ESC [), and the bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries back off in milliseconds, not seconds (the logic is client-tested elsewhere)."""
    monkeypatch.setattr(client, "_BACKOFF", 0.001)


@pytest.fixture
def verify(tmp_path: Path, eutils_url: str) -> Callable[..., tuple[Result, str]]:
    def run(claims: str, *args: str) -> tuple[Result, str]:
        path = tmp_path / "claims.yaml"
        path.write_text(claims, encoding="utf-8")
        options = ["--eutils-url", eutils_url, "--cache-dir", str(tmp_path / "cache")]
        options += ["--api-key", "stand-in"]  # 10 requests a second: retries come sooner
        result = CliRunner().invoke(main, ["verify", str(path), *options, "--timeout", "2", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result, result.stdout + result.stderr

    return run


def resolve_finding(stdout: str) -> dict[str, str]:
    """The `source.resolve` finding of the report's only claim."""
    findings = json.loads(stdout)["claims"][0]["findings"]
    return next(f for f in findings if f["check"] == "source.resolve")


def assert_inert(output: str) -> None:
    """Nothing a terminal would act on, nothing that starts a command or a heading."""
    found = UNSAFE.findall(output)
    assert not found, f"raw control characters in the output: {found!r}"
    for line in output.splitlines():
        assert not line.startswith(("## Heading", "## injected", "::error file=x")), line
        assert not line.startswith("## Retraction"), line


def assert_structure_kept(fmt: str, output: str) -> None:
    """The format's own structure, with untrusted text unable to add to it."""
    if fmt == "markdown":
        assert "<script>" not in output and "<img" not in output and "<b>" not in output
        assert "&lt;script&gt;" in output or "&lt;img" in output
        for row in (line for line in output.splitlines() if line.startswith("|")):
            assert len(re.findall(r"(?<!\\)\|", row)) == 4, row  # 3 columns, no more
    elif fmt == "json":
        json.loads(output[: output.rindex("}") + 1])
    elif fmt == "sarif":
        json.loads(output[: output.rindex("}") + 1])
    elif fmt == "github":
        lines = [line for line in output.splitlines() if line.strip()]
        for line in lines:
            assert line.startswith(("::", "factcheck:", "Exit ")), line


# --- a record full of markup and controls -----------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hostile_record_is_inert_in_every_format(
    eutils: StandInEutils, verify: Callable[..., tuple[Result, str]], fmt: str
) -> None:
    eutils.add_records([HOSTILE_XML])
    result, output = verify(CLAIMS, "--format", fmt)
    assert result.exit_code == 1  # retracted, and every cited field contradicted
    assert_inert(output)
    assert_structure_kept(fmt, output)
    if fmt == "terminal":
        assert "[bold red]PWNED[/bold red]" in output  # markup shown as the text it is
        assert "<script>alert(1)</script>" in output
    if fmt == "json":
        document = json.loads(result.stdout)
        source = document["claims"][0]["source"]
        assert source["title"].startswith("[bold red]PWNED[/bold red] <script>alert(1)</script>")
        assert "\x9b" not in source["title"]  # controls dropped when the record is read


def test_show_prints_a_hostile_record_as_text(eutils: StandInEutils, eutils_url: str) -> None:
    eutils.add_records([HOSTILE_XML])
    result = CliRunner().invoke(main, ["show", "90000666", "--eutils-url", eutils_url])
    assert result.exit_code == 0
    assert_inert(result.output)
    assert "[bold red]PWNED[/bold red]" in result.output


# --- error texts that come from the server ----------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hostile_error_text_is_inert_in_every_format(
    eutils: StandInEutils, verify: Callable[..., tuple[Result, str]], fmt: str
) -> None:
    eutils.misbehave(Fault.HOSTILE_400, times=None)
    result, output = verify(SCHWENK_CLAIM, "--format", fmt)
    assert result.exit_code == 0  # unverifiable: PubMed answered, but not usably
    assert eutils.count("efetch") == 1  # a 400 that is no backend failure is not retried
    assert_inert(output)
    assert_structure_kept(fmt, output)
    if fmt in ("terminal", "github"):
        assert "\\x1b[2J" in output  # the escape is shown, not executed
    if fmt == "markdown":
        assert "\\\\x1b\\[2J" in output  # shown, and markdown-escaped as well
    if fmt == "json":
        finding = resolve_finding(result.stdout)
        assert "\x1b[2J" in finding["message"]  # the data is kept, JSON-escaped
        assert HOSTILE_TEXT.split(" \r")[0] in finding["message"]


# --- answers that would expand, read files, never end or fill memory --------------------------


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault.BOMB, "PubMed XML refused: EntitiesForbidden"),
        (Fault.EXTERNAL_ENTITY, "PubMed XML refused: EntitiesForbidden"),
        (Fault.BAD_UTF8, "malformed or truncated XML (not well-formed (invalid token)"),
    ],
)
def test_bad_xml_gives_a_clear_finding(
    eutils: StandInEutils, verify: Callable[..., tuple[Result, str]], fault: Fault, words: str
) -> None:
    eutils.misbehave(fault, times=None, endpoint="efetch")
    started = time.perf_counter()
    result, output = verify(SCHWENK_CLAIM, "--format", "json")
    assert time.perf_counter() - started < 5
    finding = resolve_finding(result.stdout)
    assert finding["check"] == "source.resolve" and finding["status"] == "unverifiable"
    assert "PubMed could not answer" in finding["message"] and words in finding["message"]
    assert "root:" not in output  # /etc/passwd was not read into the report


def test_invalid_utf8_in_a_search_answer_gives_a_clear_finding(
    eutils: StandInEutils, verify: Callable[..., tuple[Result, str]]
) -> None:
    eutils.misbehave(Fault.BAD_UTF8, times=None, endpoint="esearch")
    result, _ = verify(SEARCH_CLAIM, "--format", "json")
    message = resolve_finding(result.stdout)["message"]
    assert "PubMed search failed" in message and "not valid JSON" in message


@pytest.mark.parametrize("fault", [Fault.HUGE, Fault.GZIP_BOMB])
def test_an_answer_over_20_mb_is_refused_once(
    eutils: StandInEutils, verify: Callable[..., tuple[Result, str]], fault: Fault
) -> None:
    eutils.misbehave(fault, times=None, endpoint="efetch")
    result, _ = verify(SCHWENK_CLAIM, "--format", "json")
    finding = resolve_finding(result.stdout)
    assert finding["status"] == "unverifiable"
    assert "the answer is over 20 MB; refused" in finding["message"]
    assert eutils.count("efetch") == 1  # not retried: it would only be as big again


def test_an_answer_that_never_ends_is_cut_off(
    eutils: StandInEutils,
    verify: Callable[..., tuple[Result, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "READ_DEADLINE_FACTOR", 0.5)  # 1 s with --timeout 2
    eutils.misbehave(Fault.ENDLESS, times=None, endpoint="efetch")
    started = time.perf_counter()
    result, _ = verify(SCHWENK_CLAIM, "--format", "json")
    assert time.perf_counter() - started < 5
    assert result.exit_code == 3  # PubMed could not be used: the claim is left unverifiable
    finding = resolve_finding(result.stdout)
    assert "PubMed's answer never ended" in finding["message"]
    assert "did not end within 1 s; cut off" in finding["message"]
    assert eutils.count("efetch") == 1


# --- the parser and the client on hostile shapes ----------------------------------------------


def efetch(pmid: str, year: str = "2019", month: str = "Jun") -> bytes:
    """A minimal EFetch answer holding one record."""
    return (
        "<PubmedArticleSet><PubmedArticle><MedlineCitation>"
        f"<PMID>{pmid}</PMID><Article><Journal><JournalIssue><PubDate><Year>{year}</Year>"
        f"<Month>{month}</Month></PubDate></JournalIssue><Title>J</Title></Journal>"
        "<ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()


@pytest.mark.parametrize("pmid", ["1)[x](http://evil.example", "12 34", "²³", "", "١٢"])
def test_a_record_whose_pmid_is_not_digits_is_dropped(pmid: str) -> None:
    assert parse_efetch(efetch(pmid)) == {}  # a PMID goes into URLs and markdown links


def test_search_hits_that_are_not_pmids_are_dropped() -> None:
    body = b'{"esearchresult": {"count": "3", "idlist": ["123", "1)[x](http://e", "\\u00b2"]}}'
    assert parse_esearch(body).ids == ("123",)


@pytest.mark.parametrize("errorlist", ['["x"]', '"x"', "1", '{"phrasesnotfound": "x"}'])
def test_an_errorlist_of_another_shape_is_ignored(errorlist: str) -> None:
    body = f'{{"esearchresult": {{"count": "0", "idlist": [], "errorlist": {errorlist}}}}}'
    assert parse_esearch(body.encode()).phrases_not_found == ()


@pytest.mark.parametrize("body", [b'{"esearchresult": {"idlist": "123"}}', b"[1]", b'"x"'])
def test_esearch_answers_of_another_shape_are_errors(body: bytes) -> None:
    with pytest.raises(PubMedError):
        parse_esearch(body)


def test_superscript_digits_in_a_date_are_not_a_year_or_month() -> None:
    paper = parse_efetch(efetch("1", year="²⁰¹⁹", month="¹²"))["1"]
    assert paper.print_date.year is None and paper.print_date.month is None


def test_fetch_sends_nothing_for_ids_that_are_not_ascii_digits(
    eutils: StandInEutils, eutils_url: str
) -> None:
    with EutilsClient(eutils_url) as pubmed:
        assert pubmed.fetch(["²", "١٢", "1)"]) == {}
    assert eutils.count() == 0
