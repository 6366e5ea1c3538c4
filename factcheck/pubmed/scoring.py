"""How well a candidate paper fits a citation, and when one candidate may be taken.

`score_candidate` weighs agreement on the cited fields (journal, year, month, authors,
title, affiliation), the claims' figures found in the title or abstract (read exactly as
`figure.present` reads them: `numbers.find_mentions` and `presence.find_figure`) and the
quotes' wording. `choose` takes a candidate only when it is identified, not contradicted,
strong and clearly ahead of the runner-up; `why_not` says why none was taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from factcheck.checks.citation import (
    affiliation_found,
    author_found,
    content_stems,
    has_affiliations,
    months_of,
    paper_years,
    title_agreement,
)
from factcheck.checks.presence import find_figure, source_figures
from factcheck.identifiers import first_page, same_volume
from factcheck.journals import same_journal, short_journal
from factcheck.models import Citation, Claim, Figure, Paper
from factcheck.numbers import exact, find_mentions
from factcheck.pubmed.search_terms import telling_words, without_names

__all__ = [
    "ACCEPT",
    "AGREES",
    "MARGIN",
    "SHOWN",
    "TITLE_IDENTIFIES",
    "WEIGHTS",
    "WORDING_SPAN",
    "Choice",
    "Evidence",
    "Score",
    "Target",
    "choose",
    "claim_targets",
    "depends_on_ranking",
    "describe_citation",
    "label",
    "listing",
    "score_candidate",
    "targets_found",
    "why_not",
]

WEIGHTS = {
    "journal": 2.0,
    "year": 2.0,
    "month": 1.0,
    "volume": 1.0,
    "pages": 1.0,
    "authors": 3.0,
    "title": 3.0,
    "affiliation": 1.0,
    "figures": 3.0,
    "wording": 2.0,
}
"""How much each kind of agreement counts in a candidate's score."""

ACCEPT = 0.5
"""Lowest score (weighted mean agreement, 0 to 1) a candidate may be taken at."""
MARGIN = 0.15
"""How far the chosen candidate must lead the runner-up; closer rivals make it ambiguous."""
AGREES = 0.5
"""A part at or above this agrees (figures: half the figures that count; wording: half)."""
TITLE_IDENTIFIES = 0.8
"""Title agreement at or above this identifies a paper on its own."""
WORDING_SPAN = 8
"""Finding this many of the quotes' content words in a paper is full wording agreement."""
SHOWN = 5
"""Close candidates named in a message at most."""
_SHOWN_AS = {"pages": "first page"}


# --- what the claims offer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A claim figure that scoring looks for in a candidate's title and abstract."""

    figure: Figure
    weight: float
    """1, or 0.5 for a small whole number ("six patients"), which most abstracts state."""


def _looks_like_year(figure: Figure) -> bool:
    return (
        not figure.percent
        and figure.decimals == 0
        and figure.upper is None
        and 1900 <= figure.value <= 2100
    )


def _is_small(figure: Figure) -> bool:
    return (
        not figure.percent and figure.decimals == 0 and figure.upper is None and figure.value < 10
    )


def _count_figure(value: int) -> Figure:
    """A rate's count or total as `figure.present` looks it up."""
    return Figure(text=str(value), value=float(value))


def claim_targets(claims: Iterable[Claim]) -> list[Target]:
    """The distinct figures of `claims` (rates included) that can identify a paper.

    Figures are told apart as `figure.present` tells them (value, range, percent, hedge).
    Years are left out (they date the citation, not the finding). Small whole numbers
    ("3 years", "six patients") count half: they turn up in most abstracts.
    """
    targets: dict[tuple[object, ...], Target] = {}
    for claim in claims:
        figures = list(claim.figures)
        for rate in claim.rates:
            figures += [_count_figure(rate.count), _count_figure(rate.total)]
            figures += [rate.percent] if rate.percent else []
        for fig in figures:
            key = (exact(fig), fig.upper, fig.percent, fig.hedge)
            if not _looks_like_year(fig) and key not in targets:
                targets[key] = Target(fig, weight=0.5 if _is_small(fig) else 1.0)
    return list(targets.values())


@dataclass(frozen=True)
class Evidence:
    """What a group of claims offers to recognise its paper by."""

    cite: Citation
    targets: tuple[Target, ...]
    stems: frozenset[str]
    """Distinct content stems of the quotes."""

    @classmethod
    def of(cls, cite: Citation, claims: Sequence[Claim]) -> Evidence:
        """The pooled evidence of `claims`, which all cite `cite`."""
        quotes = (without_names(claim.quote, cite) for claim in claims)
        stems = {s for quote in quotes for _, s in telling_words(quote)}
        return cls(cite, tuple(claim_targets(claims)), frozenset(stems))


