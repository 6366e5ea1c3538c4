"""The JSON report, exactly as CONTRACT §5 describes it."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from factcheck.models import ClaimResult, Finding, Note, Paper, Report
from factcheck.report.text import json_escaped


def render_json(report: Report) -> str:
    """`report` as the JSON document of CONTRACT §5 (control characters escaped)."""
    document = {
        "factcheck": report.version,
        "claims_file": report.claims_file,
        "summary": report.summary,
        "claims": [_claim(result) for result in report.results],
        "checked_on": report.checked_on,
        "sources": {
            "mode": report.sources.mode,
            "fetched": report.sources.fetched,
            "cached": report.sources.cached,
            "unreachable": report.sources.unreachable,
        },
        "interrupted": report.interrupted,
        "article": report.article,
        "scope": report.scope or None,
        "notes": [_note(note) for note in report.notes],
    }
    return json_escaped(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _claim(result: ClaimResult) -> dict[str, Any]:
    entry = {
        "id": result.claim.id,
        "status": result.status.value,
        "line": result.claim.line,
        "quote": result.claim.quote,
        "source": _source(result.source) if result.source else None,
        "findings": [_finding(f) for f in result.findings],
    }
    if result.claim.file:
        entry["file"] = result.claim.file
    return entry


def _source(paper: Paper) -> dict[str, Any]:
    return {
        "pmid": paper.pmid,
        "doi": paper.doi,
        "title": paper.title,
        "journal": paper.journal_title,
        "year": paper.year,
        "url": paper.url,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "check": finding.check,
        "status": finding.status.value,
        "message": finding.message,
    }
    for key in ("expected", "found", "line", "evidence"):
        value = getattr(finding, key)
        if value is not None:
            entry[key] = value
    if finding.accepted is not None:
        entry["accepted"] = asdict(finding.accepted)
    return entry


def _note(note: Note) -> dict[str, Any]:
    return {"check": note.check, "message": note.message, "file": note.path, "line": note.line}
