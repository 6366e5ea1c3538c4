"""factcheck.pubmed.client against the stand-in E-utilities server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import urllib3
from eutils_stand_in import Fault, StandInEutils

from factcheck import __version__
from factcheck.errors import NotCached, PubMedError, PubMedUnavailable
from factcheck.pubmed import client
from factcheck.pubmed.client import DEFAULT_EUTILS_URL, ClientStats, EutilsClient, default_cache_dir

SCHWENK, POMEROY, AFRIDI = "29923953", "28025837", "23365053"
HEADACHE_2017 = "Headache[ta] AND 2017[dp] AND ketamine[tiab]"


class FakeTime:
    """A monotonic clock that moves only when slept on; remembers every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(eutils_url: str, fake_time: FakeTime) -> Iterator[Callable[..., EutilsClient]]:
    """Build clients against the stand-in: short timeout, fake time (no real waiting)."""
    made: list[EutilsClient] = []

    def make(**options: object) -> EutilsClient:
        settings: dict[str, object] = {
            "timeout": 0.5,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
        }
        settings.update(options)
        made.append(EutilsClient(eutils_url, **settings))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for each in made:
        each.close()


def efetch_ids(eutils: StandInEutils) -> list[list[str]]:
    return [r.params["id"].split(",") for r in eutils.received("efetch")]


# --- identity and parameters ------------------------------------------------------------------


def test_every_request_carries_tool_db_and_format(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    pubmed = make_client()
    pubmed.search(HEADACHE_2017)
    pubmed.fetch([SCHWENK])
    assert eutils.count() == 2
    for request in eutils.received():
        assert request.params["tool"] == "factcheck"
        assert request.params["db"] == "pubmed"
        assert "email" not in request.params and "api_key" not in request.params
        assert request.headers["User-Agent"] == f"factcheck/{__version__}"
    assert eutils.received("esearch")[0].params["retmode"] == "json"
    assert eutils.received("efetch")[0].params["retmode"] == "xml"


def test_email_and_api_key_are_sent_when_given(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    pubmed = make_client(email="dev@example.org", api_key="k3y-123")
    pubmed.search(HEADACHE_2017)
    pubmed.fetch([SCHWENK])
    for request in eutils.received():
        assert request.params["email"] == "dev@example.org"
        assert request.params["api_key"] == "k3y-123"
        assert request.params["tool"] == "factcheck"


def test_default_base_url_is_ncbi_over_https() -> None:
    assert DEFAULT_EUTILS_URL.startswith("https://")
    assert DEFAULT_EUTILS_URL.endswith("/entrez/eutils/")


# --- answers ----------------------------------------------------------------------------------


def test_search_finds_a_paper_by_journal_year_and_word(
    make_client: Callable[..., EutilsClient],
) -> None:
    result = make_client().search(HEADACHE_2017)
    assert result.ids == (POMEROY,) and result.count == 1
    assert result.phrases_not_found == ()


def test_search_reports_an_unknown_journal_as_phrase_not_found(
    make_client: Callable[..., EutilsClient],
) -> None:
    result = make_client().search('"British Journal of Pharmacology"[ta] AND ketamine[ti]')
    assert result.phrases_not_found == ("British Journal of Pharmacology",)
    assert result.count > 1  # PubMed drops the unknown phrase and runs the rest


def test_search_by_doi_and_retmax(make_client: Callable[..., EutilsClient]) -> None:
    pubmed = make_client()
    assert pubmed.search('"10.1111/HEAD.13013"[doi]').ids == (POMEROY,)
    capped = pubmed.search("ketamine[tiab]", retmax=2)
    assert len(capped.ids) == 2 and capped.count > 2


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("29923953[pmid]", [SCHWENK]),
        ('"10.1186/s10194-016-0700-3"[doi]', ["90000106"]),
        ('"Regional Anesthesia & Pain Medicine"[ta]', [SCHWENK]),
        ("regional anesthesia and pain medicine[journal]", [SCHWENK]),
        ("Reg Anesth Pain Med[ta] AND 2018[dp]", [SCHWENK]),
        ("the journal of headache and pain[ta] AND 2016/11[dp]", ["90000106"]),
        ("1129-2369[issn]", ["90000106"]),
        ("Schwenk ES[au] AND ketamine[ti]", [SCHWENK]),
        ("Kaufer[au]", ["10891926"]),
        ("Viscusi ER[au]", [SCHWENK, POMEROY]),  # newest (largest PMID) first
        ("Viscusi[1au]", []),
        ("Lauritsen C[au] NOT Schwenk[1au]", ["90000106"]),
        ("(Headache[ta] OR Neurology[ta]) AND 2013:2017[dp]", [POMEROY, AFRIDI]),
        ('"prolonged aura"[tiab] AND 25[tiab]', [AFRIDI]),
        ("intranasal ketamine AND Neurology[ta]", [AFRIDI, "10891926"]),
        ("keta*[ti] AND 43[vi] AND 875[pg]", [SCHWENK]),
        ('"Randomized Controlled Trial"[pt] AND ketamine[ti] AND 2019[dp]', ["30910061"]),
    ],
)
def test_stand_in_search_syntax(
    term: str, expected: list[str], make_client: Callable[..., EutilsClient]
) -> None:
    result = make_client().search(term)
    assert list(result.ids) == expected and result.count == len(expected)
    assert result.phrases_not_found == ()


