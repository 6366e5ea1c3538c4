"""PubMed EFetch XML and ESearch JSON -> factcheck data.

Pure functions, no I/O. Everything NCBI sends is treated as hostile: XML is parsed with
defusedxml (no entity expansion, no external DTDs), and any answer that is not the expected
document (an `<ERROR>` envelope, a truncated body, an HTML page, JSON with an `ERROR`) raises
`PubMedError`, so the client can retry and never caches it. Text is whitespace-folded and
stripped of control characters (the 8-bit CSI U+009B that XML allows is a terminal escape),
and a record whose PMID is not digits is dropped: a PMID goes into URLs and links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from factcheck.dates import MONTH_NAMES, ascii_digits, month_number
from factcheck.errors import PubMedError
from factcheck.models import Author, Paper, PubDate

if TYPE_CHECKING:  # the XML stack loads with the first answer to parse (`_parse_xml`)
    from xml.etree.ElementTree import Element

__all__ = ["SearchResult", "parse_efetch", "parse_esearch"]

_MEDLINE_DATE = re.compile(r"^\s*(\d{4})(?:\s+([A-Za-z]+))?")
_RETRACTION_REFS = ("RetractionIn", "RetractedandRepublishedIn")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class SearchResult:
    """One ESearch answer.

    `count` is the total number of hits (`ids` holds at most `retmax` of them). PubMed drops
    search phrases it does not know and runs the rest of the query, so a strict lookup must treat
    a non-empty `phrases_not_found` (or `fields_not_found`) as a failed lookup.
    """

    ids: tuple[str, ...]
    count: int
    phrases_not_found: tuple[str, ...] = ()
    fields_not_found: tuple[str, ...] = ()


# --- ESearch JSON -------------------------------------------------------------------------


def parse_esearch(body: bytes) -> SearchResult:
    """Read an ESearch `retmode=json` answer; raise `PubMedError` on any error shape."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PubMedError(f"ESearch answer is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise PubMedError("ESearch answer is not a JSON object")
    if data.get("error"):
        raise PubMedError(f"PubMed reported an error: {data['error']}")
    result = data.get("esearchresult")
    if not isinstance(result, dict):
        raise PubMedError("ESearch answer has no esearchresult")
    if result.get("ERROR"):
        raise PubMedError(f"PubMed reported an error: {result['ERROR']}")
    idlist = result.get("idlist") or []
    if not isinstance(idlist, list):
        raise PubMedError("ESearch idlist is not a list")
    ids = tuple(uid for uid in map(str, idlist) if ascii_digits(uid))  # a PMID is digits
    try:
        count = int(result.get("count", len(ids)))
    except (TypeError, ValueError):
        raise PubMedError(f"ESearch count is not a number: {result.get('count')!r}") from None
    errors = result.get("errorlist")
    if not isinstance(errors, dict):
        errors = {}
    return SearchResult(
        ids=ids,
        count=count,
        phrases_not_found=_strings(errors.get("phrasesnotfound")),
        fields_not_found=_strings(errors.get("fieldsnotfound")),
    )


@dataclass(frozen=True)
class Assignment:
    """What a combined search gave one search: its own hits, or None when it had to be
    searched alone (see `factcheck.pubmed.combined`)."""

    hits: SearchResult | None


_ALONE = b'{"factcheck": "search alone"}'


def assignment_json(assignment: Assignment) -> bytes:
    """`assignment` as stored in the cache (`read_assignment` reads it back)."""
    return _ALONE if assignment.hits is None else esearch_json(assignment.hits)


def read_assignment(body: bytes) -> Assignment:
    """A stored `Assignment`; raises `PubMedError` on anything else."""
    return Assignment(None if body == _ALONE else parse_esearch(body))


def esearch_json(result: SearchResult) -> bytes:
    """`result` as an ESearch JSON answer: what `parse_esearch` reads back into `result`."""
    answer: dict[str, object] = {"count": str(result.count), "idlist": list(result.ids)}
    if result.phrases_not_found or result.fields_not_found:
        answer["errorlist"] = {
            "phrasesnotfound": list(result.phrases_not_found),
            "fieldsnotfound": list(result.fields_not_found),
        }
    return json.dumps({"esearchresult": answer}).encode()


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if str(item).strip())


# --- EFetch XML ---------------------------------------------------------------------------


def parse_efetch(xml: bytes) -> dict[str, Paper]:
    """Read an EFetch `db=pubmed&retmode=xml` answer into papers keyed by PMID.

    An empty `<PubmedArticleSet/>` gives `{}` (unknown PMIDs are simply absent). An `<ERROR>`
    envelope, a truncated or invalid document, or XML with entity declarations raises
    `PubMedError`.
    """
    root = _parse_xml(xml)
    error = root if root.tag == "ERROR" else root.find("ERROR")
    if error is not None:
        raise PubMedError(f"PubMed reported an error: {_text(error) or 'empty ERROR element'}")
    if root.tag != "PubmedArticleSet":
        raise PubMedError(f"expected <PubmedArticleSet>, PubMed sent <{root.tag}>")
    papers: dict[str, Paper] = {}
    for child in root:
        if child.tag == "PubmedArticle":
            paper = _article(child)
        elif child.tag == "PubmedBookArticle":
            paper = _book(child)
        else:  # DeleteCitation and anything NCBI adds later
            continue
        if ascii_digits(paper.pmid):  # a PMID is digits; it goes into URLs and links
            papers[paper.pmid] = paper
    return papers


