"""`factcheck show PMID|DOI` against the stand-in E-utilities."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from eutils_stand_in import StandInEutils

from factcheck.cli import main


def show(eutils_url: str, tmp_path: Path, identifier: str, *extra: str) -> Result:
    args = ["show", identifier, "--eutils-url", eutils_url, "--cache-dir", str(tmp_path), *extra]
    return CliRunner().invoke(main, args, env={"COLUMNS": "200"})


def test_show_by_pmid_gives_what_the_checks_see(eutils_url: str, tmp_path: Path) -> None:
    result = show(eutils_url, tmp_path, "28025837")
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert "Ketamine Infusions for Treatment Refractory Headache." in lines["Title"]
    assert "2017 Feb" in lines["Print date"]
    assert "2016 Dec 27" in lines["Online date"]
    assert "headache the journal of head and face pain" in lines["Journal forms"]
    assert "15/77 is 19.5%, not 27.3%" in lines["Rates in abstract"]  # the abstract's own slip
    assert "55/77 (71.4%) ✓" in lines["Rates in abstract"]
    assert lines["Retracted"].split() == ["Retracted", "no"]


def test_show_by_doi_checks_the_round_trip(eutils: StandInEutils, tmp_path: Path) -> None:
    result = show(eutils.base_url, tmp_path, "https://doi.org/10.1111/BCP.12094")
    assert result.exit_code == 0, result.output
    assert "23432384" in result.stdout
    searches = eutils.received("esearch")
    assert [r.params["term"] for r in searches] == ['"10.1111/BCP.12094"[doi]']


def test_show_retracted_record(eutils_url: str, tmp_path: Path) -> None:
    result = show(eutils_url, tmp_path, "90000001")
    assert result.exit_code == 0
    assert "Retracted               yes" in result.stdout


def test_show_unknown_and_invalid(eutils_url: str, tmp_path: Path) -> None:
    missing = show(eutils_url, tmp_path, "12345")
    assert missing.exit_code == 1
    assert "No PubMed record for 12345." in missing.stdout
    invalid = show(eutils_url, tmp_path, "banana")
    assert invalid.exit_code == 2
    assert "neither a PMID" in invalid.stderr


def test_rates_whose_total_is_a_sentence_back_are_listed() -> None:
    from factcheck.cli.show_command import _rates

    listed = _rates("We enrolled 61 patients. Of these, 48 (77%) improved.")
    assert "48/61 is 78.7%, not 77%" in listed


def test_show_offline_finds_a_record_a_verify_run_fetched_with_others(
    eutils: StandInEutils, eutils_url: str, tmp_path: Path
) -> None:
    """Why did this claim fail? `show --offline` answers from what `verify` fetched."""
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n"
        "  - {id: a, quote: 'x', cite: {pmid: '28025837'}}\n"
        "  - {id: b, quote: 'y', cite: {pmid: '29923953'}}\n",
        encoding="utf-8",
    )
    args = ["verify", str(claims), "--eutils-url", eutils_url, "--cache-dir", str(tmp_path)]
    CliRunner().invoke(main, args)
    sent = eutils.count()
    result = show(eutils_url, tmp_path, "28025837", "--offline")
    assert result.exit_code == 0, result.output
    assert "Ketamine Infusions for Treatment Refractory Headache." in result.stdout
    assert eutils.count() == sent
