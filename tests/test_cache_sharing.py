"""The disk cache under concurrent, interrupted and impossible conditions.

Several `factcheck verify` processes sharing one cache directory (CI jobs on one runner) all
finish with the right verdicts and leave a cache every later run can read; an interrupted run
leaves a cache the next run reads; a cache directory that cannot be used costs one warning.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eutils_stand_in import StandInEutils
from pytest_httpserver import HTTPServer

from factcheck.pubmed import cache as cache_store
from factcheck.pubmed.client import CACHE_FILE, EutilsClient

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "claims.yaml"
SCHWENK, POMEROY = "29923953", "28025837"


def verify_args(eutils_url: str, cache: Path, report: Path, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "factcheck", "verify", str(CLAIMS), "--eutils-url", eutils_url]
    args += ["--api-key", "stand-in"]  # 10 requests a second: quicker runs
    return [*args, "--cache-dir", str(cache), "-o", str(report), "--timeout", "30", *extra]


def start(args: list[str], file_size_limit: int | None = None) -> subprocess.Popen[str]:
    """Run factcheck; `file_size_limit` (RLIMIT_FSIZE) plays a disk with that much room."""

    def limit_file_size() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    env = {**os.environ, "CI": "true"}
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=limit_file_size,
    )


def verdicts(report: Path) -> dict[str, tuple[str, list[str]]]:
    """Each claim's status and finding messages, from a JSON report."""
    document = json.loads(report.read_text(encoding="utf-8"))
    return {
        claim["id"]: (claim["status"], sorted(f["message"] for f in claim["findings"]))
        for claim in document["claims"]
    }


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory, eutils_server: HTTPServer
) -> dict[str, tuple[str, list[str]]]:
    """The verdicts of one run alone, with its own cache (once for the module)."""
    if not eutils_server.is_running():
        eutils_server.start()
    stand_in = StandInEutils(eutils_server)
    tmp = tmp_path_factory.mktemp("reference")
    process = start(verify_args(stand_in.base_url, tmp / "cache", tmp / "alone.json"))
    _, stderr = process.communicate(timeout=120)
    stand_in.close()
    assert process.returncode == 1, stderr
    return verdicts(tmp / "alone.json")


def test_three_runs_share_one_cold_cache(
    tmp_path: Path,
    eutils: StandInEutils,
    eutils_url: str,
    reference: dict[str, tuple[str, list[str]]],
) -> None:
    cache = tmp_path / "shared-cache"
    reports = [tmp_path / f"run{i}.json" for i in range(3)]
    processes = [start(verify_args(eutils_url, cache, report)) for report in reports]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 1, stderr
        assert "locked" not in stderr and "cache" not in stderr, stderr
    for report in reports:
        assert verdicts(report) == reference
    # Every entry is whole: an offline run answers every lookup from the shared cache.
    sent = eutils.count()
    offline = start(verify_args(eutils_url, cache, tmp_path / "offline.json", "--offline"))
    _, stderr = offline.communicate(timeout=60)
    assert offline.returncode == 1, stderr
    assert verdicts(tmp_path / "offline.json") == reference
    assert eutils.count() == sent
    with sqlite3.connect(cache / CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


LOCK_HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


def test_a_run_keeps_reading_its_cache_while_another_process_writes(
    tmp_path: Path, eutils: StandInEutils, eutils_url: str
) -> None:
    """Another process holds the cache for longer than sqlite's default 5 s wait (a big
    write, a slow disk): lookups go on being answered from it (WAL), and a new answer waits
    to be saved instead of the cache being dropped as "database is locked"."""
    with EutilsClient(eutils_url, cache_dir=tmp_path) as pubmed:
        pubmed.fetch([SCHWENK])
        with subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(tmp_path / CACHE_FILE), "6"],
            stdout=subprocess.PIPE,
            text=True,
        ) as holder:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            started = time.monotonic()
            assert SCHWENK in pubmed.fetch([SCHWENK])
            assert time.monotonic() - started < 1 and pubmed.stats.from_cache == 1
            assert POMEROY in pubmed.fetch([POMEROY])  # saved once the holder lets go
            assert holder.wait(timeout=30) == 0
        assert pubmed.caching
    with EutilsClient(eutils_url, cache_dir=tmp_path, offline=True) as offline:
        assert SCHWENK in offline.fetch([SCHWENK]) and POMEROY in offline.fetch([POMEROY])
    assert eutils.count() == 2


