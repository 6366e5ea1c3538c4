"""Load an article (plain text, markdown or HTML) as sentences, each with its line number.

Markup is stripped (HTML with the stdlib `html.parser`, in `factcheck.article_html`; markdown
syntax line by line) but the line structure is kept, so a sentence can be located in the file
the writer edits. `normalise` is the one definition of "the same words" used to find claim
quotes in the article.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from factcheck.claims import read_text
from factcheck.numbers import sentence_spans

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

Line = tuple[int, str]
"""(1-based line number in the article file, plain text of that line); "" breaks a block."""


@dataclass(frozen=True)
class Sentence:
    """One sentence of the article: its text (whitespace folded) and the line it starts on."""

    text: str
    line: int
    key: str
    """`normalise(text)`, what quotes are matched against."""
    block: int = 0
    """Which paragraph (or heading, list item...) of the article it is in, counting from 0."""
    end_line: int = 0
    """The line it ends on (its `line` when it fits on one)."""


@dataclass(frozen=True)
class Article:
    """An article reduced to its sentences."""

    path: str
    sentences: tuple[Sentence, ...]


def load_article(path: str | Path) -> Article:
    """Read the article at `path` (kind from its suffix); raise InputError when unusable."""
    name = str(path)
    text = read_text(Path(path), name, "article")
    return parse_article(text, name, article_kind(name))


def article_kind(name: str) -> str:
    """ "html", "markdown" or "text", from the file name's suffix."""
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    return "markdown" if suffix in MARKDOWN_SUFFIXES else "text"


def parse_article(text: str, path: str = "article", kind: str = "text") -> Article:
    """`text` of the given kind as an Article (pure: no file access)."""
    if kind == "html":
        from factcheck.article_html import html_lines  # the HTML parser loads only for HTML

        lines = html_lines(text)
    elif kind == "markdown":
        lines = markdown_lines(text)
    else:
        lines = list(enumerate(text.splitlines(), start=1))
    return Article(path, tuple(_sentences(lines)))


# --------------------------------------------------------------------------- normalising

_QUOTES = str.maketrans(dict.fromkeys("‘’‚‛′`´", "'") | dict.fromkeys("“”„‟″«»", '"'))
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]\s*")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """`text` with case, curly quotes, dashes, line wraps and spacing made uniform."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).translate(_QUOTES)
    text = _DASHES.sub("-", text)
    return _SPACES.sub(" ", text).strip().casefold()


# --------------------------------------------------------------------------- sentences


def _sentences(lines: list[Line]) -> list[Sentence]:
    sentences: list[Sentence] = []
    for number, block in enumerate(_blocks(lines)):
        text, starts = _join(block)
        for lo, hi in sentence_spans(text):
            folded = " ".join(text[lo:hi].split())
            if folded:
                line = _line_at(starts, lo + len(text[lo:hi]) - len(text[lo:hi].lstrip()))
                end = _line_at(starts, lo + len(text[lo:hi].rstrip()) - 1)
                sentences.append(Sentence(folded, line, normalise(folded), number, end))
    return sentences


def _blocks(lines: list[Line]) -> list[list[Line]]:
    blocks: list[list[Line]] = [[]]
    for number, text in lines:
        if text.strip():
            blocks[-1].append((number, text))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _join(block: list[Line]) -> tuple[str, list[tuple[int, int]]]:
    """The block's lines joined by spaces, and (offset, line number) where each starts."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, text in block:
        starts.append((offset, number))
        parts.append(text)
        offset += len(text) + 1
    return " ".join(parts), starts


def _line_at(starts: list[tuple[int, int]], offset: int) -> int:
    line = starts[0][1]
    for begin, number in starts:
        if begin > offset:
            break
        line = number
    return line


# --------------------------------------------------------------------------- markdown

_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_BLOCK_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+)+")
_ORDERED = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+")
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_INLINE = (
    (re.compile(r"<!--.*?-->"), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), " "),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"`+([^`]*)`+"), r"\1"),
    # emphasis that opens on one line and closes on another: drop the stray markers
    (re.compile(r"(?<![\w*\\])(?:\*{1,3}|_{1,3})(?=[^\s*_])"), ""),
    (re.compile(r"(?<=[^\s*_\\])(?:\*{1,3}|_{1,3})(?![\w*])"), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])"), r"\1"),
)


def markdown_lines(text: str) -> list[Line]:
    """Markdown reduced to plain lines; headings, list items and table rows stand alone."""
    lines: list[Line] = []
    in_fence = False
    previous = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if _FENCE.match(raw):
            in_fence = not in_fence
        skipped = in_fence or _FENCE.match(raw) or _LINK_DEFINITION.match(raw)
        if skipped or _TABLE_RULE.match(raw) or _UNDERLINE.match(raw):
            lines.append((number, ""))  # a setext underline ends its heading
        else:
            lines.extend(_markdown_line(number, raw, previous))
        previous = raw
    return lines


def _markdown_line(number: int, raw: str, previous: str) -> list[Line]:
    """One markdown line as plain text, with block breaks around what stands alone."""
    # An ordered list interrupts a paragraph only after a blank line or another item, so a
    # wrapped line that starts "2018. The" keeps its year.
    ordered = _ORDERED.match(raw) and (not previous.strip() or _ORDERED.match(previous))
    heading = _ATX_HEADING.match(raw)
    alone = bool(heading or ordered or _BLOCK_PREFIX.match(raw) or "|" in raw)
    plain = _ORDERED.sub("", raw) if ordered else raw
    plain = _BLOCK_PREFIX.sub("", plain)
    for pattern, replacement in _INLINE:
        plain = pattern.sub(replacement, plain)
    result = [(number, ""), (number, plain.replace("|", " "))] if alone else [(number, plain)]
    return [*result, (number, "")] if heading or "|" in raw else result
