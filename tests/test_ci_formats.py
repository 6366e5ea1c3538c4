"""CI formats end to end: GitHub annotations (exact lines), SARIF (validated against the
SARIF 2.1.0 schema), JSON and markdown, with and without accepted findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from factcheck.cli import main
from factcheck.report.github import command, escape_data, escape_property

SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
ARITHMETIC = "48/61 is 78.7%, not 77%; 77% of 61 would be 47"

CLAIMS = """\
claims:
  - id: jefferson-responders
    quote: "Among the sixty-one participants, forty-eight responded, a 77% success rate."
  - id: consistent
    quote: "Of the 61 patients, 47 (77%) responded."
"""
ACCEPT = """\
accept:
  - claim: jefferson-responders
    check: figure.arithmetic
    reason: "Table 2 gives 47/61; the abstract's 48 includes a withdrawn patient"
    by: J. Editor
    expires: {expires}
"""
NO_SOURCE = "no source cited: nothing to check the claim against"


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (tmp_path / "claims.yaml").write_text(CLAIMS, encoding="utf-8")


def verify(*args: str) -> Result:
    return CliRunner().invoke(main, ["verify", "--cache-dir", "cache", *args])


def accept(expires: str = "2999-12-31") -> None:
    Path("factcheck-accept.yaml").write_text(ACCEPT.format(expires=expires), encoding="utf-8")


def sarif_log(result: Result) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    return log


# --------------------------------------------------------------------------- github


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("\x1b[31mred") == "\\x1b[31mred"
    line = command("error", "x\n::warning::injected", file="odd,name:1.yaml", line=3, title="t")
    assert line == "::error file=odd%2Cname%3A1.yaml,line=3,title=t::x%0A::warning::injected"
    assert "\n" not in line


def test_github_annotations_exactly() -> None:
    result = verify("--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=claims.yaml,line=2,title=figure.arithmetic::48/61 is 78.7%25, not 77%25; "
        "77%25 of 61 would be 47",
        f"::warning file=claims.yaml,line=2,title=source.resolve::{NO_SOURCE}",
        f"::warning file=claims.yaml,line=4,title=source.resolve::{NO_SOURCE}",
        "factcheck: claims.yaml: 1 mismatch, 1 unverifiable, 0 verified",
    ]
    assert "Exit 1: 1 mismatch (fail-on: mismatch)." in result.stderr


def test_github_appends_markdown_to_the_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    summary = Path("summary.md")
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    verify("--format", "github")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n# Fact-check report: claims.yaml\n")
    assert "| jefferson-responders | ❌ mismatch | 48/61 is 78.7%, not 77%" in text


def test_accepted_finding_is_a_notice_and_passes() -> None:
    accept()
    result = verify("--format", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "::notice file=claims.yaml,line=2,title=figure.arithmetic (accepted)::48/61 is 78.7%25, "
        "not 77%25; 77%25 of 61 would be 47%0Aaccepted by J. Editor: Table 2 gives 47/61; the "
        "abstract's 48 includes a withdrawn patient (factcheck-accept.yaml:2, until 2999-12-31)"
    )
    assert "Exit 0: nothing at or above mismatch (fail-on: mismatch); 1 finding accepted." in (
        result.stderr
    )


def test_expired_acceptance_fails_again_and_says_so() -> None:
    accept(expires="2020-01-31")
    result = verify("--format", "github")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=claims.yaml,line=2,title=figure.arithmetic::")
    assert first.endswith(
        "%0Aacceptance expired 2020-01-31 (J. Editor: Table 2 gives 47/61; the abstract's 48 "
        "includes a withdrawn patient; factcheck-accept.yaml:2)"
    )


def test_unused_entry_is_reported_but_does_not_fail() -> None:
    accept()
    with Path("factcheck-accept.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "  - {claim: consistent, check: figure.arithmetic, reason: old, by: me}\n"
            "  - {claim: gone, check: cite.year, reason: old, by: me}\n"
        )
    result = verify("--format", "github")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert (
        "::warning file=factcheck-accept.yaml,line=7,title=accept.unused::accept entry matches "
        "no figure.arithmetic finding of claim 'consistent' now; remove it so the file does not "
        "rot"
    ) in lines
    assert (
        "::warning file=factcheck-accept.yaml,line=8,title=accept.unused::accept entry names no "
        "claim: there is no 'gone'; remove it so the file does not rot"
    ) in lines
    terminal = verify()
    assert "warning: factcheck-accept.yaml:8: accept entry names no claim" in terminal.output


def test_accept_flag_and_message_filter() -> None:
    Path("reviewed.yaml").write_text(
        ACCEPT.format(expires="2999-01-01") + '    message: "not 76%"\n', encoding="utf-8"
    )
    result = verify("--accept", "reviewed.yaml", "--format", "json")
    assert result.exit_code == 1  # the message filter matches nothing
    notes = json.loads(result.stdout)["notes"]
    assert [n["check"] for n in notes] == ["accept.unused"]
    assert notes[0]["file"] == "reviewed.yaml"


def test_accept_file_errors_are_exit_2_with_position() -> None:
    Path("factcheck-accept.yaml").write_text(
        "accept:\n  - claim: x\n    check: figure.arithmetc\n    reason: r\n    by: me\n",
        encoding="utf-8",
    )
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == (
        "factcheck-accept.yaml:3:12: accept entry #1: unknown check 'figure.arithmetc' "
        "(did you mean 'figure.arithmetic'?)"
    )


# --------------------------------------------------------------------------- json / markdown


def test_json_marks_accepted_findings() -> None:
    accept()
    document = json.loads(verify("--format", "json").stdout)
    claim = document["claims"][0]
    assert claim["status"] == "unverifiable"  # the accepted mismatch no longer counts
    arithmetic = next(f for f in claim["findings"] if f["check"] == "figure.arithmetic")
    assert arithmetic["status"] == "mismatch"
    assert arithmetic["accepted"] == {
        "reason": "Table 2 gives 47/61; the abstract's 48 includes a withdrawn patient",
        "by": "J. Editor",
        "entry": "factcheck-accept.yaml:2",
        "expires": "2999-12-31",
        "expired": False,
    }
    assert document["summary"] == {"verified": 0, "mismatch": 0, "unverifiable": 2, "error": 0}
    assert document["notes"] == []


def test_markdown_and_terminal_show_acceptance() -> None:
    accept()
    result = verify("-o", "report.md")
    assert result.exit_code == 0
    text = Path("report.md").read_text(encoding="utf-8")
    assert "| jefferson-responders | ❔ unverifiable · 1 accepted |" in text
    assert "| figure.arithmetic | ❌ accepted | 48/61 is 78.7%, not 77%" in text
    assert "*accepted by J. Editor: Table 2 gives 47/61" in text
    assert "+1 accepted" in result.stdout
    assert "figure.arithmetic (accepted)" in result.stdout


# --------------------------------------------------------------------------- sarif


def test_sarif_validates_and_locates_results() -> None:
    result = verify("--format", "sarif")
    assert result.exit_code == 1
    log = sarif_log(result)
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules))
    assert {"figure.arithmetic", "quote.in_article", "article.uncovered"} <= set(rules)
    first = run["results"][0]
    assert first["ruleId"] == "figure.arithmetic"
    assert rules[first["ruleIndex"]] == "figure.arithmetic"
    assert first["level"] == "error"
    assert first["message"]["text"] == ARITHMETIC
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "claims.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2},
    }
    assert [r["level"] for r in run["results"]] == ["error", "warning", "warning"]
    assert "suppressions" not in first


def test_sarif_suppressions_and_notes_validate() -> None:
    accept()
    with Path("factcheck-accept.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - {claim: gone, check: cite.year, reason: old, by: me}\n")
    result = verify("-o", "report.sarif")
    assert result.exit_code == 0
    log = json.loads(Path("report.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    results = log["runs"][0]["results"]
    assert results[0]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Table 2 gives 47/61; the abstract's 48 includes a withdrawn "
            "patient (accepted by J. Editor)",
        }
    ]
    note = results[-1]
    assert (note["ruleId"], note["level"]) == ("accept.unused", "note")
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}


def test_sarif_with_a_found_source_and_the_article(eutils_url: str) -> None:
    Path("article.md").write_text(
        "Among the sixty-one participants, forty-eight responded, a 77% success rate.\n\n"
        "A new figure: 12 of 20 patients relapsed.\n",
        encoding="utf-8",
    )
    Path("claims.yaml").write_text(
        "article: article.md\nclaims:\n  - id: jefferson-responders\n    quote: "
        '"Among the sixty-one participants, forty-eight responded, a 77% success rate."\n'
        "    cite: {pmid: 29923953}\n",
        encoding="utf-8",
    )
    result = verify("--eutils-url", eutils_url, "--format", "sarif")
    log = sarif_log(result)
    results = log["runs"][0]["results"]
    uncovered = next(r for r in results if r["ruleId"] == "article.uncovered")
    assert uncovered["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "article.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3},
    }
    arithmetic = next(r for r in results if r["ruleId"] == "figure.arithmetic")
    assert "Forty-eight (77%)" in arithmetic["properties"]["evidence"]
    markdown = verify("--eutils-url", eutils_url, "--format", "markdown").stdout
    assert "[PMID 29923953](https://pubmed.ncbi.nlm.nih.gov/29923953/)" in markdown
    assert "*Abstract:* “" in markdown
    assert "## ❔ article:new-figure-12-20-patients" in markdown
    assert "In article.md, line 3:" in markdown


def test_integration_files_are_well_formed() -> None:
    root = Path(__file__).resolve().parent.parent
    (hook,) = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == (
        "factcheck",
        "factcheck verify",
        "python",
    )
    action = yaml.safe_load((root / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert any(step.get("uses", "").startswith("actions/cache@") for step in steps)
    verify_step = next(step for step in steps if step.get("id") == "verify")
    assert "factcheck verify --format github" in verify_step["run"]
    assert "${{" not in verify_step["run"]  # inputs reach the script through env, not inlined
