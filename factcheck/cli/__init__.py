"""The command line: options in, report out, exit code (CONTRACT §1-2).

This is the only module that prints or exits. Every FactcheckError becomes one line on
stderr and an exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from click.core import ParameterSource

from factcheck import __version__
from factcheck.errors import FactcheckError, InputError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_UNREACHABLE = 0, 1, 2, 3
FORMATS = ("terminal", "markdown", "json", "github", "sarif")

network_options = [
    click.option(
        "--offline/--online",
        default=False,
        help="Use cached PubMed answers only; never touch the network (--online overrides "
        "'offline: true' in the configuration).",
    ),
    click.option("--refresh", is_flag=True, help="Ignore cached answers and fetch again."),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="FACTCHECK_CACHE_DIR",
        help="Where PubMed answers are cached [env FACTCHECK_CACHE_DIR; default: user cache dir].",
    ),
    click.option(
        "--cache-url",
        envvar="FACTCHECK_CACHE_URL",
        metavar="URL",
        callback=lambda ctx, param, value: _cache_url(value),
        help="Share the cache and the request budget with other runs through Redis, "
        "redis://HOST:PORT/DB, instead of --cache-dir [env FACTCHECK_CACHE_URL; needs "
        "factcheck-cli[redis]].",
    ),
    click.option(
        "--eutils-url",
        envvar="FACTCHECK_EUTILS_URL",
        metavar="URL",
        help="E-utilities base URL [env FACTCHECK_EUTILS_URL; default: NCBI's].",
    ),
    click.option(
        "--api-key",
        envvar="NCBI_API_KEY",
        metavar="KEY",
        help="NCBI API key: 10 requests/s instead of 3 [env NCBI_API_KEY].",
    ),
    click.option(
        "--email",
        envvar="NCBI_EMAIL",
        metavar="ADDRESS",
        help="Contact address sent to NCBI with tool=factcheck [env NCBI_EMAIL].",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.1, max=600.0),  # config.MIN_TIMEOUT, MAX_TIMEOUT (light)
        default=10.0,
        show_default=True,
        help="Seconds to wait for each PubMed answer.",
    ),
]


def _cache_url(value: str | None) -> str | None:
    """--cache-url when it is a Redis URL; a usage error (exit 2) otherwise."""
    if not value:
        return None
    from factcheck.pubmed.shared import check_cache_url  # imports nothing of Redis

    try:
        return check_cache_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def with_network_options(func: Callable[..., None]) -> Callable[..., None]:
    """Add the PubMed options shared by `verify` and `show`."""
    for option in reversed(network_options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="factcheck")
def main() -> None:
    """Check the figures and citations of health writing against PubMed.

    Claims (quotes from an article with their cited source) are read from a YAML file;
    each cited paper is found in PubMed through NCBI E-utilities, and the report says,
    claim by claim, what holds and what does not.
    """
    log_to_stderr()


class _EchoHandler(logging.Handler):
    """Library warnings (a broken cache, PubMed unreachable) as one `factcheck:` line on the
    stderr of the moment (click's test runner swaps it between invocations)."""

    def emit(self, record: logging.LogRecord) -> None:
        level = "" if record.levelno < logging.WARNING else f"{record.levelname.lower()}: "
        click.echo(f"factcheck: {level}{_visible(record.getMessage())}", err=True)


def log_to_stderr() -> None:
    """Route the `factcheck` logger to stderr, once per process."""
    logger = logging.getLogger("factcheck")
    if not any(isinstance(h, _EchoHandler) for h in logger.handlers):
        logger.addHandler(_EchoHandler(logging.WARNING))
        logger.setLevel(logging.INFO)


@main.command()
@click.argument(
    "claims_files", nargs=-1, type=click.Path(path_type=Path), metavar="[CLAIMS_FILE]..."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Report format: github prints Actions annotations, sarif is for code scanning "
    "[default: terminal].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to PATH (.md, .json or .sarif picks the format); the summary "
    "still shows.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["mismatch", "unverifiable"]),
    default="mismatch",
    show_default=True,
    help="Lowest status that makes the exit code 1.",
)
@click.option(
    "--article",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The article the quotes come from (overrides 'article:' in the claims file).",
)
@click.option(
    "--accept",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accepted findings [default: factcheck-accept.yaml beside the claims file].",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Check only claims changed since git revision REF (and quotes changed in the article).",
)
@with_network_options
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def verify(
    claims_files: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    fail_on: str,
    article: Path | None,
    accept: Path | None,
    changed_since: str | None,
    debug: bool,
    **network: object,
) -> None:
    """Check each claim of CLAIMS_FILE (default: ./claims.yaml).

    \b
    Exit codes: 0 nothing at or above --fail-on; 1 something is;
    2 the input cannot be used; 3 PubMed could not be reached for some claims.
    """
    # imported late: keeps --help and --version fast
    from factcheck.cli.inputs import VerifyOptions
    from factcheck.cli.verify_command import run_verify

    files = claims_files or (Path("claims.yaml"),)
    options = VerifyOptions(fmt, output, fail_on, article, accept, changed_since)
    with errors_to_exit(debug):
        code = run_verify(files, options, network, given_options())
    sys.exit(code)


def given_options() -> set[str]:
    """The current command's options set on the command line or through the environment
    (the configuration file fills only the others)."""
    ctx = click.get_current_context()
    defaults = (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    return {name for name in ctx.params if ctx.get_parameter_source(name) not in defaults}


@main.command()
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--merge",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="CLAIMS_FILE",
    help="Add only the sentences no claim of CLAIMS_FILE covers, and print the whole file.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the draft to PATH (it may be the --merge file) instead of printing it.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def extract(article: Path, merge: Path | None, output: Path | None, debug: bool) -> None:
    """Draft a claims file from ARTICLE (text, markdown or HTML).

    One claim per sentence that states a figure or names a source (a study, a journal,
    a person, a year); `cite:` holds what the sentence names. Review before use.
    """
    from factcheck.cli.extract_command import run_extract

    with errors_to_exit(debug):
        code = run_extract(article, merge, output)
    sys.exit(code)


@main.command()
@click.argument("identifier", metavar="PMID|DOI")
@with_network_options
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def show(identifier: str, debug: bool, **network: object) -> None:
    """Show one PubMed record as the checks see it."""
    from factcheck.cli.show_command import run_show

    with errors_to_exit(debug):
        code = run_show(identifier, network)
    sys.exit(code)


@contextmanager
def errors_to_exit(debug: bool) -> Iterator[None]:
    """Turn FactcheckError into one line on stderr and its exit code."""
    try:
        yield
    except InputError as exc:
        if debug:
            raise
        click.echo(_visible(str(exc)), err=True)
        sys.exit(EXIT_INPUT)
    except FactcheckError as exc:
        if debug:
            raise
        click.echo(f"factcheck: {_visible(str(exc))}", err=True)
        sys.exit(EXIT_UNREACHABLE)


def _visible(message: str) -> str:
    """An error message quoting a claims file or a server can hold escape sequences: shown
    as `\\x1b`, never acted on by the terminal."""
    from factcheck.report.text import visible

    return visible(message)


def write_atomically(path: Path, text: str, what: str = "the report") -> None:
    """Replace `path` with `text` only once it is complete: temp file, fsync, rename.

    The file keeps the mode of the one it replaces (a new one gets the umask's), not the
    owner-only mode of a temporary file.
    """
    import tempfile  # only when a file is written

    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write {what}: {exc.strerror or exc}", str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), _mode_for(path))
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permission bits `path` has, or a new file would get under the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
