"""PubMed queries built from citations, and telling locally which records they match."""

from __future__ import annotations

from dataclasses import replace

import pytest
from papers import LAURITSEN_2016, NIESTERS_2014, POMEROY_2017, SCHWENK_2018

from factcheck.models import Author, Citation, PubDate
from factcheck.pubmed.search_terms import (
    AuthorClause,
    Match,
    Query,
    Searchable,
    WordClause,
    YearsClause,
    doi_query,
    fields_query,
    pmcid_query,
)


def match(query: Query | None, paper: object) -> Match:
    assert query is not None
    return query.match(Searchable.of(paper))  # type: ignore[arg-type]


def test_a_field_search_matches_the_cited_paper_and_not_its_neighbours() -> None:
    cited = Citation(journal="Regional Anesthesia & Pain Medicine", year=2018, authors=("Schwenk",))
    query = fields_query(cited, [], with_journal=True)
    assert query is not None
    assert query.term == '"Reg Anesth Pain Med"[ta] AND 2017:2019[dp] AND Schwenk[au]'
    assert match(query, SCHWENK_2018) is Match.YES
    assert match(query, POMEROY_2017) is Match.NO  # Headache, and no Schwenk
    assert match(query, replace(SCHWENK_2018, print_date=PubDate(2015))) is Match.YES  # e-pub 2018
    electronic_only = replace(SCHWENK_2018, print_date=PubDate(2021), electronic_date=None)
    assert match(query, electronic_only) is Match.NO


def test_topic_words_inside_a_journal_are_any_of_them() -> None:
    cited = Citation(journal="Journal of Headache and Pain", year=2016)
    query = fields_query(cited, ["six patients had IV ketamine for chronic migraine"], True)
    assert query is not None
    assert query.term == (
        '"J Headache Pain"[ta] AND 2015:2017[dp] AND '
        "(ketamine*[tiab] OR migraine*[tiab] OR chronic*[tiab])"
    )
    assert match(query, LAURITSEN_2016) is Match.YES
    no_topic = replace(LAURITSEN_2016, title="Case series.", abstract="Six patients improved.")
    assert match(query, no_topic) is Match.NO


def test_words_are_matched_as_prefixes_of_whole_words() -> None:
    record = Searchable.of(replace(NIESTERS_2014, title="Esketamine and pain", abstract=""))
    assert WordClause("ketamine", "ti").match(record) is Match.NO  # inside "esketamine"
    assert WordClause("esketam", "ti").match(record) is Match.YES
    assert WordClause("ketamine", "tiab").match(Searchable.of(NIESTERS_2014)) is Match.YES


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Kaufer", Match.YES),  # diacritics folded: Käufer
        ("Kaufer T", Match.YES),
        ("Kaufer TX", Match.NO),
        ("Herzog", Match.YES),
        ("van der Berg", Match.NO),
    ],
)
def test_author_surname_and_initials(name: str, expected: Match) -> None:
    paper = replace(SCHWENK_2018, authors=(Author("Käufer", "T"), Author("Herzog", "J")))
    assert AuthorClause(name).match(Searchable.of(paper)) is expected


def test_a_particle_surname_is_one_quoted_phrase() -> None:
    clause = AuthorClause("van der Berg")
    assert clause.term == '"van der Berg"[au]'
    paper = replace(SCHWENK_2018, authors=(Author("van der Berg", "A"),))
    assert clause.match(Searchable.of(paper)) is Match.YES


def test_a_free_text_date_spanning_two_years_is_unsure() -> None:
    spanning = replace(SCHWENK_2018, print_date=PubDate(2016, text="2016 Dec-2017 Jan"))
    spanning = replace(spanning, electronic_date=None)
    record = Searchable.of(spanning)
    assert YearsClause(2016, 2016).match(record) is Match.YES
    assert YearsClause(2017, 2019).match(record) is Match.UNSURE  # PubMed may index 2017 too
    undated = replace(spanning, print_date=PubDate())
    assert YearsClause(2017, 2019).match(Searchable.of(undated)) is Match.UNSURE


def test_a_record_without_journal_names_is_unsure_for_a_journal_search() -> None:
    query = fields_query(Citation(journal="Headache", year=2017), ["ketamine"], True)
    nameless = replace(POMEROY_2017, journal_title="", journal_iso="", journal_medline_ta="")
    assert match(query, nameless) is Match.UNSURE
    assert match(query, POMEROY_2017) is Match.YES


def test_identifier_searches_match_the_record_that_has_the_identifier() -> None:
    by_doi = doi_query("https://doi.org/10.1111/BCP.12094")
    assert by_doi.term == '"10.1111/bcp.12094"[doi]'
    assert by_doi.identifies and by_doi.narrow
    assert match(by_doi, NIESTERS_2014) is Match.YES
    assert match(by_doi, SCHWENK_2018) is Match.NO
    assert match(pmcid_query("pmc4014022"), NIESTERS_2014) is Match.YES


def test_narrow_searches_are_those_a_journal_author_title_or_identifier_limits() -> None:
    quotes = ["ketamine infusions for refractory headache"]
    assert fields_query(Citation(journal="Headache"), quotes, True).narrow  # type: ignore[union-attr]
    assert fields_query(Citation(authors=("Pomeroy",), year=2017), [], True).narrow  # type: ignore[union-attr]
    assert fields_query(Citation(title="Ketamine infusions"), [], True).narrow  # type: ignore[union-attr]
    topic_only = fields_query(Citation(journal="Headache"), quotes, with_journal=False)
    assert topic_only is not None and not topic_only.narrow
    # "headache" names the cited journal here, so it is no topic word
    assert topic_only.term == "refracto*[tiab] AND infusion*[tiab] AND ketamine*[tiab]"


def test_quoted_phrases_are_listed_for_unknown_phrase_reports() -> None:
    query = fields_query(Citation(journal="Journal of Ketamine Studies", year=2019), ["x"], True)
    assert query is not None and query.in_journal
    assert query.phrases == {"journal of ketamine studies"}
