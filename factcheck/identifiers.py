"""DOIs, PMCIDs, volumes and pages as writers give them and as PubMed stores them, made
comparable.

One place for it: the claims loader, the citation checks, the resolver and `show` all read
"https://doi.org/10.1111/BCP.12094", "doi:10.1111/bcp.12094" and "10.1111/bcp.12094" alike,
and pages "642-647" as PubMed's "642-7".
"""

from __future__ import annotations

import re

_PAGE_SEPARATORS = re.compile(r"\s*[-‐‑‒–—]\s*")
_VOLUME = re.compile(r"([^\s(]*)(.*)", re.DOTALL)  # "43" "(8)", "12" " Suppl 2"
_PAGE_PREFIX = re.compile(r"([^\W\d]*)(\d+)")  # "s213" -> "s", "213"
_DOI_RESOLVER = re.compile(r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def bare_doi(text: str) -> str:
    """`text` without a resolver prefix (https://doi.org/, dx.doi.org/, doi:), case kept."""
    return _DOI_RESOLVER.sub("", text.strip()).strip()


def normalise_doi(doi: str) -> str:
    """A DOI for comparison: no resolver prefix, casefolded (DOIs are case-insensitive)."""
    return bare_doi(doi).casefold()


def normalise_pmcid(pmcid: str) -> str:
    """ "pmc4014022" or "4014022" -> "PMC4014022"."""
    digits = pmcid.strip().upper().removeprefix("PMC")
    return f"PMC{digits}"


def locator(text: str) -> str:
    """A volume or page for comparison: casefolded, spaces dropped ("E12" -> "e12")."""
    return "".join(text.split()).casefold()


def volume_issue(text: str) -> tuple[str, str]:
    """A volume split from the issue it may carry, each as `locator` gives it: "43(8)" ->
    ("43", "8"), "12 Suppl 2" -> ("12", "suppl2"), "43" -> ("43", "")."""
    split = _VOLUME.match(text.strip())
    volume, issue = split.groups() if split else ("", "")
    return locator(volume), locator(issue.replace("(", "").replace(")", ""))


def same_volume(cited: str, volume: str, issue: str = "") -> bool:
    """Is the cited volume ("43", "43(8)", "12 Suppl 2") a record's `volume` (and `issue`)?
    The volumes must be equal, and so must the issues when both give one."""
    mine, my_issue = volume_issue(cited)
    theirs, their_issue = volume_issue(volume)
    their_issue += locator(issue)
    return mine == theirs and (not my_issue or not their_issue or my_issue == their_issue)


def page_range(pages: str) -> tuple[str, str]:
    """First and last page of "1050-1058", "642-7" (PubMed's short form: 647), "S213-56"
    (s256) or "e12" (the last is "" for a single page); the first of a list ("e12, e15").
    Compared with `locator`."""
    first_part = pages.split(",")[0].strip()
    first, _, last = _PAGE_SEPARATORS.sub("-", first_part).partition("-")
    first, last = locator(first), locator(last)
    lettered = _PAGE_PREFIX.fullmatch(first)
    if lettered and last.isdigit():  # "642-7" -> 647, "S213-56" -> s256 (PubMed's short forms)
        prefix, digits = lettered.groups()
        last = prefix + digits[: max(len(digits) - len(last), 0)] + last
    return first, last


def first_page(pages: str) -> str:
    """The first page of `pages` ("1050-1058" -> "1050"), "" when there is none."""
    return page_range(pages)[0]
