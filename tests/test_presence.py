"""figure.present: each figure of a claim looked up in its source's title and abstract."""

from __future__ import annotations

import pytest

from factcheck.checks.presence import check_presence
from factcheck.models import Finding, Rate, Status
from factcheck.numbers import parse_figure, read_figures

# Written for these tests after the Schwenk 2018 abstract's figures (SOURCES.md A3).
ABSTRACT = (
    "Ketamine for Refractory Headache: A Retrospective Analysis.\n"
    "BACKGROUND AND OBJECTIVES: Refractory headaches are hard to treat. METHODS: We reviewed "
    "61 patients admitted over 3 years for 5 days of intravenous therapy including ketamine. "
    "RESULTS: Forty-eight (77%) of the 61 patients were immediate responders. Maximum "
    "improvement occurred at a mean of 4.56 days. Sustained response was 40% at visit 1 "
    "(mean 38.1 days) and 39% at visit 2 (mean 101.3 days). The mean maximum infusion rate "
    "was 65.2 ± 2.8 mg/h (0.76 mg/kg/h)."
)

SEED_QUOTE = (
    "Among the sixty-one participants, an impressive forty-eight responded positively to the "
    "treatment, resulting in a 77% success rate, with 40% experiencing sustained relief. "
    "Intriguingly, research shows that ketamine can provide rapid relief to some patients "
    "within just an hour."
)


def test_the_seed_claim_against_its_abstract() -> None:
    figures, rates = read_figures(SEED_QUOTE)
    present, absent = check_presence(figures, rates, ABSTRACT)
    assert present == Finding(
        "figure.present",
        Status.VERIFIED,
        "61, 48, 77%, 40% found in the abstract",
        expected="61, 48, 77%, 40%",
        found="61 patients, Forty-eight, 77%, 40%",
        evidence="METHODS: We reviewed 61 patients admitted over 3 years for 5 days of "
        "intravenous therapy including ketamine.",
    )
    assert absent.status is Status.UNVERIFIABLE
    assert absent.message == (
        "'within just an hour' is not in the abstract; it gives 4.56 days, 5 days, 38.1 days"
    )
    assert (absent.expected, absent.found) == ("within 1 h", "4.56 days, 5 days, 38.1 days")


def test_evidence_is_the_sentence_of_the_first_figure_found() -> None:
    [finding] = check_presence([parse_figure("4.56 days")], [], ABSTRACT)
    assert finding.evidence == "Maximum improvement occurred at a mean of 4.56 days."


@pytest.mark.parametrize(
    ("claim", "source", "present"),
    [
        # precision: the source must round to the claim at the claim's precision
        ("37%", "37.1% responded", True),
        ("37%", "36.6% responded", True),
        ("37%", "37.5% responded", True),
        ("37%", "36.4% responded", False),
        ("37%", "37.6% responded", False),
        ("37.1%", "37% responded", False),
        ("37.0%", "37% responded", False),
        ("37.1%", "37.14% responded", True),
        ("4.56 days", "4.6 days", False),
        ("4.6 days", "4.56 days", True),
        # kinds and units
        ("40%", "40 patients", False),
        ("40", "40% of patients", False),
        ("61", "61 patients", True),
        ("61 patients", "of the 61 enrolled", True),
        ("61", "61 days", False),
        ("25 mg", "25 mg intranasal ketamine", True),
        ("25 mg", "25 patients", False),
        ("25 mg", "25 of them", False),
        ("25 mg", "25 milligrams", True),
        ("0.1 mg/kg/h", "0.1 mg/kg/hr", True),
        ("0.1 mg/kg/h", "0.1 mg/h", False),
        ("3 years", "three years", True),
        ("0.032", "(p = 0.032)", True),
        # words and separators, on either side
        ("48", "Forty-eight (77%) of the 61", True),
        ("forty-eight", "48 of 61", True),
        ("Sixty-one", "61 patients", True),
        ("96 032", "96,032 patients", True),
        ("96032", "96\u202f032 patients", True),
        ("53.8%", "53·8%", True),
        ("four million", "4 million people", True),
        # ranges
        ("4–14 days", "infusions lasting 4–14 days", True),
        ("4-14 days", "from 4 to 14 days", True),
        ("4–14 days", "between 4 days and, later, 14 days", True),
        ("4–14 days", "4–12 days", False),
        ("3-10", "between 3 and 10", True),
        ("54", "median age 36.5 years (range 29–54)", True),
        # hedges
        ("above 38%", "38.4%", True),
        ("more than 38%", "37.6%", True),
        ("more than 38%", "37.4%", False),
        ("more than 38%", "45%", False),
        ("nearly 80%", "78.7%", True),
        ("nearly 80%", "81%", False),
        ("nearly 80%", "60%", False),
        ("about 40%", "42%", True),
        ("about 40%", "37.6%", True),
        ("about 40%", "45%", False),
        ("up to 3 months", "3 months", True),
        ("up to 3 months", "3 days", False),
        ("more than four million", "4.2 million adults", True),
        ("within an hour", "within 24 h", False),
    ],
)
def test_matching_rule(claim: str, source: str, present: bool) -> None:
    findings = check_presence([parse_figure(claim)], [], source)
    assert len(findings) == 1
    assert findings[0].status is (Status.VERIFIED if present else Status.UNVERIFIABLE)


