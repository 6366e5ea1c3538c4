"""`factcheck extract ARTICLE`: print (or write) a draft claims file for the article."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from factcheck.article import load_article
from factcheck.claims import load_claims, read_text
from factcheck.cli import EXIT_OK, write_atomically
from factcheck.extract import draft_claims, merge_draft, render_draft
from factcheck.report.text import counted


def run_extract(article_path: Path, merge: Path | None, output: Path | None) -> int:
    """Draft claims for the article's uncovered sentences; print them or write `output`."""
    article = load_article(article_path)
    existing = load_claims(merge) if merge else None
    drafts = draft_claims(article, existing.claims if existing else ())
    if merge is not None:
        text = merge_draft(read_text(merge, str(merge)), str(merge), drafts)
    else:
        base = output.parent if output else Path(".")
        text = render_draft(drafts, _relative(article_path, base), str(article_path))
    if output is not None:
        write_atomically(output, text, "the draft")
    else:
        sys.stdout.write(text)
    kept = f"; {counted(len(existing.claims), 'claim')} kept from {merge}" if existing else ""
    drafted = counted(len(drafts), "claim")
    print(f"factcheck: drafted {drafted} from {article_path}{kept}", file=sys.stderr)
    return EXIT_OK


def _relative(path: Path, base: Path) -> str:
    """`path` as the draft's `article:` sees it: relative to the folder the draft goes in."""
    path, base = path.resolve(), base.resolve()
    try:
        if os.path.commonpath([path, base]) != path.anchor:
            return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive, on Windows
        pass
    return str(path)
