"""Find each claim's cited paper in PubMed (CONTRACT §7): the rounds of requests.

Claims are grouped by citation and each group tries its attempts in order
(`factcheck.pubmed.groups`): PMID, DOI, PMCID, ECitMatch (journal, year, volume and first
page), a search from the cited fields (`factcheck.pubmed.search_terms`), the same search
without the journal. Candidates are scored and one is taken only when it clearly fits
(`factcheck.pubmed.scoring`).

Work runs in rounds: first every pending group's ECitMatch citation goes in one request (per
100), and a group ECitMatch cannot place moves on to its search at once; then every pending
group's search is sent (identical searches once; narrow searches of many citations combined
into one, `factcheck.pubmed.combined`), then one `fetch` takes every PMID the round needs
(ECitMatch's among them), then each group is judged. A search whose
combined answer cannot settle its groups exactly is sent alone in the next round. A typical
claims file costs two fetches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from factcheck.errors import (
    MatchesFailed,
    MatchesNotCached,
    NotCached,
    PubMedError,
    PubMedUnavailable,
)
from factcheck.models import Claim, Paper, Resolution, Status
from factcheck.pubmed.combined import Batch, Sent, assign, send_combined
from factcheck.pubmed.groups import CANDIDATES, Group, SearchHits, judge, make_groups
from factcheck.pubmed.parse import Assignment, SearchResult
from factcheck.pubmed.search_terms import Query

__all__ = ["PubMedSource", "SearchHits", "resolve_sources"]

Progress = Callable[[int, int], None]


class PubMedSource(Protocol):
    """Where papers come from: `factcheck.pubmed.client.EutilsClient`, or a fake in tests."""

    def search(self, term: str, retmax: int = 20) -> SearchHits:
        """Search PubMed for `term`; raise PubMedUnavailable when it cannot be reached."""

    def fetch(self, pmids: Sequence[str]) -> Mapping[str, Paper]:
        """The records of `pmids` that exist, keyed by PMID."""


@runtime_checkable
class MatchesCitations(Protocol):
    """A source that can ask ECitMatch (the client can; a fake in a test may not)."""

    def citation_match(self, citations: Sequence[str]) -> Mapping[str, str]:
        """Each citation's PMID, or why there is none; raise PubMedUnavailable when PubMed
        cannot be reached, MatchesNotCached when offline and the cache lacks some,
        MatchesFailed (with the other answers) when some could not be answered."""


@runtime_checkable
class RemembersAssignments(Protocol):
    """A source that keeps what combined searches gave each search, across runs (the client
    does, in its cache): an edited claims file changes the combinations, not the answers."""

    def recall_assignment(self, term: str) -> Assignment | None:
        """What was remembered for `term`, or None."""

    def remember_assignment(self, term: str, assignment: Assignment) -> None:
        """Keep what a combined search gave `term`."""


@dataclass
class _Session:
    """One resolution run: the source, and every answer it gave (each asked once).

    `searches` holds lone searches' answers, in PubMed's order; `assigned` holds searches'
    hits picked out of combined answers (`factcheck.pubmed.combined`); a term in `alone`
    must be searched on its own before it is judged; a term in `uncached` could not be
    searched (offline, and the cache does not have it).
    """

    source: PubMedSource
    combine: bool = True
    searches: dict[str, SearchHits | PubMedError] = field(default_factory=dict)
    assigned: dict[str, SearchHits] = field(default_factory=dict)
    alone: set[str] = field(default_factory=set)
    papers: dict[str, Paper] = field(default_factory=dict)
    fetched: set[str] = field(default_factory=set)
    uncached: set[str] = field(default_factory=set)
    matches: dict[str, str | PubMedError] = field(default_factory=dict)
    """ECitMatch's answer (or error) for each citation asked about."""

    def run_round(self, groups: list[Group]) -> None:
        """Match every pending group's citation, send its search, fetch what they need,
        judge them."""
        self._match_citations(groups)
        groups = [g for g in groups if g.outcome is None]
        batches = self._send_searches(groups)
        for group in groups:
            if group.attempt.term in self.uncached:
                group.fail(NOT_CACHED)
        wanted = [pmid for g in groups for pmid in self._needs(g)]
        if not self._fetch(wanted, [pmid for b in batches for pmid in b.ids], groups):
            return
        for batch in batches:
            for term, hits in assign(batch, self.papers).items():
                if hits is None:
                    self.alone.add(term)
                else:
                    self.assigned[term] = hits
                self._remember(term, hits)
        for group in groups:
            if group.outcome is None:  # not settled by a record missing from the cache
                self._judge(group)

    def _match_citations(self, groups: list[Group]) -> None:
        """Ask ECitMatch about the citations of groups at that attempt (once each, in one
        request per 100), and give each group its answer. Offline, a group whose answer the
        cache lacks goes on to its field search, which the cache may hold (a citation given
        its volume and pages after it was last checked online)."""
        asking = [g for g in groups if g.attempt.citation is not None and g.attempt.pmid is None]
        wanted = [c for g in asking if (c := g.attempt.citation) and c not in self.matches]
        if wanted and isinstance(self.source, MatchesCitations):
            self._ask_citmatch(list(dict.fromkeys(wanted)))
        for group in asking:
            answer = self.matches.get(group.attempt.citation or "")
            if answer is None:
                group.miss(Status.UNVERIFIABLE, "ECitMatch's answer is not in the cache")
            else:
                group.matched(answer)

    def _ask_citmatch(self, citations: list[str]) -> None:
        assert isinstance(self.source, MatchesCitations)
        try:
            self.matches.update(self.source.citation_match(citations))
        except MatchesNotCached as exc:  # the missing ones go on to their field search
            self.matches.update(exc.answers)
        except PubMedUnavailable:
            raise
        except PubMedError as exc:
            self.matches.update(dict.fromkeys(citations, exc))
            if isinstance(exc, MatchesFailed):  # the other requests' answers
                self.matches.update(exc.answers)

    def _send_searches(self, groups: list[Group]) -> list[Batch]:
        """Send the searches not answered yet: narrow ones combined, the rest alone."""
        queries = [g.attempt.query for g in groups if g.attempt.query is not None]
        distinct = {q.term: q for q in queries}
        unanswered = [q for term, q in distinct.items() if self._unanswered(term)]
        self._recall([q for q in unanswered if self._combinable(q)])
        unanswered = [q for q in unanswered if self._unanswered(q.term)]
        together = [q for q in unanswered if self._combinable(q)]
        sent = Sent(alone=[q for q in unanswered if not self._combinable(q)])
        for identifies in (True, False):
            self._send_combined([q for q in together if q.identifies is identifies], sent)
        for query in sent.alone:
            self._search(query.term)
        return sent.batches

    def _send_combined(self, queries: list[Query], sent: Sent) -> None:
        """Send `queries` combined, adding to `sent` and remembering what each was given.
        Offline, a combination the cache lacks leaves those searches uncached."""
        try:
            partial = send_combined(queries, lambda term, n: self.source.search(term, retmax=n))
        except NotCached:
            self.uncached.update(q.term for q in queries)
            return
        sent.batches += partial.batches
        sent.alone += partial.alone
        self.assigned.update(partial.answered)
        for term, hits in partial.answered.items():
            self._remember(term, hits)
        for query in partial.alone:
            self._remember(query.term, None)

    def _recall(self, queries: list[Query]) -> None:
        """Take the hits earlier runs' combined searches gave these searches, when kept."""
        if isinstance(self.source, RemembersAssignments):
            for query in queries:
                remembered = self.source.recall_assignment(query.term)
                if remembered is None:
                    continue
                if remembered.hits is None:
                    self.alone.add(query.term)
                else:
                    self.assigned[query.term] = remembered.hits

    def _remember(self, term: str, hits: SearchResult | None) -> None:
        """Keep what the combined search gave `term` (None: search it alone) for later runs."""
        if isinstance(self.source, RemembersAssignments):
            self.source.remember_assignment(term, Assignment(hits))

    def _unanswered(self, term: str) -> bool:
        return term not in self.searches and (term not in self.assigned or term in self.alone)

    def _combinable(self, query: Query) -> bool:
        return self.combine and query.narrow and query.term not in self.alone

    def _search(self, term: str) -> None:
        """Search `term` alone: its answer (or error) goes in `searches`; offline, a search
        the cache lacks goes in `uncached`."""
        try:
            self.searches[term] = self.source.search(term, retmax=CANDIDATES)
        except NotCached:
            self.uncached.add(term)
        except PubMedUnavailable:
            raise
        except PubMedError as exc:
            self.searches[term] = exc

    def _fetch(self, wanted: list[str], candidates: list[str], groups: list[Group]) -> bool:
        """Fetch the records not fetched yet (the groups' `wanted` ones, and the `candidates`
        of combined searches); on an unusable answer settle `groups` (False).

        Offline, groups needing a record the cache lacks are settled as not cached and the
        others go on, unless a combined search's candidate is missing (then all stop).
        """
        missing = [p for p in dict.fromkeys(wanted + candidates) if p not in self.fetched]
        if not missing:
            return True
        try:
            self.papers.update(self.source.fetch(missing))
        except NotCached as exc:
            uncached = set(exc.missing)
            if not uncached or uncached & set(candidates):
                raise
            self.papers.update(exc.found)
            self.fetched.update(p for p in missing if p not in uncached)
            for group in groups:
                if uncached & set(self._needs(group)):
                    group.fail(NOT_CACHED)
            return True
        except PubMedUnavailable:
            raise
        except PubMedError as exc:
            for group in groups:
                group.fail(f"PubMed could not answer: {exc}")
            return False
        self.fetched.update(missing)
        return True

    def _needs(self, group: Group) -> list[str]:
        attempt = group.attempt
        if attempt.pmid is not None:
            return [attempt.pmid]
        term = attempt.term or ""
        hits = self.searches.get(term)
        if hits is None and term not in self.alone:  # hits out of a combined search
            hits = self.assigned.get(term)
        return [] if hits is None or isinstance(hits, PubMedError) else list(hits.ids[:CANDIDATES])

    def _judge(self, group: Group) -> None:
        """Judge `group` on its current answer; leave it for the next round if it has none."""
        term = group.attempt.term
        if term is None or term in self.searches:
            judge(group, self.searches[term] if term else None, self.papers)
        elif term in self.assigned and term not in self.alone:
            if not judge(group, self.assigned[term], self.papers, ranked=False):
                self.alone.add(term)
                self._remember(term, None)


