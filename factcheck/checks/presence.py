"""`figure.present`: is each figure of a claim stated in its source's title and abstract?

Both sides are read by `numbers.find_mentions`, so "Forty-eight", "96 032" and "53·8%" match
48, 96032 and 53.8%. A source number matches a claim figure when it lies in the figure's
interval (CONTRACT §7.6): it rounds to the figure at the figure's own precision ("37%" is
matched by 37.1%; "37.1%" is not matched by 37%), or, for a hedged figure, lies within the
hedge ("above 38%" is matched by 38.4%, "nearly 80%" by 78.7%).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from factcheck.models import Figure, Finding, Hedge, Rate, Status
from factcheck.numbers import (
    COUNT_UNITS,
    HOURS_PER_UNIT,
    Mention,
    describe,
    exact,
    find_mentions,
    hedged_interval,
    precision_step,
    sentence_around,
)

CHECK = "figure.present"

__all__ = ["CHECK", "check_presence", "find_figure", "matches", "source_figures"]

_NEAREST = 3
_DIMENSIONLESS = (*COUNT_UNITS, "studies", "episodes", "points", "p")
"""Units a bare number may stand for. A measure (mg, days) must be stated with its unit."""


def check_presence(
    figures: Sequence[Figure], rates: Sequence[Rate], source_text: str
) -> list[Finding]:
    """Look up each figure, and each part of each rate, in `source_text` (title + abstract).

    Returns one verified finding naming the figures found (with the sentence of the first as
    evidence) and one unverifiable finding per figure not found, naming the nearest figures
    the source does give. No figures, no findings.
    """
    wanted = _wanted(figures, rates)
    mentions = find_mentions(source_text)
    candidates = source_figures(mentions)
    found: list[tuple[Figure, Mention]] = []
    findings: list[Finding] = []
    for fig in wanted:
        mention = find_figure(fig, candidates)
        if mention is None:
            findings.append(_absent(fig, mentions, source_text))
        else:
            found.append((fig, mention))
    if found:
        findings.insert(0, _present(found, source_text))
    return findings


def _wanted(figures: Sequence[Figure], rates: Sequence[Rate]) -> list[Figure]:
    """The figures to look up, rate parts included, each value once."""
    every = list(figures)
    for rate in rates:
        every += [_count_figure(rate.count, rate.line), _count_figure(rate.total, rate.line)]
        if rate.percent is not None:
            every.append(rate.percent)
    unique: dict[tuple[object, ...], Figure] = {}
    for fig in every:
        key = (exact(fig), fig.upper, fig.percent, fig.hedge)
        unique.setdefault(key, fig)
    return list(unique.values())


def _count_figure(value: int, line: int | None) -> Figure:
    return Figure(text=str(value), value=float(value), line=line)


def source_figures(mentions: Sequence[Mention]) -> list[tuple[Figure, Mention]]:
    """Every source figure, plus each end of a source range as a figure of its own."""
    out = []
    for mention in mentions:
        fig = mention.figure
        out.append((fig, mention))
        if fig.upper is not None:
            out.append((replace(fig, upper=None), mention))
            out.append((replace(fig, value=fig.upper, upper=None), mention))
    return out


def find_figure(fig: Figure, candidates: Sequence[tuple[Figure, Mention]]) -> Mention | None:
    """Where the source states `fig`, or None. A range needs a source range with the same
    ends, or each end stated somewhere."""
    if fig.upper is None:
        return next((m for src, m in candidates if matches(fig, src)), None)
    low, high = replace(fig, upper=None), replace(fig, value=fig.upper, upper=None)
    for src, mention in candidates:
        if src.upper is not None:
            src_low, src_high = replace(src, upper=None), replace(src, value=src.upper, upper=None)
            if matches(low, src_low) and matches(high, src_high):
                return mention
    low_at, high_at = find_figure(low, candidates), find_figure(high, candidates)
    return low_at if low_at and high_at else None


def matches(claim: Figure, source: Figure) -> bool:
    """Whether the single source figure `source` states the single claim figure `claim`.

    A percentage matches only a percentage; a measure (25 mg, 4.56 days) needs the same unit
    in the source; a count (61, 61 patients) matches a bare or counted number. An
    exact claim figure needs a source figure at least as precise ("37.1%" is not in "37%");
    the source value must lie in the claim's (bounded) hedged interval.
    """
    if source.upper is not None or claim.percent != source.percent:
        return False
    if not _units_agree(claim.unit, source.unit):
        return False
    if claim.hedge is Hedge.EXACT and precision_step(source) > precision_step(claim):
        return False
    lo, hi = hedged_interval(claim, bounded=True)
    value = exact(source)
    return (lo is None or lo <= value) and (hi is None or value <= hi)


def _units_agree(claim: str, source: str) -> bool:
    """Units agree when both sides state the same one; a bare number agrees only with a
    dimensionless one (61 = 61 patients, 0.032 = P = 0.032; 25 mg needs "mg")."""
    if claim and source:
        return _kind(claim) == _kind(source)
    return (claim or source) in _DIMENSIONLESS


def _kind(unit: str) -> str:
    if unit in ("%", "pp"):
        return "%"
    return "count" if unit in COUNT_UNITS else unit


def _present(found: Sequence[tuple[Figure, Mention]], source_text: str) -> Finding:
    labels = ", ".join(describe(fig) for fig, _ in found)
    first = found[0][1]
    return Finding(
        CHECK,
        Status.VERIFIED,
        f"{labels} found in the abstract",
        expected=labels,
        found=", ".join(mention.figure.text for _, mention in found),
        line=found[0][0].line,
        evidence=sentence_around(source_text, first.start, first.end),
    )


def _absent(fig: Figure, mentions: Sequence[Mention], source_text: str) -> Finding:
    """Not found: the nearest figures the source gives, each with the reason it did not count
    when it has the claim's value ("37% (stated less precisely)", "61 studies (a different
    unit: studies)")."""
    nearest = _nearest(fig, mentions)
    labels = [describe(near) for near in nearest]
    if not source_text.strip():
        message = f"'{fig.text}' cannot be looked up: the source has no title or abstract"
    elif not nearest:
        message = f"'{fig.text}' is not in the abstract, which states no figures"
    else:
        noted = [_with_reason(fig, near) for near in nearest]
        message = f"'{fig.text}' is not in the abstract; it gives {', '.join(noted)}"
    found = ", ".join(labels) or None
    return Finding(CHECK, Status.UNVERIFIABLE, message, describe(fig), found, fig.line)


