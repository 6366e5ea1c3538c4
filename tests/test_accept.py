"""The accept file: loading errors with file:line:col, matching, expiry, unused entries."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from factcheck.accept import AcceptEntry, AcceptFile, apply_acceptances, load_accept_file
from factcheck.errors import InputError
from factcheck.models import Claim, ClaimResult, Finding, Status

TODAY = datetime.date(2026, 6, 1)
ENTRY = "  - claim: c\n    check: figure.arithmetic\n    reason: r\n    by: me\n"


def load(tmp_path: Path, text: str) -> AcceptFile:
    path = tmp_path / "accept.yaml"
    path.write_text(text, encoding="utf-8")
    return load_accept_file(path)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("claims: []\n", "1:1: accept file: unknown key 'claims' (expected one of: accept)"),
        ("accept:\n  - claim: c\n    check: cite.year\n", "2:5: accept entry #1: missing 'reason'"),
        (
            "accept:\n" + ENTRY + "    expires: soon\n",
            "6:14: accept entry #1: 'expires' must be a date like 2026-06-30, got 'soon'",
        ),
        (
            "accept:\n" + ENTRY + "    who: x\n",
            "6:5: accept entry #1: unknown key 'who' (expected one of: claim, check, reason, by, "
            "expires, message)",
        ),
        ("accept:\n" + ENTRY + ENTRY, "6:5: same entry as on line 2"),
        (
            "accept:\n" + ENTRY.replace("reason: r", "reason: ''"),
            "4:13: accept entry #1: 'reason' is empty",
        ),
        (
            "accept:\n  - claim: c\n    check: accept.unused\n    reason: r\n    by: me\n",
            "3:12: accept entry #1: unknown check 'accept.unused'",
        ),
    ],
)
def test_errors_have_positions(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path, text)
    assert str(caught.value).startswith(f"{tmp_path / 'accept.yaml'}:{error}")


def test_empty_file_accepts_nothing(tmp_path: Path) -> None:
    assert load(tmp_path, "\n").entries == ()


def test_dates_quoted_or_not(tmp_path: Path) -> None:
    accept = load(tmp_path, "accept:\n" + ENTRY + "    expires: '2026-05-31'\n")
    assert accept.entries[0].expires == datetime.date(2026, 5, 31)


def result(*findings: Finding) -> ClaimResult:
    return ClaimResult(Claim("c", "q", 3), findings)


def test_expiry_is_inclusive_and_only_failing_findings_match() -> None:
    mismatch = Finding("figure.arithmetic", Status.MISMATCH, "48/61 is 78.7%, not 77%")
    verified = Finding("figure.arithmetic", Status.VERIFIED, "47/61 is 77.0%")
    for expires, waived in ((TODAY, True), (TODAY - datetime.timedelta(days=1), False)):
        entry = AcceptEntry("c", "figure.arithmetic", "why", "me", 2, expires)
        (out,) = apply_acceptances(
            [result(mismatch, verified)], AcceptFile("a.yaml", (entry,)), TODAY
        )
        assert out.findings[0].waived is waived
        assert out.findings[0].accepted is not None
        assert out.findings[0].accepted.expired is not waived
        assert out.findings[1].accepted is None
        assert out.status is (Status.VERIFIED if waived else Status.MISMATCH)


def test_message_filter() -> None:
    finding = Finding("figure.present", Status.UNVERIFIABLE, "“77%” is not in the abstract")
    other = Finding("figure.present", Status.UNVERIFIABLE, "“61” is not in the abstract")
    entry = AcceptEntry("c", "figure.present", "why", "me", 2, message="77%")
    (out,) = apply_acceptances([result(finding, other)], AcceptFile("a.yaml", (entry,)), TODAY)
    assert [f.waived for f in out.findings] == [True, False]
    assert out.status is Status.UNVERIFIABLE
    assert out.waived == (out.findings[0],)
