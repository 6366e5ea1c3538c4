"""`factcheck show PMID|DOI`: one PubMed record, as the checks see it."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from factcheck.checks.arithmetic import check_rate
from factcheck.cli import EXIT_FINDINGS, EXIT_OK
from factcheck.cli.source import open_client
from factcheck.errors import InputError
from factcheck.identifiers import bare_doi, normalise_doi
from factcheck.journals import journal_forms
from factcheck.models import Paper, PubDate, Status
from factcheck.numbers import find_mentions, read_figures
from factcheck.pubmed.client import EutilsClient
from factcheck.report.text import one_line


def run_show(identifier: str, network: Mapping[str, object]) -> int:
    """Print the record named by `identifier`; 1 when there is none."""
    console = Console(highlight=False)
    with open_client(network) as client:
        paper = find_record(client, identifier.strip())
    if paper is None:
        console.print(Text(f"No PubMed record for {one_line(identifier)}."))
        return EXIT_FINDINGS
    console.print(record_table(paper))
    return EXIT_OK


def find_record(client: EutilsClient, identifier: str) -> Paper | None:
    """The paper with this PMID or DOI (a DOI hit must carry that very DOI)."""
    if identifier.isdigit():
        return client.fetch([identifier]).get(identifier)
    doi = bare_doi(identifier)
    if not doi.startswith("10."):
        raise InputError(f"'{identifier}' is neither a PMID (digits) nor a DOI (10.…)")
    result = client.search(f'"{doi}"[doi]')
    papers = client.fetch(list(result.ids)) if result.ids else {}
    wanted = normalise_doi(doi)
    return next((p for p in papers.values() if p.doi and normalise_doi(p.doi) == wanted), None)


def record_table(paper: Paper) -> Table:
    """The record's fields, each as plain text (never markup)."""
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in record_rows(paper):
        table.add_row(label, Text(value))
    return table


def record_rows(paper: Paper) -> list[tuple[str, str]]:
    """(label, value) pairs for `show`."""
    mentions = find_mentions(f"{paper.title}\n{paper.abstract}")
    rows = [
        ("PMID", paper.pmid),
        ("DOI", paper.doi or "—"),
        ("PMCID", paper.pmcid or "—"),
        ("Title", paper.title),
        ("Journal", paper.journal_title),
        ("Journal forms", " · ".join(sorted(journal_forms(paper)))),
        ("Print date", _date(paper.print_date)),
        ("Online date", _date(paper.electronic_date)),
        ("Volume(issue):pages", f"{paper.volume}({paper.issue}):{paper.pages}"),
        ("Authors", ", ".join(f"{a.last} {a.initials}".strip() for a in paper.authors)),
        ("Affiliations", " | ".join(sorted({x for a in paper.authors for x in a.affiliations}))),
        ("Publication types", ", ".join(paper.publication_types)),
        ("Retracted", "yes: " + "; ".join(paper.retraction_notices) if paper.retracted else "no"),
        ("Errata", "; ".join(paper.errata) or "none"),
        ("Expressions of concern", "; ".join(paper.concerns) or "none"),
        ("Figures in abstract", ", ".join(m.figure.text for m in mentions) or "none"),
        ("Rates in abstract", _rates(paper.abstract)),
        ("URL", paper.url),
    ]
    return [(label, one_line(value)) for label, value in rows]


def _rates(abstract: str) -> str:
    """Each rate the abstract states, with its arithmetic verdict."""
    verdicts = []
    for rate in read_figures(abstract)[1]:  # the whole text: a total may be a sentence back
        finding = check_rate(rate)
        mark = "✗ " + finding.message if finding.status is Status.MISMATCH else "✓"
        verdicts.append(f"{rate.text or f'{rate.count}/{rate.total}'} {mark}")
    return "; ".join(verdicts) or "none"


def _date(date: PubDate | None) -> str:
    if date is None:
        return "—"
    return date.text or " ".join(str(x) for x in (date.year, date.month, date.day) if x)
