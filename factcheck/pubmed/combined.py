"""Several citations' searches sent as one ESearch, and its hits given back to each search.

`send_combined` ORs up to `BATCH` searches into one term, `(A) OR (B) OR …`, asking for
`CANDIDATES` hits per search so that a complete answer holds every search's own hits. Each
search's hits are then picked out of the fetched records by checking its clauses locally
(`assign`, with `Query.match`); scoring and judging go on exactly as for a lone search.

Whatever cannot be told exactly is searched alone instead, so that every verdict is the one
a lone search gives:

* the combined search fails: all its searches;
* PubMed reports an unknown field tag: the searches using it, and the rest are combined
  again without them (a tag no search uses sends them all alone);
* PubMed reports an unknown phrase (a journal it does not know): a search limited to a
  journal that has the phrase gets the answer a lone search gets (no hits, the phrase not
  found: "PubMed does not know the journal"); another search with the phrase goes alone;
  the rest are combined again without them (the dropped phrase widened the answer); a
  phrase that no search has sends them all alone;
* the answer is truncated (more hits than asked for): it is split in two and each half is
  sent again, down to single searches;
* a hit that no search claims, or a record that could not be fetched: every field search
  of the batch (the local check disagreed with PubMed somewhere);
* a record a search may or may not match (`Match.UNSURE`), or more hits than `CANDIDATES`
  (a lone search would see only PubMed's top ones): that search;
* an identifier search (DOI, PMCID) that claims no record or several: that search.

The hits handed back keep the combined answer's order, which need not be the order PubMed
would give a lone search; `groups.judge(..., ranked=False)` asks for a lone search when a
verdict would depend on it (tied candidates that are not accepted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from factcheck.errors import PubMedError, PubMedUnavailable
from factcheck.models import Paper
from factcheck.pubmed.groups import CANDIDATES, SearchHits
from factcheck.pubmed.parse import SearchResult
from factcheck.pubmed.search_terms import Match, Query, Searchable

BATCH = 50
"""Searches combined into one ESearch at most."""

Search = Callable[[str, int], SearchHits]
"""`search(term, retmax)`, as `PubMedSource.search`."""


@dataclass(frozen=True)
class Batch:
    """Searches sent as one, and every hit of the combined search, in PubMed's order."""

    queries: tuple[Query, ...]
    ids: tuple[str, ...]


@dataclass
class Sent:
    """What `send_combined` got: complete answers, searches answered already (by term), and
    the searches to send alone."""

    batches: list[Batch] = field(default_factory=list)
    answered: dict[str, SearchResult] = field(default_factory=dict)
    alone: list[Query] = field(default_factory=list)


def combined_term(queries: Sequence[Query]) -> str:
    """`(A) OR (B) OR …`."""
    return " OR ".join(f"({query.term})" for query in queries)


def send_combined(queries: Sequence[Query], search: Search) -> Sent:
    """Send `queries` combined, `BATCH` at a time (see the module docstring for fallbacks).

    PubMedUnavailable propagates; any other PubMedError sends the batch's searches alone.
    """
    sent = Sent()
    for start in range(0, len(queries), BATCH):
        _send(list(queries[start : start + BATCH]), search, sent)
    return sent


def _send(queries: list[Query], search: Search, sent: Sent) -> None:
    if len(queries) < 2:
        sent.alone += queries
        return
    try:
        hits = search(combined_term(queries), CANDIDATES * len(queries))
    except PubMedUnavailable:
        raise
    except PubMedError:
        sent.alone += queries
        return
    if hits.fields_not_found:
        _unknown_fields(queries, hits.fields_not_found, search, sent)
    elif hits.phrases_not_found:
        _unknown_phrases(queries, hits.phrases_not_found, search, sent)
    elif hits.count > len(hits.ids):
        half = len(queries) // 2
        _send(queries[:half], search, sent)
        _send(queries[half:], search, sent)
    else:
        sent.batches.append(Batch(tuple(queries), tuple(hits.ids)))


def _unknown_fields(
    queries: list[Query], fields: Sequence[str], search: Search, sent: Sent
) -> None:
    unknown = {f.strip().strip("[]").casefold() for f in fields}
    named = [q for q in queries if q.tags & unknown]
    sent.alone += named or queries
    if named:
        _send([q for q in queries if q not in named], search, sent)


def _unknown_phrases(
    queries: list[Query], phrases: Sequence[str], search: Search, sent: Sent
) -> None:
    unknown = {p.strip().strip('"').casefold() for p in phrases}
    named = [q for q in queries if q.phrases & unknown]
    if not named:
        sent.alone += queries
        return
    for query in named:
        if query.in_journal:
            sent.answered[query.term] = SearchResult((), 0, tuple(sorted(query.phrases & unknown)))
        else:
            sent.alone.append(query)
    _send([q for q in queries if q not in named], search, sent)


def assign(batch: Batch, papers: Mapping[str, Paper]) -> dict[str, SearchResult | None]:
    """Each search's own hits within `batch`, by term; None for a search to send alone.

    `papers` must hold the fetched records of `batch.ids` (a missing one is unclaimed).
    """
    claimed: dict[str, list[str]] = {q.term: [] for q in batch.queries}
    unsure: set[str] = set()
    unclaimed = False
    for pmid in batch.ids:
        paper = papers.get(pmid)
        if paper is None:
            unclaimed = True
            continue
        record = Searchable.of(paper)
        matches = {q.term: q.match(record) for q in batch.queries}
        unclaimed |= all(m is Match.NO for m in matches.values())
        unsure |= {term for term, m in matches.items() if m is Match.UNSURE}
        for term, m in matches.items():
            if m is Match.YES:
                claimed[term].append(pmid)
    return {
        q.term: None if q.term in unsure else _own_hits(q, claimed[q.term], unclaimed)
        for q in batch.queries
    }


def _own_hits(query: Query, ids: list[str], unclaimed: bool) -> SearchResult | None:
    if query.identifies:
        return SearchResult(tuple(ids), 1) if len(ids) == 1 else None
    if unclaimed or len(ids) > CANDIDATES:
        return None
    return SearchResult(tuple(ids), len(ids))
