"""Find each claim's cited paper in PubMed (CONTRACT §7).

Claims that cite the same thing (identical `cite:` fields) are resolved together, pooling
their quotes and figures: the article says it is one source, and every sentence about it is
evidence for which paper that is. Each group tries, in order:

1. its PMID (fetched), DOI (`"doi"[doi]`) or PMCID (`PMC…[pmc]`), accepting a search hit only
   when the record's own DOI / PMCID is the cited one;
2. a search built from the cited fields (journal in its NLM forms, a year window, authors,
   title words, and topic words from the quotes when those fields cannot narrow the search);
3. when a journal was cited and step 2 found no strong candidate, the same search without
   the journal: one strong candidate elsewhere is reported as a `cite.journal` mismatch.

Work runs in rounds: every group's next search is sent (identical searches once), then one
`fetch` takes every PMID the round needs. A typical claims file costs two fetches.

Candidates are scored (`score_candidate`) and one is taken only when it is identified, not
contradicted, strong and clearly ahead of the runner-up (`choose`); otherwise the claim is
unverifiable and the finding names the candidates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from factcheck.checks.citation import (
    affiliation_found,
    author_found,
    content_stems,
    fold,
    has_affiliations,
    months_of,
    normalise_doi,
    normalise_pmcid,
    paper_kind,
    paper_years,
    stem,
    title_agreement,
)
from factcheck.errors import PubMedError, PubMedUnavailable
from factcheck.journals import same_journal, search_forms, short_journal
from factcheck.models import (
    Citation,
    Claim,
    Figure,
    Finding,
    Paper,
    Resolution,
    Status,
    worst,
)

CANDIDATES = 20
"""Search hits fetched and scored per search (PubMed's relevance order)."""

WEIGHTS = {
    "journal": 2.0,
    "year": 2.0,
    "month": 1.0,
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
TOPIC_WORDS = 3
"""Topic words taken from the quotes when the cited fields cannot narrow the search."""
WORDING_SPAN = 8
"""Finding this many of the quotes' content words in a paper is full wording agreement."""

Progress = Callable[[int, int], None]


class SearchHits(Protocol):
    """What a PubMed search answers (the shape of `factcheck.pubmed.parse.SearchResult`)."""

    @property
    def ids(self) -> tuple[str, ...]:
        """The PMIDs found, best first."""

    @property
    def count(self) -> int:
        """How many records matched in all."""

    @property
    def phrases_not_found(self) -> tuple[str, ...]:
        """Search phrases PubMed did not know (and silently dropped)."""

    @property
    def fields_not_found(self) -> tuple[str, ...]:
        """Search field tags PubMed did not know (and silently dropped)."""


class PubMedSource(Protocol):
    """Where papers come from: `factcheck.pubmed.client.EutilsClient`, or a fake in tests."""

    def search(self, term: str, retmax: int = 20) -> SearchHits:
        """Search PubMed for `term`; raise PubMedUnavailable when it cannot be reached."""

    def fetch(self, pmids: Sequence[str]) -> Mapping[str, Paper]:
        """The records of `pmids` that exist, keyed by PMID."""


# --- words and numbers of the claims ---------------------------------------------------------

GENERIC_WORDS = frozenset(
    """
    about according administration after again against also among analysis another around
    associated based because been before being between both came case consider current data
    december demonstrate does done during each edition effect effective either even evidence
    experience explore feature finding first following found from further general given group
    have having here high highlight however hold impressive indicate individual instance
    involve journal just known large later least less like likely made main many mark may
    might more most much must near nearly notably often only other over part participant
    patient people percent potential present provide rate receive recent report research
    respond result reveal review same several should show shown since some studied study such
    studies suffer temporary than that their them then there these they this those though
    through thus time total treatment under undertake underwent undergo until upon used using
    very were what when where which while whom whose will with within without would
    minute hour week month year
    january february march april june july august september october november
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion
    """.split()
)
"""Words too common in health writing to tell papers apart (and month, unit and number
words). Compared by stem, so "patient" also stands for "patients"."""

_GENERIC_STEMS = frozenset(stem(word) for word in GENERIC_WORDS)
_LETTERS = re.compile(r"[a-z]+")


def _telling_words(text: str) -> list[tuple[str, str]]:
    """(word, stem) for each word of `text` that may tell papers apart.

    Left out: generic words, adverbs ("-ly") and words under four letters.
    """
    telling = []
    for word in _LETTERS.findall(fold(text)):
        stemmed = stem(word)
        if len(word) >= 4 and not word.endswith("ly") and stemmed not in _GENERIC_STEMS:
            telling.append((word, stemmed))
    return telling


def _without_names(text: str, cite: Citation) -> str:
    """`text` with the cited journal, institution and authors cut out.

    "featured in the Journal of Emergency Medicine" names the citation, not the topic; the
    same words elsewhere in the quote still count.
    """
    for name in (cite.journal, cite.affiliation, *cite.authors):
        words = [w for w in re.findall(r"\w+", name or "") if w.casefold() not in ("and", "the")]
        if words:
            joined = r"\W+(?:(?:and|the)\W+)*".join(map(re.escape, words))
            text = re.sub(rf"\b{joined}\b", " ", text, flags=re.IGNORECASE)
    return text


def topic_words(quotes: Iterable[str], cite: Citation, count: int = TOPIC_WORDS) -> list[str]:
    """The quotes' `count` most telling words, as stems: most repeated first, then longest.

    Verb forms ("-ed", "-ing") are left out: topics are nouns and adjectives. Longer words
    tend to be the specific ones ("subanesthetic", "refractory").
    """
    seen: Counter[str] = Counter()
    longest: dict[str, int] = {}
    for quote in quotes:
        for word, stemmed in _telling_words(_without_names(quote, cite)):
            if word.endswith(("ed", "ing")):
                continue
            seen[stemmed] += 1
            longest[stemmed] = max(longest.get(stemmed, 0), len(word))
    # Counter keeps first-seen order, so sorted() breaks the remaining ties by position.
    return sorted(seen, key=lambda s: (-seen[s], -longest[s]))[:count]


_SPELLED = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * value
    for value, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|percent\b)?"
    r"|\b(" + "|".join(_TENS) + r")(?:[\s-](" + "|".join(list(_SPELLED)[1:10]) + r"))?\b"
    r"|\b(" + "|".join(_SPELLED) + r")\b",
    re.IGNORECASE,
)


