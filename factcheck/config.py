"""Project defaults for `verify`: `.factcheck.yaml`, or `[tool.factcheck]` in pyproject.toml.

Looked for from the claims file's folder upward, stopping at the repository root (the folder
holding `.git`); in each folder `.factcheck.yaml` comes before `pyproject.toml`. Paths in the
configuration are relative to the file that sets them. Command-line flags and environment
variables win over the configuration.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factcheck.claims import NodeReader, compose, read_text
from factcheck.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

YAML_NAMES = (".factcheck.yaml", ".factcheck.yml")
CHOICES = {
    "fail-on": ("mismatch", "unverifiable"),
    "format": ("terminal", "markdown", "json", "github", "sarif"),
}
PATHS = ("cache-dir", "article", "accept")
TEXTS = ("email", "eutils-url")
KEYS = (*CHOICES, *PATHS, *TEXTS, "timeout", "offline")
MIN_TIMEOUT = 0.1
"""Fewest seconds `timeout` may be, as for --timeout."""
REFUSED = {"api-key": "keep keys out of repositories: set NCBI_API_KEY instead"}


@dataclass(frozen=True)
class Config:
    """Defaults found for a run: option name (as a Python identifier) -> value."""

    path: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


def find_config(start: str | Path) -> Config:
    """The configuration for a claims file at `start` (a file or a folder)."""
    folder = Path(start).resolve()
    folder = folder if folder.is_dir() else folder.parent
    for directory in (folder, *folder.parents):
        for name in YAML_NAMES:
            if (directory / name).is_file():
                return load_yaml_config(directory / name)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            config = load_pyproject(pyproject)
            if config is not None:
                return config
        if (directory / ".git").exists():
            break
    return Config()


def load_yaml_config(path: Path) -> Config:
    """Read a `.factcheck.yaml`; raise InputError (file:line:col) when it is invalid."""
    name = str(path)
    text = read_text(path, name, "configuration file")
    if not text.strip():
        return Config(name)
    reader = NodeReader(name)
    fields = reader.mapping(compose(text, name), (*KEYS, *REFUSED), "configuration")
    values = {}
    for key, node in fields.items():
        value = reader.scalar(node, f"'{key}'")
        values[key] = _checked(key, value, lambda message, n=node: reader.error(n, message))
    return Config(name, _resolved(values, path.parent))


def load_pyproject(path: Path) -> Config | None:
    """`[tool.factcheck]` of a pyproject.toml, or None when it has no such table."""
    name = str(path)
    text = read_text(path, name, "pyproject.toml")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", name) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise InputError(
            "'tool' must be a table, like [tool.factcheck]", name, _toml_line(text, "tool")
        )
    table = tool.get("factcheck")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError("[tool.factcheck] must be a table", name, _toml_line(text, "factcheck"))
    values = {}
    for key, value in table.items():
        line = _toml_line(text, key)
        if key not in KEYS and key not in REFUSED:
            raise InputError(f"[tool.factcheck]: {_unknown(key)}", name, line)
        values[key] = _checked(
            key, value, lambda message, n=line: InputError(f"[tool.factcheck]: {message}", name, n)
        )
    return Config(name, _resolved(values, path.parent))


def _checked(key: str, value: object, error: Any) -> object:
    """`value` for `key` if it is valid; else raise `error(message)`."""
    if key in REFUSED:
        raise error(f"'{key}' is not read from configuration: {REFUSED[key]}")
    if key in CHOICES and value not in CHOICES[key]:
        raise error(f"'{key}' must be one of {', '.join(CHOICES[key])}, got {_shown(value)}")
    if key == "timeout" and _seconds(value) is None:
        raise error(
            f"'timeout' must be a number of seconds, at least {MIN_TIMEOUT}, got {_shown(value)}"
        )
    if key == "offline" and not isinstance(value, bool):
        raise error(f"'offline' must be true or false, got {_shown(value)}")
    if key in (*PATHS, *TEXTS) and (not isinstance(value, str) or not value.strip()):
        raise error(f"'{key}' must be text, got {_shown(value)}")
    return value


def _resolved(values: dict[str, Any], base: Path) -> dict[str, Any]:
    """Keys as Python identifiers, paths made relative to the configuration's folder."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in PATHS:
            value = Path(_relative(base / value))
        elif key == "timeout":
            value = _seconds(value)
        out[key.replace("-", "_")] = value
    return out


def _seconds(value: object) -> float | None:
    """`value` as a timeout in seconds: a finite number at least MIN_TIMEOUT, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an int of hundreds of digits
        return None
    return seconds if math.isfinite(seconds) and seconds >= MIN_TIMEOUT else None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _relative(path: Path) -> str:
    """`path` relative to the working folder when it is inside it (shorter in reports)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _unknown(key: str) -> str:
    close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else "expected one of: " + ", ".join(KEYS)
    return f"unknown key '{key}' ({hint})"


def _toml_line(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
