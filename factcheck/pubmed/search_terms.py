"""What the resolver searches PubMed with, and which fetched records a search matches.

A `Query` is a PubMed search written as clauses ANDed together: a journal in its NLM forms
(`"Reg Anesth Pain Med"[ta]`), a year window (`2017:2019[dp]`), authors (`Schwenk[au]`),
title words (`ketamine*[ti]`), topic words from the quotes (`ketamine*[tiab]`), or an
identifier (`"10.1111/head.13013"[doi]`). Each clause can also tell, from a fetched record,
whether the record matches it (`Query.match`): that is how the hits of several searches sent
as one (`factcheck.pubmed.combined`) are given back to each. The answer is `Match.UNSURE`
when the record does not say enough to be sure how PubMed would treat it.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from factcheck.checks.citation import paper_years, stem
from factcheck.identifiers import normalise_doi, normalise_pmcid
from factcheck.journals import fold, normalise_journal, search_forms
from factcheck.models import Citation, Paper

TOPIC_WORDS = 3
"""Topic words taken from the quotes when the cited fields cannot narrow the search."""

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
_TOKEN = re.compile(r"[a-z0-9]+")


# --- the words of the claims ------------------------------------------------------------------


def telling_words(text: str) -> list[tuple[str, str]]:
    """(word, stem) for each word of `text` that may tell papers apart.

    Left out: generic words, adverbs ("-ly") and words under four letters.
    """
    telling = []
    for word in _LETTERS.findall(fold(text)):
        stemmed = stem(word)
        if len(word) >= 4 and not word.endswith("ly") and stemmed not in _GENERIC_STEMS:
            telling.append((word, stemmed))
    return telling


def without_names(text: str, cite: Citation) -> str:
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
        for word, stemmed in telling_words(without_names(quote, cite)):
            if word.endswith(("ed", "ing")):
                continue
            seen[stemmed] += 1
            longest[stemmed] = max(longest.get(stemmed, 0), len(word))
    # Counter keeps first-seen order, so sorted() breaks the remaining ties by position.
    return sorted(seen, key=lambda s: (-seen[s], -longest[s]))[:count]


# --- what a record offers to be searched by ---------------------------------------------------


class Match(enum.IntEnum):
    """Whether a record matches a search (ordered: AND takes the least, OR the most)."""

    NO = 0
    UNSURE = 1
    YES = 2


@dataclass(frozen=True)
class Searchable:
    """One record's searchable fields, folded the way PubMed's index compares them."""

    journals: frozenset[str]
    """Full title, ISO abbreviation and MedlineTA, each through `normalise_journal`."""
    years: frozenset[int]
    """Print and electronic publication years."""
    dates_certain: bool
    """False when a free-text date may span more years than the parser read."""
    authors: tuple[tuple[tuple[str, ...], str], ...]
    """(surname words, initials) of each author."""
    title: tuple[str, ...]
    title_abstract: tuple[str, ...]
    doi: str | None
    pmcid: str | None

    @classmethod
    def of(cls, paper: Paper) -> Searchable:
        """The searchable fields of `paper`."""
        names = (paper.journal_title, paper.journal_iso, paper.journal_medline_ta)
        dates = [d for d in (paper.print_date, paper.electronic_date) if d is not None]
        years = frozenset(paper_years(paper))
        written = {int(y) for d in dates for y in re.findall(r"\b(?:19|20)\d\d\b", d.text)}
        return cls(
            journals=frozenset(normalise_journal(n) for n in names if n),
            years=years,
            dates_certain=bool(years) and written <= years,
            authors=tuple((_tokens(a.last), fold(a.initials)) for a in paper.authors),
            title=_tokens(paper.title),
            title_abstract=_tokens(f"{paper.title} {paper.abstract}"),
            doi=normalise_doi(paper.doi) if paper.doi else None,
            pmcid=normalise_pmcid(paper.pmcid) if paper.pmcid else None,
        )


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(text)))


# --- clauses ----------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return '"' + text.replace('"', " ").strip() + '"'


def _any(terms: Sequence[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


class Clause(Protocol):
    """One part of a search: its PubMed term, and whether a record matches it."""

    @property
    def term(self) -> str:
        """The clause as PubMed search syntax."""

    def match(self, record: Searchable) -> Match:
        """Whether `record` matches the clause."""


@dataclass(frozen=True)
class JournalClause:
    """`"Reg Anesth Pain Med"[ta]`, or several forms ORed: the record's journal is one."""

    forms: tuple[str, ...]

    @property
    def term(self) -> str:
        return _any([f"{_quoted(form)}[ta]" for form in self.forms])

    def match(self, record: Searchable) -> Match:
        if not record.journals:
            return Match.UNSURE
        return Match.YES if self._normalised & record.journals else Match.NO

    @cached_property
    def _normalised(self) -> frozenset[str]:
        return frozenset(normalise_journal(form) for form in self.forms)


@dataclass(frozen=True)
class YearsClause:
    """`2017:2019[dp]`: the print or electronic date falls in the years."""

    first: int
    last: int

    @property
    def term(self) -> str:
        return f"{self.first}:{self.last}[dp]"

    def match(self, record: Searchable) -> Match:
        if any(self.first <= year <= self.last for year in record.years):
            return Match.YES
        return Match.NO if record.dates_certain else Match.UNSURE


