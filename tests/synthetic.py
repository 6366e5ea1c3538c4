"""A seeded synthetic PubMed corpus and claims that cite it (for tests and bench/).

`make_corpus(n, seed)` invents `n` papers: journals, years, authors, titles, abstracts and
figures drawn from small pools, so that journals, years and surnames are shared and a
search from cited fields often has several hits (records of other citations among them).
Each paper has a PubMed EFetch `<PubmedArticle>` (`SyntheticPaper.xml`) for the stand-in
E-utilities, and `cite()` writes a claim citing it in one of several styles. `claims_yaml`
turns claims into a claims file, read by factcheck's real loader and number reader.

Everything is fictional: PMIDs 70000001 and up, DOIs under 10.5555/, invented journals.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape
from typing import Any

import yaml

FIRST_PMID = 70_000_001

_JOURNAL_KINDS = (
    ("Journal of", "J"),
    ("Annals of", "Ann"),
    ("Archives of", "Arch"),
    ("Reviews in", "Rev"),
    ("International Journal of", "Int J"),
    ("Bulletin of", "Bull"),
)
_FIELDS = (
    ("Vascular Nephrology", "Vasc Nephrol"),
    ("Pediatric Dermatology", "Pediatr Dermatol"),
    ("Clinical Hepatology", "Clin Hepatol"),
    ("Sleep Medicine Research", "Sleep Med Res"),
    ("Geriatric Psychiatry", "Geriatr Psychiatry"),
    ("Orthopaedic Rehabilitation", "Orthop Rehabil"),
    ("Respiratory Therapeutics", "Respir Ther"),
    ("Tropical Infectious Disease", "Trop Infect Dis"),
    ("Perioperative Anesthesia", "Perioper Anesth"),
    ("Endocrine Practice Studies", "Endocr Pract Stud"),
    ("Ocular Pharmacology", "Ocul Pharmacol"),
    ("Cardiac Imaging", "Card Imaging"),
)
_DRUGS = """
    zelmoxetine varonidine talbucaine quorafenib minzolast peltaxime doravimod sulfenacet
    brimotapine lurafexin cendravir tovaplatin rexolimab haluprozine venocortide fimbrazole
    gastrenone obrelidine parvastatin xentrogel kavimustine lenticamab oxyfurmide teprazolin
