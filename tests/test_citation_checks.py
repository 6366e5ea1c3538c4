"""Citation checks: each cited field against the PubMed record, every status, the messages."""

from __future__ import annotations

from dataclasses import replace

import pytest
from papers import KAUBE_2000, LAURITSEN_2016, NIESTERS_2014, POMEROY_2017, SCHWENK_2018

from factcheck.checks.citation import (
    author_found,
    check_affiliation,
    check_authors,
    check_citation,
    check_identifiers,
    check_journal,
    check_month,
    check_pages,
    check_retraction,
    check_title,
    check_volume,
    check_year,
    months_of,
    title_agreement,
)
from factcheck.models import Author, Citation, Finding, Paper, PubDate, Status


def cite(**fields: object) -> Citation:
    """A citation giving `fields`, each on its own claims-file line (from 10)."""
    lines = tuple((name, 10 + i) for i, name in enumerate(fields))
    return Citation(**fields, lines=lines)  # type: ignore[arg-type]


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# --- journal --------------------------------------------------------------------------------


def test_journal_verified_names_both_forms() -> None:
    finding = only(check_journal(cite(journal="Regional Anesthesia & Pain Medicine"), SCHWENK_2018))
    assert finding.check == "cite.journal"
    assert finding.status is Status.VERIFIED
    assert finding.message == "Regional Anesthesia & Pain Medicine = Reg Anesth Pain Med"
    assert finding.line == 10


def test_journal_mismatch_names_the_real_journal() -> None:
    finding = only(check_journal(cite(journal="British Journal of Pharmacology"), NIESTERS_2014))
    assert finding.status is Status.MISMATCH
    assert finding.message == (
        "cited as British Journal of Pharmacology; the review is in Br J Clin Pharmacol "
        "(British Journal of Clinical Pharmacology)"
    )
    assert (finding.expected, finding.found) == (
        "British Journal of Pharmacology",
        "British Journal of Clinical Pharmacology",
    )


def test_journal_mismatch_gives_the_full_title_from_the_alias_table() -> None:
    finding = only(check_journal(cite(journal="Journal of Emergency Medicine"), POMEROY_2017))
    assert finding.message == (
        "cited as Journal of Emergency Medicine; the study is in Headache "
        "(Headache: The Journal of Head and Face Pain)"
    )


# --- year and month ---------------------------------------------------------------------------


def test_year_matches_print_year() -> None:
    finding = only(check_year(cite(year=2018), SCHWENK_2018))
    assert finding.status is Status.VERIFIED
    assert finding.message == "2018 (print 2018 Nov; online 2018 Jun 19)"


def test_year_matches_online_year_only() -> None:
    finding = only(check_year(cite(year=2016), POMEROY_2017))
    assert finding.status is Status.VERIFIED
    assert finding.message == "2016, the online date (online 2016 Dec 27; print 2017 Feb)"


def test_year_mismatch_gives_both_dates() -> None:
    finding = only(check_year(cite(year=2019), SCHWENK_2018))
    assert finding.status is Status.MISMATCH
    assert (
        finding.message == "cited as 2019; the paper is 2018 (print 2018 Nov; online 2018 Jun 19)"
    )
    assert (finding.expected, finding.found, finding.line) == ("2019", "2018", 10)


def test_year_unverifiable_without_a_date() -> None:
    undated = replace(SCHWENK_2018, print_date=PubDate(), electronic_date=None)
    assert only(check_year(cite(year=2018), undated)).status is Status.UNVERIFIABLE


def test_month_of_the_december_2016_edition() -> None:
    finding = only(check_month(cite(year=2016, month=12), LAURITSEN_2016))
    assert finding.check == "cite.month"
    assert finding.status is Status.VERIFIED
    assert finding.message == "December (print 2016 Dec; online 2016 Nov)"
    assert finding.line == 11


def test_month_matches_online_month() -> None:
    finding = only(check_month(cite(month=6), SCHWENK_2018))
    assert finding.status is Status.VERIFIED
    assert finding.message.startswith("June, the online date (online 2018 Jun 19")


def test_month_mismatch() -> None:
    finding = only(check_month(cite(month=3), SCHWENK_2018))
    assert finding.status is Status.MISMATCH
    assert (
        finding.message == "cited as March; the paper is dated print 2018 Nov; online 2018 Jun 19"
    )
    assert (finding.expected, finding.found) == ("March", "November")


