"""Checks against the article itself: is each claim's quote still there, and does every
sentence that states a figure or names a source have a claim?

Pure functions over a loaded `Article`: `match_quotes` gives each claim its `quote.in_article`
finding (with the article's closest sentence when the quote is gone), `uncovered` lists the
sentences no claim covers as `article:` pseudo-claims with an `article.uncovered` finding.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from factcheck.article import Article, Sentence, normalise
from factcheck.models import Claim, ClaimResult, Finding, Status
from factcheck.numbers import describe, find_mentions, sentence_spans
from factcheck.sentences import slug, states_something, unique

CLOSE = 0.6
"""A sentence at least this alike (difflib ratio) is the quote, edited."""
SIMILAR = 0.45
"""Below this, no sentence is worth showing as "the most similar"."""
_ELLIPSIS = re.compile(r"\s*[\[(]?\.{3}[\])]?\s*")


@dataclass(frozen=True)
class QuoteMatch:
    """Where a claim's quote is in the article, or what stands there now."""

    finding: Finding
    sentences: tuple[int, ...]
    """Indices of the article sentences the quote is in (or, once edited, its closest)."""
    lines: tuple[int, int] | None = None
    """First and last article line of those sentences."""


@dataclass(frozen=True)
class _Text:
    """The article's normalised sentences joined by spaces, and where each one starts."""

    joined: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, article: Article) -> _Text:
        starts, offset = [], 0
        for sentence in article.sentences:
            starts.append(offset)
            offset += len(sentence.key) + 1
        return cls(" ".join(s.key for s in article.sentences), tuple(starts))

    def sentences_in(self, start: int, end: int) -> range:
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, max(start, end - 1)) - 1
        return range(max(first, 0), last + 1)


def match_quotes(claims: Iterable[Claim], article: Article) -> dict[str, QuoteMatch]:
    """Each claim's `quote.in_article` finding, by claim id."""
    text = _Text.of(article)
    return {claim.id: match_quote(claim, article, text) for claim in claims}


def match_quote(claim: Claim, article: Article, text: _Text | None = None) -> QuoteMatch:
    """Find `claim`'s quote in the article; a quote with "..." matches its pieces in order."""
    text = text or _Text.of(article)
    found = _locate(claim.quote, text)
    if found is not None:
        lines = _lines(article, found)
        where = f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}-{lines[1]}"
        message = f"quote is in {article.path}, {where}"
        return QuoteMatch(Finding("quote.in_article", Status.VERIFIED, message), found, lines)
    return _gone(claim, article)


def uncovered(
    article: Article, matches: Iterable[QuoteMatch], *, lines: Collection[int] | None = None
) -> list[ClaimResult]:
    """`article:` pseudo-claims for the sentences that state something but no claim covers
    (only those starting on `lines`, when given)."""
    covered = {i for match in matches for i in match.sentences}
    taken: set[str] = set()
    results = []
    for i, sentence in enumerate(article.sentences):
        if i in covered or not states_something(sentence.text):
            continue
        if lines is not None and sentence.line not in lines:
            continue
        claim_id = unique("article:" + slug(sentence.text), taken)
        results.append(_uncovered_result(claim_id, sentence, article.path))
    return results


# --------------------------------------------------------------------------- helpers


def _fragments(quote: str) -> list[str]:
    return [piece for piece in _ELLIPSIS.split(normalise(quote)) if piece]


def _locate(quote: str, text: _Text) -> tuple[int, ...] | None:
    position = 0
    found: list[int] = []
    for piece in _fragments(quote):
        start = text.joined.find(piece, position)
        if start < 0:
            return None
        position = start + len(piece)
        found.extend(text.sentences_in(start, position))
    return tuple(dict.fromkeys(found)) or None


def _lines(article: Article, indices: tuple[int, ...]) -> tuple[int, int]:
    chosen = [article.sentences[i] for i in indices]
    return min(s.line for s in chosen), max(max(s.line, s.end_line) for s in chosen)


def _gone(claim: Claim, article: Article) -> QuoteMatch:
    """The quote is not in the article: say what the closest passage reads now."""
    best, ratio = _closest(claim.quote, article)
    if best is None or ratio < SIMILAR:
        message = f"quote is no longer in {article.path}, and nothing there is like it"
        return QuoteMatch(_mismatch(claim, message, None), ())
    now = " ".join(article.sentences[i].text for i in best)
    line = article.sentences[best[0]].line
    if ratio >= CLOSE:
        changes = _changes(claim.quote, now)
        message = f"quote is no longer in {article.path}; line {line} now reads “{now}”"
        message += f" ({changes})" if changes else ""
        return QuoteMatch(_mismatch(claim, message, now), best, _lines(article, best))
    message = (
        f"quote is no longer in {article.path} (deleted?); the most alike passage, "
        f"line {line}, reads “{now}”"
    )
    return QuoteMatch(_mismatch(claim, message, now), ())


def _mismatch(claim: Claim, message: str, now: str | None) -> Finding:
    return Finding("quote.in_article", Status.MISMATCH, message, expected=claim.quote, found=now)


def _closest(quote: str, article: Article) -> tuple[tuple[int, ...] | None, float]:
    """The run of consecutive sentences most like `quote`, and how alike (0-1)."""
    key = normalise(quote)
    size = max(1, len(sentence_spans(quote.strip())))
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)
    best: tuple[int, ...] | None = None
    best_ratio = 0.0
    keys = [s.key for s in article.sentences]
    for start in range(max(1, len(keys) - size + 1)):
        window = tuple(range(start, min(start + size, len(keys))))
        matcher.set_seq1(" ".join(keys[i] for i in window))
        if matcher.real_quick_ratio() > best_ratio and matcher.quick_ratio() > best_ratio:
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = window, ratio
    return best, best_ratio


def _changes(quote: str, now: str, limit: int = 3) -> str:
    """Word-level differences: “77%” → “80%”, “impressive” removed, “very” added."""
    old, new = quote.split(), now.split()
    matcher = difflib.SequenceMatcher(
        None, [normalise(w) for w in old], [normalise(w) for w in new], autojunk=False
    )
    changes = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        was, is_now = " ".join(old[a1:a2]), " ".join(new[b1:b2])
        if op == "replace":
            changes.append(f"“{was}” → “{is_now}”")
        elif op == "delete":
            changes.append(f"“{was}” removed")
        elif op == "insert":
            changes.append(f"“{is_now}” added")
    shown = ", ".join(changes[:limit])
    return shown + (f" and {len(changes) - limit} more changes" if len(changes) > limit else "")


def _uncovered_result(claim_id: str, sentence: Sentence, path: str) -> ClaimResult:
    figures = [describe(m.figure) for m in find_mentions(sentence.text)]
    what = "states " + ", ".join(dict.fromkeys(figures)) if figures else "names a source"
    message = (
        f"{path}:{sentence.line} {what}, but no claim covers it "
        "(`factcheck extract` drafts one; see --merge)"
    )
    claim = Claim(claim_id, sentence.text, sentence.line, file=path)
    finding = Finding("article.uncovered", Status.UNVERIFIABLE, message, line=sentence.line)
    return ClaimResult(claim, (finding,))