def test_a_cache_locked_for_good_is_given_up_after_the_busy_timeout(
    tmp_path: Path,
    eutils_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A process that never lets go of the cache (stuck, or a lock left on a network disk)
    costs one busy timeout and a warning; requests-cache alone would wait for ever."""
    EutilsClient(eutils_url, cache_dir=tmp_path).close()  # the cache exists, in WAL mode
    monkeypatch.setattr(cache_store, "BUSY_TIMEOUT", 0.5)
    with subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(tmp_path / CACHE_FILE), "60"],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        try:
            started = time.monotonic()
            with caplog.at_level(logging.WARNING, logger="factcheck"):
                pubmed = EutilsClient(eutils_url, cache_dir=tmp_path)
            with pubmed:
                assert time.monotonic() - started < 5
                assert not pubmed.caching and SCHWENK in pubmed.fetch([SCHWENK])
        finally:
            holder.kill()
    assert [r.getMessage() for r in caplog.records if "cache" in r.getMessage()] == [
        f"the PubMed cache in {tmp_path} cannot be used (OperationalError: database is "
        "locked); continuing without it"
    ]


def test_an_interrupted_run_leaves_a_cache_the_next_run_reads(
    tmp_path: Path,
    eutils: StandInEutils,
    eutils_url: str,
    reference: dict[str, tuple[str, list[str]]],
) -> None:
    cache = tmp_path / "cache"
    eutils.hang_seconds = 60
    eutils.misbehave("hang", times=None, endpoint="efetch")  # searches answer, fetches hang
    fetches, searches = eutils.count("efetch"), eutils.count("esearch")
    process = start(verify_args(eutils_url, cache, tmp_path / "interrupted.json"))
    deadline = time.monotonic() + 30
    while eutils.count("efetch") == fetches:
        assert time.monotonic() < deadline, "the run never reached a fetch"
        time.sleep(0.05)
    assert eutils.count("esearch") > searches  # answers were cached before the interrupt
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr
    eutils.behave()
    with sqlite3.connect(cache / CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] > 0
    cached_terms = {r.params["term"] for r in eutils.received("esearch")[searches:]}
    sent = eutils.count("esearch")
    again = start(verify_args(eutils_url, cache, tmp_path / "again.json"))
    _, stderr = again.communicate(timeout=120)
    assert again.returncode == 1, stderr
    assert "cache" not in stderr, stderr
    assert verdicts(tmp_path / "again.json") == reference
    asked_again = {r.params["term"] for r in eutils.received("esearch")[sent:]}
    assert not cached_terms & asked_again  # what the interrupted run cached was read back
    assert json.loads((tmp_path / "again.json").read_text())["sources"]["cached"] > 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only directory")
def test_an_unwritable_cache_directory_costs_one_warning(
    tmp_path: Path, eutils_url: str, reference: dict[str, tuple[str, list[str]]]
) -> None:
    cache = tmp_path / "read-only"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        process = start(verify_args(eutils_url, cache, tmp_path / "report.json"))
        _, stderr = process.communicate(timeout=120)
    finally:
        cache.chmod(0o700)
    assert process.returncode == 1, stderr
    assert_one_cache_warning(stderr)
    assert verdicts(tmp_path / "report.json") == reference


def test_a_cache_path_that_is_a_file_costs_one_warning(
    tmp_path: Path, eutils_url: str, reference: dict[str, tuple[str, list[str]]]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be\n")
    process = start(verify_args(eutils_url, blocker / "cache", tmp_path / "report.json"))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert_one_cache_warning(stderr)
    assert verdicts(tmp_path / "report.json") == reference


def assert_one_cache_warning(stderr: str) -> None:
    """One line on stderr says the cache cannot be used, and nothing else is said of it."""
    warnings = [line for line in stderr.splitlines() if "cache" in line]
    assert len(warnings) == 1, stderr
    assert "cannot be used" in warnings[0] and "continuing without it" in warnings[0]


@pytest.mark.parametrize("room", [0, 70_000], ids=["full-from-the-start", "full-during-the-run"])
def test_a_full_disk_costs_one_warning(
    tmp_path: Path, eutils_url: str, reference: dict[str, tuple[str, list[str]]], room: int
) -> None:
    """No room for the cache (the report goes to stdout): one warning, the right verdicts,
    and no hang (requests-cache retries a failing write lock forever)."""
    args = verify_args(eutils_url, tmp_path / "cache", tmp_path / "unused.json")
    args = [*args[: args.index("-o")], "--format", "json", "--timeout", "30"]
    process = start(args, file_size_limit=room)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert_one_cache_warning(stderr)
    document = json.loads(stdout)
    got = {
        c["id"]: (c["status"], sorted(f["message"] for f in c["findings"]))
        for c in document["claims"]
    }
    assert got == reference


def test_the_api_key_and_email_are_never_stored(tmp_path: Path, eutils_url: str) -> None:
    """README, "Security": neither identity value reaches the cache, by GET or by POST."""
    secret, email = "SECRET-KEY-42", "someone@example.org"
    with EutilsClient(eutils_url, cache_dir=tmp_path, api_key=secret, email=email) as pubmed:
        pubmed.fetch([SCHWENK])  # GET
        pubmed.fetch([str(int(SCHWENK) + i) for i in range(201)])  # the 200 not cached: POST
        pubmed.search("Headache[ta] AND 2017[dp]")
        assert pubmed.stats.requests_sent == 3 and pubmed.stats.from_cache == 1
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert SCHWENK.encode() in stored
    for value in (secret, email, email.replace("@", "%40")):
        assert value.encode() not in stored
