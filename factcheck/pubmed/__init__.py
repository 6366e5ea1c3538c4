"""PubMed through NCBI E-utilities: the HTTP client and the parsers of its answers."""

from factcheck.pubmed.client import (
    DEFAULT_EUTILS_URL,
    ClientStats,
    EutilsClient,
    default_cache_dir,
)
from factcheck.pubmed.parse import SearchResult, parse_efetch, parse_esearch

__all__ = [
    "DEFAULT_EUTILS_URL",
    "ClientStats",
    "EutilsClient",
    "SearchResult",
    "default_cache_dir",
    "parse_efetch",
    "parse_esearch",
]
