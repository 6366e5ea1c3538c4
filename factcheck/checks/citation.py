"""Check what a claim cites (journal, date, authors, ...) against the PubMed record it names.

Every check is pure: a `Citation` and a `Paper` in, `Finding`s out. Only the fields the
citation gives are checked. The matching primitives (`author_found`, `title_agreement`, ...)
are public because the resolver scores search candidates with the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from factcheck.dates import MONTH_NAMES, month_number
from factcheck.identifiers import normalise_doi, normalise_pmcid, page_range, same_volume
from factcheck.journals import fold, long_journal, same_journal, short_journal
from factcheck.models import Citation, Finding, Paper, PubDate, Status

TITLE_VERIFIED = 0.8
"""`title_agreement` at or above this: the cited title is the paper's, give or take wording."""
TITLE_DIFFERENT = 0.5
"""`title_agreement` below this: the cited title is a different title."""

STOP_WORDS = frozenset(
    "a an and are as at be by for from has in into is it its of on or than that the their "
    "this to vs was were with".split()
)
"""Function words, ignored when comparing titles."""

_GENERIC_INSTITUTION_WORDS = frozenset(
    "university hospital hospitals college school medical medicine center centre institute "
    "department dept faculty health clinic of the and at for in".split()
)

_WORD = re.compile(r"[a-z0-9]+")
_SHOWN_AUTHORS = 3


# --- text primitives ---------------------------------------------------------------------


def stem(word: str) -> str:
    """A crude stem: a plural "s" dropped, then the first 8 letters ("headaches" -> "headache").

    Crude on purpose: it only has to make a writer's wording and an abstract's meet, and it
    doubles as a PubMed truncation prefix (`stem*`).
    """
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word[:8]


def content_stems(text: str) -> list[str]:
    """The stems of `text`'s words, in order, without function words."""
    return [stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]


# --- matching primitives (shared with the resolver's scoring) -----------------------------


def title_agreement(cited: str, actual: str) -> float:
    """How well a cited title agrees with the paper's title, 0 to 1.

    The larger of the Dice overlap of their stems and, for a cited title of three or more
    words, the share of its stems found in the paper's title (a title cited without its
    subtitle still agrees fully).
    """
    mine, theirs = set(content_stems(cited)), set(content_stems(actual))
    if not mine or not theirs:
        return 0.0
    common = len(mine & theirs)
    dice = 2 * common / (len(mine) + len(theirs))
    covered = common / len(mine) if len(mine) >= 3 else 0.0
    return max(dice, covered)


def _surname_keys(name: str) -> set[str]:
    """Ways a cited author may give a surname: "Schwenk", "Schwenk ES", "Eric Schwenk"."""
    words = re.sub(r"[^\w\s]", " ", name).split()
    if len(words) > 1 and re.fullmatch(r"[A-Z]{1,3}", words[-1]):
        words = words[:-1]
    keys = {_author_key("".join(words))}
    if len(words) > 1:
        keys.add(_author_key(words[-1]))
    return keys - {""}


def _author_key(last: str) -> str:
    return re.sub(r"[^\w]", "", fold(last))


def author_found(name: str, paper: Paper) -> bool:
    """True when the cited author `name` ("Schwenk", "Schwenk ES") is among the authors."""
    wanted = _surname_keys(name)
    return any(_author_key(a.last) in wanted for a in paper.authors)


def _institution_words(text: str) -> set[str]:
    return set(_WORD.findall(fold(text)))


def affiliation_found(cited: str, paper: Paper) -> str | None:
    """The author affiliation that names institution `cited`, or None.

    Every distinctive word of `cited` ("thomas", "jefferson" in "Thomas Jefferson University
    Hospital") must appear in one affiliation; generic words ("university", "hospital")
    count only when the name has nothing else.
    """
    words = _institution_words(cited)
    distinctive = words - _GENERIC_INSTITUTION_WORDS or words
    for author in paper.authors:
        for affiliation in author.affiliations:
            if distinctive <= _institution_words(affiliation):
                return affiliation
    return None


def has_affiliations(paper: Paper) -> bool:
    """True when PubMed lists at least one author affiliation for `paper`."""
    return any(author.affiliations for author in paper.authors)


