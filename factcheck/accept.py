"""Accepted findings: load the accept file, mark the findings it waives, list stale entries.

```yaml
accept:
  - claim: jefferson-responders       # claim id (or an `article:` pseudo-claim id)
    check: figure.arithmetic          # the check whose finding is accepted
    reason: "77% is 47/61 in Table 2; the abstract rounds differently"
    by: J. Editor                     # who accepted it
    expires: 2026-06-30               # optional: fails again after this day
    message: "48/61"                  # optional: only findings whose message contains this
```

Loading errors are `file:line:col` like the claims file's. Applying is pure: findings in,
findings with `accepted` set out; an expired entry still marks its finding (so reports say
it expired) but no longer waives it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from yaml.nodes import Node

from factcheck.checks.rules import RULES
from factcheck.claims import NodeReader, compose, read_text, suggestion
from factcheck.models import Acceptance, ClaimResult, Finding, Note, Report, Status

DEFAULT_NAME = "factcheck-accept.yaml"
ENTRY_KEYS = ("claim", "check", "reason", "by", "expires", "message")
ACCEPTABLE = tuple(name for name in RULES if name != "accept.unused")
SEE_THE_CHECKS = "see the checks in the README"


@dataclass(frozen=True)
class AcceptEntry:
    """One accepted finding."""

    claim: str
    check: str
    reason: str
    by: str
    line: int
    expires: datetime.date | None = None
    message: str | None = None

    def matches(self, claim_id: str, finding: Finding) -> bool:
        """True when this entry is about `finding` of claim `claim_id`."""
        return (
            self.claim == claim_id
            and self.check == finding.check
            and (self.message is None or self.message in finding.message)
        )


@dataclass(frozen=True)
class AcceptFile:
    """A loaded accept file."""

    path: str
    entries: tuple[AcceptEntry, ...]

    def where(self, entry: AcceptEntry) -> str:
        """ "factcheck-accept.yaml:7"."""
        return f"{self.path}:{entry.line}"


def default_accept_path(claims_path: str | Path) -> Path:
    """`factcheck-accept.yaml` beside the claims file."""
    return Path(claims_path).parent / DEFAULT_NAME


def load_accept_file(path: str | Path) -> AcceptFile:
    """Read and validate an accept file; raise InputError (file:line:col) when unusable."""
    name = str(path)
    text = read_text(Path(path), name, "accept file")
    if not text.strip():
        return AcceptFile(name, ())
    return _AcceptReader(name).accept_file(compose(text, name))


class _AcceptReader(NodeReader):
    def accept_file(self, root: Node) -> AcceptFile:
        top = self.mapping(root, ("accept",), "accept file")
        if "accept" not in top:
            raise self.error(root, "missing 'accept:': expected a list of accepted findings")
        entries: list[AcceptEntry] = []
        seen: dict[tuple[str, str, str | None], int] = {}
        for item in self.sequence(top["accept"], "'accept'"):
            entry = self.entry(item, len(entries) + 1)
            key = (entry.claim, entry.check, entry.message)
            if key in seen:
                raise self.error(item, f"same entry as on line {seen[key]}")
            seen[key] = entry.line
            entries.append(entry)
        return AcceptFile(self.name, tuple(entries))

    def entry(self, node: Node, index: int) -> AcceptEntry:
        label = f"accept entry #{index}"
        fields = self.mapping(node, ENTRY_KEYS, label)
        for key in ("claim", "check", "reason", "by"):
            if key not in fields:
                raise self.error(node, f"{label}: missing '{key}'")
        check = self.text(fields["check"], f"{label}: 'check'")
        if check not in ACCEPTABLE:
            hint = suggestion(check, ACCEPTABLE, cutoff=0.6, otherwise=SEE_THE_CHECKS)
            raise self.error(fields["check"], f"{label}: unknown check '{check}'{hint}")
        message = fields.get("message")
        return AcceptEntry(
            claim=self.text(fields["claim"], f"{label}: 'claim'"),
            check=check,
            reason=self.text(fields["reason"], f"{label}: 'reason'"),
            by=self.text(fields["by"], f"{label}: 'by'"),
            line=node.start_mark.line + 1,
            expires=self.date(fields["expires"], label) if "expires" in fields else None,
            message=self.text(message, f"{label}: 'message'") if message else None,
        )

    def date(self, node: Node, label: str) -> datetime.date:
        value = self.scalar(node, f"{label}: 'expires'")
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise self.error(
                node, f"{label}: 'expires' must be a date like 2026-06-30, got {value!r}"
            ) from None


# --------------------------------------------------------------------------- applying


def apply_acceptances(
    results: Iterable[ClaimResult], accept: AcceptFile, today: datetime.date
) -> tuple[ClaimResult, ...]:
    """`results` with every failing finding that an entry matches marked as accepted."""
    return tuple(_accept_result(result, accept, today) for result in results)


def _accept_result(result: ClaimResult, accept: AcceptFile, today: datetime.date) -> ClaimResult:
    findings = []
    for finding in result.findings:
        entry = None
        if finding.status is not Status.VERIFIED:
            entry = next((e for e in accept.entries if e.matches(result.claim.id, finding)), None)
        findings.append(replace(finding, accepted=_acceptance(accept, entry, today)))
    return replace(result, findings=tuple(findings))


def _acceptance(
    accept: AcceptFile, entry: AcceptEntry | None, today: datetime.date
) -> Acceptance | None:
    if entry is None:
        return None
    expires = entry.expires.isoformat() if entry.expires else None
    expired = entry.expires is not None and entry.expires < today
    return Acceptance(entry.reason, entry.by, accept.where(entry), expires, expired)


def unused_notes(
    accept: AcceptFile, reports: Iterable[Report], known: set[str], *, partial: bool = False
) -> tuple[Note, ...]:
    """`accept.unused` notes for entries that matched no finding in `reports`.

    `known` holds every claim id of the claims files; with `partial` (only some claims
    were checked), entries about claims that were not checked are left alone.
    """
    reports = list(reports)
    used = {f.accepted.entry for r in reports for c in r.results for f in c.findings if f.accepted}
    checked = {c.claim.id for r in reports for c in r.results}
    notes = []
    for entry in accept.entries:
        if accept.where(entry) in used:
            continue
        if entry.claim in checked:
            what = f"matches no {entry.check} finding of claim '{entry.claim}' now"
        elif entry.claim in known or partial:
            continue
        else:
            what = f"names no claim: there is no '{entry.claim}'"
        message = f"accept entry {what}; remove it so the file does not rot"
        notes.append(Note("accept.unused", message, accept.path, entry.line))
    return tuple(notes)