def stated_numbers(text: str) -> set[tuple[float, bool]]:
    """(value, is_percent) for each number `text` states, in digits or simple words.

    A tiny scan for scoring candidates: "Forty-eight (77%) of the 61" gives 48, 77% and 61.
    """
    found: set[tuple[float, bool]] = set()
    for match in _NUMBER.finditer(text):
        digits, percent, tens, unit, word = match.groups()
        if digits:
            found.add((float(digits.replace(",", "")), bool(percent)))
        elif tens:
            value = _TENS[tens.casefold()] + (_SPELLED[unit.casefold()] if unit else 0)
            found.add((float(value), False))
        else:
            found.add((float(_SPELLED[word.casefold()]), False))
    return found


@dataclass(frozen=True)
class Target:
    """A claim figure as scoring looks for it."""

    value: float
    decimals: int
    percent: bool
    upper: float | None
    weight: float


def _looks_like_year(figure: Figure) -> bool:
    return (
        not figure.percent
        and figure.decimals == 0
        and figure.upper is None
        and 1900 <= figure.value <= 2100
    )


def claim_targets(claims: Iterable[Claim]) -> list[Target]:
    """The distinct figures of `claims` (rates included) that can identify a paper.

    Years are left out (they date the citation, not the finding). Small whole numbers
    ("3 years", "six patients") count half: they turn up in most abstracts.
    """
    targets: dict[tuple[float, int, bool, float | None], Target] = {}
    for claim in claims:
        figures = list(claim.figures)
        for rate in claim.rates:
            figures += [Figure(str(rate.count), rate.count), Figure(str(rate.total), rate.total)]
            figures += [rate.percent] if rate.percent else []
        for fig in figures:
            if _looks_like_year(fig):
                continue
            small = not fig.percent and fig.decimals == 0 and fig.upper is None and fig.value < 10
            key = (fig.value, fig.decimals, fig.percent, fig.upper)
            targets[key] = Target(*key, weight=0.5 if small else 1.0)
    return list(targets.values())


