"""Load and validate a claims file (CONTRACT §3) into `ClaimsFile`.

The YAML is composed into nodes (never constructed as a whole), so every value keeps its
line and column and every error can say `file:line:col: message`. Hostile files are refused
before they cost much: over 10 MB unread, over `MAX_NODES` values or `MAX_DEPTH` levels while
composing (a deep `[[[[…` would otherwise exhaust the stack), and aliases are followed only
within the same node budget, so a "billion laughs" file is refused instead of expanded.
libyaml composes when it is installed (ten times faster); on an error, PyYAML's own parser
re-reads the start of the file for its clearer message.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from factcheck import numbers
from factcheck.dates import ascii_digits, month_number
from factcheck.errors import InputError
from factcheck.identifiers import bare_doi, first_page, normalise_pmcid
from factcheck.models import Citation, Claim, ClaimsFile, Figure, Rate

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = 500_000
"""Values in a file (aliases counted each time they are used): 10,000 claims fit twice over."""
MAX_DEPTH = 20
"""Nesting levels; the schema uses at most 6 (claims > claim > cite > authors > name)."""
MAX_TEXT_CHARS = MAX_FILE_BYTES
"""Characters in all the values once aliases are expanded: no more than a file can hold."""
MAX_QUOTE_CHARS = 10_000
MAX_WHOLE = 10**numbers._MAX_DIGITS - 1
"""Largest count or total: as for figures (numbers.parse_figure), so arithmetic on it fits
a float."""
_EXPLAIN_CHARS = 500_000  # how much PyYAML may re-read to explain a libyaml error (~1 s)

TOP_KEYS = ("article", "claims")
CLAIM_KEYS = ("id", "quote", "cite", "figures")
CITE_KEYS = (
    "pmid",
    "doi",
    "pmcid",
    "journal",
    "year",
    "month",
    "authors",
    "title",
    "affiliation",
    "volume",
    "pages",
)
RATE_KEYS = ("count", "total", "percent")


def load_claims(path: str | Path) -> ClaimsFile:
    """Read, parse and validate the claims file at `path`; raise InputError when unusable."""
    name = str(path)
    text = _read_text(Path(path), name)
    root = _compose(text, name)
    return _Reader(name).claims_file(root)


def _read_text(path: Path, name: str, what: str = "claims file") -> str:
    if not path.exists():
        raise InputError("no such file", name)
    if path.is_dir():
        raise InputError(f"is a directory, not a {what}", name)
    if not path.is_file():  # /dev/zero, a named pipe (or a symlink to one): never ends
        raise InputError(f"not a regular file, so not a {what}", name)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", name)
        with path.open("rb") as handle:  # no more than the limit, even if the file grows
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise InputError(f"file is over the limit of {MAX_FILE_BYTES:,} bytes", name)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", name) from None
    if b"\x00" in data:
        raise InputError(f"binary file: a {what} is text", name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _offset_position(data, exc.start)
        raise InputError("not UTF-8 text (save the file as UTF-8)", name, line, col) from None


def _offset_position(data: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column, in characters, of `offset` into `data`."""
    before = data[:offset]
    if isinstance(before, bytes):
        before = before.decode("utf-8", "replace")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _compose(text: str, name: str) -> Node:
    if not text.strip():
        raise InputError("file is empty: expected 'claims:' followed by a list of claims", name)
    node = _parse(text, name)
    if node is None:
        raise InputError("file has no content: expected 'claims:' with a list of claims", name)
    if "*" not in text:  # no alias: the composer's own count and the file's size are the limits
        return node
    try:
        _check_expansion(node)
    except _Refused as exc:
        raise _input_error(exc, text, name) from None
    return node


def _check_expansion(root: Node) -> None:
    """Refuse, before reading any of it, a file whose aliases expand it past `MAX_NODES`
    values or `MAX_TEXT_CHARS` characters (a quote of 10,000 digits used by 20,000 claims),
    or that holds a cycle (`&a [*a]`). The culprit named is the smallest value over a limit."""
    sizes = _expanded_sizes(root)
    if not _over(sizes[id(root)]):
        return
    node = root
    while over := [c for c in _children(node) if _over(sizes[id(c)])]:
        node = over[0]
    values = sizes[id(node)][0]
    what = f"{MAX_NODES:,} values" if values > MAX_NODES else f"{MAX_TEXT_CHARS:,} characters"
    raise _Refused(f"aliases expand this to over {what}", node.start_mark)


