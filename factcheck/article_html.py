"""HTML articles as plain lines, with the stdlib `html.parser` (apart from `factcheck.article`
so that the parser loads only when an article is HTML)."""

from __future__ import annotations

from html.parser import HTMLParser

from factcheck.article import Line

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br caption dd div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg"})


class _TextCollector(HTMLParser):
    """Collects text with its source line; block elements break blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping.append(tag)
        elif tag in _BLOCK_TAGS:
            self.lines.append((self.getpos()[0], ""))

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        elif tag in _BLOCK_TAGS:
            self.lines.append((self.getpos()[0], ""))

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        first = self.getpos()[0]
        for i, piece in enumerate(data.split("\n")):
            last = self.lines[-1] if self.lines else (0, "")
            if i == 0 and last[0] == first and last[1]:  # inline markup: same line goes on
                self.lines[-1] = (first, last[1] + piece)
            elif piece.strip():
                self.lines.append((first + i, piece))


def html_lines(text: str) -> list[Line]:
    """HTML reduced to plain lines (scripts, styles and the head left out)."""
    collector = _TextCollector()
    collector.feed(text)
    collector.close()
    return collector.lines
