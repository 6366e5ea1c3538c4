"""The NCBI E-utilities client: identified, rate-limited, patient, and cached on disk.

How one call goes (`search`, or each batch of `fetch` or `citation_match`):

1. Cache lookup (unless `refresh`): a stored answer is parsed and returned without waiting for
   the rate limiter. `offline` stops here: a miss raises `PubMedUnavailable`.
2. Once the circuit breaker has tripped, a miss fails at once with `PubMedUnavailable`.
3. Up to `max_tries` attempts, each after the shared rate limiter; between attempts a jittered
   exponential back-off (0.5, 1, 2 … s; at least `Retry-After`, and at least 1 s after a 429,
   which also halves the rate, down to a quarter; 10 s at most per wait, 30 s in all).
   Connection errors, timeouts, 429, 5xx, HTML pages sent with 200, error bodies (`<ERROR>`
   envelopes, truncated XML, JSON `ERROR`/`error`) and 400s relaying a backend failure are
   retried. Another 400 is an input error: `PubMedError` at once.
4. The body is read as it arrives, at most `max_body_bytes` (20 MB, decompressed) and for at
   most `read_deadline` seconds (6 x `timeout`): a bigger answer is refused (not retried) and
   one that never ends is cut off (PubMed counts as unreachable), so neither memory nor time is
   at a server's mercy. The body is then parsed (that is the validation, and XML is parsed
   defused); only then is the response saved in the cache. Error answers are never stored;
   definite answers ("no hit", an empty article set) are.
5. If every attempt failed because PubMed did not answer (connection, timeout, 429, 5xx, HTML
   maintenance page), or at once on a 403/404 (blocked, wrong base URL), the breaker trips:
   `unreachable` turns True and every later call that the cache cannot answer fails fast.

With a `cache_url` (Redis; see `factcheck.pubmed.shared`) the cache lives in Redis instead of a
file, the rate limit of step 3 is one budget for every process using that Redis, and after a
cache miss the call takes a lock on its cache key, looks in the cache again (another process
may have just stored the answer) and only then goes on to step 2. Any Redis trouble costs one
warning and the run goes on as if no cache had been given.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypedDict, TypeVar

from factcheck import __version__
from factcheck.dates import ascii_digits
from factcheck.errors import NotCached, PubMedError, PubMedUnavailable
from factcheck.models import Paper
from factcheck.pubmed.parse import (
    Assignment,
    SearchResult,
    assignment_json,
    parse_efetch,
    parse_esearch,
    read_assignment,
    split_efetch,
)

if TYPE_CHECKING:  # imported when first needed: `verify --offline` may need none of them
    import requests
    import requests_cache

    from factcheck.pubmed.shared import SharedBackend

__all__ = [
    "DEFAULT_EUTILS_URL",
    "ClientStats",
    "EutilsClient",
    "default_cache_dir",
]

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "factcheck"
BATCH_SIZE = 200
"""PMIDs per EFetch request (a batch whose id list is long goes by POST: see `_LONG_TERM`)."""

CACHE_FILE = "eutils.sqlite"
MAX_BODY_BYTES = 20 * 1024 * 1024
"""The largest answer read (decompressed): 200 PubMed records take about 2 MB."""
READ_DEADLINE_FACTOR = 6.0
"""A whole answer must arrive within this many `timeout`s (60 s by default)."""
_CHUNK = 64 * 1024
ESEARCH_TTL = timedelta(days=7)
EFETCH_TTL = timedelta(days=30)

_SAFETY = 1.05  # the limiter's interval is 5% above 1/rate (0.35 s at 3/s, 0.105 s at 10/s)
_BACKOFF = 0.5  # first back-off, doubled on each retry: 0.5, 1, 2 … s (±20% jitter)
_MAX_DELAY = 10.0  # longest single wait between tries, Retry-After included
_MAX_TOTAL_WAIT = 30.0  # longest total back-off for one request
_REASON_SIZE = 200  # the longest reason for a failed connection shown
_LONG_TERM = 1000  # an ESearch term or EFetch id list longer than this goes by POST
_FORM = "application/x-www-form-urlencoded"
_TRANSIENT_400 = (
    "timeout",
    "timed out",
    "proxy_stream",
    "failed to connect",
    "bad gateway",
    "temporarily unavailable",
    "service unavailable",
    "server error",
    "error reading from remote server",
    "empty response",
    "backend failed",
)

_log = logging.getLogger("factcheck")
_T = TypeVar("_T")


@dataclass(frozen=True)
class ClientStats:
    """What the client did so far: attempts sent over the network, answers served from the
    cache, and retries (attempts after the first for the same request)."""

    requests_sent: int = 0
    from_cache: int = 0
    retries: int = 0
    offline_misses: int = 0


def default_cache_dir() -> Path:
    """The cache directory: `$FACTCHECK_CACHE_DIR`, else the user cache dir for factcheck."""
    configured = os.environ.get("FACTCHECK_CACHE_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # here: a run given --cache-dir never needs it

    return platformdirs.user_cache_path("factcheck")


class _RateLimiter:
    """Minimum interval between network attempts, shared by every thread and every client of
    one process that talks to the same E-utilities URL (see `_limiter_for`)."""

    def __init__(
        self, rate: float, sleep: Callable[[float], None], clock: Callable[[], float]
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self._base = self._interval = _SAFETY / rate
        self._sleep = sleep
        self._clock = clock
        self._next: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next attempt may start, and book the slot after it."""
        with self._lock:
            now = self._clock()
            if self._next is not None and now < self._next:
                self._sleep(self._next - now)
                now = max(self._clock(), self._next)
            self._next = now + self._interval

    def slow_down(self) -> None:
        """After a 429: double the interval, up to four times the nominal one."""
        with self._lock:
            self._interval = min(self._interval * 2, self._base * 4)


