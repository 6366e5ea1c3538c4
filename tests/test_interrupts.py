"""Ctrl-C and SIGTERM in the middle of a run: prompt stop, partial report, 130 / 143."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eutils_stand_in import StandInEutils

ROOT = Path(__file__).resolve().parent.parent
ARITHMETIC_MISMATCH = "48/61 is 78.7%, not 77%; 77% of 61 would be 47"


def start_verify(tmp_path: Path, eutils_url: str, report: Path) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "factcheck", "verify", str(ROOT / "claims.yaml")]
    args += ["--eutils-url", eutils_url, "--cache-dir", str(tmp_path / "cache")]
    args += ["--timeout", "30", "-o", str(report)]
    env = {**os.environ, "CI": "true"}
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def wait_for_first_request(eutils: StandInEutils) -> None:
    deadline = time.monotonic() + 20
    while eutils.count() == 0:
        assert time.monotonic() < deadline, "factcheck never reached the stand-in"
        time.sleep(0.05)
    time.sleep(0.3)  # the request is now hanging inside the stand-in


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_promptly_and_keeps_the_report(
    tmp_path: Path, eutils: StandInEutils, eutils_url: str, signum: int, code: int
) -> None:
    eutils.hang_seconds = 60
    eutils.misbehave("hang", times=None)
    report = tmp_path / "report.json"
    process = start_verify(tmp_path, eutils_url, report)
    wait_for_first_request(eutils)
    sent = time.monotonic()
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=20)
    assert time.monotonic() - sent < 5, "did not stop promptly"
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["interrupted"] is True
    by_id = {c["id"]: c for c in document["claims"]}
    assert len(by_id) == 20  # every claim is in the report
    messages = [f["message"] for f in by_id["jefferson-responders"]["findings"]]
    assert ARITHMETIC_MISMATCH in messages  # what was checked is kept
    assert any(m.startswith("not checked") for m in messages)  # the rest is marked
    assert f"Exit {code}: interrupted" in stdout + stderr
    assert not list(tmp_path.glob(".report.json.*"))  # no half-written temporary file