def test_every_part_of_a_rate_is_looked_up() -> None:
    rates = [Rate(48, 61, parse_figure("77%"))]
    [finding] = check_presence([], rates, ABSTRACT)
    assert finding.message == "48, 61, 77% found in the abstract"


def test_a_missing_rate_part_is_named() -> None:
    rates = [Rate(47, 61, parse_figure("77%"), line=9)]
    present, absent = check_presence([], rates, ABSTRACT)
    assert present.message == "61, 77% found in the abstract"
    assert absent.message == "'47' is not in the abstract; it gives 48, 61, 38.1 days"
    assert absent.line == 9


def test_each_figure_is_looked_up_once() -> None:
    figures = [parse_figure(61), parse_figure("61 patients"), parse_figure("sixty-one")]
    [finding] = check_presence(figures, [Rate(48, 61)], ABSTRACT)
    assert finding.message == "61, 48 found in the abstract"


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ("about 95%", "'about 95%' is not in the abstract; it gives 77%, 40%, 39%"),
        ("6 patients", "'6 patients' is not in the abstract; it gives 48, 61, 5 days"),
        ("2 hours", "'2 hours' is not in the abstract; it gives 4.56 days, 5 days, 38.1 days"),
        ("10 mg/h", "'10 mg/h' is not in the abstract; it gives 2.8 mg/h, 65.2 mg/h, 5 days"),
    ],
)
def test_an_absent_figure_names_the_nearest_the_abstract_gives(claim: str, message: str) -> None:
    [finding] = check_presence([parse_figure(claim)], [], ABSTRACT)
    assert (finding.status, finding.message) == (Status.UNVERIFIABLE, message)


@pytest.mark.parametrize(
    ("claim", "source", "message"),
    [
        (
            "37.1%",
            "37% responded and 40% relapsed.",
            "'37.1%' is not in the abstract; it gives 37% (stated less precisely), 40%",
        ),
        (
            "37.6%",
            "37% responded and 38% relapsed.",
            "'37.6%' is not in the abstract; it gives 38% (stated less precisely), 37%",
        ),
        (
            "37.1 mg",
            "The dose was 37 mg.",
            "'37.1 mg' is not in the abstract; it gives 37 mg (stated less precisely)",
        ),
    ],
)
def test_a_same_value_stated_less_precisely_says_so(claim: str, source: str, message: str) -> None:
    [finding] = check_presence([parse_figure(claim)], [], "Outcomes.\n" + source)
    assert finding.status is Status.UNVERIFIABLE
    assert finding.message == message
    assert finding.found == message.split("it gives ")[1].replace(" (stated less precisely)", "")


@pytest.mark.parametrize(
    ("claim", "source", "message"),
    [
        (
            "61 patients",
            "We pooled 61 studies and 12 trials.",
            "'61 patients' is not in the abstract; it gives 61 studies (a different unit: "
            "studies), 12 studies",
        ),
        (
            "61",
            "Each took 61 mg.",
            "'61' is not in the abstract; it gives 61 mg (a different unit: mg)",
        ),
        (
            "61 mg",
            "Of 12 mg and 61 given,",
            "'61 mg' is not in the abstract; it gives 12 mg, 61 (no unit)",
        ),
    ],
)
def test_a_same_value_in_a_different_unit_says_so(claim: str, source: str, message: str) -> None:
    [finding] = check_presence([parse_figure(claim)], [], "Outcomes.\n" + source)
    assert finding.status is Status.UNVERIFIABLE
    assert finding.message == message


def test_a_different_value_gets_no_reason() -> None:
    [finding] = check_presence([parse_figure("36%")], [], "Outcomes.\n37% responded.")
    assert finding.message == "'36%' is not in the abstract; it gives 37%"


def test_absent_figure_keeps_its_line() -> None:
    fig = parse_figure("95%")
    fig = type(fig)(**{**fig.__dict__, "line": 7})
    [finding] = check_presence([fig], [], ABSTRACT)
    assert finding.line == 7


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "'77%' cannot be looked up: the source has no title or abstract"),
        ("   \n", "'77%' cannot be looked up: the source has no title or abstract"),
        ("A review of ketamine.", "'77%' is not in the abstract, which states no figures"),
    ],
)
def test_a_source_without_figures(source: str, message: str) -> None:
    [finding] = check_presence([parse_figure("77%")], [], source)
    assert (finding.status, finding.message, finding.found) == (
        Status.UNVERIFIABLE,
        message,
        None,
    )


def test_no_figures_no_findings() -> None:
    assert check_presence([], [], ABSTRACT) == []