EMPTY_ARTICLE_SET = b"<PubmedArticleSet></PubmedArticleSet>"


def split_efetch(xml: bytes, pmids: Sequence[str]) -> dict[str, bytes]:
    """An EFetch answer cut into one answer per PMID asked for, each an article set of its
    own record, or an empty one for a PMID PubMed does not know (so that each record can be
    cached on its own). Raises `PubMedError` on the same answers `parse_efetch` refuses."""
    parse_efetch(xml)  # the same validation
    from xml.etree import ElementTree

    records = {}
    for child in _parse_xml(xml):
        pmid = child.findtext("MedlineCitation/PMID") or child.findtext("BookDocument/PMID")
        if pmid and child.tag in ("PubmedArticle", "PubmedBookArticle"):
            records[pmid.strip()] = ElementTree.tostring(child)
    wrapped = b"<PubmedArticleSet>%s</PubmedArticleSet>"
    return {p: wrapped % records[p] if p in records else EMPTY_ARTICLE_SET for p in pmids}


def _parse_xml(xml: bytes) -> Element:
    from xml.etree.ElementTree import ParseError

    import defusedxml  # type: ignore[import-untyped]
    import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]

    try:
        root: Element = SafeET.fromstring(
            xml, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise PubMedError(f"PubMed XML refused: {exc}") from None
    except ParseError as exc:
        raise PubMedError(f"PubMed sent malformed or truncated XML ({exc})") from None
    return root


def _article(node: Element) -> Paper:
    citation = _require(node, "MedlineCitation")
    article = _require(citation, "Article")
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    info = citation.find("MedlineJournalInfo")
    pub_types = _pub_types(article)
    retracted, notices = _retraction(citation, pub_types)
    return Paper(
        pmid=_text(citation.find("PMID")),
        title=_text(article.find("ArticleTitle")),
        abstract=_abstract(article.find("Abstract")),
        doi=_doi(node.find("PubmedData/ArticleIdList"), article),
        pmcid=_article_id(node.find("PubmedData/ArticleIdList"), "pmc"),
        journal_title=_text(journal.find("Title")) if journal is not None else "",
        journal_iso=_text(journal.find("ISOAbbreviation")) if journal is not None else "",
        journal_medline_ta=_text(info.find("MedlineTA")) if info is not None else "",
        nlm_id=_text(info.find("NlmUniqueID")) if info is not None else "",
        issns=_issns(journal, info),
        print_date=_pub_date(issue.find("PubDate") if issue is not None else None),
        electronic_date=_electronic_date(article),
        volume=_text(issue.find("Volume")) if issue is not None else "",
        issue=_text(issue.find("Issue")) if issue is not None else "",
        pages=_pages(article.find("Pagination")),
        authors=_authors(article.find("AuthorList")),
        publication_types=pub_types,
        retracted=retracted,
        retraction_notices=notices,
        errata=_comments(citation, ("ErratumIn",)),
        concerns=_comments(citation, ("ExpressionOfConcernIn",)),
    )


def _book(node: Element) -> Paper:
    """A `PubmedBookArticle` (book or chapter): best effort, the container goes in journal_title."""
    document = _require(node, "BookDocument")
    book = document.find("Book")
    book_title = _text(book.find("BookTitle")) if book is not None else ""
    authors = document.find("AuthorList")
    if authors is None and book is not None:
        authors = book.find("AuthorList")
    pub_types = _pub_types(document)
    retracted, notices = _retraction(document, pub_types)
    return Paper(
        pmid=_text(document.find("PMID")),
        title=_text(document.find("ArticleTitle")) or book_title,
        abstract=_abstract(document.find("Abstract")),
        doi=_doi(document.find("ArticleIdList"), document, book),
        journal_title=book_title,
        print_date=_pub_date(book.find("PubDate") if book is not None else None),
        pages=_pages(document.find("Pagination")),
        authors=_authors(authors),
        publication_types=pub_types,
        retracted=retracted,
        retraction_notices=notices,
        errata=_comments(document, ("ErratumIn",)),
        concerns=_comments(document, ("ExpressionOfConcernIn",)),
        is_book=True,
    )


def _require(node: Element, path: str) -> Element:
    found = node.find(path)
    if found is None:
        raise PubMedError(f"<{node.tag}> has no <{path}>")
    return found


def _text(node: Element | None) -> str:
    """All the text of `node`, inline markup (<i>, <sup>, MathML) included, spaces collapsed."""
    if node is None:
        return ""
    return _clean("".join(node.itertext()))


def _clean(text: str) -> str:
    """`text` on one line: control characters dropped, whitespace runs made one space."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def _abstract(node: Element | None) -> str:
    """Abstract sections one per line, structured ones as "LABEL: text"."""
    if node is None:
        return ""
    parts = []
    for section in node.findall("AbstractText"):
        text = _text(section)
        label = _clean(section.get("Label") or "")
        parts.append(f"{label}: {text}" if label and text else text)
    return "\n".join(part for part in parts if part)


def _article_id(ids: Element | None, kind: str) -> str | None:
    if ids is None:
        return None
    for item in ids.findall("ArticleId"):
        if item.get("IdType") == kind and _text(item):
            return _text(item)
    return None


def _doi(ids: Element | None, *holders: Element | None) -> str | None:
    """The record's own DOI: its ArticleIdList (never ReferenceList), else an ELocationID."""
    doi = _article_id(ids, "doi")
    if doi:
        return doi
    for holder in holders:
        if holder is None:
            continue
        for location in holder.findall("ELocationID"):
            valid = location.get("ValidYN", "Y") != "N"
            if location.get("EIdType") == "doi" and valid and _text(location):
                return _text(location)
    return None


def _issns(journal: Element | None, info: Element | None) -> tuple[str, ...]:
    found = journal.findall("ISSN") if journal is not None else []
    found += info.findall("ISSNLinking") if info is not None else []
    issns: list[str] = []
    for node in found:
        value = _text(node)
        if value and value not in issns:
            issns.append(value)
    return tuple(issns)


def _month(value: str) -> int | None:
    """PubMed's Month: "11", "Nov", or the first month of a span ("Nov-Dec")."""
    return month_number(value.strip()[:3])


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if ascii_digits(value) else None


def _pub_date(node: Element | None) -> PubDate:
    """`PubDate`/`ArticleDate`: Year+Month(+Day), Year+Season, or a free-text MedlineDate."""
    if node is None:
        return PubDate()
    medline = _text(node.find("MedlineDate"))
    if medline:
        match = _MEDLINE_DATE.match(medline)
        if not match:
            return PubDate(text=medline)
        month = _month(match.group(2)) if match.group(2) else None
        return PubDate(year=int(match.group(1)), month=month, text=medline)
    year = _int(_text(node.find("Year")))
    raw_month = _text(node.find("Month"))
    month = _month(raw_month) if raw_month else None
    day = _int(_text(node.find("Day"))) if month else None
    season = _text(node.find("Season"))
    shown_month = MONTH_NAMES[month - 1][:3] if month else raw_month
    parts = [str(year) if year else "", shown_month or season, str(day) if day else ""]
    return PubDate(year=year, month=month, day=day, text=" ".join(p for p in parts if p))


def _electronic_date(article: Element) -> PubDate | None:
    for node in article.findall("ArticleDate"):
        if node.get("DateType", "Electronic") == "Electronic":
            return _pub_date(node)
    return None


def _pages(node: Element | None) -> str:
    if node is None:
        return ""
    medline = _text(node.find("MedlinePgn"))
    if medline:
        return medline
    start, end = _text(node.find("StartPage")), _text(node.find("EndPage"))
    return f"{start}-{end}" if start and end else start


def _authors(node: Element | None) -> tuple[Author, ...]:
    if node is None:
        return ()
    authors = []
    for person in node.findall("Author"):
        if person.get("ValidYN") == "N":
            continue
        affiliations = tuple(
            text for a in person.findall("AffiliationInfo/Affiliation") if (text := _text(a))
        )
        last = _text(person.find("LastName")) or _text(person.find("CollectiveName"))
        if not last:
            continue
        authors.append(
            Author(
                last=last,
                initials=_text(person.find("Initials")),
                fore=_text(person.find("ForeName")),
                affiliations=affiliations,
            )
        )
    return tuple(authors)


def _pub_types(node: Element) -> tuple[str, ...]:
    types = node.findall("PublicationTypeList/PublicationType") + node.findall("PublicationType")
    return tuple(text for t in types if (text := _text(t)))


def _comments(citation: Element, ref_types: tuple[str, ...]) -> tuple[str, ...]:
    """RefSource of each CommentsCorrections of the given RefTypes ("Neurology. 2014;1:2")."""
    items = citation.findall("CommentsCorrectionsList/CommentsCorrections")
    return tuple(
        _text(item.find("RefSource")) or f"PMID {_text(item.find('PMID'))}"
        for item in items
        if item.get("RefType") in ref_types
    )


def _retraction(citation: Element, pub_types: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    notices = _comments(citation, _RETRACTION_REFS)
    retracted = bool(notices) or any(t.lower() == "retracted publication" for t in pub_types)
    return retracted, notices
