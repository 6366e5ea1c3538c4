"""The terminal report (rich): summary, a table of claims, then details of every problem.

Untrusted text is only ever placed in `rich.text.Text` objects, never in markup strings, so
`[bold red]` in a PubMed title prints as those characters; control characters are shown
escaped by `visible()` before they reach the terminal.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from factcheck.models import ClaimResult, Finding, Note, Report, Status
from factcheck.report.text import (
    SYMBOL,
    acceptance_note,
    counted,
    location,
    one_line,
    shorten,
    shown,
    status_counts,
    why,
)

STYLE = {
    Status.VERIFIED: "green",
    Status.UNVERIFIABLE: "yellow",
    Status.MISMATCH: "bold red",
    Status.ERROR: "magenta",
}


def render_terminal(report: Report) -> RenderableType:
    """`report` as rich renderables for a terminal (colour optional: symbols carry status)."""
    parts: list[RenderableType] = [_header(report), _counts(report), Text(""), _table(report)]
    for result in report.results:
        if shown(result):
            parts += [Text(""), *_details(result, report.claims_file)]
    if report.notes:
        parts += [Text(""), *(_note(note) for note in report.notes)]
    return Group(*parts)


def status_text(status: Status) -> Text:
    """ "✗ mismatch" in the status's colour."""
    return Text(f"{SYMBOL[status]} {status.value}", style=STYLE[status])


def _header(report: Report) -> Text:
    src = report.sources
    if src.mode == "pubmed":
        how = f"PubMed via E-utilities (cached {src.cached}, fetched {src.fetched})"
    elif src.mode == "offline":
        how = f"PubMed cache only, --offline (cached {src.cached})"
    else:
        how = "PubMed not consulted"
    if src.unreachable:
        how += " · not all in the cache" if src.not_all_cached else " · PubMed unreachable"
    pieces = [f"factcheck {report.version}", one_line(report.claims_file)]
    if report.article:
        pieces.append(f"article {one_line(report.article)}")
    pieces += [counted(len(report.results), "claim"), how]
    if report.scope:
        pieces.append(one_line(report.scope))
    return Text(" · ".join(pieces), style="bold")


def _counts(report: Report) -> Text:
    line = Text("  ")
    for status, n in status_counts(report):
        line.append(f"{SYMBOL[status]} {n} {status.value}", style=STYLE[status])
        line.append("   ")
    if report.interrupted:
        line.append("(interrupted: the rest not checked)", style="bold yellow")
    return line


def _table(report: Report) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("Claim", no_wrap=True, max_width=32, overflow="ellipsis")
    table.add_column("Status", no_wrap=True)
    table.add_column("Why", overflow="fold", ratio=1)
    for result in report.results:
        status = status_text(result.status)
        if result.waived:
            status.append(f" +{len(result.waived)} accepted", style="dim")
        table.add_row(Text(one_line(result.claim.id)), status, Text(shorten(why(result), 160)))
    return table


def _details(result: ClaimResult, claims_file: str) -> list[RenderableType]:
    claim = result.claim
    title = Text(f"{SYMBOL[result.status]} ", style=STYLE[result.status])
    title.append(one_line(claim.id), style="bold")
    title.append(f"  ({one_line(location(result, claims_file))})", style="dim")
    quote = Text(f"“{one_line(claim.quote)}”", style="italic")
    lines: list[RenderableType] = [title, Padding(quote, (0, 0, 0, 2))]
    if result.source:
        source = Table.grid(padding=(0, 2))
        source.add_column(style="bold", no_wrap=True)
        source.add_column(overflow="fold")
        paper = result.source
        source.add_row("Source", Text(f"{one_line(paper.citation_line)} · PMID {paper.pmid}"))
        lines.append(Padding(source, (0, 0, 0, 2)))
    lines.append(_findings(result.findings))
    return lines


def _findings(findings: tuple[Finding, ...]) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold", ratio=1)
    for finding in findings:
        message = Text(one_line(finding.message))
        if finding.evidence:
            message.append(f"\n(abstract: “{shorten(finding.evidence, 160)}”)", style="dim")
        if finding.accepted:
            style = "bold" if finding.accepted.expired else "dim"
            message.append(f"\n{acceptance_note(finding.accepted)}", style=style)
        style = "dim" if finding.waived else STYLE[finding.status]
        table.add_row(
            Text(SYMBOL[finding.status], style=style),
            Text(one_line(finding.check) + (" (accepted)" if finding.waived else "")),
            message,
        )
    return table


def _note(note: Note) -> Text:
    where = f"{note.path}:{note.line}" if note.line else note.path
    text = Text("warning: ", style="yellow")
    text.append(f"{one_line(where)}: {one_line(note.message)} [{note.check}]")
    return text
