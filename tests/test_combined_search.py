"""Several citations' searches sent as one ESearch: fewer requests, the very same verdicts.

The stand-in E-utilities (tests/eutils_stand_in.py) answers the combined searches; the
generated corpus (tests/synthetic.py) gives hundreds of citations whose searches share hits.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from eutils_stand_in import StandInEutils
from papers import NIESTERS_2014, POMEROY_2017, SCHWENK_2018
from pytest_httpserver import HTTPServer
from synthetic import (
    SyntheticPaper,
    claims_yaml,
    identifier_less_claims,
    make_corpus,
    twin,
)

from factcheck.claims import load_claims
from factcheck.errors import PubMedError
from factcheck.models import Citation, Claim, PubDate, Resolution
from factcheck.pubmed import combined
from factcheck.pubmed.client import EutilsClient
from factcheck.pubmed.combined import Batch, assign, combined_term, send_combined
from factcheck.pubmed.groups import CANDIDATES
from factcheck.pubmed.parse import SearchResult
from factcheck.pubmed.resolve import resolve_sources
from factcheck.pubmed.search_terms import Query, doi_query, fields_query, pmcid_query
from factcheck.run import plan_lookups

ROOT = Path(__file__).resolve().parent.parent

# --- sending: one search for many, and when not --------------------------------------------------


@dataclass(frozen=True)
class Answer:
    ids: tuple[str, ...]
    count: int
    phrases_not_found: tuple[str, ...] = ()
    fields_not_found: tuple[str, ...] = ()


class Recorder:
    """A search function answering with `answer(term, retmax)`, recording every call."""

    def __init__(self, answer: Callable[[str, int], Answer]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, int]] = []

    def __call__(self, term: str, retmax: int) -> Answer:
        self.calls.append((term, retmax))
        return self.answer(term, retmax)


def journal_query(journal: str, year: int = 2018, author: str = "Smith") -> Query:
    query = fields_query(Citation(journal=journal, year=year, authors=(author,)), [], True)
    assert query is not None
    return query


QUERIES = [journal_query(f"Journal of Topic {n}") for n in range(4)]


def test_searches_go_as_one_or_search_with_room_for_each_ones_hits() -> None:
    search = Recorder(lambda term, retmax: Answer(("3", "2", "1"), 3))
    sent = send_combined(QUERIES[:3], search)
    assert search.calls == [(combined_term(QUERIES[:3]), 3 * CANDIDATES)]
    assert search.calls[0][0] == (
        '("journal of topic 0"[ta] AND 2017:2019[dp] AND Smith[au]) OR '
        '("journal of topic 1"[ta] AND 2017:2019[dp] AND Smith[au]) OR '
        '("journal of topic 2"[ta] AND 2017:2019[dp] AND Smith[au])'
    )
    assert sent.batches == [Batch(tuple(QUERIES[:3]), ("3", "2", "1"))]
    assert sent.alone == []


def test_at_most_a_batch_of_searches_per_request() -> None:
    many = [journal_query(f"Journal of Topic {n}") for n in range(combined.BATCH * 2 + 3)]
    search = Recorder(lambda term, retmax: Answer((), 0))
    sent = send_combined(many, search)
    sizes = [combined.BATCH, combined.BATCH, 3]
    assert [retmax // CANDIDATES for _, retmax in search.calls] == sizes
    assert [len(batch.queries) for batch in sent.batches] == sizes


def test_a_single_search_is_sent_alone() -> None:
    search = Recorder(lambda term, retmax: Answer((), 0))
    sent = send_combined(QUERIES[:1], search)
    assert (search.calls, sent.alone) == ([], QUERIES[:1])


def test_a_truncated_answer_is_split_in_halves_down_to_the_broad_search() -> None:
    broad = QUERIES[0].term

    def answer(term: str, retmax: int) -> Answer:
        return Answer((), 9000) if broad in term else Answer(("5",), 1)

    search = Recorder(answer)
    sent = send_combined(QUERIES, search)
    assert [term.count(") OR (") + 1 for term, _ in search.calls] == [4, 2, 2]
    assert sent.alone == QUERIES[:2]  # the halves of the first half are single searches
    assert sent.batches == [Batch(tuple(QUERIES[2:]), ("5",))]


def test_a_failed_combined_search_sends_its_searches_alone() -> None:
    def answer(term: str, retmax: int) -> Answer:
        raise PubMedError("ERROR: Search Backend failed")

    sent = send_combined(QUERIES, Recorder(answer))
    assert (sent.batches, sent.alone) == ([], QUERIES)


def test_an_unknown_journal_is_answered_and_the_rest_sent_again_without_it() -> None:
    unknown = journal_query("Journal of Ketamine Studies")
    particle = fields_query(Citation(authors=("van der Berg",), year=2018), [], True)
    assert particle is not None
    queries = [QUERIES[0], unknown, particle, QUERIES[1]]

    def answer(term: str, retmax: int) -> Answer:
        if "ketamine studies" in term.casefold():
            return Answer(("9", "8"), 2, ("Journal of Ketamine Studies", "van der Berg"))
        return Answer(("5",), 1)

    search = Recorder(answer)
    sent = send_combined(queries, search)
    assert [term for term, _ in search.calls][1] == combined_term([QUERIES[0], QUERIES[1]])
    assert sent.batches == [Batch((QUERIES[0], QUERIES[1]), ("5",))]
    assert dict(sent.answered) == {
        unknown.term: SearchResult((), 0, ("journal of ketamine studies",))
    }
    assert sent.alone == [particle]  # not limited to a journal: its lone answer may differ


def test_an_unknown_phrase_no_search_has_sends_them_all_alone() -> None:
    search = Recorder(lambda term, retmax: Answer(("5",), 1, ("something else",)))
    sent = send_combined(QUERIES, search)
    assert (len(search.calls), sent.batches, sent.alone) == (1, [], QUERIES)


def test_an_unknown_field_sends_the_searches_using_it_alone() -> None:
    by_pmcid = pmcid_query("PMC4014022")
    queries = [doi_query("10.1/a"), by_pmcid, doi_query("10.1/b")]

    def answer(term: str, retmax: int) -> Answer:
        return Answer(("5",), 1, (), ("pmc",) if "[pmc]" in term else ())

    search = Recorder(answer)
    sent = send_combined(queries, search)
    assert sent.alone == [by_pmcid]
    assert search.calls[1][0] == combined_term([queries[0], queries[2]])
    assert sent.batches == [Batch((queries[0], queries[2]), ("5",))]
    nobody = Recorder(lambda term, retmax: Answer(("5",), 1, (), ("xyz",)))
    assert send_combined(queries, nobody).alone == queries


# --- giving each search its own hits -------------------------------------------------------------

RAPM = journal_query("Regional Anesthesia & Pain Medicine", 2018, "Schwenk")
HEADACHE = journal_query("Headache", 2017, "Pomeroy")
PAPERS = {p.pmid: p for p in (SCHWENK_2018, POMEROY_2017, NIESTERS_2014)}


def test_each_search_gets_its_own_hits_in_the_answers_order() -> None:
    batch = Batch((RAPM, HEADACHE), (SCHWENK_2018.pmid, POMEROY_2017.pmid))
    assert assign(batch, PAPERS) == {
        RAPM.term: SearchResult((SCHWENK_2018.pmid,), 1),
        HEADACHE.term: SearchResult((POMEROY_2017.pmid,), 1),
    }


def test_a_search_without_hits_gets_none() -> None:
    batch = Batch((RAPM, journal_query("Headache", 2010)), (SCHWENK_2018.pmid,))
    assert assign(batch, PAPERS)[journal_query("Headache", 2010).term] == SearchResult((), 0)


def test_a_hit_no_search_claims_sends_every_field_search_alone() -> None:
    # Niesters matches neither search: the local check and PubMed disagree somewhere
    batch = Batch((RAPM, HEADACHE), (SCHWENK_2018.pmid, NIESTERS_2014.pmid))
    assert assign(batch, PAPERS) == {RAPM.term: None, HEADACHE.term: None}


def test_a_hit_that_could_not_be_fetched_counts_as_unclaimed() -> None:
    batch = Batch((RAPM, HEADACHE), (SCHWENK_2018.pmid, "99999999"))
    assert set(assign(batch, PAPERS).values()) == {None}


def test_a_record_a_search_may_or_may_not_match_sends_that_search_alone() -> None:
    undated = replace(POMEROY_2017, print_date=PubDate(), electronic_date=None)
    papers = {**PAPERS, POMEROY_2017.pmid: undated}
    batch = Batch((RAPM, HEADACHE), (SCHWENK_2018.pmid, POMEROY_2017.pmid))
    assert assign(batch, papers) == {
        RAPM.term: SearchResult((SCHWENK_2018.pmid,), 1),
        HEADACHE.term: None,
    }


def test_more_hits_than_a_lone_search_would_see_sends_that_search_alone() -> None:
    clones = {str(n): replace(SCHWENK_2018, pmid=str(n)) for n in range(CANDIDATES + 1)}
    batch = Batch((RAPM, HEADACHE), tuple(clones))
    assert assign(batch, clones) == {RAPM.term: None, HEADACHE.term: SearchResult((), 0)}


def test_an_identifier_search_takes_exactly_one_record_and_ignores_strangers() -> None:
    doi, missing = doi_query(SCHWENK_2018.doi or ""), doi_query("10.9999/nothing")
    shared = replace(NIESTERS_2014, pmid="1", doi=SCHWENK_2018.doi)
    ids = (SCHWENK_2018.pmid, NIESTERS_2014.pmid)
    assert assign(Batch((doi, missing), ids), PAPERS) == {
        doi.term: SearchResult((SCHWENK_2018.pmid,), 1),
        missing.term: None,  # no record: a lone search says whether PubMed has another one
    }
    two = Batch((doi, missing), (*ids, "1"))
    assert assign(two, {**PAPERS, "1": shared})[doi.term] is None


# --- through the stand-in: same verdicts, fewer requests ------------------------------------------


def run(
    stand_in: StandInEutils, claims: Sequence[Claim], *, combine: bool, cache: Path | None = None
) -> tuple[dict[str, Resolution], Counter[str]]:
    """Resolve `claims` cold (or from `cache`) and count the requests sent, by endpoint."""
    before = stand_in.count()
    with EutilsClient(stand_in.base_url, cache_dir=cache, rate=1000.0) as client:
        resolutions = resolve_sources(claims, client, combine=combine)
    return resolutions, Counter(r.endpoint for r in stand_in.received()[before:])


def load(tmp: Path, claims: Sequence[dict[str, Any]]) -> tuple[Claim, ...]:
    path = tmp / "claims.yaml"
    path.write_text(claims_yaml(claims), encoding="utf-8")
    return load_claims(path).claims


@pytest.fixture
def stand_in(eutils_server: HTTPServer) -> Iterator[StandInEutils]:
    if not eutils_server.is_running():
        eutils_server.start()
    served = StandInEutils(eutils_server)
    yield served
    served.close()


def test_seed_claims_same_verdicts_with_fewer_searches(stand_in: StandInEutils) -> None:
    claims = plan_lookups(load_claims(ROOT / "claims.yaml").claims).lookups
    alone, alone_sent = run(stand_in, claims, combine=False)
    together, together_sent = run(stand_in, claims, combine=True)
    assert together == alone
    assert alone["jem-patient-split"].paper is not None
    assert alone["jem-patient-split"].paper.pmid == POMEROY_2017.pmid
    assert alone_sent == {"esearch": 6, "efetch": 1}
    # the four journal searches as one, then again without the journal PubMed does not
    # know (Br J Pharmacol); the two searches without a journal are too broad to combine.
    # The first fetch held other records, so the second round needs one more.
    assert together_sent == {"esearch": 4, "efetch": 2}


CORPUS = make_corpus(330)
SERVED, UNSERVED = CORPUS[:300], CORPUS[300:]  # the last 30 are cited but not in "PubMed"
TWINS = [twin(paper, str(71_000_000 + i)) for i, paper in enumerate(SERVED[:240:20])]


def generated_claims() -> list[dict[str, Any]]:
    """412 claims over 330 papers: every citation style, repeats, ties and absent papers."""
    claims = identifier_less_claims(SERVED)
    claims += [p.cite("pmid", 1000 + i) for i, p in enumerate(SERVED[:20])]
    claims += [p.cite("doi", 2000 + i) for i, p in enumerate(SERVED[20:50])]
    claims += [p.cite("pmcid", 3000 + i) for i, p in enumerate(SERVED[:40]) if p.pmcid]
    claims += [t.cite("fields", 4000 + i) for i, t in enumerate(TWINS)]  # ties with originals
    claims += [p.cite("fields", 5000 + i) for i, p in enumerate(SERVED[100:130])]  # repeats
    claims += [p.cite(s, 6000 + i) for i, p in enumerate(UNSERVED) for s in ("fields", "doi")][:42]
    return claims


def serve_corpus(
    server: HTTPServer, rank: Callable[[str, str], object] | None = None, *, twins: bool = True
) -> StandInEutils:
    """The stand-in serving the fixtures, the corpus and (unless `twins` is False) twins."""
    if not server.is_running():
        server.start()
    records = [p.xml for p in (*SERVED, *(TWINS if twins else ()))]
    return StandInEutils(server, extra_records=records, rank=rank)


@pytest.fixture(scope="module")
def generated(
    eutils_server: HTTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The generated claims resolved both ways (and again from the cache)."""
    stand_in = serve_corpus(eutils_server)
    tmp = tmp_path_factory.mktemp("generated")
    claims = load(tmp, generated_claims())
    alone, alone_sent = run(stand_in, claims, combine=False)
    together, together_sent = run(stand_in, claims, combine=True, cache=tmp / "cache")
    warm, warm_sent = run(stand_in, claims, combine=True, cache=tmp / "cache")
    posted = stand_in.count("esearch", method="POST")
    stand_in.close()
    yield {
        "claims": claims,
        "alone": alone,
        "together": together,
        "warm": warm,
        "sent": (alone_sent, together_sent, warm_sent),
        "posted": posted,
    }


