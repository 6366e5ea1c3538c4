"""Project defaults for `verify`: `.factcheck.yaml`, or `[tool.factcheck]` in pyproject.toml.

Looked for from the claims file's folder upward, stopping at the repository root (the folder
holding `.git`); in each folder `.factcheck.yaml` comes before `pyproject.toml`. Paths in the
configuration are relative to the file that sets them. Command-line flags and environment
variables win over the configuration.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factcheck.claims import NodeReader, compose, read_text, suggestion
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
MAX_TIMEOUT = 600.0
"""Most seconds `timeout` may be, as for --timeout (far larger values overflow the socket)."""
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
    except ValueError as exc:  # TOMLDecodeError; plain ValueError for an int of 4,300+ digits
        raise _toml_error(exc, text, name) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise InputError(
            "'tool' must be a table, like [tool.factcheck]", name, *_toml_position(text, "tool")
        )
    table = tool.get("factcheck")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError(
            "[tool.factcheck] must be a table", name, *_toml_position(text, "tool", "factcheck")
        )
    values = {}
    for key, value in table.items():
        if key not in KEYS and key not in REFUSED:
            where = _toml_position(text, "tool", "factcheck", key)
            message = f"[tool.factcheck]: unknown key '{key}'{suggestion(key, KEYS)}"
            raise InputError(message, name, *where)
        where = _toml_position(text, "tool", "factcheck", key, value=True)
        values[key] = _checked(
            key,
            value,
            lambda message, at=where: InputError(f"[tool.factcheck]: {message}", name, *at),
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
            f"'timeout' must be a number of seconds from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}, "
            f"got {_shown(value)}"
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
    """`value` as a timeout in seconds: a number from MIN_TIMEOUT to MAX_TIMEOUT, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an int of hundreds of digits
        return None
    return seconds if MIN_TIMEOUT <= seconds <= MAX_TIMEOUT else None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _relative(path: Path) -> str:
    """`path` relative to the working folder when it is inside it (shorter in reports)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _toml_error(exc: ValueError, text: str, name: str) -> InputError:
    """tomllib's error as `file:line:col: invalid TOML: ...`.

    On Python < 3.14 the position is only in the message: "... (at line 4, column 11)"."""
    message = str(exc)
    if not isinstance(exc, tomllib.TOMLDecodeError):  # not the advice to call sys.set_int_...
        return InputError(f"invalid TOML: {message.split(';')[0]}", name)
    found = _TOML_AT.search(message)
    if found is None:
        return InputError(f"invalid TOML: {message}", name)
    message = message[: found.start()]
    if found.group("line"):
        return InputError(
            f"invalid TOML: {message}", name, int(found.group("line")), int(found.group("col"))
        )
    lines = text.split("\n")  # "(at end of document)"
    return InputError(f"invalid TOML: {message}", name, len(lines), len(lines[-1]) + 1)


_TOML_AT = re.compile(r" \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$")
_TOML_PART = r"""\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*"""
_TOML_KEY = rf"{_TOML_PART}(?:\.{_TOML_PART})*"
_TOML_HEADER = re.compile(rf"\[\[?({_TOML_KEY})\]\]?\s*(?:#.*)?$")
_TOML_ASSIGN = re.compile(rf"({_TOML_KEY})=\s*")


def _toml_position(text: str, *path: str, value: bool = False) -> tuple[int, int] | tuple[()]:
    """Line and column where the TOML key `path` (("tool", "factcheck", "timeout")) is set,
    or of its value with `value`; () when not found.

    Keys are read in the table their header opens, dotted or not, so `timeout` under
    [tool.other] is not taken for [tool.factcheck]'s. A key set inside an inline table
    is placed where the closest enclosing key is set."""
    best: tuple[int, tuple[int, int]] = (0, (0, 0))
    table: tuple[str, ...] = ()
    quote = ""
    for number, line in enumerate(text.split("\n"), 1):
        if quote:  # inside a multi-line string
            quote = "" if line.count(quote) % 2 else quote
            continue
        stripped = line.lstrip()
        column = len(line) - len(stripped) + 1
        if header := _TOML_HEADER.match(stripped):
            keys = table = _toml_keys(header.group(1))
        elif assign := _TOML_ASSIGN.match(stripped):
            keys = table + _toml_keys(assign.group(1))
            rest = stripped[assign.end() :]
            quote = next((q for q in ('"""', "'''") if rest.count(q) % 2), "")
            if keys == path and value:
                return number, column + assign.end()
        else:
            continue
        if keys == path:
            return number, column
        if keys == path[: len(keys)] and len(keys) > best[0]:
            best = (len(keys), (number, column))
    return best[1] if best[0] else ()


def _toml_keys(dotted: str) -> tuple[str, ...]:
    """`a."b.c" . d` as ("a", "b.c", "d")."""
    return tuple(
        part.strip()[1:-1] if part.strip()[0] in "\"'" else part.strip()
        for part in re.findall(_TOML_PART, dotted)
    )
