"""A PubMed cache and one request budget shared by many factcheck processes, in Redis.

`--cache-url redis://host:port/db` (or `FACTCHECK_CACHE_URL`) points every run of a fleet (CI
runners, parallel jobs) at one Redis server, so that between them they ask NCBI once per
record and stay together under NCBI's limit:

* The cache is requests-cache's `RedisCache`, used by `EutilsClient` exactly as the file cache
  is: answers are saved by hand once they parse, keyed without tool/email/api_key. Entries are
  JSON, not pickles: whoever can write to a shared Redis must not be able to run code on every
  runner that reads it. Redis drops an entry `STALE_KEPT` after it expires (until then
  `--offline` may still use it, as it uses an expired answer of the file cache).
* The budget is pyrate-limiter's GCRA (Generic Cell Rate Algorithm) kept in Redis by its
  `RedisStateStore`: one number, the time the fleet's next request may start, checked and moved
  on by one Lua script (atomic across processes), stamped with the Redis server's clock
  (runners' clocks may differ). One request per `interval` may start, fleet-wide: the spacing
  one process keeps alone (0.35 s at 3 requests/s).
* Single flight: a short-lived redis-py `Lock` per request key, taken after a cache miss. When
  several runs miss the same answer at once, the first fetches it and the others, once the lock
  is free, find it in the cache.

Only imported when a cache URL is given; needs the `redis` extra (redis, pyrate-limiter). Every
Redis error is raised to the caller, which runs on without the shared backend.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from redis import Redis
    from redis.lock import Lock
    from requests_cache.backends.redis import RedisCache

__all__ = [
    "SCHEMES",
    "SharedBackend",
    "check_cache_url",
    "display_url",
]

SCHEMES = ("redis", "rediss", "unix")
NAMESPACE = "factcheck"
"""Prefix of every Redis key factcheck writes (cache entries, budget, locks)."""
STALE_KEPT = timedelta(days=30)
"""How long Redis keeps an answer after it expires (for --offline), before dropping it."""
CONNECT_TIMEOUT = 3.0
"""Seconds to reach Redis: an unreachable server costs this once, then the run goes on."""
SOCKET_TIMEOUT = 10.0
"""Seconds a Redis command may take (an entry of 200 records is about 2 MB)."""
_SLOWEST = 4  # after 429s the budget widens up to this many times the nominal interval


def check_cache_url(url: str) -> str:
    """`url` if it is a Redis URL factcheck can use; else raise ValueError saying why."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        wanted = ", ".join(f"{s}://" for s in SCHEMES)
        raise ValueError(f"{display_url(url)!r} is not a Redis URL (use {wanted})")
    return url


def display_url(url: str) -> str:
    """`url` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))


class SharedBackend:
    """One connection to the fleet's Redis: its cache backend, budget and locks."""

    def __init__(self, url: str, *, budget: str, interval: float, flight_timeout: float) -> None:
        """Connect to `url` (raising if Redis cannot be reached).

        `budget` names the fleet's request budget (one per E-utilities URL and API key);
        `interval` is the least number of seconds between two requests of the fleet;
        `flight_timeout` how long a single-flight lock lives, and is waited for, at most.
        """
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.where = display_url(url)
        self._redis: Redis = redis.Redis.from_url(
            check_cache_url(url),
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=SOCKET_TIMEOUT,
            retry=Retry(NoBackoff(), 1),  # redis-py's default retries a dead server for a minute
        )
        self._redis.ping()
        self._budget = _FleetBudget(self._redis, f"{NAMESPACE}:budget:{budget}", interval)
        self._flight_timeout = flight_timeout

    def cache(self) -> RedisCache:
        """A requests-cache backend on this Redis (JSON entries, dropped `STALE_KEPT` after
        they expire)."""
        from requests_cache.backends.redis import RedisCache

        return RedisCache(
            NAMESPACE,
            connection=self._redis,
            serializer="json",
            ttl=True,
            ttl_offset=int(STALE_KEPT.total_seconds()),
        )

    def wait_turn(self) -> None:
        """Block until the fleet may send its next request, and book that slot."""
        self._budget.wait_turn()

    def slow_down(self) -> None:
        """After a 429: this process waits twice as long after the fleet's last request (up to
        four times the nominal interval)."""
        self._budget.slow_down()

    def hold(self, key: str) -> Lock | None:
        """The single-flight lock for the request cached under `key`, once this process holds
        it; None if another held it for longer than the flight timeout."""
        lock = self._redis.lock(
            f"{NAMESPACE}:flight:{key}",
            timeout=self._flight_timeout,
            sleep=0.05,
            blocking_timeout=self._flight_timeout,
        )
        return lock if lock.acquire() else None

    def let_go(self, lock: Lock) -> None:
        """Release a single-flight lock; one that expired meanwhile is simply gone."""
        from redis.exceptions import LockError, RedisError

        try:
            lock.release()
        except (LockError, RedisError):  # expired, or Redis went away: it expires by itself
            pass

    def close(self) -> None:
        """Close the connection to Redis."""
        self._redis.close()


class _FleetBudget:
    """pyrate-limiter's GCRA in Redis with one rate, 1 request per interval, fleet-wide.

    GCRA keeps one number in Redis, the time the next request may start, and moves it on
    atomically (one Lua script): a process whose stamp is a little older than another's
    is made to wait, never let through beside it (a sliding log counting back from each stamp
    would admit both). The key expires by itself. Each try is stamped afresh with the Redis
    server's clock just before the check (pyrate-limiter's blocking `Limiter` would re-stamp a
    retry with its estimated wake-up time, early by however late the sleep ran).
    """

    def __init__(self, connection: Redis, key: str, interval: float) -> None:
        from pyrate_limiter import GCRA, AbstractClock, Rate, RedisStateStore, StateBucket

        class ServerClock(AbstractClock):
            """Milliseconds by the Redis server's clock, shared by every runner."""

            def now(self) -> int:
                seconds, micros = connection.time()
                return int(seconds) * 1000 + int(micros) // 1000

        self._rate: Callable[[int], Any] = lambda ms: Rate(1, ms)
        self._base = self._interval = math.ceil(interval * 1000)
        self._clock = ServerClock()
        store = RedisStateStore(connection, key)
        self._bucket = StateBucket([Rate(1, self._interval)], GCRA(), store, self._clock)
        self._name = key
        self._lock = threading.Lock()  # threads of one process take turns at the bucket

    def wait_turn(self) -> None:
        from pyrate_limiter import RateItem

        while True:
            with self._lock:
                item = RateItem(self._name, self._clock.now())
                if self._bucket.put(item) is True:
                    return
                wait_ms = self._bucket.waiting(item)
            time.sleep(max(wait_ms if isinstance(wait_ms, int) else 0, 1) / 1000)

    def slow_down(self) -> None:
        with self._lock:
            self._interval = min(self._interval * 2, self._base * _SLOWEST)
            self._bucket.rates = [self._rate(self._interval)]