def test_month_unverifiable_when_pubmed_has_year_only() -> None:
    yearly = replace(SCHWENK_2018, print_date=PubDate(2018, text="2018"), electronic_date=None)
    finding = only(check_month(cite(month=11), yearly))
    assert finding.status is Status.UNVERIFIABLE
    assert finding.message == "PubMed gives no month (print 2018)"


def test_month_within_a_medline_date_range() -> None:
    ranged = replace(SCHWENK_2018, print_date=PubDate(2016, text="2016 Nov-Dec"))
    assert months_of(ranged.print_date) == {11, 12}
    assert only(check_month(cite(month=12), ranged)).status is Status.VERIFIED


# --- authors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Schwenk", "schwenk", "Schwenk ES", "Schwenk, E.", "Eric Schwenk"]
)
def test_author_forms(name: str) -> None:
    assert author_found(name, SCHWENK_2018)


def test_author_diacritics_and_case_ignored() -> None:
    assert author_found("Kaufer", KAUBE_2000)
    assert author_found("KÄUFER", KAUBE_2000)
    assert not author_found("Kauf", KAUBE_2000)


def test_authors_verified() -> None:
    finding = only(check_authors(cite(authors=("Viscusi", "Schwenk")), SCHWENK_2018))
    assert finding.status is Status.VERIFIED
    assert finding.message == "Viscusi, Schwenk among the 9 authors"


def test_authors_mismatch_names_the_authors() -> None:
    finding = only(check_authors(cite(authors=("Schwenk", "Ready")), POMEROY_2017))
    assert finding.status is Status.MISMATCH
    assert finding.message == (
        "Schwenk and Ready are not authors; the authors are Pomeroy JL, Marmura MJ, Nahas SJ, "
        "Viscusi ER"
    )


def test_authors_long_list_is_shortened() -> None:
    finding = only(check_authors(cite(authors=("Ready",)), SCHWENK_2018))
    assert finding.message == (
        "Ready is not an author; the authors are Schwenk ES, Dayan AC, Rangavajjula A et al. "
        "(9 authors)"
    )


def test_authors_unverifiable_without_author_list() -> None:
    anonymous = replace(SCHWENK_2018, authors=())
    assert only(check_authors(cite(authors=("Schwenk",)), anonymous)).status is Status.UNVERIFIABLE


# --- title ------------------------------------------------------------------------------------


def test_title_exact() -> None:
    finding = only(
        check_title(
            cite(title="Ketamine for refractory headache: a retrospective analysis"), SCHWENK_2018
        )
    )
    assert finding.status is Status.VERIFIED
    assert finding.message == "title matches"


def test_title_without_subtitle_or_plural_is_minor_wording() -> None:
    finding = only(
        check_title(
            cite(title="Ketamine infusion for treatment-refractory headaches"), POMEROY_2017
        )
    )
    assert finding.status is Status.VERIFIED
    assert finding.message == "title matches (minor wording differences)"
    assert title_agreement("Ketamine for refractory headache", SCHWENK_2018.title) == 1.0


def test_title_clearly_different_is_a_mismatch() -> None:
    finding = only(check_title(cite(title="Intranasal ketamine for migraine aura"), SCHWENK_2018))
    assert finding.status is Status.MISMATCH
    assert finding.message == (
        'cited title differs; the paper is "Ketamine for Refractory Headache: A Retrospective '
        'Analysis."'
    )


def test_title_partly_matching_is_unverifiable() -> None:
    finding = only(check_title(cite(title="Ketamine infusions for chronic migraine"), POMEROY_2017))
    assert finding.status is Status.UNVERIFIABLE
    assert finding.message.startswith("title only partly matches")


# --- affiliation ------------------------------------------------------------------------------


def test_affiliation_found() -> None:
    finding = only(
        check_affiliation(cite(affiliation="Thomas Jefferson University Hospital"), SCHWENK_2018)
    )
    assert finding.status is Status.VERIFIED
    assert finding.found is not None and "Thomas Jefferson University" in finding.found


def test_affiliation_absent_is_unverifiable_not_mismatch() -> None:
    finding = only(check_affiliation(cite(affiliation="Mayo Clinic"), SCHWENK_2018))
    assert finding.status is Status.UNVERIFIABLE
    assert finding.message == (
        "Mayo Clinic is not among the affiliations PubMed lists (which are often incomplete)"
    )


def test_affiliation_with_no_affiliations_listed() -> None:
    finding = only(check_affiliation(cite(affiliation="Thomas Jefferson University"), KAUBE_2000))
    assert finding.status is Status.UNVERIFIABLE
    assert finding.message == "PubMed lists no affiliations for this paper"


