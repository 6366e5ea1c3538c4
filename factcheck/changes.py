"""Which lines of a file changed since a git revision (for `verify --changed-since REF`).

Runs `git diff -U0 REF -- FILE` in the file's directory and reads the hunk headers; the
working tree is compared, so uncommitted edits count. Every git failure becomes an
InputError (exit 2) that says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from factcheck.errors import InputError

if TYPE_CHECKING:
    import subprocess

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
GIT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Changes:
    """Lines changed since `ref` in the claims file and in its article.

    None stands for "every line": the file did not exist at `ref`.
    """

    ref: str
    claims_lines: frozenset[int] | None
    article_lines: frozenset[int] | None = frozenset()

    def touches(self, lines: frozenset[int] | None, first: int, last: int) -> bool:
        """True when any line first..last is among `lines`."""
        return lines is None or any(first <= n <= last for n in lines)


def changed_lines(path: str | Path, ref: str) -> frozenset[int] | None:
    """Lines of `path` (in the working tree) added or changed since `ref`, plus the line
    after each deletion; None when `path` did not exist at `ref`."""
    path = Path(path)
    if ref.startswith("-") or not ref.strip():
        raise InputError(f"--changed-since: '{ref}' is not a git revision")
    commit = _git(
        path, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], ref
    ).strip()
    if _run(str(path.parent), ["cat-file", "-e", f"{commit}:./{path.name}"]).returncode != 0:
        return None
    diff = _git(path, ["diff", "-U0", "--no-color", "--no-ext-diff", commit, "--", path.name], ref)
    return frozenset(_new_lines(diff))


def _new_lines(diff: str) -> set[int]:
    lines: set[int] = set()
    for hunk in _HUNK.finditer(diff):
        start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
        if count == 0:  # a deletion after line `start`: the lines around it changed
            lines.update({start, start + 1})
        lines.update(range(start, start + count))
    return lines


def _git(path: Path, args: list[str], ref: str) -> str:
    """What `git args` prints, run in the folder of `path`; InputError when it fails."""
    done = _run(str(path.parent), args)
    if done.returncode == 0:
        return done.stdout
    error = done.stderr.strip().splitlines()
    if any("not a git repository" in line for line in error):
        raise InputError(f"--changed-since: {path} is not in a git repository")
    if args[0] == "rev-parse":
        raise InputError(
            f"--changed-since: unknown git revision '{ref}' (is it fetched? in CI, check out "
            "with enough history, e.g. fetch-depth: 0)"
        )
    raise InputError(f"--changed-since: git {args[0]} failed: {error[-1] if error else ''}")


def _run(folder: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """`git -C folder args`, however it ends; InputError when git is missing or hangs."""
    import subprocess  # here: only --changed-since runs git

    try:
        return subprocess.run(
            ["git", "-C", folder, *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise InputError("--changed-since needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"--changed-since: git took over {GIT_TIMEOUT:g} s") from None
