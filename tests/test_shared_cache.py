"""--cache-url: one Redis cache and one request budget for a fleet of runs (CI runners).

Against a real redis-server on 127.0.0.1 (started here; the tests that need it are skipped,
saying why, when it is not installed) and the stand-in E-utilities enforcing NCBI's 3
requests/s: several processes started together send what one sends alone and provoke no 429;
the Redis cache behaves as the file cache does; a Redis that is missing, unreachable or lost
mid-run costs one warning and never a traceback.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis_server
from eutils_stand_in import Fault, StandInEutils
from redis_server import RedisServer

from factcheck.errors import PubMedError, PubMedUnavailable
from factcheck.pubmed.client import EutilsClient

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "claims.yaml"
SCHWENK, POMEROY = "29923953", "28025837"
HEADACHE_2017 = "Headache[ta] AND 2017[dp] AND ketamine[tiab]"

needs_redis = pytest.mark.skipif(not redis_server.available(), reason=redis_server.MISSING)


@pytest.fixture(scope="session")
def redis_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the whole run, nothing saved to disk."""
    if not redis_server.available():
        pytest.skip(redis_server.MISSING)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_service: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    redis_service.flush()
    return redis_service.url()


def stored(url: str) -> dict[bytes, bytes]:
    """factcheck's cache entries in Redis (not its budget or locks), key -> raw value."""
    import redis

    with redis.Redis.from_url(url) as connection:
        keys = [k for k in connection.keys("factcheck:*") if k.count(b":") == 1]
        return {k: connection.get(k) or b"" for k in keys}


def verify_args(eutils_url: str, report: Path, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "factcheck", "verify", str(CLAIMS), "--eutils-url", eutils_url]
    return [*args, "-o", str(report), "--timeout", "30", *extra]


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CI": "true", **(env or {})},
    )


def verdicts(report: Path) -> dict[str, tuple[str, list[str]]]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {
        claim["id"]: (claim["status"], sorted(f["message"] for f in claim["findings"]))
        for claim in document["claims"]
    }


def cache_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "cache" in line]


def assert_one_warning(stderr: str, *wanted: str) -> None:
    """One line says the cache cannot be used (with `wanted` in it), and no traceback."""
    assert "Traceback" not in stderr, stderr
    (line,) = cache_lines(stderr)
    assert "cannot be used" in line and "continuing without it" in line, stderr
    for text in wanted:
        assert text in line, line


def min_gap(eutils: StandInEutils, start_at: int = 0) -> float:
    """The shortest time between two requests' arrivals at the stand-in."""
    arrivals = [r.at for r in eutils.received()[start_at:]]
    return min(b - a for a, b in itertools.pairwise(arrivals))


# --- the fleet ----------------------------------------------------------------------------------


@needs_redis
def test_three_runs_started_together_send_what_one_sends_alone_and_no_429(
    tmp_path: Path,
    eutils: StandInEutils,
    eutils_url: str,
    redis_service: RedisServer,
    redis_url: str,
) -> None:
    eutils.limit_per_second = 3
    alone = start(verify_args(eutils_url, tmp_path / "alone.json", "--cache-url", redis_url))
    _, stderr = alone.communicate(timeout=120)
    assert alone.returncode == 1, stderr
    one = {e: eutils.count(e) for e in ("esearch", "efetch")}
    assert one["efetch"] > 0 and one["esearch"] > 0

    redis_service.flush()  # the fleet starts as cold as the run alone did
    sent = eutils.count()
    reports = [tmp_path / f"runner{i}.json" for i in range(3)]
    fleet = [start(verify_args(eutils_url, r, "--cache-url", redis_url)) for r in reports]
    for process in fleet:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 1, stderr
        assert not cache_lines(stderr), stderr
    by_fleet = {e: eutils.count(e) - one[e] for e in ("esearch", "efetch")}
    assert by_fleet == one, "three runs sharing Redis sent more than one run alone"
    assert eutils.throttled == 0
    assert min_gap(eutils, sent) >= 0.25  # spaced by the fleet (arrivals jitter a little)
    reference = verdicts(tmp_path / "alone.json")
    assert all(verdicts(r) == reference for r in reports)


FETCHER = """
import sys
from factcheck.pubmed.client import EutilsClient
url, cache_url, name = sys.argv[1:4]
with EutilsClient(url, cache_url=cache_url, timeout=30) as pubmed:
    for n in range(4):
        pubmed.search(f"ketamine {name} {n}")
    assert pubmed.sharing, "lost the shared backend"
    print(pubmed.stats.requests_sent, pubmed.stats.retries)
"""


