"""ECitMatch: citations giving journal, year, volume and first page, found in one request.

Through the stand-in E-utilities (tests/eutils_stand_in.py), over the fixture records (real
bibliographic facts) and the synthetic corpus (tests/synthetic.py), which has pages.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eutils_stand_in import FIXTURES, Fault, StandInEutils
from pytest_httpserver import HTTPServer
from synthetic import claims_yaml, make_corpus

from factcheck.claims import load_claims
from factcheck.cli import main
from factcheck.errors import MatchesNotCached, PubMedError
from factcheck.models import Citation, Claim, Resolution
from factcheck.pubmed.citmatch import (
    AMBIGUOUS,
    NO_MATCH,
    UNKNOWN_JOURNAL,
    bdata,
    citation_string,
    parse_ecitmatch,
)
from factcheck.pubmed.client import EutilsClient
from factcheck.pubmed.resolve import resolve_sources

CORPUS = make_corpus(120)
SCHWENK = {
    "journal": "Regional Anesthesia & Pain Medicine",
    "year": 2018,
    "volume": 43,
    "pages": "875-879",
    "authors": ["Schwenk"],
}
SCHWENK_QUOTE = "Of the 61 patients, 48 (77%) responded to ketamine within 5 days."


@pytest.fixture
def stand_in(eutils_server: HTTPServer) -> Iterator[StandInEutils]:
    """The stand-in serving the fixture records and the synthetic corpus."""
    if not eutils_server.is_running():
        eutils_server.start()
    served = StandInEutils(eutils_server, extra_records=[p.xml for p in CORPUS])
    yield served
    served.close()


def load(tmp: Path, claims: Sequence[dict[str, Any]], name: str = "claims.yaml") -> list[Claim]:
    path = tmp / name
    path.write_text(claims_yaml(claims), encoding="utf-8")
    return list(load_claims(path).claims)


def resolve(
    stand_in: StandInEutils, claims: Sequence[Claim], cache: Path | None = None, **options: Any
) -> tuple[dict[str, Resolution], Counter[str]]:
    """Resolve `claims` and count the requests sent, by endpoint."""
    before = stand_in.count()
    options = {"rate": 1000.0, "sleep": lambda seconds: None, **options}
    with EutilsClient(stand_in.base_url, cache_dir=cache, **options) as client:
        resolutions = resolve_sources(claims, client)
    return resolutions, Counter(r.endpoint for r in stand_in.received()[before:])


def pmids(resolutions: dict[str, Resolution]) -> dict[str, str | None]:
    return {cid: r.paper.pmid if r.paper else None for cid, r in resolutions.items()}


def volume_page_claims(count: int) -> list[dict[str, Any]]:
    return [p.cite("volume-page", i) for i, p in enumerate(CORPUS[:count])]


# --- one request for many citations ---------------------------------------------------------


def test_many_citations_with_volume_and_page_cost_one_ecitmatch_and_one_efetch(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    claims = load(tmp_path, volume_page_claims(100))
    resolutions, sent = resolve(stand_in, claims)
    assert sent == {"ecitmatch": 1, "efetch": 1}
    assert pmids(resolutions) == {
        f"p{p.pmid}-volume-page-{i}": p.pmid for i, p in enumerate(CORPUS[:100])
    }
    assert all(r.findings[0].message.startswith("found by ECitMatch") for r in resolutions.values())
    (request,) = stand_in.received("ecitmatch")
    assert request.method == "POST"
    assert request.params["bdata"].count("\r") == 99
    assert "|" in request.raw and "%7C" not in request.raw  # ECitMatch needs it unencoded


def test_at_most_100_citations_go_in_one_ecitmatch_request(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    claims = load(tmp_path, volume_page_claims(101))
    resolutions, sent = resolve(stand_in, claims)
    assert sent == {"ecitmatch": 2, "efetch": 1}
    lines = [r.params["bdata"].count("\r") + 1 for r in stand_in.received("ecitmatch")]
    assert lines == [100, 1]
    assert None not in pmids(resolutions).values()


def test_the_message_says_what_agrees(stand_in: StandInEutils, tmp_path: Path) -> None:
    claims = load(tmp_path, [{"id": "c", "quote": SCHWENK_QUOTE, "cite": SCHWENK}])
    resolutions, sent = resolve(stand_in, claims)
    assert sent == {"ecitmatch": 1, "efetch": 1}
    assert resolutions["c"].findings[0].message == (
        "found by ECitMatch: PMID 29923953 matches journal, year, volume, first page, authors, "
        "4 of 4 figures and the quote's wording"
    )


def test_a_volume_given_with_its_issue_is_matched_by_the_volume(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    cite = {**SCHWENK, "volume": "43(8)"}
    claims = load(tmp_path, [{"id": "c", "quote": SCHWENK_QUOTE, "cite": cite}])
    resolutions, sent = resolve(stand_in, claims)
    assert sent == {"ecitmatch": 1, "efetch": 1}
    assert stand_in.received("ecitmatch")[0].params["bdata"].split("|")[2] == "43"
    assert resolutions["c"].findings[0].message.startswith("found by ECitMatch: PMID 29923953")


# --- no match, several, an unknown journal: the field search as before --------------------------


def run_verify(stand_in: StandInEutils, tmp_path: Path, cite: dict[str, Any]) -> dict[str, Any]:
    """`factcheck verify --format json` on one claim citing `cite`: the claim's report."""
    (tmp_path / "claims.yaml").write_text(
        claims_yaml([{"id": "c", "quote": SCHWENK_QUOTE, "cite": cite}]), encoding="utf-8"
    )
    args = ["verify", str(tmp_path / "claims.yaml"), "--format", "json"]
    args += ["--eutils-url", stand_in.base_url, "--cache-dir", str(tmp_path / "cache")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    claim: dict[str, Any] = json.loads(result.stdout)["claims"][0]
    return claim


def finding(claim: dict[str, Any], check: str) -> dict[str, Any]:
    return next(f for f in claim["findings"] if f["check"] == check)


def test_a_wrong_volume_is_found_by_the_field_search_and_is_a_mismatch(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    claim = run_verify(stand_in, tmp_path, {**SCHWENK, "volume": 44})
    assert claim["status"] == "mismatch"
    assert claim["source"]["pmid"] == "29923953"
    volume = finding(claim, "cite.volume")
    assert volume["status"] == "mismatch"
    assert volume["message"] == (
        "cited as volume 44; the paper is in volume 43 (Reg Anesth Pain Med 2018;43(8):875-879)"
    )
    assert volume["line"] == 7
    assert finding(claim, "cite.pages")["status"] == "verified"
    resolved = finding(claim, "source.resolve")["message"]
    assert "ECitMatch: no paper fits (Regional Anesthesia & Pain Medicine 2018;44:875)" in resolved
    assert stand_in.count("ecitmatch") == 1


def test_wrong_pages_are_a_mismatch(stand_in: StandInEutils, tmp_path: Path) -> None:
    claim = run_verify(stand_in, tmp_path, {**SCHWENK, "pages": "857-859"})
    assert claim["source"]["pmid"] == "29923953"
    assert finding(claim, "cite.pages")["status"] == "mismatch"
    assert finding(claim, "cite.volume")["status"] == "verified"


def test_ambiguous_falls_back_to_the_search_and_still_resolves(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    # another paper of the same journal, year, volume and first page (a correction, say)
    xml = (FIXTURES / "29923953.xml").read_text(encoding="utf-8")
    other = xml.replace("29923953", "90000777").replace("Schwenk", "Okafor")
    stand_in.add_records([other])
    claims = load(tmp_path, [{"id": "c", "quote": SCHWENK_QUOTE, "cite": SCHWENK}])
    resolutions, sent = resolve(stand_in, claims)
    assert pmids(resolutions) == {"c": "29923953"}
    message = resolutions["c"].findings[0].message
    assert message.startswith("PMID 29923953 matches")
    assert f"ECitMatch: {AMBIGUOUS}" in message
    assert sent["ecitmatch"] == 1 and sent["esearch"] == 1


def test_an_unknown_journal_falls_back_to_the_search_and_still_resolves(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    # Niesters 2014 cited in the journal the seed article names (not the one it is in)
    cite = {
        "journal": "British Journal of Pharmacology",
        "year": 2014,
        "volume": 77,
        "pages": "357-367",
        "authors": ["Niesters"],
    }
    quote = (
        "Three studies of extended ketamine infusion (4–14 days) found analgesic effects "
        "lasting up to 3 months."
    )
    claims = load(tmp_path, [{"id": "c", "quote": quote, "cite": cite}])
    resolutions, sent = resolve(stand_in, claims)
    assert pmids(resolutions) == {"c": "23432384"}
    assert f"ECitMatch: {UNKNOWN_JOURNAL}" in resolutions["c"].findings[0].message
    assert [f.check for f in resolutions["c"].findings][1] == "cite.journal"
    assert sent["ecitmatch"] == 1


def test_a_match_the_rest_of_the_citation_contradicts_is_not_taken(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    # the stand-in, like ECitMatch, ignores the author: it names Schwenk's paper anyway
    cite = {**SCHWENK, "authors": ["Ready"]}
    claims = load(tmp_path, [{"id": "c", "quote": SCHWENK_QUOTE, "cite": cite}])
    resolutions, sent = resolve(stand_in, claims)
    assert pmids(resolutions) == {"c": None}
    message = resolutions["c"].findings[0].message
    assert "ECitMatch named PMID 29923953, not taken: closest PMID 29923953" in message
    assert sent["ecitmatch"] == 1 and sent["esearch"] >= 1


def test_citations_without_volume_or_page_never_ask_ecitmatch(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    claims = load(tmp_path, [p.cite("fields", i) for i, p in enumerate(CORPUS[:20])])
    claims += load(tmp_path, [{"id": "v", "quote": "x", "cite": {"journal": "J", "volume": 4}}])
    _, sent = resolve(stand_in, claims)
    assert sent["ecitmatch"] == 0


# --- PubMed misbehaving ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault.RATE_LIMITED,
        Fault.SERVER_ERROR,
        Fault.BAD_GATEWAY,
        Fault.UNAVAILABLE,
        Fault.HTML,
        Fault.TRUNCATED,
        Fault.ERROR_ENVELOPE,
    ],
)
def test_a_failed_ecitmatch_is_retried(
    stand_in: StandInEutils, tmp_path: Path, fault: Fault
) -> None:
    stand_in.misbehave(fault, times=2, endpoint="ecitmatch")
    claims = load(tmp_path, volume_page_claims(5))
    resolutions, sent = resolve(stand_in, claims, cache=tmp_path / "cache")
    assert sent == {"ecitmatch": 3, "efetch": 1}
    assert [r.status for r in stand_in.received("ecitmatch")][-1] == 200
    assert None not in pmids(resolutions).values()
    _, again = resolve(stand_in, claims, cache=tmp_path / "cache")
    assert again == {}  # only the good answer was cached


def test_ecitmatch_answering_garbage_every_time_falls_back_to_the_search(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    stand_in.misbehave(Fault.ERROR_ENVELOPE, times=None, endpoint="ecitmatch")
    claims = load(tmp_path, [{"id": "c", "quote": SCHWENK_QUOTE, "cite": SCHWENK}])
    resolutions, sent = resolve(stand_in, claims, max_tries=2)
    assert sent["ecitmatch"] == 2
    assert pmids(resolutions) == {"c": "29923953"}
    assert "ECitMatch failed: PubMed citation match of 1 citation" in (
        resolutions["c"].findings[0].message
    )


def test_a_failed_ecitmatch_request_loses_only_its_own_citations(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    stand_in.misbehave(Fault.BAD_IDS_400, times=1, endpoint="ecitmatch")  # the first 100
    claims = load(tmp_path, volume_page_claims(101))
    resolutions, sent = resolve(stand_in, claims)
    assert sent["ecitmatch"] == 2
    last = resolutions[f"p{CORPUS[100].pmid}-volume-page-100"]
    assert last.findings[0].message.startswith(f"found by ECitMatch: PMID {CORPUS[100].pmid}")
    first = resolutions[f"p{CORPUS[0].pmid}-volume-page-0"]
    assert "ECitMatch failed: PubMed citation match of 100 citations" in first.findings[0].message


def test_ecitmatch_unreachable_leaves_the_claims_not_checked(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    stand_in.misbehave(Fault.UNAVAILABLE, times=None, endpoint="ecitmatch")
    claims = load(tmp_path, volume_page_claims(3))
    resolutions, sent = resolve(stand_in, claims, max_tries=2)
    assert sent == {"ecitmatch": 2}
    assert all(r.findings[0].message.startswith("not checked:") for r in resolutions.values())


# --- the cache -------------------------------------------------------------------------------


def test_offline_with_a_warm_cache_sends_nothing(stand_in: StandInEutils, tmp_path: Path) -> None:
    claims = load(tmp_path, volume_page_claims(30))
    cache = tmp_path / "cache"
    online, _ = resolve(stand_in, claims, cache=cache)
    offline, sent = resolve(stand_in, claims, cache=cache, offline=True)
    assert sent == {}
    assert offline == online


def test_a_new_citation_is_the_only_one_asked_about(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    resolve(stand_in, load(tmp_path, volume_page_claims(30)), cache=cache)
    claims = load(tmp_path, volume_page_claims(31))
    resolutions, sent = resolve(stand_in, claims, cache=cache)
    assert sent == {"ecitmatch": 1, "efetch": 1}
    asked = stand_in.received("ecitmatch")[-1].params["bdata"]
    assert asked == citation_string(claims[30].cite or Citation()) + "|1|"
    assert stand_in.received("efetch")[-1].params["id"] == CORPUS[30].pmid
    assert None not in pmids(resolutions).values()


def test_offline_a_citation_not_in_the_cache_is_not_checked_and_the_rest_are(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    resolve(stand_in, load(tmp_path, volume_page_claims(30)), cache=cache)
    claims = load(tmp_path, volume_page_claims(31))
    with EutilsClient(stand_in.base_url, cache_dir=cache, offline=True) as client:
        before = stand_in.count()
        resolutions = resolve_sources(claims, client)
        assert client.stats.offline_misses == 2  # its ECitMatch answer, then its field search
    assert stand_in.count() == before
    new = resolutions[f"p{CORPUS[30].pmid}-volume-page-30"]
    assert new.paper is None
    assert new.findings[0].message == "not checked: the source is not in the cache (--offline)"
    assert sum(r.paper is not None for r in resolutions.values()) == 30


def test_offline_misses_raise_with_the_answers_the_cache_had(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    known, unknown = (
        citation_string(c.cite or Citation()) or "" for c in load(tmp_path, volume_page_claims(2))
    )
    with EutilsClient(stand_in.base_url, cache_dir=tmp_path / "cache", rate=1000.0) as client:
        assert client.citation_match([known]) == {known: CORPUS[0].pmid}
    with EutilsClient(stand_in.base_url, cache_dir=tmp_path / "cache", offline=True) as client:
        with pytest.raises(MatchesNotCached) as info:
            client.citation_match([known, unknown])
    assert (info.value.missing, dict(info.value.answers)) == ((unknown,), {known: CORPUS[0].pmid})


# --- the pieces ------------------------------------------------------------------------------


def test_the_citation_string_uses_the_nlm_abbreviation_and_the_first_page() -> None:
    cite = Citation(
        journal="Regional Anesthesia & Pain Medicine",
        year=2018,
        volume="43",
        pages="875-879",
        authors=("Schwenk", "Viscusi"),
    )
    assert citation_string(cite) == "reg anesth pain med|2018|43|875|schwenk"
    odd = Citation(journal="J | X", year=2001, volume="4\r", pages="e12")
    assert citation_string(odd) == "j x|2001|4|e12|"
    assert citation_string(Citation(journal="J", year=2001, volume="4")) is None
    assert citation_string(Citation(journal="J", year=2001, volume="|", pages="1")) is None
    assert citation_string(Citation(journal=" | ", year=2001, volume="4", pages="1")) is None
    assert citation_string(Citation(journal="J", year=2001, volume="4", pages="|")) is None
    assert citation_string(Citation(journal="J", volume="4", pages="1")) is None


def test_an_echoed_author_in_latin_1_does_not_spoil_the_answers() -> None:
    citations = ["j|2001|4|1|m\u00fcller", "j|2001|4|9|"]
    body = b"j|2001|4|1|m\xfcller|1|2014248\nj|2001|4|9||2|AMBIGUOUS\n"
    assert parse_ecitmatch(body, citations) == {citations[0]: "2014248", citations[1]: AMBIGUOUS}


def test_bdata_keys_each_line_and_ends_it_with_a_bar() -> None:
    assert bdata(["a|1|2|3|x", "b|4|5|6|"]) == "a|1|2|3|x|1|\rb|4|5|6||2|"


def test_every_kind_of_answer_is_read() -> None:
    citations = ["a|1|2|3|x", "b|1|2|3|", "c|1|2|3|", "d|1|2|3|", "e|1|2|3|"]
    body = (
        "a|1|2|3|x|1|2014248\nb|1|2|3||2|AMBIGUOUS\r\nc|1|2|3||3|NOT_FOUND;INVALID_JOURNAL\n"
        "d|1|2|3||4|\ne|1|2|3||5|NOT_FOUND\n"
    )
    assert parse_ecitmatch(body.encode(), citations) == {
        "a|1|2|3|x": "2014248",
        "b|1|2|3|": AMBIGUOUS,
        "c|1|2|3|": UNKNOWN_JOURNAL,
        "d|1|2|3|": NO_MATCH,
        "e|1|2|3|": NO_MATCH,
    }


@pytest.mark.parametrize(
    "body",
    [
        b"",  # nothing
        b"a|1|2|3||1|2014248\n",  # one line of two
        b"<html><body>Service unavailable</body></html>",
        b"a|1|2|3||1|2014248\nb|1|2|3||2|Error: backend timeout\n",
        b"a|1|2|3||7|2014248\nb|1|2|3||2|\n",  # a key not asked about
        b"\xff\xfe",
    ],
)
def test_anything_else_is_an_error(body: bytes) -> None:
    with pytest.raises(PubMedError):
        parse_ecitmatch(body, ["a|1|2|3|", "b|1|2|3|"])


def test_the_api_key_and_email_sent_with_ecitmatch_are_not_stored(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    claims = load(tmp_path, volume_page_claims(3))
    secret = {"api_key": "k3y-not-to-keep", "email": "writer@example.org"}
    resolutions, sent = resolve(stand_in, claims, cache=tmp_path / "cache", **secret)
    assert sent["ecitmatch"] == 1 and all(r.paper for r in resolutions.values())
    (asked,) = stand_in.received("ecitmatch")
    assert asked.params["api_key"] == "k3y-not-to-keep"  # sent, so there was a key to leak
    stored = b"".join(p.read_bytes() for p in (tmp_path / "cache").iterdir())
    assert b"k3y-not-to-keep" not in stored and b"writer@example.org" not in stored
    assert b"ecitmatch" in stored  # the answers are there, only the identity is not


@pytest.mark.parametrize(
    ("volume", "pages", "why"),
    [
        ("", "", "PubMed gives no volume or pages for it, so the cited ones cannot be confirmed"),
        ("43", "", "PubMed gives no volume or pages for it, so the cited ones cannot be confirmed"),
        ("44", "875-879", "it is 44:875-879, cited as 43:875-879"),
    ],
)
def test_a_well_scoring_match_not_placed_where_cited_says_why(
    tmp_path: Path, volume: str, pages: str, why: str
) -> None:
    from dataclasses import replace

    from factcheck.pubmed.groups import _judge_match, make_groups
    from factcheck.pubmed.parse import parse_efetch

    claims = load(tmp_path, [{"id": "c", "quote": SCHWENK_QUOTE, "cite": SCHWENK}])
    (group,) = make_groups(claims, citmatch=True)
    xml = b"<PubmedArticleSet>%s</PubmedArticleSet>" % (FIXTURES / "29923953.xml").read_bytes()
    record = parse_efetch(xml)["29923953"]
    _judge_match(group, "29923953", replace(record, volume=volume, pages=pages))
    assert group.misses[-1][1] == f"ECitMatch named PMID 29923953, not taken: {why}"


def test_offline_a_citation_given_volume_and_pages_since_is_found_by_its_cached_search(
    stand_in: StandInEutils, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    before_edit = [p.cite("fields", i) for i, p in enumerate(CORPUS[:20])]
    online, _ = resolve(stand_in, load(tmp_path, before_edit), cache=cache)
    assert None not in pmids(online).values()
    located = [p.cite("volume-page", i) for i, p in enumerate(CORPUS[:20])]
    edited = [
        {**fields, "cite": {**fields["cite"], "volume": at["volume"], "pages": at["pages"]}}
        for fields, at in zip(before_edit, (c["cite"] for c in located), strict=True)
    ]
    before = stand_in.count()
    with EutilsClient(stand_in.base_url, cache_dir=cache, offline=True) as client:
        offline = resolve_sources(load(tmp_path, edited, "edited.yaml"), client)
    assert stand_in.count() == before
    assert pmids(offline) == pmids(online)
    for resolution in offline.values():
        assert "ECitMatch's answer is not in the cache" in resolution.findings[0].message
