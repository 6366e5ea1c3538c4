"""Plain data that flows through factcheck: claims, figures, papers, findings, reports.

The flow is load claims -> resolve sources -> run checks -> render report; every stage
passes these frozen dataclasses to the next, so each stage can be tested on its own.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Status(str, enum.Enum):
    """A finding's or a claim's verdict (CONTRACT §4)."""

    VERIFIED = "verified"
    UNVERIFIABLE = "unverifiable"
    MISMATCH = "mismatch"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Severity for "worst of": verified < unverifiable < mismatch < error."""
        return _STATUS_RANK[self]


_STATUS_RANK = {
    Status.VERIFIED: 0,
    Status.UNVERIFIABLE: 1,
    Status.MISMATCH: 2,
    Status.ERROR: 3,
}


class Hedge(str, enum.Enum):
    """How a figure is qualified: "about 40%", "more than 4 million", "up to 3 months"."""

    EXACT = ""
    ABOUT = "about"  # about, around, approximately, roughly, some, ~
    ABOVE = "above"  # more than, over, above, at least, exceeding
    BELOW = "below"  # nearly, almost, up to, under, less than, fewer than, at most


@dataclass(frozen=True)
class Figure:
    """One number as a writer or an abstract states it.

    `value` is what the text says (77 for "77%", 4 for "4-14 days"); `upper` is the other end
    of a range. `decimals` counts digits written after the decimal point ("77.0%" has 1), which
    sets the precision the figure claims. `relative` marks a change ("rose by 198%"), which is
    not a share of anything and may exceed 100%.
    """

    text: str
    value: float
    decimals: int = 0
    percent: bool = False
    upper: float | None = None
    unit: str = ""
    hedge: Hedge = Hedge.EXACT
    relative: bool = False
    line: int | None = None


@dataclass(frozen=True)
class Rate:
    """A count out of a total, optionally stated as a percentage: "48 of 61 ... 77%"."""

    count: int
    total: int
    percent: Figure | None = None
    text: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Citation:
    """What the writer says the source is. Every field given is also checked."""

    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    journal: str | None = None
    year: int | None = None
    month: int | None = None
    authors: tuple[str, ...] = ()
    title: str | None = None
    affiliation: str | None = None
    volume: str | None = None
    pages: str | None = None
    """As cited: "1050-1058", "875", "e12" (the first page is the part before a dash)."""
    lines: tuple[tuple[str, int], ...] = ()
    """(field name, 1-based line in the claims file) for each field given."""

    def line_of(self, name: str) -> int | None:
        """The claims-file line of cited field `name`, when known."""
        return dict(self.lines).get(name)

    @property
    def identifier(self) -> str | None:
        """The identifier that pins the paper, if any: "pmid:…", "doi:…" or "pmcid:…"."""
        for kind in ("pmid", "doi", "pmcid"):
            value = getattr(self, kind)
            if value:
                return f"{kind}:{value}"
        return None


@dataclass(frozen=True)
class Claim:
    """One checkable statement of the article, as loaded from the claims file."""

    id: str
    quote: str
    line: int
    cite: Citation | None = None
    figures: tuple[Figure, ...] = ()
    rates: tuple[Rate, ...] = ()
    figures_from_quote: bool = True
    """True when `figures:` was absent and the figures were read from the quote."""
    span: tuple[int, int] | None = None
    """First and last line of the claim's entry in the claims file (for --changed-since)."""
    file: str | None = None
    """The file `line` is in when it is not the claims file: the article, for a sentence
    that no claim covers (an `article:` pseudo-claim)."""


@dataclass(frozen=True)
class ClaimsFile:
    """A loaded, validated claims file."""

    path: str
    claims: tuple[Claim, ...]
    article: str | None = None


@dataclass(frozen=True)
class Author:
    """One author of a paper as PubMed lists it (a collective name goes in `last`)."""

    last: str
    initials: str = ""
    fore: str = ""
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class PubDate:
    """A publication date as PubMed gives it; any part may be missing."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    text: str = ""
    """The date as written ("2018 Nov", or a MedlineDate such as "2016 Nov-Dec")."""


@dataclass(frozen=True)
class Paper:
    """A PubMed record, reduced to what the checks need."""

    pmid: str
    title: str
    abstract: str = ""
    doi: str | None = None
    pmcid: str | None = None
    journal_title: str = ""
    journal_iso: str = ""
    journal_medline_ta: str = ""
    nlm_id: str = ""
    issns: tuple[str, ...] = ()
    print_date: PubDate = field(default_factory=PubDate)
    electronic_date: PubDate | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    authors: tuple[Author, ...] = ()
    publication_types: tuple[str, ...] = ()
    retracted: bool = False
    retraction_notices: tuple[str, ...] = ()
    errata: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    is_book: bool = False

    @property
    def url(self) -> str:
        """The paper's PubMed page."""
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"

    @property
    def year(self) -> int | None:
        """The print year, else the electronic year."""
        if self.print_date.year is not None:
            return self.print_date.year
        return self.electronic_date.year if self.electronic_date else None

    @property
    def citation_line(self) -> str:
        """ "Schwenk ES et al. Title. Reg Anesth Pain Med 2018;43(8):875-879" style."""
        who = ""
        if self.authors:
            first = self.authors[0]
            who = f"{first.last} {first.initials}".strip()
            who += " et al. " if len(self.authors) > 1 else ". "
        where = self.journal_medline_ta or self.journal_iso or self.journal_title
        when = str(self.year) if self.year else ""
        detail = self.volume + (f"({self.issue})" if self.issue else "")
        detail += f":{self.pages}" if self.pages else ""
        tail = f"{where} {when}".strip() + (f";{detail}" if detail else "")
        return f"{who}{self.title} {tail}".strip()


