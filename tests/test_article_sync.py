"""Article sync: quotes must still be in the article; sentences that state something need a
claim. Run on tests/fixtures/article/ (a markdown article written for these tests), edited."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factcheck.article import normalise, parse_article
from factcheck.checks.article import match_quote, match_quotes, uncovered
from factcheck.claims import load_claims
from factcheck.cli import main
from factcheck.models import Claim, Status

FIXTURE = Path(__file__).parent / "fixtures" / "article"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the test article and its claims, free to edit."""
    for name in ("article.md", "claims.yaml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def verify(project: Path, *args: str) -> Result:
    """`factcheck verify claims.yaml ARGS` run in `project`."""
    cache = ["--cache-dir", str(project / "cache")]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        return CliRunner().invoke(main, ["verify", "claims.yaml", *cache, *args])


def claim_line(project: Path, claim_id: str) -> int:
    return next(c.line for c in load_claims(project / "claims.yaml").claims if c.id == claim_id)


# --------------------------------------------------------------------------- reading articles


def test_normalise_folds_case_quotes_dashes_and_wraps() -> None:
    assert normalise("“Forty–eight”\n  of\u00a0THE   sixty‑one") == '"forty-eight" of the sixty-one'
    assert normalise("48 — 61") == normalise("48-61")


def test_markdown_syntax_is_stripped_and_lines_kept() -> None:
    text = "# Title 5\n\nSome **bold** and [a link](http://x.org) with `code`, 12 mg.\n"
    text += "> Quoted 3 times.\n\n1. First 4 items\n2. Second\n\n| a | 7 |\n|---|---|\n"
    article = parse_article(text, "a.md", "markdown")
    assert [(s.line, s.text) for s in article.sentences] == [
        (1, "Title 5"),
        (3, "Some bold and a link with code, 12 mg."),
        (4, "Quoted 3 times."),
        (6, "First 4 items"),
        (7, "Second"),
        (9, "a 7"),
    ]


def test_ordered_list_marker_only_after_a_blank_line() -> None:
    text = "Published in a journal in\n2018. The study had 61 patients.\n"
    article = parse_article(text, "a.md", "markdown")
    assert article.sentences[0].text == "Published in a journal in 2018."


def test_html_is_stripped_with_lines() -> None:
    text = (
        "<html><head><title>T 1</title><script>var x = 99;</script></head><body>\n"
        "<h1>Head</h1><p>The <b>77%</b> rate\nwas high &amp; real.</p>\n<p>Next 5.</p>\n"
        "</body></html>"
    )
    article = parse_article(text, "a.html", "html")
    assert [(s.line, s.text) for s in article.sentences] == [
        (2, "Head"),
        (2, "The 77% rate was high & real."),
        (4, "Next 5."),
    ]


def test_plain_text_wraps_are_one_sentence() -> None:
    article = parse_article("One line\nwraps here. Another 5.\n\nNew para.", "a.txt")
    assert [(s.line, s.text) for s in article.sentences] == [
        (1, "One line wraps here."),
        (2, "Another 5."),
        (4, "New para."),
    ]


# --------------------------------------------------------------------------- quotes


def test_every_fixture_quote_is_in_the_fixture_article() -> None:
    claims = load_claims(FIXTURE / "claims.yaml")
    article = parse_article((FIXTURE / "article.md").read_text(), "article.md", "markdown")
    matches = match_quotes(claims.claims, article)
    assert {k: m.finding.status for k, m in matches.items()} == dict.fromkeys(
        ("jefferson-analysis", "jefferson-responders", "sustained-relief", "relief-onset"),
        Status.VERIFIED,
    )
    assert matches["jefferson-responders"].lines == (12, 13)
    assert uncovered(article, matches.values()) == []


def test_a_quote_with_an_ellipsis_matches_its_pieces_in_order() -> None:
    article = parse_article("Among the 61 people, 47 responded well. That is 77%.", "a.txt")
    claim = Claim("c", "Among the 61 people ... That is 77%.", 1)
    assert match_quote(claim, article).finding.status is Status.VERIFIED
    backwards = Claim("c", "That is 77% ... Among the 61 people", 1)
    assert match_quote(backwards, article).finding.status is Status.MISMATCH


def test_an_edited_figure_names_the_closest_sentence_and_the_change() -> None:
    article = parse_article("Intro here.\n\nOf 61 patients, 47 (80%) responded.", "a.txt")
    finding = match_quote(Claim("c", "Of 61 patients, 47 (77%) responded.", 4), article).finding
    assert finding.status is Status.MISMATCH
    assert finding.message == (
        "quote is no longer in a.txt; line 3 now reads “Of 61 patients, 47 (80%) responded.” "
        "(“(77%)” → “(80%)”)"
    )
    assert finding.found == "Of 61 patients, 47 (80%) responded."


def test_a_deleted_sentence_says_so() -> None:
    article = parse_article("Ketamine is an anaesthetic. Costs vary by clinic.", "a.txt")
    finding = match_quote(Claim("c", "Among the 61 participants, 47 responded.", 4), article)
    assert finding.finding.status is Status.MISMATCH
    assert finding.finding.message == "quote is no longer in a.txt, and nothing there is like it"
    assert finding.sentences == ()


# --------------------------------------------------------------------------- end to end


def test_unchanged_article_passes(project: Path) -> None:
    result = verify(project, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["article"] == "article.md"
    for claim in document["claims"]:
        assert claim["findings"][0]["check"] == "quote.in_article"
        assert claim["findings"][0]["status"] == "verified"


def test_changed_figure_fails_ci_on_the_claims_line(project: Path) -> None:
    edit(project / "article.md", "a **77%**", "a **80%**")
    result = verify(project, "--format", "github")
    assert result.exit_code == 1
    line = claim_line(project, "jefferson-responders")
    assert (
        f"::error file=claims.yaml,line={line},title=quote.in_article::quote is no longer in "
        "article.md; line 12 now reads “Among the sixty-one participants, forty-seven responded "
        "to the infusions – a 80%25 response rate.” (“77%25” → “80%25”)"
    ) in result.stdout.splitlines()


def test_deleted_sentence_and_uncited_figure(project: Path) -> None:
    edit(project / "article.md", "About 40% kept their relief at follow-up.", "")
    edit(
        project / "article.md",
        "An inpatient course costs far more",
        "A five-day inpatient course costs about 12,000 dollars, far more",
    )
    result = verify(project, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    by_id = {c["id"]: c for c in document["claims"]}
    gone = by_id["sustained-relief"]["findings"][0]
    assert gone["status"] == "mismatch"
    assert gone["message"].startswith("quote is no longer in")
    pseudo = [c for c in document["claims"] if c["id"].startswith("article:")]
    assert len(pseudo) == 1
    assert pseudo[0]["file"] == "article.md"
    assert pseudo[0]["line"] == 23
    assert pseudo[0]["status"] == "unverifiable"
    assert pseudo[0]["findings"][0]["check"] == "article.uncovered"
    assert "states 5 days, about 12,000" in pseudo[0]["findings"][0]["message"]


def test_uncovered_sentence_fails_only_with_fail_on_unverifiable(project: Path) -> None:
    (project / "claims.yaml").write_text(
        "article: article.md\nclaims:\n  - id: only\n    quote: About 40% kept their relief "
        "at follow-up.\n    cite: {pmid: '1'}\n",
        encoding="utf-8",
    )
    result = verify(project, "--offline", "--format", "github")
    annotations = [line for line in result.stdout.splitlines() if "article.uncovered" in line]
    assert len(annotations) == 3  # analysis, responders, onset
    assert all(a.startswith("::warning file=") for a in annotations)


def test_article_flag_overrides_the_claims_file(project: Path) -> None:
    other = project / "other.txt"
    other.write_text("Nothing of the sort.\n", encoding="utf-8")
    result = verify(project, "--article", str(other), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["article"] == str(other)
    assert "quote is no longer in " + str(other) in result.stdout


def test_missing_article_is_an_input_error(project: Path) -> None:
    (project / "article.md").unlink()
    result = verify(project)
    assert result.exit_code == 2
    assert result.output.strip() == "article.md: no such file"


def test_accepting_the_changed_figure_passes(project: Path) -> None:
    edit(project / "article.md", "a **77%**", "a **80%**")
    assert verify(project, "--format", "github").exit_code == 1
    (project / "factcheck-accept.yaml").write_text(
        "accept:\n  - claim: jefferson-responders\n    check: quote.in_article\n"
        "    reason: the editor rounded up on purpose; the claim is updated next week\n"
        "    by: M. Writer\n    expires: 2999-01-01\n",
        encoding="utf-8",
    )
    result = verify(project, "--format", "github")
    assert result.exit_code == 0, result.output
    line = claim_line(project, "jefferson-responders")
    notice = f"::notice file=claims.yaml,line={line},title=quote.in_article (accepted)::"
    assert any(out.startswith(notice) for out in result.stdout.splitlines())