def test_generated_claims_get_the_same_verdicts_combined_or_not(generated: dict[str, Any]) -> None:
    alone, together = generated["alone"], generated["together"]
    assert len(generated["claims"]) >= 400 and len(alone) == len(generated["claims"])
    assert together == alone


def test_the_generated_claims_cover_every_outcome(generated: dict[str, Any]) -> None:
    alone: dict[str, Resolution] = generated["alone"]
    outcomes = Counter(_outcome(cid, r) for cid, r in alone.items())
    assert outcomes["right paper"] >= 250
    assert outcomes["right paper, journal mismatch"] >= 20  # wrong-journal citations
    assert outcomes["ambiguous"] >= len(TWINS)
    assert outcomes["weak"] >= 20
    assert outcomes["not found"] >= 20  # papers PubMed does not have
    messages = [r.findings[0].message for r in alone.values()]
    assert any("PubMed does not know the journal" in m for m in messages)
    assert any(m.startswith("found by DOI") for m in messages)


def test_an_absent_paper_is_not_replaced_by_a_namesakes(generated: dict[str, Any]) -> None:
    # p70000302 is not in PubMed; a paper by another Grimton, a year earlier, in another
    # journal, stating one of its figures, must not be taken as the source (with a
    # cite.journal mismatch): author and year fit too many namesakes
    for path in ("alone", "together"):
        outcomes = Counter(_outcome(cid, r) for cid, r in generated[path].items())
        assert outcomes["wrong paper"] == 0, path


