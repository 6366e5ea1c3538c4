"""An arithmetic mismatch copied from the source gets the source sentence as its evidence."""

from __future__ import annotations

from factcheck.checks.arithmetic import check_arithmetic
from factcheck.checks.source_rates import note_rates_repeated_in_source
from factcheck.models import Finding, Status
from factcheck.numbers import read_figures

TITLE = "Outcomes after treatment.\n"


def noted(quote: str, abstract: str) -> list[Finding]:
    """The arithmetic findings for `quote`, noted against a source with `abstract`."""
    figures, rates = read_figures(quote)
    findings = check_arithmetic(figures, rates)
    return note_rates_repeated_in_source(findings, rates, TITLE + abstract)


def mismatch(findings: list[Finding]) -> Finding:
    [finding] = [f for f in findings if f.status is Status.MISMATCH]
    return finding


def test_a_rate_off_by_rounding_repeated_in_the_source_gets_its_sentence() -> None:
    quote = "Of the 61 patients, 48 (77%) improved."
    finding = mismatch(noted(quote, quote))
    assert finding.message.startswith("48/61 is 78.7%, not 77%")
    assert finding.evidence == quote


def test_a_rate_no_whole_count_can_give_repeated_in_the_source_gets_its_sentence() -> None:
    quote = "Of the 86 patients, 64 (75%) improved."
    finding = mismatch(noted(quote, quote))
    assert finding.message.startswith("75% of 86 is 64.5: no whole number")
    assert finding.evidence == quote


def test_a_rate_the_source_does_not_state_gets_no_evidence() -> None:
    finding = mismatch(noted("Of the 86 patients, 64 (75%) improved.", "Of 86, 64 (74%) did."))
    assert finding.evidence is None


def test_only_the_rate_the_source_repeats_gets_evidence() -> None:
    quote = "Of the 86 patients, 64 (75%) improved; 48 of 61 (77%) slept better."
    findings = noted(quote, "Of the 86 patients, 64 (75%) improved.")
    by_start = {f.message.split(":")[0].split(",")[0]: f for f in findings}
    assert by_start["75% of 86 is 64.5"].evidence == "Of the 86 patients, 64 (75%) improved."
    assert by_start["48/61 is 78.7%"].evidence is None


def test_findings_of_other_checks_are_left_alone() -> None:
    quote = "Of the 86 patients, 64 (75%) improved."
    figures, rates = read_figures(quote)
    other = Finding("cite.year", Status.MISMATCH, "75% of 86 is 64.5: not a rate finding")
    findings = [*check_arithmetic(figures, rates), other]
    assert note_rates_repeated_in_source(findings, rates, TITLE + quote)[-1] == other


def test_a_rate_whose_total_is_in_the_sentence_before_gets_both_sentences() -> None:
    quote = "We enrolled 61 patients. Of these, 48 (77%) improved."
    finding = mismatch(noted(quote, "BACKGROUND: Pain after surgery. " + quote))
    assert finding.message.startswith("48/61 is 78.7%, not 77%")
    assert finding.evidence == quote
