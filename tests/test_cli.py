"""The command line end to end, without PubMed: exit codes, formats, errors, escaping."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eutils_stand_in import StandInEutils

from factcheck import __version__
from factcheck.cli import main

ARITHMETIC_MISMATCH = "48/61 is 78.7%, not 77%; 77% of 61 would be 47"

MISMATCH_FILE = """\
claims:
  - id: jefferson-responders
    quote: >-
      Among the sixty-one participants, an impressive forty-eight responded positively to the
      treatment, resulting in a 77% success rate, with 40% experiencing sustained relief.
  - id: pomeroy-sustained
    quote: "Some patients (15/77, 27.3%) kept the benefit."
  - id: consistent
    quote: "Of the 61 patients, 47 (77%) responded."
"""

CONSISTENT_FILE = """\
claims:
  - id: consistent
    quote: "Of the 61 patients, 47 (77%) responded."
"""


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def run(tmp_path: Path, *args: str, text: str | None = None) -> Result:
    if text is not None:
        (tmp_path / "claims.yaml").write_text(text, encoding="utf-8")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    return CliRunner().invoke(main, [*args[:1], *cache, *args[1:]])


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_reads_well() -> None:
    result = CliRunner().invoke(main, ["verify", "--help"])
    assert result.exit_code == 0
    for words in ("--fail-on", "--offline", "--format", "Exit codes", "NCBI_API_KEY"):
        assert words in result.output


def test_arithmetic_mismatches_exit_1_offline(tmp_path: Path) -> None:
    result = run(tmp_path, "verify", "--offline", text=MISMATCH_FILE)
    assert result.exit_code == 1, result.output
    assert ARITHMETIC_MISMATCH in result.output
    assert "15/77 is 19.5%, not 27.3%" in result.output
    assert "Exit 1: 2 mismatches (fail-on: mismatch)" in result.output
    assert "Traceback" not in result.output


def test_json_has_one_arithmetic_mismatch_per_inconsistent_rate(tmp_path: Path) -> None:
    result = run(tmp_path, "verify", "--offline", "--format", "json", text=MISMATCH_FILE)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["factcheck"] == __version__
    assert document["claims_file"] == "claims.yaml"
    assert set(document["summary"]) == {"verified", "mismatch", "unverifiable", "error"}
    by_id = {c["id"]: c for c in document["claims"]}
    mismatches = [
        (c["id"], f["message"])
        for c in document["claims"]
        for f in c["findings"]
        if f["check"] == "figure.arithmetic" and f["status"] == "mismatch"
    ]
    assert len(mismatches) == 2
    assert ("jefferson-responders", ARITHMETIC_MISMATCH) in mismatches
    jefferson = by_id["jefferson-responders"]
    assert jefferson["status"] == "mismatch"
    assert jefferson["line"] == 2
    assert jefferson["source"] is None
    finding = next(f for f in jefferson["findings"] if f["check"] == "figure.arithmetic")
    assert (finding["expected"], finding["found"]) == ("77%", "78.7%")
    assert by_id["consistent"]["status"] != "mismatch"


def test_claims_without_a_source_do_not_fail_by_default(tmp_path: Path) -> None:
    result = run(tmp_path, "verify", "--offline", text=CONSISTENT_FILE)
    assert result.exit_code == 0, result.output
    assert "no source cited" in result.output


def test_offline_with_sources_not_cached_says_so_not_that_pubmed_is_down(
    tmp_path: Path,
) -> None:
    text = CONSISTENT_FILE + "    cite: {pmid: '29923953'}\n"
    result = run(tmp_path, "verify", "--offline", text=text)
    assert result.exit_code == 3, result.output
    assert "1 claim ·" in result.output and "not all in the cache" in result.output
    footer = "Exit 3: 1 claim left unverifiable: not all sources are in the cache"
    assert footer in " ".join(result.output.split())
    assert "PubMed unreachable" not in result.output
    assert "could not be reached" not in result.output and "use --offline" not in result.output
    markdown = run(tmp_path, "verify", "--offline", "--format", "markdown", text=text).stdout
    assert "1 claim · 0 mismatch" in markdown
    assert "against the PubMed cache (--offline)" in markdown


def test_fail_on_unverifiable(tmp_path: Path) -> None:
    result = run(tmp_path, "verify", "--offline", "--fail-on", "unverifiable", text=CONSISTENT_FILE)
    assert result.exit_code == 1


def test_markdown_format(tmp_path: Path) -> None:
    result = run(tmp_path, "verify", "--offline", "--format", "markdown", text=MISMATCH_FILE)
    assert result.exit_code == 1
    assert result.stdout.startswith("# Fact-check report: claims.yaml")
    assert "| jefferson-responders | ❌ mismatch |" in result.stdout
    assert "Exit 1" in result.stderr


@pytest.mark.parametrize(
    ("name", "marker"), [("report.md", "# Fact-check"), ("r.json", '"claims"')]
)
def test_output_file_picks_format_from_suffix(tmp_path: Path, name: str, marker: str) -> None:
    out = tmp_path / name
    result = run(tmp_path, "verify", "--offline", "-o", str(out), text=MISMATCH_FILE)
    assert result.exit_code == 1
    assert marker in out.read_text(encoding="utf-8")
    assert "jefferson-responders" in result.stdout  # the terminal summary still shows
    assert not list(tmp_path.glob(f".{name}.*"))  # no temporary file left behind


def test_bad_yaml_exits_2_with_position_and_no_traceback(tmp_path: Path) -> None:
    text = "claims:\n  - id: a\n    quote: q\n    citation: {}\n"
    result = run(tmp_path, "verify", "--offline", text=text)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "claims.yaml:4:5: claim 'a': unknown key 'citation' (did you mean 'cite'?)"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_volume_that_is_a_list_exits_2_with_its_position(tmp_path: Path) -> None:
    text = "claims:\n  - id: a\n    quote: q\n    cite:\n      journal: J\n      volume: [1]\n"
    result = run(tmp_path, "verify", "--offline", text=text)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "claims.yaml:6:15: claim 'a': 'volume' must be a single value, not a list or mapping"
    )


def test_missing_default_file_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, "verify", "--offline")
    assert result.exit_code == 2
    assert "claims.yaml: no such file" in result.stderr


def test_bad_option_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, "verify", "--format", "pdf", text=CONSISTENT_FILE)
    assert result.exit_code == 2
    assert "pdf" in result.stderr


def test_untrusted_text_stays_text_in_every_format(tmp_path: Path) -> None:
    text = (
        "claims:\n"
        "  - id: '[bold red]boom[/] | <script>x</script>'\n"
        '    quote: "A [link](http://x) | pipe <b>tag</b> \\e[2J and 48 of 61 (77%)."\n'
    )
    terminal = run(tmp_path, "verify", "--offline", text=text)
    assert "[bold red]boom[/]" in terminal.stdout
    assert "\x1b" not in terminal.stdout
    assert "\\x1b[2J" in terminal.stdout
    markdown = run(tmp_path, "verify", "--offline", "--format", "markdown", text=text).stdout
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "\\| &lt;script" in markdown
    assert "\\[link\\](http://x)" in markdown
    document = json.loads(
        run(tmp_path, "verify", "--offline", "--format", "json", text=text).stdout
    )
    assert document["claims"][0]["id"] == "[bold red]boom[/] | <script>x</script>"


HTTP_STACK = {"requests", "requests_cache", "urllib3", "redis", "cattrs", "rich.progress"}
# what a plain-text article and an offline run with --cache-dir never need
UNNEEDED_OFFLINE = {"xml.etree.ElementTree", "defusedxml", "html.parser", "platformdirs"}
UNNEEDED_OFFLINE |= {"subprocess", "hashlib"}
CLI_STACK = {"click", "rich", "yaml", "defusedxml", *HTTP_STACK}


def modules_loaded_by(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the `factcheck` entry point with `args` in a fresh interpreter; return the run and
    the names of every module it imported."""
    code = (
        "import json, sys\n"
        "from factcheck.launcher import main\n"
        "try:\n    main()\n"
        "finally:\n    print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    command = [sys.executable, "-c", code, *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    return done, set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_version_fast_path_imports_no_cli_library(tmp_path: Path) -> None:
    done, loaded = modules_loaded_by("--version", cwd=tmp_path)
    assert done.stdout == f"factcheck, version {__version__}\n"
    assert loaded & CLI_STACK == set()


def test_help_imports_click_only(tmp_path: Path) -> None:
    done, loaded = modules_loaded_by("--help", cwd=tmp_path)
    assert done.returncode == 0 and "verify" in done.stdout
    assert loaded & CLI_STACK == {"click"}


def test_offline_run_without_a_cache_imports_no_http_stack(tmp_path: Path) -> None:
    """`verify --offline` on a machine that never ran online has nothing to read: it checks
    the arithmetic and reports every lookup as not cached, without loading requests."""
    claims = MISMATCH_FILE + "    cite: {pmid: '29923953'}\n"
    (tmp_path / "claims.yaml").write_text(claims, encoding="utf-8")
    cache = tmp_path / "cache"
    args = ("verify", "claims.yaml", "--offline", "--cache-dir", str(cache), "--format", "json")
    done, loaded = modules_loaded_by(*args, cwd=tmp_path)
    assert loaded & (HTTP_STACK | UNNEEDED_OFFLINE) == set()
    report = json.loads(done.stdout)
    assert done.returncode == 1 and ARITHMETIC_MISMATCH in done.stdout
    why = {claim["id"]: claim["findings"] for claim in report["claims"]}
    assert "not in the cache" in json.dumps(why["consistent"])
    assert not cache.exists()


def test_offline_run_from_a_warm_cache_does_not_import_redis(
    tmp_path: Path, eutils: StandInEutils, eutils_url: str
) -> None:
    """requests-cache imports every installed backend's library; redis-py is hidden from it
    unless a cache URL asks for Redis (it costs about 90 ms of every run)."""
    pytest.importorskip("redis")  # without it there is nothing to hide
    claims = CONSISTENT_FILE + "    cite: {pmid: '29923953'}\n"
    filled = run(tmp_path, "verify", "--eutils-url", eutils_url, text=claims)
    assert filled.exit_code == 0, filled.output
    args = ("verify", "claims.yaml", "--offline", "--cache-dir", str(tmp_path / "cache"))
    done, loaded = modules_loaded_by(
        *args, "--eutils-url", eutils_url, "--format", "json", cwd=tmp_path
    )
    sources = json.loads(done.stdout)["sources"]
    assert done.returncode == 0 and sources["cached"] == 1 and not sources["unreachable"]
    assert "requests_cache" in loaded and "redis" not in loaded


def test_launcher_hands_everything_else_to_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from factcheck.launcher import main; main()", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "verify" in result.stdout


def test_an_error_quoting_the_claims_file_cannot_drive_the_terminal(tmp_path: Path) -> None:
    text = 'claims:\n  - id: "a\\e]0;pwned\\a\\e[2J"\n    quote: "x"\n    citation: {}\n'
    result = run(tmp_path, "verify", "--offline", text=text)
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "a\\x1b]0;pwned\\x07\\x1b[2J" in result.output


def test_progress_label_is_text_not_markup(tmp_path: Path) -> None:
    from rich.console import Console

    from factcheck.cli.verify_command import progress_bar

    console = Console(file=io.StringIO(), force_terminal=True)
    with progress_bar(console, "a[/b]/claims.yaml") as update:
        assert update is not None
        update(1, 2)  # a MarkupError here would end the run with a traceback


def test_no_progress_line_in_ci_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from factcheck.cli.verify_command import progress_bar

    monkeypatch.setenv("CI", "true")
    console = Console(file=io.StringIO(), force_terminal=True)
    with progress_bar(console, "claims.yaml") as update:
        assert update is None


def test_report_file_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    result = run(tmp_path, "verify", "--offline", "-o", str(out), text=MISMATCH_FILE)
    assert result.exit_code == 1
    assert out.stat().st_mode & 0o777 == 0o644 and "78.7%" in out.read_text(encoding="utf-8")
    new = tmp_path / "new.md"
    umask = os.umask(0o022)
    try:
        run(tmp_path, "verify", "--offline", "-o", str(new), text=MISMATCH_FILE)
    finally:
        os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o644


def test_an_unwritable_report_path_stops_the_run_before_any_lookup(
    tmp_path: Path, eutils: StandInEutils, eutils_url: str
) -> None:
    text = CONSISTENT_FILE + "    cite: {pmid: '29923953'}\n"
    result = run(tmp_path, "verify", "--eutils-url", eutils_url, "-o", "missing/r.md", text=text)
    assert result.exit_code == 2
    assert "missing/r.md: cannot write the report: no directory missing" in result.output
    assert eutils.count() == 0


def test_online_flag_overrides_offline_in_the_configuration(
    tmp_path: Path, eutils: StandInEutils, eutils_url: str
) -> None:
    (tmp_path / ".factcheck.yaml").write_text("offline: true\n", encoding="utf-8")
    text = CONSISTENT_FILE + "    cite: {pmid: '29923953'}\n"
    offline = run(tmp_path, "verify", "--eutils-url", eutils_url, text=text)
    assert offline.exit_code == 3 and eutils.count() == 0
    online = run(tmp_path, "verify", "--online", "--eutils-url", eutils_url, text=text)
    assert eutils.count() > 0 and "not in the cache" not in online.output


def test_exit_3_counts_only_the_claims_not_looked_up(tmp_path: Path) -> None:
    text = CONSISTENT_FILE + (
        "    cite: {pmid: '29923953'}\n"
        "  - id: second\n    quote: 'Of the 10 patients, 5 (50%) responded.'\n"
        "    cite: {pmid: '28025837'}\n"
        "  - id: unsourced\n    quote: 'Of the 10 patients, 5 (50%) responded.'\n"
    )
    result = run(tmp_path, "verify", "--offline", text=text)
    assert result.exit_code == 3
    assert "Exit 3: 2 claims left unverifiable" in " ".join(result.output.split())


def test_offline_after_a_claim_is_added_checks_the_cached_ones(
    tmp_path: Path, eutils: StandInEutils, eutils_url: str
) -> None:
    """The pre-commit case: claims checked online yesterday, one claim added today, and the
    hook runs --offline. The new claim is not cached; the others still are."""
    cited = (
        "  - id: {id}\n    quote: 'Of the 61 patients, 47 (77%) responded.'\n"
        "    cite: {{pmid: '{pmid}'}}\n"
    )
    yesterday = (
        "claims:\n" + cited.format(id="a", pmid="29923953") + cited.format(id="b", pmid="28025837")
    )
    run(tmp_path, "verify", "--eutils-url", eutils_url, text=yesterday)
    sent = eutils.count()
    today = yesterday + cited.format(id="new", pmid="23365053")
    result = run(
        tmp_path, "verify", "--offline", "--eutils-url", eutils_url, "--format", "json", text=today
    )
    resolve = {
        claim["id"]: next(f for f in claim["findings"] if f["check"] == "source.resolve")
        for claim in json.loads(result.stdout)["claims"]
    }
    assert resolve["new"]["message"] == "not checked: the source is not in the cache (--offline)"
    for old in ("a", "b"):
        assert not resolve[old]["message"].startswith("not checked"), resolve[old]
    assert eutils.count() == sent
