"""The JSON report, exactly as CONTRACT §5 describes it."""

from __future__ import annotations

import json
from typing import Any

from factcheck.models import ClaimResult, Finding, Paper, Report


def render_json(report: Report) -> str:
    """`report` as the JSON document of CONTRACT §5 (control characters escaped by json)."""
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
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _claim(result: ClaimResult) -> dict[str, Any]:
    return {
        "id": result.claim.id,
        "status": result.status.value,
        "line": result.claim.line,
        "quote": result.claim.quote,
        "source": _source(result.source) if result.source else None,
        "findings": [_finding(f) for f in result.findings],
    }


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
    return entry
