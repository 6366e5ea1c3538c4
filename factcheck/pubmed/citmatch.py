"""ECitMatch (EUTILS.md §5): a citation's journal, year, volume and first page -> its PMID.

Pure functions: the citation strings sent (`journal|year|volume|first page|author`), the
`bdata` of one request, and its plain-text reply read back. The client
(`EutilsClient.citation_match`) sends them; the resolver judges each PMID it gives like any
other candidate, because ECitMatch weighs journal, volume and page and can name a paper
whose year or authors disagree (ANCHORS.md §0).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from factcheck.dates import ascii_digits
from factcheck.errors import PubMedError
from factcheck.identifiers import first_page, volume_issue
from factcheck.journals import search_forms
from factcheck.models import Citation

BATCH = 100
"""Citations per ECitMatch request (no documented limit; EUTILS.md §5 advises modest ones)."""

AMBIGUOUS = "several papers fit"
UNKNOWN_JOURNAL = "the journal is not known"
NO_MATCH = "no paper fits"
_MISSES = (AMBIGUOUS, UNKNOWN_JOURNAL, NO_MATCH)


def citation_string(cite: Citation) -> str | None:
    """What ECitMatch is asked about `cite`: "reg anesth pain med|2018|43|875|schwenk", or
    None unless it gives a journal, a year, a volume and a first page (the author is optional).

    The journal goes in its NLM abbreviation when the alias table knows it, else as cited;
    everything lower-cased, with `|` and line breaks (which would end a field or a line)
    made spaces.
    """
    page = first_page(cite.pages or "")
    volume = volume_issue(cite.volume or "")[0]  # "43(8)" -> 43: ECitMatch takes the volume
    if not (cite.journal and cite.year and volume and page):
        return None
    author = cite.authors[0] if cite.authors else ""
    fields = (search_forms(cite.journal)[0], str(cite.year), volume, page, author)
    cleaned = [" ".join(f.replace("|", " ").split()).casefold() for f in fields]
    return "|".join(cleaned) if all(cleaned[:4]) else None  # "|" alone is no volume


def bdata(citations: Sequence[str]) -> str:
    """The `bdata` of one request: each citation with its key (its 1-based position) and the
    closing `|`, separated by carriage returns."""
    return "\r".join(f"{c}|{key}|" for key, c in enumerate(citations, 1))


def parse_ecitmatch(body: bytes, citations: Sequence[str]) -> dict[str, str]:
    """Each of `citations`' answers in a reply to `bdata(citations)`: a PMID (digits) or
    `AMBIGUOUS`, `UNKNOWN_JOURNAL`, `NO_MATCH`. A reply that is not one line per citation of
    that shape (an error page, garbage, a cut-off answer) raises `PubMedError`.

    Only each line's last two fields (the key and the answer, ASCII) are read, so an echoed
    journal or author in another encoding than UTF-8 costs nothing."""
    text = body.decode("utf-8", errors="replace")
    keys = {str(key): c for key, c in enumerate(citations, 1)}
    answers: dict[str, str] = {}
    for line in filter(None, (line.strip("\r") for line in text.split("\n"))):
        fields = line.rsplit("|", 2)
        if len(fields) != 3 or fields[1].strip() not in keys:
            raise PubMedError(f"ECitMatch answered an unexpected line: {line[:80]!r}")
        answers[keys[fields[1].strip()]] = _answer(fields[2].strip())
    if len(answers) != len(keys):
        raise PubMedError(f"ECitMatch answered {len(answers)} of {len(keys)} citations")
    return answers


def _answer(last: str) -> str:
    """The meaning of a reply line's last field."""
    if ascii_digits(last):
        return last
    upper = last.upper()
    if upper.startswith("AMBIGUOUS"):
        return AMBIGUOUS
    if upper.startswith("NOT_FOUND"):
        return UNKNOWN_JOURNAL if "INVALID_JOURNAL" in upper else NO_MATCH
    if not last:
        return NO_MATCH
    raise PubMedError(f"ECitMatch answered {last[:80]!r} for a citation")


def answer_json(answer: str) -> bytes:
    """One citation's answer as stored in the cache (`read_answer` reads it back)."""
    return json.dumps({"ecitmatch": answer}).encode()


def read_answer(body: bytes) -> str:
    """A stored answer; raises `PubMedError` on anything else."""
    try:
        answer = json.loads(body).get("ecitmatch")
    except (ValueError, AttributeError, UnicodeDecodeError):
        answer = None
    if not isinstance(answer, str) or not (ascii_digits(answer) or answer in _MISSES):
        raise PubMedError("not a stored ECitMatch answer")
    return answer
