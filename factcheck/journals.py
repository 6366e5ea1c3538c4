"""Journal names: normalise them, and tell whether a cited name is the paper's journal.

Two names are the same journal only through real equivalence: equal after normalising, one
of the paper's own NLM forms (ISO abbreviation, MedlineTA), the curated alias table below,
or a strict abbreviation rule. No fuzzy matching: "British Journal of Pharmacology" is not
"British Journal of Clinical Pharmacology", and "Annals of Oncology" is not "Annals of
Surgical Oncology" (EUTILS.md §6.3).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from factcheck.models import Paper

JOURNAL_ALIASES: dict[str, tuple[str, ...]] = {
    "Reg Anesth Pain Med": (
        "Regional Anesthesia & Pain Medicine",
        "Regional Anesthesia and Pain Medicine",
        "RAPM",
    ),
    "Headache": ("Headache: The Journal of Head and Face Pain",),
    "J Headache Pain": ("The Journal of Headache and Pain",),
    "Br J Clin Pharmacol": ("British Journal of Clinical Pharmacology",),
    "J Emerg Med": ("Journal of Emergency Medicine",),
    "Br J Pharmacol": ("British Journal of Pharmacology",),
    "Neurology": ("Neurology",),
    "West J Emerg Med": ("Western Journal of Emergency Medicine",),
    "Ann Emerg Med": ("Annals of Emergency Medicine",),
}
"""NLM abbreviation (MedlineTA) -> the journal's other names; the first is its display name.

Only curated, verified equivalences belong here: every name in a row is the same serial.
"""

STOP_WORDS = frozenset({"of", "and", "the", "for", "in"})
"""Words ignored by the abbreviation rule ("&" is already "and" after normalising)."""

_PARENTHETICAL = re.compile(r"\([^)]*\)")
_QUOTES = re.compile(r"[\"'`‘’“”]")
_SEPARATORS = re.compile(r"[.,:;/\-‐‑‒–—]")


def fold(text: str) -> str:
    """`text` casefolded with diacritics removed: "Käufer" -> "kaufer"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=4096)  # every claim citing a paper compares its journal names
def normalise_journal(name: str) -> str:
    """`name` casefolded, without punctuation, qualifiers or a leading "The".

    "The Lancet (London, England)" -> "lancet"; "Regional Anesthesia & Pain Medicine" ->
    "regional anesthesia and pain medicine"; "J. Emerg. Med." -> "j emerg med".
    """
    text = _PARENTHETICAL.sub(" ", fold(name)).replace("&", " and ")
    text = _SEPARATORS.sub(" ", _QUOTES.sub("", text))
    words = text.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _name_forms(name: str) -> set[str]:
    """The normalised name, and (as an alternative) the name without its subtitle."""
    forms = {normalise_journal(name), normalise_journal(name.split(":", 1)[0])}
    return {form for form in forms if form}


def _build_alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for abbreviation, names in JOURNAL_ALIASES.items():
        for name in (abbreviation, *names):
            for form in _name_forms(name):
                index[form] = abbreviation
    return index


_ALIAS_INDEX = _build_alias_index()


def _alias_row(name: str) -> str | None:
    """The alias-table abbreviation `name` belongs to, if any."""
    for form in _name_forms(name):
        if form in _ALIAS_INDEX:
            return _ALIAS_INDEX[form]
    return None


def _paper_names(paper: Paper) -> list[str]:
    names = [paper.journal_title, paper.journal_iso, paper.journal_medline_ta]
    return [name for name in names if name]


def journal_forms(paper: Paper) -> set[str]:
    """Every normalised name `paper`'s journal goes by.

    Its full title (with and without subtitle), ISO abbreviation and MedlineTA, plus the
    alias-table row any of them belongs to.
    """
    forms: set[str] = set()
    for name in _paper_names(paper):
        forms |= _name_forms(name)
        row = _alias_row(name)
        if row is not None:
            for alias in (row, *JOURNAL_ALIASES[row]):
                forms |= _name_forms(alias)
    return forms


def _abbreviates(short: str, full: str) -> bool:
    """True when each word of `short` begins the matching word of `full`, word for word.

    Stop words are dropped from both; the word counts must be equal and at least two, so
    "Br J Pharmacol" abbreviates "British Journal of Pharmacology" but not "British Journal
    of Clinical Pharmacology", and a lone "Neuro" does not abbreviate "Neurology".
    """
    short_words = [w for w in short.split() if w not in STOP_WORDS]
    full_words = [w for w in full.split() if w not in STOP_WORDS]
    if len(short_words) != len(full_words) or len(short_words) < 2:
        return False
    return all(f.startswith(s) for s, f in zip(short_words, full_words, strict=True))


def same_journal(cited: str, paper: Paper) -> bool:
    """True when the journal name `cited` really names `paper`'s journal."""
    cited_forms = _name_forms(cited)
    paper_forms = journal_forms(paper)
    if cited_forms & paper_forms:
        return True
    return any(_abbreviates(a, b) or _abbreviates(b, a) for a in cited_forms for b in paper_forms)


def search_forms(cited: str) -> list[str]:
    """The names to search PubMed's `[ta]` field with for the cited journal.

    The NLM abbreviation when the alias table knows the journal, else the normalised name
    (and its form without a subtitle, when it has one).
    """
    row = _alias_row(cited)
    if row is not None:
        return [row]
    full = normalise_journal(cited)
    main = normalise_journal(cited.split(":", 1)[0])
    return [full] if main in ("", full) else [full, main]


def short_journal(paper: Paper) -> str:
    """The journal's short NLM name for messages: MedlineTA, else ISO, else the title."""
    if paper.journal_medline_ta:
        return paper.journal_medline_ta
    if paper.journal_iso:
        return paper.journal_iso.replace(".", "")
    return paper.journal_title


def long_journal(paper: Paper) -> str:
    """The journal's full name for messages: the alias table's display name, else the title.

    PubMed stores full titles in sentence case ("British journal of clinical pharmacology");
    the alias table has the journal's own capitalisation.
    """
    for name in _paper_names(paper):
        row = _alias_row(name)
        if row is not None:
            return JOURNAL_ALIASES[row][0]
    return paper.journal_title or short_journal(paper)
