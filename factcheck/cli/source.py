"""Building the PubMed client from the command-line options (the CLI's side of I/O set-up)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from factcheck.models import SourceStats
from factcheck.pubmed.client import DEFAULT_EUTILS_URL, EutilsClient, default_cache_dir


@contextmanager
def open_client(network: Mapping[str, object]) -> Iterator[EutilsClient]:
    """An E-utilities client configured from the network options; closed afterwards."""
    cache_dir = network.get("cache_dir")
    client = EutilsClient(
        str(network.get("eutils_url") or DEFAULT_EUTILS_URL),
        email=_text(network.get("email")),
        api_key=_text(network.get("api_key")),
        cache_dir=cache_dir if isinstance(cache_dir, Path) else default_cache_dir(),
        cache_url=_text(network.get("cache_url")),
        offline=bool(network.get("offline")),
        refresh=bool(network.get("refresh")),
        timeout=float(network.get("timeout") or 10.0),  # type: ignore[arg-type]
    )
    try:
        yield client
    finally:
        client.close()


def source_stats(client: EutilsClient) -> SourceStats:
    """How the client reached PubMed so far, for the report header."""
    stats = client.stats
    mode = "offline" if client.offline else "pubmed"
    return SourceStats(
        mode=mode,
        fetched=stats.requests_sent,
        cached=stats.from_cache,
        unreachable=client.unreachable or stats.offline_misses > 0,
    )


def _text(value: object) -> str | None:
    return str(value) if value else None
