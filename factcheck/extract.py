"""Draft a claims file from an article: one claim per sentence that states a figure or names
a source, with `cite:` filled from what the sentence (or the one it refers back to) names.

`draft_claims` is pure; `render_draft` and `merge_draft` turn the drafts into YAML text with
`yaml.safe_dump`, so a quote may hold any character and the draft still loads as it stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from factcheck.article import Article, Sentence
from factcheck.checks.article import match_quotes
from factcheck.claims import MAX_QUOTE_CHARS, compose
from factcheck.errors import InputError
from factcheck.models import Claim
from factcheck.sentences import cited_source, refers_back, slug, states_something, unique

Draft = dict[str, Any]
HEADER = """\
# Draft claims for {article}, made by `factcheck extract`.
# Review every entry: each quote is the sentence as the article has it; `cite:` holds only
# what the sentence names (journal, year, month, institution, person), or what the sentence
# it refers back to ("this study") names; figures are read from the quote.
"""


def draft_claims(article: Article, existing: Iterable[Claim] = ()) -> list[Draft]:
    """A draft claim for every sentence that states something and no `existing` claim covers."""
    existing = list(existing)
    covered = {i for m in match_quotes(existing, article).values() for i in m.sentences}
    taken = {claim.id for claim in existing}
    drafts: list[Draft] = []
    context: tuple[int, dict[str, object]] | None = None  # (block, cite) last named
    for i, sentence in enumerate(article.sentences):
        own = cited_source(sentence.text)
        cite = own or _carried(sentence, context)
        if own:
            context = (sentence.block, own)
        if i in covered or not states_something(sentence.text):
            continue
        draft: Draft = {"id": unique(slug(sentence.text), taken), "quote": _quote(sentence.text)}
        if cite:
            draft["cite"] = dict(cite)
        drafts.append(draft)
    return drafts


def render_draft(drafts: list[Draft], article_ref: str | None, article_name: str) -> str:
    """A whole claims file holding `drafts`."""
    head = HEADER.format(article=" ".join(article_name.split()))
    if article_ref:
        head += _dump({"article": article_ref})
    return head + ("claims:\n" + _items(drafts, "  ") if drafts else "claims: []\n")


def merge_draft(text: str, name: str, drafts: list[Draft]) -> str:
    """The claims file `text` with `drafts` appended to its `claims:` list, comments and
    layout untouched."""
    if not drafts:
        return text
    claims = _claims_node(text, name)
    block = "\n" + _items(drafts, " " * claims.start_mark.column)
    lines = text.splitlines(True)
    end = claims.end_mark
    at = end.line if end.column == 0 or end.line >= len(lines) else end.line + 1
    head = "".join(lines[:at])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + block + "".join(lines[at:])


def _carried(
    sentence: Sentence, context: tuple[int, dict[str, object]] | None
) -> dict[str, object]:
    if context is None or not refers_back(sentence.text):
        return {}
    block, cite = context
    return cite if sentence.block - block <= 1 else {}


def _quote(text: str) -> str:
    """The sentence, or (past the claims file's limit) its start and end around "..."."""
    if len(text) <= MAX_QUOTE_CHARS:
        return text
    keep = MAX_QUOTE_CHARS // 2 - 10
    return f"{text[:keep].rstrip()} ... {text[-keep:].lstrip()}"


def _items(drafts: list[Draft], indent: str) -> str:
    """`drafts` as block-list items at `indent`, a blank line between them."""
    items = []
    for draft in drafts:
        lines = _dump([draft]).splitlines(True)
        items.append("".join(indent + line if line.strip() else line for line in lines))
    return "\n".join(items)


def _dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=92, indent=2)


def _claims_node(text: str, name: str) -> SequenceNode:
    root = compose(text, name)
    if isinstance(root, MappingNode):
        for key, value in root.value:
            if isinstance(key, ScalarNode) and key.value == "claims":
                if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                    return value
                break
    raise InputError("--merge needs a 'claims:' list written one '- ' item per claim", name)
