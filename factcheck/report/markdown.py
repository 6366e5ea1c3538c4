"""The markdown report: a summary, a table of claims, then the evidence for each problem.

Every piece of untrusted text (quotes, titles, messages) goes through `md()`, so a `|`, a
`<script>` or a `[link](…)` in a claim or a PubMed record comes out as text.
"""

from __future__ import annotations

import html
import re

from factcheck.models import ClaimResult, Finding, Note, Paper, Report, Status
from factcheck.report.text import acceptance_note, counted, one_line, shown, status_counts, why

ICON = {
    Status.VERIFIED: "✅",
    Status.UNVERIFIABLE: "❔",
    Status.MISMATCH: "❌",
    Status.ERROR: "⚠️",
}
# Inline markdown only: untrusted text never starts a line, so block syntax (#, -, 1.) is inert.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """`text` on one line, safe inside markdown (and the HTML it may become)."""
    escaped = html.escape(one_line(text), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def render_markdown(report: Report) -> str:
    """`report` as GitHub-flavoured markdown, fit for a pull-request comment."""
    lines = [f"# Fact-check report: {md(report.claims_file)}", "", _summary(report), ""]
    if report.interrupted:
        lines += ["**Interrupted:** claims marked *not checked* were not reached.", ""]
    if report.scope:
        lines += [f"**Scope:** {md(report.scope)}", ""]
    lines += ["| Claim | Status | Why |", "|---|---|---|"]
    lines += [f"| {md(r.claim.id)} | {_status(r)} | {md(why(r))} |" for r in report.results]
    for result in report.results:
        if shown(result):
            lines += ["", *_details(result, report.claims_file)]
    if report.notes:
        lines += ["", "## Accept file", "", *(_note(note) for note in report.notes)]
    verified = [r for r in report.results if r.status is Status.VERIFIED]
    if verified:
        lines += ["", "## ✅ Verified", ""]
        lines += [f"- **{md(r.claim.id)}**: {md(why(r))}" for r in verified]
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> str:
    parts = [counted(len(report.results), "claim")]
    for status, n in status_counts(report):
        text = f"{n} {status.value}"
        parts.append(f"**{text}**" if status is Status.MISMATCH and n else text)
    if report.accepted:
        parts.append(f"{report.accepted} accepted")
    pubmed = "the PubMed cache (--offline)" if report.sources.mode == "offline" else "PubMed"
    against = pubmed + (f" and {md(report.article)}" if report.article else "")
    return " · ".join(parts) + f" · checked {report.checked_on} against {against}"


def _status(result: ClaimResult) -> str:
    accepted = f" · {len(result.waived)} accepted" if result.waived else ""
    return f"{ICON[result.status]} {result.status.value}{accepted}"


def _details(result: ClaimResult, claims_file: str) -> list[str]:
    claim = result.claim
    lines = [
        f"## {ICON[result.status]} {md(claim.id)}",
        "",
        f"In {md(claim.file or claims_file)}, line {claim.line}:",
        "",
        f"> {md(claim.quote)}",
        "",
    ]
    if result.source:
        lines += [_source(result.source), ""]
    lines += ["| Check | Result | Detail |", "|---|---|---|"]
    lines += [_finding_row(f) for f in result.findings]
    return lines


def _source(paper: Paper) -> str:
    return f"**Source:** {md(paper.citation_line)} [PMID {md(paper.pmid)}]({paper.url})"


def _finding_row(finding: Finding) -> str:
    detail = md(finding.message)
    if finding.evidence:
        detail += f"<br>*Abstract:* “{md(finding.evidence)}”"
    if finding.accepted:
        detail += f"<br>*{md(acceptance_note(finding.accepted))}*"
    result = ICON[finding.status] + (" accepted" if finding.waived else "")
    return f"| {md(finding.check)} | {result} | {detail} |"


def _note(note: Note) -> str:
    where = f"{note.path}:{note.line}" if note.line else note.path
    return f"- ⚠️ {md(where)}: {md(note.message)} ({md(note.check)})"