""".split()
_CONDITIONS = (
    "chronic pruritus",
    "nocturnal enuresis",
    "renal colic",
    "plaque psoriasis",
    "tension headache",
    "frozen shoulder",
    "acute bronchiolitis",
    "restless legs",
    "dengue fever",
    "postoperative delirium",
    "thyroid nodules",
    "macular oedema",
    "atrial flutter",
    "gout flares",
    "alopecia areata",
    "tinnitus",
)
_DESIGNS = (
    "a randomized controlled trial",
    "a retrospective cohort",
    "a prospective case series",
    "an open-label pilot study",
    "a crossover trial",
)
_SYLLABLES_A = "Bar Kel Mor Tan Vis Hol Dra Pen Sor Lin Fau Grim Ost Wen Ral Cza".split()
_SYLLABLES_B = "den sson ard ini ova ek mann quist ley ton".split()
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


@dataclass(frozen=True)
class SyntheticPaper:
    """One invented paper: its facts, and how PubMed's EFetch would return it."""

    pmid: str
    doi: str
    pmcid: str | None
    journal: str
    journal_abbreviation: str
    year: int
    month: int
    authors: tuple[tuple[str, str], ...]
    """(surname, initials), first author first."""
    drug: str
    condition: str
    title: str
    enrolled: int
    responders: int
    weeks: int
    pages: str = ""

    @property
    def volume(self) -> str:
        """The journal volume: one a year."""
        return str(self.year - 1990)

    @property
    def percent(self) -> int:
        """The response rate as the abstract states it (rounded, so the arithmetic holds)."""
        return round(100 * self.responders / self.enrolled)

    @property
    def abstract(self) -> str:
        """The abstract, stating the paper's figures."""
        return (
            f"BACKGROUND: Few treatments help {self.condition}. METHODS: We enrolled "
            f"{self.enrolled} patients with {self.condition} and gave them {self.drug} for "
            f"{self.weeks} weeks. RESULTS: {self.responders} of {self.enrolled} patients "
            f"({self.percent}%) responded to {self.drug}. CONCLUSIONS: {self.drug.title()} "
            f"may help patients with {self.condition}."
        )

    @property
    def xml(self) -> str:
        """The record as a `<PubmedArticle>` element."""
        authors = "".join(
            f"<Author ValidYN='Y'><LastName>{last}</LastName><Initials>{initials}</Initials>"
            "</Author>"
            for last, initials in self.authors
        )
        pmc = f'<ArticleId IdType="pmc">{self.pmcid}</ArticleId>' if self.pmcid else ""
        pages = f"<MedlinePgn>{self.pages}</MedlinePgn>" if self.pages else ""
        pagination = f"<Pagination>{pages}</Pagination>" if pages else ""
        return (
            "<PubmedArticle><MedlineCitation Status='MEDLINE' Owner='NLM'>"
            f"<PMID Version='1'>{self.pmid}</PMID><Article PubModel='Print'><Journal>"
            f"<JournalIssue CitedMedium='Print'><Volume>{self.volume}</Volume>"
            f"<PubDate><Year>{self.year}</Year><Month>{_MONTHS[self.month - 1]}</Month>"
            f"</PubDate></JournalIssue><Title>{escape(self.journal)}</Title>"
            f"<ISOAbbreviation>{escape(self.journal_abbreviation)}</ISOAbbreviation></Journal>"
            f"<ArticleTitle>{escape(self.title)}</ArticleTitle>{pagination}"
            f"<Abstract><AbstractText>{escape(self.abstract)}</AbstractText></Abstract>"
            f"<AuthorList CompleteYN='Y'>{authors}</AuthorList>"
            "<PublicationTypeList><PublicationType UI='D016428'>Journal Article"
            "</PublicationType></PublicationTypeList></Article><MedlineJournalInfo>"
            f"<MedlineTA>{escape(self.journal_abbreviation)}</MedlineTA></MedlineJournalInfo>"
            "</MedlineCitation><PubmedData><ArticleIdList>"
            f'<ArticleId IdType="pubmed">{self.pmid}</ArticleId>'
            f'<ArticleId IdType="doi">{self.doi}</ArticleId>{pmc}'
            "</ArticleIdList></PubmedData></PubmedArticle>"
        )

    def cite(self, style: str, number: int = 0, variant: int | None = None) -> dict[str, Any]:
        """A claim (as claims-file YAML data) citing this paper in `style`.

        `number` makes the claim's id; `variant` picks one of three quotes (default: `number`).

        Styles: "pmid", "doi", "pmcid" (identifiers); "fields" (journal, year, first
        author); "journal-year"; "journal" (journal only); "title"; "author-year";
        "wrong-journal" (a journal of another paper, with year and author); "volume-page"
        (journal, year, volume and pages: what ECitMatch takes).
        """
        first = self.authors[0][0]
        styles: dict[str, dict[str, Any]] = {
            "pmid": {"pmid": self.pmid},
            "doi": {"doi": self.doi},
            "pmcid": {"pmcid": self.pmcid},
            "fields": {"journal": self.journal, "year": self.year, "authors": [first]},
            "journal-year": {"journal": self.journal, "year": self.year},
            "journal": {"journal": self.journal},
            "title": {"title": self.title},
            "author-year": {"authors": [first], "year": self.year},
            "volume-page": {
                "journal": self.journal,
                "year": self.year,
                "volume": self.volume,
                "pages": self.pages,
            },
            "wrong-journal": {
                "journal": _other_journal(self.journal),
                "year": self.year,
                "authors": [first],
            },
        }
        cited = styles[style]
        quote = self._quote(number if variant is None else variant)
        return {"id": f"p{self.pmid}-{style}-{number}", "quote": quote, "cite": cited}

    def _quote(self, number: int) -> str:
        if number % 3 == 1:
            return (
                f"Treatment with {self.drug} lasted {_words(self.weeks)} weeks in people "
                f"with {self.condition}."
            )
        if number % 3 == 2:
            return f"About {self.percent}% of patients with {self.condition} improved."
        return (
            f"A study of {_words(self.enrolled)} patients with {self.condition} found that "
            f"{self.responders} of {self.enrolled} responded to {self.drug} "
            f"({self.percent}%)."
        )