def _nearest(fig: Figure, mentions: Sequence[Mention]) -> list[Figure]:
    """Up to three figures the source gives, the same kind first, then the closest value;
    one per label."""
    ranked = sorted(mentions, key=lambda m: _distance(fig, m.figure))
    by_label: dict[str, Figure] = {}
    for mention in ranked:
        by_label.setdefault(describe(mention.figure), mention.figure)
    return list(by_label.values())[:_NEAREST]


def _with_reason(claim: Figure, source: Figure) -> str:
    reason = _why_not(claim, source)
    return f"{describe(source)} ({reason})" if reason else describe(source)


def _why_not(claim: Figure, source: Figure) -> str:
    """Why `source`, which has the claim's value, does not state `claim`; "" when its value
    differs, which needs no explaining."""
    if claim.upper is not None or source.upper is not None or claim.percent != source.percent:
        return ""
    if not _units_agree(claim.unit, source.unit):
        if matches(claim, replace(source, unit=claim.unit)):
            return f"a different unit: {source.unit}" if source.unit else "no unit"
        return ""
    step = precision_step(source)
    less_precise = claim.hedge is Hedge.EXACT and step > precision_step(claim)
    if less_precise and 2 * abs(exact(source) - exact(claim)) <= step:
        return "stated less precisely"
    return ""


def _distance(claim: Figure, source: Figure) -> tuple[int, Fraction]:
    """(rank, gap): same kind of figure 0, both durations 1, other 2, percent vs not 3."""
    gap = abs(exact(source) - exact(claim))
    if claim.percent != source.percent:
        return 3, gap
    if _kind(claim.unit) == _kind(source.unit):
        return 0, gap
    if claim.unit in HOURS_PER_UNIT and source.unit in HOURS_PER_UNIT:
        hours = (
            exact(source) * HOURS_PER_UNIT[source.unit] - exact(claim) * HOURS_PER_UNIT[claim.unit]
        )
        return 1, abs(hours)
    return 2, gap
