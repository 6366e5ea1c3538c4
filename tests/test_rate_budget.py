"""One NCBI budget per process: clients made one after another share the rate limit."""

from __future__ import annotations

from eutils_stand_in import StandInEutils

from factcheck.pubmed.client import EutilsClient


def test_clients_made_one_after_another_provoke_no_429(eutils: StandInEutils) -> None:
    eutils.limit_per_second = 3
    pmids = ["29923953", "28025837", "23432384", "23365053", "10891926", "30910061"]
    for pmid in pmids:  # a fresh client per lookup, as a script checking many files would
        with EutilsClient(eutils.base_url, cache_dir=None) as client:
            assert pmid in client.fetch([pmid])
    assert eutils.count("efetch") == len(pmids)
    assert eutils.throttled == 0
