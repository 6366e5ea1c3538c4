"""figure.arithmetic: counts, totals and percentages checked against each other, exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.checks.arithmetic import check_arithmetic, check_rate, check_shares, check_sums
from factcheck.models import Figure, Finding, Rate, Status
from factcheck.numbers import parse_figure, read_figures

VERIFIED, MISMATCH = Status.VERIFIED, Status.MISMATCH


def rate(count: int, total: int, percent: str | None = None) -> Rate:
    return Rate(count, total, parse_figure(percent) if percent is not None else None)


@pytest.mark.parametrize(
    ("count", "total", "percent", "status", "message"),
    [
        (48, 61, "77%", MISMATCH, "48/61 is 78.7%, not 77%; 77% of 61 would be 47"),
        (47, 61, "77%", VERIFIED, "47/61 is 77.0%, consistent with 77%"),
        (48, 61, "79%", VERIFIED, "48/61 is 78.7%, consistent with 79%"),
        (55, 77, "71.4%", VERIFIED, "55/77 is 71.4%, consistent with 71.4%"),
        (15, 77, "27.3%", MISMATCH, "15/77 is 19.5%, not 27.3%; 27.3% of 77 would be 21"),
        (15, 55, "27.3%", VERIFIED, "15/55 is 27.3%, consistent with 27.3%"),
        (5, 6, "83%", VERIFIED, "5/6 is 83.3%, consistent with 83%"),
        (5, 6, "83.3%", VERIFIED, "5/6 is 83.3%, consistent with 83.3%"),
        (18, 30, "60%", VERIFIED, "18/30 is 60.0%, consistent with 60%"),
        (64, 86, "75%", MISMATCH, "75% of 86 is 64.5: no whole number of patients gives 75%"),
        (5, 150, "1%", MISMATCH, "5/150 is 3.3%, not 1%; 1% of 150 would be 1 or 2"),
        (0, 10, "0%", VERIFIED, "0/10 is 0.0%, consistent with 0%"),
        (10, 10, "100%", VERIFIED, "10/10 is 100.0%, consistent with 100%"),
        # a half is consistent whichever way it was rounded
        (1, 8, "12%", VERIFIED, "1/8 is 12.5%, consistent with 12%"),
        (1, 8, "13%", VERIFIED, "1/8 is 12.5%, consistent with 13%"),
        (1, 40, "2%", VERIFIED, "1/40 is 2.5%, consistent with 2%"),
        (1, 40, "3%", VERIFIED, "1/40 is 2.5%, consistent with 3%"),
        (1, 8, "12.4%", MISMATCH, "12.4% of 8 is 0.992: no whole number of patients gives 12.4%"),
    ],
)
def test_check_rate(count: int, total: int, percent: str, status: Status, message: str) -> None:
    finding = check_rate(rate(count, total, percent))
    assert finding.check == "figure.arithmetic"
    assert finding.status is status
    assert finding.message == message


def test_mismatch_fields_follow_the_contract() -> None:
    finding = check_rate(rate(48, 61, "77%"))
    assert finding == Finding(
        "figure.arithmetic",
        MISMATCH,
        "48/61 is 78.7%, not 77%; 77% of 61 would be 47",
        expected="77%",
        found="78.7%",
    )


def test_finding_carries_the_rate_line() -> None:
    assert check_rate(Rate(48, 61, parse_figure("77%"), line=14)).line == 14


@pytest.mark.parametrize(
    ("count", "total", "percent", "status", "message"),
    [
        (24, 61, "more than 38%", VERIFIED, "24/61 is 39.3%, consistent with more than 38%"),
        (61, 61, "more than 38%", VERIFIED, "61/61 is 100.0%, consistent with more than 38%"),
        (
            22,
            61,
            "more than 38%",
            MISMATCH,
            "22/61 is 36.1%, not more than 38%; more than 38% of 61 would be 23 to 61",
        ),
        (48, 61, "nearly 80%", VERIFIED, "48/61 is 78.7%, consistent with nearly 80%"),
        (
            50,
            61,
            "nearly 80%",
            MISMATCH,
            "50/61 is 82.0%, not nearly 80%; nearly 80% of 61 would be 0 to 49",
        ),
        (48, 61, "about 77%", VERIFIED, "48/61 is 78.7%, consistent with about 77%"),
        (45, 61, "about 77%", VERIFIED, "45/61 is 73.8%, consistent with about 77%"),
        (
            52,
            61,
            "about 77%",
            MISMATCH,
            "52/61 is 85.2%, not about 77%; about 77% of 61 would be 45 to 49",
        ),
        # ABOUT widens by at least one step of the last digit, even when 5% is less
        (3, 61, "about 4%", VERIFIED, "3/61 is 4.9%, consistent with about 4%"),
    ],
)
def test_hedges_widen_the_interval(
    count: int, total: int, percent: str, status: Status, message: str
) -> None:
    finding = check_rate(rate(count, total, percent))
    assert (finding.status, finding.message) == (status, message)


@pytest.mark.parametrize(
    ("count", "total", "percent", "noted"),
    [
        (47000, 61000, "77%", "N ≥ 10^2"),
        (77, 100, "77%", "N ≥ 10^2"),
        (76, 99, "77%", None),
        (470, 610, "77.0%", None),
        (47000, 61000, "77.0%", "N ≥ 10^3"),
        (47000, 61000, "about 77%", None),
    ],
)
def test_says_when_the_total_is_too_large_to_test(
    count: int, total: int, percent: str, noted: str | None
) -> None:
    finding = check_rate(rate(count, total, percent))
    assert finding.status is VERIFIED
    if noted is None:
        assert "too many" not in finding.message
    else:
        assert f"{total} is too many for {percent} to test" in finding.message
        assert noted in finding.message


def test_a_large_total_still_catches_a_wrong_count() -> None:
    finding = check_rate(rate(48000, 61000, "77%"))
    assert finding.status is MISMATCH
    assert finding.message == "48000/61000 is 78.7%, not 77%; 77% of 61000 would be 46665 to 47275"


@pytest.mark.parametrize(
    ("bad", "message", "expected", "found"),
    [
        (
            Rate(62, 61, parse_figure("77%")),
            "62/61: the count is larger than the total",
            "at most 61",
            "62",
        ),
        (Rate(62, 61), "62/61: the count is larger than the total", "at most 61", "62"),
        (Rate(1, 0), "1/0: a total must be at least 1", "a total of at least 1", "0"),
        (Rate(-1, 5), "-1/5: a count cannot be negative", "a count of at least 0", "-1"),
    ],
)
def test_impossible_rates(bad: Rate, message: str, expected: str, found: str) -> None:
    finding = check_rate(bad)
    assert (finding.status, finding.message) == (MISMATCH, message)
    assert (finding.expected, finding.found) == (expected, found)


def test_a_rate_without_percentage_is_consistent_by_definition() -> None:
    _, rates = read_figures("around one in four U.S. households")
    [finding] = check_arithmetic([], rates)
    assert finding.status is VERIFIED
    assert finding.message == "1/4: no percentage stated, so there is nothing to compute"


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("120% of patients", ["120%: a share cannot exceed 100%"]),
        ("between 80% and 120%", ["80–120%: a share cannot exceed 100%"]),
        ("100% of patients", []),
        ("prescriptions rose by 198%", []),
        ("a 198% increase", []),
        ("a 150% rise in visits", []),
        ("levels at 150% of normal", []),
        ("a 120 percentage point gain", []),
        ("77%", []),
    ],
)
def test_a_share_cannot_exceed_100_percent(text: str, flagged: list[str]) -> None:
    figures, _ = read_figures(text)
    findings = check_shares(figures)
    assert [f.message for f in findings] == flagged
    assert all(f.status is MISMATCH for f in findings)


@pytest.mark.parametrize(
    ("figures", "notes"),
    [
        (
            "This study involved seventy-seven patients receiving ketamine treatments, with "
            "sixty-three suffering from chronic migraines and fourteen from recent persistent "
            "headaches daily.",
            ["63 + 14 = 77"],
        ),
        ("Of 30 patients, 18 completed, 7 withdrew and 5 were lost.", ["18 + 7 + 5 = 30"]),
        ("77 patients: 60 with migraine and 14 with NDPH", []),
        ("48 of 61 (77%)", []),
        ("3 studies, 4–14 days, 3 months", []),
        ("Of 30 studies, 18 were trials and 12 cohorts.", []),
        ("Of about 30 patients, 18 completed and 12 withdrew.", []),
        ("Of 30 patients, about 18 completed and 12 withdrew.", []),
        ("Of 30 patients, 18.0 completed and 12 withdrew.", []),
    ],
)
def test_check_sums(figures: str, notes: list[str]) -> None:
    findings = check_sums(read_figures(figures)[0])
    assert [f.message for f in findings] == notes
    assert all(f.status is VERIFIED for f in findings)


def test_check_arithmetic_on_the_seed_claim() -> None:
    quote = (
        "Among the sixty-one participants, an impressive forty-eight responded positively to "
        "the treatment, resulting in a 77% success rate, with 40% experiencing sustained relief."
    )
    findings = check_arithmetic(*read_figures(quote))
    assert [(f.status, f.message) for f in findings] == [
        (MISMATCH, "48/61 is 78.7%, not 77%; 77% of 61 would be 47")
    ]


def test_check_arithmetic_does_not_flag_a_rate_percent_twice() -> None:
    over = Figure("120%", 120, percent=True, unit="%")
    findings = check_arithmetic([over], [Rate(6, 5, over)])
    assert len(findings) == 1


def test_check_arithmetic_with_nothing_to_check() -> None:
    assert check_arithmetic([], []) == []


def rounded(count: int, total: int, decimals: int) -> str:
    share = Decimal(100 * count) / Decimal(total)
    return str(share.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + "%"


@given(
    st.integers(min_value=1, max_value=999).flatmap(
        lambda total: st.tuples(st.integers(min_value=0, max_value=total), st.just(total))
    ),
    st.sampled_from([0, 1]),
)
def test_an_honestly_rounded_percentage_is_always_consistent(
    pair: tuple[int, int], decimals: int
) -> None:
    count, total = pair
    percent = rounded(count, total, decimals)
    finding = check_rate(rate(count, total, percent))
    assert finding.status is VERIFIED, (count, total, percent, finding.message)


@given(st.integers(min_value=1, max_value=99), st.data())
def test_a_percentage_off_by_more_than_its_precision_is_caught(
    total: int, data: st.DataObject
) -> None:
    count = data.draw(st.integers(min_value=0, max_value=total))
    exact = Decimal(100 * count) / Decimal(total)
    offset = data.draw(st.sampled_from([-3, -2, 2, 3]))
    stated = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)) + offset
    if not 0 <= stated <= 100 or abs(stated - exact) <= Decimal("0.5"):
        return
    assert check_rate(rate(count, total, f"{stated}%")).status is MISMATCH
