"""What `verify` reads before it checks anything: claims files, their articles, accept files
and git changes, with the configuration's defaults under the command-line flags.

Everything here is read up front, so any unusable input stops the run (exit 2) before a
single request is sent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from factcheck.accept import AcceptFile, default_accept_path, load_accept_file, unused_notes
from factcheck.article import Article, load_article
from factcheck.changes import Changes, changed_lines
from factcheck.claims import load_claims
from factcheck.config import Config
from factcheck.errors import InputError
from factcheck.models import ClaimsFile, Report

SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".sarif": "sarif"}
OPTION_KEYS = ("fail_on", "fmt", "accept")  # a configured article only fills a gap: see below
NETWORK_KEYS = ("email", "cache_dir", "eutils_url", "timeout", "offline")


@dataclass(frozen=True)
class VerifyOptions:
    """The `verify` options that are not about reaching PubMed."""

    fmt: str | None = None
    output: Path | None = None
    fail_on: str = "mismatch"
    article: Path | None = None
    accept: Path | None = None
    changed_since: str | None = None

    @property
    def out_format(self) -> str:
        """--format, else the output file's suffix (.md, .json, .sarif), else terminal."""
        if self.fmt:
            return self.fmt
        if self.output is None:
            return "terminal"
        if self.output.name.lower().endswith(".sarif.json"):
            return "sarif"
        return SUFFIX_FORMATS.get(self.output.suffix.lower(), "markdown")


@dataclass(frozen=True)
class Job:
    """One claims file and what it is checked with."""

    claims: ClaimsFile
    article: Article | None = None
    accept: AcceptFile | None = None
    changes: Changes | None = None


def with_config(
    options: VerifyOptions, network: Mapping[str, Any], given: set[str], config: Config
) -> tuple[VerifyOptions, dict[str, Any]]:
    """`options` and `network` with the configuration filling what no flag or variable set."""
    values = {("fmt" if k == "format" else k): v for k, v in config.values.items()}
    if options.output is not None:  # -o report.md chose its format on the command line
        given = given | {"fmt"}
    own = {k: v for k, v in values.items() if k in OPTION_KEYS and k not in given}
    merged = dict(network)
    merged.update({k: v for k, v in values.items() if k in NETWORK_KEYS and k not in given})
    return replace(options, **own), merged


def prepare(files: tuple[Path, ...], options: VerifyOptions, config: Config) -> list[Job]:
    """Load every input; raise InputError on the first one that cannot be used (the report's
    folder included: a run must not do its lookups only to find it cannot be written)."""
    if options.output is not None:
        check_writable(options.output)
    claims_files = [load_claims(path) for path in files]
    accepts: dict[str, AcceptFile] = {}
    jobs = []
    for claims in claims_files:
        article_path = _article_path(claims, options, config)
        article = load_article(article_path) if article_path else None
        accept_path = _accept_path(claims, options)
        accept = None
        if accept_path is not None:
            key = os.path.normpath(accept_path)
            accept = accepts.get(key) or accepts.setdefault(key, load_accept_file(accept_path))
        changes = _changes(claims, article, options.changed_since)
        jobs.append(Job(claims, article, accept, changes))
    return jobs


def check_writable(output: Path) -> None:
    """Raise InputError unless a file can be written at `output` (its folder exists and
    takes new files; an existing `output` is not a folder)."""
    folder = output.parent
    why = ""
    if output.is_dir():
        why = "it is a directory"
    elif not folder.is_dir():
        why = f"no directory {folder}"
    elif not os.access(folder, os.W_OK | os.X_OK):
        why = f"{folder} is not writable"
    if why:
        raise InputError(f"cannot write the report: {why}", str(output))


def with_notes(reports: list[Report], jobs: list[Job]) -> list[Report]:
    """The reports, the first one using each accept file carrying its `accept.unused` notes."""
    reports = list(reports)
    done: set[int] = set()
    for i, job in enumerate(jobs[: len(reports)]):
        if job.accept is None or id(job.accept) in done:
            continue
        done.add(id(job.accept))
        users = [n for n, j in enumerate(jobs[: len(reports)]) if j.accept is job.accept]
        known = {c.id for n in users for c in jobs[n].claims.claims}
        partial = job.changes is not None or any(reports[n].interrupted for n in users)
        notes = unused_notes(job.accept, [reports[n] for n in users], known, partial=partial)
        reports[i] = replace(reports[i], notes=reports[i].notes + notes)
    return reports


def _article_path(claims: ClaimsFile, options: VerifyOptions, config: Config) -> Path | None:
    if options.article is not None:
        return options.article
    if claims.article:
        return Path(os.path.normpath(Path(claims.path).parent / claims.article))
    configured = config.values.get("article")
    return Path(configured) if configured else None


def _accept_path(claims: ClaimsFile, options: VerifyOptions) -> Path | None:
    if options.accept is not None:
        return options.accept
    beside = default_accept_path(claims.path)
    return beside if beside.is_file() else None


def _changes(claims: ClaimsFile, article: Article | None, ref: str | None) -> Changes | None:
    if ref is None:
        return None
    article_lines = changed_lines(article.path, ref) if article else frozenset()
    return Changes(ref, changed_lines(claims.path, ref), article_lines)
