"""`factcheck extract`: a draft claims file that loads as it stands and covers every sentence
that states a figure or names a source; `--merge` adds only what is not yet covered."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factcheck.article import load_article, parse_article
from factcheck.checks.article import match_quotes, uncovered
from factcheck.claims import load_claims
from factcheck.cli import main
from factcheck.numbers import find_mentions
from factcheck.sentences import cited_source, slug, states_something

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "article"
SEED = ROOT.parent / "shared" / "seed" / "ketamine-migraine-article.txt"


def extract(*args: str) -> Result:
    return CliRunner().invoke(main, ["extract", *args])


def draft_of(article: Path, tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "draft.yaml"
    result = extract(str(article), "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return out


def assert_covers_every_figure(article_path: Path, draft: Path) -> None:
    """Every sentence stating a figure has a claim in `draft`, and nothing is left uncovered."""
    claims = load_claims(draft)
    article = load_article(article_path)
    matches = match_quotes(claims.claims, article)
    assert all(m.finding.status.value == "verified" for m in matches.values())
    covered = {i for m in matches.values() for i in m.sentences}
    for i, sentence in enumerate(article.sentences):
        if find_mentions(sentence.text):
            assert i in covered, sentence.text
    assert uncovered(article, matches.values()) == []


def test_cites_what_the_sentence_names() -> None:
    assert cited_source(
        "For instance, a case series featured in the December 2016 edition of the Journal of "
        "Headache and Pain reported that six individuals improved."
    ) == {"journal": "Journal of Headache and Pain", "year": 2016, "month": "December"}
    assert cited_source(
        "According to Dr. Eric Schwenk, Director at Thomas Jefferson University Hospital in "
        "Philadelphia, it works."
    ) == {"authors": ["Schwenk"], "affiliation": "Thomas Jefferson University Hospital"}
    assert cited_source("Smith et al. found 40% relief in 2000 patients.") == {"authors": ["Smith"]}
    assert cited_source("Migraine hurts; 40% of people agree.") == {}


def test_what_needs_a_claim() -> None:
    assert states_something("Around one in four households is affected.")
    assert states_something("According to the Migraine Research Foundation, it is common.")
    assert states_something("The findings indicated a benefit.")
    assert not states_something("If you have had a migraine headache, you know the pain.")
    assert slug("According to the Migraine Research Foundation’s data, 40% agree.") == (
        "migraine-research-foundation-data-40"
    )


def test_draft_of_the_test_article_is_valid_and_complete(tmp_path: Path) -> None:
    draft = draft_of(FIXTURE / "article.md", tmp_path)
    claims = load_claims(draft)
    assert claims.article is not None
    assert (draft.parent / claims.article).resolve() == (FIXTURE / "article.md").resolve()
    assert [c.id for c in claims.claims] == [
        "retrospective-analysis-thomas-jefferson",
        "among-sixty-one-participants-forty",
        "about-40-percent-kept-relief",
        "relief-usually-begins-within-day",
    ]
    first = claims.claims[0].cite
    assert first is not None
    assert (first.journal, first.year, first.affiliation) == (
        "Regional Anesthesia & Pain Medicine",
        2018,
        "Thomas Jefferson University",
    )
    assert_covers_every_figure(FIXTURE / "article.md", draft)


def test_draft_article_path_is_relative_to_the_draft(tmp_path: Path) -> None:
    article = tmp_path / "docs" / "a.md"
    article.parent.mkdir()
    article.write_text("We saw 12 patients.\n", encoding="utf-8")
    draft = draft_of(article, tmp_path)
    assert load_claims(draft).article == "docs/a.md"


def test_quotes_may_hold_anything(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        'He said: "12 of 20 #patients - {relapsed}: [yes]" & more!\n\n'
        "- id: fake\n  quote: 'x' was 5%.\n",
        encoding="utf-8",
    )
    draft = draft_of(article, tmp_path)
    assert_covers_every_figure(article, draft)


@pytest.mark.skipif(not SEED.exists(), reason="shared/seed is not beside the repository")
def test_seed_article_draft(tmp_path: Path) -> None:
    draft = draft_of(SEED, tmp_path)
    claims = load_claims(draft)
    assert len(claims.claims) == 20
    cohort = next(c for c in claims.claims if c.quote.startswith("Over a span of three years"))
    assert cohort.cite is not None and cohort.cite.journal == "Regional Anesthesia & Pain Medicine"
    assert_covers_every_figure(SEED, draft)


@pytest.mark.skipif(not SEED.exists(), reason="shared/seed is not beside the repository")
def test_seed_claims_already_cover_the_seed_article() -> None:
    result = extract(str(SEED), "--merge", str(ROOT / "claims.yaml"))
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "claims.yaml").read_text(encoding="utf-8")
    assert "drafted 0 claims" in result.stderr


def test_merge_adds_only_new_sentences_and_keeps_comments(tmp_path: Path) -> None:
    article = tmp_path / "article.md"
    text = (FIXTURE / "article.md").read_text(encoding="utf-8")
    article.write_text(text + "\nA later survey of 300 readers agreed.\n", encoding="utf-8")
    claims = tmp_path / "claims.yaml"
    claims.write_text((FIXTURE / "claims.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = extract(str(article), "--merge", str(claims), "-o", str(claims))
    assert result.exit_code == 0, result.output
    merged = claims.read_text(encoding="utf-8")
    assert merged.startswith((FIXTURE / "claims.yaml").read_text(encoding="utf-8"))
    loaded = load_claims(claims)
    assert [c.id for c in loaded.claims][-1] == "later-survey-300-readers-agreed"
    assert len(loaded.claims) == 5
    assert_covers_every_figure(article, claims)


def test_html_article(tmp_path: Path) -> None:
    article = tmp_path / "a.html"
    article.write_text(
        "<html><body><h1>News</h1><p>A <em>trial</em> in <b>The Lancet</b> (2021) enrolled "
        "1,204 adults.</p><script>var n = 5;</script><p>No numbers here.</p></body></html>",
        encoding="utf-8",
    )
    draft = draft_of(article, tmp_path)
    (claim,) = load_claims(draft).claims
    assert claim.quote == "A trial in The Lancet (2021) enrolled 1,204 adults."
    assert claim.cite is not None and claim.cite.year == 2021


def test_missing_article_is_exit_2(tmp_path: Path) -> None:
    result = extract(str(tmp_path / "nope.md"))
    assert result.exit_code == 2
    assert result.output.strip() == f"{tmp_path / 'nope.md'}: no such file"


def test_parse_then_draft_never_breaks_the_loader(tmp_path: Path) -> None:
    article = parse_article("Über 5 Patienten: “ok” — yes.\n\n\tTabbed 7 lines.", "x.txt")
    assert [s.text for s in article.sentences] == [
        "Über 5 Patienten: “ok” — yes.",
        "Tabbed 7 lines.",
    ]