# --- one candidate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """How well one candidate paper fits the evidence."""

    paper: Paper
    parts: dict[str, float]
    """Agreement per kind (see WEIGHTS), 0 to 1, for the kinds the evidence has."""
    figures_found: int = 0
    figures_total: int = 0

    @property
    def total(self) -> float:
        """Weighted mean agreement, 0 to 1."""
        weight = sum(WEIGHTS[k] for k in self.parts)
        return sum(WEIGHTS[k] * v for k, v in self.parts.items()) / weight if weight else 0.0

    def agrees(self, part: str) -> bool:
        """True when the evidence has `part` and the paper agrees with it."""
        return self.parts.get(part, 0.0) >= AGREES

    @property
    def identified(self) -> bool:
        """Enough to say which paper this is.

        By its title; by an author plus the journal or year, with the claims' figures or
        wording in the abstract; or by the claims' figures and wording together.
        """
        if self.parts.get("title", 0.0) >= TITLE_IDENTIFIES or self.located:
            return True
        content = self.agrees("figures") or self.agrees("wording")
        dated = self.agrees("journal") or self.agrees("year")
        if self.agrees("authors") and dated and content:
            return True
        return self.agrees("figures") and self.agrees("wording")

    @property
    def located(self) -> bool:
        """Journal, year, volume and first page all cited and all agree: a full citation
        names one paper, as ECitMatch reads it."""
        return all(self.agrees(k) for k in ("journal", "year", "volume", "pages"))

    @property
    def identified_by_content(self) -> bool:
        """Identified by what the paper says, not by who wrote it when: its title, or the
        claims' figures and wording together. A paper that would make the cited journal wrong
        must pass this: an author and a year fit too many namesakes' papers."""
        if self.parts.get("title", 0.0) >= TITLE_IDENTIFIES:
            return True
        return self.agrees("figures") and self.agrees("wording")

    @property
    def contradicted(self) -> bool:
        """A cited field flatly disagrees: journal, year (off by 2+), every author, title."""
        flat = ("journal", "year", "authors")
        if any(self.parts.get(k) == 0.0 for k in flat):
            return True
        return self.parts.get("title", 1.0) < 0.3

    def agreeing(self) -> list[str]:
        """What agrees, for messages: ["journal", "year", "4 of 6 figures", ...]."""
        names = ("journal", "year", "month", "volume", "pages", "authors", "title", "affiliation")
        agreeing = [_SHOWN_AS.get(k, k) for k in names if self.agrees(k)]
        if "figures" in self.parts and self.figures_found:
            plural = "s" if self.figures_total > 1 else ""
            agreeing.append(f"{self.figures_found} of {self.figures_total} figure{plural}")
        if self.agrees("wording"):
            agreeing.append("the quote's wording")
        return agreeing


def _cited_parts(cite: Citation, paper: Paper, with_journal: bool) -> dict[str, float]:
    """Agreement on each cited field the record speaks to; what PubMed lacks is left out.

    A year one off (an online date a year before print, a careless writer) half agrees.
    """
    parts: dict[str, float] = {}
    if cite.journal and with_journal:
        parts["journal"] = float(same_journal(cite.journal, paper))
    years = paper_years(paper)
    if cite.year is not None and years:
        near = any(abs(cite.year - y) == 1 for y in years)
        parts["year"] = 1.0 if cite.year in years else 0.5 if near else 0.0
    months = months_of(paper.print_date) | months_of(paper.electronic_date)
    if cite.month is not None and months:
        parts["month"] = float(cite.month in months)
    if cite.volume and paper.volume:
        parts["volume"] = float(same_volume(cite.volume, paper.volume, paper.issue))
    if cite.pages and paper.pages:
        parts["pages"] = float(first_page(cite.pages) == first_page(paper.pages))
    if cite.authors and paper.authors:
        parts["authors"] = sum(author_found(a, paper) for a in cite.authors) / len(cite.authors)
    if cite.title:
        parts["title"] = title_agreement(cite.title, paper.title)
    if cite.affiliation and has_affiliations(paper):
        parts["affiliation"] = float(affiliation_found(cite.affiliation, paper) is not None)
    return parts


def targets_found(targets: Sequence[Target], text: str) -> list[Target]:
    """The targets `text` states, as `figure.present` would find them there."""
    stated = source_figures(find_mentions(text))
    return [t for t in targets if find_figure(t.figure, stated) is not None]


