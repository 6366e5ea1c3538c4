"""`factcheck verify`: load every claims file first, then check, report and pick the exit code."""

from __future__ import annotations

import io
import os
import signal
import sys
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from factcheck.cli import EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, write_atomically
from factcheck.cli.inputs import VerifyOptions, prepare, with_config, with_notes
from factcheck.cli.source import open_client, source_stats
from factcheck.config import find_config
from factcheck.models import ClaimResult, Report, Status
from factcheck.report.terminal import render_terminal
from factcheck.report.text import counted
from factcheck.run import Progress as ProgressCallback
from factcheck.run import verify

FAILING = {
    "mismatch": {Status.MISMATCH, Status.ERROR},
    "unverifiable": {Status.MISMATCH, Status.ERROR, Status.UNVERIFIABLE},
}


def run_verify(
    files: tuple[Path, ...],
    options: VerifyOptions,
    network: Mapping[str, Any],
    given: Collection[str] = (),
) -> int:
    """Check `files` and report; return the exit code (CONTRACT §2).

    `given` names the options set on the command line or through the environment: the
    configuration (.factcheck.yaml or [tool.factcheck]) fills only the others.
    """
    config = find_config(files[0])
    options, network = with_config(options, network, set(given), config)
    jobs = prepare(files, options, config)  # every input error before any work
    stdout = Console(highlight=False, soft_wrap=False)
    stderr = Console(stderr=True, highlight=False)
    reports: list[Report] = []
    with open_client(network) as client, signals_as_interrupts() as stop:
        try:
            for job in jobs:
                if reports and reports[-1].interrupted:
                    break
                with progress_bar(stderr, job.claims.path) as on_progress:
                    report = verify(
                        job.claims,
                        client,
                        article=job.article,
                        accept=job.accept,
                        changes=job.changes,
                        stats=lambda: source_stats(client),
                        offline_reason="PubMed not consulted",
                        on_progress=on_progress,
                    )
                reports.append(report)
        except KeyboardInterrupt:  # outside the lookups: keep the reports already made
            stop.signal = stop.signal or signal.SIGINT
    reports = with_notes(reports, jobs)
    with ignoring_interrupts():
        return finish(reports, options, stop.signal, stdout, stderr)


def finish(
    reports: list[Report],
    options: VerifyOptions,
    stopped_by: int | None,
    stdout: Console,
    stderr: Console,
) -> int:
    """Write and show the reports; return the exit code."""
    out_format, output = options.out_format, options.output
    if output is not None:
        write_atomically(output, render_all(reports, out_format))
    if output is None and out_format != "terminal":
        sys.stdout.write(render_all(reports, out_format))
    else:
        for report in reports:
            stdout.print(render_terminal(report))
    if out_format == "github":
        append_step_summary(reports)
    code, reason = exit_code(reports, options.fail_on)
    if stopped_by is None and any(r.interrupted for r in reports):
        stopped_by = signal.SIGINT
    if stopped_by is not None:
        code, reason = 128 + stopped_by, f"interrupted ({signal.Signals(stopped_by).name})"
    footer = stdout if out_format == "terminal" and output is None else stderr
    footer.print(f"\nExit {code}: {reason}.", style="bold", markup=False)
    return code


def render_all(reports: list[Report], out_format: str) -> str:
    """All reports in one text: markdown sections one after another, JSON as one document
    (a list when several files were checked), terminal as plain text."""
    if out_format == "json":
        from factcheck.report.json_report import render_json

        if len(reports) == 1:
            return render_json(reports[0])
        return "[\n" + ",\n".join(render_json(r).rstrip() for r in reports) + "\n]\n"
    if out_format == "markdown":
        from factcheck.report.markdown import render_markdown

        return "\n".join(render_markdown(r) for r in reports)
    if out_format == "github":
        from factcheck.report.github import render_github

        return "".join(render_github(r) for r in reports)
    if out_format == "sarif":
        from factcheck.report.sarif import render_sarif

        return render_sarif(reports)
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, no_color=True, highlight=False)
    for report in reports:
        console.print(render_terminal(report))
    return buffer.getvalue()


def exit_code(reports: list[Report], fail_on: str) -> tuple[int, str]:
    """The exit code and the reason to print beside it."""
    statuses = [r.status for report in reports for r in report.results]
    failing = [s for s in statuses if s in FAILING[fail_on]]
    if failing:
        what = counted(len(failing), "claim") + f" at or above {fail_on}"
        if fail_on == "mismatch":
            what = counted(statuses.count(Status.MISMATCH), "mismatch", "mismatches")
        return EXIT_FINDINGS, f"{what} (fail-on: {fail_on})"
    unreachable = [report.sources for report in reports if report.sources.unreachable]
    if unreachable:
        left = counted(
            sum(_not_looked_up(r) for report in reports for r in report.results), "claim"
        )
        if all(sources.not_all_cached for sources in unreachable):
            return EXIT_UNREACHABLE, (
                f"{left} left unverifiable: not all sources are in the cache "
                "(a run without --offline fills it)"
            )
        return EXIT_UNREACHABLE, (
            f"PubMed could not be reached; {left} left unverifiable "
            "(try again later, or use --offline to rely on the cache)"
        )
    accepted = sum(report.accepted for report in reports)
    also = f"; {counted(accepted, 'finding')} accepted" if accepted else ""
    return EXIT_OK, f"nothing at or above {fail_on} (fail-on: {fail_on}){also}"


def _not_looked_up(result: ClaimResult) -> bool:
    return any(f.check == "source.resolve" and f.not_checked for f in result.findings)


def append_step_summary(reports: list[Report]) -> None:
    """In GitHub Actions, add the markdown report to the job summary ($GITHUB_STEP_SUMMARY)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(render_all(reports, "markdown") + "\n")
    except OSError as exc:
        print(f"factcheck: cannot write the job summary: {exc.strerror or exc}", file=sys.stderr)


@dataclass
class StopSignal:
    """Which signal stopped the run, if any."""

    signal: int | None = None


@contextmanager
def signals_as_interrupts() -> Iterator[StopSignal]:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt, remembering which one came."""
    stop = StopSignal()

    def interrupt(signum: int, _frame: object) -> None:
        stop.signal = signum
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def ignoring_interrupts() -> Iterator[None]:
    """While the report is written, a second Ctrl-C must not leave it half done."""
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[ProgressCallback | None]:
    """A transient progress line on an interactive terminal; nothing in CI or a pipe."""
    if not console.is_terminal or os.environ.get("CI"):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    # the label holds a file name: text, never rich markup
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"Looking up sources for {label}", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
