"""The client's store of validated E-utilities answers: a requests-cache session that never
sends anything, on a sqlite file or (with `factcheck.pubmed.shared`) in Redis.

Kept apart from the client because importing requests-cache costs more than the rest of a
`verify --offline` run: the client imports this module only when a cache is really opened.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

# requests-cache imports the client library of every backend that is installed (upstream
# requests-cache#403), and redis-py alone takes about 90 ms to import: more than the rest of
# an offline run. The Redis backend is imported by its own module name when a cache URL asks
# for it (factcheck.pubmed.shared), so redis is hidden while requests-cache loads, unless it is
# loaded already.
_REDIS_LOADED = "redis" in sys.modules
if not _REDIS_LOADED:
    sys.modules["redis"] = None  # type: ignore[assignment]  # makes `import redis` fail
try:
    import requests_cache
finally:
    if not _REDIS_LOADED:
        del sys.modules["redis"]
from requests.structures import CaseInsensitiveDict  # noqa: E402
from requests_cache.backends.base import BaseCache  # noqa: E402
from requests_cache.models.request import CachedRequest  # noqa: E402
from requests_cache.models.response import CachedResponse  # noqa: E402

BUSY_TIMEOUT = 30.0
"""Seconds a cache write waits for another process's (several runs may share one cache)."""
IGNORED_PARAMETERS = ("api_key", "email", "tool")
"""Who asks is not part of the question: runs with and without a key share their answers."""


def open_file_cache(path: Path, *, stale_if_error: bool) -> requests_cache.CachedSession:
    """The sqlite cache at `path`, ready for lookups; raises on any trouble (a corrupt,
    locked, read-only or full database) so that the caller can go on without it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prepare_database(path)
    cache = requests_cache.CachedSession(
        str(path),
        backend="sqlite",
        allowable_methods=("GET", "POST"),
        ignored_parameters=IGNORED_PARAMETERS,
        read_only=True,  # answers are saved by the client, after validation
        stale_if_error=stale_if_error,
        wal=True,  # readers never wait for writers (other runs sharing the cache)
        busy_timeout=int(BUSY_TIMEOUT * 1000),
        timeout=BUSY_TIMEOUT,
    )
    len(cache.cache.responses)  # touch the database: a corrupt file fails here
    return _without_network(cache)


def open_backend_cache(backend: BaseCache, *, stale_if_error: bool) -> requests_cache.CachedSession:
    """A cache session over a ready requests-cache `backend` (the shared Redis one)."""
    cache = requests_cache.CachedSession(
        backend=backend,
        allowable_methods=("GET", "POST"),
        ignored_parameters=IGNORED_PARAMETERS,
        read_only=True,  # answers are saved by the client, after validation
        stale_if_error=stale_if_error,
    )
    return _without_network(cache)


def cache_key(
    cache: requests_cache.CachedSession, method: str, url: str, args: Mapping[str, Any]
) -> str:
    """The cache key of a request, as a lookup through `cache` computes it."""
    request = requests.Request(method, url, **args)
    return cache.cache.create_key(cache.prepare_request(request))


def made_answer(url: str, body: bytes) -> CachedResponse:
    """A JSON answer factcheck made itself (never sent over the network), ready to store."""
    headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    answer = CachedResponse(status_code=200, url=url, headers=headers)
    answer.request = CachedRequest(method="GET", url=url, headers=CaseInsensitiveDict())
    answer._content = body
    return answer


def prepare_database(path: Path) -> None:
    """Put the cache database in WAL mode and check that it takes a write lock, or raise.

    WAL lets every run sharing the cache read while another writes. The probe matters because
    requests-cache retries a failing write lock forever: on a full disk or a read-only file,
    factcheck would hang instead of running without its cache.
    """
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
    finally:
        db.close()


def _without_network(cache: requests_cache.CachedSession) -> requests_cache.CachedSession:
    for prefix in ("http://", "https://"):  # lookups must never reach the network
        cache.mount(prefix, _NoNetwork())
    return cache


class _NoNetwork(requests.adapters.BaseAdapter):
    """Transport of the cache session: answers 504 instead of ever sending a request."""

    def send(
        self, request: requests.PreparedRequest, *args: object, **kwargs: object
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = 504
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        """Nothing to release."""