def _outcome(claim_id: str, resolution: Resolution) -> str:
    message = resolution.findings[0].message
    if resolution.paper is not None:
        if resolution.paper.pmid != claim_id.split("-")[0][1:]:
            return "wrong paper"
        mismatch = any(f.check == "cite.journal" for f in resolution.findings)
        return "right paper, journal mismatch" if mismatch else "right paper"
    if "fit equally" in message:
        return "ambiguous"
    return "weak" if "fits weakly" in message else "not found"


def test_combined_searches_send_far_fewer_requests(generated: dict[str, Any]) -> None:
    alone_sent, together_sent, _ = generated["sent"]
    assert alone_sent["esearch"] > 300
    # ties, absent papers and PMCIDs (a tag the stand-in does not know) still go alone
    assert together_sent["esearch"] < alone_sent["esearch"] / 4
    assert together_sent["efetch"] <= alone_sent["efetch"] + 1
    assert generated["posted"] > 0  # long combined terms go by POST


def test_a_second_run_is_answered_from_the_cache(generated: dict[str, Any]) -> None:
    assert generated["sent"][2] == {}
    assert generated["warm"] == generated["together"]


def test_300_identifier_less_citations_cost_at_most_30_requests(
    eutils_server: HTTPServer, tmp_path: Path
) -> None:
    stand_in = serve_corpus(eutils_server, twins=False)
    claims = load(tmp_path, [p.cite("fields", i) for i, p in enumerate(SERVED)])
    resolutions, sent = run(stand_in, claims, combine=True)
    stand_in.close()
    assert sum(sent.values()) <= 30
    assert sent == {"esearch": 6, "efetch": 2}  # 300 / 50 searches, 300 records / 200
    found = {cid: r.paper.pmid if r.paper else None for cid, r in resolutions.items()}
    assert found == {f"p{p.pmid}-fields-{i}": p.pmid for i, p in enumerate(SERVED)}