@needs_redis
def test_processes_asking_different_things_share_one_budget_retries_included(
    eutils: StandInEutils, eutils_url: str, redis_url: str
) -> None:
    """Three processes with nothing in common but the budget (and answers failing at first,
    so that retries happen): the stand-in never sees two requests closer than the fleet's
    spacing, and never answers 429."""
    eutils.limit_per_second = 3
    eutils.misbehave(Fault.UNAVAILABLE, times=3)
    fleet = [
        start([sys.executable, "-c", FETCHER, eutils_url, redis_url, name])
        for name in ("alpha", "beta", "gamma")
    ]
    retries = 0
    for process in fleet:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        retries += int(stdout.split()[1])
    answers = [(round(r.at, 3), r.status, r.params["term"]) for r in eutils.received()]
    assert eutils.throttled == 0, answers
    assert retries == 3 and eutils.count() == 15, answers  # 12 searches, 3 of them tried again
    assert min_gap(eutils) >= 0.25, answers


@needs_redis
def test_a_miss_being_fetched_elsewhere_is_waited_for_and_read_from_the_cache(
    eutils: StandInEutils, eutils_url: str, redis_url: str
) -> None:
    """Single flight: while one client's fetch hangs, another asking the same waits for it
    and then reads the answer from the cache instead of asking PubMed too."""
    eutils.hang_seconds = 1.0
    eutils.misbehave(Fault.HANG, times=1, endpoint="efetch")
    with (
        EutilsClient(eutils_url, cache_url=redis_url) as first,
        EutilsClient(eutils_url, cache_url=redis_url) as second,
    ):
        slow = threading.Thread(target=first.fetch, args=([SCHWENK],))
        slow.start()
        while eutils.count("efetch") == 0:
            threading.Event().wait(0.01)
        assert SCHWENK in second.fetch([SCHWENK])
        slow.join(timeout=30)
        assert second.stats.from_cache == 1 and second.stats.requests_sent == 0
    assert eutils.count("efetch") == 1


@needs_redis
def test_after_a_429_the_process_that_got_it_waits_longer(
    eutils: StandInEutils, eutils_url: str, redis_url: str
) -> None:
    eutils.misbehave(Fault.RATE_LIMITED, times=1)
    with EutilsClient(eutils_url, cache_url=redis_url) as pubmed:
        pubmed.search("ketamine one")
        pubmed.search("ketamine two")
        pubmed.search("ketamine three")
    arrivals = [r.at for r in eutils.received()]
    assert len(arrivals) == 4 and arrivals[1] - arrivals[0] >= 1.0
    assert min(b - a for a, b in itertools.pairwise(arrivals[1:])) >= 0.6


# --- the same behaviour as the file cache -----------------------------------------------------


@needs_redis
def test_answers_are_shared_whatever_the_identity_and_stored_without_it(
    eutils: StandInEutils, eutils_url: str, redis_url: str
) -> None:
    with EutilsClient(
        eutils_url, cache_url=redis_url, email="desk@example.org", api_key="SECRETKEY"
    ) as first:
        first.fetch([SCHWENK])
        first.search(HEADACHE_2017)
    with EutilsClient(eutils_url, cache_url=redis_url, email="other@example.org") as second:
        assert SCHWENK in second.fetch([SCHWENK])
        second.search(HEADACHE_2017)
        assert second.stats.from_cache == 2 and second.stats.requests_sent == 0
    assert eutils.count() == 2
    entries = stored(redis_url)
    assert len(entries) == 2
    for value in entries.values():
        json.loads(value)  # JSON, never a pickle another runner would execute
        assert b"SECRETKEY" not in value and b"desk@example.org" not in value


@needs_redis
def test_only_answers_that_parse_are_stored(
    eutils: StandInEutils, eutils_url: str, redis_url: str
) -> None:
    eutils.misbehave(Fault.TRUNCATED, times=None, endpoint="efetch")
    with EutilsClient(eutils_url, cache_url=redis_url, max_tries=2) as pubmed:
        with pytest.raises(PubMedError):
            pubmed.fetch([SCHWENK])
        assert stored(redis_url) == {}
        eutils.behave()
        assert SCHWENK in pubmed.fetch([SCHWENK])
    assert len(stored(redis_url)) == 1


@needs_redis
def test_offline_reads_the_shared_cache_only_and_refresh_fetches_again(
    eutils: StandInEutils, eutils_url: str, redis_url: str
) -> None:
    with EutilsClient(eutils_url, cache_url=redis_url, offline=True) as offline:
        with pytest.raises(PubMedUnavailable, match="not in the cache"):
            offline.fetch([SCHWENK])
    assert eutils.count() == 0
    with EutilsClient(eutils_url, cache_url=redis_url) as online:
        online.fetch([SCHWENK])
    with EutilsClient(eutils_url, cache_url=redis_url, offline=True) as offline:
        assert SCHWENK in offline.fetch([SCHWENK])
    with EutilsClient(eutils_url, cache_url=redis_url, refresh=True) as refresh:
        assert SCHWENK in refresh.fetch([SCHWENK])
        assert refresh.stats.requests_sent == 1 and refresh.stats.from_cache == 0
    assert eutils.count() == 2