def _words(number: int) -> str:
    """A whole number under 100 in words ("forty-eight"), as health writing states it."""
    if number < 20:
        return _ONES[number]
    tens, ones = divmod(number, 10)
    return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")


def _journals() -> list[tuple[str, str]]:
    return [
        (f"{kind} {name}", f"{abbr} {short}")
        for kind, abbr in _JOURNAL_KINDS
        for name, short in _FIELDS
    ]


def _other_journal(journal: str) -> str:
    names = [name for name, _ in _journals()]
    return names[(names.index(journal) + 1) % len(names)]


def _surnames(rng: random.Random) -> list[str]:
    names = [a + b for a in _SYLLABLES_A for b in _SYLLABLES_B]
    rng.shuffle(names)
    return names


def make_corpus(count: int = 300, seed: int = 6, journals: int = 24) -> list[SyntheticPaper]:
    """`count` distinct papers over `journals` journals (seeded, so always the same)."""
    rng = random.Random(seed)
    venues = rng.sample(_journals(), journals)
    surnames = _surnames(rng)
    papers = []
    for index in range(count):
        journal, abbreviation = venues[index % journals]
        drug, condition = rng.choice(_DRUGS), rng.choice(_CONDITIONS)
        enrolled = rng.randrange(24, 99)
        authors = tuple(
            (rng.choice(surnames[:60]), rng.choice("ABCDEFGHJKLMNPRST") + rng.choice("ABCDE"))
            for _ in range(rng.randrange(2, 6))
        )
        pmid = str(FIRST_PMID + index)
        papers.append(
            SyntheticPaper(
                pmid=pmid,
                doi=f"10.5555/synth.{index:05d}",
                pmcid=f"PMC{9_000_000 + index}" if index % 4 == 0 else None,
                journal=journal,
                journal_abbreviation=abbreviation,
                year=rng.randrange(2001, 2025),
                month=rng.randrange(1, 13),
                authors=authors,
                drug=drug,
                condition=condition,
                title=f"{drug.title()} for {condition}: {rng.choice(_DESIGNS)} ({index}).",
                enrolled=enrolled,
                responders=rng.randrange(5, enrolled - 3),
                weeks=rng.randrange(2, 27),
                pages=_pages(index),
            )
        )
    return papers


def _pages(index: int) -> str:
    """Pages for paper `index`, distinct for the first 990 (drawn without the random
    generator, so that adding them changed nothing else in the corpus)."""
    first = 1 + (index * 37) % 990
    return f"{first}-{first + 4 + index % 9}"


def twin(paper: SyntheticPaper, pmid: str) -> SyntheticPaper:
    """Another paper alike in every way a citation of `paper` can see (a tie for scoring)."""
    return replace(paper, pmid=pmid, doi=f"10.5555/twin.{pmid}", pmcid=None)


IDENTIFIER_LESS = (
    "fields",
    "fields",
    "fields",
    "journal-year",
    "journal",
    "title",
    "author-year",
    "wrong-journal",
)
"""Citation styles without identifiers, weighted toward the usual one (journal, year, author)."""


def identifier_less_claims(papers: Sequence[SyntheticPaper]) -> list[dict[str, Any]]:
    """One identifier-less claim per paper, in a mix of citation styles."""
    return [
        paper.cite(IDENTIFIER_LESS[i % len(IDENTIFIER_LESS)], i) for i, paper in enumerate(papers)
    ]


def claims_yaml(claims: Sequence[dict[str, Any]]) -> str:
    """A claims file holding `claims`."""
    return yaml.safe_dump({"claims": list(claims)}, sort_keys=False, allow_unicode=True)