def _found(target: Target, numbers: set[tuple[float, bool]]) -> bool:
    def stated(value: float) -> bool:
        return any(
            pct == target.percent and abs(round(n, target.decimals) - value) < 1e-9
            for n, pct in numbers
        )

    return stated(target.value) and (target.upper is None or stated(target.upper))


# --- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a group of claims offers to recognise its paper by."""

    cite: Citation
    targets: tuple[Target, ...]
    stems: frozenset[str]
    """Distinct content stems of the quotes."""


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
        if self.parts.get("title", 0.0) >= TITLE_IDENTIFIES:
            return True
        content = self.agrees("figures") or self.agrees("wording")
        dated = self.agrees("journal") or self.agrees("year")
        if self.agrees("authors") and dated and content:
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
        names = ("journal", "year", "month", "authors", "title", "affiliation")
        agreeing = [k for k in names if self.agrees(k)]
        if "figures" in self.parts and self.figures_found:
            plural = "s" if self.figures_total > 1 else ""
            agreeing.append(f"{self.figures_found} of {self.figures_total} figure{plural}")
        if self.agrees("wording"):
            agreeing.append("the quote's wording")
        return agreeing


def _listing(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


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
    if cite.authors and paper.authors:
        parts["authors"] = sum(author_found(a, paper) for a in cite.authors) / len(cite.authors)
    if cite.title:
        parts["title"] = title_agreement(cite.title, paper.title)
    if cite.affiliation and has_affiliations(paper):
        parts["affiliation"] = float(affiliation_found(cite.affiliation, paper) is not None)
    return parts


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
        numbers = stated_numbers(text)
        hits = [t for t in evidence.targets if _found(t, numbers)]
        weight = sum(t.weight for t in evidence.targets)
        parts["figures"] = min(1.0, sum(t.weight for t in hits) / min(2.0, weight))
        found, total = len(hits), len(evidence.targets)
    if evidence.stems:
        shared = evidence.stems & set(content_stems(text))
        parts["wording"] = min(1.0, len(shared) / min(WORDING_SPAN, len(evidence.stems)))
    return Score(paper, parts, found, total)


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
    """The best candidate that no cited field contradicts, and its rivals within `MARGIN`."""
    ranked = sorted(scores, key=lambda s: s.total, reverse=True)
    eligible = [s for s in ranked if not s.contradicted]
    if not eligible:
        return Choice(ranked[0] if ranked else None)
    best = eligible[0]
    return Choice(best, tuple(s for s in eligible[1:] if best.total - s.total < MARGIN))


# --- describing papers and citations ----------------------------------------------------------


def _label(paper: Paper) -> str:
    """ "PMID 28025837 (Headache 2017)"."""
    where = " ".join(x for x in (short_journal(paper), str(paper.year or "")) if x)
    return f"PMID {paper.pmid} ({where})" if where else f"PMID {paper.pmid}"


def describe_citation(cite: Citation) -> str:
    """The cited fields in one phrase: "Journal of Emergency Medicine 2019, Schwenk"."""
    head = " ".join(x for x in (cite.journal or "", str(cite.year or "")) if x)
    parts = [head] if head else []
    if cite.authors:
        parts.append(cite.authors[0] + (" et al." if len(cite.authors) > 1 else ""))
    if cite.title:
        parts.append(f'"{cite.title}"')
    if cite.affiliation:
        parts.append(cite.affiliation)
    return ", ".join(parts) or "the citation"


def _why_not(choice: Choice) -> str:
    """Why `choice` was not accepted, naming the candidates."""
    best = choice.best
    if best is None:
        return "no candidate"
    if choice.strong:
        close = (best, *choice.rivals)
        listed = ", ".join(_label(s.paper) for s in close[:5])
        more = f" and {len(close) - 5} more" if len(close) > 5 else ""
        return f"{len(close)} candidates fit equally: {listed}{more}"
    agreeing = best.agreeing()
    verb = "agrees" if len(agreeing) == 1 else "agree"
    what = f"{_listing(agreeing)} {verb}" if agreeing else "nothing agrees"
    return f"closest {_label(best.paper)} fits weakly ({what})"


# --- queries -----------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return '"' + text.replace('"', " ").strip() + '"'


def _author_term(name: str) -> str:
    clean = re.sub(r"[^\w\s-]", " ", name).strip()
    return f"{_quoted(clean)}[au]" if " " in clean else f"{clean}[au]"


def _any(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def field_query(cite: Citation, quotes: Sequence[str], with_journal: bool) -> str | None:
    """The PubMed search for a citation without identifiers, or None if it gives nothing.

    Journal in its NLM forms (`"Reg Anesth Pain Med"[ta]`); the year as a 3-year window
    (`2017:2019[dp]`) because an online date can precede the print year and writers are often
    a year off, and the scoring sorts the rest; authors (`Schwenk[au]`); the title's three
    most telling words (`[ti]`, truncated, as `topic_words` picks them). When neither a
    title nor authors with a year narrow it, topic words from the quotes (`ketamine*[tiab]`):
    any of them inside the cited journal, all of them across PubMed.
    """
    parts: list[str] = []
    if with_journal and cite.journal:
        parts.append(_any([f"{_quoted(f)}[ta]" for f in search_forms(cite.journal)]))
    if cite.year is not None:
        parts.append(f"{cite.year - 1}:{cite.year + 1}[dp]")
    parts += [_author_term(name) for name in cite.authors]
    if cite.title:
        parts += [f"{w}*[ti]" for w in topic_words([cite.title], Citation())]
    narrow = bool(cite.title) or (bool(cite.authors) and cite.year is not None)
    if not narrow:
        topic = [f"{w}*[tiab]" for w in topic_words(quotes, cite)]
        if topic:
            parts.append(_any(topic) if with_journal and cite.journal else " AND ".join(topic))
    return " AND ".join(parts) if parts else None


# --- the resolution of one group of claims ----------------------------------------------------


@dataclass(frozen=True)
class _Attempt:
    """One way of finding a group's paper: fetch a PMID, or run a search and judge its hits."""

    how: str
    """"pmid", "doi", "pmcid", "fields" (with the journal, if cited) or "elsewhere"."""
    term: str | None = None
    pmid: str | None = None


@dataclass
class _Group:
    """Claims that cite the same thing, and how far their resolution has got."""

    cite: Citation
    claims: list[Claim]
    attempts: list[_Attempt]
    misses: list[tuple[Status, str]] = field(default_factory=list)
    outcome: Resolution | None = None

    @property
    def attempt(self) -> _Attempt:
        """The attempt of the current round."""
        return self.attempts[len(self.misses)]

    def evidence(self) -> Evidence:
        """The group's pooled evidence."""
        quotes = (_without_names(claim.quote, self.cite) for claim in self.claims)
        stems = {s for quote in quotes for _, s in _telling_words(quote)}
        return Evidence(self.cite, tuple(claim_targets(self.claims)), frozenset(stems))

    def miss(self, status: Status, message: str) -> None:
        """Record a failed attempt; settle the group when none is left."""
        self.misses.append((status, message))
        if len(self.misses) == len(self.attempts):
            status = worst(s for s, _ in self.misses)
            text = "; ".join(dict.fromkeys(m for _, m in self.misses))
            self.settle(None, [Finding("source.resolve", status, text)])

    def settle(self, paper: Paper | None, findings: list[Finding]) -> None:
        """Fix the group's resolution."""
        self.outcome = Resolution(paper, tuple(findings))

    def found(self, paper: Paper, how: str, extra: Sequence[Finding] = ()) -> None:
        """Settle on `paper`, noting earlier failed attempts after `how`."""
        notes = [m for _, m in self.misses]
        message = "; ".join([how, *notes])
        self.settle(paper, [Finding("source.resolve", Status.VERIFIED, message), *extra])


def _group_key(cite: Citation) -> Citation:
    return replace(cite, lines=())


def _attempts(cite: Citation, quotes: Sequence[str]) -> list[_Attempt]:
    attempts = []
    if cite.pmid:
        attempts.append(_Attempt("pmid", pmid=cite.pmid.strip()))
    if cite.doi:
        attempts.append(_Attempt("doi", term=f"{_quoted(normalise_doi(cite.doi))}[doi]"))
    if cite.pmcid:
        attempts.append(_Attempt("pmcid", term=f"{normalise_pmcid(cite.pmcid)}[pmc]"))
    if not (cite.journal or cite.year or cite.authors or cite.title or cite.affiliation):
        return attempts
    term = field_query(cite, quotes, with_journal=True)
    if term is not None:
        attempts.append(_Attempt("fields", term=term))
    elsewhere = field_query(cite, quotes, with_journal=False) if cite.journal else None
    if elsewhere is not None and elsewhere != term:
        attempts.append(_Attempt("elsewhere", term=elsewhere))
    return attempts


def _groups(claims: Sequence[Claim]) -> list[_Group]:
    by_cite: dict[Citation, list[Claim]] = {}
    for claim in claims:
        if claim.cite is not None:
            by_cite.setdefault(_group_key(claim.cite), []).append(claim)
    groups = []
    for cite, members in by_cite.items():
        group = _Group(cite, members, _attempts(cite, [c.quote for c in members]))
        if not group.attempts:
            message = "the citation gives nothing to search PubMed with"
            group.settle(None, [Finding("source.resolve", Status.UNVERIFIABLE, message)])
        groups.append(group)
    return groups


def _judge(
    group: _Group, hits: SearchHits | PubMedError | None, papers: Mapping[str, Paper]
) -> None:
    """Settle `group` from its current attempt's results, or record the miss."""
    attempt = group.attempt
    if attempt.how == "pmid":
        assert attempt.pmid is not None
        paper = papers.get(attempt.pmid)
        if paper is None:
            group.miss(Status.MISMATCH, f"no PubMed record {attempt.pmid}")
        else:
            group.found(paper, f"found by PMID {attempt.pmid}")
        return
    if isinstance(hits, PubMedError):
        group.miss(Status.UNVERIFIABLE, f"PubMed search failed: {hits}")
        return
    assert hits is not None
    candidates = [papers[i] for i in hits.ids[:CANDIDATES] if i in papers]
    if attempt.how in ("doi", "pmcid"):
        _judge_identifier(group, attempt.how, hits, candidates)
    else:
        _judge_fields(group, attempt.how == "fields", hits, candidates)


def _judge_identifier(group: _Group, how: str, hits: SearchHits, candidates: list[Paper]) -> None:
    cite = group.cite
    if how == "doi":
        assert cite.doi is not None
        label, wanted = "DOI", normalise_doi(cite.doi)
        ids = [(p, normalise_doi(p.doi) if p.doi else None) for p in candidates]
    else:
        assert cite.pmcid is not None
        label, wanted = "PMCID", normalise_pmcid(cite.pmcid)
        ids = [(p, normalise_pmcid(p.pmcid) if p.pmcid else None) for p in candidates]
    for paper, theirs in ids:
        if theirs == wanted:
            group.found(paper, f"found by {label} {wanted}")
            return
    if not ids or hits.phrases_not_found or hits.fields_not_found:
        group.miss(Status.UNVERIFIABLE, f"no PubMed record has {label} {wanted}")
        return
    other = ", ".join(f"PMID {p.pmid} has {theirs or 'none'}" for p, theirs in ids[:3])
    group.miss(Status.UNVERIFIABLE, f"{label} {wanted} not confirmed: {other}")


def _judge_fields(
    group: _Group, with_journal: bool, hits: SearchHits, candidates: list[Paper]
) -> None:
    cite = group.cite
    inside = with_journal and bool(cite.journal)
    if cite.journal and not with_journal:
        # the cited journal's papers were judged already: look at the other journals
        candidates = [p for p in candidates if not same_journal(cite.journal, p)]
    if inside and hits.phrases_not_found:
        group.miss(Status.UNVERIFIABLE, f"PubMed does not know the journal {cite.journal!r}")
        return
    if not candidates:
        group.miss(Status.UNVERIFIABLE, _nothing_matches(cite, with_journal))
        return
    evidence = group.evidence()
    choice = choose([score_candidate(evidence, p, with_journal) for p in candidates])
    if not choice.accepted:
        where = (
            f"in {cite.journal}: " if inside else "without the journal: " if cite.journal else ""
        )
        group.miss(Status.UNVERIFIABLE, where + _why_not(choice))
        return
    assert choice.best is not None
    best = choice.best
    if with_journal or not cite.journal:
        group.found(best.paper, f"PMID {best.paper.pmid} matches {_listing(best.agreeing())}")
        return
    _found_elsewhere(group, best)


def _nothing_matches(cite: Citation, with_journal: bool) -> str:
    if with_journal or not cite.journal:
        return f"no PubMed record matches {describe_citation(cite)}"
    return "without the journal: no match either"


def _found_elsewhere(group: _Group, best: Score) -> None:
    """Settle on a paper found without the cited journal: a cite.journal mismatch."""
    paper, cited = best.paper, group.cite.journal or ""
    where = f"{short_journal(paper)} ({paper.year})" if paper.year else short_journal(paper)
    message = f"cited as {cited}; this {paper_kind(paper)} is in {where}, PMID {paper.pmid}"
    journal = Finding("cite.journal", Status.MISMATCH, message, cited, short_journal(paper))
    how = f"found without the journal: PMID {paper.pmid} matches {_listing(best.agreeing())}"
    group.found(paper, how, [journal])


# --- the rounds --------------------------------------------------------------------------------


@dataclass
class _Session:
    """One resolution run: the source, and every answer it gave (each asked once)."""

    source: PubMedSource
    searches: dict[str, SearchHits | PubMedError] = field(default_factory=dict)
    papers: dict[str, Paper] = field(default_factory=dict)
    fetched: set[str] = field(default_factory=set)

    def run_round(self, groups: list[_Group]) -> None:
        """Send every pending group's current search, fetch what they need, judge them."""
        for term in dict.fromkeys(g.attempt.term for g in groups if g.attempt.term):
            if term not in self.searches:
                self.searches[term] = self._search(term)
        wanted = [pmid for g in groups for pmid in self._needs(g)]
        missing = [p for p in dict.fromkeys(wanted) if p not in self.fetched]
        if missing:
            try:
                self.papers.update(self.source.fetch(missing))
            except PubMedUnavailable:
                raise
            except PubMedError as exc:
                for group in groups:
                    message = f"PubMed could not answer: {exc}"
                    group.settle(None, [Finding("source.resolve", Status.UNVERIFIABLE, message)])
                return
            self.fetched.update(missing)
        for group in groups:
            asked = group.attempt.term
            _judge(group, self.searches[asked] if asked else None, self.papers)

    def _search(self, term: str) -> SearchHits | PubMedError:
        try:
            return self.source.search(term, retmax=CANDIDATES)
        except PubMedUnavailable:
            raise
        except PubMedError as exc:
            return exc

    def _needs(self, group: _Group) -> list[str]:
        attempt = group.attempt
        if attempt.pmid is not None:
            return [attempt.pmid]
        hits = self.searches.get(attempt.term or "")
        return [] if hits is None or isinstance(hits, PubMedError) else list(hits.ids[:CANDIDATES])


def resolve_sources(
    claims: Sequence[Claim],
    source: PubMedSource,
    on_progress: Progress | None = None,
) -> dict[str, Resolution]:
    """Find the paper each claim cites; claims without `cite` are left out of the result.

    `on_progress(done, total)` hears how many claims are settled. If PubMed becomes
    unreachable, the claims settled so far keep their resolution and the rest are
    unverifiable ("PubMed unreachable: ...").
    """
    groups = _groups(claims)
    total = sum(len(g.claims) for g in groups)
    session = _Session(source)
    _report(groups, total, on_progress)
    try:
        while pending := [g for g in groups if g.outcome is None]:
            session.run_round(pending)
            _report(groups, total, on_progress)
    except PubMedUnavailable as exc:
        for group in groups:
            if group.outcome is None:
                message = f"PubMed unreachable: {exc}"
                group.settle(None, [Finding("source.resolve", Status.UNVERIFIABLE, message)])
    return {claim.id: _for_claim(claim, g) for g in groups for claim in g.claims}


def _report(groups: list[_Group], total: int, on_progress: Progress | None) -> None:
    if on_progress is not None:
        on_progress(sum(len(g.claims) for g in groups if g.outcome is not None), total)


def _for_claim(claim: Claim, group: _Group) -> Resolution:
    """The group's resolution, with findings on cited fields pointing at this claim's lines."""
    assert group.outcome is not None and claim.cite is not None
    cite = claim.cite
    findings = tuple(
        replace(f, line=cite.line_of(f.check.removeprefix("cite.")))
        if f.check.startswith("cite.")
        else f
        for f in group.outcome.findings
    )
    return Resolution(group.outcome.paper, findings)
