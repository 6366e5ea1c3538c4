"""Reading figures from prose: digits, number words, percentages, ranges, ratios and hedges.

`find_mentions` lists every number a text states (used on abstracts); `read_figures` reads a
claim's quote into figures plus the rates they form, and `find_rates` gives those rates with
where each is stated; `parse_figure` reads one `figures:` entry.
Everything here is pure: text in, frozen `Figure`/`Rate` values out.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from factcheck.models import Figure, Hedge, Rate

__all__ = [
    "COUNT_UNITS",
    "Mention",
    "RateMention",
    "describe",
    "exact",
    "find_mentions",
    "find_rates",
    "hedged_interval",
    "is_count",
    "parse_figure",
    "precision_step",
    "read_figures",
    "sentence_around",
    "sentence_spans",
]


@dataclass(frozen=True)
class Mention:
    """One number found in a text, with where it is (character offsets into the text)."""

    figure: Figure
    start: int
    end: int


@dataclass(frozen=True)
class RateMention:
    """One rate found in a text, with where it is stated (character offsets into the text)."""

    rate: Rate
    start: int
    end: int


# --------------------------------------------------------------------------- vocabulary

_SMALL = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * n
    for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"thousand": 3, "million": 6, "billion": 9}
_NUMBER_WORDS = {*_SMALL, *_TENS, *_SCALES, "hundred", "dozen"}

_PEOPLE = "patients"
COUNT_UNITS: tuple[str, ...] = ("", _PEOPLE)
"""The units a count or total may have: none ("61") or people ("61 patients")."""
_MAX_DIGITS = 18
_SPACE = "[ \u00a0\u2009\u202f]"
_GROUPED = rf"\d{{1,3}}(?:,\d{{3}}(?!\d))+|\d{{1,3}}(?:{_SPACE}\d{{3}}(?![\d]))+"
_NUM_RE = re.compile(
    r"(?P<sign>(?<![\w.·⋅])(?<!\d )[-−])?(?<![\w.·⋅])(?<![A-Za-z]-)"
    rf"(?:(?P<int>{_GROUPED}|\d+)(?:[.·⋅](?P<frac>\d+))?|[.·⋅](?P<lead>\d+))"
    r"(?![\d])(?:\s+(?P<scale>thousand|million|billion)\b)?",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[A-Za-z]+")
_FRACTION_RE = re.compile(
    r"\b(?:(?:a|one)[\s-]+(?P<one>quarter|third|fifth|tenth)"
    r"|(?P<n>two|three|four)[\s-]+(?P<many>thirds|quarters|fifths|tenths)"
    r"|(?:one[\s-]+)?(?P<half>half))\b(?=\s+(?:of|the)\b)",
    re.IGNORECASE,
)
_FRACTION_DENOMINATORS = {"half": 2, "third": 3, "quarter": 4, "fifth": 5, "tenth": 10}
_ARTICLE_RE = re.compile(r"\b(?P<art>an?)\s+(?=(?:hour|day|week|month|year)\b)", re.IGNORECASE)
_ARTICLE_CONTEXT_RE = re.compile(r"\b(?:in|after|for|within)\s+(?:just\s+|only\s+)?$", re.I)

_ADJECTIVES = (
    r"(?:(?:consecutive|adult|eligible|evaluable|additional|female|male|other|more|new"
    r"|enrolled|randomi[sz]ed|included|treated)\s+)?"
)
_UNITS: tuple[tuple[str, str], ...] = (
    (r"mg\s*/\s*kg\s*/\s*(?:hours?|hr|h)|mg\s*/\s*kg\s+(?:per|an|a)\s+hour", "mg/kg/h"),
    (r"mg\s*/\s*kg", "mg/kg"),
    (r"mg\s*/\s*(?:hours?|hr|h)|mg\s+(?:per|an|a)\s+hour", "mg/h"),
    (r"mg|milligrams?", "mg"),
    (r"µg|μg|mcg|micrograms?", "µg"),
    (r"kg|kilograms?", "kg"),
    (r"g|grams?", "g"),
    (r"ml|millilit(?:er|re)s?", "ml"),
    (r"mm\s*Hg", "mmHg"),
    (r"mm|millimet(?:er|re)s?", "mm"),
    (r"cm|centimet(?:er|re)s?", "cm"),
    (r"min(?:ute)?s?", "min"),
    (r"hours?|hrs?|h", "h"),
    (r"days?", "days"),
    (r"weeks?|wks?", "weeks"),
    (r"months?", "months"),
    (r"years?|yrs?", "years"),
    (
        _ADJECTIVES + r"(?:patients?|participants?|subjects?|individuals?|people|persons?"
        r"|adults?|children|child|women|woman|men|migraineurs?|cases|volunteers?"
        r"|respondents?)",
        _PEOPLE,
    ),
    (r"studies|study|trials?", "studies"),
    (r"points?", "points"),
    (r"episodes?|attacks?", "episodes"),
    (r"fold", "fold"),
)
_UNIT_RES = tuple(
    (re.compile(rf"(?:\s*-\s*|\s*)(?:{pattern})(?![A-Za-z])", re.IGNORECASE), unit)
    for pattern, unit in _UNITS
)
HOURS_PER_UNIT = {
    # how long each time unit lasts, so "within an hour" can be set beside "4.56 days"
    "min": Fraction(1, 60),
    "h": Fraction(1),
    "days": Fraction(24),
    "weeks": Fraction(168),
    "months": Fraction(730),
    "years": Fraction(8766),
}
_PERCENT_RE = re.compile(r"(?:[ \u00a0\u2009\u202f]?%|\s*-?\s*per\s?cent\b)", re.IGNORECASE)
_POINTS_RE = re.compile(r"\s*percentage[\s-]points?\b", re.IGNORECASE)

_HEDGE_WORDS: tuple[tuple[str, Hedge], ...] = (
    ("approximately|approx\\.|about|around|roughly|circa|some|an estimated|~|≈|∼", Hedge.ABOUT),
    (
        "more than|greater than|over|above|at least|exceeding|exceeds|exceeded|upwards of"
        "|in excess of|no fewer than|no less than|just over|well over|>=|≥|>",
        Hedge.ABOVE,
    ),
    (
        "nearly|almost|up to|under|below|less than|fewer than|at most|just under"
        "|no more than|within|<=|≤|<",
        Hedge.BELOW,
    ),
)
_HEDGE_OF = {w: h for words, h in _HEDGE_WORDS for w in words.replace("\\", "").split("|")}
_HEDGE_ALTERNATION = "|".join(
    sorted((w for words, _ in _HEDGE_WORDS for w in words.split("|")), key=len, reverse=True)
)
_HEDGE_RE = re.compile(
    rf"(?<![\w])(?P<h>{_HEDGE_ALTERNATION})(?:\s+(?:just|only))?\s*$", re.IGNORECASE
)
_HEDGE_START_RE = re.compile(rf"(?P<h>{_HEDGE_ALTERNATION})(?:\s|(?=[\d.·]))", re.IGNORECASE)
_P_VALUE_RE = re.compile(r"(?<![\w])p(?:[\s-]?values?)?\s*(?P<op><=|>=|[=<>≤≥])\s*$", re.IGNORECASE)
_OP_HEDGE = {"=": Hedge.EXACT, "<": Hedge.BELOW, "<=": Hedge.BELOW, "≤": Hedge.BELOW}
_OP_HEDGE.update({">": Hedge.ABOVE, ">=": Hedge.ABOVE, "≥": Hedge.ABOVE})
_POST_HEDGE_RE = re.compile(
    r"\s+(?:or\s+(?P<below>less|fewer|lower|below|under)|(?:or|and)\s+"
    r"(?P<above>more|greater|higher|above|over|longer))\b",
    re.IGNORECASE,
)
_RELATIVE_BEFORE_RE = re.compile(
    r"\b(?:rose|rise[sn]?|rising|increas\w*|decreas\w*|reduc\w*|fell|falls?|falling|dropp?\w*"
    r"|declin\w*|grew|grow\w*|improv\w*|lower\w*|cut|rais\w*|boost\w*|jump\w*|climb\w*"
    r"|shr[iau]nk\w*|doubl\w*|chang\w*|went\s+(?:up|down))\b(?:\s+[\w-]+){0,3}?\s+by\s+$",
    re.IGNORECASE,
)
_RELATIVE_AFTER_RE = re.compile(
    r"\s*(?:relative\s+|overall\s+|further\s+|net\s+)?(?:increased?|decreased?|reductions?|rise"
    r"|drop|decline|fall|improvement|gain|higher|lower|greater|smaller|more|less|fewer|change"
    r"|jump|growth|boost|cut)\b|\s+of\s+(?:the\s+)?(?:normal|baseline|predicted|control"
    r"|reference|usual)\b",
    re.IGNORECASE,
)
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_MONTH_BEFORE_RE = re.compile(rf"\b{_MONTHS}\s+$")
_MONTH_AFTER_RE = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?![a-z])")
_MASK_RE = re.compile(
    r"\bdoi:?\s*10\.\S+|\b10\.\d{4,9}/\S+|https?://\S+|www\.\S+|\bPMID:?\s*\d+"
    r"|\bPMCID:?\s*PMC\d+|\bISSN:?\s*\d{4}-\d{3}[\dXx]",
    re.IGNORECASE,
)
_RANGE_DASH_RE = re.compile(r"\s*[-–—‒]\s*")
_BETWEEN_RE = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_FROM_RE = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_PLUS_MINUS_RE = re.compile(r"\s*(?:±|\+/-|\+/−)\s*")
_OF_RE = re.compile(r"\s+(?:out\s+)?of\s+(?:the\s+|these\s+|those\s+|all\s+)?", re.IGNORECASE)
_TOTAL_ANCHOR_RE = re.compile(
    r"\b(?:among|of|out\s+of)\s+(?:the\s+|these\s+|those\s+|all\s+)?$", re.IGNORECASE
)
_OF_THESE_RE = re.compile(r"\b(?:of|among)\s+(?:these|them|whom|those)\b", re.IGNORECASE)
_LABEL_RE = re.compile(
    r"\b(?:visits?|tables?|fig(?:ure)?s?\.?|phase|type|grade|stage|group|arm|step|wave|class"
    r"|version|cohort|study|trial|experiment|item|question|section|chapter|appendix|model)"
    r"\s+$",
    re.IGNORECASE,
)
_ADJACENT_RE = re.compile(r"\s*[,;:]?\s*\(?\s*")
_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "vs", "e.g", "i.e", "al", "approx", "fig"}
_ABBREVIATIONS |= {"figs", "no", "nos", "st", "ca", "cf", "ref", "refs", "eq"}
_BREAK_RE = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n[ \t]*\n\s*")


# --------------------------------------------------------------------------- scanning


@dataclass(eq=False)
class _Item:
    """A number while it is being read; becomes a `Figure` once its context is known."""

    value: Fraction
    decimals: int
    lo: int
    hi: int
    num_end: int
    words: bool = False
    support: str = ""
    """"unit": a bare "one", kept only with a unit, in a range or in a ratio; "article": the
    "an" of "an hour", kept only after a hedge or "in"/"within"/"after"/"for"."""
    scale: int = 0
    """The power of ten of a "thousand"/"million"/"billion" that ends the number."""
    percent: bool = False
    unit: str = ""
    hedge: Hedge = Hedge.EXACT
    relative: bool = False
    upper: Fraction | None = None

    def figure(self, text: str) -> Figure:
        upper = None if self.upper is None else float(self.upper)
        return Figure(
            text=text[self.lo : self.hi],
            value=float(self.value),
            decimals=self.decimals,
            percent=self.percent,
            upper=upper,
            unit=self.unit,
            hedge=self.hedge,
            relative=self.relative,
        )

    @property
    def is_count(self) -> bool:
        """A whole number of people or things: may be the count or total of a rate."""
        return _counts(self.value, self.decimals, self.percent, self.upper, self.unit)


def _counts(
    value: Fraction, decimals: int, percent: bool, upper: Fraction | float | None, unit: str
) -> bool:
    """The one rule for a count, on an `_Item` (while reading) or a `Figure` (after)."""
    return (
        decimals == 0
        and value.denominator == 1
        and value >= 0
        and not percent
        and upper is None
        and unit in COUNT_UNITS
    )


def _digit_items(text: str) -> list[_Item]:
    items = []
    for m in _NUM_RE.finditer(text):
        digits = re.sub(r"[,\s\u00a0\u2009\u202f]", "", m.group("int") or "0")
        frac = m.group("frac") or m.group("lead") or ""
        if len(digits) + len(frac) > _MAX_DIGITS:
            continue  # an identifier or a run of digits, not a figure
        value = Fraction(f"{digits}.{frac}" if frac else digits)
        scale = _SCALES[m.group("scale").lower()] if m.group("scale") else 0
        value *= 10**scale
        if m.group("sign"):
            value = -value
        items.append(_Item(value, len(frac), m.start(), m.end(), m.end(), scale=scale))
    return items


def _joined(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    gap = text[a.end() : b.start()]
    return gap in ("-", "\u2010", "\u2011") or (gap.isspace() and gap.count("\n") < 2)


class _WordReader:
    """Reads "Four hundred and thirty-two" style numbers one word at a time."""

    def __init__(self) -> None:
        self.total = 0
        self.group = 0
        self.last = ""
        self.cap = 99

    @property
    def value(self) -> int:
        return self.total + self.group

    @property
    def scale(self) -> int:
        return self.cap if self.last == "scale" else 0

    def take(self, word: str) -> bool:
        """Add `word` to the number; False (and no change) when it cannot continue it."""
        open_slot = self.last in ("", "hundred", "scale", "and")
        if word in _SMALL:
            n = _SMALL[word]
            if not (open_slot or (self.last == "ten" and 0 < n < 10)):
                return False
            self.group += n
            self.last = "unit" if n < 10 else "teen"
        elif word in _TENS:
            if not open_slot:
                return False
            self.group += _TENS[word]
            self.last = "ten"
        elif word in ("hundred", "dozen"):
            if self.last not in ("unit", "teen") or not 0 < self.group < 100:
                return False
            self.group *= 100 if word == "hundred" else 12
            self.last = word
        elif word in _SCALES:
            return self._take_scale(_SCALES[word])
        else:
            return False
        return True

    def _take_scale(self, exponent: int) -> bool:
        if self.last not in ("unit", "teen", "ten", "hundred") or exponent >= self.cap:
            return False
        if self.group == 0:
            return False
        self.total += self.group * 10**exponent
        self.group, self.last, self.cap = 0, "scale", exponent
        return True


def _word_items(text: str) -> list[_Item]:
    words = list(_WORD_RE.finditer(text))
    items: list[_Item] = []
    i = 0
    while i < len(words):
        end = _read_word_number(text, words, i)
        if end is None:
            i += 1
            continue
        reader, j = end
        first, last = words[i], words[j - 1]
        item = _Item(Fraction(reader.value), 0, first.start(), last.end(), last.end(), True)
        item.scale = reader.scale
        if j - i == 1 and first.group().lower() == "one":
            item.support = "unit"
        items.append(item)
        i = j
    return items


def _read_word_number(
    text: str, words: Sequence[re.Match[str]], i: int
) -> tuple[_WordReader, int] | None:
    reader = _WordReader()
    j = i
    first = words[i].group().lower()
    if first in ("a", "an"):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or not _joined(text, words[i], nxt):
            return None
        if nxt.group().lower() not in ("hundred", "dozen", *_SCALES):
            return None
        reader.group, reader.last, j = 1, "unit", i + 1
    elif first not in _SMALL and first not in _TENS:
        return None
    while j < len(words) and (j == i or _joined(text, words[j - 1], words[j])):
        word = words[j].group().lower()
        if word == "and" and reader.last in ("hundred", "scale") and j + 1 < len(words):
            follower = words[j + 1].group().lower()
            if (follower in _SMALL or follower in _TENS) and _joined(text, words[j], words[j + 1]):
                reader.last = "and"
                j += 1
                continue
        if not reader.take(word):
            break
        j += 1
    return (reader, j) if reader.last not in ("", "and") else None


def _fraction_items(text: str) -> list[_Item]:
    items = []
    for m in _FRACTION_RE.finditer(text):
        if m.group("half"):
            share = Fraction(1, 2)
        elif m.group("one"):
            share = Fraction(1, _FRACTION_DENOMINATORS[m.group("one").lower()])
        else:
            denominator = _FRACTION_DENOMINATORS[m.group("many").lower()[:-1]]
            share = Fraction(_SMALL[m.group("n").lower()], denominator)
        item = _Item(share * 100, 0, m.start(), m.end(), m.end(), True)
        item.percent, item.unit = True, "%"
        items.append(item)
    return items


def _article_items(text: str) -> list[_Item]:
    return [
        _Item(Fraction(1), 0, m.start(), m.end("art"), m.end("art"), True, support="article")
        for m in _ARTICLE_RE.finditer(text)
    ]


def _atoms(text: str) -> list[_Item]:
    """Every bare number, earliest first; where readings overlap the longer one wins."""
    masks = [m.span() for m in _MASK_RE.finditer(text)]
    found = _fraction_items(text) + _digit_items(text) + _word_items(text) + _article_items(text)
    found.sort(key=lambda it: (it.lo, -(it.hi - it.lo)))
    atoms: list[_Item] = []
    for item in found:
        if any(a <= item.lo < b for a, b in masks):
            continue
        if atoms and item.lo < atoms[-1].hi:
            continue
        atoms.append(item)
    return atoms


def _read_suffix(text: str, item: _Item) -> bool:
    """Attach a percent sign or unit after `item`; False when the number is not a figure."""
    rest = text[item.hi : item.hi + 40]
    if re.match(r"(?:st|nd|rd|th)\b|-[A-Z]{2}", rest):
        return False  # ordinals ("3rd") and names such as "5-HT"
    m = _POINTS_RE.match(rest)
    if m:
        item.percent, item.unit, item.relative, item.hi = True, "pp", True, item.hi + m.end()
        return True
    m = _PERCENT_RE.match(rest)
    if m:
        item.percent, item.unit, item.hi = True, "%", item.hi + m.end()
        return True
    for pattern, unit in _UNIT_RES:
        m = pattern.match(rest)
        if m:
            item.unit, item.hi = unit, item.hi + m.end()
            item.relative = unit == "fold"
            return True
    return not rest[:1].isalpha()


def _is_label(text: str, item: _Item) -> bool:
    """A number that names something rather than counts it: "visit 2", "type 2", "Table 1"."""
    if item.words or item.percent or item.unit or item.decimals or item.value < 0:
        return False
    return bool(_LABEL_RE.search(text[max(0, item.lo - 15) : item.lo]))


def _is_date_part(text: str, item: _Item) -> bool:
    """A year ("in 2016", "December 2016 edition") or a day of a month ("Oct 21")."""
    if item.words or item.percent or item.unit not in ("", "studies"):
        return False
    written = text[item.lo : item.num_end]
    if re.fullmatch(r"\d{4}", written) and 1900 <= item.value <= 2099:
        return True
    if not re.fullmatch(r"\d{1,2}", written) or not 1 <= item.value <= 31:
        return False
    before = text[max(0, item.lo - 12) : item.lo]
    return bool(_MONTH_BEFORE_RE.search(before) or _MONTH_AFTER_RE.match(text, item.num_end))


def _try_range(text: str, a: _Item, b: _Item) -> _Item | None:
    """Join "4–14 days", "3 to 10", "between three and ten" into one item, or None."""
    if a.upper is not None or b.upper is not None or "article" in (a.support, b.support):
        return None
    gap = text[a.hi : b.lo]
    before = text[max(0, a.lo - 20) : a.lo]
    between = _BETWEEN_RE.search(before)
    if _RANGE_DASH_RE.fullmatch(gap):
        ok = not a.words and not b.words
    else:
        ok = bool(re.fullmatch(r"\s+to\s+", gap) or (between and re.fullmatch(r"\s+and\s+", gap)))
    if not ok or (a.unit and b.unit and a.unit != b.unit) or (a.percent and not b.percent):
        return None
    prefix = between or _FROM_RE.search(before)
    low = a.value * 10**b.scale if b.scale and not a.scale else a.value
    if low >= b.value:
        return None
    lo = a.lo - (len(prefix.group()) if prefix else 0)
    return _Item(
        low,
        max(a.decimals, b.decimals),
        lo,
        b.hi,
        b.num_end,
        a.words or b.words,
        scale=b.scale,
        percent=b.percent,
        unit=b.unit or a.unit,
        upper=b.value,
    )


def _join_ranges(text: str, items: list[_Item]) -> list[_Item]:
    out: list[_Item] = []
    i = 0
    while i < len(items):
        joined = _try_range(text, items[i], items[i + 1]) if i + 1 < len(items) else None
        out.append(joined or items[i])
        i += 2 if joined else 1
    return out


def _share_spread_units(text: str, items: Sequence[_Item]) -> None:
    """A mean takes the unit written after its spread: "65.2 ± 2.8 mg/h" is 65.2 mg/h."""
    for a, b in itertools.pairwise(items):
        if not (a.unit or a.percent) and _PLUS_MINUS_RE.fullmatch(text[a.hi : b.lo]):
            a.unit, a.percent = b.unit, b.percent


def _read_prefix(text: str, item: _Item) -> None:
    """Attach what comes before and after: a hedge, "P <", "rose by", "or more"."""
    before = text[max(0, item.lo - 60) : item.lo]
    m = _P_VALUE_RE.search(before)
    if m:
        item.unit, item.hedge = "p", _OP_HEDGE[m.group("op")]
        item.lo -= len(m.group())
    else:
        m = _HEDGE_RE.search(before)
        if m:
            item.hedge = _HEDGE_OF[m.group("h").lower()]
            item.lo -= len(m.group())
    after = _POST_HEDGE_RE.match(text, item.hi)
    if after and item.hedge is Hedge.EXACT:
        item.hedge = Hedge.BELOW if after.group("below") else Hedge.ABOVE
        item.hi = after.end()
    if item.percent and (
        item.value < 0
        or _RELATIVE_BEFORE_RE.search(text[max(0, item.lo - 80) : item.lo])
        or _RELATIVE_AFTER_RE.match(text, item.hi)
    ):
        item.relative = True


def _kept(text: str, item: _Item, in_ratio: set[int]) -> bool:
    if item.support == "unit":
        return bool(item.unit) or item.upper is not None or id(item) in in_ratio
    if item.support == "article":
        before = text[max(0, item.lo - 20) : item.lo]
        return item.hedge is not Hedge.EXACT or bool(_ARTICLE_CONTEXT_RE.search(before))
    return True


@dataclass(frozen=True)
class _Ratio:
    count: _Item
    total: _Item
    percent: _Item | None
    kind: str  # "/", "of" or "in"


def _connector(text: str, a: _Item, b: _Item) -> str:
    """How `a` and `b` form a ratio ("/", "of", "in"), or "" when they do not."""
    if not (a.is_count and b.is_count):
        return ""
    gap = text[a.hi : b.lo]
    if re.fullmatch(r"\s*/\s*", gap) and not (a.words or b.words or a.unit):
        before, after = text[max(0, a.lo - 8) : a.lo], text[b.hi : b.hi + 8]
        dated = re.search(r"\d\s*/\s*$", before) or re.match(r"\s*/\s*\d", after)
        return "" if dated else "/"
    if _OF_RE.fullmatch(gap):
        return "of"
    if re.fullmatch(r"\s+in\s+", gap) and not a.unit and 0 < a.value <= b.value:
        return "in"
    return ""


def _ratios(text: str, items: Sequence[_Item]) -> list[_Ratio]:
    """Explicit ratios: "15/77", "48 of 61", "one in four", "Forty-eight (77%) of the 61"."""
    found: list[_Ratio] = []
    for i in range(len(items) - 1):
        if found and found[-1].total is items[i]:
            continue  # "3/10/..." or "48 of 61 of ...": a total is not also a count
        ratio = _ratio_at(text, items, i)
        if ratio:
            found.append(ratio)
    return found


def _ratio_at(text: str, items: Sequence[_Item], i: int) -> _Ratio | None:
    a, b = items[i], items[i + 1]
    kind = _connector(text, a, b)
    if kind:
        return _Ratio(a, b, None, kind)
    if i + 2 >= len(items) or not (b.percent and a.is_count and items[i + 2].is_count):
        return None
    total = items[i + 2]
    opened = re.fullmatch(r"\s*\(\s*", text[a.hi : b.lo])
    closed = re.fullmatch(r"\s*\)" + _OF_RE.pattern, text[b.hi : total.lo], re.IGNORECASE)
    return _Ratio(a, total, b, "of") if opened and closed else None


@dataclass(frozen=True)
class _Scan:
    text: str
    items: tuple[_Item, ...]
    ratios: tuple[_Ratio, ...]


def _scan(text: str, *, lenient: bool = False) -> _Scan:
    """Read every figure of `text`; `lenient` keeps years and bare words (for `parse_figure`)."""
    items = [it for it in _atoms(text) if _read_suffix(text, it)]
    if not lenient:
        items = [it for it in items if not (_is_date_part(text, it) or _is_label(text, it))]
    items = _join_ranges(text, items)
    _share_spread_units(text, items)
    for item in items:
        _read_prefix(text, item)
    ratios = _ratios(text, items)
    if not lenient:
        in_ratio = {id(it) for r in ratios for it in (r.count, r.total)}
        items = [it for it in items if _kept(text, it, in_ratio)]
    return _Scan(text, tuple(items), tuple(ratios))


# --------------------------------------------------------------------------- public API


def find_mentions(text: str) -> list[Mention]:
    """Every number stated in `text`, in order, with its character span.

    Years, days of a month, labels ("visit 2", "type 2"), DOIs, PMIDs and URLs are skipped;
    ranges ("4–14 days") are one mention; the two sides of a ratio ("15/77") are two.
    """
    return list(_mentions(text))


# The same abstract is read for every claim that cites its paper (10,000 claims may cite 300
# papers), so what a text states is remembered; results are immutable.
_READ_CACHE = 4096


@functools.lru_cache(maxsize=_READ_CACHE)
def _mentions(text: str) -> tuple[Mention, ...]:
    scan = _scan(text)
    return tuple(Mention(it.figure(text), it.lo, it.hi) for it in scan.items)


def read_figures(text: str) -> tuple[tuple[Figure, ...], tuple[Rate, ...]]:
    """A claim quote's figures (every one, including those inside rates) and its rates.

    A rate is an explicit ratio ("48 of 61", "15/77", "1 in 4") with the percentage stated
    next to it ("(77%)", ", 27.3%"), or, for "of" and "/", the next figure of the sentence when
    that is a plain percentage. Without an explicit ratio, a percentage forms a rate with the
    whole number just before it (the count) and a total no smaller than the count, introduced
    by "among"/"of"/"out of" in the same sentence, or stated earlier before "of these".
    A percentage with no count before it ("40% experiencing relief") stays a plain figure.
    """
    figures, rates = _read(text)
    return figures, tuple(mention.rate for mention in rates)


def find_rates(text: str) -> list[RateMention]:
    """Every rate `read_figures` reads in `text`, in order, with the span from its first part
    to its last ("61 patients. Of these, 48 (77%)" may cross sentences)."""
    return list(_read(text)[1])


@functools.lru_cache(maxsize=_READ_CACHE)
def _read(text: str) -> tuple[tuple[Figure, ...], tuple[RateMention, ...]]:
    scan = _scan(text)
    figures = {id(it): it.figure(text) for it in scan.items}
    return tuple(figures.values()), tuple(_rates(scan, figures))


def _rates(scan: _Scan, figures: dict[int, Figure]) -> list[RateMention]:
    used = {id(it) for r in scan.ratios for it in (r.count, r.total, r.percent) if it}
    found: list[RateMention] = []
    spans = _sentence_spans(scan.text)
    for ratio in scan.ratios:
        percent = ratio.percent or _ratio_percent(scan, ratio, used, spans)
        parts = [ratio.count, ratio.total] + ([percent] if percent else [])
        used.update(id(p) for p in parts)
        found.append(_make_rate(scan, figures, parts, ratio.count, ratio.total))
    for i, item in enumerate(scan.items):
        if _free_percent(item, used):
            pair = _implicit_pair(scan, i, used, spans)
            if pair:
                count, total = pair
                used.update({id(count), id(item)})
                found.append(_make_rate(scan, figures, [count, total, item], count, total))
    found.sort(key=lambda mention: mention.start)
    return found


def _make_rate(
    scan: _Scan, figures: dict[int, Figure], parts: Sequence[_Item], count: _Item, total: _Item
) -> RateMention:
    start, end = min(p.lo for p in parts), max(p.hi for p in parts)
    if scan.text.count("(", start, end) > scan.text.count(")", start, end):
        end += scan.text.startswith(")", end)
    percents = [p for p in parts if p.percent]
    percent = figures[id(percents[0])] if percents else None
    rate = Rate(int(count.value), int(total.value), percent, scan.text[start:end])
    return RateMention(rate, start, end)


def _free_percent(item: _Item, used: set[int]) -> bool:
    return item.percent and not item.relative and item.upper is None and id(item) not in used


def _ratio_percent(
    scan: _Scan, ratio: _Ratio, used: set[int], spans: Sequence[tuple[int, int]]
) -> _Item | None:
    """The percentage stated with an explicit ratio, if any."""
    items, text = scan.items, scan.text
    ci, ti = items.index(ratio.count), items.index(ratio.total)
    after = items[ti + 1] if ti + 1 < len(items) else None
    before = items[ci - 1] if ci > 0 else None
    adjacent = after and _ADJACENT_RE.fullmatch(text[ratio.total.hi : after.lo])
    if after and adjacent and _free_percent(after, used):
        return after
    if (
        before
        and _free_percent(before, used)
        and re.fullmatch(r"\s*\(\s*", text[before.hi : ratio.count.lo])
    ):
        return before
    if after and ratio.kind != "in" and _free_percent(after, used):
        if _sentence_of(spans, after.lo) == _sentence_of(spans, ratio.total.lo):
            return after
    return None


def _implicit_pair(
    scan: _Scan, pi: int, used: set[int], spans: Sequence[tuple[int, int]]
) -> tuple[_Item, _Item] | None:
    """(count, total) for the percentage `scan.items[pi]`, or None."""
    items, text = scan.items, scan.text
    if pi == 0:
        return None
    count = items[pi - 1]
    anchored = _TOTAL_ANCHOR_RE.search(text[max(0, count.lo - 30) : count.lo])
    if not count.is_count or id(count) in used or count.hedge is not Hedge.EXACT or anchored:
        return None
    sentence = _sentence_of(spans, count.lo)
    if sentence != _sentence_of(spans, items[pi].lo):
        return None
    total = _total_before(scan, pi - 1, spans) or _total_after(scan, pi, count, sentence, spans)
    return (count, total) if total else None


def _is_total_for(text: str, total: _Item, count: _Item) -> bool:
    before = text[max(0, total.lo - 30) : total.lo]
    return total.is_count and total.value >= count.value and bool(_TOTAL_ANCHOR_RE.search(before))


def _total_before(scan: _Scan, ci: int, spans: Sequence[tuple[int, int]]) -> _Item | None:
    items, text = scan.items, scan.text
    count = items[ci]
    sentence = _sentence_of(spans, count.lo)
    for total in reversed(items[:ci]):
        if _sentence_of(spans, total.lo) != sentence:
            break
        if _is_total_for(text, total, count):
            return total
    for total in reversed(items[:ci]):
        if total.is_count and total.value >= count.value and total.unit == _PEOPLE:
            if _OF_THESE_RE.search(text[total.hi : count.lo]):
                return total
    return None


def _total_after(
    scan: _Scan, pi: int, count: _Item, sentence: int, spans: Sequence[tuple[int, int]]
) -> _Item | None:
    for total in scan.items[pi + 1 :]:
        if _sentence_of(spans, total.lo) != sentence:
            break
        if _is_total_for(scan.text, total, count):
            return total
    return None


def parse_figure(value: object) -> Figure:
    """One `figures:` entry: a number (61, 27.3) or a string as written ("77%", "4-14 days",
    "25 mg", "about 40%", "within an hour").

    Raises ValueError, with a message fit for the user, when `value` is not one figure.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(
            f"{value!r} is not a figure: give a number, or a string such as "
            "'77%', '4-14 days' or '25 mg'"
        )
    if not isinstance(value, str):
        return _number_figure(value)
    scan = _scan(value, lenient=True)
    if not scan.items:
        raise ValueError(
            f"'{value}' is not a figure: it states no number (try '77%', '4-14 days' or '25 mg')"
        )
    if scan.ratios:
        raise ValueError(
            f"'{value}' is a rate, not one figure: give it as {{count: …, total: …, percent: …}}"
        )
    if len(scan.items) > 1:
        listed = ", ".join(f"'{value[it.lo : it.hi]}'" for it in scan.items)
        count = len(scan.items)
        raise ValueError(f"'{value}' holds {count} figures ({listed}): give one per entry")
    return scan.items[0].figure(value)


