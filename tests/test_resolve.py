"""Finding each claim's paper, one search per citation, against an in-memory PubMed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import pytest
from papers import (
    CORPUS,
    DECOY_RAPM_2018,
    LAURITSEN_2016,
    NIESTERS_2014,
    POMEROY_2017,
    SCHWENK_2018,
    THINK_2019,
)

from factcheck.checks.citation import check_citation
from factcheck.errors import NotCached, PubMedError, PubMedUnavailable
from factcheck.journals import normalise_journal
from factcheck.models import (
    Author,
    Citation,
    Claim,
    Figure,
    Finding,
    Hedge,
    Paper,
    PubDate,
    Rate,
    Resolution,
    Status,
)
from factcheck.pubmed.parse import SearchResult
from factcheck.pubmed.resolve import PubMedSource, resolve_sources
from factcheck.pubmed.scoring import (
    Evidence,
    choose,
    claim_targets,
    score_candidate,
    targets_found,
)
from factcheck.pubmed.search_terms import fields_query, topic_words

# --- an in-memory PubMed -------------------------------------------------------------------


_ATOM = re.compile(r'^(?:"(?P<quoted>[^"]+)"|(?P<bare>\S+?))\[(?P<tag>\w+)\]$')


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _words_match(pattern: str, text: str) -> bool:
    words = re.findall(r"[a-z0-9]+", _fold(text))
    if pattern.endswith("*"):
        return any(w.startswith(pattern[:-1]) for w in words)
    return pattern in words


class FakePubMed:
    """PubMed over a few `Paper`s, answering the queries the resolver writes.

    Supports AND of clauses, each one term or a parenthesised OR of terms, with the tags
    [ta] [dp] [au] [ti] [tiab] [doi] [pmc]. Like PubMed, an unknown journal or identifier is
    reported in `phrases_not_found` and dropped from the query. Hits are ranked by how many
    terms they match ("best match"). Records every search and fetch; `canned` overrides
    answers; `fail_search_at` / `fail_fetch` simulate outages.
    """

    def __init__(
        self,
        papers: Iterable[Paper],
        canned: Mapping[str, tuple[str, ...]] | None = None,
        fail_search_at: int | None = None,
        fail_fetch: PubMedError | None = None,
        fail_terms: dict[str, PubMedError] | None = None,
    ) -> None:
        self.papers = {p.pmid: p for p in papers}
        self.canned = canned or {}
        self.fail_search_at = fail_search_at
        self.failure: PubMedUnavailable = PubMedUnavailable("connection refused (3 tries)")
        self.fail_fetch = fail_fetch
        self.fail_terms = fail_terms or {}
        self.searches: list[str] = []
        self.fetches: list[tuple[str, ...]] = []

    def search(self, term: str, retmax: int = 20) -> SearchResult:
        self.searches.append(term)
        if self.fail_search_at is not None and len(self.searches) >= self.fail_search_at:
            raise self.failure
        if term in self.fail_terms:
            raise self.fail_terms[term]
        if term in self.canned:
            ids = self.canned[term]
            return SearchResult(ids[:retmax], len(ids))
        clauses, unknown = self._clauses(term)
        ranked = []
        for paper in self.papers.values():
            matched = [sum(self._atom(a, paper) for a in clause) for clause in clauses]
            if all(matched):
                ranked.append((-sum(matched), paper.pmid))
        ids = tuple(pmid for _, pmid in sorted(ranked))
        return SearchResult(ids[:retmax], len(ids), tuple(unknown))

    def fetch(self, pmids: Sequence[str]) -> dict[str, Paper]:
        self.fetches.append(tuple(pmids))
        if self.fail_fetch is not None:
            raise self.fail_fetch
        return {p: self.papers[p] for p in pmids if p in self.papers}

    def _clauses(self, term: str) -> tuple[list[list[tuple[str, str]]], list[str]]:
        clauses, unknown = [], []
        for clause in term.split(" AND "):
            atoms = []
            for text in clause.strip("()").split(" OR "):
                match = _ATOM.match(text.strip())
                assert match, f"the fake cannot parse {text!r} in {term!r}"
                value = match["quoted"] or match["bare"]
                if self._known(match["tag"], value):
                    atoms.append((match["tag"], value))
                else:
                    unknown.append(value)
            if atoms:
                clauses.append(atoms)
        return clauses, unknown

    def _known(self, tag: str, value: str) -> bool:
        if tag in ("ta", "doi", "pmc"):
            return any(self._atom((tag, value), p) for p in self.papers.values())
        return True

    @staticmethod
    def _atom(atom: tuple[str, str], paper: Paper) -> bool:
        tag, value = atom
        if tag == "ta":
            names = (paper.journal_title, paper.journal_iso, paper.journal_medline_ta)
            return normalise_journal(value) in {normalise_journal(n) for n in names if n}
        if tag == "dp":
            first, _, last = value.partition(":")
            years = {paper.print_date.year}
            years |= {paper.electronic_date.year} if paper.electronic_date else set()
            return any(y is not None and int(first) <= y <= int(last or first) for y in years)
        if tag == "au":
            surname = _fold(value.split()[0])
            return any(_fold(a.last) == surname for a in paper.authors)
        if tag == "ti":
            return _words_match(value, paper.title)
        if tag == "tiab":
            return _words_match(value, f"{paper.title} {paper.abstract}")
        if tag == "doi":
            return (paper.doi or "").casefold() == value.casefold()
        if tag == "pmc":
            return (paper.pmcid or "").upper() == value.upper()
        raise AssertionError(f"unknown tag {tag}")


# --- the article's claims (claims.yaml), with the figures the number reader gives ------------


def fig(value: float, text: str = "", **kwargs: object) -> Figure:
    """A figure as `numbers.read_figures` reads it (a percentage has the unit "%")."""
    if kwargs.get("percent"):
        kwargs.setdefault("unit", "%")
    return Figure(text=text or str(value), value=value, **kwargs)  # type: ignore[arg-type]


def claim(
    claim_id: str,
    quote: str,
    cite: Citation | None,
    figures: Sequence[Figure] = (),
    rates: Sequence[Rate] = (),
) -> Claim:
    return Claim(claim_id, quote, 1, cite, tuple(figures), tuple(rates))


JHP = Citation(
    journal="Journal of Headache and Pain",
    year=2016,
    month=12,
    lines=(("journal", 14), ("year", 15), ("month", 16)),
)
BJP = Citation(journal="British Journal of Pharmacology", lines=(("journal", 31),))
RAPM = Citation(
    journal="Regional Anesthesia & Pain Medicine",
    year=2018,
    affiliation="Thomas Jefferson University",
    lines=(("journal", 40), ("year", 41), ("affiliation", 42)),
)
JEM = Citation(journal="Journal of Emergency Medicine", lines=(("journal", 120),))

JHP_CLAIM = claim(
    "jhp-case-series",
    "For instance, a case series featured in the December 2016 edition of the Journal of "
    "Headache and Pain reported that six individuals who underwent IV ketamine treatment "
    "experienced temporary reductions in pain severity associated with chronic migraines.",
    JHP,
    [fig(2016), fig(6, "six")],
)
BJP_CLAIM = claim(
    "bjp-extended-infusions",
    "According to findings in the British Journal of Pharmacology, Current data from "
    "short-term infusions reveal that ketamine elicits potent analgesia solely during its "
    "administration, while three studies on the effects of extended infusion (4–14 days) "
    "demonstrate lasting analgesic effects for up to 3 months post-infusion.",
    BJP,
    [fig(3, "three"), fig(4, "4–14 days", upper=14, unit="days"), fig(3, "3 months")],
)
JEFFERSON_CLAIMS = [
    claim(
        "jefferson-study",
        "Consider, for instance, the retrospective analysis undertaken by Thomas Jefferson "
        "University, as published in Regional Anesthesia & Pain Medicine 2018.",
        RAPM,
        [fig(2018)],
    ),
    claim(
        "jefferson-cohort",
        "Over a span of three years, the study examined sixty-one patients who underwent "
        "five-day intravenous ketamine therapy sessions.",
        RAPM,
        [fig(3, "three years"), fig(61, "sixty-one"), fig(5, "five-day")],
    ),
    claim(
        "jefferson-pain-rating",
        "Patients with a pain rating of two were monitored during follow-up visits.",
        RAPM,
        [fig(2, "two")],
    ),
    claim(
        "jefferson-responders",
        "Among the sixty-one participants, an impressive forty-eight responded positively to "
        "the treatment, resulting in a 77% success rate, with 40% experiencing sustained relief.",
        RAPM,
        [fig(61), fig(48), fig(77, "77%", percent=True), fig(40, "40%", percent=True)],
        [Rate(48, 61, fig(77, "77%", percent=True))],
    ),
    claim(
        "rapid-relief-one-hour",
        "Intriguingly, research shows that ketamine can provide rapid relief to some patients "
        "within just an hour.",
        RAPM,
        [fig(1, "1 hour", unit="hour")],
    ),
]
JEM_CLAIMS = [
    claim(
        "jem-refractory-infusions",
        "Another study, featured in the Journal of Emergency Medicine, explored the potential "
        "of ketamine infusions for the treatment of refractory headaches.",
        JEM,
    ),
    claim(
        "jem-patient-split",
        "This study involved seventy-seven patients receiving ketamine treatments, with "
        "sixty-three suffering from chronic migraines and fourteen from recent persistent "
        "headaches daily.",
        JEM,
        [fig(77, "seventy-seven"), fig(63, "sixty-three"), fig(14, "fourteen")],
    ),
    claim(
        "jem-conclusion",
        "The findings indicated that Subanesthetic ketamine infusions may be beneficial in "
        "individuals with chronic migraines or new daily persistent headaches who have not "
        "responded to other aggressive treatment options.",
        JEM,
    ),
]
MRF_CLAIM = claim(
    "mrf-households",
    "According to the Migraine Research Foundation, around one in four U.S. households has a "
    "member affected by these debilitating headaches.",
    None,
)
SEED_CLAIMS = [JHP_CLAIM, BJP_CLAIM, *JEFFERSON_CLAIMS, *JEM_CLAIMS, MRF_CLAIM]


def resolve(claims: Sequence[Claim], source: PubMedSource) -> dict[str, Resolution]:
    """One search per citation: the fake ranks by relevance and cannot read combined searches
    (those are tested against the stand-in in test_combined_search.py)."""
    return resolve_sources(claims, source, combine=False)


def finding(resolution: Resolution, check: str) -> Finding:
    (found,) = [f for f in resolution.findings if f.check == check]
    return found


# --- the seed article: SOURCES.md §B ----------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[dict[str, Resolution], FakePubMed]:
    source = FakePubMed(CORPUS)
    return resolve(SEED_CLAIMS, source), source


def test_claims_without_cite_are_left_out(seed: tuple[dict[str, Resolution], FakePubMed]) -> None:
    resolutions, _ = seed
    assert "mrf-households" not in resolutions
    assert set(resolutions) == {c.id for c in SEED_CLAIMS if c.cite is not None}


def test_jefferson_claims_resolve_to_schwenk_2018(
    seed: tuple[dict[str, Resolution], FakePubMed],
) -> None:
    resolutions, _ = seed
    for jefferson in JEFFERSON_CLAIMS:
        resolution = resolutions[jefferson.id]
        assert resolution.paper is SCHWENK_2018
        resolve_finding = finding(resolution, "source.resolve")
        assert resolve_finding.status is Status.VERIFIED
        assert resolve_finding.message.startswith(
            "PMID 29923953 matches journal, year, affiliation, "
        )
        assert [f.check for f in resolution.findings] == ["source.resolve"]


def test_december_2016_case_series_resolves_to_lauritsen(
    seed: tuple[dict[str, Resolution], FakePubMed],
) -> None:
    resolutions, _ = seed
    resolution = resolutions["jhp-case-series"]
    assert resolution.paper is LAURITSEN_2016
    assert finding(resolution, "source.resolve").message == (
        "PMID 90000106 matches journal, year, month, 1 of 1 figure and the quote's wording"
    )
    checks = {f.check: f.status for f in check_citation(JHP, LAURITSEN_2016)}
    assert checks["cite.journal"] is Status.VERIFIED
    assert checks["cite.year"] is Status.VERIFIED
    assert checks["cite.month"] is Status.VERIFIED


def test_british_journal_of_pharmacology_claim_is_niesters_in_another_journal(
    seed: tuple[dict[str, Resolution], FakePubMed],
) -> None:
    resolutions, _ = seed
    resolution = resolutions["bjp-extended-infusions"]
    assert resolution.paper is NIESTERS_2014
    journal = finding(resolution, "cite.journal")
    assert journal.status is Status.MISMATCH
    assert journal.message == (
        "cited as British Journal of Pharmacology; this review is in Br J Clin Pharmacol "
        "(2014), PMID 23432384"
    )
    assert (journal.expected, journal.found, journal.line) == (
        "British Journal of Pharmacology",
        "Br J Clin Pharmacol",
        31,
    )
    how = finding(resolution, "source.resolve")
    assert how.status is Status.VERIFIED
    assert how.message.startswith("found without the journal: PMID 23432384 matches 2 of 2")
    # the Br J Pharmacol ketamine paper the journal search found was weighed and refused
    assert "in British Journal of Pharmacology: closest PMID 90000303" in how.message


def test_emergency_medicine_claims_are_pomeroy_in_headache(
    seed: tuple[dict[str, Resolution], FakePubMed],
) -> None:
    resolutions, _ = seed
    for jem in JEM_CLAIMS:
        resolution = resolutions[jem.id]
        assert resolution.paper is POMEROY_2017
        journal = finding(resolution, "cite.journal")
        assert journal.status is Status.MISMATCH
        assert journal.message == (
            "cited as Journal of Emergency Medicine; this study is in Headache (2017), "
            "PMID 28025837"
        )
        assert journal.line == 120
        how = finding(resolution, "source.resolve").message
        assert how.startswith("found without the journal: PMID 28025837 matches 1 of 3 figures")


def test_think_trial_in_the_cited_journal_is_found_but_refused(
    seed: tuple[dict[str, Resolution], FakePubMed],
) -> None:
    resolutions, source = seed
    journal_search = next(s for s in source.searches if s.startswith('"J Emerg Med"[ta]'))
    assert source.search(journal_search).ids == (THINK_2019.pmid,)
    how = finding(resolutions["jem-patient-split"], "source.resolve").message
    assert "in Journal of Emergency Medicine: closest PMID 30910061 (J Emerg Med 2019)" in how


def test_think_trap_without_the_real_paper_stays_unverifiable() -> None:
    corpus = [p for p in CORPUS if p is not POMEROY_2017]
    resolutions = resolve(JEM_CLAIMS, FakePubMed(corpus))
    for jem in JEM_CLAIMS:
        resolution = resolutions[jem.id]
        assert resolution.paper is None
        only = finding(resolution, "source.resolve")
        assert only.status is Status.UNVERIFIABLE
        assert only.message.startswith(
            "in Journal of Emergency Medicine: closest PMID 30910061 (J Emerg Med 2019) fits "
            "weakly (journal agrees)"
        )
        assert [f.check for f in resolution.findings] == ["source.resolve"]


def test_whole_seed_file_costs_six_searches_and_two_fetches(
    seed: tuple[dict[str, Resolution], FakePubMed],
) -> None:
    _, source = seed
    searches = source.searches[:6]  # later tests in this module reuse the source
    assert len(set(searches)) == 6
    assert searches[:4] == [
        '"J Headache Pain"[ta] AND 2015:2017[dp] AND '
        "(reductio*[tiab] OR migraine*[tiab] OR ketamine*[tiab])",
        '"Br J Pharmacol"[ta] AND (infusion*[tiab] OR analgesi*[tiab] OR ketamine*[tiab])',
        '"Reg Anesth Pain Med"[ta] AND 2017:2019[dp] AND '
        "(ketamine*[tiab] OR relief*[tiab] OR retrospe*[tiab])",
        '"J Emerg Med"[ta] AND (headache*[tiab] OR ketamine*[tiab] OR persiste*[tiab])',
    ]
    assert searches[4:] == [
        "infusion*[tiab] AND analgesi*[tiab] AND ketamine*[tiab]",
        "headache*[tiab] AND ketamine*[tiab] AND persiste*[tiab]",
    ]
    assert len(source.fetches) == 2
    assert len(set(source.fetches[0])) == len(source.fetches[0])
    assert set(source.fetches[0]).isdisjoint(source.fetches[1])


# --- identifiers ------------------------------------------------------------------------------


def _cited(cite: Citation, claim_id: str = "c1") -> Claim:
    return claim(claim_id, "Ketamine infusions gave analgesia for up to 3 months.", cite)


def test_pmid_is_fetched_without_searching() -> None:
    source = FakePubMed(CORPUS)
    resolution = resolve([_cited(Citation(pmid="29923953"))], source)["c1"]
    assert resolution.paper is SCHWENK_2018
    assert finding(resolution, "source.resolve").message == "found by PMID 29923953"
    assert source.searches == []
    assert source.fetches == [("29923953",)]


def test_unknown_pmid_is_a_mismatch() -> None:
    resolution = resolve([_cited(Citation(pmid="12345678"))], FakePubMed(CORPUS))["c1"]
    assert resolution.paper is None
    only = finding(resolution, "source.resolve")
    assert (only.status, only.message) == (Status.MISMATCH, "no PubMed record 12345678")


def test_unknown_pmid_with_a_good_doi_finds_the_paper_by_doi() -> None:
    cited = Citation(pmid="12345678", doi="10.1111/BCP.12094")
    resolution = resolve([_cited(cited)], FakePubMed(CORPUS))["c1"]
    assert resolution.paper is NIESTERS_2014
    how = finding(resolution, "source.resolve")
    assert how.status is Status.VERIFIED
    assert how.message == "found by DOI 10.1111/bcp.12094; no PubMed record 12345678"
    pmid_check = finding(Resolution(None, tuple(check_citation(cited, NIESTERS_2014))), "cite.pmid")
    assert pmid_check.status is Status.MISMATCH


def test_doi_and_pmcid_found_and_checked_against_the_record() -> None:
    claims = [
        _cited(Citation(doi="https://doi.org/10.1097/aap.0000000000000827"), "by-doi"),
        _cited(Citation(pmcid="PMC4014022"), "by-pmcid"),
    ]
    source = FakePubMed(CORPUS)
    resolutions = resolve(claims, source)
    assert resolutions["by-doi"].paper is SCHWENK_2018
    assert finding(resolutions["by-doi"], "source.resolve").message == (
        "found by DOI 10.1097/aap.0000000000000827"
    )
    assert resolutions["by-pmcid"].paper is NIESTERS_2014
    assert source.searches == ['"10.1097/aap.0000000000000827"[doi]', "PMC4014022[pmc]"]


def test_doi_search_hit_with_a_different_doi_is_rejected() -> None:
    term = '"10.1111/head.99999"[doi]'
    source = FakePubMed(CORPUS, canned={term: (POMEROY_2017.pmid,)})
    resolution = resolve([_cited(Citation(doi="10.1111/head.99999"))], source)["c1"]
    assert resolution.paper is None
    only = finding(resolution, "source.resolve")
    assert only.status is Status.UNVERIFIABLE
    assert only.message == (
        "DOI 10.1111/head.99999 not confirmed: PMID 28025837 has 10.1111/head.13013"
    )


def test_doi_unknown_to_pubmed() -> None:
    resolution = resolve([_cited(Citation(doi="10.9999/nothing"))], FakePubMed(CORPUS))["c1"]
    assert finding(resolution, "source.resolve").message == (
        "no PubMed record has DOI 10.9999/nothing"
    )


def test_identifier_found_means_other_fields_are_not_used_to_search() -> None:
    source = FakePubMed(CORPUS)
    cited = Citation(pmid="28025837", journal="Journal of Emergency Medicine", year=2019)
    resolution = resolve([_cited(cited)], source)["c1"]
    assert resolution.paper is POMEROY_2017
    assert source.searches == []
    assert [f.check for f in resolution.findings] == ["source.resolve"]


# --- refusing weak and ambiguous matches -----------------------------------------------------


def _cephalalgia(pmid: str, surname: str) -> Paper:
    """Invented papers, alike in every way the claim can see."""
    return Paper(
        pmid,
        f"Greater occipital nerve block for cluster headache ({surname}).",
        abstract="In 40 patients with cluster headache, occipital nerve block cut attacks by 50%.",
        journal_title="Cephalalgia",
        journal_iso="Cephalalgia",
        journal_medline_ta="Cephalalgia",
        print_date=PubDate(2020, 5),
        authors=(Author(surname, "A"),),
    )


def test_several_close_candidates_are_listed_not_taken() -> None:
    papers = [_cephalalgia(p, n) for p, n in (("91", "Ames"), ("92", "Baer"), ("93", "Cole"))]
    quote = "Occipital nerve block cut cluster headache attacks by 50% in 40 patients."
    figures = [fig(40), fig(50, "50%", percent=True)]
    ambiguous = claim("c1", quote, Citation(journal="Cephalalgia", year=2020), figures)
    resolution = resolve([ambiguous], FakePubMed(papers))["c1"]
    assert resolution.paper is None
    only = finding(resolution, "source.resolve")
    assert only.status is Status.UNVERIFIABLE
    assert only.message.startswith(
        "in Cephalalgia: 3 candidates fit equally: PMID 91 (Cephalalgia 2020), "
        "PMID 92 (Cephalalgia 2020), PMID 93 (Cephalalgia 2020); "
        "without the journal: no match either"
    )


def test_a_cited_author_tells_the_close_candidates_apart() -> None:
    papers = [_cephalalgia(p, n) for p, n in (("91", "Ames"), ("92", "Baer"), ("93", "Cole"))]
    cited = Citation(journal="Cephalalgia", year=2020, authors=("Baer",))
    picked = claim("c1", "Occipital nerve block helped 40 patients.", cited, [fig(40)])
    assert resolve([picked], FakePubMed(papers))["c1"].paper is papers[1]


def test_a_lone_weak_candidate_is_named_not_taken() -> None:
    resolutions = resolve(JEFFERSON_CLAIMS, FakePubMed([DECOY_RAPM_2018]))
    only = finding(resolutions["jefferson-cohort"], "source.resolve")
    assert resolutions["jefferson-cohort"].paper is None
    assert only.message.startswith(
        "in Regional Anesthesia & Pain Medicine: closest PMID 90000301 (Reg Anesth Pain Med "
        "2018) fits weakly (journal, year"
    )


def test_an_author_alone_does_not_identify_a_paper() -> None:
    # the Schwenk quote comes from a press release, not from his RAPM paper (SOURCES.md §B.5)
    quote = (
        "According to Dr. Eric Schwenk, Director of Orthopedic Anesthesia at Thomas Jefferson "
        "University Hospital in Philadelphia, “Ketamine may hold promise as a treatment for "
        "migraine headaches in patients who have failed other treatments.”"
    )
    cited = Citation(authors=("Schwenk",), affiliation="Thomas Jefferson University Hospital")
    # even when the search turns up his paper, an author's name alone does not make it the source
    search = fields_query(cited, [quote], with_journal=True)
    assert search is not None
    canned = {search.term: (SCHWENK_2018.pmid,)}
    resolution = resolve([claim("schwenk-quote", quote, cited)], FakePubMed(CORPUS, canned))
    only = finding(resolution["schwenk-quote"], "source.resolve")
    assert resolution["schwenk-quote"].paper is None
    assert only.message == (
        "closest PMID 29923953 (Reg Anesth Pain Med 2018) fits weakly (authors and affiliation "
        "agree)"
    )


def test_nothing_found_anywhere() -> None:
    cited = Citation(journal="Journal of Ketamine Studies", year=2019)
    quote = "Intranasal esketamine abolished cluster attacks in 12 of 13 volunteers."
    resolution = resolve([claim("c1", quote, cited, [fig(12), fig(13)])], FakePubMed(CORPUS))
    only = finding(resolution["c1"], "source.resolve")
    assert only.status is Status.UNVERIFIABLE
    assert only.message == (
        "PubMed does not know the journal 'Journal of Ketamine Studies'; "
        "without the journal: no match either"
    )


def test_unknown_journal_falls_back_to_searching_without_it() -> None:
    quote = BJP_CLAIM.quote.replace(
        "According to findings in the British Journal of Pharmacology, ", ""
    )
    wrong = replace(BJP_CLAIM, quote=quote, cite=Citation(journal="Journal of Ketamine Studies"))
    resolution = resolve([wrong], FakePubMed(CORPUS))[wrong.id]
    assert resolution.paper is NIESTERS_2014
    assert finding(resolution, "cite.journal").status is Status.MISMATCH


def test_citation_with_nothing_to_search() -> None:
    bare = claim("c1", "It works.", Citation())
    assert finding(resolve([bare], FakePubMed(CORPUS))["c1"], "source.resolve").message == (
        "the citation gives nothing to search PubMed with"
    )


# --- batching, progress and failures ------------------------------------------------------------


def test_identical_citations_share_one_search() -> None:
    twins = [replace(JHP_CLAIM, id="a"), replace(JHP_CLAIM, id="b", quote="Six patients.")]
    source = FakePubMed(CORPUS)
    resolutions = resolve(twins, source)
    assert resolutions["a"].paper is resolutions["b"].paper is LAURITSEN_2016
    assert len(source.searches) == 1


def test_identifiers_and_searches_share_one_fetch_per_round() -> None:
    claims = [
        _cited(Citation(pmid="29923953"), "pmid"),
        _cited(Citation(doi="10.1111/head.13013"), "doi"),
        JHP_CLAIM,
    ]
    source = FakePubMed(CORPUS)
    resolutions = resolve(claims, source)
    assert len(source.fetches) == 1
    assert "29923953" in source.fetches[0] and POMEROY_2017.pmid in source.fetches[0]
    assert [resolutions[k].paper for k in ("pmid", "doi", JHP_CLAIM.id)] == [
        SCHWENK_2018,
        POMEROY_2017,
        LAURITSEN_2016,
    ]


def test_progress_counts_settled_claims() -> None:
    calls: list[tuple[int, int]] = []
    source = FakePubMed(CORPUS)
    resolve_sources(SEED_CLAIMS, source, on_progress=lambda *a: calls.append(a), combine=False)
    assert calls == [(0, 10), (6, 10), (10, 10)]  # JHP + Jefferson, then BJP + JEM


def test_unreachable_midway_keeps_what_was_resolved() -> None:
    source = FakePubMed(CORPUS, fail_search_at=5)  # the first search of the second round
    resolutions = resolve(SEED_CLAIMS, source)
    assert resolutions["jhp-case-series"].paper is LAURITSEN_2016
    assert resolutions["jefferson-cohort"].paper is SCHWENK_2018
    for lost in ("bjp-extended-infusions", "jem-patient-split"):
        assert resolutions[lost].paper is None
        only = finding(resolutions[lost], "source.resolve")
        assert only.status is Status.UNVERIFIABLE
        assert only.message == "not checked: connection refused (3 tries)"


def test_offline_cache_miss_says_so() -> None:
    source = FakePubMed(CORPUS, fail_search_at=1)
    source.failure = NotCached("esearch is not in the cache (offline)")
    resolutions = resolve([JHP_CLAIM], source)
    message = finding(resolutions[JHP_CLAIM.id], "source.resolve").message
    assert message == "not checked: the source is not in the cache (--offline)"


def test_unreachable_from_the_start() -> None:
    resolutions = resolve(SEED_CLAIMS, FakePubMed(CORPUS, fail_search_at=1))
    assert all(r.paper is None for r in resolutions.values())
    assert len(resolutions) == 10


def test_unusable_fetch_answer_leaves_the_round_unverifiable() -> None:
    source = FakePubMed(CORPUS, fail_fetch=PubMedError("efetch returned an HTML page"))
    resolution = resolve([JHP_CLAIM], source)[JHP_CLAIM.id]
    assert finding(resolution, "source.resolve").message == (
        "PubMed could not answer: efetch returned an HTML page"
    )


def test_unusable_search_answer_affects_only_its_claims() -> None:
    bad = '"10.9999/bad"[doi]'
    source = FakePubMed(CORPUS, fail_terms={bad: PubMedError("ERROR: bad query")})
    claims = [_cited(Citation(doi="10.9999/bad"), "bad"), _cited(Citation(pmid="29923953"), "ok")]
    resolutions = resolve(claims, source)
    assert finding(resolutions["bad"], "source.resolve").message == (
        "PubMed search failed: ERROR: bad query"
    )
    assert resolutions["ok"].paper is SCHWENK_2018


# --- the parts ----------------------------------------------------------------------------------


def test_fields_query_with_authors_and_year_needs_no_topic_words() -> None:
    cited = Citation(journal="Headache", year=2017, authors=("Pomeroy", "van der Berg"))
    search = fields_query(cited, ["ketamine"], with_journal=True)
    assert search is not None and search.term == (
        '"Headache"[ta] AND 2016:2018[dp] AND Pomeroy[au] AND "van der Berg"[au]'
    )


def test_fields_query_with_a_title() -> None:
    cited = Citation(title="Ketamine infusions for treatment refractory headache")
    search = fields_query(cited, [], with_journal=True)
    assert search is not None and search.term == (
        "refracto*[ti] AND infusion*[ti] AND ketamine*[ti]"
    )


def test_topic_words_skip_generic_journal_and_verb_words() -> None:
    quotes = [c.quote for c in JEM_CLAIMS]
    assert topic_words(quotes, JEM) == ["headache", "ketamine", "persiste"]
    assert "emergenc" not in topic_words(quotes, JEM, count=20)
    assert "suffer" not in topic_words(quotes, JEM, count=20)


def test_targets_are_found_as_figure_present_reads_the_abstract() -> None:
    claims = [
        claim(
            "c",
            "q",
            None,
            [
                fig(48, "forty-eight"),
                fig(77, "77%", percent=True),
                fig(4.56, "4.56 days", decimals=2, unit="days"),
                fig(4.6, "4.6 days", decimals=1, unit="days"),
                fig(65, "65 mg/h", unit="mg/h"),
                fig(38, "above 38%", percent=True, hedge=Hedge.ABOVE),
                fig(101.3, "101.3", decimals=1),
                fig(4, "4-14 days", upper=14, unit="days"),
            ],
        )
    ]
    found = targets_found(claim_targets(claims), f"{SCHWENK_2018.title} {SCHWENK_2018.abstract}")
    # "Forty-eight (77%)"; 4.56 days rounds to 4.6 days and 65.2 mg/h to 65 mg/h; 40% is above
    # 38%. A bare 101.3 is not "101.3 days", and no 4 or 14 days is stated.
    assert [t.figure.text for t in found] == [
        "forty-eight",
        "77%",
        "4.56 days",
        "4.6 days",
        "65 mg/h",
        "above 38%",
    ]


def test_a_measure_needs_its_unit_and_a_percent_is_not_a_count() -> None:
    figures = [fig(48, "48%", percent=True), fig(5.2, "5.2 mg", decimals=1, unit="mg")]
    claims = [claim("c", "q", None, figures)]
    assert targets_found(claim_targets(claims), "48 of 61 patients; 5.2 days") == []


def test_claim_targets_skip_years_and_halve_small_numbers() -> None:
    targets = claim_targets([JHP_CLAIM, JEFFERSON_CLAIMS[3]])
    assert {(t.figure.value, t.figure.percent, t.weight) for t in targets} == {
        (6, False, 0.5),
        (61, False, 1.0),
        (48, False, 1.0),
        (77, True, 1.0),
        (40, True, 1.0),
    }


def test_percent_figure_does_not_match_a_count() -> None:
    # Schwenk's abstract has "77%", not 77 patients: Pomeroy's 77 patients must not match it
    evidence = Evidence(JEM, tuple(claim_targets([JEM_CLAIMS[1]])), frozenset())
    assert score_candidate(evidence, SCHWENK_2018, with_journal=False).figures_found == 0
    assert score_candidate(evidence, POMEROY_2017, with_journal=False).figures_found == 1


def test_choose_refuses_contradicted_candidates() -> None:
    evidence = Evidence(Citation(year=2010, authors=("Schwenk",)), (), frozenset())
    choice = choose([score_candidate(evidence, SCHWENK_2018)])
    assert choice.best is not None and not choice.accepted