_PROCESS_LIMITERS: dict[tuple[str, float], _RateLimiter] = {}
_PROCESS_LIMITERS_LOCK = threading.Lock()


def _limiter_for(
    base_url: str, rate: float, sleep: Callable[[float], None], clock: Callable[[], float]
) -> _RateLimiter:
    """The limiter for `base_url` at `rate`: one per process, shared by every client in it.

    NCBI counts requests per address, not per client: two clients made one after the other
    (a tool checking several files, a script in a loop) must not each start with a fresh
    budget. Clients given their own `sleep`/`clock` (tests with fake time) get their own.
    """
    if sleep is not time.sleep or clock is not time.monotonic:
        return _RateLimiter(rate, sleep, clock)
    with _PROCESS_LIMITERS_LOCK:
        key = (base_url, rate)
        if key not in _PROCESS_LIMITERS:
            _PROCESS_LIMITERS[key] = _RateLimiter(rate, sleep, clock)
        return _PROCESS_LIMITERS[key]


class _Failure(Exception):
    """One failed attempt. `down`: PubMed did not answer (counts toward the breaker);
    `retry`: worth another try; `wait`: the least back-off the server asked for."""

    def __init__(
        self,
        reason: str,
        *,
        down: bool,
        retry: bool = True,
        wait: float = 0.0,
        verdict: str = "PubMed refused the request",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.down = down
        self.retry = retry
        self.wait = wait
        self.verdict = verdict  # what a final failure that is `down` and not retried means


class _Args(TypedDict):
    params: dict[str, str] | None
    data: dict[str, str] | str | None
    headers: dict[str, str] | None


@dataclass(frozen=True)
class _Call:
    """One E-utilities request. `params` say what is asked and make the cache key; the
    identity parameters (tool, email, api_key) are added only when sending."""

    endpoint: str
    url: str
    params: dict[str, str]
    post: bool
    ttl: timedelta
    literal: str = ""
    """Characters the form body keeps unencoded (ECitMatch's `|`; POST only)."""

    @property
    def method(self) -> str:
        return "POST" if self.post else "GET"

    def args(self, identity: Mapping[str, str] | None = None) -> _Args:
        """`requests` arguments: the parameters in the URL (GET) or as a form body (POST).

        A body with `literal` characters is encoded here: requests would percent-encode
        them, and so would urllib3 in any URL (which is why such a call goes by POST)."""
        params = {**self.params, **(identity or {})}
        if not self.post:
            return {"params": params, "data": None, "headers": None}
        if not self.literal:
            return {"params": None, "data": params, "headers": None}
        from urllib.parse import urlencode

        body = urlencode(params, safe=self.literal)
        return {"params": None, "data": body, "headers": {"Content-Type": _FORM}}


class EutilsClient:
    """A well-behaved NCBI E-utilities client for PubMed (see the module docstring)."""

    def __init__(
        self,
        base_url: str = DEFAULT_EUTILS_URL,
        *,
        email: str | None = None,
        api_key: str | None = None,
        cache_dir: Path | None = None,
        cache_url: str | None = None,
        offline: bool = False,
        refresh: bool = False,
        timeout: float = 10.0,
        max_tries: int = 4,
        max_body_bytes: int = MAX_BODY_BYTES,
        read_deadline: float | None = None,
        rate: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set up the client; `cache_dir=None` disables the disk cache.

        `cache_url` (a Redis URL) replaces the disk cache with one shared by every process
        using it, with one rate limit for all of them (see `factcheck.pubmed.shared`).

        `rate` is requests per second (default 3, or 10 with an `api_key`). `sleep` and `clock`
        are injectable for tests. `timeout` bounds each wait for data; `read_deadline` (default
        6 x `timeout`) a whole answer, and `max_body_bytes` its size.
        """
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._identity = {"tool": TOOL}
        if email:
            self._identity["email"] = email
        if api_key:
            self._identity["api_key"] = api_key
        self._api_key = api_key or ""
        self._offline = offline
        self._refresh = refresh
        self._timeout = timeout
        self._max_body = max_body_bytes
        self._read_deadline = read_deadline or READ_DEADLINE_FACTOR * timeout
        self._max_tries = max(1, max_tries)
        rate = rate or (10.0 if api_key else 3.0)
        self._limiter = _limiter_for(self._base_url, rate, sleep, clock)
        self._sleep = sleep
        self._clock = clock
        self._jitter = random.Random()
        self._lock = threading.Lock()
        self._stats = ClientStats()
        self._down_reason: str | None = None
        self._session: requests.Session | None = None  # made on the first request sent
        self._cache: requests_cache.CachedSession | None = None
        self._shared: SharedBackend | None = None
        self._cache_lost = False
        self._cache_where = ""  # where the cache is, for a warning: "in DIR", "at URL"
        if cache_url:
            self._cache = self._open_shared_cache(cache_url, _SAFETY / rate)
        elif cache_dir is not None:
            self._cache_where = f"in {cache_dir}"
            self._cache = self._open_cache(cache_dir / CACHE_FILE)

    # --- public API --------------------------------------------------------------------

    def search(self, term: str, retmax: int = 20) -> SearchResult:
        """Run an ESearch on PubMed and return the PMIDs found (at most `retmax`, ≤ 9,999)."""
        if not term.strip():
            raise ValueError("empty PubMed search term")
        retmax = min(max(retmax, 0), 9999)
        params = {"db": "pubmed", "term": term, "retmax": str(retmax), "retmode": "json"}
        call = self._call("esearch.fcgi", params, post=len(term) > _LONG_TERM, ttl=ESEARCH_TTL)
        return self._answer(call, parse_esearch)

    def fetch(self, pmids: Sequence[str]) -> dict[str, Paper]:
        """Fetch PubMed records by PMID: one EFetch per 200 ids, by POST when its id list is long.

        Records are cached by batch and one by one, so a run asking for some of them with
        other ids (another claims file, --changed-since, a claim added) finds them. Offline,
        records the cache lacks raise `NotCached`, naming them and carrying those it had.
        Unknown PMIDs, and strings that are not PMIDs, are simply absent from the result.
        """
        ids = sorted({str(p).strip() for p in pmids if ascii_digits(str(p).strip())}, key=int)
        papers: dict[str, Paper] = {}
        missing = ids if self._refresh else self._cached_records(ids, papers)
        if missing and self._offline:
            self._count(offline_misses=1)
            shown = _describe(self._efetch_call(missing))
            raise NotCached(f"{shown} not in the cache (offline)", tuple(missing), papers)
        for batch in _chunks(missing, BATCH_SIZE):
            call = self._efetch_call(batch)
            papers.update(self._answer(call, parse_efetch, by_record=batch))
        return papers

    def citation_match(self, citations: Sequence[str]) -> dict[str, str]:
        """Ask ECitMatch which PMID each citation names (`journal|year|volume|first page|
        author`, see `factcheck.pubmed.citmatch`): one request per 100 citations not cached.

        Each answer is a PMID (digits) or why there is none (`citmatch.AMBIGUOUS`,
        `UNKNOWN_JOURNAL`, `NO_MATCH`). Requests go by POST whatever their length: ECitMatch
        needs its `|` unencoded, and only a form body built by hand keeps it so. Answers are
        cached citation by citation, so a later run with one citation more asks about that
        one only; offline, citations the cache lacks raise `MatchesNotCached`, which carries
        the answers it had. A request PubMed answers unusably does not stop the others: then
        `MatchesFailed` is raised, carrying the answers they gave.
        """
        from factcheck.errors import MatchesFailed, MatchesNotCached
        from factcheck.pubmed.citmatch import BATCH

        wanted = list(dict.fromkeys(citations))
        answers: dict[str, str] = {}
        missing = wanted if self._refresh else self._recalled_answers(wanted, answers)
        if missing and self._offline:
            self._count(offline_misses=1)
            what = f"ECitMatch answers for {len(missing)} citation{'s' * (len(missing) > 1)}"
            raise MatchesNotCached(f"{what} not in the cache (offline)", tuple(missing), answers)
        failed: PubMedError | None = None
        for batch in _chunks(missing, BATCH):
            answered = self._match_or_error(batch)
            if isinstance(answered, PubMedError):  # this request's citations only
                failed = failed or answered
            else:
                answers.update(answered)
        if failed is not None:
            raise MatchesFailed(str(failed), answers)
        return answers

    def _match_or_error(self, citations: Sequence[str]) -> dict[str, str] | PubMedError:
        """`_match_batch`'s answers, or the error it raised (PubMedUnavailable still raises:
        then no request would be answered)."""
        try:
            return self._match_batch(citations)
        except PubMedUnavailable:
            raise
        except PubMedError as exc:
            return exc

    def _recalled_answers(self, citations: list[str], answers: dict[str, str]) -> list[str]:
        """Add to `answers` the cached ones; return the citations the cache lacks."""
        from factcheck.pubmed.citmatch import read_answer

        missing = []
        for citation in citations:
            cached = self._from_cache(self._citation_entry(citation), read_answer)
            if cached is None:
                missing.append(citation)
            else:
                answers[citation] = cached[0]
        return missing

    def _match_batch(self, citations: Sequence[str]) -> dict[str, str]:
        """One ECitMatch request, its answers then cached one by one."""
        from factcheck.pubmed.citmatch import answer_json, bdata, parse_ecitmatch

        params = {"db": "pubmed", "retmode": "xml", "bdata": bdata(citations)}
        call = self._call("ecitmatch.cgi", params, post=True, ttl=ESEARCH_TTL)
        answers = self._answer(replace(call, literal="|"), lambda b: parse_ecitmatch(b, citations))
        if self._cache is not None:
            from factcheck.pubmed.cache import made_answer

            for citation, answer in answers.items():
                entry = self._citation_entry(citation)
                self._store(entry, made_answer(entry.url, answer_json(answer)))
        return answers

    def _citation_entry(self, citation: str) -> _Call:
        """The cache entry of one citation's ECitMatch answer: never sent."""
        params = {"db": "pubmed", "citation": citation}
        return self._call("ecitmatch-citation", params, post=False, ttl=ESEARCH_TTL)

    def recall_assignment(self, term: str) -> Assignment | None:
        """What a combined search gave the search `term` in an earlier run (see
        `remember_assignment`), or None. Nothing is sent; --refresh recalls nothing."""
        if self._refresh:
            return None
        cached = self._from_cache(self._assignment_call(term), read_assignment)
        return cached[0] if cached is not None else None

    def remember_assignment(self, term: str, assignment: Assignment) -> None:
        """Store what a combined search gave the search `term` (its hits, or that it must go
        alone), so that a later run combining it with other searches (an edited claims file,
        --changed-since, --offline) can judge it without sending that combination again."""
        if self._cache is None:
            return
        from factcheck.pubmed.cache import made_answer

        call = self._assignment_call(term)
        self._store(call, made_answer(call.url, assignment_json(assignment)))

    def _assignment_call(self, term: str) -> _Call:
        """The cache entry of a remembered assignment: never sent (not an E-utility)."""
        params = {"db": "pubmed", "term": term}
        return self._call("combined-search", params, post=False, ttl=ESEARCH_TTL)

    def _cached_records(self, ids: list[str], papers: dict[str, Paper]) -> list[str]:
        """Add to `papers` the records the cache holds, batch by batch or (fetched by an
        earlier run among other ids) one by one; return the PMIDs it lacks."""
        missing = []
        for batch in _chunks(ids, BATCH_SIZE):
            cached = self._from_cache(self._efetch_call(batch), parse_efetch)
            if cached is not None:
                papers.update(cached[0])
                continue
            for pmid in batch:
                one = self._from_cache(self._efetch_call([pmid]), parse_efetch)
                if one is None:
                    missing.append(pmid)
                else:
                    papers.update(one[0])
        return missing

    def _efetch_call(self, pmids: Sequence[str]) -> _Call:
        """The EFetch of `pmids`, by POST when the id list is long. The method depends on the
        ids alone (it is part of the cache key), so a batch is found however it was fetched."""
        id_list = ",".join(pmids)
        params = {"db": "pubmed", "id": id_list, "retmode": "xml"}
        return self._call("efetch.fcgi", params, post=len(id_list) > _LONG_TERM, ttl=EFETCH_TTL)

    @property
    def stats(self) -> ClientStats:
        """Counters so far (a snapshot)."""
        return self._stats

    @property
    def unreachable(self) -> bool:
        """True once PubMed has been found unreachable (the circuit breaker tripped)."""
        return self._down_reason is not None

    @property
    def offline(self) -> bool:
        """True when only the cache may answer (`--offline`)."""
        return self._offline

    @property
    def caching(self) -> bool:
        """True while a cache is in use (False when disabled, or dropped as broken)."""
        return self._cache is not None

    @property
    def sharing(self) -> bool:
        """True while a shared (Redis) cache and rate limit are in use."""
        return self._shared is not None

    def close(self) -> None:
        """Close the HTTP session and the cache."""
        if self._session is not None:
            self._session.close()
        if self._cache is not None:
            self._cache.close()  # type: ignore[no-untyped-call]
        if self._shared is not None:
            self._shared.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- one request -------------------------------------------------------------------

    def _call(self, endpoint: str, params: dict[str, str], *, post: bool, ttl: timedelta) -> _Call:
        url = self._base_url + endpoint
        return _Call(endpoint, url, params, post, ttl)

    def _answer(
        self, call: _Call, parse: Callable[[bytes], _T], by_record: Sequence[str] = ()
    ) -> _T:
        """`call`'s answer from the cache, else from PubMed (then cached; an EFetch answer
        also record by record, for the PMIDs `by_record`)."""
        if not self._refresh:
            cached = self._from_cache(call, parse)
            if cached is not None:
                return cached[0]
        if self._offline:
            self._count(offline_misses=1)
            raise NotCached(f"{_describe(call)} is not in the cache (offline)")
        if self._down_reason is not None:
            raise PubMedUnavailable(self._down_reason)
        with self._single_flight(call) as held:
            if held:  # another process may have stored the answer while this one waited
                cached = self._from_cache(call, parse)
                if cached is not None:
                    return cached[0]
            response, value = self._send(call, parse)
            self._store(call, response)
            if by_record:
                self._store_records(by_record, response)
            return value

    @contextmanager
    def _single_flight(self, call: _Call) -> Iterator[bool]:
        """Hold the shared lock on `call`'s cache key (True), or no lock (False: no shared
        cache, --refresh, or the lock was held too long by another process)."""
        shared, cache = self._shared, self._cache
        lock = None
        if shared is not None and cache is not None and not self._refresh:
            try:
                lock = shared.hold(_key(cache, call))
            except Exception as exc:  # Redis trouble: go on alone
                self._drop_cache(exc)
        try:
            yield lock is not None
        finally:
            if shared is not None and lock is not None:
                shared.let_go(lock)

    def _send(self, call: _Call, parse: Callable[[bytes], _T]) -> tuple[requests.Response, _T]:
        started = self._clock()
        failures: list[_Failure] = []
        waited = 0.0
        for attempt in range(1, self._max_tries + 1):
            if failures:
                delay = self._pause(call, attempt, failures[-1], _MAX_TOTAL_WAIT - waited)
                if delay is None:
                    break
                waited += delay
            if self._down_reason is not None:  # another thread found PubMed down meanwhile
                raise PubMedUnavailable(self._down_reason)
            try:
                return self._attempt(call, parse)
            except _Failure as failure:
                failures.append(failure)
                if not failure.retry:
                    break
        raise self._give_up(call, failures, self._clock() - started)

    def _pause(self, call: _Call, attempt: int, last: _Failure, budget: float) -> float | None:
        """Sleep before retry `attempt` (jittered exponential back-off, at least `last.wait`);
        None, without sleeping, when that would exceed the wait `budget`."""
        delay = _BACKOFF * 2.0 ** (attempt - 2) * self._jitter.uniform(0.8, 1.2)
        delay = min(max(delay, last.wait), _MAX_DELAY)
        if delay > budget:
            return None
        _log.info(
            "%s: %s; retrying in %.1f s (try %d of %d)",
            call.endpoint,
            last.reason,
            delay,
            attempt,
            self._max_tries,
        )
        self._sleep(delay)
        self._count(retries=1)
        return delay

    def _attempt(self, call: _Call, parse: Callable[[bytes], _T]) -> tuple[requests.Response, _T]:
        import requests
        import urllib3

        self._pace()
        self._count(requests_sent=1)
        try:
            response = self._http().request(
                call.method,
                call.url,
                timeout=self._timeout,
                stream=True,
                **call.args(self._identity),
            )
            try:
                response._content = self._read_body(response)
            finally:
                response.close()
        except (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise _Failure(f"no answer within {self._timeout:g} s", down=True) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            why = _shorten(self._redact(_connection_trouble(exc)), _REASON_SIZE)
            raise _Failure(f"connection failed ({why})", down=True) from None
        return response, self._check(response, parse)

    def _http(self) -> requests.Session:
        """The HTTP session, made when the first request is sent (offline, never)."""
        import requests

        with self._lock:  # threads sending at once share one session
            if self._session is None:
                self._session = requests.Session()
                self._session.headers["User-Agent"] = f"factcheck/{__version__}"
            return self._session

    def _pace(self) -> None:
        """Wait for the rate limit: the fleet's when a shared backend is in use, else this
        client's own."""
        shared = self._shared
        if shared is not None:
            try:
                shared.wait_turn()
                return
            except Exception as exc:  # Redis trouble: fall back to this process's limiter
                self._drop_cache(exc)
        self._limiter.wait()

    def _slow_down(self) -> None:
        self._limiter.slow_down()
        shared = self._shared
        if shared is not None:
            shared.slow_down()

    def _read_body(self, response: requests.Response) -> bytes:
        """The body as it arrives (decompressed), refused past `max_body_bytes` and cut off
        past `read_deadline`: a hostile or broken server can neither fill memory nor stall."""
        deadline = time.monotonic() + self._read_deadline
        limit = f"{self._max_body / 1024 / 1024:g} MB"
        raw = response.raw
        read = getattr(raw, "read1", raw.read)  # read1: whatever has arrived, not a full chunk
        chunks: list[bytes] = []
        size = 0
        while chunk := read(_CHUNK, decode_content=True):
            size += len(chunk)
            if size > self._max_body:
                raise _Failure(f"the answer is over {limit}; refused", down=False, retry=False)
            if time.monotonic() > deadline:
                raise _Failure(
                    f"the answer did not end within {self._read_deadline:g} s; cut off",
                    down=True,
                    retry=False,
                    verdict="PubMed's answer never ended",
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _check(self, response: requests.Response, parse: Callable[[bytes], _T]) -> _T:
        """Parse a network answer, or raise the `_Failure` it amounts to."""
        status = response.status_code
        if status == 429:
            self._slow_down()
            wait = max(_retry_after(response), 1.0)
            raise _Failure(f"HTTP 429 ({_snippet(response)})", down=True, wait=wait)
        if status >= 500:
            raise _Failure(f"HTTP {status}", down=True, wait=_retry_after(response))
        if status == 200 and _is_html(response):  # a maintenance or "blocked" page
            raise _Failure("an HTML page instead of data", down=True)
        if status == 400:  # an input error, unless NCBI relays a backend failure this way
            transient = any(marker in _head_text(response).lower() for marker in _TRANSIENT_400)
            raise _Failure(f"HTTP 400: {_snippet(response)}", down=False, retry=transient)
        if status != 200:  # 403 blocked, 404 wrong base URL…: every request would get it
            raise _Failure(f"HTTP {status} from {_where(response)}", down=True, retry=False)
        try:
            return parse(response.content)
        except PubMedError as exc:
            raise _Failure(str(exc), down=False) from None

    def _give_up(self, call: _Call, failures: list[_Failure], elapsed: float) -> PubMedError:
        """The error to raise after the last attempt; trips the breaker when PubMed is down."""
        last = failures[-1]
        tries = f"{len(failures)} tr{'y' if len(failures) == 1 else 'ies'} over {elapsed:.1f} s"
        if not all(f.down for f in failures):
            if not last.retry:
                return PubMedError(f"{_describe(call)}: {last.reason}")
            why = f"PubMed kept answering with errors ({tries}): {last.reason}"
            return PubMedError(f"{_describe(call)}: {why}")
        if last.retry:
            reason = f"PubMed did not answer ({tries}): {last.reason}"
        else:
            reason = f"{last.verdict}: {last.reason}"
        with self._lock:
            self._down_reason = reason
        _log.warning("%s; not trying PubMed again in this run", reason)
        return PubMedUnavailable(reason)

    def _count(
        self,
        *,
        requests_sent: int = 0,
        from_cache: int = 0,
        retries: int = 0,
        offline_misses: int = 0,
    ) -> None:
        with self._lock:  # threads count at once: each update must see the last one
            old = self._stats
            self._stats = replace(
                old,
                requests_sent=old.requests_sent + requests_sent,
                from_cache=old.from_cache + from_cache,
                retries=old.retries + retries,
                offline_misses=old.offline_misses + offline_misses,
            )

    # --- the disk cache ----------------------------------------------------------------

    def _open_cache(self, path: Path) -> requests_cache.CachedSession | None:
        """The sqlite cache at `path`, used only to store and look up validated answers.

        Offline, a cache that was never written can answer nothing: it is not created, and
        requests-cache is not even imported (most of an offline run's start-up).
        """
        if self._offline and not path.exists():
            return None
        try:
            from factcheck.pubmed.cache import open_file_cache

            # offline, an expired answer beats none
            return open_file_cache(path, stale_if_error=self._offline)
        except Exception as exc:  # any cache trouble: run without it
            self._drop_cache(exc)
            return None

    def _open_shared_cache(self, url: str, interval: float) -> requests_cache.CachedSession | None:
        """The cache in Redis at `url`, with the fleet's rate limit and single-flight locks."""
        import hashlib

        from factcheck.pubmed.cache import open_backend_cache
        from factcheck.pubmed.shared import SharedBackend, display_url

        self._cache_where = f"at {display_url(url)}"
        try:
            budget = hashlib.sha256(f"{self._base_url}\n{self._api_key}".encode()).hexdigest()
            flight = _MAX_TOTAL_WAIT + self._max_tries * self._timeout
            self._shared = SharedBackend(
                url, budget=budget[:16], interval=interval, flight_timeout=flight
            )
            # offline, an expired answer beats none
            return open_backend_cache(self._shared.cache(), stale_if_error=self._offline)
        except ImportError as exc:
            hint = "pip install 'factcheck-cli[redis]'"
            self._drop_cache(ImportError(f"{exc.name} is not installed: {hint}"))
            return None
        except Exception as exc:  # an unreachable or unusable Redis: run without it
            self._drop_cache(exc)
            return None

    def _from_cache(self, call: _Call, parse: Callable[[bytes], _T]) -> tuple[_T] | None:
        if self._cache is None:
            return None
        try:
            response = self._cache.request(
                call.method, call.url, only_if_cached=True, **call.args()
            )
        except Exception as exc:  # a cache that fails to read is dropped, never fatal
            self._drop_cache(exc)
            return None
        if not getattr(response, "from_cache", False) or response.status_code != 200:
            return None
        try:
            value = parse(response.content)
        except PubMedError:  # stored before validation existed, or damaged: fetch again
            return None
        self._count(from_cache=1)
        return (value,)

    def _store(self, call: _Call, response: requests.Response) -> None:
        if self._cache is None:
            return
        try:
            key = _key(self._cache, call)
            expires = datetime.now(timezone.utc) + call.ttl
            self._cache.cache.save_response(response, cache_key=key, expires=expires)
            if key not in self._cache.cache.responses:  # requests-cache rolls back quietly
                raise OSError("an answer could not be saved (is the disk full?)")
        except Exception as exc:  # a cache that fails to write is dropped, never fatal
            self._drop_cache(exc)

    def _store_records(self, pmids: Sequence[str], response: requests.Response) -> None:
        """Cache each record of an EFetch answer as the answer to a fetch of its PMID alone,
        so that a later run fetching it among other ids (or offline) finds it."""
        if self._cache is None:
            return
        whole = response.content
        try:
            for pmid, body in split_efetch(whole, pmids).items():
                response._content = body  # the same answer, cut down to one record
                self._store(self._efetch_call([pmid]), response)
        finally:
            response._content = whole

    def _drop_cache(self, exc: Exception) -> None:
        """Go on without the cache (and without the shared backend): one warning per run."""
        with self._lock:
            if self._cache_lost:
                return
            self._cache_lost = True
            cache, self._cache = self._cache, None
            shared, self._shared = self._shared, None
        _log.warning(
            "the PubMed cache%s cannot be used (%s: %s); continuing without it",
            f" {self._cache_where}" if self._cache_where else "",
            type(exc).__name__,
            self._redact(str(exc)),
        )
        for closing in (cache, shared):
            if closing is not None:
                _close_quietly(closing.close)

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


def _close_quietly(close: Callable[[], None]) -> None:
    try:
        close()
    except Exception:  # closing a broken cache may fail too; nothing more to do
        _log.debug("closing the broken cache failed", exc_info=True)


def _key(cache: requests_cache.CachedSession, call: _Call) -> str:
    """The cache key of `call`: its request without identity (as _from_cache looks it up)."""
    from factcheck.pubmed.cache import cache_key

    return cache_key(cache, call.method, call.url, call.args())


def _describe(call: _Call) -> str:
    if call.endpoint.startswith("ecitmatch"):
        count = call.params.get("bdata", "").count("\r") + 1
        return f"PubMed citation match of {count} citation{'s' * (count > 1)}"
    if call.endpoint.startswith("esearch"):
        return f"PubMed search {call.params.get('term', '')!r}"
    ids = call.params.get("id", "").split(",")
    shown = ",".join(ids[:3]) + (f",… ({len(ids)} PMIDs)" if len(ids) > 3 else "")
    return f"PubMed record{'s' if len(ids) > 1 else ''} {shown}"


def _connection_trouble(exc: BaseException) -> str:
    """What went wrong, from the root: requests' ConnectionError wraps urllib3's MaxRetryError,
    whose `reason` (NameResolutionError, NewConnectionError …) says it, after the connection
    it concerns: "HTTPConnection(host='x', port=80): Failed to resolve 'x' (…)"."""
    root: BaseException = exc
    if root.args and isinstance(root.args[0], BaseException):
        root = root.args[0]
    reason = getattr(root, "reason", None)
    if isinstance(reason, BaseException):
        root = reason
    text = " ".join(str(root).split())
    text = re.sub(r"^HTTPS?Connection(Pool)?\(.*?\): ", "", text)
    return f"{type(root).__name__}: {text}" if text else type(root).__name__


def _shorten(text: str, size: int) -> str:
    return text[:size] + ("…" if len(text) > size else "")


def _retry_after(response: requests.Response) -> float:
    """Seconds asked for by a Retry-After header (delta-seconds or HTTP date); 0 if none."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)


def _is_html(response: requests.Response) -> bool:
    if "html" in response.headers.get("Content-Type", "").lower():
        return True
    head = response.content[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _where(response: requests.Response) -> str:
    """The URL answered, without its query string (which may hold the api_key)."""
    return response.url.split("?", 1)[0]


def _head_text(response: requests.Response, size: int = 4096) -> str:
    """The start of the body as text (never a charset guess over a whole hostile body)."""
    return response.content[:size].decode("utf-8", "replace")


def _snippet(response: requests.Response, size: int = 120) -> str:
    return _shorten(" ".join(_head_text(response).split()), size)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
