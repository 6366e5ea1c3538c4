"""How many requests and how much time factcheck needs, against the stand-in E-utilities.

Run:  python bench/run_bench.py            (about 3 minutes; --quick skips the slow baselines)

The stand-in (tests/eutils_stand_in.py, in this process) serves the test fixtures plus 300
synthetic papers (tests/synthetic.py) and answers 429 to a 4th request within a second, as
NCBI does without an API key; the client paces itself at 3 requests/s. Each run calls
`factcheck.run.verify` with an `EutilsClient` and a temporary cache, in process:

* 1,000 claims citing the 300 papers (100 by PMID, 100 by DOI, 100 by journal, year and first
  author; 3-4 claims each): cold, warm (same cache), with one search per citation
  (`combine=False`), and a baseline resolving each claim alone with a fresh client;
* 300 identifier-less (journal/year/author) citations of 300 distinct papers, cold;
* the same 300 papers cited by journal, year, volume and pages (ECitMatch), cold;
* 10,000 claims over the same 300 papers, cold then warm, in a child process (its peak RSS);
* start-up: `python -c pass`, `factcheck --version` and `--help`, and `factcheck verify
  --offline` on 16 claims with no cache and with a warm one (medians, and ratios to python);
* a fleet: the 300 identifier-less citations checked by one `factcheck verify` process alone,
  then by three started together, each time with a fresh Redis behind `--cache-url` (skipped
  when redis-server is not installed).

It ends with a markdown table that can be pasted into the README.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from eutils_stand_in import StandInEutils  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402
from synthetic import SyntheticPaper, claims_yaml, make_corpus  # noqa: E402

from factcheck.claims import load_claims  # noqa: E402
from factcheck.cli.source import source_stats  # noqa: E402
from factcheck.models import ClaimsFile, Report  # noqa: E402
from factcheck.pubmed.client import EutilsClient  # noqa: E402
from factcheck.pubmed.resolve import resolve_sources  # noqa: E402
from factcheck.report.json_report import render_json  # noqa: E402
from factcheck.run import verify  # noqa: E402

PAPERS = 300
STYLES = ("pmid", "doi", "fields")
"""How the papers are cited: the first 100 by PMID, the next 100 by DOI, the rest by fields."""
RATE_LIMIT = 3
STARTUP_RUNS = 21
BASELINE_SAMPLE = 30
PACE = 1.05 / RATE_LIMIT
"""Seconds between requests at the client's pace."""


# --- claims files ----------------------------------------------------------------------------


