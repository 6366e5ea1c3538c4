"""Load and soak: memory and time as claims files grow, and leaks over many runs.

Run:  python bench/soak.py                 (about 2 minutes)
      python bench/soak.py --runs 5 --sizes 1000,2000     (a quick look)

Both parts run against the stand-in E-utilities (tests/eutils_stand_in.py, in a process of
its own, so that its request log is not counted as factcheck's memory) serving the test
fixtures plus 300 synthetic papers (tests/synthetic.py), the client at its usual 3 requests/s:

* Load. For 1,000, 5,000 and 10,000 claims over the 300 papers (a third cited by PMID, a third
  by DOI, a third by journal, year and first author), a child process loads the file, checks
  it cold (empty cache) and warm (same cache) and renders the JSON report; it reports its peak
  RSS, and a second child the peak of Python's own allocations (tracemalloc) for load + warm
  check + report. Time per 1,000 claims should stay level as the file grows (linear time).
* Soak. 20 consecutive runs in one process over the repository's claims.yaml plus 300
  synthetic claims, each with a fresh client on one cache directory and --refresh (every
  answer fetched and saved again), then a warm run. After each: seconds, open file
  descriptors, cache size on disk, RSS and Python memory blocks in use. None should grow.

No figure here is asserted: the script prints them (and --json writes them) for a person to
read; the tests check behaviour, not timings.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from eutils_stand_in import StandInEutils  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402
from synthetic import SyntheticPaper, claims_yaml, make_corpus  # noqa: E402

from factcheck.claims import load_claims  # noqa: E402
from factcheck.models import ClaimsFile  # noqa: E402
from factcheck.pubmed.client import EutilsClient  # noqa: E402
from factcheck.report.json_report import render_json  # noqa: E402
from factcheck.run import verify  # noqa: E402

PAPERS = 300
MB = 1024 * 1024
STYLES = ("pmid", "doi", "fields")
SIZES = (1_000, 5_000, 10_000)
RUNS = 20


# --- claims files ----------------------------------------------------------------------------


def claims_over(corpus: Sequence[SyntheticPaper], count: int) -> list[dict[str, Any]]:
    """`count` claims: claim k cites paper k mod 300, in the style of its third of the corpus."""
    return [
        corpus[k % PAPERS].cite(STYLES[(k % PAPERS) * len(STYLES) // PAPERS], k, k // PAPERS)
        for k in range(count)
    ]


def write_claims(path: Path, claims: Sequence[dict[str, Any]]) -> Path:
    path.write_text(claims_yaml(claims), encoding="utf-8")
    return path


# --- measurements ------------------------------------------------------------------------------


def open_fds() -> int:
    """File descriptors this process has open (sockets and the sqlite files included)."""
    return len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else -1


def rss_mb() -> float:
    """Resident memory now (VmRSS), in MB; -1 where /proc is missing."""
    status = Path("/proc/self/status")
    if not status.exists():
        return -1.0
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return -1.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024


def cache_bytes(cache: Path) -> int:
    """The cache on disk: the database and its WAL and shared-memory files."""
    return sum(f.stat().st_size for f in cache.glob("*") if f.is_file())


def serve(ready: Path) -> None:
    """The stand-in, in a process of its own (it logs every request: not factcheck's memory,
    nor its CPU). Writes its URL to `ready`, then serves until its stdin closes."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    eutils = StandInEutils(server, extra_records=[p.xml for p in make_corpus(PAPERS)])
    ready.write_text(eutils.base_url)
    sys.stdin.read()
    eutils.close()
    server.stop()


@contextmanager
def stand_in(tmp: Path) -> Iterator[str]:
    """The URL of a stand-in E-utilities serving the fixtures and the synthetic corpus."""
    ready = tmp / "stand-in-url"
    command = [sys.executable, __file__, "--serve", str(ready)]
    with subprocess.Popen(command, stdin=subprocess.PIPE) as server:
        try:
            while not ready.exists() or not ready.read_text():
                time.sleep(0.05)
            yield ready.read_text()
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=30)


def check(claims: ClaimsFile, url: str, cache: Path, **options: Any) -> tuple[float, int]:
    """One run: seconds, and requests sent."""
    started = time.perf_counter()
    with EutilsClient(url, cache_dir=cache, **options) as source:
        verify(claims, source)
        sent = source.stats.requests_sent
    return time.perf_counter() - started, sent


# --- load: one child process per size ----------------------------------------------------------