def _over(size: tuple[int, int]) -> bool:
    return size[0] > MAX_NODES or size[1] > MAX_TEXT_CHARS


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [item for pair in node.value for item in pair]
    return list(node.value) if isinstance(node, SequenceNode) else []


def _expanded_sizes(root: Node) -> dict[int, tuple[int, int]]:
    """(values, characters) each node stands for with its aliases expanded, by id(node).

    Iterative (aliases can chain far deeper than the stack) and linear in the nodes
    composed, whatever they expand to; sizes are capped just over the limits."""
    sizes: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            values, chars = 1, len(node.value) if isinstance(node, ScalarNode) else 0
            for child in _children(node):
                values += sizes[id(child)][0]
                chars += sizes[id(child)][1]
            sizes[key] = (min(values, MAX_NODES + 1), min(chars, MAX_TEXT_CHARS + 1))
            on_path.discard(key)
        elif key in on_path:
            raise _Refused("an alias refers to the value it is part of", node.start_mark)
        elif key not in sizes:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return sizes


class _Refused(Exception):
    """The file is over a limit (`message`), found at `mark`."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Limited(Composer):
    """A composer that counts values and nesting as it goes and stops at either limit, so
    neither memory nor the stack is spent on a file that will be refused anyway."""

    _values = 0
    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            if not isinstance(event, AliasEvent):
                self._values += 1
                if self._values > MAX_NODES:
                    raise _Refused(f"too many values (over {MAX_NODES:,})", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PyLoader(_Limited, yaml.SafeLoader):
    """PyYAML's own parser: slow, but its error messages name the character and context."""


_FastLoader: type | None = None
if hasattr(yaml, "CSafeLoader"):

    class _CLoader(_Limited, yaml.CSafeLoader):
        """libyaml's parser under the limited composer."""

        def __init__(self, stream: str) -> None:
            yaml.CSafeLoader.__init__(self, stream)
            Composer.__init__(self)

    _FastLoader = _CLoader


def _parse(text: str, name: str) -> Node | None:
    """The root node of `text` (None when it holds no document); InputError when unusable."""
    if _FastLoader is not None:
        try:
            return yaml.compose(text, Loader=_FastLoader)
        except _Refused as exc:
            raise _input_error(exc, text, name) from None
        except yaml.YAMLError as exc:
            terse = _input_error(exc, text, name, utf8=True)
            raise _explained(text, name, terse.line) or terse from None
    try:
        return yaml.compose(text, Loader=_PyLoader)
    except (yaml.YAMLError, _Refused) as exc:
        raise _input_error(exc, text, name) from None


def _explained(text: str, name: str, line: int | None) -> InputError | None:
    """PyYAML's error in the lines up to `line` (where libyaml failed), if it finds one."""
    if line is None:
        return None
    head = "\n".join(text.split("\n", line + 1)[: line + 1])
    if len(head) > _EXPLAIN_CHARS:
        return None
    try:
        yaml.compose(head, Loader=_PyLoader)
    except (yaml.YAMLError, _Refused) as exc:
        error = _input_error(exc, head, name)
        if error.line is not None and error.line <= line:
            return error
    return None


def _input_error(exc: Exception, text: str, name: str, *, utf8: bool = False) -> InputError:
    """`exc`, raised composing `text`, as an InputError with its position."""
    if isinstance(exc, _Refused):
        line, column = exc.mark.line + 1, exc.mark.column + 1
        return InputError(f"{exc.message}: refusing the file", name, line, column)
    if isinstance(exc, yaml.MarkedYAMLError):
        return _yaml_error(exc, name)
    if isinstance(exc, yaml.reader.ReaderError):  # libyaml counts bytes, PyYAML characters
        data = text.encode("utf-8") if utf8 else text
        line, column = _offset_position(data, exc.position)
        shown = f" (U+{exc.character:04X})" if isinstance(exc.character, int) else ""
        return InputError(f"invalid YAML: {exc.reason}{shown}", name, line, column)
    return InputError(f"invalid YAML: {exc}", name)