def _number_figure(value: int | float) -> Figure:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a figure: give a finite number")
    if abs(value) >= 10**_MAX_DIGITS:
        raise ValueError(f"{value!r} is not a figure: it is too large")
    exponent = Decimal(repr(value)).as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Figure(text=str(value), value=float(value), decimals=decimals)


# --------------------------------------------------------------------------- sentences


@functools.lru_cache(maxsize=_READ_CACHE)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence; a paragraph break always ends one. Remembered like
    `_read`: the evidence sentence of every claim citing a paper is cut from its abstract."""
    spans = []
    start = 0
    for m in _BREAK_RE.finditer(text):
        if m.group()[0] in ".!?" and not _ends_sentence(text, m):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return tuple(spans)


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    following = text[m.end() : m.end() + 1]
    if not following or not (following.isupper() or following.isdigit() or following in "\"“('‘["):
        return False
    word = re.search(r"([A-Za-z.]+)$", text[: m.start()])
    last = word.group(1).lower().rstrip(".") if word else ""
    return last not in _ABBREVIATIONS and not re.fullmatch(r"[a-z]", last)


def _sentence_of(spans: Sequence[tuple[int, int]], position: int) -> int:
    for i, (start, end) in enumerate(spans):
        if start <= position < end:
            return i
    return len(spans) - 1


def sentences(text: str) -> list[str]:
    """The sentences of `text`, whitespace tidied (abbreviations such as "et al." kept whole)."""
    return [" ".join(text[a:b].split()) for a, b in _sentence_spans(text) if text[a:b].strip()]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence of `text`, in order."""
    return list(_sentence_spans(text))


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence(s) of `text` holding the span start..end, whitespace tidied (evidence)."""
    spans = _sentence_spans(text)
    first = spans[_sentence_of(spans, start)][0]
    last = spans[_sentence_of(spans, max(start, end - 1))][1]
    return " ".join(text[first:last].split())


# --------------------------------------------------------------------------- figure helpers


def describe(fig: Figure) -> str:
    """A figure written the way reports show it: "77%", "4–14 days", "over 4,000,000"."""
    number = _format_number(fig.value, fig.decimals)
    if fig.upper is not None:
        number += "–" + _format_number(fig.upper, fig.decimals)
    if fig.unit == "p":
        return f"P {_P_SIGN[fig.hedge]} {number}"
    if fig.unit == "pp":
        number += " percentage points"
    elif fig.percent:
        number += "%"
    elif fig.unit == "fold":
        number += "-fold"
    elif fig.unit and fig.unit != _PEOPLE:
        number += f" {fig.unit}"
    return _hedge_label(fig) + number


def _hedge_label(fig: Figure) -> str:
    """The hedge as the figure's text words it ("nearly "), else a stock word ("up to ")."""
    if fig.hedge is Hedge.EXACT:
        return ""
    m = _HEDGE_START_RE.match(fig.text)
    if m and _HEDGE_OF.get(m.group("h").lower()) is fig.hedge:
        word = m.group("h").lower()
        return word if not word[-1].isalpha() else word + " "
    return _HEDGE_LABEL[fig.hedge]