def test_generic_words_alone_do_not_match_an_affiliation() -> None:
    finding = only(check_affiliation(cite(affiliation="Harvard University"), SCHWENK_2018))
    assert finding.status is Status.UNVERIFIABLE


# --- identifiers ------------------------------------------------------------------------------


def test_identifiers_verified_case_and_prefix_insensitive() -> None:
    given = cite(pmid="23432384", doi="https://doi.org/10.1111/BCP.12094", pmcid="pmc4014022")
    findings = check_identifiers(given, NIESTERS_2014)
    assert [(f.check, f.status) for f in findings] == [
        ("cite.pmid", Status.VERIFIED),
        ("cite.doi", Status.VERIFIED),
        ("cite.pmcid", Status.VERIFIED),
    ]


def test_identifier_mismatch_and_missing() -> None:
    findings = check_identifiers(cite(pmid="12345678", pmcid="PMC1"), SCHWENK_2018)
    assert findings[0].status is Status.MISMATCH
    assert findings[0].message == "cited as PMID 12345678; the paper's is 29923953"
    assert findings[1].status is Status.UNVERIFIABLE
    assert findings[1].message == "PubMed gives no PMCID for this paper"


# --- retraction, errata, concerns ---------------------------------------------------------------


def test_not_retracted() -> None:
    finding = only(check_retraction(SCHWENK_2018))
    assert (finding.check, finding.status) == ("source.retracted", Status.VERIFIED)


def test_retracted_is_a_mismatch_naming_the_notice() -> None:
    retracted = replace(
        SCHWENK_2018, retracted=True, retraction_notices=("Reg Anesth Pain Med. 2020;45(1):80",)
    )
    finding = only(check_retraction(retracted))
    assert finding.status is Status.MISMATCH
    assert finding.message == "retracted: Reg Anesth Pain Med. 2020;45(1):80"


def test_erratum_is_a_note_and_concern_is_unverifiable() -> None:
    flagged = replace(SCHWENK_2018, errata=("Erratum in: X 2019",), concerns=("Y 2021",))
    findings = check_retraction(flagged)
    assert [(f.check, f.status, f.message) for f in findings[1:]] == [
        ("source.erratum", Status.VERIFIED, "erratum published: Erratum in: X 2019"),
        ("source.concern", Status.UNVERIFIABLE, "expression of concern: Y 2021"),
    ]


# --- volume and pages ---------------------------------------------------------------------------


def test_the_cited_volume_is_the_papers() -> None:
    finding = only(check_volume(cite(volume="43"), SCHWENK_2018))
    assert (finding.check, finding.status, finding.line) == ("cite.volume", Status.VERIFIED, 10)
    assert finding.message == "volume 43 (Reg Anesth Pain Med 2018;43(8):875-879)"


def test_a_wrong_volume_is_a_mismatch_naming_the_right_one() -> None:
    finding = only(check_volume(cite(volume="44"), SCHWENK_2018))
    assert finding.status is Status.MISMATCH
    assert finding.message == (
        "cited as volume 44; the paper is in volume 43 (Reg Anesth Pain Med 2018;43(8):875-879)"
    )
    assert (finding.expected, finding.found) == ("44", "43")


@pytest.mark.parametrize(
    ("cited", "volume", "issue", "status"),
    [
        ("43(8)", "43", "8", Status.VERIFIED),  # the issue in brackets, as reference lists do
        ("43 (8)", "43", "8", Status.VERIFIED),
        ("43(8)", "43", "", Status.VERIFIED),  # no issue in the record to compare
        ("43(9)", "43", "8", Status.MISMATCH),
        ("44(8)", "43", "8", Status.MISMATCH),
        ("12 Suppl 2", "12", "Suppl 2", Status.VERIFIED),
        ("12 Suppl 2", "12 Suppl 2", "", Status.VERIFIED),
        ("12", "12 Suppl 2", "", Status.VERIFIED),
        ("12 Suppl 3", "12", "Suppl 2", Status.MISMATCH),
    ],
)
def test_a_cited_volume_may_give_its_issue(
    cited: str, volume: str, issue: str, status: Status
) -> None:
    paper = replace(SCHWENK_2018, volume=volume, issue=issue)
    assert only(check_volume(cite(volume=cited), paper)).status is status