@dataclass(frozen=True)
class Acceptance:
    """An accept-file entry that waives a finding: who accepted it, why, until when."""

    reason: str
    by: str
    entry: str
    """Where the entry is: "factcheck-accept.yaml:7"."""
    expires: str | None = None
    """ISO date after which the acceptance no longer holds."""
    expired: bool = False


NOT_CHECKED_PREFIX = "not checked: "


@dataclass(frozen=True)
class Finding:
    """One check's result on one claim."""

    check: str
    status: Status
    message: str
    expected: str | None = None
    found: str | None = None
    line: int | None = None
    evidence: str | None = None
    """Source text that backs the finding (an abstract sentence), when there is one."""
    accepted: Acceptance | None = None
    """The accept-file entry matching this finding (an expired one does not waive it)."""

    @property
    def waived(self) -> bool:
        """True when an unexpired acceptance takes this finding out of the verdict."""
        return self.accepted is not None and not self.accepted.expired

    @property
    def not_checked(self) -> bool:
        """True when the check could not run at all (PubMed unreachable, the source not in
        the cache, the run interrupted): such messages begin "not checked: " and say why."""
        return self.message.startswith(NOT_CHECKED_PREFIX)


@dataclass(frozen=True)
class Resolution:
    """How a claim's source was found: the paper (or None) and what was learnt on the way."""

    paper: Paper | None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ClaimResult:
    """A claim with its findings and the source they were checked against."""

    claim: Claim
    findings: tuple[Finding, ...]
    source: Paper | None = None

    @property
    def status(self) -> Status:
        """The worst status among the findings not waived by an acceptance (verified when
        there are none): accepted findings keep their own status but no longer count."""
        return worst(f.status for f in self.findings if not f.waived)

    @property
    def waived(self) -> tuple[Finding, ...]:
        """The failing findings that an unexpired acceptance takes out of the verdict."""
        return tuple(f for f in self.findings if f.waived and f.status.rank > 0)


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe of `statuses`; verified when empty."""
    result = Status.VERIFIED
    for status in statuses:
        if status.rank > result.rank:
            result = status
    return result


@dataclass(frozen=True)
class SourceStats:
    """How PubMed was reached during a run."""

    mode: str = "offline"
    """"pubmed" when E-utilities were used, "offline" for cache only, "none" when not wired."""
    fetched: int = 0
    cached: int = 0
    unreachable: bool = False
    """PubMed could not answer every lookup: it was down, or (offline) the cache lacked some."""
    note: str = ""

    @property
    def not_all_cached(self) -> bool:
        """Offline, and some lookups found nothing in the cache (no outage: nothing was sent)."""
        return self.unreachable and self.mode == "offline"


@dataclass(frozen=True)
class Note:
    """A remark about an input file rather than a claim (an accept entry that matched nothing)."""

    check: str
    message: str
    path: str
    line: int | None = None


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs."""

    claims_file: str
    results: tuple[ClaimResult, ...]
    version: str
    checked_on: str
    sources: SourceStats = field(default_factory=SourceStats)
    interrupted: bool = False
    article: str | None = None
    """The article the quotes were checked against, when there was one."""
    scope: str = ""
    """Why only some claims were checked (--changed-since), empty when all were."""
    notes: tuple[Note, ...] = ()

    def count(self, status: Status) -> int:
        """How many claims ended with `status`."""
        return sum(1 for r in self.results if r.status is status)

    @property
    def accepted(self) -> int:
        """How many findings an accept file took out of the verdict."""
        return sum(len(r.waived) for r in self.results)

    @property
    def summary(self) -> dict[str, int]:
        """CONTRACT §5 summary, in the contract's key order."""
        return {
            s.value: self.count(s)
            for s in (Status.VERIFIED, Status.MISMATCH, Status.UNVERIFIABLE, Status.ERROR)
        }