def months_of(date: PubDate | None) -> set[int]:
    """The months a PubMed date covers: its month, or every month of a range like "Nov-Dec"."""
    if date is None:
        return set()
    if date.month is not None:
        return {date.month}
    numbers = (month_number(w[:3]) for w in re.findall(r"[A-Za-z]+", date.text))
    named = [n for n in numbers if n]
    if len(named) == 2 and named[0] < named[1]:
        return set(range(named[0], named[1] + 1))
    return set(named)


def paper_years(paper: Paper) -> set[int]:
    """The paper's print and electronic publication years."""
    years = {paper.print_date.year}
    if paper.electronic_date is not None:
        years.add(paper.electronic_date.year)
    return {y for y in years if y is not None}


# --- formatting ----------------------------------------------------------------------------


def format_date(date: PubDate) -> str:
    """A PubMed date as PubMed writes it: "2018 Nov", "2018 Jun 19", "2016 Nov-Dec"."""
    if date.text:
        return date.text
    parts = [str(date.year)] if date.year is not None else []
    if date.month is not None:
        parts.append(MONTH_NAMES[date.month - 1][:3])
        if date.day is not None:
            parts.append(str(date.day))
    return " ".join(parts)


def _dates(paper: Paper, electronic_first: bool = False) -> str:
    """ "print 2018 Nov; online 2018 Jun 19", the matching date first when asked."""
    parts = []
    if paper.print_date.year is not None or paper.print_date.text:
        parts.append(f"print {format_date(paper.print_date)}")
    if paper.electronic_date is not None:
        online = f"online {format_date(paper.electronic_date)}"
        parts.insert(0 if electronic_first else len(parts), online)
    return "; ".join(parts)


def _authors_text(paper: Paper) -> str:
    names = [f"{a.last} {a.initials}".strip() for a in paper.authors]
    if len(names) <= _SHOWN_AUTHORS + 1:
        return ", ".join(names)
    return f"{', '.join(names[:_SHOWN_AUTHORS])} et al. ({len(names)} authors)"


def paper_kind(paper: Paper) -> str:
    """ "review", "trial" or "study", from the publication types, for messages."""
    types = " ".join(paper.publication_types).casefold()
    if "review" in types or "meta-analysis" in types:
        return "review"
    if "trial" in types:
        return "trial"
    return "study"


def _finding(
    citation: Citation,
    field: str,
    status: Status,
    message: str,
    expected: str | None = None,
    found: str | None = None,
) -> Finding:
    return Finding(f"cite.{field}", status, message, expected, found, line=citation.line_of(field))


# --- the checks ----------------------------------------------------------------------------


def check_journal(citation: Citation, paper: Paper) -> list[Finding]:
    """Is the cited journal the paper's journal?"""
    cited = citation.journal
    if not cited:
        return []
    short, full = short_journal(paper), long_journal(paper)
    if same_journal(cited, paper):
        return [_finding(citation, "journal", Status.VERIFIED, f"{cited} = {short}", cited, short)]
    where = short if short.casefold() == full.casefold() else f"{short} ({full})"
    message = f"cited as {cited}; the {paper_kind(paper)} is in {where}"
    return [_finding(citation, "journal", Status.MISMATCH, message, cited, full)]


def check_year(citation: Citation, paper: Paper) -> list[Finding]:
    """Is the cited year the paper's print or electronic year?"""
    year = citation.year
    if year is None:
        return []
    if not paper_years(paper):
        message = "PubMed gives no publication year"
        return [_finding(citation, "year", Status.UNVERIFIABLE, message, str(year))]
    if year == paper.print_date.year:
        message = f"{year} ({_dates(paper)})"
        return [_finding(citation, "year", Status.VERIFIED, message, str(year), str(year))]
    if year in paper_years(paper):
        message = f"{year}, the online date ({_dates(paper, electronic_first=True)})"
        return [_finding(citation, "year", Status.VERIFIED, message, str(year), str(year))]
    actual = str(paper.year)
    message = f"cited as {year}; the paper is {actual} ({_dates(paper)})"
    return [_finding(citation, "year", Status.MISMATCH, message, str(year), actual)]