@dataclass(frozen=True)
class AuthorClause:
    """`Schwenk[au]` or `"van der Berg"[au]`: an author has the surname (and initials)."""

    name: str

    @property
    def term(self) -> str:
        clean = self._clean()
        return f"{_quoted(clean)}[au]" if " " in clean else f"{clean}[au]"

    def match(self, record: Searchable) -> Match:
        words = _tokens(self._clean())
        for surname, initials in record.authors:
            if surname == words:
                return Match.YES
            if len(words) > 1 and surname == words[:-1] and initials.startswith(words[-1]):
                return Match.YES
        return Match.NO

    def _clean(self) -> str:
        return re.sub(r"[^\w\s-]", " ", self.name).strip()


@dataclass(frozen=True)
class WordClause:
    """`ketamin*[ti]` or `ketamin*[tiab]`: a word of the title (or abstract) begins so."""

    prefix: str
    field: str
    """"ti" (title) or "tiab" (title and abstract)."""

    @property
    def term(self) -> str:
        return f"{self.prefix}*[{self.field}]"

    def match(self, record: Searchable) -> Match:
        words = record.title if self.field == "ti" else record.title_abstract
        return Match.YES if any(w.startswith(self.prefix) for w in words) else Match.NO


@dataclass(frozen=True)
class AnyOfClause:
    """`(a OR b OR c)`: a record matches when it matches one of the clauses."""

    clauses: tuple[Clause, ...]

    @property
    def term(self) -> str:
        return _any([clause.term for clause in self.clauses])

    def match(self, record: Searchable) -> Match:
        return max(clause.match(record) for clause in self.clauses)


@dataclass(frozen=True)
class IdentifierClause:
    """`"10.1111/head.13013"[doi]` or `PMC4014022[pmc]`: the record has the identifier."""

    kind: str
    """"doi" or "pmc"."""
    value: str
    """Normalised (`normalise_doi` / `normalise_pmcid`)."""

    @property
    def term(self) -> str:
        return f"{_quoted(self.value)}[doi]" if self.kind == "doi" else f"{self.value}[pmc]"

    def match(self, record: Searchable) -> Match:
        theirs = record.doi if self.kind == "doi" else record.pmcid
        return Match.YES if theirs == self.value else Match.NO


# --- queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A PubMed search: clauses ANDed together."""

    clauses: tuple[Clause, ...]

    @cached_property
    def term(self) -> str:
        """The search as PubMed syntax."""
        return " AND ".join(clause.term for clause in self.clauses)

    @property
    def identifies(self) -> bool:
        """True for an identifier search (a DOI or PMCID), which names one record."""
        return any(isinstance(c, IdentifierClause) for c in self.clauses)

    @property
    def in_journal(self) -> bool:
        """True when the search is limited to a journal."""
        return any(isinstance(c, JournalClause) for c in self.clauses)

    @cached_property
    def phrases(self) -> frozenset[str]:
        """The quoted phrases of the search, casefolded (what PubMed may not know)."""
        return frozenset(p.casefold() for p in re.findall(r'"([^"]*)"', self.term))

    @cached_property
    def tags(self) -> frozenset[str]:
        """The field tags of the search (`ta`, `dp`, `au` …)."""
        return frozenset(t.casefold() for t in re.findall(r"\[(\w+)\]", self.term))

    @property
    def narrow(self) -> bool:
        """True when a journal, an author, a title or an identifier keeps the hits few."""
        kinds = (JournalClause, AuthorClause, IdentifierClause)
        return any(
            isinstance(c, kinds) or (isinstance(c, WordClause) and c.field == "ti")
            for c in self.clauses
        )

    def match(self, record: Searchable) -> Match:
        """Whether `record` matches every clause."""
        return min((clause.match(record) for clause in self.clauses), default=Match.UNSURE)


def fields_query(cite: Citation, quotes: Sequence[str], with_journal: bool) -> Query | None:
    """The PubMed search for a citation without identifiers, or None if it gives nothing.

    Journal in its NLM forms (`"Reg Anesth Pain Med"[ta]`); the year as a 3-year window
    (`2017:2019[dp]`) because an online date can precede the print year and writers are often
    a year off, and the scoring sorts the rest; authors (`Schwenk[au]`); the title's three
    most telling words (`[ti]`, truncated, as `topic_words` picks them). When neither a
    title nor authors with a year narrow it, topic words from the quotes (`ketamine*[tiab]`):
    any of them inside the cited journal, all of them across PubMed.
    """
    clauses: list[Clause] = []
    if with_journal and cite.journal:
        clauses.append(JournalClause(tuple(search_forms(cite.journal))))
    if cite.year is not None:
        clauses.append(YearsClause(cite.year - 1, cite.year + 1))
    clauses += [AuthorClause(name) for name in cite.authors]
    if cite.title:
        clauses += [WordClause(w, "ti") for w in topic_words([cite.title], Citation())]
    narrow = bool(cite.title) or (bool(cite.authors) and cite.year is not None)
    if not narrow:
        topic = tuple(WordClause(w, "tiab") for w in topic_words(quotes, cite))
        if topic and with_journal and cite.journal:
            clauses.append(AnyOfClause(topic))
        else:
            clauses += topic
    return Query(tuple(clauses)) if clauses else None


def doi_query(doi: str) -> Query:
    """The search for a DOI (`"10.1111/head.13013"[doi]`)."""
    return Query((IdentifierClause("doi", normalise_doi(doi)),))


def pmcid_query(pmcid: str) -> Query:
    """The search for a PMCID (`PMC4014022[pmc]`)."""
    return Query((IdentifierClause("pmc", normalise_pmcid(pmcid)),))
