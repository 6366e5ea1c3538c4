"""Reading figures from prose: factcheck.numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.models import Figure, Hedge, Rate
from factcheck.numbers import (
    describe,
    find_mentions,
    find_rates,
    is_count,
    parse_figure,
    precision_step,
    read_figures,
    sentence_around,
)

ABOUT, ABOVE, BELOW, EXACT = Hedge.ABOUT, Hedge.ABOVE, Hedge.BELOW, Hedge.EXACT


def shown(text: str) -> list[str]:
    """Every figure of `text`, as reports write it."""
    return [describe(m.figure) for m in find_mentions(text)]


def only(text: str) -> Figure:
    """The one figure `text` states."""
    mentions = find_mentions(text)
    assert len(mentions) == 1, [m.figure for m in mentions]
    return mentions[0].figure


def fields(fig: Figure) -> tuple[object, ...]:
    return (fig.value, fig.upper, fig.decimals, fig.percent, fig.unit, fig.hedge, fig.relative)


# (text, value, upper, decimals, percent, unit, hedge, relative)
FORMS = [
    # digits, separators, decimal marks, signs
    ("10,921", 10921, None, 0, False, "", EXACT, False),
    ("96 032", 96032, None, 0, False, "", EXACT, False),
    ("96\u202f032", 96032, None, 0, False, "", EXACT, False),
    ("96\u2009032", 96032, None, 0, False, "", EXACT, False),
    ("96\u00a0032", 96032, None, 0, False, "", EXACT, False),
    ("53·8%", 53.8, None, 1, True, "%", EXACT, False),
    ("a change of −5.8", -5.8, None, 1, False, "", EXACT, False),
    ("a change of -2", -2, None, 0, False, "", EXACT, False),
    ("mean 4.56 days", 4.56, None, 2, False, "days", EXACT, False),
    ("77.0%", 77.0, None, 1, True, "%", EXACT, False),
    # percentages
    ("77%", 77, None, 0, True, "%", EXACT, False),
    ("72 %", 72, None, 0, True, "%", EXACT, False),
    ("77 percent", 77, None, 0, True, "%", EXACT, False),
    ("77 per cent", 77, None, 0, True, "%", EXACT, False),
    # number words
    ("forty-eight", 48, None, 0, False, "", EXACT, False),
    ("Sixty-one", 61, None, 0, False, "", EXACT, False),
    ("Twenty seven", 27, None, 0, False, "", EXACT, False),
    ("Four hundred and thirty-two", 432, None, 0, False, "", EXACT, False),
    ("one hundred", 100, None, 0, False, "", EXACT, False),
    ("a dozen eggs", 12, None, 0, False, "", EXACT, False),
    ("half of the patients", 50, None, 0, True, "%", EXACT, False),
    ("a quarter of them", 25, None, 0, True, "%", EXACT, False),
    ("one patient", 1, None, 0, False, "patients", EXACT, False),
    ("more than four million", 4_000_000, None, 0, False, "", ABOVE, False),
    ("4.5 million", 4_500_000, None, 1, False, "", EXACT, False),
    # ranges
    ("(4–14 days)", 4, 14, 0, False, "days", EXACT, False),
    ("4-14 days", 4, 14, 0, False, "days", EXACT, False),
    ("3 to 10", 3, 10, 0, False, "", EXACT, False),
    ("between three and ten", 3, 10, 0, False, "", EXACT, False),
    ("range 29-54", 29, 54, 0, False, "", EXACT, False),
    ("from thirty to one hundred days", 30, 100, 0, False, "days", EXACT, False),
    ("thirty to one hundred days", 30, 100, 0, False, "days", EXACT, False),
    ("15–20%", 15, 20, 0, True, "%", EXACT, False),
    ("(range 0.12–0.42)", 0.12, 0.42, 2, False, "", EXACT, False),
    ("NRS (0–10)", 0, 10, 0, False, "", EXACT, False),
    ("(95% CI −5.8 to 19.4)", 95, None, 0, True, "%", EXACT, False),
    ("within one to three months", 1, 3, 0, False, "months", BELOW, False),
    # units
    ("a 25-milligram dose", 25, None, 0, False, "mg", EXACT, False),
    ("25 mg", 25, None, 0, False, "mg", EXACT, False),
    ("25mg", 25, None, 0, False, "mg", EXACT, False),
    ("doses ranging from 10 to 50 milligrams", 10, 50, 0, False, "mg", EXACT, False),
    ("0.1 mg/kg/h", 0.1, None, 1, False, "mg/kg/h", EXACT, False),
    ("0.76 mg/kg/hr", 0.76, None, 2, False, "mg/kg/h", EXACT, False),
    ("0.76 mg/kg/hour", 0.76, None, 2, False, "mg/kg/h", EXACT, False),
    ("10 mg/h", 10, None, 0, False, "mg/h", EXACT, False),
    ("22.2 mm", 22.2, None, 1, False, "mm", EXACT, False),
    ("8 hours", 8, None, 0, False, "h", EXACT, False),
    ("8 h", 8, None, 0, False, "h", EXACT, False),
    ("one day", 1, None, 0, False, "days", EXACT, False),
    ("five-day intravenous therapy", 5, None, 0, False, "days", EXACT, False),
    ("six months", 6, None, 0, False, "months", EXACT, False),
    ("36.5 years", 36.5, None, 1, False, "years", EXACT, False),
    ("61 consecutive patients", 61, None, 0, False, "patients", EXACT, False),
    ("six individuals", 6, None, 0, False, "patients", EXACT, False),
    ("30 migraineurs", 30, None, 0, False, "patients", EXACT, False),
    ("three studies", 3, None, 0, False, "studies", EXACT, False),
    # hedges
    ("about 40%", 40, None, 0, True, "%", ABOUT, False),
    ("around 40%", 40, None, 0, True, "%", ABOUT, False),
    ("approximately 40%", 40, None, 0, True, "%", ABOUT, False),
    ("roughly 40%", 40, None, 0, True, "%", ABOUT, False),
    ("~40%", 40, None, 0, True, "%", ABOUT, False),
    ("some 40 patients", 40, None, 0, False, "patients", ABOUT, False),
    ("an estimated 40%", 40, None, 0, True, "%", ABOUT, False),
    ("(about 95%)", 95, None, 0, True, "%", ABOUT, False),
    ("more than 38%", 38, None, 0, True, "%", ABOVE, False),
    ("over 38%", 38, None, 0, True, "%", ABOVE, False),
    ("at least 8 h", 8, None, 0, False, "h", ABOVE, False),
    ("exceeding seven", 7, None, 0, False, "", ABOVE, False),
    ("upwards of 40%", 40, None, 0, True, "%", ABOVE, False),
    ("greater than 40%", 40, None, 0, True, "%", ABOVE, False),
    ("≥2 points", 2, None, 0, False, "points", ABOVE, False),
    ("> 2 points", 2, None, 0, False, "points", ABOVE, False),
    ("nearly 80%", 80, None, 0, True, "%", BELOW, False),
    ("almost 80%", 80, None, 0, True, "%", BELOW, False),
    ("up to 3 months", 3, None, 0, False, "months", BELOW, False),
    ("under 18 years", 18, None, 0, False, "years", BELOW, False),
    ("less than 5%", 5, None, 0, True, "%", BELOW, False),
    ("fewer than 10 patients", 10, None, 0, False, "patients", BELOW, False),
    ("at most 3", 3, None, 0, False, "", BELOW, False),
    ("just under 50%", 50, None, 0, True, "%", BELOW, False),
    ("no more than 50%", 50, None, 0, True, "%", BELOW, False),
    ("< 5 days", 5, None, 0, False, "days", BELOW, False),
    ("within just an hour", 1, None, 0, False, "h", BELOW, False),
    ("after a week", 1, None, 0, False, "weeks", EXACT, False),
    ("3 days or more", 3, None, 0, False, "days", ABOVE, False),
    ("a pain score of 3 or less", 3, None, 0, False, "", BELOW, False),
    # p-values
    ("P < .0001", 0.0001, None, 4, False, "p", BELOW, False),
    ("(p = 0.032)", 0.032, None, 3, False, "p", EXACT, False),
    ("p=0.5035", 0.5035, None, 4, False, "p", EXACT, False),
    # relative changes
    ("rose by 198%", 198, None, 0, True, "%", EXACT, True),
    ("a 198% increase", 198, None, 0, True, "%", EXACT, True),
    ("reduced pain by about 40%", 40, None, 0, True, "%", ABOUT, True),
    ("a 40% reduction", 40, None, 0, True, "%", EXACT, True),
    ("a 40% decrease", 40, None, 0, True, "%", EXACT, True),
    ("40% higher", 40, None, 0, True, "%", EXACT, True),
    ("40% lower", 40, None, 0, True, "%", EXACT, True),
    ("150% of normal", 150, None, 0, True, "%", EXACT, True),
    ("a 10 percentage point gain", 10, None, 0, True, "pp", EXACT, True),
    ("a 3-fold rise", 3, None, 0, False, "fold", EXACT, True),
]


@pytest.mark.parametrize(
    ("text", "value", "upper", "decimals", "percent", "unit", "hedge", "relative"), FORMS
)
def test_reads_each_form(
    text: str,
    value: float,
    upper: float | None,
    decimals: int,
    percent: bool,
    unit: str,
    hedge: Hedge,
    relative: bool,
) -> None:
    mentions = find_mentions(text)
    assert mentions, f"no figure read from {text!r}"
    fig = mentions[0].figure
    assert fields(fig) == (value, upper, decimals, percent, unit, hedge, relative)


@pytest.mark.parametrize(
    "text",
    [
        "December 2016 edition",
        "in 2018",
        "since 2014",
        "published in Regional Anesthesia & Pain Medicine 2018.",
        "the 2016 study",
        "between 2010 and 2014",
        "Oct 21 2017",
        "21 October",
        "no one came",
        "one of the best",
        "someone said so",
        "once a day",
        "a day of rest",
        "the 3rd visit",
        "COVID-19",
        "IL-6 levels",
        "at visit 2 and Table 1",
        "type 2 diabetes",
        "PMID: 29923953",
        "doi:10.1097/AAP.0000000000000827",
        "https://doi.org/10.1186/s10194-016-0700-3",
        "ISSN 1129-2369",
        "weighted often",
    ],
)
def test_reads_no_figure_from(text: str) -> None:
    assert find_mentions(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("65.2 ± 2.8 mg/h", ["65.2 mg/h", "2.8 mg/h"]),
        ("65.2 ± 2.8 mg/h (0.76 mg/kg/h)", ["65.2 mg/h", "2.8 mg/h", "0.76 mg/kg/h"]),
        ("median age of 36.5 years (range 29–54)", ["36.5 years", "29–54"]),
        ("Forty-eight (77%) of the 61 patients", ["48", "77%", "61"]),
        ("15/77, 27.3%", ["15", "77", "27.3%"]),
        ("3/10 pain", ["3", "10"]),
        ("one in four U.S. households", ["1", "4"]),
        ("48 of 61", ["48", "61"]),
        ("one of 61 patients", ["1", "61"]),
        ("more than four million individuals", ["more than 4,000,000"]),
        ("In 2014, 123 patients", ["123"]),
        ("fell from 7.1 to 3.8", ["7.1", "3.8"]),
        ("22.2 mm vs 29.0 mm", ["22.2 mm", "29.0 mm"]),
        ("3 (11.5%) vs 1 (3.7%)", ["3", "11.5%", "1", "3.7%"]),
    ],
)
def test_reads_abstract_style_sentences(text: str, expected: list[str]) -> None:
    assert shown(text) == expected


# Sentences of the seed article (ketamine-migraine-article.txt), verbatim.
SEED = [
    (
        "For instance, a case series featured in the December 2016 edition of the Journal of "
        "Headache and Pain reported that six individuals who underwent IV ketamine treatment "
        "experienced temporary reductions in pain severity associated with chronic migraines.",
        ["6"],
    ),
    (
        "These patients usually rate their pain levels between three and ten on the pain scale "
        "upon discharge, in contrast to their pain levels exceeding seven prior to treatment.",
        ["3–10", "exceeding 7"],
    ),
    (
        "Following days of enduring such high pain levels, patients are eager for relief.",
        [],
    ),
    (
        "According to findings in the British Journal of Pharmacology, Current data from "
        "short-term infusions reveal that ketamine elicits potent analgesia solely during its "
        "administration, while three studies on the effects of extended infusion (4–14 days) "
        "demonstrate lasting analgesic effects for up to 3 months post-infusion.",
        ["3 studies", "4–14 days", "up to 3 months"],
    ),
    (
        "Consider, for instance, the retrospective analysis undertaken by Thomas Jefferson "
        "University, as published in Regional Anesthesia & Pain Medicine 2018.",
        [],
    ),
    (
        "Over a span of three years, the study examined sixty-one patients who underwent "
        "five-day intravenous ketamine therapy sessions.",
        ["3 years", "61", "5 days"],
    ),
    (
        "Patients with a pain rating of two were monitored during follow-up visits.",
        ["2"],
    ),
    (
        "Among the sixty-one participants, an impressive forty-eight responded positively to "
        "the treatment, resulting in a 77% success rate, with 40% experiencing sustained relief.",
        ["61", "48", "77%", "40%"],
    ),
    (
        "Intriguingly, research shows that ketamine can provide rapid relief to some patients "
        "within just an hour.",
        ["within 1 h"],
    ),
    (
        "During the American Academy of Pain’s annual meeting in 2016, discussions were "
        "centered around the application of ketamine for migraine headaches, featuring "
        "separate sessions on the topic.",
        [],
    ),
    (
        "Dr. Duren Michael Ready presented findings from his research, highlighting that a "
        "25-milligram dose of ketamine nasal spray notably reduced the severity of migraine aura.",
        ["25 mg"],
    ),
    (
        "Furthermore, his presentation pointed out that doses ranging from 10 to 50 milligrams "
        "were safe for patients experiencing abrupt surges of pain, often referred to as "
        "“breakthrough pain.”",
        ["10–50 mg"],
    ),
    (
        "This study involved seventy-seven patients receiving ketamine treatments, with "
        "sixty-three suffering from chronic migraines and fourteen from recent persistent "
        "headaches daily.",
        ["77", "63", "14"],
    ),
    (
        "In general, around 40% of patients experience sustained pain relief lasting from "
        "thirty to one hundred days following ketamine treatments.",
        ["around 40%", "30–100 days"],
    ),
    (
        "Notably, the vast majority (about 95%) of these beneficiaries were individuals "
        "experiencing chronic migraines.",
        ["about 95%"],
    ),
    (
        "Armed with this knowledge, they can engage in meaningful discussions with their "
        "physicians during the first follow-up appointment, typically scheduled within one to "
        "three months after inpatient treatment.",
        ["within 1–3 months"],
    ),
    (
        "Those who experience migraines know just how painful and serious they are, "
        "characterized by intense pain that can persist for days, disrupting daily life.",
        [],
    ),
    (
        "According to the Migraine Research Foundation, around one in four U.S. households has "
        "a member affected by these debilitating headaches.",
        ["around 1", "4"],
    ),
    (
        "These figures highlight that more than four million individuals endure chronic "
        "migraines on a daily basis.",
        ["more than 4,000,000"],
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), SEED)
def test_reads_the_seed_article(sentence: str, expected: list[str]) -> None:
    assert shown(sentence) == expected


def test_mentions_carry_their_span() -> None:
    text = "Of 78 patients, about 40% (31) responded within 4–14 days; P < .0001."
    spans = [text[m.start : m.end] for m in find_mentions(text)]
    assert spans == ["78 patients", "about 40%", "31", "within 4–14 days", "P < .0001"]
    assert [m.figure.text for m in find_mentions(text)] == spans


def rate_tuples(rates: tuple[Rate, ...]) -> list[tuple[int, int, float | None]]:
    return [(r.count, r.total, r.percent.value if r.percent else None) for r in rates]


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        (
            "Among the sixty-one participants, an impressive forty-eight responded positively "
            "to the treatment, resulting in a 77% success rate, with 40% experiencing "
            "sustained relief.",
            [(48, 61, 77)],
        ),
        ("48 of 61 (77%) responded", [(48, 61, 77)]),
        ("forty-eight of sixty-one (77%)", [(48, 61, 77)]),
        ("Forty-eight (77%) of the 61 patients were immediate responders.", [(48, 61, 77)]),
        ("some (15/77, 27.3%) acute responders", [(15, 77, 27.3)]),
        ("83% (5/6) were women", [(5, 6, 83)]),
        ("48 of 61 patients responded, a 77% success rate.", [(48, 61, 77)]),
        ("Of 78 patients, 43 patients (53%) improved.", [(43, 78, 53)]),
        ("43 patients (53%) improved, out of 78 patients treated.", [(43, 78, 53)]),
        ("78 patients were enrolled; of these, 43 (53%) responded.", [(43, 78, 53)]),
        ("78 patients were enrolled. Of these, 43 (53%) responded.", [(43, 78, 53)]),
        (
            "Of the 77 patients, 55 (71.4%) were acute responders and 15 (19.5%) sustained.",
            [(55, 77, 71.4), (15, 77, 19.5)],
        ),
        ("one in four U.S. households", [(1, 4, None)]),
        ("around 1 in 4 adults", [(1, 4, None)]),
        ("1 of 6 had a hallucination", [(1, 6, None)]),
        ("a target pain of 3/10 or less", [(3, 10, None)]),
        # not rates
        ("In general, around 40% of patients experience sustained pain relief.", []),
        ("Of 6 patients, 83% were women.", []),
        ("1 in 4 households; 40% of them", [(1, 4, None)]),
        ("61 patients; 40% had sustained relief", []),
        ("Over a span of three years, 2 of them", []),
        ("dosing 1/2014 to 12/2016", []),
        ("a 40% reduction in 48 of 61 patients", [(48, 61, None)]),
    ],
)
def test_reads_rates(quote: str, expected: list[tuple[int, int, float | None]]) -> None:
    figures, rates = read_figures(quote)
    assert rate_tuples(rates) == expected
    for rate in rates:  # every part of a rate is also a figure, for figure.present
        values = [f.value for f in figures]
        assert rate.count in values and rate.total in values
        assert rate.percent is None or rate.percent in figures


def test_rate_text_is_the_passage() -> None:
    _, rates = read_figures("Results: 48 of 61 (77%) responded.")
    assert [r.text for r in rates] == ["48 of 61 (77%)"]


def test_find_rates_gives_each_rate_with_its_span() -> None:
    text = "We enrolled 61 patients. Of these, 48 (77%) improved; 3 of 4 (75%) slept."
    mentions = find_rates(text)
    assert [m.rate for m in mentions] == list(read_figures(text)[1])
    assert [text[m.start : m.end] for m in mentions] == [
        "61 patients. Of these, 48 (77%)",
        "3 of 4 (75%)",
    ]


@pytest.mark.parametrize(
    ("value", "counts"),
    [
        ("61", True),
        ("61 patients", True),
        ("forty-eight", True),
        ("about 61", True),
        (0, True),
        ("61.0", False),
        ("61%", False),
        ("60-62", False),
        ("61 mg", False),
        ("61 studies", False),
        (-3, False),
        (2.5, False),
    ],
)
def test_is_count(value: object, counts: bool) -> None:
    assert is_count(parse_figure(value)) is counts


def test_read_figures_keeps_every_figure_in_order() -> None:
    figures, _ = read_figures("In three years, 48 of 61 (77%) responded; 40% sustained.")
    assert [describe(f) for f in figures] == ["3 years", "48", "61", "77%", "40%"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (61, ("61", 61, None, 0, False, "", EXACT)),
        (27.3, ("27.3", 27.3, None, 1, False, "", EXACT)),
        (0.0001, ("0.0001", 0.0001, None, 4, False, "", EXACT)),
        ("77%", ("77%", 77, None, 0, True, "%", EXACT)),
        ("4-14 days", ("4-14 days", 4, 14, 0, False, "days", EXACT)),
        ("25 mg", ("25 mg", 25, None, 0, False, "mg", EXACT)),
        ("about 40%", ("about 40%", 40, None, 0, True, "%", ABOUT)),
        ("more than 4 million", ("more than 4 million", 4e6, None, 0, False, "", ABOVE)),
        ("within an hour", ("within an hour", 1, None, 0, False, "h", BELOW)),
        ("sixty-one", ("sixty-one", 61, None, 0, False, "", EXACT)),
        ("one", ("one", 1, None, 0, False, "", EXACT)),
        ("2016", ("2016", 2016, None, 0, False, "", EXACT)),
        (" 77% ", ("77%", 77, None, 0, True, "%", EXACT)),
        ("40% of patients", ("40%", 40, None, 0, True, "%", EXACT)),
    ],
)
def test_parse_figure(value: object, expected: tuple[object, ...]) -> None:
    fig = parse_figure(value)
    got = (fig.text, fig.value, fig.upper, fig.decimals, fig.percent, fig.unit, fig.hedge)
    assert got == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "'lots' is not a figure: it states no number"),
        ("", "'' is not a figure: it states no number"),
        ("48/61", "'48/61' is a rate, not one figure"),
        ("48 of 61", "'48 of 61' is a rate, not one figure"),
        ("77% and 40%", "'77% and 40%' holds 2 figures ('77%', '40%')"),
        (True, "True is not a figure"),
        (None, "None is not a figure"),
        ([77], "[77] is not a figure"),
        (float("nan"), "nan is not a figure: give a finite number"),
    ],
)
def test_parse_figure_rejects(value: object, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_figure(value)


@pytest.mark.parametrize(
    ("text", "step"),
    [("77%", 1), ("27.3%", 0.1), ("4.56 days", 0.01), ("four million", 1e6), ("4.5 million", 1e5)],
)
def test_precision_step(text: str, step: float) -> None:
    assert float(precision_step(parse_figure(text))) == step


ABSTRACT = (
    "Ketamine for Refractory Headache: A Retrospective Analysis.\n"
    "METHODS: Dr. Smith et al. reviewed 61 patients, i.e. all admitted. RESULTS: "
    "Forty-eight (77%) of the 61 patients were immediate responders.  Maximum improvement "
    "occurred at a mean of 4.56 days.\n\nCONCLUSIONS: More work is needed."
)


@pytest.mark.parametrize(
    ("needle", "sentence"),
    [
        ("Ketamine", "Ketamine for Refractory Headache: A Retrospective Analysis."),
        ("61 patients,", "METHODS: Dr. Smith et al. reviewed 61 patients, i.e. all admitted."),
        ("77%", "RESULTS: Forty-eight (77%) of the 61 patients were immediate responders."),
        ("4.56", "Maximum improvement occurred at a mean of 4.56 days."),
        ("More work", "CONCLUSIONS: More work is needed."),
    ],
)
def test_sentence_around(needle: str, sentence: str) -> None:
    start = ABSTRACT.index(needle)
    assert sentence_around(ABSTRACT, start, start + len(needle)) == sentence


def test_sentence_around_joins_a_span_across_sentences() -> None:
    text = "One. Two three. Four."
    assert sentence_around(text, 0, text.index("three")) == "One. Two three."


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("nearly 80%", "nearly 80%"),
        ("more than four million individuals", "more than 4,000,000"),
        ("10,921 people", "10,921"),
        ("P < .0001", "P < 0.0001"),
        ("4–14 days", "4–14 days"),
        ("3-fold", "3-fold"),
    ],
)
def test_describe(text: str, label: str) -> None:
    assert describe(only(text)) == label


PIECES = st.sampled_from(
    [
        *"0123456789 ,.·-–/%()<>~±abefhgimnorstuy\n",
        "one",
        " in ",
        " of ",
        "forty-",
        "hundred",
        " and ",
        " to ",
        "between ",
        "mg/kg/h",
        " days",
        "P < ",
        "about ",
        "2016",
        " patients",
    ]
)


@given(st.lists(PIECES, max_size=40).map("".join))
def test_any_text_reads_without_crashing(text: str) -> None:
    mentions = find_mentions(text)
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.figure.text
    figures, rates = read_figures(text)
    assert len(figures) == len(mentions)
    for rate in rates:
        assert rate.count in [f.value for f in figures]
