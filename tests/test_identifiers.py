"""DOIs and PMCIDs read alike wherever they come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.claims import load_claims
from factcheck.identifiers import bare_doi, normalise_doi, normalise_pmcid

FORMS = [
    "10.1111/BCP.12094",
    "doi:10.1111/BCP.12094",
    "DOI: 10.1111/BCP.12094",
    "https://doi.org/10.1111/BCP.12094",
    "http://doi.org/10.1111/BCP.12094",
    "https://dx.doi.org/10.1111/BCP.12094",
    "  http://dx.doi.org/10.1111/BCP.12094 ",
]


@pytest.mark.parametrize("written", FORMS)
def test_every_resolver_form_gives_the_bare_doi(written: str) -> None:
    assert bare_doi(written) == "10.1111/BCP.12094"
    assert normalise_doi(written) == "10.1111/bcp.12094"


@pytest.mark.parametrize("written", FORMS)
def test_the_claims_loader_reads_every_form(tmp_path: Path, written: str) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(f'claims:\n  - id: a\n    quote: q\n    cite: {{doi: "{written}"}}\n')
    (claim,) = load_claims(path).claims
    assert claim.cite is not None
    assert claim.cite.doi == "10.1111/BCP.12094"


@pytest.mark.parametrize("written", ["PMC4014022", "pmc4014022", "4014022", " PMC4014022 "])
def test_pmcid_forms(written: str) -> None:
    assert normalise_pmcid(written) == "PMC4014022"
