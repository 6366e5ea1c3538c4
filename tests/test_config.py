"""Project defaults from `.factcheck.yaml` or `[tool.factcheck]`; flags and variables win."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from factcheck.cli import main
from factcheck.config import find_config

CLAIMS = """\
claims:
  - id: no-source
    quote: "Of the 61 patients, 47 (77%) responded."
"""


@pytest.fixture(autouse=True)
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the search for configuration stops here
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NCBI_EMAIL", raising=False)
    monkeypatch.delenv("FACTCHECK_CACHE_DIR", raising=False)
    return tmp_path


def verify(*args: str) -> Result:
    return CliRunner().invoke(main, ["verify", "docs/claims.yaml", *args])


def test_no_configuration(project: Path) -> None:
    assert find_config(project / "docs" / "claims.yaml").path is None


def test_pyproject_table_sets_defaults(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.factcheck]\nfail-on = "unverifiable"\n'
        'format = "github"\ncache-dir = ".cache/factcheck"\nemail = "desk@example.org"\n',
        encoding="utf-8",
    )
    config = find_config(project / "docs" / "claims.yaml")
    assert config.path == str(project / "pyproject.toml")
    assert config.values["cache_dir"] == Path(".cache/factcheck")
    result = verify()
    assert result.exit_code == 1  # unverifiable (no source) fails under the configured fail-on
    assert result.stdout.startswith("::warning file=docs/claims.yaml,line=2,title=source.resolve")
    assert (project / ".cache" / "factcheck").is_dir()


def test_flags_win_over_configuration(project: Path) -> None:
    (project / "docs" / ".factcheck.yaml").write_text(
        "fail-on: unverifiable\nformat: json\n", encoding="utf-8"
    )
    result = verify("--fail-on", "mismatch", "--format", "github", "--cache-dir", "c")
    assert result.exit_code == 0
    assert result.stdout.startswith("::warning")


def test_yaml_beside_the_claims_file_comes_first(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.factcheck]\nformat = "json"\n')
    (project / "docs" / ".factcheck.yaml").write_text("format: github\naccept: reviewed.yaml\n")
    (project / "docs" / "reviewed.yaml").write_text(
        "accept:\n  - {claim: no-source, check: source.resolve, reason: in print only, by: me}\n"
    )
    result = verify("--cache-dir", "c")
    assert result.exit_code == 0
    assert result.stdout.startswith("::notice file=docs/claims.yaml,line=2,title=source.resolve")


def test_configured_article_fills_only_a_gap(project: Path) -> None:
    (project / "docs" / "a.md").write_text("Of the 61 patients, 47 (77%) responded.\n")
    (project / "docs" / ".factcheck.yaml").write_text("article: a.md\n")
    result = verify("--format", "json", "--cache-dir", "c")
    assert '"article": "docs/a.md"' in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "fail-on: sometimes\n",
            "docs/.factcheck.yaml:1:10: 'fail-on' must be one of mismatch, "
            "unverifiable, got 'sometimes'",
        ),
        (
            "fail_on: mismatch\n",
            "docs/.factcheck.yaml:1:1: configuration: unknown key 'fail_on' "
            "(did you mean 'fail-on'?)",
        ),
        (
            "api-key: abc\n",
            "docs/.factcheck.yaml:1:10: 'api-key' is not read from configuration: "
            "keep keys out of repositories: set NCBI_API_KEY instead",
        ),
    ],
)
def test_yaml_configuration_errors(project: Path, text: str, message: str) -> None:
    (project / "docs" / ".factcheck.yaml").write_text(text, encoding="utf-8")
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == message.replace("docs/", str(project / "docs") + "/")


def test_pyproject_errors_name_the_line(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.factcheck]\nformats = "json"\n')
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{project / 'pyproject.toml'}:2:1: [tool.factcheck]: unknown key 'formats' "
        "(did you mean 'format'?)"
    )


def test_output_suffix_beats_configured_format(project: Path) -> None:
    (project / "docs" / ".factcheck.yaml").write_text("format: github\n", encoding="utf-8")
    result = verify("-o", "report.json", "--cache-dir", "c")
    assert result.exit_code == 0
    assert (project / "report.json").read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("-5", "-5"),
        ("0", "0"),
        (".nan", "nan"),
        ("-.inf", "-inf"),
        ("1" + "0" * 400, "1" + "0" * 36 + "..."),
        ("'5'", "'5'"),
        ("1.0e+10", "10000000000.0"),
        ("601", "601"),
    ],
)
def test_yaml_timeout_must_be_finite_and_at_least_a_tenth(
    project: Path, value: str, shown: str
) -> None:
    (project / "docs" / ".factcheck.yaml").write_text(f"timeout: {value}\n", encoding="utf-8")
    result = verify("--offline", "--cache-dir", "c")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{project / 'docs' / '.factcheck.yaml'}:1:10: 'timeout' must be a number of "
        f"seconds from 0.1 to 600, got {shown}"
    )


@pytest.mark.parametrize(("value", "shown"), [("-5", "-5"), ("nan", "nan"), ("0.05", "0.05")])
def test_pyproject_timeout_must_be_finite_and_at_least_a_tenth(
    project: Path, value: str, shown: str
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.factcheck]\ntimeout = {value}\n")
    result = verify("--offline", "--cache-dir", "c")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{project / 'pyproject.toml'}:2:11: [tool.factcheck]: 'timeout' must be a number of "
        f"seconds from 0.1 to 600, got {shown}"
    )


def test_smallest_timeout_is_read_as_seconds(project: Path) -> None:
    (project / "docs" / ".factcheck.yaml").write_text("timeout: 0.1\n", encoding="utf-8")
    assert find_config(project / "docs" / "claims.yaml").values == {"timeout": 0.1}
    (project / "docs" / ".factcheck.yaml").write_text("timeout: 3\n", encoding="utf-8")
    assert find_config(project / "docs" / "claims.yaml").values == {"timeout": 3.0}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('# not ours\ntool = "x"\n', "2:1: 'tool' must be a table, like [tool.factcheck]"),
        ("[tool]\nfactcheck = 1\n", "2:1: [tool.factcheck] must be a table"),
        ("[[tool]]\nfactcheck = 1\n", "1:1: 'tool' must be a table, like [tool.factcheck]"),
    ],
)
def test_pyproject_tool_must_be_a_table(project: Path, toml: str, message: str) -> None:
    (project / "pyproject.toml").write_text(toml, encoding="utf-8")
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == f"{project / 'pyproject.toml'}:{message}"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[project]\nname = "x"\n\n[tool.factcheck]\nformat = json\n',
            "5:10: invalid TOML: Invalid value",
        ),
        (
            "[tool.factcheck]\ntimeout = 1 2\n",
            "2:13: invalid TOML: Expected newline or end of document after a statement",
        ),
        ("[tool.factcheck]\nformat = ", "2:10: invalid TOML: Invalid value"),
    ],
)
def test_invalid_toml_names_line_and_column(project: Path, toml: str, message: str) -> None:
    (project / "pyproject.toml").write_text(toml, encoding="utf-8")
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == f"{project / 'pyproject.toml'}:{message}"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="int() has no digit limit before 3.11")
def test_toml_integer_too_long_for_python_is_exit_2(project: Path) -> None:
    (project / "pyproject.toml").write_text(f"[tool.factcheck]\ntimeout = 1{'0' * 5000}\n")
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{project / 'pyproject.toml'}: invalid TOML: Exceeds the limit (4300 digits) for "
        "integer string conversion: value has 5001 digits"
    )


def test_pyproject_errors_name_the_key_in_tool_factcheck(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\ndescription = """\n[tool.factcheck]\nformat = "x"\n"""\n\n'
        '[tool.other]\nformat = "json"\ntimeout = 5\n\n'
        '[ tool . "factcheck" ]  # ours\n  timeout=  -5\n',
        encoding="utf-8",
    )
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{project / 'pyproject.toml'}:12:13: [tool.factcheck]: 'timeout' must be a number of "
        "seconds from 0.1 to 600, got -5"
    )


@pytest.mark.parametrize(
    ("toml", "where"),
    [
        ("[tool]\nother = 1\nfactcheck.formats = 1\n", "3:1"),
        ("[tool]\nfactcheck = {formats = 1}\n", "2:1"),  # the inline table, at least
        ("tool.factcheck.formats = 1\n", "1:1"),
        ("[tool.factcheck.formats]\n", "1:1"),
    ],
)
def test_pyproject_keys_found_however_written(project: Path, toml: str, where: str) -> None:
    (project / "pyproject.toml").write_text(toml, encoding="utf-8")
    result = verify()
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{project / 'pyproject.toml'}:{where}: [tool.factcheck]: unknown key 'formats' "
        "(did you mean 'format'?)"
    )


def test_cli_and_configuration_bound_timeout_alike() -> None:
    from factcheck.cli import verify as verify_command
    from factcheck.config import MAX_TIMEOUT, MIN_TIMEOUT

    option = next(p for p in verify_command.params if p.name == "timeout")
    assert isinstance(option.type, click.FloatRange)
    assert (option.type.min, option.type.max) == (MIN_TIMEOUT, MAX_TIMEOUT)