def resolve_sources(
    claims: Sequence[Claim],
    source: PubMedSource,
    on_progress: Progress | None = None,
    *,
    combine: bool = True,
) -> dict[str, Resolution]:
    """Find the paper each claim cites; claims without `cite` are left out of the result.

    With `combine`, narrow searches of several citations go to PubMed as one combined
    search (`factcheck.pubmed.combined`); the verdicts are those of one search each.

    `on_progress(done, total)` hears how many claims are settled. If PubMed becomes
    unreachable, the claims settled so far keep their resolution and the rest are
    unverifiable: "not checked: " and why PubMed could not be used (for `--offline`, that
    the source is not in the cache).
    """
    groups = make_groups(claims, citmatch=isinstance(source, MatchesCitations))
    total = sum(len(g.claims) for g in groups)
    session = _Session(source, combine)
    _report(groups, total, on_progress)
    try:
        while pending := [g for g in groups if g.outcome is None]:
            session.run_round(pending)
            _report(groups, total, on_progress)
    except PubMedUnavailable as exc:
        reason = NOT_CACHED if isinstance(exc, NotCached) else f"not checked: {exc}"
        for group in groups:
            if group.outcome is None:
                group.fail(reason)
    return {claim.id: g.resolution_for(claim) for g in groups for claim in g.claims}


NOT_CACHED = "not checked: the source is not in the cache (--offline)"


def _report(groups: list[Group], total: int, on_progress: Progress | None) -> None:
    if on_progress is not None:
        on_progress(sum(len(g.claims) for g in groups if g.outcome is not None), total)
