"""The whole flow for one claims file: load claims -> resolve sources -> run checks -> report.

No printing and no exiting here (that is the CLI's job); PubMed is reached only through the
`PubMedSource` it is given. The article, the accept file and the git changes come in already
loaded, so this stays free of file access.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from factcheck import __version__
from factcheck.accept import AcceptFile, apply_acceptances
from factcheck.article import Article
from factcheck.changes import Changes
from factcheck.checks import check_claim
from factcheck.checks.article import QuoteMatch, match_quotes, uncovered
from factcheck.models import (
    Citation,
    Claim,
    ClaimResult,
    ClaimsFile,
    Report,
    Resolution,
    SourceStats,
    Status,
)
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
    article: Article | None = None,
    accept: AcceptFile | None = None,
    changes: Changes | None = None,
    stats: Callable[[], SourceStats] = SourceStats,
    offline_reason: str = "PubMed not consulted",
    on_progress: Progress | None = None,
) -> Report:
    """Check every claim of `claims_file`, looking sources up through `source` (if any).

    With an `article`, each quote must still be in it and every sentence of it that states
    a figure or names a source must have a claim; with `accept`, the findings it lists are
    marked accepted; with `changes`, only the claims changed since a git revision are checked.

    Ctrl-C (KeyboardInterrupt) while sources are looked up does not lose the run: every
    claim still gets its offline checks, the ones not looked up are marked not checked, and
    the report says it was interrupted.
    """
    matches = match_quotes(claims_file.claims, article) if article else {}
    claims = select_claims(claims_file.claims, matches, changes)
    plan = plan_lookups(claims)
    resolutions: dict[str, Resolution] = {}
    interrupted = False
    if source is not None and plan.lookups:
        try:
            resolutions = resolve_sources(plan.lookups, source, on_progress=on_progress)
        except KeyboardInterrupt:
            interrupted = True
    results = []
    for claim in claims:
        reason = plan.reasons.get(claim.id) or (NOT_CHECKED if interrupted else offline_reason)
        result = check_claim(claim, resolutions.get(claim.id), reason)
        results.append(_with_quote(result, matches.get(claim.id)))
    if article is not None:
        lines = None if changes is None else changes.article_lines
        results.extend(uncovered(article, matches.values(), lines=lines))
    today = datetime.date.today()
    return Report(
        claims_file=claims_file.path,
        results=apply_acceptances(results, accept, today) if accept else tuple(results),
        version=__version__,
        checked_on=today.isoformat(),
        sources=stats(),
        interrupted=interrupted,
        article=article.path if article else None,
        scope=_scope(changes, len(claims), len(claims_file.claims)),
    )


def select_claims(
    claims: tuple[Claim, ...], matches: Mapping[str, QuoteMatch], changes: Changes | None
) -> tuple[Claim, ...]:
    """The claims to check: all of them, or (with `changes`) those whose entry changed, whose
    quote's article lines changed, or whose quote is no longer in the article."""
    if changes is None:
        return claims
    return tuple(claim for claim in claims if _changed(claim, matches.get(claim.id), changes))


def _changed(claim: Claim, match: QuoteMatch | None, changes: Changes) -> bool:
    first, last = claim.span or (claim.line, claim.line)
    if changes.touches(changes.claims_lines, first, last):
        return True
    if match is None:
        return False
    if match.finding.status is not Status.VERIFIED:
        return True
    return match.lines is not None and changes.touches(changes.article_lines, *match.lines)


def _with_quote(result: ClaimResult, match: QuoteMatch | None) -> ClaimResult:
    if match is None:
        return result
    return replace(result, findings=(match.finding, *result.findings))


def _scope(changes: Changes | None, checked: int, total: int) -> str:
    if changes is None:
        return ""
    return f"changed since {changes.ref}: {checked} of {total} claims checked"


def _names_publication(cite: Citation) -> bool:
    return bool(cite.identifier or cite.journal or cite.title)


def _who(cite: Citation) -> str:
    names = list(cite.authors) + ([cite.affiliation] if cite.affiliation else [])
    who = ", ".join(names) or "a source"
    return f"{who} ({cite.year})" if cite.year else who
