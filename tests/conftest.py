"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eutils_stand_in import StandInEutils
from pytest_httpserver import HTTPServer

# Variables factcheck (or rich) reads: a CI runner or a developer's shell sets some of them,
# and tests must see the same world everywhere. A test that needs one sets it itself.
OUTSIDE_ENVIRONMENT = (
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "FACTCHECK_CACHE_DIR",
    "FACTCHECK_CACHE_URL",
    "FACTCHECK_EUTILS_URL",
    "NCBI_API_KEY",
    "NCBI_EMAIL",
    "NO_COLOR",
    "COLUMNS",
    "LINES",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
)


@pytest.fixture(scope="session", autouse=True)
def _clean_environment() -> Iterator[None]:
    """Session-wide, so module-scoped fixtures (the seed run) see it too."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in OUTSIDE_ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        yield


# --- the stand-in E-utilities server (tests/eutils_stand_in.py) ------------------------------


@pytest.fixture(scope="session")
def eutils_server() -> Iterator[HTTPServer]:
    """One threaded HTTP server on 127.0.0.1 for the whole run (each test gets fresh handlers)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    if server.is_running():
        server.stop()


@pytest.fixture
def eutils(eutils_server: HTTPServer) -> Iterator[StandInEutils]:
    """A fresh stand-in E-utilities serving tests/fixtures/pubmed (restarted if it was stopped)."""
    if not eutils_server.is_running():
        eutils_server.start()
    stand_in = StandInEutils(eutils_server)
    yield stand_in
    stand_in.close()


@pytest.fixture
def eutils_url(eutils: StandInEutils) -> str:
    """The stand-in's base URL, ending in `/`."""
    return eutils.base_url