_P_SIGN = {Hedge.EXACT: "=", Hedge.ABOUT: "≈", Hedge.ABOVE: ">", Hedge.BELOW: "<"}
_HEDGE_LABEL = {Hedge.EXACT: "", Hedge.ABOUT: "about ", Hedge.ABOVE: "over ", Hedge.BELOW: "up to "}


def _format_number(value: float, decimals: int) -> str:
    return format_fraction(exact_number(value), decimals, grouping=True)


def format_fraction(value: Fraction, decimals: int, *, grouping: bool = False) -> str:
    """`value` rounded half away from zero to `decimals` places ("78.7" for 48/61 at 1)."""
    scaled = abs(value) * 10**decimals
    rounded = math.floor(scaled + Fraction(1, 2))
    whole, part = divmod(rounded, 10**decimals)
    text = f"{whole:,}" if grouping else str(whole)
    if decimals > 0:
        text += "." + str(part).rjust(decimals, "0")
    return ("-" if value < 0 and rounded else "") + text


@functools.lru_cache(maxsize=_READ_CACHE)  # each source figure is compared with many claims
def exact_number(value: float) -> Fraction:
    """The decimal a float stands for (27.3 -> 273/10), not its binary approximation."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def is_count(fig: Figure) -> bool:
    """Whether `fig` is a whole number of people or things, so may be the count or total of a
    rate: "61" and "61 patients" are; "61.0", "61%", "60–62", "61 mg" and "61 studies" are not.
    (The rule `read_figures` pairs rates by; a hedge is for the caller to weigh.)"""
    return _counts(exact(fig), fig.decimals, fig.percent, fig.upper, fig.unit)


def exact(fig: Figure) -> Fraction:
    """`fig.value` as an exact fraction."""
    return exact_number(fig.value)


def precision_step(fig: Figure) -> Fraction:
    """The unit of the figure's last stated digit: 1 for "77%", 1/10 for "27.3%",
    100 000 for "4.5 million", 1 000 000 for "four million"."""
    return _precision_step(fig.text, fig.decimals)


@functools.lru_cache(maxsize=_READ_CACHE)
def _precision_step(text: str, decimals: int) -> Fraction:
    tokens = re.findall(r"\d+|[a-z]+", text.lower())
    numeric = [t for t in tokens if t.isdigit() or t in _NUMBER_WORDS]
    scale = _SCALES.get(numeric[-1], 0) if numeric else 0
    return Fraction(10**scale, 10**decimals)


def hedged_interval(fig: Figure, *, bounded: bool) -> tuple[Fraction | None, Fraction | None]:
    """The values a figure admits, as (low, high); None is an open end.

    An exact figure stands for everything that rounds to it (77% is 76.5..77.5, ends
    included). ABOUT widens both sides by the larger of one step of the last digit and 5% of
    the value. ABOVE and BELOW open the interval in their direction: unbounded when
    `bounded` is false ("more than 38%" admits anything from 37.5%), otherwise by the
    larger of one step and 10% of the value (so "nearly 80%" admits 71.5%..80.5%).
    """
    step = precision_step(fig)
    low = exact(fig)
    high = exact_number(fig.upper) if fig.upper is not None else low
    lo, hi = low - step / 2, high + step / 2
    if fig.hedge is Hedge.ABOUT:
        lo -= max(step, abs(low) / 20)
        hi += max(step, abs(high) / 20)
    elif fig.hedge is Hedge.ABOVE:
        return lo, (hi + max(step, abs(high) / 10)) if bounded else None
    elif fig.hedge is Hedge.BELOW:
        return (lo - max(step, abs(low) / 10)) if bounded else None, hi
    return lo, hi
