"""The exceptions factcheck raises when it cannot do its job (not findings: those are data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from factcheck.models import Paper


class FactcheckError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""


class InputError(FactcheckError):
    """The input cannot be used (exit 2): a missing, unreadable or invalid claims file.

    `path`, `line` and `column` (1-based) locate the problem when known; str() gives
    `file:line:col: message`.
    """

    def __init__(
        self, message: str, path: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = [self.path] if self.path else []
        if self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        prefix = ":".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class PubMedError(FactcheckError):
    """PubMed answered, but not with something usable (after retries)."""


class PubMedUnavailable(PubMedError):
    """PubMed could not be reached: connection errors, timeouts, 429/5xx after all retries."""


class NotCached(PubMedUnavailable):
    """`--offline`, and the answer is not in the cache: nothing was sent.

    For a fetch, `missing` names the PMIDs the cache lacks and `found` holds the records it
    had (keyed by PMID), so that a caller can still use those.
    """

    def __init__(
        self,
        message: str,
        missing: tuple[str, ...] = (),
        found: Mapping[str, Paper] | None = None,
    ) -> None:
        super().__init__(message)
        self.missing = missing
        self.found: Mapping[str, Paper] = found or {}


class MatchesFailed(PubMedError):
    """ECitMatch could not answer some citations (after retries). `answers` holds those it
    did answer, in the run's other requests (see `EutilsClient.citation_match`)."""

    def __init__(self, message: str, answers: Mapping[str, str]) -> None:
        super().__init__(message)
        self.answers: Mapping[str, str] = answers


class MatchesNotCached(NotCached):
    """`--offline`, and ECitMatch's answers for some citations are not in the cache: nothing
    was sent. `missing` names those citations and `answers` holds the cached ones (see
    `EutilsClient.citation_match`)."""

    def __init__(self, message: str, missing: tuple[str, ...], answers: Mapping[str, str]) -> None:
        super().__init__(message, missing)
        self.answers: Mapping[str, str] = answers
