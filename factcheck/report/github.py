"""GitHub Actions workflow commands: one annotation per finding, on the claim's line.

`::error` for a mismatch, `::warning` for what could not be verified, `::notice` for an
accepted finding. Data is escaped as the runner requires (`%`, CR, LF) and properties also
escape `:` and `,`, so no quote, title or message can end a command or start another.
"""

from __future__ import annotations

from collections.abc import Iterator

from factcheck.models import ClaimResult, Finding, Note, Report, Status
from factcheck.report.text import LEVEL, acceptance_note, status_counts, visible, where


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped; other controls made visible."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(text)


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int) -> str:
    """ "::error file=claims.yaml,line=12,title=figure.arithmetic::48/61 is 78.7%25, …"."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{level} {props}::{escape_data(message)}"


def render_github(report: Report) -> str:
    """`report` as workflow commands, then one plain summary line for the log."""
    lines = [line for result in report.results for line in _annotations(result, report)]
    lines += [_note(note) for note in report.notes]
    counts = ", ".join(f"{n} {status.value}" for status, n in status_counts(report))
    tail = f", {report.accepted} accepted" if report.accepted else ""
    lines.append(f"factcheck: {visible(report.claims_file)}: {counts}{tail}")
    return "\n".join(lines) + "\n"


def _annotations(result: ClaimResult, report: Report) -> Iterator[str]:
    for finding in result.findings:
        if finding.status is Status.VERIFIED:
            continue
        level = "notice" if finding.waived else LEVEL[finding.status]
        title = finding.check + (" (accepted)" if finding.waived else "")
        path, line = where(result, report.claims_file, finding)
        yield command(level, _message(finding), file=path, line=line, title=title)


def _message(finding: Finding) -> str:
    parts = [finding.message]
    if finding.evidence:
        parts.append(f"abstract: “{finding.evidence}”")
    if finding.accepted:
        parts.append(acceptance_note(finding.accepted))
    return "\n".join(parts)


def _note(note: Note) -> str:
    where: dict[str, str | int] = {"file": note.path}
    if note.line:
        where["line"] = note.line
    return command("warning", note.message, **where, title=note.check)