def check_month(citation: Citation, paper: Paper) -> list[Finding]:
    """Is the cited month the paper's print or electronic month?"""
    month = citation.month
    if month is None:
        return []
    name = MONTH_NAMES[month - 1]
    printed, online = months_of(paper.print_date), months_of(paper.electronic_date)
    if not printed and not online:
        message = f"PubMed gives no month ({_dates(paper) or 'no date'})"
        return [_finding(citation, "month", Status.UNVERIFIABLE, message, name)]
    if month in printed:
        message = f"{name} ({_dates(paper)})"
        return [_finding(citation, "month", Status.VERIFIED, message, name, name)]
    if month in online:
        message = f"{name}, the online date ({_dates(paper, electronic_first=True)})"
        return [_finding(citation, "month", Status.VERIFIED, message, name, name)]
    found = MONTH_NAMES[min(printed or online) - 1]
    message = f"cited as {name}; the paper is dated {_dates(paper)}"
    return [_finding(citation, "month", Status.MISMATCH, message, name, found)]


def _where_in_issue(paper: Paper) -> str:
    """ "Reg Anesth Pain Med 2018;43(8):875-879", for messages."""
    detail = paper.volume + (f"({paper.issue})" if paper.issue else "")
    detail += f":{paper.pages}" if paper.pages else ""
    head = " ".join(x for x in (short_journal(paper), str(paper.year or "")) if x)
    return f"{head};{detail}" if detail else head


def check_volume(citation: Citation, paper: Paper) -> list[Finding]:
    """Is the cited volume the paper's?"""
    cited = citation.volume
    if not cited:
        return []
    if not paper.volume:
        message = "PubMed gives no volume for this paper"
        return [_finding(citation, "volume", Status.UNVERIFIABLE, message, cited)]
    if same_volume(cited, paper.volume, paper.issue):
        message = f"volume {paper.volume} ({_where_in_issue(paper)})"
        return [_finding(citation, "volume", Status.VERIFIED, message, cited, paper.volume)]
    message = f"cited as volume {cited}; the paper is in volume {paper.volume} "
    message += f"({_where_in_issue(paper)})"
    return [_finding(citation, "volume", Status.MISMATCH, message, cited, paper.volume)]


def check_pages(citation: Citation, paper: Paper) -> list[Finding]:
    """Are the cited pages the paper's? The first page must be; a cited last page too."""
    cited = citation.pages
    if not cited:
        return []
    if not paper.pages:
        message = "PubMed gives no pages for this paper"
        return [_finding(citation, "pages", Status.UNVERIFIABLE, message, cited)]
    (first, last), (their_first, their_last) = page_range(cited), page_range(paper.pages)
    if first == their_first and (not last or not their_last or last == their_last):
        message = f"pages {paper.pages} ({_where_in_issue(paper)})"
        return [_finding(citation, "pages", Status.VERIFIED, message, cited, paper.pages)]
    message = f"cited as pages {cited}; the paper's are {paper.pages} ({_where_in_issue(paper)})"
    return [_finding(citation, "pages", Status.MISMATCH, message, cited, paper.pages)]


def check_authors(citation: Citation, paper: Paper) -> list[Finding]:
    """Is each cited surname among the paper's authors?"""
    if not citation.authors:
        return []
    cited = ", ".join(citation.authors)
    if not paper.authors:
        message = "PubMed lists no authors for this paper"
        return [_finding(citation, "authors", Status.UNVERIFIABLE, message, cited)]
    missing = [name for name in citation.authors if not author_found(name, paper)]
    listed = _authors_text(paper)
    if not missing:
        count = len(paper.authors)
        message = f"{cited} among the {count} author{'s' if count > 1 else ''}"
        return [_finding(citation, "authors", Status.VERIFIED, message, cited, listed)]
    who = " and ".join(missing)
    verb = "is not an author" if len(missing) == 1 else "are not authors"
    message = f"{who} {verb}; the authors are {listed}"
    return [_finding(citation, "authors", Status.MISMATCH, message, cited, listed)]