def style_of(index: int) -> str:
    return STYLES[index * len(STYLES) // PAPERS]


def claims_over(corpus: Sequence[SyntheticPaper], count: int) -> list[dict[str, Any]]:
    """`count` claims over the corpus: claim k cites paper k mod 300 (always the same way)."""
    return [
        corpus[k % PAPERS].cite(style_of(k % PAPERS), k, variant=k // PAPERS) for k in range(count)
    ]


def write_claims(path: Path, claims: Sequence[dict[str, Any]]) -> Path:
    path.write_text(claims_yaml(claims), encoding="utf-8")
    return path


# --- measuring runs --------------------------------------------------------------------------


@dataclass
class Run:
    """One measured run: requests the stand-in received, 429s it answered, wall seconds."""

    name: str
    requests: Counter[str]
    throttled: int
    seconds: float
    report: Report | None = None

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def requests_text(self) -> str:
        parts = ", ".join(f"{n} {endpoint}" for endpoint, n in sorted(self.requests.items()))
        return f"{self.total} ({parts})" if parts else "0"


@contextmanager
def measured(stand_in: StandInEutils, name: str) -> Iterator[Run]:
    """Count what happens in the block. Waits a second first: each run has a fresh client,
    whose rate limiter knows nothing of the requests the last run sent."""
    time.sleep(1.0)
    before, throttled = stand_in.count(), stand_in.throttled
    run = Run(name, Counter(), 0, 0.0)
    started = time.perf_counter()
    yield run
    run.seconds = time.perf_counter() - started
    received = stand_in.received()[before:]
    run.requests = Counter(r.endpoint for r in received if r.status != 429)
    run.throttled = stand_in.throttled - throttled


def verify_file(
    stand_in: StandInEutils, claims: ClaimsFile, cache: Path | None, name: str, **client: Any
) -> Run:
    with (
        measured(stand_in, name) as run,
        EutilsClient(stand_in.base_url, cache_dir=cache, **client) as source,
    ):
        run.report = verify(claims, source, stats=partial(source_stats, source))
    print(
        f"  {name}: {run.requests_text()} in {run.seconds:.2f} s, {run.throttled} 429s", flush=True
    )
    return run


def one_search_per_citation(stand_in: StandInEutils, claims: ClaimsFile, cache: Path) -> Run:
    lone = partial(resolve_sources, combine=False)
    with mock.patch("factcheck.run.resolve_sources", lone):
        return verify_file(stand_in, claims, cache, "one search per citation, cold")


def baseline(stand_in: StandInEutils, claims: ClaimsFile) -> tuple[Run, float]:
    """Each claim resolved alone with a fresh client and no cache: every request counted
    (unthrottled, the stand-in's limit lifted), and the seconds that would take at 3
    requests/s, from a sample of claims spread over the file."""
    lookups = [c for c in claims.claims if c.cite is not None]
    limit, stand_in.limit_per_second = stand_in.limit_per_second, None
    with measured(stand_in, "each claim alone (all, unthrottled)") as every:
        for claim in lookups:
            with EutilsClient(stand_in.base_url, cache_dir=None, rate=1000.0) as source:
                resolve_sources([claim], source, combine=False)
    stand_in.limit_per_second = limit
    spread = lookups[:: len(lookups) // BASELINE_SAMPLE][:BASELINE_SAMPLE]
    with measured(stand_in, "each claim alone (sample, 3/s)") as sample:
        for claim in spread:
            time.sleep(PACE)  # fresh clients do not share a rate limiter: pace between them
            with EutilsClient(stand_in.base_url, cache_dir=None) as source:
                resolve_sources([claim], source, combine=False)
    estimate = sample.seconds * every.total / max(sample.total, 1)
    print(
        f"  each claim alone: {every.requests_text()}; {len(spread)} of them took "
        f"{sample.seconds:.1f} s at 3/s ({sample.total} requests), so ~{estimate:.0f} s",
        flush=True,
    )
    return every, estimate


# --- 10,000 claims in a child process (its own peak memory) ------------------------------------


def child_10k(claims_path: str, url: str, cache: str) -> None:
    """Cold then warm run of a claims file; print timings and peak RSS as JSON."""
    started = time.perf_counter()
    claims = load_claims(claims_path)
    loaded = time.perf_counter()
    timings: dict[str, float] = {"claims": len(claims.claims), "load_s": loaded - started}
    for run in ("cold", "warm"):
        begun = time.perf_counter()
        with EutilsClient(url, cache_dir=Path(cache)) as source:
            report = verify(claims, source, stats=partial(source_stats, source))
            timings[f"{run}_requests"] = source.stats.requests_sent
        verified = time.perf_counter()
        render_json(report)
        timings[f"{run}_verify_s"] = verified - begun
        timings[f"{run}_render_s"] = time.perf_counter() - verified
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    timings["peak_rss_mb"] = peak / 1024
    print(json.dumps(timings))


def ten_thousand(stand_in: StandInEutils, path: Path, cache: Path) -> tuple[Run, dict[str, Any]]:
    command = [sys.executable, __file__, "--child-10k", str(path), stand_in.base_url, str(cache)]
    with measured(stand_in, "10,000 claims") as run:
        done = subprocess.run(command, check=True, capture_output=True, text=True)
    timings: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  10,000 claims: {run.requests_text()}; {timings}", flush=True)
    return run, timings


# --- start-up ------------------------------------------------------------------------------


def median_seconds(commands: dict[str, list[str]], runs: int = STARTUP_RUNS) -> dict[str, float]:
    """The median wall time of each command, run in turn (round-robin, so that a slower
    moment of the machine weighs on every command alike, not on one)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=False, capture_output=True)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def startup(claims16: Path, warm_cache: Path, eutils_url: str, tmp: Path) -> dict[str, float]:
    """Medians of the command's start-up, beside `python -c pass` measured in the same run.

    `verify --offline` runs twice: with a cache directory never written (nothing to read, so
    no HTTP stack is loaded) and with `warm_cache`, where an online run of the same 16 claims
    against the stand-in at `eutils_url` stored their answers.
    """
    factcheck = str(Path(sys.executable).parent / "factcheck")
    offline = [factcheck, "verify", str(claims16), "--offline", "--eutils-url", eutils_url]
    empty = tmp / "cache-never-written"
    found = median_seconds(
        {
            "python -c pass": [sys.executable, "-c", "pass"],
            "factcheck --version": [factcheck, "--version"],
            "factcheck --help": [factcheck, "--help"],
            "verify --offline, 16 claims, no cache": [*offline, "--cache-dir", str(empty)],
            "verify --offline, 16 claims, warm cache": [*offline, "--cache-dir", str(warm_cache)],
        }
    )
    done = subprocess.run([*offline, "--cache-dir", str(warm_cache)], capture_output=True)
    if b"16 verified" not in done.stdout:
        raise RuntimeError(f"the warm cache did not answer the 16 claims:\n{done.stdout!r}")
    python = found["python -c pass"]
    for name, seconds in found.items():
        ratio = seconds / python
        print(f"  {name}: median {seconds * 1000:.0f} ms of {STARTUP_RUNS} ({ratio:.1f}x)")
    return found


# --- a fleet sharing Redis (--cache-url) -------------------------------------------------------


def fleet(stand_in: StandInEutils, corpus: Sequence[SyntheticPaper], tmp: Path) -> Any:
    """One run alone, then three at once, each time on an empty Redis: (alone, three) or
    None without redis-server."""
    import redis_server

    if not redis_server.available():
        print(f"  skipped: {redis_server.MISSING}", flush=True)
        return None
    claims = [p.cite("fields", i) for i, p in enumerate(corpus)]
    path = write_claims(tmp / "claims-fleet.yaml", claims)
    server = redis_server.RedisServer(tmp / "redis").start()
    try:
        runs = []
        for count in (1, 3):
            server.flush()
            command = [sys.executable, "-m", "factcheck", "verify", str(path)]
            command += ["--eutils-url", stand_in.base_url, "--cache-url", server.url()]
            name = f"{count} process{'es' if count > 1 else ''}, shared Redis"
            with measured(stand_in, name) as run:
                started = [
                    subprocess.Popen(
                        [*command, "-o", str(tmp / f"fleet-{count}-{i}.json")],
                        stdout=subprocess.DEVNULL,  # the reports go to the -o files
                        stderr=subprocess.PIPE,  # "Exit 0: …", or the error if any
                    )
                    for i in range(count)
                ]
                errors = [process.communicate()[1].decode() for process in started]
            codes = [process.returncode for process in started]
            if not (codes == [1] * count or codes == [0] * count):
                raise RuntimeError(f"fleet runs exited {codes}:\n" + "\n".join(errors))
            print(f"  {name}: {run.requests_text()}, {run.throttled} 429s", flush=True)
            runs.append(run)
        return tuple(runs)
    finally:
        server.stop()


# --- the table -------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "✅" if ok else "❌"


STARTUP_TARGETS = {"factcheck --version": 2.0, "verify --offline, 16 claims, no cache": 4.0}


def startup_rows(start: dict[str, float]) -> list[tuple[str, str, str, str]]:
    """One row per start-up command: median, and its ratio to `python -c pass`."""
    python = start["python -c pass"]
    rows = []
    for name, seconds in start.items():
        note = f"median of {STARTUP_RUNS}"
        if name != "python -c pass":
            ratio = seconds / python
            note = f"{ratio:.1f}x python"
            if name in STARTUP_TARGETS:
                target = STARTUP_TARGETS[name]
                note += f", target ≤ {target:g}x {verdict(ratio <= target)}"
        rows.append((f"`{name}`", "", f"{seconds * 1000:.0f} ms", note))
    return rows


def table(results: dict[str, Any]) -> str:
    """The results as a markdown table."""
    cold, warm, lone = results["cold"], results["warm"], results["lone"]
    fields300, start = results["300"], results["startup"]
    run10k, t10k = results["10k"]
    efetch = cold.requests["efetch"]
    rows = [
        (
            "1,000 claims (300 papers), cold",
            cold.requests_text(),
            f"{cold.seconds:.1f} s",
            f"≤ 2 efetch + the searches {verdict(efetch <= 2)}",
        ),
        (
            "same, warm (same cache)",
            warm.requests_text(),
            f"{warm.seconds:.2f} s",
            f"0 requests, < 2 s {verdict(warm.total == 0 and warm.seconds < 2)}",
        ),
    ]
    if lone is not None:
        rows.append(
            (
                "same, one search per citation, cold",
                lone.requests_text(),
                f"{lone.seconds:.1f} s",
                "",
            )
        )
    if results["baseline"] is not None:
        every, estimate = results["baseline"]
        rows.append(
            (
                "same, each claim alone (fresh client)",
                every.requests_text(),
                f"~{estimate:.0f} s at 3/s",
                f"estimated from {BASELINE_SAMPLE} claims",
            )
        )
    throttled = results["throttled"]
    rows += [
        ("429s provoked (3 req/s enforced)", str(throttled), "", f"0 {verdict(throttled == 0)}"),
        (
            "300 identifier-less citations, cold",
            fields300.requests_text(),
            f"{fields300.seconds:.1f} s",
            f"≤ 30 requests {verdict(fields300.total <= 30)}",
        ),
        (
            "300 citations with journal/year/volume/pages, cold",
            results["300v"].requests_text(),
            f"{results['300v'].seconds:.1f} s",
            f"≤ 3 ecitmatch + 2 efetch {verdict(results['300v'].total <= 5)}",
        ),
        (
            "10,000 claims (300 papers), cold",
            run10k.requests_text(),
            f"load {t10k['load_s']:.1f} s + verify {t10k['cold_verify_s']:.1f} s",
            f"peak RSS {t10k['peak_rss_mb']:.0f} MB",
        ),
        (
            "10,000 claims, warm",
            str(t10k["warm_requests"]),
            f"verify {t10k['warm_verify_s']:.1f} s",
            f"JSON report {t10k['warm_render_s']:.1f} s",
        ),
    ]
    rows += startup_rows(start)
    if results.get("fleet"):
        alone, three = results["fleet"]
        same = three.requests == alone.requests and three.throttled == 0
        rows += [
            (
                "300 identifier-less citations, 1 process, Redis cache",
                alone.requests_text(),
                f"{alone.seconds:.1f} s",
                "",
            ),
            (
                "same, 3 processes at once, one Redis",
                three.requests_text(),
                f"{three.seconds:.1f} s",
                f"= 1 process, {three.throttled} 429s {verdict(same)}",
            ),
        ]
    lines = ["| run | requests | time | target / note |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------


def main(quick: bool) -> dict[str, Any]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    corpus = make_corpus(PAPERS)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    stand_in = StandInEutils(
        server, limit_per_second=RATE_LIMIT, extra_records=[p.xml for p in corpus]
    )
    results: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as tmp_dir:
            tmp = Path(tmp_dir)
            results.update(run_all(stand_in, corpus, tmp, quick))
    finally:
        stand_in.close()
        server.stop()
    results["throttled"] = stand_in.throttled
    return results


def run_all(
    stand_in: StandInEutils, corpus: Sequence[SyntheticPaper], tmp: Path, quick: bool
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    thousand = load_claims(write_claims(tmp / "claims-1000.yaml", claims_over(corpus, 1000)))
    results["lookups"] = [c for c in thousand.claims if c.cite is not None]
    print("1,000 claims over 300 papers (100 by PMID, 100 by DOI, 100 by journal/year/author)")
    results["cold"] = verify_file(stand_in, thousand, tmp / "cache", "cold")
    results["warm"] = verify_file(stand_in, thousand, tmp / "cache", "warm")
    results["lone"] = results["baseline"] = None
    if not quick:
        results["lone"] = one_search_per_citation(stand_in, thousand, tmp / "cache-lone")
        results["baseline"] = baseline(stand_in, thousand)
    print("300 identifier-less citations of 300 distinct papers")
    fields = [p.cite("fields", i) for i, p in enumerate(corpus)]
    fields_file = load_claims(write_claims(tmp / "claims-300.yaml", fields))
    results["300"] = verify_file(stand_in, fields_file, tmp / "cache-300", "cold")
    print("300 citations giving journal, year, volume and pages (ECitMatch)")
    located = [p.cite("volume-page", i) for i, p in enumerate(corpus)]
    located_file = load_claims(write_claims(tmp / "claims-300-volume.yaml", located))
    results["300v"] = verify_file(stand_in, located_file, tmp / "cache-300v", "cold")
    print("10,000 claims over the same 300 papers (child process)")
    path = write_claims(tmp / "claims-10000.yaml", claims_over(corpus, 10_000))
    results["10k"] = ten_thousand(stand_in, path, tmp / "cache-10k")
    print("start-up")
    claims16 = write_claims(tmp / "claims-16.yaml", claims_over(corpus, 16))
    verify_file(stand_in, load_claims(claims16), tmp / "cache-16", "16 claims, to warm a cache")
    results["startup"] = startup(claims16, tmp / "cache-16", stand_in.base_url, tmp)
    print("a fleet: 300 citations, 1 process then 3 at once, sharing one Redis (--cache-url)")
    results["fleet"] = fleet(stand_in, corpus, tmp)
    return results


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the slow baselines")
    parser.add_argument("--child-10k", nargs=3, metavar=("CLAIMS", "URL", "CACHE"))
    return parser.parse_args(argv)


def entry(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    if args.child_10k:
        child_10k(*args.child_10k)
        return
    results = main(args.quick)
    print(f"\n429s provoked: {results['throttled']}\n")
    print(table(results))


if __name__ == "__main__":
    entry(sys.argv[1:])