# --- when PubMed ranks every search its own way ---------------------------------------------------


def relevance(term: str, pmid: str) -> str:
    """A stand-in for relevance ranking: an order that depends on the search."""
    return hashlib.sha256(f"{term}|{pmid}".encode()).hexdigest()


def ranked_claims(tmp: Path) -> tuple[Claim, ...]:
    claims = [t.cite("fields", 4000 + i) for i, t in enumerate(TWINS)]
    claims += [p.cite("journal-year", 7000 + i) for i, p in enumerate(SERVED[:120])]
    return load(tmp, claims)


def test_ties_are_searched_alone_so_verdicts_do_not_follow_the_combined_order(
    eutils_server: HTTPServer, tmp_path: Path
) -> None:
    stand_in = serve_corpus(eutils_server, rank=relevance)
    claims = ranked_claims(tmp_path)
    alone, _ = run(stand_in, claims, combine=False)
    together, _ = run(stand_in, claims, combine=True)
    stand_in.close()
    assert together == alone
    assert sum("fit equally" in r.findings[0].message for r in alone.values()) >= len(TWINS)


def test_without_the_tie_rule_the_combined_order_would_change_verdicts(
    eutils_server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the test above can fail: ignoring ties, the candidates are listed in another order
    monkeypatch.setattr("factcheck.pubmed.groups.depends_on_ranking", lambda scores: False)
    stand_in = serve_corpus(eutils_server, rank=relevance)
    claims = ranked_claims(tmp_path)
    alone, _ = run(stand_in, claims, combine=False)
    together, _ = run(stand_in, claims, combine=True)
    stand_in.close()
    differing = [cid for cid in alone if together[cid] != alone[cid]]
    assert differing
    # only what a refusal says changes: the candidates it names, or their order
    assert all(alone[cid].paper is together[cid].paper is None for cid in differing)


def test_corpus_is_the_same_every_time() -> None:
    again = make_corpus(330)
    assert [p.xml for p in again] == [p.xml for p in CORPUS]
    assert len({p.title for p in CORPUS}) == len(CORPUS)
    assert isinstance(CORPUS[0], SyntheticPaper)