def test_search_refuses_an_empty_term(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    with pytest.raises(ValueError, match="empty"):
        make_client().search("  ")
    assert eutils.count() == 0


def test_fetch_returns_known_papers_and_leaves_out_unknown_ids(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    papers = make_client().fetch([SCHWENK, "12345", "not-a-pmid", f" {POMEROY} ", SCHWENK])
    assert sorted(papers) == [POMEROY, SCHWENK]
    assert papers[SCHWENK].doi == "10.1097/AAP.0000000000000827"
    assert efetch_ids(eutils) == [["12345", POMEROY, SCHWENK]]  # one request, ids deduplicated


def test_fetch_of_nothing_sends_nothing(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    assert make_client().fetch([]) == {}
    assert make_client().fetch(["doi:10.1/x"]) == {}
    assert eutils.count() == 0


def test_450_ids_go_in_three_requests_long_id_lists_by_post(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    ids = [SCHWENK, POMEROY, AFRIDI] + [str(50_000_000 + n) for n in range(447)]
    papers = make_client().fetch(ids)
    assert sorted(papers) == sorted([SCHWENK, POMEROY, AFRIDI])
    batches = efetch_ids(eutils)
    assert [len(batch) for batch in batches] == [200, 200, 50]
    assert sorted(i for batch in batches for i in batch) == sorted(ids)
    # 200 eight-digit ids make 1,799 characters (POST); 50 make 449 (GET)
    assert [r.method for r in eutils.received("efetch")] == ["POST", "POST", "GET"]
    assert all("id" in r.params for r in eutils.received("efetch", method="POST"))


def test_short_id_list_goes_by_get_and_long_one_by_post(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    pubmed = make_client()
    short = [SCHWENK] + [str(50_000_000 + n) for n in range(99)]  # 899 characters
    long = [SCHWENK] + [str(50_000_000 + n) for n in range(199)]  # 1,799 characters
    assert list(pubmed.fetch(short)) == [SCHWENK]
    assert list(pubmed.fetch(long)) == [SCHWENK]
    assert [r.method for r in eutils.received("efetch")] == ["GET", "POST"]
    assert [len(ids) for ids in efetch_ids(eutils)] == [100, 200]


@pytest.mark.parametrize("alone_first", [True, False])
def test_a_batch_is_cached_alike_alone_or_in_a_larger_fetch(
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    tmp_path: Path,
    alone_first: bool,
) -> None:
    head = [str(10_000_000 + n) for n in range(200)]  # the larger fetch's first batch (POST)
    tail = [POMEROY, SCHWENK]  # its last batch, a short id list (GET): ids sort by number
    larger, alone = head + tail, (tail if alone_first else head)
    first, second = (alone, larger) if alone_first else (larger, alone)
    make_client(cache_dir=tmp_path).fetch(first)
    sent = eutils.count()
    pubmed = make_client(cache_dir=tmp_path)
    assert sorted(pubmed.fetch(second)) == sorted([SCHWENK, POMEROY] if alone_first else [])
    # the batch fetched both times is answered from the cache
    assert pubmed.stats.from_cache == 1
    assert eutils.count() == sent + (1 if alone_first else 0)


# --- rate limiting ----------------------------------------------------------------------------


def test_limiter_spaces_attempts_by_0_35_s_without_key(
    make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    pubmed = make_client()
    for pmid in (SCHWENK, POMEROY, AFRIDI):
        pubmed.fetch([pmid])
    assert fake_time.sleeps == pytest.approx([0.35, 0.35])


def test_api_key_raises_the_rate_to_10_per_second(
    make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    pubmed = make_client(api_key="k3y")
    for pmid in (SCHWENK, POMEROY, AFRIDI):
        pubmed.fetch([pmid])
    assert fake_time.sleeps == pytest.approx([0.105, 0.105])


def test_threads_share_one_limiter(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    pubmed = make_client()
    pmids = [SCHWENK, POMEROY, AFRIDI, "10891926", "23432384", "30910061"]
    with ThreadPoolExecutor(max_workers=6) as pool:
        found = list(pool.map(lambda pmid: pubmed.fetch([pmid]), pmids))
    assert all(len(papers) == 1 for papers in found)
    assert fake_time.sleeps == pytest.approx([0.35] * 5)
    assert eutils.count() == 6


def test_stand_in_does_throttle_a_careless_client(eutils: StandInEutils) -> None:
    """Control for the next test: without pacing, the stand-in answers 429 like NCBI."""
    eutils.limit_per_second = 3
    statuses = [
        requests.get(eutils.base_url + "esearch.fcgi", params={"term": "x"}, timeout=2).status_code
        for _ in range(6)
    ]
    assert 429 in statuses and eutils.throttled >= 1
    answer = requests.get(eutils.base_url + "esearch.fcgi", params={"term": "x"}, timeout=2)
    assert answer.json() | {"count": "?"} == {
        "error": "API rate limit exceeded",
        "api-key": "127.0.0.1",
        "count": "?",
        "limit": "3",
    }


def test_twelve_uncached_requests_provoke_no_429(eutils: StandInEutils, eutils_url: str) -> None:
    """Real time: the client's own pacing keeps it under a stand-in enforcing 3 requests/s."""
    eutils.limit_per_second = 3
    started = time.monotonic()
    with EutilsClient(eutils_url, timeout=2) as pubmed:
        for n in range(12):
            pubmed.search(f"ketamine[tiab] AND {2000 + n}[dp]")
        assert pubmed.stats == ClientStats(requests_sent=12, from_cache=0, retries=0)
    assert eutils.throttled == 0
    assert [r.status for r in eutils.received()] == [200] * 12
    assert time.monotonic() - started >= 11 * 0.34


# --- retries ----------------------------------------------------------------------------------


def test_429_is_retried_after_at_least_a_second_and_slows_the_limiter(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    eutils.misbehave(Fault.RATE_LIMITED)
    pubmed = make_client()
    assert list(pubmed.fetch([SCHWENK])) == [SCHWENK]
    assert [r.status for r in eutils.received()] == [429, 200]
    assert pubmed.stats.retries == 1
    assert max(fake_time.sleeps) >= 1.0  # no busy loop: the 429 body means "wait a second"
    fake_time.sleeps.clear()
    pubmed.fetch([POMEROY])
    assert fake_time.sleeps == pytest.approx([0.70])  # 0.35 s doubled after the 429


def test_429_retry_after_header_is_honoured(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    eutils.misbehave(Fault.RATE_LIMITED, retry_after=4)
    make_client().search(HEADACHE_2017)
    assert eutils.count() == 2
    assert 4.0 in fake_time.sleeps


def test_retry_after_is_capped(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    eutils.misbehave(Fault.RATE_LIMITED, retry_after=3600)
    make_client().search(HEADACHE_2017)
    assert max(fake_time.sleeps) == 10.0


@pytest.mark.parametrize(
    "fault",
    [
        Fault.BAD_GATEWAY,
        Fault.SERVER_ERROR,
        Fault.UNAVAILABLE,
        Fault.HTML,
        Fault.ERROR_ENVELOPE,
        Fault.PROXY_400,
        Fault.TRUNCATED,
        Fault.BOMB,
        Fault.EXTERNAL_ENTITY,
    ],
)
def test_efetch_fault_then_success(
    fault: Fault,
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    fake_time: FakeTime,
) -> None:
    eutils.misbehave(fault)
    pubmed = make_client()
    papers = pubmed.fetch([SCHWENK])
    assert papers[SCHWENK].title.startswith("Ketamine for Refractory Headache")
    assert eutils.count("efetch") == 2
    assert pubmed.stats == ClientStats(requests_sent=2, from_cache=0, retries=1)
    assert 0.4 <= fake_time.sleeps[0] <= 0.6  # jittered first back-off around 0.5 s


@pytest.mark.parametrize(
    "fault", [Fault.ESEARCH_ERROR, Fault.JSON_ERROR, Fault.TRUNCATED, Fault.HTML, Fault.BAD_GATEWAY]
)
def test_esearch_fault_then_success(
    fault: Fault, eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    eutils.misbehave(fault, endpoint="esearch")
    assert make_client().search(HEADACHE_2017).ids == (POMEROY,)
    assert eutils.count("esearch") == 2


def test_a_hang_times_out_and_is_retried(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    eutils.misbehave(Fault.HANG)
    started = time.monotonic()
    assert SCHWENK in make_client(timeout=0.5).fetch([SCHWENK])
    assert eutils.count("efetch") == 2
    assert time.monotonic() - started < 2.0  # one 0.5 s timeout, not the 3 s hang


def test_backoff_doubles_between_tries(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    eutils.misbehave(Fault.BAD_GATEWAY, times=3)
    pubmed = make_client()
    pubmed.fetch([SCHWENK])
    assert eutils.count() == 4 and pubmed.stats.retries == 3
    first, second, third = fake_time.sleeps
    assert 0.4 <= first <= 0.6 and 0.8 <= second <= 1.2 and 1.6 <= third <= 2.4


def test_a_real_input_error_is_not_retried(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    eutils.misbehave(Fault.BAD_IDS_400)
    pubmed = make_client()
    with pytest.raises(PubMedError, match="ID list is empty") as caught:
        pubmed.fetch([SCHWENK])
    assert not isinstance(caught.value, PubMedUnavailable)
    assert eutils.count() == 1 and not pubmed.unreachable


def test_endless_error_bodies_raise_pubmed_error_without_tripping_the_breaker(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    eutils.misbehave(Fault.ERROR_ENVELOPE, times=None)
    pubmed = make_client()
    with pytest.raises(PubMedError, match=r"kept answering with errors \(4 tries") as caught:
        pubmed.fetch([SCHWENK])
    assert not isinstance(caught.value, PubMedUnavailable)
    assert eutils.count() == 4 and not pubmed.unreachable
    eutils.behave()
    assert SCHWENK in pubmed.fetch([SCHWENK])  # PubMed answered: later calls still try


# --- the circuit breaker ----------------------------------------------------------------------


def test_endless_502_trips_the_breaker_and_later_calls_fail_fast(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    eutils.misbehave(Fault.BAD_GATEWAY, times=None)
    pubmed = make_client()
    with pytest.raises(PubMedUnavailable, match=r"PubMed did not answer \(4 tries over .* s\)"):
        pubmed.fetch([SCHWENK])
    assert pubmed.unreachable and eutils.count() == 4
    assert sum(fake_time.sleeps) < 10  # bounded: 0.5 + 1 + 2 s, jittered
    for later in (lambda: pubmed.fetch([POMEROY]), lambda: pubmed.search(HEADACHE_2017)):
        with pytest.raises(PubMedUnavailable, match="did not answer"):
            later()
    assert eutils.count() == 4  # nothing sent once the breaker tripped
    assert pubmed.stats.requests_sent == 4


def test_endless_429_trips_the_breaker(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient]
) -> None:
    eutils.misbehave(Fault.RATE_LIMITED, times=None)
    pubmed = make_client(max_tries=3)
    with pytest.raises(PubMedUnavailable, match=r"3 tries.*HTTP 429"):
        pubmed.search(HEADACHE_2017)
    assert eutils.count() == 3 and pubmed.unreachable


def test_total_retry_wait_is_bounded(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], fake_time: FakeTime
) -> None:
    eutils.misbehave(Fault.RATE_LIMITED, times=None, retry_after=9)
    pubmed = make_client(max_tries=50)
    with pytest.raises(PubMedUnavailable):
        pubmed.fetch([SCHWENK])
    limiter_and_backoff = sum(fake_time.sleeps)
    assert limiter_and_backoff <= 30 + 4 * eutils.count()
    assert eutils.count() < 10


def test_a_wrong_base_url_fails_at_once_without_retries(
    eutils: StandInEutils, fake_time: FakeTime
) -> None:
    pubmed = EutilsClient(
        eutils.base_url + "nowhere/", sleep=fake_time.sleep, clock=fake_time.clock, timeout=0.5
    )
    with pytest.raises(PubMedUnavailable, match=r"refused the request: HTTP 404 from http://"):
        pubmed.fetch([SCHWENK])
    assert eutils.count() == 1 and pubmed.unreachable
    pubmed.close()


def test_server_down_fails_within_seconds_then_instantly(
    eutils: StandInEutils, eutils_url: str
) -> None:
    """Real time and real back-off: connection refused on every try."""
    eutils.go_down()
    with EutilsClient(eutils_url, timeout=0.5) as pubmed:
        started = time.monotonic()
        with pytest.raises(PubMedUnavailable, match="connection failed"):
            pubmed.fetch([SCHWENK])
        assert time.monotonic() - started < 6
        started = time.monotonic()
        with pytest.raises(PubMedUnavailable):
            pubmed.search(HEADACHE_2017)
        assert time.monotonic() - started < 0.1
        assert pubmed.stats.requests_sent == 4 and pubmed.unreachable


def test_breaker_still_serves_cached_answers(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    pubmed = make_client(cache_dir=tmp_path)
    pubmed.fetch([SCHWENK])
    eutils.misbehave(Fault.BAD_GATEWAY, times=None)
    with pytest.raises(PubMedUnavailable):
        pubmed.fetch([POMEROY])
    assert SCHWENK in pubmed.fetch([SCHWENK])
    assert pubmed.stats.from_cache == 1


# --- the disk cache ---------------------------------------------------------------------------


def test_second_identical_run_sends_no_request(
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    fake_time: FakeTime,
    tmp_path: Path,
) -> None:
    first = make_client(cache_dir=tmp_path)
    found = first.search(HEADACHE_2017)
    papers = first.fetch([SCHWENK, POMEROY])
    first.close()
    assert (tmp_path / "eutils.sqlite").is_file()
    sent = eutils.count()
    fake_time.sleeps.clear()

    second = make_client(cache_dir=tmp_path)
    assert second.search(HEADACHE_2017) == found
    assert second.fetch([POMEROY, SCHWENK]) == papers  # same ids in another order: same request
    assert eutils.count() == sent
    assert second.stats == ClientStats(requests_sent=0, from_cache=2, retries=0)
    assert fake_time.sleeps == []  # cached answers do not wait for the rate limiter


def test_api_key_and_email_do_not_change_the_cache_key_and_are_not_stored(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    make_client(cache_dir=tmp_path, api_key="SECRET-KEY-42", email="dev@example.org").fetch(
        [SCHWENK]
    )
    assert b"SECRET-KEY-42" not in (tmp_path / "eutils.sqlite").read_bytes()
    other = make_client(cache_dir=tmp_path, api_key="another-key")
    assert SCHWENK in other.fetch([SCHWENK])
    assert SCHWENK in make_client(cache_dir=tmp_path).fetch([SCHWENK])
    assert eutils.count() == 1


@pytest.mark.parametrize(
    "fault",
    [Fault.ERROR_ENVELOPE, Fault.HTML, Fault.BAD_GATEWAY, Fault.RATE_LIMITED, Fault.TRUNCATED],
)
def test_error_answers_are_never_cached(
    fault: Fault,
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    tmp_path: Path,
) -> None:
    eutils.misbehave(fault, times=None)
    with pytest.raises(PubMedError):
        make_client(cache_dir=tmp_path, max_tries=2).fetch([SCHWENK])
    eutils.behave()
    sent = eutils.count()
    assert SCHWENK in make_client(cache_dir=tmp_path).fetch([SCHWENK])
    assert eutils.count() == sent + 1  # the error was not served from the cache


def test_no_hit_and_unknown_pmid_are_cached(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    first = make_client(cache_dir=tmp_path)
    assert first.search("zebrafish[ti] AND 1850[dp]").count == 0
    assert first.fetch(["12345"]) == {}
    second = make_client(cache_dir=tmp_path)
    assert second.search("zebrafish[ti] AND 1850[dp]").ids == ()
    assert second.fetch(["12345"]) == {}
    assert eutils.count() == 2 and second.stats.from_cache == 2


def test_offline_miss_raises_without_a_request(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    pubmed = make_client(cache_dir=tmp_path, offline=True)
    with pytest.raises(PubMedUnavailable, match=r"not in the cache \(offline\)"):
        pubmed.fetch([SCHWENK])
    with pytest.raises(PubMedUnavailable, match=r"not in the cache \(offline\)"):
        make_client(offline=True).search(HEADACHE_2017)  # no cache at all
    assert eutils.count() == 0


def test_offline_misses_counted_from_many_threads_are_all_counted(
    make_client: Callable[..., EutilsClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = client.replace

    def slow_replace(stats: ClientStats, **changes: int) -> ClientStats:
        time.sleep(0.01)  # widens the gap between reading the counters and writing them
        return real_replace(stats, **changes)

    monkeypatch.setattr(client, "replace", slow_replace)
    pubmed = make_client(offline=True)
    start = threading.Barrier(8)

    def miss(pmid: str) -> None:
        start.wait()
        with pytest.raises(PubMedUnavailable, match="offline"):
            pubmed.fetch([pmid])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(miss, [str(n) for n in range(1, 9)]))
    assert pubmed.stats.offline_misses == 8


def test_offline_never_creates_a_cache_it_could_not_answer_from(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    cache_dir = tmp_path / "never-written"
    pubmed = make_client(cache_dir=cache_dir, offline=True)
    assert not pubmed.caching
    with pytest.raises(PubMedUnavailable, match=r"not in the cache \(offline\)"):
        pubmed.fetch([SCHWENK])
    assert not cache_dir.exists() and eutils.count() == 0
    assert pubmed.stats.offline_misses == 1


def test_records_fetched_together_are_found_one_by_one_later(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    """Another claims file, --changed-since or one added claim asks for other id lists: the
    records already fetched come from the cache, online and offline."""
    make_client(cache_dir=tmp_path).fetch([SCHWENK, POMEROY, AFRIDI, "12345"])
    assert eutils.count() == 1
    later = make_client(cache_dir=tmp_path)
    assert set(later.fetch([POMEROY, "12345"])) == {POMEROY}  # 12345: known not to exist
    assert eutils.count() == 1 and later.stats.from_cache == 2
    offline = make_client(cache_dir=tmp_path, offline=True)
    assert set(offline.fetch([AFRIDI, SCHWENK])) == {AFRIDI, SCHWENK}
    assert eutils.count() == 1


def test_offline_names_the_records_not_cached_and_keeps_the_others(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    make_client(cache_dir=tmp_path).fetch([SCHWENK])
    offline = make_client(cache_dir=tmp_path, offline=True)
    with pytest.raises(NotCached) as raised:
        offline.fetch([SCHWENK, POMEROY])
    assert raised.value.missing == (POMEROY,)
    assert set(raised.value.found) == {SCHWENK}
    assert eutils.count() == 1 and offline.stats.offline_misses == 1


def test_offline_hit_is_served(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    make_client(cache_dir=tmp_path).fetch([SCHWENK])
    offline = make_client(cache_dir=tmp_path, offline=True)
    assert SCHWENK in offline.fetch([SCHWENK])
    assert eutils.count() == 1 and offline.stats.from_cache == 1


def test_expired_answers_are_fetched_again_online_but_served_offline(
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "EFETCH_TTL", timedelta(seconds=-1))
    make_client(cache_dir=tmp_path).fetch([SCHWENK])
    assert SCHWENK in make_client(cache_dir=tmp_path, offline=True).fetch([SCHWENK])
    assert eutils.count() == 1
    assert SCHWENK in make_client(cache_dir=tmp_path).fetch([SCHWENK])
    assert eutils.count() == 2


def test_refresh_fetches_again_and_updates_the_cache(
    eutils: StandInEutils, make_client: Callable[..., EutilsClient], tmp_path: Path
) -> None:
    make_client(cache_dir=tmp_path).search(HEADACHE_2017)
    refreshing = make_client(cache_dir=tmp_path, refresh=True)
    assert refreshing.search(HEADACHE_2017).ids == (POMEROY,)
    assert eutils.count() == 2 and refreshing.stats.from_cache == 0
    assert make_client(cache_dir=tmp_path).search(HEADACHE_2017).ids == (POMEROY,)
    assert eutils.count() == 2


def test_corrupt_cache_file_gives_one_warning_and_still_works(
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "eutils.sqlite").write_bytes(b"this is not a database\n" * 100)
    with caplog.at_level(logging.WARNING, logger="factcheck"):
        pubmed = make_client(cache_dir=tmp_path)
        assert SCHWENK in pubmed.fetch([SCHWENK])
        assert SCHWENK in pubmed.fetch([SCHWENK])
        pubmed.search(HEADACHE_2017)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "cache" in warnings[0].getMessage()
    assert not pubmed.caching and eutils.count() == 3


def test_unusable_cache_directory_gives_one_warning_and_still_works(
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="factcheck"):
        pubmed = make_client(cache_dir=tmp_path / "a-file" / "cache")
        assert SCHWENK in pubmed.fetch([SCHWENK])
    assert len(caplog.records) == 1 and not pubmed.caching


def test_default_cache_dir_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FACTCHECK_CACHE_DIR", str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    monkeypatch.delenv("FACTCHECK_CACHE_DIR")
    assert default_cache_dir().name == "factcheck"


# --- secrecy ----------------------------------------------------------------------------------


def test_a_failed_connection_says_why_without_the_api_key(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pubmed = EutilsClient(
        f"http://127.0.0.1:{port}/",
        api_key="SECRET-KEY-42",
        max_tries=1,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )
    with caplog.at_level(logging.DEBUG, logger="factcheck"):
        with pytest.raises(PubMedUnavailable) as caught:
            pubmed.fetch([SCHWENK])
    pubmed.close()
    message = str(caught.value)
    assert "connection failed (NewConnectionError: " in message
    assert "Connection refused" in message
    assert "HTTPConnection(" not in message  # the connection's repr is dropped
    for text in [message, *(r.getMessage() for r in caplog.records)]:
        assert "SECRET-KEY-42" not in text


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            requests.ConnectionError(
                urllib3.exceptions.MaxRetryError(
                    None,  # type: ignore[arg-type]
                    "/efetch.fcgi?api_key=SECRET-KEY-42",
                    urllib3.exceptions.NameResolutionError(
                        "x.invalid",
                        "HTTPConnection(host='x.invalid', port=80)",  # type: ignore[arg-type]
                        socket.gaierror(-2, "Name or service not known"),
                    ),
                )
            ),
            "NameResolutionError: Failed to resolve 'x.invalid' "
            "([Errno -2] Name or service not known)",
        ),
        (ConnectionResetError(104, "Connection reset by peer"), "ConnectionResetError: "),
        (requests.ConnectionError("to SECRET-KEY-42 " + "x" * 500), "ConnectionError: to *** "),
    ],
)
def test_connection_trouble_is_told_from_its_root(
    error: Exception, expected: str, monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(requests.Session, "request", fail)
    pubmed = EutilsClient(
        api_key="SECRET-KEY-42", max_tries=1, sleep=fake_time.sleep, clock=fake_time.clock
    )
    with pytest.raises(PubMedUnavailable) as caught:
        pubmed.fetch([SCHWENK])
    pubmed.close()
    message = str(caught.value)
    reason = message[message.index("connection failed (") + len("connection failed (") : -1]
    assert reason.startswith(expected)
    assert "SECRET-KEY-42" not in message
    assert len(reason) <= 201


def test_the_api_key_is_never_logged_nor_in_errors(
    eutils: StandInEutils,
    make_client: Callable[..., EutilsClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    eutils.misbehave(Fault.BAD_GATEWAY, times=None)
    with caplog.at_level(logging.DEBUG, logger="factcheck"):
        with pytest.raises(PubMedUnavailable) as caught:
            make_client(api_key="SECRET-KEY-42").fetch([SCHWENK])
        eutils.go_down()
        with pytest.raises(PubMedUnavailable) as down:
            make_client(api_key="SECRET-KEY-42").fetch([SCHWENK])
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("factcheck")]
    assert any("retrying" in message for message in ours)
    for text in [str(caught.value), str(down.value), *ours]:
        assert "SECRET-KEY-42" not in text
    assert down.value.__cause__ is None and down.value.__context__ is None