def score_candidate(evidence: Evidence, paper: Paper, with_journal: bool = True) -> Score:
    """Score `paper` against the cited fields, the claims' figures and their wording.

    Figures: each distinct figure stated in the title or abstract (small whole numbers count
    half); finding two that count is full agreement. Wording: finding `WORDING_SPAN` of the
    quotes' content words (or all, if fewer) is full agreement.
    """
    parts = _cited_parts(evidence.cite, paper, with_journal)
    text = f"{paper.title}\n{paper.abstract}"
    found = total = 0
    if evidence.targets:
        hits = targets_found(evidence.targets, text)
        weight = sum(t.weight for t in evidence.targets)
        parts["figures"] = min(1.0, sum(t.weight for t in hits) / min(2.0, weight))
        found, total = len(hits), len(evidence.targets)
    if evidence.stems:
        shared = evidence.stems & set(content_stems(text))
        parts["wording"] = min(1.0, len(shared) / min(WORDING_SPAN, len(evidence.stems)))
    return Score(paper, parts, found, total)


# --- choosing among candidates -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The outcome of choosing among scored candidates: a paper, or why none."""

    best: Score | None
    rivals: tuple[Score, ...] = ()
    """Candidates within `MARGIN` of `best`."""

    @property
    def strong(self) -> bool:
        """True when `best` is identified, uncontradicted and scores at least `ACCEPT`."""
        best = self.best
        if best is None or best.contradicted:
            return False
        return best.identified and best.total >= ACCEPT

    @property
    def accepted(self) -> bool:
        """True when `best` may be taken: strong, and clearly ahead of every rival."""
        return self.strong and not self.rivals


def choose(scores: Sequence[Score]) -> Choice:
    """The best candidate that no cited field contradicts, and its rivals within `MARGIN`.

    Candidates with equal totals keep their order in `scores` (PubMed's ranking).
    """
    ranked = sorted(scores, key=lambda s: s.total, reverse=True)
    eligible = [s for s in ranked if not s.contradicted]
    if not eligible:
        return Choice(ranked[0] if ranked else None)
    best = eligible[0]
    return Choice(best, tuple(s for s in eligible[1:] if best.total - s.total < MARGIN))


def depends_on_ranking(scores: Sequence[Score]) -> bool:
    """True when the order of `scores` may change what `choose` and `why_not` say.

    An accepted candidate leads every other by `MARGIN`, so order cannot matter then.
    Otherwise `why_not` names the best candidate (and, when strong, up to five close ones)
    in order, and candidates with equal totals keep their order in `scores`: it matters when
    a named candidate ties with another that could take its place.
    """
    choice = choose(scores)
    if choice.accepted or choice.best is None:
        return False
    shown = (choice.best, *choice.rivals)[:SHOWN] if choice.strong else (choice.best,)
    pool = [s for s in scores if not s.contradicted] or list(scores)
    return any(o is not s and o.total == s.total for s in shown for o in pool)


# --- describing candidates and citations -------------------------------------------------------


def listing(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def label(paper: Paper) -> str:
    """ "PMID 28025837 (Headache 2017)"."""
    where = " ".join(x for x in (short_journal(paper), str(paper.year or "")) if x)
    return f"PMID {paper.pmid} ({where})" if where else f"PMID {paper.pmid}"


def describe_citation(cite: Citation) -> str:
    """The cited fields in one phrase: "Journal of Emergency Medicine 2019, Schwenk"."""
    head = " ".join(x for x in (cite.journal or "", str(cite.year or "")) if x)
    where = (cite.volume or "") + (f":{cite.pages}" if cite.pages else "")
    head += f";{where}" if head and where else where
    parts = [head] if head else []
    if cite.authors:
        parts.append(cite.authors[0] + (" et al." if len(cite.authors) > 1 else ""))
    if cite.title:
        parts.append(f'"{cite.title}"')
    if cite.affiliation:
        parts.append(cite.affiliation)
    return ", ".join(parts) or "the citation"


def why_not(choice: Choice) -> str:
    """Why `choice` was not accepted, naming the candidates."""
    best = choice.best
    if best is None:
        return "no candidate"
    if choice.strong:
        close = (best, *choice.rivals)
        listed = ", ".join(label(s.paper) for s in close[:SHOWN])
        more = f" and {len(close) - SHOWN} more" if len(close) > SHOWN else ""
        return f"{len(close)} candidates fit equally: {listed}{more}"
    agreeing = best.agreeing()
    verb = "agrees" if len(agreeing) == 1 else "agree"
    what = f"{listing(agreeing)} {verb}" if agreeing else "nothing agrees"
    return f"closest {label(best.paper)} fits weakly ({what})"