def test_a_record_without_volume_or_pages_leaves_them_unverifiable() -> None:
    bare = Paper("1", "T.")
    assert only(check_volume(cite(volume="4"), bare)).status is Status.UNVERIFIABLE
    assert only(check_pages(cite(pages="4-9"), bare)).status is Status.UNVERIFIABLE


@pytest.mark.parametrize(
    ("pages", "paper", "status"),
    [
        ("875-879", SCHWENK_2018, Status.VERIFIED),
        ("875", SCHWENK_2018, Status.VERIFIED),  # the first page alone
        ("875–79", SCHWENK_2018, Status.VERIFIED),  # an en dash, the last page shortened
        ("357-367", NIESTERS_2014, Status.VERIFIED),  # PubMed writes 357-67
        ("876-879", SCHWENK_2018, Status.MISMATCH),
        ("875-889", SCHWENK_2018, Status.MISMATCH),  # the right first page, a wrong last
        ("106", LAURITSEN_2016, Status.VERIFIED),
    ],
)
def test_the_cited_pages_are_the_papers(pages: str, paper: Paper, status: Status) -> None:
    finding = only(check_pages(cite(pages=pages), paper))
    assert (finding.check, finding.status) == ("cite.pages", status)


@pytest.mark.parametrize(
    ("cited", "pubmed", "status"),
    [
        ("S213-S256", "S213-56", Status.VERIFIED),  # PubMed shortens supplement pages too
        ("e1-e10", "e1-10", Status.VERIFIED),
        ("R12-R18", "R12-8", Status.VERIFIED),
        ("S213-S257", "S213-56", Status.MISMATCH),
    ],
)
def test_pages_with_a_letter_are_read_in_pubmeds_short_form(
    cited: str, pubmed: str, status: Status
) -> None:
    paper = replace(SCHWENK_2018, pages=pubmed)
    assert only(check_pages(cite(pages=cited), paper)).status is status


def test_wrong_pages_name_the_papers() -> None:
    finding = only(check_pages(cite(pages="1-9"), NIESTERS_2014))
    assert finding.message == (
        "cited as pages 1-9; the paper's are 357-67 (Br J Clin Pharmacol 2014;77(2):357-67)"
    )


# --- everything together ----------------------------------------------------------------------


def test_check_citation_runs_only_given_fields() -> None:
    findings = check_citation(cite(journal="J Headache Pain", year=2016, month=12), LAURITSEN_2016)
    assert [(f.check, f.status) for f in findings] == [
        ("cite.journal", Status.VERIFIED),
        ("cite.year", Status.VERIFIED),
        ("cite.month", Status.VERIFIED),
        ("source.retracted", Status.VERIFIED),
    ]
    assert [f.line for f in findings] == [10, 11, 12, None]


def test_check_citation_checks_volume_and_pages_after_the_date() -> None:
    given = cite(journal="Reg Anesth Pain Med", year=2018, volume="43", pages="875-9")
    findings = check_citation(given, SCHWENK_2018)
    assert [(f.check, f.status, f.line) for f in findings][:4] == [
        ("cite.journal", Status.VERIFIED, 10),
        ("cite.year", Status.VERIFIED, 11),
        ("cite.volume", Status.VERIFIED, 12),
        ("cite.pages", Status.VERIFIED, 13),
    ]


def test_check_citation_of_the_jem_claim_against_pomeroy() -> None:
    findings = check_citation(cite(journal="Journal of Emergency Medicine"), POMEROY_2017)
    assert findings[0].status is Status.MISMATCH


def test_paper_without_authors_or_dates_does_not_crash() -> None:
    bare = Paper("1", "Title.")
    given = cite(journal="X", year=2000, month=1, authors=("A",), title="T", affiliation="U")
    statuses = {f.check: f.status for f in check_citation(given, bare)}
    assert statuses["cite.journal"] is Status.MISMATCH
    assert statuses["cite.year"] is Status.UNVERIFIABLE
    assert statuses["cite.month"] is Status.UNVERIFIABLE
    assert statuses["cite.authors"] is Status.UNVERIFIABLE
    assert statuses["cite.affiliation"] is Status.UNVERIFIABLE


def test_author_with_affiliations_on_every_author() -> None:
    paper = Paper(
        "1",
        "T.",
        authors=(Author("Ng", "A"), Author("Li", "B", affiliations=("Mayo Clinic, Rochester",))),
    )
    assert only(check_affiliation(cite(affiliation="Mayo Clinic"), paper)).status is Status.VERIFIED
