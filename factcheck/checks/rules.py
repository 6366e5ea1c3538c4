"""The catalogue of checks: one stable dotted name and a description each.

SARIF turns each entry into a rule; the accept file refuses a check name that is not here
(with a "did you mean"), so a typo cannot silently accept nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """What a check looks at, in a sentence, and what its failure means."""

    name: str
    summary: str
    help: str


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "figure.arithmetic",
            "A rate's percentage fits its counts",
            "GRIM-style: 77% stands for 76.5-77.5%, so 48 of 61 (78.7%) is not 77%.",
        ),
        Rule(
            "figure.present",
            "Each figure of the quote is stated in the source's title or abstract",
            "Unverifiable when absent: the full text may have it.",
        ),
        Rule(
            "source.resolve",
            "The cited source is found in PubMed",
            "Unverifiable when nothing is cited, nothing matches, several papers match "
            "equally or PubMed cannot be reached; a mismatch when a cited PMID does not exist.",
        ),
        Rule("source.retracted", "The source is not retracted", "A retracted source fails."),
        Rule("source.erratum", "Errata published for the source", "Noted, never failing."),
        Rule(
            "source.concern",
            "No expression of concern about the source",
            "An expression of concern leaves the claim unverifiable.",
        ),
        Rule("cite.journal", "The cited journal is the paper's", "Names the real journal."),
        Rule("cite.year", "The cited year fits the print or online date", ""),
        Rule("cite.month", "The cited month fits the print or online date", ""),
        Rule("cite.volume", "The cited volume is the paper's", ""),
        Rule(
            "cite.pages",
            "The cited pages are the paper's",
            "The first page must match, and the last page when both give one (642-647 = 642-7).",
        ),
        Rule("cite.authors", "Each cited author is on the paper", ""),
        Rule("cite.title", "The cited title is the paper's", ""),
        Rule(
            "cite.affiliation",
            "The cited institution is among the authors' affiliations",
            "Unverifiable when absent: PubMed affiliations are often incomplete.",
        ),
        Rule(
            "quote.in_article",
            "The claim's quote is still in the article",
            "Whitespace, case, curly quotes and dashes aside; the finding shows the article's "
            "closest passage now, so an edited figure fails until the claim is updated.",
        ),
        Rule(
            "article.uncovered",
            "Every article sentence that states a figure or names a source has a claim",
            "`factcheck extract ARTICLE --merge CLAIMS` drafts the missing claims.",
        ),
        Rule(
            "accept.unused",
            "Every accept-file entry still matches a finding",
            "Remove entries that match nothing, so the file does not rot.",
        ),
    )
}
