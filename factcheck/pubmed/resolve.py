"""Find each claim's cited paper in PubMed (CONTRACT §7): the rounds of requests.

Claims are grouped by citation and each group tries its attempts in order
(`factcheck.pubmed.groups`): PMID, DOI, PMCID, a search from the cited fields
(`factcheck.pubmed.search_terms`), the same search without the journal. Candidates are
scored and one is taken only when it clearly fits (`factcheck.pubmed.scoring`).

Work runs in rounds: every pending group's next search is sent (identical searches once),
then one `fetch` takes every PMID the round needs, then each group is judged. A typical
claims file costs two fetches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from factcheck.errors import PubMedError, PubMedUnavailable
from factcheck.models import Claim, Paper, Resolution
from factcheck.pubmed.groups import CANDIDATES, Group, SearchHits, judge, make_groups

__all__ = ["PubMedSource", "SearchHits", "resolve_sources"]

Progress = Callable[[int, int], None]


class PubMedSource(Protocol):
    """Where papers come from: `factcheck.pubmed.client.EutilsClient`, or a fake in tests."""

    def search(self, term: str, retmax: int = 20) -> SearchHits:
        """Search PubMed for `term`; raise PubMedUnavailable when it cannot be reached."""

    def fetch(self, pmids: Sequence[str]) -> Mapping[str, Paper]:
        """The records of `pmids` that exist, keyed by PMID."""


@dataclass
class _Session:
    """One resolution run: the source, and every answer it gave (each asked once)."""

    source: PubMedSource
    searches: dict[str, SearchHits | PubMedError] = field(default_factory=dict)
    papers: dict[str, Paper] = field(default_factory=dict)
    fetched: set[str] = field(default_factory=set)

    def run_round(self, groups: list[Group]) -> None:
        """Send every pending group's current search, fetch what they need, judge them."""
        for term in dict.fromkeys(g.attempt.term for g in groups if g.attempt.term):
            if term not in self.searches:
                self.searches[term] = self._search(term)
        if not self._fetch([pmid for g in groups for pmid in self._needs(g)], groups):
            return
        for group in groups:
            asked = group.attempt.term
            judge(group, self.searches[asked] if asked else None, self.papers)

    def _search(self, term: str) -> SearchHits | PubMedError:
        try:
            return self.source.search(term, retmax=CANDIDATES)
        except PubMedUnavailable:
            raise
        except PubMedError as exc:
            return exc

    def _fetch(self, wanted: list[str], groups: list[Group]) -> bool:
        """Fetch the records not fetched yet; on an unusable answer settle `groups` (False)."""
        missing = [p for p in dict.fromkeys(wanted) if p not in self.fetched]
        if not missing:
            return True
        try:
            self.papers.update(self.source.fetch(missing))
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
        hits = self.searches.get(attempt.term or "")
        return [] if hits is None or isinstance(hits, PubMedError) else list(hits.ids[:CANDIDATES])


def resolve_sources(
    claims: Sequence[Claim],
    source: PubMedSource,
    on_progress: Progress | None = None,
) -> dict[str, Resolution]:
    """Find the paper each claim cites; claims without `cite` are left out of the result.

    `on_progress(done, total)` hears how many claims are settled. If PubMed becomes
    unreachable, the claims settled so far keep their resolution and the rest are
    unverifiable ("PubMed unreachable: ...").
    """
    groups = make_groups(claims)
    total = sum(len(g.claims) for g in groups)
    session = _Session(source)
    _report(groups, total, on_progress)
    try:
        while pending := [g for g in groups if g.outcome is None]:
            session.run_round(pending)
            _report(groups, total, on_progress)
    except PubMedUnavailable as exc:
        for group in groups:
            if group.outcome is None:
                group.fail(f"PubMed unreachable: {exc}")
    return {claim.id: g.resolution_for(claim) for g in groups for claim in g.claims}


def _report(groups: list[Group], total: int, on_progress: Progress | None) -> None:
    if on_progress is not None:
        on_progress(sum(len(g.claims) for g in groups if g.outcome is not None), total)
