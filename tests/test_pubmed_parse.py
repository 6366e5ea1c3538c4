"""factcheck.pubmed.parse: EFetch XML and ESearch JSON; fixtures checked against SOURCES.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from eutils_stand_in import BOMB, ERROR_ENVELOPE, EXTERNAL_ENTITY, FIXTURES, XML_HEAD

from factcheck.errors import PubMedError
from factcheck.models import Author, Paper, PubDate
from factcheck.pubmed import parse
from factcheck.pubmed.parse import (
    Assignment,
    SearchResult,
    assignment_json,
    parse_efetch,
    parse_esearch,
    read_assignment,
)

JEFFERSON = "Thomas Jefferson University"


def article_set(*records: str) -> bytes:
    """A PubMed EFetch answer holding the given record fragments."""
    return (XML_HEAD + "<PubmedArticleSet>" + "".join(records) + "</PubmedArticleSet>").encode()


def fixture(pmid: str) -> Paper:
    """Parse one fixture file the way the client would receive it."""
    xml = (FIXTURES / f"{pmid}.xml").read_text(encoding="utf-8")
    papers = parse_efetch(article_set(xml))
    assert list(papers) == [pmid]
    return papers[pmid]


def surnames(paper: Paper) -> list[str]:
    return [a.last for a in paper.authors]


# --- every fixture record, against SOURCES.md ------------------------------------------------


def test_schwenk_2018() -> None:
    paper = fixture("29923953")
    assert paper.title == "Ketamine for Refractory Headache: A Retrospective Analysis."
    assert surnames(paper) == [
        "Schwenk",
        "Dayan",
        "Rangavajjula",
        "Torjman",
        "Hernandez",
        "Lauritsen",
        "Silberstein",
        "Young",
        "Viscusi",
    ]
    assert paper.authors[0] == Author(
        "Schwenk", "ES", "Eric S", ("Thomas Jefferson University, Philadelphia, PA.",)
    )
    assert all(JEFFERSON in a.affiliations[0] for a in paper.authors)
    assert paper.journal_title == "Regional Anesthesia and Pain Medicine"
    assert paper.journal_iso == paper.journal_medline_ta == "Reg Anesth Pain Med"
    assert paper.issns == ("1532-8651", "1098-7339")
    assert paper.print_date == PubDate(2018, 11, None, "2018 Nov")
    assert paper.electronic_date == PubDate(2018, 6, 19, "2018 Jun 19")
    assert (paper.volume, paper.issue, paper.pages) == ("43", "8", "875-879")
    assert paper.doi == "10.1097/AAP.0000000000000827"
    assert paper.pmcid is None
    assert paper.citation_line.endswith("Reg Anesth Pain Med 2018;43(8):875-879")


def test_schwenk_abstract_keeps_every_figure_including_the_faulty_ones() -> None:
    abstract = fixture("29923953").abstract
    for figure in [
        "Forty-eight (77%) of the 61 patients",
        "61 patients",
        "3 years",
        "5 days",
        "4.56 days",
        "40%",
        "38.1 days",
        "39%",
        "101.3 days",
        "65.2 ± 2.8 mg/h (0.76 mg/kg/h)",
    ]:
        assert figure in abstract, figure


def test_structured_abstract_keeps_labels_one_section_per_line() -> None:
    lines = fixture("29923953").abstract.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "BACKGROUND AND OBJECTIVES",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert lines[2].startswith("RESULTS: Forty-eight (77%)")


def test_pomeroy_2017() -> None:
    paper = fixture("28025837")
    assert paper.title == "Ketamine Infusions for Treatment Refractory Headache."
    assert surnames(paper) == ["Pomeroy", "Marmura", "Nahas", "Viscusi"]
    assert [a.initials for a in paper.authors] == ["JL", "MJ", "SJ", "ER"]
    assert JEFFERSON in paper.authors[0].affiliations[0]
    assert paper.journal_title == paper.journal_iso == paper.journal_medline_ta == "Headache"
    assert paper.issns == ("1526-4610", "0017-8748")
    assert paper.print_date == PubDate(2017, 2, None, "2017 Feb")
    assert paper.electronic_date == PubDate(2016, 12, 27, "2016 Dec 27")
    assert (paper.volume, paper.issue, paper.pages) == ("57", "2", "276-282")
    assert paper.doi == "10.1111/head.13013"
    for figure in ["77 patients", "7.1", "3.8", "P < .0001", "55/77 (71.4%)", "15/77, 27.3%"]:
        assert figure in paper.abstract, figure
    assert "4.8 days" in paper.abstract
    assert not re.search(r"\b(63|14)\b", paper.abstract)  # no CM/NDPH split (63 + 14)


def test_niesters_2014() -> None:
    paper = fixture("23432384")
    assert paper.title == "Ketamine for chronic pain: risks and benefits"
    assert surnames(paper) == ["Niesters", "Martini", "Dahan"]
    assert paper.journal_title == "British Journal of Clinical Pharmacology"
    assert paper.journal_iso == "Br J Clin Pharmacol"
    assert paper.issns == ("1365-2125", "0306-5251")
    assert paper.print_date == PubDate(2014, 2, None, "2014 Feb")
    assert paper.electronic_date == PubDate(2014, 1, 22, "2014 Jan 22")
    assert (paper.volume, paper.issue, paper.pages) == ("77", "2", "357-67")
    assert (paper.doi, paper.pmcid) == ("10.1111/bcp.12094", "PMC4014022")
    assert "\n" not in paper.abstract  # unstructured: one section, no label
    for figure in ["Three studies", "4–14 days", "up to 3 months", "neuropathic pain"]:
        assert figure in paper.abstract, figure
    assert "only as long as the drug is being infused" in paper.abstract
    assert "migraine" not in paper.abstract.lower()


def test_afridi_2013_with_inline_markup_read_whole() -> None:
    paper = fixture("23365053")
    assert paper.title == (
        "A randomized controlled trial of intranasal ketamine in migraine with prolonged aura."
    )
    assert surnames(paper) == ["Afridi", "Giffin", "Kaube", "Goadsby"]
    assert "Headache Group" in paper.authors[0].affiliations[0]
    assert "University of California, San Francisco" in paper.authors[0].affiliations[0]
    assert paper.journal_title == "Neurology"
    assert paper.issns == ("1526-632X", "0028-3878")
    assert paper.print_date == PubDate(2013, 2, 12, "2013 Feb 12")
    assert paper.electronic_date == PubDate(2013, 1, 30, "2013 Jan 30")
    assert (paper.volume, paper.issue, paper.pages) == ("80", "7", "642-7")
    assert paper.doi == "10.1212/WNL.0b013e3182824e66"
    assert "Randomized Controlled Trial" in paper.publication_types
    # <i>p</i> = 0.032 is read whole, not cut at the <i> element
    assert "(p = 0.032)" in paper.abstract
    for figure in ["25 mg", "2 mg", "30 migraineurs", "18 completed", "3 episodes"]:
        assert figure in paper.abstract, figure


def test_kaube_2000_keeps_diacritics() -> None:
    paper = fixture("10891926")
    assert paper.title == (
        "Aura in some patients with familial hemiplegic migraine can be stopped by intranasal"
        " ketamine."
    )
    assert surnames(paper) == ["Kaube", "Herzog", "Käufer", "Dichgans", "Diener"]
    assert paper.print_date == PubDate(2000, 7, 12, "2000 Jul 12")
    assert paper.electronic_date is None
    assert (paper.volume, paper.issue, paper.pages) == ("55", "1", "139-41")
    assert paper.doi == "10.1212/WNL.55.1.139"
    assert "11 patients" in paper.abstract and "5 of the 11" in paper.abstract


def test_think_2019() -> None:
    paper = fixture("30910061")
    assert paper.title.startswith("The THINK (Treatment of Headache with Intranasal Ketamine)")
    assert surnames(paper) == [
        "Benish",
        "Villalobos",
        "Love",
        "Casmaer",
        "Hunter",
        "Summers",
        "April",
    ]
    assert paper.journal_iso == "J Emerg Med"
    assert paper.print_date == PubDate(2019, 3, None, "2019 Mar")
    assert (paper.volume, paper.issue, paper.pages) == ("56", "3", "248-257.e1")
    assert paper.doi == "10.1016/j.jemermed.2018.12.007"
    assert paper.issns == ("0736-4679",)
    for figure in ["53 patients", "22.2 mm", "29.0 mm", "6.8 mm", "65.4%", "66.7%", "3 (11.5%)"]:
        assert figure in paper.abstract, figure


def test_lauritsen_2016_stand_in_pmid() -> None:
    paper = fixture("90000106")
    assert paper.title == (
        "Intravenous ketamine for subacute treatment of refractory chronic migraine: a case series"
    )
    assert surnames(paper) == ["Lauritsen", "Mazuera", "Lipton", "Ashina"]
    assert JEFFERSON in paper.authors[0].affiliations[0]
    assert paper.journal_title == "The Journal of Headache and Pain"
    assert paper.journal_iso == "J Headache Pain"
    assert paper.issns == ("1129-2377", "1129-2369")
    assert paper.print_date == PubDate(2016, 12, None, "2016 Dec")
    assert paper.electronic_date == PubDate(2016, 11, None, "2016 Nov")
    assert (paper.volume, paper.issue, paper.pages) == ("17", "1", "106")
    for figure in [
        "six patients",
        "2010–2014",
        "0.1 mg/kg/h",
        "3/10",
        "8 h",
        "3 to 6 months",
        "36.5 years (range 29–54)",
        "83% were women",
        "9 to 10",
        "0.34 mg/kg/hour (range 0.12–0.42)",
        "6 of 6",
    ]:
        assert figure in paper.abstract, figure


def test_doi_is_the_records_own_not_a_cited_references() -> None:
    # Lauritsen's ReferenceList cites Niesters (10.1111/bcp.12094); its own DOI comes first anyway.
    assert fixture("90000106").doi == "10.1186/s10194-016-0700-3"
    # 90000002 has no DOI in its ArticleIdList: the valid ELocationID wins, never the reference.
    assert fixture("90000002").doi == "10.0000/fictional.0002"


def test_doi_absent_stays_absent_even_when_a_reference_has_one() -> None:
    xml = (FIXTURES / "90000002.xml").read_text(encoding="utf-8")
    xml = xml.replace(
        '<ELocationID EIdType="doi" ValidYN="Y">10.0000/fictional.0002</ELocationID>', ""
    )
    assert parse_efetch(article_set(xml))["90000002"].doi is None


def test_etchison_2018_stand_in_pmid() -> None:
    paper = fixture("90000952")
    assert paper.title.startswith("Low-dose Ketamine Does Not Improve Migraine")
    assert len(paper.authors) == 8 and paper.authors[-1].last == "Heitz"
    assert paper.journal_iso == "West J Emerg Med"
    assert paper.print_date == PubDate(2018, 10, None, "2018 Oct")
    assert (paper.volume, paper.issue, paper.pages) == ("19", "6", "952")  # StartPage only
    assert (paper.doi, paper.pmcid) == ("10.5811/westjem.2018.8.37875", "PMC6225951")
    assert "p = 0.5035" in paper.abstract


def test_no_seed_record_is_retracted_or_corrected() -> None:
    for path in FIXTURES.glob("*.xml"):
        paper = fixture(path.stem)
        if not paper.pmid.startswith("900000"):
            assert not paper.retracted and not paper.errata and not paper.concerns, paper.pmid


# --- edge cases -----------------------------------------------------------------------------


def test_retracted_record() -> None:
    paper = fixture("90000001")
    assert paper.retracted
    assert paper.retraction_notices == ("J Fict Test Rec. 2017;3(1):1",)
    assert "Retracted Publication" in paper.publication_types
    assert paper.errata == () and paper.concerns == ()


def test_retraction_notice_alone_marks_retracted() -> None:
    xml = (FIXTURES / "90000001.xml").read_text(encoding="utf-8")
    xml = xml.replace('<PublicationType UI="D016441">Retracted Publication</PublicationType>', "")
    paper = parse_efetch(article_set(xml))["90000001"]
    assert paper.retracted and paper.publication_types == ("Journal Article",)


def test_retracted_type_alone_marks_retracted() -> None:
    xml = (FIXTURES / "90000001.xml").read_text(encoding="utf-8")
    xml = xml.replace('RefType="RetractionIn"', 'RefType="CommentIn"')
    paper = parse_efetch(article_set(xml))["90000001"]
    assert paper.retracted and paper.retraction_notices == ()


def test_erratum_and_expression_of_concern_are_kept_apart() -> None:
    paper = fixture("90000002")
    assert not paper.retracted
    assert paper.errata == ("J Fict Test Rec. 2019;4:50",)
    assert paper.concerns == ("J Fict Test Rec. 2020;5:1",)


def test_inline_markup_in_title_is_read_whole() -> None:
    assert fixture("90000001").title == (
        "A FICTIONAL test record: 13C-labelled compound Zeta in imaginary volunteers."
    )


def test_medline_date_gives_year_and_first_month_and_keeps_the_text() -> None:
    assert fixture("90000001").print_date == PubDate(2016, 11, None, "2016 Nov-Dec")


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        (
            "<MedlineDate>1998 Dec-1999 Jan</MedlineDate>",
            PubDate(1998, 12, None, "1998 Dec-1999 Jan"),
        ),
        ("<MedlineDate>2000 Spring</MedlineDate>", PubDate(2000, None, None, "2000 Spring")),
        ("<MedlineDate>Winter 2001</MedlineDate>", PubDate(None, None, None, "Winter 2001")),
        ("<Year>2019</Year><Season>Spring</Season>", PubDate(2019, None, None, "2019 Spring")),
        ("<Year>2018</Year><Month>11</Month><Day>5</Day>", PubDate(2018, 11, 5, "2018 Nov 5")),
        ("<Year>2018</Year><Month>September</Month>", PubDate(2018, 9, None, "2018 Sep")),
        ("<Year>2018</Year>", PubDate(2018, None, None, "2018")),
    ],
)
def test_print_date_shapes(inner: str, expected: PubDate) -> None:
    xml = (FIXTURES / "29923953.xml").read_text(encoding="utf-8")
    xml = xml.replace(
        "<PubDate><Year>2018</Year><Month>Nov</Month></PubDate>", f"<PubDate>{inner}</PubDate>"
    )
    assert parse_efetch(article_set(xml))["29923953"].print_date == expected


def test_authors_skip_invalid_entries_and_keep_collective_names_as_last() -> None:
    paper = fixture("90000001")
    assert paper.authors == (
        Author(
            "Placeholder",
            "A",
            "Alex",
            ("Institute of Imaginary Research, Nowhere.", "Second Imaginary Institute, Nowhere."),
        ),
        Author("Fictional Study Group"),
    )


def test_journal_ids_and_issns_are_read_without_duplicates() -> None:
    paper = fixture("90000001")
    assert paper.nlm_id == "900000001"
    assert paper.issns == ("0000-0019",)  # print ISSN and ISSNLinking are the same


def test_book_article_is_tolerated() -> None:
    paper = fixture("90000003")
    assert paper.is_book
    assert paper.title == "A FICTIONAL chapter on imaginary ketamine dosing"
    assert paper.journal_title == "A Fictional Handbook of Test Records"
    assert paper.print_date == PubDate(2020, 3, None, "2020 Mar")
    assert [a.last for a in paper.authors] == ["Placeholder"]  # chapter authors, not editors
    assert paper.publication_types == ("Review",)
    assert "5 of 10" in paper.abstract


def test_several_records_and_a_delete_citation() -> None:
    records = [
        (FIXTURES / f"{p}.xml").read_text(encoding="utf-8") for p in ("29923953", "90000003")
    ]
    deleted = "<DeleteCitation><PMID Version='1'>1</PMID></DeleteCitation>"
    papers = parse_efetch(article_set(*records, deleted))
    assert sorted(papers) == ["29923953", "90000003"]


def test_empty_article_set_is_an_empty_answer() -> None:
    assert parse_efetch(article_set()) == {}
    assert parse_efetch(b"<PubmedArticleSet/>") == {}


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [BOMB, EXTERNAL_ENTITY], ids=["bomb", "external-entity"])
def test_entities_are_refused(body: str) -> None:
    with pytest.raises(PubMedError, match="refused"):
        parse_efetch(body.encode())


def test_truncated_xml_raises() -> None:
    whole = article_set((FIXTURES / "29923953.xml").read_text(encoding="utf-8"))
    with pytest.raises(PubMedError, match="malformed or truncated"):
        parse_efetch(whole[: len(whole) // 2])


def test_error_envelope_raises_with_ncbi_message() -> None:
    with pytest.raises(PubMedError, match=r"Empty Response.*Timeout"):
        parse_efetch(ERROR_ENVELOPE.encode())


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Down for maintenance</body></html>",
        b"Supplied id parameter is empty.",
        b"",
        b"<PubmedArticleSet><PubmedArticle><PubmedData/></PubmedArticle></PubmedArticleSet>",
    ],
    ids=["html", "plain-text", "empty", "no-citation"],
)
def test_anything_but_an_article_set_raises(body: bytes) -> None:
    with pytest.raises(PubMedError):
        parse_efetch(body)


# --- ESearch JSON -----------------------------------------------------------------------------


def esearch_json(**result: object) -> bytes:
    return json.dumps({"header": {"type": "esearch"}, "esearchresult": result}).encode()


def test_esearch_hits() -> None:
    body = esearch_json(
        count="2",
        retmax="2",
        idlist=["28025837", "29923953"],
        querytranslation='"headache"[Journal] AND 2017[pdat]',
    )
    assert parse_esearch(body) == SearchResult(
        ids=("28025837", "29923953"),
        count=2,
        phrases_not_found=(),
    )


def test_esearch_count_can_exceed_ids() -> None:
    result = parse_esearch(esearch_json(count="1234", idlist=["1", "2"]))
    assert result.count == 1234 and result.ids == ("1", "2")


def test_esearch_no_hit_with_phrases_and_fields_not_found() -> None:
    body = esearch_json(
        count="0",
        idlist=[],
        errorlist={"phrasesnotfound": ["fleegle"], "fieldsnotfound": ["xyz"]},
        warninglist={"outputmessages": ["No items found."]},
    )
    result = parse_esearch(body)
    assert result.ids == () and result.count == 0
    assert result.phrases_not_found == ("fleegle",)
    assert result.fields_not_found == ("xyz",)


@pytest.mark.parametrize(
    "body",
    [
        esearch_json(ERROR="Search Backend failed: Unable to open connection"),
        json.dumps({"error": "API rate limit exceeded", "count": "4", "limit": "3"}).encode(),
        b'{"esearchresult": {"count": "1", "idlist": ["1"]',
        b"<html><body>Blocked</body></html>",
        b"[]",
        json.dumps({"header": {}}).encode(),
        esearch_json(count="many", idlist=[]),
    ],
    ids=["ERROR", "error", "truncated", "html", "not-object", "no-result", "bad-count"],
)
def test_esearch_errors_raise(body: bytes) -> None:
    with pytest.raises(PubMedError):
        parse_esearch(body)


def test_fixture_readme_names_the_stand_in_pmids() -> None:
    readme = (Path(FIXTURES) / "README.md").read_text(encoding="utf-8")
    assert "90000106" in readme and "90000952" in readme


@pytest.mark.parametrize(
    "result",
    [
        SearchResult(("29923953", "28025837"), 2),
        SearchResult((), 0, ("j emerg med",)),
        SearchResult(("1",), 5, (), ("xx",)),
    ],
)
def test_a_remembered_assignment_reads_back_as_stored(result: SearchResult) -> None:
    assert parse_esearch(parse.esearch_json(result)) == result
    assert read_assignment(assignment_json(Assignment(result))) == Assignment(result)


def test_a_search_to_send_alone_is_remembered_as_such() -> None:
    assert read_assignment(assignment_json(Assignment(None))) == Assignment(None)
    with pytest.raises(PubMedError):
        read_assignment(b'{"factcheck": "something else"}')