def check_title(citation: Citation, paper: Paper) -> list[Finding]:
    """Is the cited title the paper's title, give or take minor wording?"""
    cited = citation.title
    if not cited:
        return []
    agreement = title_agreement(cited, paper.title)
    if agreement >= TITLE_VERIFIED:
        exact = _WORD.findall(fold(cited)) == _WORD.findall(fold(paper.title))
        message = "title matches" + ("" if exact else " (minor wording differences)")
        return [_finding(citation, "title", Status.VERIFIED, message, cited, paper.title)]
    if agreement < TITLE_DIFFERENT:
        message = f'cited title differs; the paper is "{paper.title}"'
        return [_finding(citation, "title", Status.MISMATCH, message, cited, paper.title)]
    message = f'title only partly matches "{paper.title}"'
    return [_finding(citation, "title", Status.UNVERIFIABLE, message, cited, paper.title)]


def check_affiliation(citation: Citation, paper: Paper) -> list[Finding]:
    """Is the cited institution among the authors' affiliations?

    Absence is `unverifiable`, never a mismatch: PubMed often lists only some affiliations
    (older records only the first author's).
    """
    cited = citation.affiliation
    if not cited:
        return []
    if not has_affiliations(paper):
        message = "PubMed lists no affiliations for this paper"
        return [_finding(citation, "affiliation", Status.UNVERIFIABLE, message, cited)]
    found = affiliation_found(cited, paper)
    if found is not None:
        message = f"{cited} is among the authors' affiliations"
        return [_finding(citation, "affiliation", Status.VERIFIED, message, cited, found)]
    message = f"{cited} is not among the affiliations PubMed lists (which are often incomplete)"
    return [_finding(citation, "affiliation", Status.UNVERIFIABLE, message, cited)]


def check_identifiers(citation: Citation, paper: Paper) -> list[Finding]:
    """Do the cited PMID, DOI and PMCID belong to the paper?"""
    findings = []
    if citation.pmid:
        findings.append(_identifier(citation, "pmid", "PMID", citation.pmid, paper.pmid))
    if citation.doi:
        theirs = normalise_doi(paper.doi) if paper.doi else None
        findings.append(_identifier(citation, "doi", "DOI", normalise_doi(citation.doi), theirs))
    if citation.pmcid:
        theirs = normalise_pmcid(paper.pmcid) if paper.pmcid else None
        mine = normalise_pmcid(citation.pmcid)
        findings.append(_identifier(citation, "pmcid", "PMCID", mine, theirs))
    return findings


def _identifier(
    citation: Citation, field: str, label: str, cited: str, actual: str | None
) -> Finding:
    if actual is None:
        message = f"PubMed gives no {label} for this paper"
        return _finding(citation, field, Status.UNVERIFIABLE, message, cited)
    if cited == actual:
        return _finding(citation, field, Status.VERIFIED, f"{label} {actual}", cited, actual)
    message = f"cited as {label} {cited}; the paper's is {actual}"
    return _finding(citation, field, Status.MISMATCH, message, cited, actual)


def check_retraction(paper: Paper) -> list[Finding]:
    """Has the paper been retracted, corrected or flagged?

    Retraction is a mismatch: the source no longer stands. An erratum is a verified note: the
    record stands, corrected, and the figure checks run on its current abstract. An
    expression of concern is unverifiable: the journal itself doubts the results, which does
    not contradict the claim but means the source cannot confirm it.
    """
    if paper.retracted:
        notice = "; ".join(paper.retraction_notices) or "marked Retracted Publication"
        found = f"retracted: {notice}"
        return [Finding("source.retracted", Status.MISMATCH, found, "not retracted", found)]
    findings = [Finding("source.retracted", Status.VERIFIED, "no retraction in PubMed")]
    findings += [
        Finding("source.erratum", Status.VERIFIED, f"erratum published: {e}") for e in paper.errata
    ]
    findings += [
        Finding("source.concern", Status.UNVERIFIABLE, f"expression of concern: {c}")
        for c in paper.concerns
    ]
    return findings


_FIELD_CHECKS: tuple[Callable[[Citation, Paper], list[Finding]], ...] = (
    check_identifiers,
    check_journal,
    check_year,
    check_month,
    check_volume,
    check_pages,
    check_authors,
    check_title,
    check_affiliation,
)


def check_citation(citation: Citation, paper: Paper) -> list[Finding]:
    """Every citation check that applies: one per field the citation gives, then retraction."""
    findings = [f for check in _FIELD_CHECKS for f in check(citation, paper)]
    return findings + check_retraction(paper)
