"""Journal names: normalising, equivalence, near misses, search forms."""

from __future__ import annotations

import pytest
from papers import (
    AFRIDI_2013,
    ETCHISON_2018,
    LAURITSEN_2016,
    NIESTERS_2014,
    POMEROY_2017,
    SCHWENK_2018,
    THINK_2019,
)

from factcheck.journals import (
    journal_forms,
    long_journal,
    normalise_journal,
    same_journal,
    search_forms,
    short_journal,
)
from factcheck.models import Paper


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Regional Anesthesia & Pain Medicine", "regional anesthesia and pain medicine"),
        ("The Journal of Headache and Pain", "journal of headache and pain"),
        ("J. Emerg. Med.", "j emerg med"),
        ("Lancet (London, England)", "lancet"),
        ("BMJ (Clinical research ed.)", "bmj"),
        (
            "Headache: The Journal of Head and Face Pain",
            "headache the journal of head and face pain",
        ),
        ("Neuro-Oncology", "neuro oncology"),
        ("Revista Española de Cardiología", "revista espanola de cardiologia"),
        ("  Women's   Health ", "womens health"),
        ("“Pain”", "pain"),
        ("The", "the"),
    ],
)
def test_normalise_journal(name: str, normalised: str) -> None:
    assert normalise_journal(name) == normalised


def _journal(title: str, iso: str = "", ta: str = "") -> Paper:
    return Paper("1", "A title.", journal_title=title, journal_iso=iso, journal_medline_ta=ta)


ANNALS_SURG_ONCOL = _journal("Annals of surgical oncology", "Ann Surg Oncol", "Ann Surg Oncol")
BR_J_PHARMACOL = _journal("British journal of pharmacology", "Br J Pharmacol", "Br J Pharmacol")


@pytest.mark.parametrize(
    ("cited", "paper"),
    [
        # the seed journals, as an article or a reference list may write them
        ("Regional Anesthesia & Pain Medicine", SCHWENK_2018),
        ("Regional anesthesia and pain medicine", SCHWENK_2018),
        ("Reg Anesth Pain Med", SCHWENK_2018),
        ("Reg. Anesth. Pain Med.", SCHWENK_2018),
        ("RAPM", SCHWENK_2018),
        ("Headache", POMEROY_2017),
        ("Headache: The Journal of Head and Face Pain", POMEROY_2017),
        ("The Journal of Headache and Pain", LAURITSEN_2016),
        ("Journal of Headache and Pain", LAURITSEN_2016),
        ("J Headache Pain", LAURITSEN_2016),
        ("British Journal of Clinical Pharmacology", NIESTERS_2014),
        ("Br J Clin Pharmacol", NIESTERS_2014),
        ("Journal of Emergency Medicine", THINK_2019),
        ("The Journal of Emergency Medicine", THINK_2019),
        ("J Emerg Med", THINK_2019),
        ("Western Journal of Emergency Medicine", ETCHISON_2018),
        ("West J Emerg Med", ETCHISON_2018),
        ("Neurology", AFRIDI_2013),
        ("British Journal of Pharmacology", BR_J_PHARMACOL),
        # not in the alias table: equal after normalising, or through the strict rule
        ("Annals of Surgical Oncology", ANNALS_SURG_ONCOL),
        ("Ann. Surg. Oncol.", ANNALS_SURG_ONCOL),
        ("Annals Surg Oncology", ANNALS_SURG_ONCOL),
    ],
)
def test_same_journal(cited: str, paper: Paper) -> None:
    assert same_journal(cited, paper)


@pytest.mark.parametrize(
    ("cited", "paper"),
    [
        ("British Journal of Pharmacology", NIESTERS_2014),
        ("Br J Pharmacol", NIESTERS_2014),
        ("British Journal of Clinical Pharmacology", BR_J_PHARMACOL),
        ("Annals of Oncology", ANNALS_SURG_ONCOL),
        ("Ann Oncol", ANNALS_SURG_ONCOL),
        ("Journal of Emergency Medicine", ETCHISON_2018),
        ("Journal of Emergency Medicine", POMEROY_2017),
        ("Annals of Emergency Medicine", THINK_2019),
        ("Western Journal of Emergency Medicine", THINK_2019),
        ("Headache", LAURITSEN_2016),
        ("Journal of Headache and Pain", POMEROY_2017),
        ("Pain Medicine", SCHWENK_2018),
        ("Neuro", AFRIDI_2013),
        ("", AFRIDI_2013),
    ],
)
def test_near_misses_are_different_journals(cited: str, paper: Paper) -> None:
    assert not same_journal(cited, paper)


def test_journal_forms_include_nlm_names_and_alias_row() -> None:
    forms = journal_forms(SCHWENK_2018)
    assert {"regional anesthesia and pain medicine", "reg anesth pain med", "rapm"} <= forms
    assert "headache" in journal_forms(POMEROY_2017)
    assert "headache the journal of head and face pain" in journal_forms(POMEROY_2017)


@pytest.mark.parametrize(
    ("cited", "forms"),
    [
        ("Regional Anesthesia & Pain Medicine", ["Reg Anesth Pain Med"]),
        ("British Journal of Pharmacology", ["Br J Pharmacol"]),
        ("Journal of Headache and Pain", ["J Headache Pain"]),
        ("The Journal of Emergency Medicine", ["J Emerg Med"]),
        ("Cephalalgia", ["cephalalgia"]),
        ("Pain: Clinical Updates", ["pain clinical updates", "pain"]),
    ],
)
def test_search_forms(cited: str, forms: list[str]) -> None:
    assert search_forms(cited) == forms


def test_short_and_long_names_for_messages() -> None:
    assert short_journal(NIESTERS_2014) == "Br J Clin Pharmacol"
    assert long_journal(NIESTERS_2014) == "British Journal of Clinical Pharmacology"
    dotted = _journal("Cephalalgia : an international journal of headache", "Cephalalgia.")
    assert short_journal(dotted) == "Cephalalgia"
    assert long_journal(dotted) == "Cephalalgia : an international journal of headache"
