"""Checks: pure functions from a claim (and its resolved source) to findings.

`check_claim` is the one entry point: arithmetic always runs (it needs no source); the
citation and figure-presence checks run when the claim's paper was found.
"""

from __future__ import annotations

from factcheck.checks.arithmetic import check_arithmetic
from factcheck.checks.citation import check_citation
from factcheck.checks.presence import check_presence
from factcheck.checks.source_rates import note_rates_repeated_in_source
from factcheck.models import Claim, ClaimResult, Finding, Resolution, Status

NO_SOURCE = "no source cited: nothing to check the claim against"


def check_claim(claim: Claim, resolution: Resolution | None, reason: str = "") -> ClaimResult:
    """Run every check that applies to `claim`.

    `resolution` is how its source was found (None when no lookup happened, with `reason`
    saying why, e.g. PubMed was not consulted).
    """
    findings = list(check_arithmetic(claim.figures, claim.rates))
    if claim.cite is None:
        findings.append(Finding("source.resolve", Status.UNVERIFIABLE, NO_SOURCE))
        return ClaimResult(claim, tuple(findings))
    if resolution is None:
        message = reason or "the source was not looked up"
        findings.append(Finding("source.resolve", Status.UNVERIFIABLE, message))
        return ClaimResult(claim, tuple(findings))
    findings.extend(resolution.findings)
    paper = resolution.paper
    if paper is None:
        return ClaimResult(claim, tuple(findings))
    already = {f.check for f in resolution.findings}
    findings.extend(f for f in check_citation(claim.cite, paper) if f.check not in already)
    if claim.figures:
        source_text = f"{paper.title}\n{paper.abstract}"
        findings = note_rates_repeated_in_source(findings, claim.rates, source_text)
        findings.extend(check_presence(claim.figures, claim.rates, source_text))
    return ClaimResult(claim, tuple(findings), paper)