def child(path: str, url: str, cache: str, traced: bool) -> None:
    """Load, check cold and warm, render; print the figures as JSON (the parent reads them)."""
    if traced:
        tracemalloc.start()
    figures: dict[str, float] = {}
    started = time.perf_counter()
    claims = load_claims(path)
    figures["load_s"] = time.perf_counter() - started
    if traced:  # the cold run's cache traffic is the same as the warm one's, plus requests
        check(claims, url, Path(cache))
        tracemalloc.reset_peak()
    else:
        figures["cold_s"], figures["cold_requests"] = check(claims, url, Path(cache))
    figures["warm_s"], figures["warm_requests"] = check(claims, url, Path(cache))
    started = time.perf_counter()
    report_text = ""
    with EutilsClient(url, cache_dir=Path(cache), offline=True) as source:
        report_text = render_json(verify(claims, source))
    figures["report_s"] = time.perf_counter() - started
    figures["report_mb"] = len(report_text.encode()) / MB
    if traced:
        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
    figures["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(figures))


def load_part(
    corpus: Sequence[SyntheticPaper], url: str, tmp: Path, sizes: Sequence[int]
) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        path = write_claims(tmp / f"claims-{size}.yaml", claims_over(corpus, size))
        row: dict[str, Any] = {"claims": size, "file_mb": path.stat().st_size / MB}
        for traced in (False, True):
            cache = tmp / f"cache-{size}-{'traced' if traced else 'plain'}"
            command = [sys.executable, __file__, "--child", str(path), url, str(cache)]
            done = subprocess.run(
                [*command, *(["--traced"] if traced else [])],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            if traced:
                row["traced_peak_mb"] = figures["traced_peak_mb"]
            else:
                row.update(figures)
        row["warm_s_per_1k"] = (row["load_s"] + row["warm_s"]) / size * 1000
        row["cold_s_per_1k"] = (row["load_s"] + row["cold_s"]) / size * 1000
        rows.append(row)
        print(
            f"  {size:>6,} claims: peak RSS {row['peak_rss_mb']:.0f} MB, Python peak "
            f"{row['traced_peak_mb']:.0f} MB; load {row['load_s']:.2f} s, cold "
            f"{row['cold_s']:.1f} s ({row['cold_requests']} requests), warm {row['warm_s']:.2f} s"
            f"; {row['warm_s_per_1k']:.2f} s per 1,000 claims warm",
            flush=True,
        )
    return rows


# --- soak: many runs in one process ------------------------------------------------------------


def soak_part(
    corpus: Sequence[SyntheticPaper], url: str, tmp: Path, runs: int
) -> list[dict[str, Any]]:
    claims = load_claims(ROOT / "claims.yaml")
    synthetic = load_claims(write_claims(tmp / "soak-300.yaml", claims_over(corpus, PAPERS)))
    both = ClaimsFile(path="soak", claims=claims.claims + synthetic.claims)
    cache = tmp / "soak-cache"
    rows = []
    for number in range(1, runs + 2):
        warm = number == runs + 1  # the last run reads everything from the cache
        seconds, sent = check(both, url, cache, refresh=not warm)
        gc.collect()
        row = {
            "run": f"{number}{' (warm)' if warm else ''}",
            "seconds": seconds,
            "requests": sent,
            "open_fds": open_fds(),
            "cache_kb": cache_bytes(cache) / 1024,
            "rss_mb": rss_mb(),
            "blocks": sys.getallocatedblocks(),
        }
        rows.append(row)
        print(
            f"  run {row['run']:>9}: {seconds:5.2f} s, {sent:2d} requests, "
            f"{row['open_fds']} fds, cache {row['cache_kb']:.0f} kB, RSS {row['rss_mb']:.0f} MB, "
            f"{row['blocks']:,} Python blocks",
            flush=True,
        )
    return rows


def summary(load: list[dict[str, Any]], soak: list[dict[str, Any]]) -> str:
    lines = [
        "",
        "| claims | file | peak RSS | Python peak | load | cold check | warm check | s / 1k warm |",
    ]
    lines.append("|---|---|---|---|---|---|---|---|")
    lines += [
        f"| {r['claims']:,} | {r['file_mb']:.1f} MB | {r['peak_rss_mb']:.0f} MB | "
        f"{r['traced_peak_mb']:.0f} MB | {r['load_s']:.2f} s | {r['cold_s']:.1f} s "
        f"({r['cold_requests']} req) | {r['warm_s']:.2f} s | {r['warm_s_per_1k']:.2f} |"
        for r in load
    ]
    if soak:
        first, last, warm = soak[0], soak[-2] if len(soak) > 1 else soak[0], soak[-1]
        lines += [
            "",
            f"Soak, {len(soak) - 1} refreshing runs then a warm one:",
            f"- time: first {first['seconds']:.2f} s, last {last['seconds']:.2f} s; warm "
            f"{warm['seconds']:.2f} s with {warm['requests']} requests",
            f"- open file descriptors: {first['open_fds']} -> {warm['open_fds']}",
            f"- cache on disk: {first['cache_kb']:.0f} kB -> {warm['cache_kb']:.0f} kB",
            f"- RSS: {first['rss_mb']:.0f} MB -> {warm['rss_mb']:.0f} MB; Python memory blocks "
            f"in use {first['blocks']:,} -> {warm['blocks']:,}",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="soak runs (default 20)")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="claims-file sizes for the load part (default 1000,5000,10000; empty: skip)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--child", nargs=3, metavar=("CLAIMS", "URL", "CACHE"), help=argparse.SUPPRESS
    )
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, traced=args.traced)
        return
    if args.serve:
        serve(args.serve)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    corpus = make_corpus(PAPERS)
    with tempfile.TemporaryDirectory(prefix="factcheck-soak-") as tmp_dir:
        tmp = Path(tmp_dir)
        with stand_in(tmp) as url:
            print(f"Load: {', '.join(f'{s:,}' for s in sizes)} claims over {PAPERS} papers")
            load = load_part(corpus, url, tmp, sizes)
            print(f"Soak: {args.runs} runs, one process, one cache, --refresh, then a warm run")
            soak = soak_part(corpus, url, tmp, args.runs) if args.runs else []
    print(summary(load, soak))
    if args.json:
        args.json.write_text(json.dumps({"load": load, "soak": soak}, indent=2) + "\n")


if __name__ == "__main__":
    main()
