"""PubMed through NCBI E-utilities.

- `client`: the HTTP client (rate limit, retries, circuit breaker, cache), the only I/O;
  `cache` (sqlite) and `shared` (Redis) are its stores.
- `parse` (EFetch XML, ESearch JSON) and `citmatch` (ECitMatch lines): answers read as data.
- `groups` (one group per distinct citation, with its lookups in order), `search_terms` (the
  queries), `scoring` (candidates against the citation), `combined` (many searches in one).
- `resolve`: the rounds that send those lookups for all groups at once and settle each.

Nothing is imported here: `verify --offline` must not pay for the HTTP stack it never uses.
"""
