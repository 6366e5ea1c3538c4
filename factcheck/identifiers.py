"""DOIs and PMCIDs as writers give them and as PubMed stores them, made comparable.

One place for it: the claims loader, the citation checks, the resolver and `show` all read
"https://doi.org/10.1111/BCP.12094", "doi:10.1111/bcp.12094" and "10.1111/bcp.12094" alike.
"""

from __future__ import annotations

import re

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
