"""Claims that cite the same thing, the ways their paper may be found, and the verdicts.

Claims with identical `cite:` fields form one `Group`, pooling their quotes and figures: the
article says it is one source, and every sentence about it is evidence for which paper that
is. A group's `Attempt`s, in order: its PMID (fetched), DOI or PMCID (searched, accepted only
when the record's own identifier is the cited one), ECitMatch when it cites a journal, year,
volume and first page (the PMID it names is fetched and scored like a search's candidate),
a search from the cited fields, and, when a journal was cited, the same search without it (a
strong candidate found there is a `cite.journal` mismatch). `judge` settles a group from one
attempt's answer, or records the miss and moves it on to the next attempt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from factcheck.checks.citation import paper_kind
from factcheck.dates import ascii_digits
from factcheck.errors import PubMedError
from factcheck.identifiers import first_page, normalise_doi, normalise_pmcid
from factcheck.journals import same_journal, short_journal
from factcheck.models import Citation, Claim, Finding, Paper, Resolution, Status, worst
from factcheck.pubmed.citmatch import citation_string
from factcheck.pubmed.scoring import (
    Evidence,
    Score,
    choose,
    depends_on_ranking,
    describe_citation,
    listing,
    score_candidate,
    why_not,
)
from factcheck.pubmed.search_terms import Query, doi_query, fields_query, pmcid_query

CANDIDATES = 20
"""Search hits fetched and scored per search (PubMed's relevance order)."""

RESOLVE = "source.resolve"


class SearchHits(Protocol):
    """What a PubMed search answers (the shape of `factcheck.pubmed.parse.SearchResult`)."""

    @property
    def ids(self) -> tuple[str, ...]:
        """The PMIDs found, best first."""

    @property
    def count(self) -> int:
        """How many records matched in all."""

    @property
    def phrases_not_found(self) -> tuple[str, ...]:
        """Search phrases PubMed did not know (and silently dropped)."""

    @property
    def fields_not_found(self) -> tuple[str, ...]:
        """Search field tags PubMed did not know (and silently dropped)."""


@dataclass(frozen=True)
class Attempt:
    """One way of finding a group's paper: fetch a PMID, or run a search and judge its hits."""

    how: str
    """"pmid", "doi", "pmcid", "citmatch", "fields" (with the journal, if cited) or
    "elsewhere"."""
    query: Query | None = None
    pmid: str | None = None
    """The PMID to fetch: the cited one, or (citmatch) the one ECitMatch named."""
    citation: str | None = None
    """What ECitMatch is asked (citmatch): `factcheck.pubmed.citmatch.citation_string`."""

    @property
    def term(self) -> str | None:
        """The search term, for a search."""
        return self.query.term if self.query is not None else None


@dataclass
class Group:
    """Claims that cite the same thing, and how far their resolution has got."""

    cite: Citation
    claims: list[Claim]
    attempts: list[Attempt]
    misses: list[tuple[Status, str]] = field(default_factory=list)
    outcome: Resolution | None = None

    @property
    def attempt(self) -> Attempt:
        """The attempt of the current round."""
        return self.attempts[len(self.misses)]

    def evidence(self) -> Evidence:
        """The group's pooled evidence."""
        return Evidence.of(self.cite, self.claims)

    def miss(self, status: Status, message: str) -> None:
        """Record a failed attempt; settle the group when none is left."""
        self.misses.append((status, message))
        if len(self.misses) == len(self.attempts):
            status = worst(s for s, _ in self.misses)
            text = "; ".join(dict.fromkeys(m for _, m in self.misses))
            self.settle(None, [Finding(RESOLVE, status, text)])

    def settle(self, paper: Paper | None, findings: list[Finding]) -> None:
        """Fix the group's resolution."""
        self.outcome = Resolution(paper, tuple(findings))

    def matched(self, answer: str | PubMedError) -> None:
        """Take ECitMatch's answer to the current (citmatch) attempt: a PMID is fetched and
        judged next; anything else is a miss, and the group moves on to its next attempt."""
        if isinstance(answer, PubMedError):
            self.miss(Status.UNVERIFIABLE, f"ECitMatch failed: {answer}")
        elif ascii_digits(answer):
            self.attempts[len(self.misses)] = replace(self.attempt, pmid=answer)
        else:
            self.miss(Status.UNVERIFIABLE, f"ECitMatch: {answer} ({_locator(self.cite)})")

    def fail(self, message: str) -> None:
        """Settle the group as unverifiable: PubMed could not be asked (or not about this)."""
        self.settle(None, [Finding(RESOLVE, Status.UNVERIFIABLE, message)])

    def found(self, paper: Paper, how: str, extra: Sequence[Finding] = ()) -> None:
        """Settle on `paper`, noting earlier failed attempts after `how`."""
        notes = [m for _, m in self.misses]
        message = "; ".join([how, *notes])
        self.settle(paper, [Finding(RESOLVE, Status.VERIFIED, message), *extra])

    def resolution_for(self, claim: Claim) -> Resolution:
        """The group's resolution, with findings on cited fields at `claim`'s own lines."""
        assert self.outcome is not None and claim.cite is not None
        cite = claim.cite
        findings = tuple(
            replace(f, line=cite.line_of(f.check.removeprefix("cite.")))
            if f.check.startswith("cite.")
            else f
            for f in self.outcome.findings
        )
        return Resolution(self.outcome.paper, findings)


# --- forming groups ----------------------------------------------------------------------------


def _attempts(cite: Citation, quotes: Sequence[str], citmatch: bool) -> list[Attempt]:
    attempts = []
    if cite.pmid:
        attempts.append(Attempt("pmid", pmid=cite.pmid.strip()))
    if cite.doi:
        attempts.append(Attempt("doi", doi_query(cite.doi)))
    if cite.pmcid:
        attempts.append(Attempt("pmcid", pmcid_query(cite.pmcid)))
    if not (cite.journal or cite.year or cite.authors or cite.title or cite.affiliation):
        return attempts
    citation = citation_string(cite) if citmatch else None
    if citation is not None:
        attempts.append(Attempt("citmatch", citation=citation))
    query = fields_query(cite, quotes, with_journal=True)
    if query is not None:
        attempts.append(Attempt("fields", query))
    elsewhere = fields_query(cite, quotes, with_journal=False) if cite.journal else None
    if elsewhere is not None and elsewhere.term != (query.term if query else None):
        attempts.append(Attempt("elsewhere", elsewhere))
    return attempts


def make_groups(claims: Sequence[Claim], *, citmatch: bool = False) -> list[Group]:
    """The claims with a `cite`, grouped by identical citation (first appearance first).
    With `citmatch`, citations giving journal, year, volume and first page try ECitMatch
    before their field search."""
    by_cite: dict[Citation, list[Claim]] = {}
    for claim in claims:
        if claim.cite is not None:
            by_cite.setdefault(replace(claim.cite, lines=()), []).append(claim)
    groups = []
    for cite, members in by_cite.items():
        group = Group(cite, members, _attempts(cite, [c.quote for c in members], citmatch))
        if not group.attempts:
            group.fail("the citation gives nothing to search PubMed with")
        groups.append(group)
    return groups


# --- judging one attempt -----------------------------------------------------------------------


def judge(
    group: Group,
    hits: SearchHits | PubMedError | None,
    papers: Mapping[str, Paper],
    *,
    ranked: bool = True,
) -> bool:
    """Settle `group` from its current attempt's answer, or record the miss.

    `hits` is the search's answer (None for a PMID). When `ranked` is False the hits are
    the right records but not in PubMed's order; then an answer whose verdict depends on that
    order is left unjudged and False is returned (search again, alone). Otherwise True.
    """
    attempt = group.attempt
    if attempt.how == "citmatch":
        assert attempt.pmid is not None
        _judge_match(group, attempt.pmid, papers.get(attempt.pmid))
        return True
    if attempt.how == "pmid":
        assert attempt.pmid is not None
        paper = papers.get(attempt.pmid)
        if paper is None:
            group.miss(Status.MISMATCH, f"no PubMed record {attempt.pmid}")
        else:
            group.found(paper, f"found by PMID {attempt.pmid}")
        return True
    if isinstance(hits, PubMedError):
        group.miss(Status.UNVERIFIABLE, f"PubMed search failed: {hits}")
        return True
    assert hits is not None
    candidates = [papers[i] for i in hits.ids[:CANDIDATES] if i in papers]
    if attempt.how in ("doi", "pmcid"):
        _judge_identifier(group, attempt.how, hits, candidates)
        return True
    return _judge_fields(group, attempt.how == "fields", hits, candidates, ranked)


def _judge_match(group: Group, pmid: str, paper: Paper | None) -> None:
    """Judge the paper ECitMatch named like a search's only candidate, and take it only if
    its journal, year, volume and first page are the cited ones too (ECitMatch weighs
    journal, volume and page, and can name a paper the rest of the citation contradicts)."""
    if paper is None:
        group.miss(Status.UNVERIFIABLE, f"ECitMatch named PMID {pmid}, which PubMed lacks")
        return
    score = score_candidate(group.evidence(), paper)
    choice = choose([score])
    if choice.accepted and score.located:
        group.found(paper, f"found by ECitMatch: PMID {pmid} matches {listing(score.agreeing())}")
        return
    why = why_not(choice) if not choice.accepted else _unlocated(group.cite, paper)
    group.miss(Status.UNVERIFIABLE, f"ECitMatch named PMID {pmid}, not taken: {why}")


def _unlocated(cite: Citation, paper: Paper) -> str:
    """Why a well-scoring paper ECitMatch named is still not placed where the citation says."""
    if not (paper.volume and paper.pages):
        return "PubMed gives no volume or pages for it, so the cited ones cannot be confirmed"
    return f"it is {paper.volume}:{paper.pages}, cited as {cite.volume}:{cite.pages}"


def _locator(cite: Citation) -> str:
    """ "Reg Anesth Pain Med 2018;43:875", for messages."""
    return f"{cite.journal} {cite.year};{cite.volume}:{first_page(cite.pages or '')}"


def _judge_identifier(group: Group, how: str, hits: SearchHits, candidates: list[Paper]) -> None:
    cite = group.cite
    if how == "doi":
        assert cite.doi is not None
        name, wanted = "DOI", normalise_doi(cite.doi)
        ids = [(p, normalise_doi(p.doi) if p.doi else None) for p in candidates]
    else:
        assert cite.pmcid is not None
        name, wanted = "PMCID", normalise_pmcid(cite.pmcid)
        ids = [(p, normalise_pmcid(p.pmcid) if p.pmcid else None) for p in candidates]
    for paper, theirs in ids:
        if theirs == wanted:
            group.found(paper, f"found by {name} {wanted}")
            return
    if not ids or hits.phrases_not_found or hits.fields_not_found:
        group.miss(Status.UNVERIFIABLE, f"no PubMed record has {name} {wanted}")
        return
    other = ", ".join(f"PMID {p.pmid} has {theirs or 'none'}" for p, theirs in ids[:3])
    group.miss(Status.UNVERIFIABLE, f"{name} {wanted} not confirmed: {other}")


def _judge_fields(
    group: Group, with_journal: bool, hits: SearchHits, candidates: list[Paper], ranked: bool
) -> bool:
    cite = group.cite
    inside = with_journal and bool(cite.journal)
    if cite.journal and not with_journal:
        # the cited journal's papers were judged already: look at the other journals
        candidates = [p for p in candidates if not same_journal(cite.journal, p)]
    if inside and hits.phrases_not_found:
        group.miss(Status.UNVERIFIABLE, f"PubMed does not know the journal {cite.journal!r}")
        return True
    if not candidates:
        group.miss(Status.UNVERIFIABLE, _nothing_matches(cite, with_journal))
        return True
    evidence = group.evidence()
    scores = [score_candidate(evidence, p, with_journal) for p in candidates]
    if not ranked and depends_on_ranking(scores):
        return False
    choice = choose(scores)
    if not choice.accepted:
        where = (
            f"in {cite.journal}: " if inside else "without the journal: " if cite.journal else ""
        )
        group.miss(Status.UNVERIFIABLE, where + why_not(choice))
        return True
    assert choice.best is not None
    best = choice.best
    if with_journal or not cite.journal:
        group.found(best.paper, f"PMID {best.paper.pmid} matches {listing(best.agreeing())}")
    elif best.identified_by_content:
        _found_elsewhere(group, best)
    else:
        group.miss(Status.UNVERIFIABLE, _not_taken_elsewhere(best))
    return True


def _not_taken_elsewhere(best: Score) -> str:
    paper = best.paper
    return (
        f"without the journal: closest PMID {paper.pmid} ({short_journal(paper)} "
        f"{paper.year or ''}) agrees on {listing(best.agreeing())}, too little to say the "
        "journal is wrong"
    )


def _nothing_matches(cite: Citation, with_journal: bool) -> str:
    if with_journal or not cite.journal:
        return f"no PubMed record matches {describe_citation(cite)}"
    return "without the journal: no match either"


def _found_elsewhere(group: Group, best: Score) -> None:
    """Settle on a paper found without the cited journal: a cite.journal mismatch."""
    paper, cited = best.paper, group.cite.journal or ""
    where = f"{short_journal(paper)} ({paper.year})" if paper.year else short_journal(paper)
    message = f"cited as {cited}; this {paper_kind(paper)} is in {where}, PMID {paper.pmid}"
    journal = Finding("cite.journal", Status.MISMATCH, message, cited, short_journal(paper))
    how = f"found without the journal: PMID {paper.pmid} matches {listing(best.agreeing())}"
    group.found(paper, how, [journal])
