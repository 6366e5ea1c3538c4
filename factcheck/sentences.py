"""What one article sentence states: figures, a cited source, and a slug to name it by.

Shared by `factcheck extract` (which drafts a claim for every such sentence) and the
`article.uncovered` check (which lists the ones no claim covers), so the two always agree on
what needs a claim. Pure functions over strings.
"""

from __future__ import annotations

import re

from factcheck.dates import MONTH_NAMES, month_number
from factcheck.journals import JOURNAL_ALIASES
from factcheck.numbers import find_mentions

_JOURNAL_NAMES = sorted(
    {name for short, names in JOURNAL_ALIASES.items() for name in (short, *names)},
    key=len,
    reverse=True,
)
_CUE = re.compile(
    r"\b(?:published in|according to|stud(?:y|ies)|trials?|journal|"
    r"dr\.?(?=\s+[A-Z])|prof\.?(?=\s+[A-Z])|professor|et al\b)",
    re.IGNORECASE,
)
_YEAR_NOUNS = "edition|study|analysis|review|trial|meeting|issue|paper|report|survey|data|and|to|or"
_YEAR = re.compile(
    rf"(?<![\d.,/–-])(?:19[5-9]\d|20\d\d)(?![\d%])(?!\s+(?!(?:{_YEAR_NOUNS})\b)[a-z])"
)
_MONTH_YEAR = re.compile(
    r"\b(?P<month>" + "|".join(MONTH_NAMES) + r"|[A-Z][a-z]{2}\.)\s+"
    r"(?:of\s+)?(?P<year>(?:19|20)\d\d)\b"
)
_CAPITALISED = r"(?:[A-Z][\w’'.-]*[\w]|[A-Z]|&)"
_RUN = re.compile(rf"{_CAPITALISED}(?:\s+(?:(?:of|and|for|the|on|&)\s+)*{_CAPITALISED})*")
_INSTITUTION = re.compile(
    r"\b(?:University|Universit[éy]|Hospital|Institute|Foundation|College|Clinic|Center|"
    r"Centre|School|Academy|Association|Society|Council|Organi[sz]ation|Agency|Ministry)\b"
)
_JOURNAL_WORD = re.compile(r"\b(?:Journal|Annals|Archives|Proceedings|Lancet|Medicine)\b")
_VENUE = re.compile(
    r"\b(?:published|featured|appeared|reported|findings|study|article|paper)\s+in\s+(?:the\s+)?$"
)
_PERSON = re.compile(
    r"\b(?:Dr\.?|Prof\.?|Professor|Doctor)\s+(?P<name>[A-Z][\w’'-]+(?:\s+[A-Z]\.?(?=\s))?"
    r"(?:\s+[A-Z][\w’'-]+)*)|\b(?P<etal>[A-Z][\w’'-]+)\s+et\s+al\b"
)
_BACK_REFERENCE = re.compile(
    r"\b(?:this|that|the|these|those|his|her|their|its)\s+(?:same\s+)?(?:stud(?:y|ies)|"
    r"analysis|trial|research|review|findings?|figures|presentation|data|results?|paper|"
    r"report|survey|case series|authors|researchers)\b",
    re.IGNORECASE,
)
_LEADING = frozenset(
    "the according to in as during consider for another this these a an furthermore notably "
    "however additionally when while since after before at by from with of and & on".split()
)
_STOP_WORDS = frozenset(
    "a an the of in on for to and or with that this these those is are was were be been by as "
    "at from it its their his her who which can may might into than then there so such also "
    "according per instance example consider intriguingly notably furthermore additionally "
    "however moreover general overall".split()
)


def states_something(text: str) -> bool:
    """True when the sentence states a figure or names a source (a study, a journal, a
    person, a year, or "the findings" of one named before): the sentences that need a claim."""
    cue = _CUE.search(text) or _YEAR.search(text) or _BACK_REFERENCE.search(text)
    return bool(cue or find_mentions(text))


def refers_back(text: str) -> bool:
    """True when the sentence leans on a source named earlier ("this study", "the findings")."""
    return bool(_BACK_REFERENCE.search(text))


def cited_source(text: str) -> dict[str, object]:
    """The source a sentence names, as a claims-file `cite:` mapping (empty when none).

    Only what the sentence itself says: journal, year, month, institution, person.
    """
    cite: dict[str, object] = {}
    journal = _journal(text)
    if journal:
        cite["journal"] = journal
    year, month = _date(text)
    if year:
        cite["year"] = year
    if month:
        cite["month"] = month
    people = [_surname(m) for m in _PERSON.finditer(text)]
    if people:
        cite["authors"] = list(dict.fromkeys(people))
    institution = _institution(text)
    if institution:
        cite["affiliation"] = institution
    return cite


def slug(text: str, *, words: int = 5, length: int = 48) -> str:
    """A short id from the sentence's telling words: "one-four-us-households-member"."""
    text = re.sub(r"[’']s\b", "", text.casefold()).replace("%", " percent ")
    tokens = re.findall(r"[a-z0-9]+", text)
    chosen: list[str] = []
    for token in [t for t in tokens if t not in _STOP_WORDS] or tokens:
        if len(chosen) == words or len("-".join([*chosen, token])) > length:
            break
        chosen.append(token)
    return "-".join(chosen) or "claim"


def unique(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not in `taken` (which it joins)."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


# --------------------------------------------------------------------------- helpers


def _runs(text: str) -> list[re.Match[str]]:
    return list(_RUN.finditer(text))


def _journal(text: str) -> str | None:
    for name in _JOURNAL_NAMES:
        found = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        if found and " " in name and found.group()[0].isupper():
            return _trim(found.group())
    for run in _runs(text):
        name = _trim(run.group())
        if _JOURNAL_WORD.search(name) and not _INSTITUTION.search(name):
            return name
        if _VENUE.search(text[: run.start()]) and _is_title(name):
            return name
    return None


def _is_title(name: str) -> bool:
    first = name.split()[0].rstrip(".").lower()
    return (
        len(name.split()) > 1
        and not (first[:3].isalpha() and month_number(first[:3]))
        and not _INSTITUTION.search(name)
    )


def _trim(name: str) -> str:
    """A capitalised run without sentence-opening words ("According to the") or a possessive."""
    words = name.split()
    while len(words) > 1 and words[0].lower() in _LEADING:
        words = words[1:]
    return re.sub(r"[’']s?$", "", " ".join(words))


def _date(text: str) -> tuple[int | None, str | None]:
    dated = _MONTH_YEAR.search(text)
    month = month_number(dated.group("month")[:3]) if dated else None
    if dated and month:
        return int(dated.group("year")), MONTH_NAMES[month - 1]
    year = _YEAR.search(text)
    return (int(year.group()), None) if year else (None, None)


def _surname(match: re.Match[str]) -> str:
    name = match.group("name") or match.group("etal")
    return re.sub(r"[’']s$", "", name.split()[-1])


def _institution(text: str) -> str | None:
    for run in _runs(text):
        name = _trim(run.group())
        if _INSTITUTION.search(name) and not _JOURNAL_WORD.search(name):
            return name
    return None
