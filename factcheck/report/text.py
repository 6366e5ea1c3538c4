"""Making untrusted text safe and short, shared by every renderer."""

from __future__ import annotations

import re

from factcheck.models import Acceptance, ClaimResult, Finding, Report, Status

# C0 and C1 controls (ESC starts terminal sequences, \r rewrites a line, U+009B is an 8-bit
# ESC [) and the bidi controls that can make text read differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves raw although a terminal may act on it.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")

SYMBOL = {
    Status.VERIFIED: "✓",
    Status.UNVERIFIABLE: "?",
    Status.MISMATCH: "✗",
    Status.ERROR: "!",
}


def visible(text: str) -> str:
    """`text` with control characters shown as `\\x1b`-style escapes, never executed."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def json_escaped(document: str) -> str:
    """JSON text with DEL, C1 and bidi controls written as `\\u009b`-style escapes: the
    same data once parsed, but inert when the document itself is printed to a terminal."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def status_counts(report: Report) -> list[tuple[Status, int]]:
    """The claims per status, in the order every report gives them: mismatch, unverifiable,
    verified, then error only when there is one."""
    order = (Status.MISMATCH, Status.UNVERIFIABLE, Status.VERIFIED, Status.ERROR)
    counts = [(status, report.count(status)) for status in order]
    return [(status, n) for status, n in counts if n or status is not Status.ERROR]


def counted(n: int, word: str, plural: str = "") -> str:
    """ "1 claim", "2 claims" ("1 mismatch", "2 mismatches" with `plural`)."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def one_line(text: str) -> str:
    """`text` made visible and folded onto one line."""
    return _SPACE.sub(" ", visible(text)).strip()


def shorten(text: str, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    line = one_line(text)
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def headline(result: ClaimResult) -> Finding | None:
    """The finding that explains a claim's status: the first of the worst ones not accepted."""
    for finding in result.findings:
        if finding.status is result.status and not finding.waived:
            return finding
    return None


def why(result: ClaimResult) -> str:
    """One line saying why a claim has its status (or that its failures were accepted)."""
    finding = headline(result)
    if result.status is not Status.VERIFIED and finding is not None:
        return one_line(finding.message)
    if result.waived:
        return one_line(f"accepted: {result.waived[0].message}")
    if result.source is not None:
        paper = result.source
        where = paper.journal_medline_ta or paper.journal_iso or paper.journal_title
        parts = [f"{where} {paper.year or ''}".strip(), f"PMID {paper.pmid}"]
        parts += [f.message for f in result.findings if f.check == "figure.present"]
        return one_line(" · ".join(parts))
    checked = ", ".join(sorted({f.check for f in result.findings}))
    return f"all checks hold ({checked})" if checked else "nothing to check"


def acceptance_note(acceptance: Acceptance) -> str:
    """ "accepted by J. Editor: reason (file:7)" or "acceptance expired 2026-01-01 (…)"."""
    who = f"{one_line(acceptance.by)}: {one_line(acceptance.reason)}"
    if acceptance.expired:
        return f"acceptance expired {acceptance.expires} ({who}; {acceptance.entry})"
    until = f", until {acceptance.expires}" if acceptance.expires else ""
    return f"accepted by {who} ({acceptance.entry}{until})"


LEVEL = {Status.MISMATCH: "error", Status.ERROR: "error", Status.UNVERIFIABLE: "warning"}
"""How CI annotations (GitHub, SARIF) grade a finding that is not verified."""


def where(result: ClaimResult, claims_file: str, finding: Finding | None = None) -> tuple[str, int]:
    """The file and line a finding (or, without one, its claim) points at: the claims file,
    or the article for a sentence no claim covers; the finding's own line when it has one."""
    line = finding.line if finding is not None and finding.line else result.claim.line
    return result.claim.file or claims_file, line


def location(result: ClaimResult, claims_file: str) -> str:
    """ "claims.yaml:12", or "article.md:14" for a sentence no claim covers."""
    path, line = where(result, claims_file)
    return f"{path}:{line}"


def shown(result: ClaimResult) -> bool:
    """Whether a claim gets a detail section: anything not verified, or anything accepted."""
    return result.status is not Status.VERIFIED or bool(result.waived)
