"""SARIF 2.1.0 for code-scanning tools: one rule per check, one result per finding.

Each result points at the claim's line in the claims file (or the article line of a sentence
no claim covers). Accepted findings carry a suppression with the reviewer's justification;
a partial fingerprint (claims file, claim id, check, message) keeps an alert the same alert
when claims move. JSON escaping makes untrusted text safe.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from factcheck import __version__
from factcheck.checks.rules import RULES, Rule
from factcheck.models import ClaimResult, Finding, Note, Report, Status
from factcheck.report.text import LEVEL, json_escaped, where

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DEFAULT_LEVEL = {
    "figure.present": "warning",
    "source.resolve": "warning",
    "source.concern": "warning",
    "source.erratum": "note",
    "cite.affiliation": "warning",
    "article.uncovered": "warning",
    "accept.unused": "note",
}


def render_sarif(reports: Sequence[Report]) -> str:
    """All `reports` as one SARIF log with one run."""
    rules = _rules(reports)
    index = {rule.name: i for i, rule in enumerate(rules)}
    results = [r for report in reports for r in _results(report, index)]
    run = {
        "tool": {
            "driver": {
                "name": "factcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"claimsFiles": [report.claims_file for report in reports]},
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_escaped(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"


def _rules(reports: Sequence[Report]) -> list[Rule]:
    """The catalogue, plus any check a report names that the catalogue lacks."""
    rules = list(RULES.values())
    seen = set(RULES)
    for report in reports:
        for result in report.results:
            for finding in result.findings:
                if finding.check not in seen:
                    seen.add(finding.check)
                    rules.append(Rule(finding.check, finding.check, ""))
    return rules


def _rule(rule: Rule) -> dict[str, Any]:
    words = re.split(r"[._]", rule.name)
    entry: dict[str, Any] = {
        "id": rule.name,
        "name": "".join(w.capitalize() for w in words),
        "shortDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": DEFAULT_LEVEL.get(rule.name, "error")},
        "properties": {"tags": ["factcheck", words[0]]},
    }
    if rule.help:
        entry["fullDescription"] = {"text": f"{rule.summary}. {rule.help}"}
        entry["help"] = {"text": rule.help}
    return entry


def _results(report: Report, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    for result in report.results:
        for finding in result.findings:
            if finding.status is not Status.VERIFIED:
                yield _result(report, result, finding, index)
    for note in report.notes:
        yield _note(note, index)


def _result(
    report: Report, result: ClaimResult, finding: Finding, index: dict[str, int]
) -> dict[str, Any]:
    path, line = where(result, report.claims_file, finding)
    text = finding.message
    if finding.accepted and finding.accepted.expired:
        text += f" (acceptance expired {finding.accepted.expires})"
    entry: dict[str, Any] = {
        "ruleId": finding.check,
        "ruleIndex": index[finding.check],
        "level": LEVEL[finding.status],
        "message": {"text": text},
        "locations": [_location(path, line)],
        "partialFingerprints": {
            "factcheck/v1": _fingerprint(report.claims_file, result.claim.id, finding)
        },
        "properties": {"claim": result.claim.id, "status": finding.status.value},
    }
    if finding.evidence:
        entry["properties"]["evidence"] = finding.evidence
    if finding.waived and finding.accepted:
        justification = f"{finding.accepted.reason} (accepted by {finding.accepted.by})"
        entry["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": justification}
        ]
    return entry


def _note(note: Note, index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": note.check,
        "ruleIndex": index[note.check],
        "level": "note",
        "message": {"text": note.message},
        "locations": [_location(note.path, note.line)],
    }


def _location(path: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(path)}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _artifact(path: str) -> dict[str, str]:
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": "file://" + quote(pure.as_posix())}
    return {"uri": quote(pure.as_posix()), "uriBaseId": "%SRCROOT%"}


def _fingerprint(claims_file: str, claim_id: str, finding: Finding) -> str:
    key = "\0".join((PurePath(claims_file).as_posix(), claim_id, finding.check, finding.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
