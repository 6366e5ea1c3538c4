"""`verify --changed-since REF`: only claims whose entry or quoted article lines changed, in a
temporary git repository; git failures are exit 2 with a clear message."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factcheck import changes
from factcheck.changes import _new_lines
from factcheck.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "article"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run(["git", "-C", str(repo), *identity, *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("article.md", "claims.yaml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "claims")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def verify(*args: str) -> Result:
    return CliRunner().invoke(main, ["verify", "--cache-dir", "cache", *args])


def checked(result: Result) -> list[str]:
    return [claim["id"] for claim in json.loads(result.stdout)["claims"]]


def test_hunk_headers() -> None:
    diff = "@@ -3 +3 @@\n-a\n+b\n@@ -10,2 +11,3 @@\n@@ -20,4 +22,0 @@\n"
    assert _new_lines(diff) == {3, 11, 12, 13, 22, 23}


def test_nothing_changed_checks_nothing(repo: Path) -> None:
    result = verify("--changed-since", "HEAD", "--format", "json")
    assert result.exit_code == 0
    assert checked(result) == []
    assert json.loads(result.stdout)["scope"] == "changed since HEAD: 0 of 4 claims checked"


def test_a_changed_claim_entry(repo: Path) -> None:
    edit(repo / "claims.yaml", "About 40% kept", "About 40% kept")  # unchanged text
    edit(repo / "claims.yaml", "  - id: relief-onset\n", "  - id: relief-onset  # reviewed\n")
    result = verify("--changed-since", "HEAD", "--format", "json")
    assert checked(result) == ["relief-onset"]


def test_an_edited_quote_in_the_article(repo: Path) -> None:
    edit(repo / "article.md", "a **77%**", "a **80%**")
    edit(repo / "article.md", "## Costs\n", "## Costs\n\nA course lasts 5 days.\n")
    result = verify("--changed-since", "HEAD", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [c["id"] for c in document["claims"]] == [
        "jefferson-responders",
        "article:course-lasts-5-days",
    ]
    assert document["claims"][0]["findings"][0]["status"] == "mismatch"


def test_a_deleted_claim_line_counts(repo: Path) -> None:
    edit(repo / "claims.yaml", '    quote: "About 40% kept their relief at follow-up."\n', "")
    edit(repo / "claims.yaml", "  - id: sustained-relief\n", "")
    git(repo, "commit", "-qam", "drop one")
    edit(repo / "article.md", "About 40% kept their relief at follow-up.", "")
    result = verify("--changed-since", "HEAD~1", "--format", "json")
    # the blank lines around the deletion belong to the claim before it
    assert checked(result) == ["jefferson-responders"]


def test_a_file_new_since_ref_is_all_changed(repo: Path) -> None:
    shutil.copy(repo / "claims.yaml", repo / "new.yaml")
    result = verify("new.yaml", "--changed-since", "HEAD", "--format", "json")
    assert len(checked(result)) == 4


def test_bad_ref_is_exit_2(repo: Path) -> None:
    result = verify("--changed-since", "no-such-branch")
    assert result.exit_code == 2
    assert result.output.startswith("--changed-since: unknown git revision 'no-such-branch'")
    assert verify("--changed-since", "--output=x").exit_code == 2


def test_not_a_repository_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    shutil.copy(FIXTURE / "article.md", outside)
    shutil.copy(FIXTURE / "claims.yaml", outside)
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = verify("--changed-since", "main")
    assert result.exit_code == 2
    assert result.output == "--changed-since: article.md is not in a git repository\n"


def test_a_hung_git_is_exit_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every git call has the timeout, the check that the file existed at REF too."""
    fake = repo.parent / "bin"
    fake.mkdir()
    (fake / "git").write_text(
        f'#!/bin/sh\n[ "$3" = cat-file ] && exec sleep 30\nexec "{shutil.which("git")}" "$@"\n'
    )
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(changes, "GIT_TIMEOUT", 0.5)
    result = verify("--changed-since", "HEAD")
    assert result.exit_code == 2
    assert result.output == "--changed-since: git took over 0.5 s\n"
