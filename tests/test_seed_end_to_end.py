"""The seed article's claims.yaml, end to end through the CLI and the stand-in E-utilities.

Each verdict below is one that SOURCES.md §B reaches and PubMed can decide.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from eutils_stand_in import StandInEutils
from pytest_httpserver import HTTPServer

from factcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = str(ROOT / "claims.yaml")


def verify(eutils_url: str, cache: Path, *extra: str, claims: str = CLAIMS) -> Result:
    args = ["verify", claims, "--eutils-url", eutils_url, "--cache-dir", str(cache), *extra]
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def seed_report(
    eutils_server: HTTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """One cold run of the seed claims against a stand-in enforcing 3 requests/s."""
    if not eutils_server.is_running():
        eutils_server.start()
    stand_in = StandInEutils(eutils_server)
    stand_in.limit_per_second = 3
    cache = tmp_path_factory.mktemp("seed") / "cache"
    result = verify(stand_in.base_url, cache, "--format", "json")
    stand_in.close()
    assert result.exit_code == 1, result.output
    assert stand_in.throttled == 0
    yield {c["id"]: c for c in json.loads(result.stdout)["claims"]}


def finding(claim: dict[str, Any], check: str) -> dict[str, Any]:
    return next(f for f in claim["findings"] if f["check"] == check)


def test_48_of_61_is_not_77_percent(seed_report: dict[str, Any]) -> None:
    claim = seed_report["jefferson-responders"]
    assert claim["status"] == "mismatch"
    assert claim["source"]["pmid"] == "29923953"
    arithmetic = finding(claim, "figure.arithmetic")
    assert arithmetic["status"] == "mismatch"
    assert arithmetic["message"] == "48/61 is 78.7%, not 77%; 77% of 61 would be 47"
    assert finding(claim, "cite.journal")["status"] == "verified"
    assert finding(claim, "figure.present")["status"] == "verified"


@pytest.mark.parametrize(
    "claim_id", ["jem-refractory-infusions", "jem-patient-split", "jem-conclusion"]
)
def test_journal_of_emergency_medicine_is_really_headache(
    seed_report: dict[str, Any], claim_id: str
) -> None:
    claim = seed_report[claim_id]
    assert claim["status"] == "mismatch"
    assert claim["source"]["pmid"] == "28025837"  # Pomeroy 2017, not the THINK trial
    journal = finding(claim, "cite.journal")
    assert journal["status"] == "mismatch"
    assert "Journal of Emergency Medicine" in journal["message"]
    assert "Headache" in journal["message"]


def test_british_journal_of_pharmacology_is_really_clinical_pharmacology(
    seed_report: dict[str, Any],
) -> None:
    claim = seed_report["bjp-extended-infusions"]
    assert claim["source"]["pmid"] == "23432384"
    journal = finding(claim, "cite.journal")
    assert journal["status"] == "mismatch"
    assert "Br J Clin Pharmacol" in journal["message"]
    assert finding(claim, "figure.present")["status"] == "verified"  # 3 studies, 4-14 days


def test_december_2016_case_series_is_found_with_its_figures(seed_report: dict[str, Any]) -> None:
    claim = seed_report["jhp-case-series"]
    assert claim["status"] == "verified"
    assert claim["source"]["doi"] == "10.1186/s10194-016-0700-3"
    for check in ("cite.journal", "cite.year", "cite.month", "figure.present"):
        assert finding(claim, check)["status"] == "verified", check


def test_within_an_hour_is_not_in_the_abstract(seed_report: dict[str, Any]) -> None:
    claim = seed_report["rapid-relief-one-hour"]
    assert claim["status"] == "unverifiable"
    absent = finding(claim, "figure.present")
    assert absent["status"] == "unverifiable"
    assert "4.56 days" in absent["message"]


@pytest.mark.parametrize(
    "claim_id",
    [
        "mrf-households",
        "mrf-chronic-daily",
        "aap-2016-meeting",
        "ready-nasal-spray-aura",
        "ready-breakthrough-doses",
        "schwenk-quote",
        "discharge-pain-range",
    ],
)
def test_foundation_conference_and_uncited_claims_are_unverifiable(
    seed_report: dict[str, Any], claim_id: str
) -> None:
    claim = seed_report[claim_id]
    assert claim["status"] == "unverifiable"
    assert claim["source"] is None


def test_polite_and_cached(eutils: StandInEutils, eutils_url: str, tmp_path: Path) -> None:
    eutils.limit_per_second = 3
    first = verify(eutils_url, tmp_path / "cache")
    assert first.exit_code == 1, first.output
    sent = eutils.count()
    assert 0 < sent <= 10
    assert eutils.throttled == 0  # no 429 provoked at 3 requests/s
    assert all(r.params.get("tool") == "factcheck" for r in eutils.received())
    second = verify(eutils_url, tmp_path / "cache")
    assert second.exit_code == 1
    assert eutils.count() == sent  # the second run sends no request
    assert f"(cached 0, fetched {sent})" in first.stdout
    assert re.search(r"\(cached [1-9]\d*, fetched 0\)", second.stdout)
    counts = re.compile(r"\(cached \d+, fetched \d+\)")  # cache entries read, not requests
    assert counts.sub("", second.stdout) == counts.sub("", first.stdout)


def test_server_down_keeps_the_arithmetic_and_ends_fast(
    eutils: StandInEutils, eutils_url: str, tmp_path: Path
) -> None:
    eutils.go_down()
    started = time.monotonic()
    result = verify(eutils_url, tmp_path / "cache", "--format", "json")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1  # the arithmetic mismatch still fails the run
    claims = {c["id"]: c for c in json.loads(result.stdout)["claims"]}
    arithmetic = finding(claims["jefferson-responders"], "figure.arithmetic")
    assert arithmetic["status"] == "mismatch"
    resolve = finding(claims["jem-patient-split"], "source.resolve")
    assert resolve["status"] == "unverifiable"
    assert "PubMed" in resolve["message"]
    assert "Traceback" not in result.output


def test_server_down_without_mismatches_exits_3(
    eutils: StandInEutils, eutils_url: str, tmp_path: Path
) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n  - id: headache\n    quote: The study followed 77 patients.\n"
        "    cite: {journal: Headache, year: 2017}\n",
        encoding="utf-8",
    )
    eutils.go_down()
    result = verify(eutils_url, tmp_path / "cache", claims=str(claims))
    assert result.exit_code == 3, result.output
    assert "Exit 3: PubMed could not be reached" in result.output


def test_the_copied_inconsistency_points_at_the_source_sentence(
    seed_report: dict[str, Any],
) -> None:
    arithmetic = finding(seed_report["jefferson-responders"], "figure.arithmetic")
    assert "Forty-eight (77%) of the 61" in arithmetic["evidence"]


def test_offline_after_editing_the_claims_keeps_every_cached_verdict(
    eutils: StandInEutils, eutils_url: str, tmp_path: Path
) -> None:
    """The seed's citations have no PMID: they are found by combined searches, whose terms
    change with the set of claims. A claim removed and one added, then --offline: every
    claim left keeps its online verdict and only the new one is not in the cache."""
    cache = tmp_path / "cache"
    online = verify(eutils_url, cache, "--format", "json")
    sent = eutils.count()
    before = {c["id"]: c for c in json.loads(online.stdout)["claims"]}
    text = Path(CLAIMS).read_text(encoding="utf-8")
    entries = re.split(r"(?m)^(?=  - id: )", text)
    assert entries[1].startswith("  - id: jhp-case-series")
    added = (
        "  - id: new-trial\n    quote: 'A 2015 trial in Cephalalgia found relief.'\n"
        "    cite: {journal: Cephalalgia, year: 2015}\n"
    )
    edited = tmp_path / "claims.yaml"
    edited.write_text(entries[0] + "".join(entries[2:]) + added, encoding="utf-8")
    offline = verify(eutils_url, cache, "--offline", "--format", "json", claims=str(edited))
    after = {c["id"]: c for c in json.loads(offline.stdout)["claims"]}
    assert eutils.count() == sent  # nothing sent
    assert finding(after.pop("new-trial"), "source.resolve")["message"] == (
        "not checked: the source is not in the cache (--offline)"
    )
    del before["jhp-case-series"]
    assert verdicts(after) == verdicts(before)


def verdicts(claims: dict[str, Any]) -> dict[str, Any]:
    """Each claim's status and findings, without line numbers (an edit moves them)."""
    return {
        cid: (c["status"], [{k: v for k, v in f.items() if k != "line"} for f in c["findings"]])
        for cid, c in claims.items()
    }
