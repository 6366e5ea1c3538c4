"""The whole flow for one claims file: load claims -> resolve sources -> run checks -> report.

No printing and no exiting here (that is the CLI's job); PubMed is reached only through the
`PubMedSource` it is given.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from factcheck import __version__
from factcheck.checks import check_claim
from factcheck.models import Citation, Claim, ClaimsFile, Report, Resolution, SourceStats
from factcheck.pubmed.resolve import PubMedSource, resolve_sources

Progress = Callable[[int, int], None]

NOT_CHECKED = "not checked: the run was interrupted before this claim's source was looked up"
NOT_A_PUBLICATION = "cites {who}, not a publication PubMed can identify (no journal or title)"


@dataclass(frozen=True)
class LookupPlan:
    """Which claims go to PubMed, and why the others don't."""

    lookups: tuple[Claim, ...]
    reasons: dict[str, str]


def plan_lookups(claims: tuple[Claim, ...]) -> LookupPlan:
    """Send claims whose citation names a publication; explain the rest."""
    lookups: list[Claim] = []
    reasons: dict[str, str] = {}
    for claim in claims:
        if claim.cite is None:
            continue
        if _names_publication(claim.cite):
            lookups.append(claim)
        else:
            reasons[claim.id] = NOT_A_PUBLICATION.format(who=_who(claim.cite))
    return LookupPlan(tuple(lookups), reasons)


def verify(
    claims_file: ClaimsFile,
    source: PubMedSource | None,
    *,
    stats: Callable[[], SourceStats] = SourceStats,
    offline_reason: str = "PubMed not consulted",
    on_progress: Progress | None = None,
) -> Report:
    """Check every claim of `claims_file`, looking sources up through `source` (if any).

    Ctrl-C (KeyboardInterrupt) while sources are looked up does not lose the run: every
    claim still gets its offline checks, the ones not looked up are marked not checked, and
    the report says it was interrupted.
    """
    plan = plan_lookups(claims_file.claims)
    resolutions: dict[str, Resolution] = {}
    interrupted = False
    if source is not None and plan.lookups:
        try:
            resolutions = resolve_sources(plan.lookups, source, on_progress=on_progress)
        except KeyboardInterrupt:
            interrupted = True
    results = []
    for claim in claims_file.claims:
        reason = plan.reasons.get(claim.id) or (NOT_CHECKED if interrupted else offline_reason)
        results.append(check_claim(claim, resolutions.get(claim.id), reason))
    return Report(
        claims_file=claims_file.path,
        results=tuple(results),
        version=__version__,
        checked_on=datetime.date.today().isoformat(),
        sources=stats(),
        interrupted=interrupted,
    )


def _names_publication(cite: Citation) -> bool:
    return bool(cite.identifier or cite.journal or cite.title)


def _who(cite: Citation) -> str:
    names = list(cite.authors) + ([cite.affiliation] if cite.affiliation else [])
    who = ", ".join(names) or "a source"
    return f"{who} ({cite.year})" if cite.year else who
