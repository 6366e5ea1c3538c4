"""The `factcheck` command's entry point: answer `--version` before importing anything.

`factcheck --version` runs in every pre-commit hook and CI log; it should cost no more than
starting Python. Everything else goes to the click CLI, which imports what a command needs.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line."""
    if sys.argv[1:] == ["--version"]:
        from factcheck import __version__

        sys.stdout.write(f"factcheck, version {__version__}\n")
        return
    from factcheck.cli import main as cli_main

    cli_main()