def _yaml_error(exc: yaml.MarkedYAMLError, name: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if "'\\t'" in problem:
        problem = "tab character: indent with spaces, not tabs"
    elif exc.context:
        problem = f"{problem} ({exc.context})"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return InputError(f"invalid YAML: {problem}", name, line, column)


_UNREADABLE = (yaml.YAMLError, ValueError, KeyError, AttributeError, TypeError, OverflowError)
"""What SafeConstructor raises on a scalar that does not fit its (implicit or explicit) tag."""


class _Reader:
    """Turns composed YAML nodes into checked model objects, with positions in errors.

    It keeps no count of the values it reads: it reads each node once per place it appears,
    aliases expanded, which is what `_compose` counted and held to `MAX_NODES` already."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.constructor = SafeConstructor()

    # -- helpers ---------------------------------------------------------------------------

    def error(self, node: Node, message: str) -> InputError:
        mark = node.start_mark
        return InputError(message, self.name, mark.line + 1, mark.column + 1)

    def mapping(self, node: Node, allowed: tuple[str, ...], what: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{what} must be a mapping of keys to values")
        items: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                raise self.error(key_node, f"{what}: keys must be plain words")
            if key not in allowed:
                raise self.error(key_node, f"{what}: unknown key '{key}'{suggestion(key, allowed)}")
            if key in items:
                raise self.error(key_node, f"{what}: key '{key}' is given twice")
            items[key] = value_node
        return items

    def scalar(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.error(node, f"{what} must be a single value, not a list or mapping")
        try:
            return self.constructor.construct_object(node)
        except _UNREADABLE:  # `!!int abc`, `2001-13-45`, a bare `=` or `<<`, `!custom` tags
            kind = node.tag.rsplit(":", 1)[-1]
            raise self.error(
                node, f"{what}: cannot read {_shown(node.value)} as {kind}; quote it if it is text"
            ) from None

    def text(self, node: Node, what: str, *, required: bool = True) -> str:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(node, f"{what} must be text, got {_shown(value)}")
        # a number as written: `010`, `0x8`, `1.50` are not 8, 8, 1.5
        value = (value if isinstance(value, str) else str(node.value)).strip()
        if required and not value:
            raise self.error(node, f"{what} is empty")
        return value

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"{what} must be a list (items starting with '- ')")
        return list(node.value)

    # -- the schema ------------------------------------------------------------------------

    def claims_file(self, root: Node) -> ClaimsFile:
        top = self.mapping(root, TOP_KEYS, "claims file")
        if "claims" not in top:
            raise self.error(root, "missing 'claims:': expected a list of claims")
        article = self.text(top["article"], "'article'") if "article" in top else None
        claims: list[Claim] = []
        seen: dict[str, int] = {}
        for item in self.sequence(top["claims"], "'claims'"):
            claim = self.claim(item, len(claims) + 1)
            if claim.id in seen:
                raise self.error(
                    item, f"claim '{claim.id}': duplicate id (first used on line {seen[claim.id]})"
                )
            seen[claim.id] = claim.line
            claims.append(claim)
        if not claims:
            raise self.error(top["claims"], "'claims' is empty: add at least one claim")
        return ClaimsFile(path=self.name, claims=tuple(claims), article=article)

    def claim(self, node: Node, index: int) -> Claim:
        peeked = _peek_id(node)
        label = f"claim '{peeked}'" if peeked else f"claim #{index}"
        fields = self.mapping(node, CLAIM_KEYS, label)
        if "id" not in fields:
            raise self.error(node, f"{label}: missing 'id'")
        claim_id = self.text(fields["id"], f"{label}: 'id'")
        label = f"claim '{claim_id}'"
        if "quote" not in fields:
            raise self.error(node, f"{label}: missing 'quote'")
        quote = self.text(fields["quote"], f"{label}: 'quote'")
        if len(quote) > MAX_QUOTE_CHARS:
            raise self.error(
                fields["quote"],
                f"{label}: 'quote' is {len(quote):,} characters; quote one passage "
                f"(at most {MAX_QUOTE_CHARS:,})",
            )
        cite = self.citation(fields["cite"], label) if "cite" in fields else None
        figures: Sequence[Figure]
        rates: Sequence[Rate]
        if "figures" in fields:
            figures, rates = self.figures(fields["figures"], label)
            from_quote = False
        else:
            figures, rates = numbers.read_figures(quote)
            from_quote = True
        line = fields["id"].start_mark.line + 1
        return Claim(
            claim_id, quote, line, cite, tuple(figures), tuple(rates), from_quote, _span(node)
        )

    def citation(self, node: Node, label: str) -> Citation:
        fields = self.mapping(node, CITE_KEYS, f"{label}: 'cite'")
        values: dict[str, Any] = {}
        for key, value_node in fields.items():
            values[key] = _CITE_READERS[key](self, value_node, f"{label}: '{key}'")
        lines = tuple((key, n.start_mark.line + 1) for key, n in fields.items())
        return Citation(**values, lines=lines)

    def figures(self, node: Node, label: str) -> tuple[list[Figure], list[Rate]]:
        figures: list[Figure] = []
        rates: list[Rate] = []
        for item in self.sequence(node, f"{label}: 'figures'"):
            line = item.start_mark.line + 1
            if isinstance(item, MappingNode):
                rate = self.rate(item, label, line)
                rates.append(rate)
                figures.extend(_rate_parts(rate))
            else:
                figures.append(self.figure(item, label, line))
        return figures, rates

    def figure(self, node: Node, label: str, line: int) -> Figure:
        value = self.scalar(node, f"{label}: figure")
        if isinstance(value, bool) or value is None:
            raise self.error(node, f"{label}: figure must be a number or text like '77%'")
        try:
            figure = numbers.parse_figure(value)
        except ValueError as exc:
            raise self.error(node, f"{label}: figure {_shown(value)}: {exc}") from None
        return _with_line(figure, line)

    def rate(self, node: Node, label: str, line: int) -> Rate:
        fields = self.mapping(node, RATE_KEYS, f"{label}: rate")
        for key in ("count", "total"):
            if key not in fields:
                raise self.error(node, f"{label}: rate needs 'count' and 'total'")
        count = self.whole(fields["count"], f"{label}: 'count'", minimum=0)
        total = self.whole(fields["total"], f"{label}: 'total'", minimum=1)
        if count > total:
            raise self.error(fields["count"], f"{label}: count {count} is more than total {total}")
        percent = None
        if "percent" in fields:
            percent = self.percent(fields["percent"], label, line)
        text = f"{count} of {total}" + (f" ({percent.text})" if percent else "")
        return Rate(count, total, percent, text, line)

    def percent(self, node: Node, label: str, line: int) -> Figure:
        raw = self.scalar(node, f"{label}: 'percent'")
        written = f"{raw}%" if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw
        figure = self.figure_from(node, written, label, line)
        if not figure.percent:
            figure = replace(figure, percent=True, text=f"{figure.text}%")
        if figure.value < 0 or figure.value > 100:
            raise self.error(node, f"{label}: percent {figure.text} is not a share (0-100%)")
        return figure

    def figure_from(self, node: Node, raw: object, label: str, line: int) -> Figure:
        try:
            return _with_line(numbers.parse_figure(raw), line)
        except ValueError as exc:
            raise self.error(node, f"{label}: 'percent' {_shown(raw)}: {exc}") from None

    def whole(
        self, node: Node, what: str, *, minimum: int, maximum: int = MAX_WHOLE, like: str = ""
    ) -> int:
        """A whole number from `minimum` to `maximum`; out of range, the message says it
        must be `like` ("a year like 2018") when given, else which bound it crossed."""
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(node, f"{what} must be a whole number, got {_shown(value)}")
        if minimum <= value <= maximum:
            return value
        if like:
            raise self.error(node, f"{what} must be {like}, got {_shown(value)}")
        if value < minimum:
            raise self.error(node, f"{what} must be at least {minimum}, got {_shown(value)}")
        raise self.error(node, f"{what} must be at most {maximum:,}, got {_shown(value)}")

    # -- cite fields -----------------------------------------------------------------------

    def pmid(self, node: Node, what: str) -> str:
        value = self.text(node, what)
        if not ascii_digits(value) or len(value) > 9:
            raise self.error(node, f"{what} must be a PubMed ID (digits), got {_shown(value)}")
        return value

    def doi(self, node: Node, what: str) -> str:
        value = bare_doi(self.text(node, what))
        if not value.startswith("10.") or "/" not in value:
            raise self.error(node, f"{what} must look like 10.1234/abc, got {_shown(value)}")
        return value

    def pmcid(self, node: Node, what: str) -> str:
        written = self.text(node, what)
        value = normalise_pmcid(written)
        if not ascii_digits(value.removeprefix("PMC")):
            raise self.error(node, f"{what} must look like PMC1234567, got {_shown(written)}")
        return value

    def year(self, node: Node, what: str) -> int:
        return self.whole(node, what, minimum=1800, maximum=2100, like="a year like 2018")

    def month(self, node: Node, what: str) -> int:
        value = self.scalar(node, what)
        month = _month_number(value)
        if month is None:
            raise self.error(
                node, f"{what} must be a month name, abbreviation or 1-12, got {_shown(value)}"
            )
        return month

    def authors(self, node: Node, what: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode):
            return (self.text(node, what),)
        return tuple(self.text(item, f"{what} entry") for item in self.sequence(node, what))

    def plain(self, node: Node, what: str) -> str:
        return self.text(node, what)

    def pages(self, node: Node, what: str) -> str:
        value = self.text(node, what)
        if not first_page(value):
            message = f"{what} must be a page or a range like 1050-1058, got {_shown(value)}"
            raise self.error(node, message)
        return value


_CITE_READERS: dict[str, Callable[[_Reader, Node, str], Any]] = {
    "pmid": _Reader.pmid,
    "doi": _Reader.doi,
    "pmcid": _Reader.pmcid,
    "journal": _Reader.plain,
    "year": _Reader.year,
    "month": _Reader.month,
    "authors": _Reader.authors,
    "title": _Reader.plain,
    "affiliation": _Reader.plain,
    "volume": _Reader.plain,
    "pages": _Reader.pages,
}


def _span(node: Node) -> tuple[int, int]:
    """First and last line of a claim entry: a block entry ends where the next one starts."""
    start, end = node.start_mark, node.end_mark
    last = end.line + 1 if end.column > start.column else end.line
    return start.line + 1, max(start.line + 1, last)


def _peek_id(node: Node) -> str | None:
    """The claim's id, read ahead so that even its first error can name the claim."""
    if not isinstance(node, MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
            return str(value.value).strip() or None
    return None


def _month_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 12 else None
    return month_number(value) if isinstance(value, str) else None


def _rate_parts(rate: Rate) -> list[Figure]:
    parts = [
        Figure(text=str(rate.count), value=rate.count, line=rate.line),
        Figure(text=str(rate.total), value=rate.total, line=rate.line),
    ]
    if rate.percent:
        parts.append(rate.percent)
    return parts


def _with_line(figure: Figure, line: int) -> Figure:
    return replace(figure, line=line)


def suggestion(
    word: str, allowed: Sequence[str], *, cutoff: float = 0.5, otherwise: str | None = None
) -> str:
    """ " (did you mean 'cite'?)" for a misspelt `word`: the closest of `allowed`, or one
    that `word` contains; else " (expected one of: ...)", or `otherwise` in brackets."""
    close = difflib.get_close_matches(word, allowed, n=1, cutoff=cutoff)
    if not close and any(a in word for a in allowed):
        close = [a for a in allowed if a in word][:1]
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" ({otherwise or 'expected one of: ' + ', '.join(allowed)})"


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# For the other YAML inputs (accept file, .factcheck.yaml): same reading, same positions.
read_text = _read_text
compose = _compose
NodeReader = _Reader
