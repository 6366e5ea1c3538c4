"""`figure.arithmetic`: do a claim's counts, totals and percentages agree with each other?

GRIM-style and exact: a percentage stated with d decimals stands for every value that rounds
to it (77% is 76.5%..77.5%, both ends included, so rounding half up and half down both pass),
and count/total is compared with that interval in fractions, never floats. Computed shares
are shown with at least one decimal, and as many as the stated percentage ("78.7%", "19.5%").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from factcheck.models import Figure, Finding, Hedge, Rate, Status
from factcheck.numbers import (
    describe,
    exact,
    exact_number,
    format_fraction,
    hedged_interval,
    is_count,
)

CHECK = "figure.arithmetic"

__all__ = ["CHECK", "check_arithmetic", "check_rate", "check_shares", "check_sums"]


def check_arithmetic(figures: Sequence[Figure], rates: Sequence[Rate]) -> list[Finding]:
    """Every arithmetic finding for one claim: its rates, its shares and its sums."""
    findings = [check_rate(rate) for rate in rates]
    in_rates = [rate.percent for rate in rates if rate.percent is not None]
    findings += check_shares([f for f in figures if f not in in_rates])
    findings += check_sums(figures)
    return findings


def check_rate(rate: Rate) -> Finding:
    """Whether `rate.count`/`rate.total` gives the percentage stated with it.

    Verified: "47/61 is 77.0%, consistent with 77%". Mismatch: "48/61 is 78.7%, not 77%; 77%
    of 61 would be 47", or, when no whole count fits, "75% of 86 is 64.5: no whole number of
    patients gives 75%". Hedges widen the interval as `numbers.hedged_interval(bounded=False)`
    says: "more than 38%" admits any share from 37.5% up, "nearly 80%" any share to 80.5%, and
    "about 77%" the larger of one step of the last digit and 5% of the value on each side.
    """
    count, total, percent = rate.count, rate.total, rate.percent
    line = rate.line if rate.line is not None else (percent.line if percent else None)
    problem = _impossible(count, total)
    if problem:
        return Finding(CHECK, Status.MISMATCH, problem[0], problem[1], problem[2], line)
    if percent is None:
        message = f"{count}/{total}: no percentage stated, so there is nothing to compute"
        return Finding(CHECK, Status.VERIFIED, message, line=line)
    actual = Fraction(100 * count, total)
    shown = format_fraction(actual, max(percent.decimals, 1)) + "%"
    label = describe(percent)
    lo, hi = hedged_interval(percent, bounded=False)
    if _inside(actual, lo, hi):
        message = f"{count}/{total} is {shown}, consistent with {label}" + _coarse_note(rate)
        return Finding(CHECK, Status.VERIFIED, message, label, shown, line)
    counts = _fitting_counts(total, lo, hi)
    if counts:
        would_be = _counts_text(counts)
        message = f"{count}/{total} is {shown}, not {label}; {label} of {total} would be {would_be}"
    else:
        share = format_fraction(exact(percent) * total / 100, percent.decimals + 2)
        share = share.rstrip("0").rstrip(".")
        message = f"{label} of {total} is {share}: no whole number of patients gives {label}"
    return Finding(CHECK, Status.MISMATCH, message, label, shown, line)


def _impossible(count: int, total: int) -> tuple[str, str, str] | None:
    """(message, expected, found) when the count and total cannot form a share at all."""
    if total < 1:
        return f"{count}/{total}: a total must be at least 1", "a total of at least 1", str(total)
    if count < 0:
        return f"{count}/{total}: a count cannot be negative", "a count of at least 0", str(count)
    if count > total:
        message = f"{count}/{total}: the count is larger than the total"
        return message, f"at most {total}", str(count)
    return None


def _inside(value: Fraction, lo: Fraction | None, hi: Fraction | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _coarse_note(rate: Rate) -> str:
    """Say so when the total is too large for the stated precision to catch anything.

    With N >= 10^(d+2), consecutive counts are at most 10^-d percentage points apart, so some
    whole count fits any percentage stated with d decimals: a made-up percentage cannot show.
    """
    percent = rate.percent
    if percent is None or percent.hedge is not Hedge.EXACT:
        return ""
    d = percent.decimals
    if rate.total < 10 ** (d + 2):
        return ""
    return (
        f"; {rate.total} is too many for {describe(percent)} to test whether any count could "
        f"give it (N ≥ 10^{d + 2}: some whole count fits every such percentage)"
    )


def _fitting_counts(total: int, lo: Fraction | None, hi: Fraction | None) -> range:
    """The whole counts out of `total` whose share lies in [lo, hi] (percent)."""
    first = 0 if lo is None else max(0, math.ceil(lo * total / 100))
    last = total if hi is None else min(total, math.floor(hi * total / 100))
    return range(first, last + 1)


def _counts_text(counts: range) -> str:
    if len(counts) == 1:
        return str(counts[0])
    if len(counts) == 2:
        return f"{counts[0]} or {counts[1]}"
    return f"{counts[0]} to {counts[-1]}"


def check_shares(figures: Sequence[Figure]) -> list[Finding]:
    """A mismatch for each plain percentage above 100%: a share cannot exceed the whole.

    Relative changes ("rose by 198%", "a 40% reduction", percentage points) are not shares
    and are never flagged.
    """
    findings = []
    for fig in figures:
        top = fig.upper if fig.upper is not None else fig.value
        if fig.percent and not fig.relative and fig.unit != "pp" and exact_number(top) > 100:
            label = describe(fig)
            message = f"{label}: a share cannot exceed 100%"
            findings.append(
                Finding(CHECK, Status.MISMATCH, message, "at most 100%", label, fig.line)
            )
    return findings


def check_sums(figures: Sequence[Figure]) -> list[Finding]:
    """A verified note when a total is followed by the parts that make it up.

    "seventy-seven patients ..., with sixty-three ... and fourteen ...": 63 + 14 = 77. Only the
    two to four whole numbers right after the total are tried, and only an exact sum is
    reported; a sum that does not add up says nothing (the parts may not be meant to).
    """
    findings = []
    for i, total in enumerate(figures):
        if not _is_count(total):
            continue
        for size in (2, 3, 4):
            parts = figures[i + 1 : i + 1 + size]
            if len(parts) < size or not all(_is_count(p) for p in parts):
                break
            if sum(p.value for p in parts) == total.value and all(p.value > 0 for p in parts):
                terms = " + ".join(describe(p) for p in parts)
                message = f"{terms} = {describe(total)}"
                findings.append(Finding(CHECK, Status.VERIFIED, message, line=total.line))
                break
    return findings


def _is_count(fig: Figure) -> bool:
    """An exactly stated count: "about 60" is no part of a sum."""
    return is_count(fig) and fig.hedge is Hedge.EXACT
