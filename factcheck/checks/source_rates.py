"""When a claim's inconsistent rate is copied from its source, say so: the error is the paper's.

"48/61 is 78.7%, not 77%" means something different to an editor when the abstract itself
says "Forty-eight (77%) of the 61": the writer copied faithfully, and the paper is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from factcheck.checks.arithmetic import CHECK, check_rate
from factcheck.models import Finding, Rate, Status
from factcheck.numbers import RateMention, find_rates, sentence_around


def note_rates_repeated_in_source(
    findings: Sequence[Finding], rates: Sequence[Rate], source_text: str
) -> list[Finding]:
    """`findings` with each arithmetic mismatch given the source sentence that states the same
    rate as its evidence (the message stays as it is: CI scripts match on it).

    A finding belongs to the rate `check_rate` gives it for, whatever its message says.
    """
    stated = find_rates(source_text)
    by_rate = [(check_rate(rate), rate) for rate in rates if rate.percent is not None]
    noted = []
    for finding in findings:
        sentence = _repeated(finding, by_rate, stated, source_text)
        if sentence:
            finding = replace(finding, evidence=sentence)
        noted.append(finding)
    return noted


def _repeated(
    finding: Finding,
    by_rate: Sequence[tuple[Finding, Rate]],
    stated: Sequence[RateMention],
    source_text: str,
) -> str:
    """The source sentence(s) stating the rate `finding` is about, or ""."""
    if finding.check != CHECK or finding.status is not Status.MISMATCH:
        return ""
    for rate_finding, rate in by_rate:
        if rate_finding != finding:
            continue
        for mention in stated:
            if _same(rate, mention.rate):
                return sentence_around(source_text, mention.start, mention.end)
    return ""


def _same(claim: Rate, source: Rate) -> bool:
    return (
        (claim.count, claim.total) == (source.count, source.total)
        and source.percent is not None
        and claim.percent is not None
        and source.percent.value == claim.percent.value
    )