# --- a Redis that cannot be used ---------------------------------------------------------------


@needs_redis
def test_an_unreachable_redis_costs_one_warning_and_never_a_traceback(
    tmp_path: Path, eutils_url: str
) -> None:
    nobody = f"redis://:hunter2@127.0.0.1:{redis_server.free_port()}/0"
    report = tmp_path / "report.json"
    process = start(verify_args(eutils_url, report, "--cache-url", nobody))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert_one_warning(stderr, "ConnectionError")
    assert "hunter2" not in stderr and "redis://:***@127.0.0.1" in stderr
    assert verdicts(report)["jefferson-responders"][0] == "mismatch"


@needs_redis
def test_something_that_is_not_redis_costs_one_warning(
    eutils: StandInEutils, eutils_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = eutils_url.split(":")[2].split("/")[0]  # the stand-in's HTTP port
    with caplog.at_level(logging.WARNING, logger="factcheck"):
        with EutilsClient(eutils_url, cache_url=f"redis://127.0.0.1:{port}/0") as pubmed:
            assert SCHWENK in pubmed.fetch([SCHWENK])
            assert not pubmed.caching and not pubmed.sharing
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "factcheck"]
    assert "cannot be used" in warning


@needs_redis
def test_a_redis_lost_mid_run_costs_one_warning_and_the_run_goes_on(
    tmp_path: Path, eutils: StandInEutils, eutils_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    own = RedisServer(tmp_path / "redis").start()
    try:
        with caplog.at_level(logging.WARNING, logger="factcheck"):
            with EutilsClient(eutils_url, cache_url=own.url()) as pubmed:
                assert SCHWENK in pubmed.fetch([SCHWENK])
                own.stop()
                assert POMEROY in pubmed.fetch([POMEROY])
                pubmed.search(HEADACHE_2017)
                assert SCHWENK in pubmed.fetch([SCHWENK])
                assert not pubmed.caching and not pubmed.sharing
    finally:
        own.stop()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        f"the PubMed cache at {own.url()} cannot be used (ConnectionError: Error 111 "
        f"connecting to 127.0.0.1:{own.port}. Connection refused.); continuing without it"
    ]
    assert eutils.count() == 4
    assert min_gap(eutils, 1) >= 0.3  # this process's own limiter took over


WITHOUT_REDIS = """
import sys
sys.modules["redis"] = None  # as if the redis extra were not installed
from factcheck.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    shared = [m for m in ("pyrate_limiter", "factcheck.pubmed.shared") if m in sys.modules]
    print("imported:", *shared, file=sys.stderr)
    raise
"""


def test_without_the_redis_extra_nothing_changes_and_cache_url_costs_one_warning(
    tmp_path: Path, eutils_url: str
) -> None:
    command = [sys.executable, "-c", WITHOUT_REDIS, "verify", str(CLAIMS)]
    command += ["--eutils-url", eutils_url, "--timeout", "30"]
    plain = start(
        [*command, "--cache-dir", str(tmp_path / "cache"), "-o", str(tmp_path / "a.json")]
    )
    _, stderr = plain.communicate(timeout=120)
    assert plain.returncode == 1, stderr
    assert not cache_lines(stderr) and stderr.strip().endswith("imported:"), stderr

    shared = start(
        [*command, "--cache-url", "redis://127.0.0.1:1/0", "-o", str(tmp_path / "b.json")]
    )
    _, stderr = shared.communicate(timeout=120)
    assert shared.returncode == 1, stderr
    assert_one_warning(stderr, "redis is not installed", "pip install 'factcheck-cli[redis]'")
    assert verdicts(tmp_path / "a.json") == verdicts(tmp_path / "b.json")


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/0", "127.0.0.1:6379", "sqlite:///x"])
def test_a_cache_url_that_is_not_redis_is_a_usage_error(
    tmp_path: Path, eutils_url: str, url: str
) -> None:
    process = start(verify_args(eutils_url, tmp_path / "r.json"), {"FACTCHECK_CACHE_URL": url})
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "is not a Redis URL" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "r.json").exists()


def test_the_usage_error_does_not_show_a_password(tmp_path: Path, eutils_url: str) -> None:
    args = verify_args(eutils_url, tmp_path / "r.json", "--cache-url", "http://u:hunter2@h/")
    process = start(args)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2 and "hunter2" not in stderr
