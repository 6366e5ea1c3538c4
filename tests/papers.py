"""PubMed records of the seed papers, built from /work/shared/design/SOURCES.md §A.

Titles, journals, authors, dates and identifiers are as SOURCES.md gives them. Abstracts are
paraphrases that state the numbers SOURCES.md lists (the real abstracts are not reproduced).
PMIDs 9000xxxx are stand-ins: 90000106 for Lauritsen 2016 (PMID not retrieved), 90000203 for
Etchison 2018 (PMID not retrieved), and 900003xx for invented decoys that exist only to give
the resolver something wrong to refuse.
"""

from __future__ import annotations

from factcheck.models import Author, Paper, PubDate

JEFFERSON = "Department of Anesthesiology, Thomas Jefferson University, Philadelphia, PA, USA."
JEFFERSON_HEADACHE = (
    "Jefferson Headache Center, Thomas Jefferson University, Philadelphia, PA, USA."
)


def _authors(*names: str, affiliation: str = "") -> tuple[Author, ...]:
    """Authors from "Last II" strings; the first author gets `affiliation`."""
    authors = []
    for index, name in enumerate(names):
        last, _, initials = name.rpartition(" ")
        where = (affiliation,) if affiliation and index == 0 else ()
        authors.append(Author(last, initials, affiliations=where))
    return tuple(authors)


SCHWENK_2018 = Paper(
    pmid="29923953",
    title="Ketamine for Refractory Headache: A Retrospective Analysis.",
    abstract=(
        "BACKGROUND AND OBJECTIVES: Ketamine infusions are increasingly used for refractory "
        "headache. METHODS: We reviewed the records of patients admitted over 3 years for "
        "5 days of intravenous therapy that included a continuous ketamine infusion, with two "
        "follow-up office visits. An immediate responder improved by at least 2 points on the "
        "numeric rating scale from the start to the final in-hospital pain score. RESULTS: "
        "Sixty-one patients were included. Forty-eight (77%) of the 61 patients were immediate "
        "responders, with no difference in demographics, opioid use or fibromyalgia. Maximum "
        "improvement came at a mean of 4.56 days. A sustained response was present in 40% of "
        "patients at the first office visit (mean 38.1 days) and 39% at the second (mean "
        "101.3 days). The mean maximum ketamine rate was 65.2 ± 2.8 mg/h (0.76 mg/kg/h). "
        "Adverse events were mild and equal in both groups. CONCLUSIONS: Ketamine may provide "
        "short-term analgesia for many patients with refractory headache; a prospective study "
        "is needed."
    ),
    doi="10.1097/AAP.0000000000000827",
    journal_title="Regional anesthesia and pain medicine",
    journal_iso="Reg Anesth Pain Med",
    journal_medline_ta="Reg Anesth Pain Med",
    issns=("1532-8651", "1098-7339"),
    print_date=PubDate(2018, 11, text="2018 Nov"),
    electronic_date=PubDate(2018, 6, 19),
    volume="43",
    issue="8",
    pages="875-879",
    authors=_authors(
        "Schwenk ES",
        "Dayan AC",
        "Rangavajjula A",
        "Torjman MC",
        "Hernandez MG",
        "Lauritsen CG",
        "Silberstein SD",
        "Young WB",
        "Viscusi ER",
        affiliation=JEFFERSON,
    ),
    publication_types=("Journal Article",),
)

POMEROY_2017 = Paper(
    pmid="28025837",
    title="Ketamine Infusions for Treatment Refractory Headache.",
    abstract=(
        "OBJECTIVE: To describe the outcomes of intravenous subanesthetic ketamine infusions in "
        "patients with chronic migraine (CM) or new daily persistent headache (NDPH) refractory "
        "to aggressive treatment. METHODS: Retrospective review of the records of patients "
        "treated between January 2006 and December 2014. RESULTS: 77 patients with CM or NDPH "
        "were treated. Mean pain fell from 7.1 at admission to 3.8 at discharge (P < .0001). "
        "55/77 (71.4%) were acute responders, improving by at least 2 points by discharge. "
        "Some (15/77, 27.3%) acute responders kept a sustained benefit at the follow-up office "
        "visit, which was not statistically significant. The mean infusion lasted 4.8 days. "
        "Adverse events were observed, very few of them serious. CONCLUSIONS: Subanesthetic "
        "ketamine infusions may be beneficial for patients with refractory CM or NDPH who have "
        "failed other aggressive treatments."
    ),
    doi="10.1111/head.13013",
    journal_title="Headache",
    journal_iso="Headache",
    journal_medline_ta="Headache",
    issns=("0017-8748", "1526-4610"),
    print_date=PubDate(2017, 2, text="2017 Feb"),
    electronic_date=PubDate(2016, 12, 27),
    volume="57",
    issue="2",
    pages="276-282",
    authors=_authors(
        "Pomeroy JL", "Marmura MJ", "Nahas SJ", "Viscusi ER", affiliation=JEFFERSON_HEADACHE
    ),
    publication_types=("Journal Article",),
)

THINK_2019 = Paper(
    pmid="30910061",
    title=(
        "The THINK (Treatment of Headache with Intranasal Ketamine) Trial: A Randomized "
        "Controlled Trial Comparing Intranasal Ketamine with Intravenous Metoclopramide."
    ),
    abstract=(
        "BACKGROUND: Headache is a common reason for emergency department visits. OBJECTIVE: "
        "To compare intranasal ketamine with intravenous metoclopramide for primary headache. "
        "METHODS: Randomized controlled trial of 53 adults: 26 received intravenous "
        "metoclopramide with diphenhydramine and 27 received intranasal ketamine. RESULTS: The "
        "mean pain score fell by 22.2 mm and 29.0 mm at 30 minutes, a difference of 6.8 mm "
        "(95% confidence interval -5.8 to 19.4). Side effects occurred in 65.4% and 66.7%. "
        "Admissions were 3 (11.5%) and 1 (3.7%); returns within 48-72 hours 3 (11.5%) and 0. "
        "CONCLUSIONS: Intranasal ketamine was not superior to intravenous metoclopramide."
    ),
    doi="10.1016/j.jemermed.2018.12.007",
    journal_title="The Journal of emergency medicine",
    journal_iso="J Emerg Med",
    journal_medline_ta="J Emerg Med",
    print_date=PubDate(2019, 3, text="2019 Mar"),
    volume="56",
    issue="3",
    pages="248-257.e1",
    authors=_authors(
        "Benish T", "Villalobos D", "Love S", "Casmaer M", "Hunter CJ", "Summers SM", "April MD"
    ),
    publication_types=("Journal Article", "Randomized Controlled Trial"),
)

NIESTERS_2014 = Paper(
    pmid="23432384",
    title="Ketamine for chronic pain: risks and benefits.",
    abstract=(
        "Ketamine, an NMDA receptor antagonist, is used to treat chronic pain. Current data on "
        "short-term infusions show potent analgesia only while ketamine is being given. Three "
        "studies of prolonged infusion lasting 4-14 days showed analgesic effects lasting up "
        "to 3 months after the infusion. Side effects include psychedelic symptoms, nausea and "
        "vomiting, somnolence, cardiovascular stimulation and, in a minority of patients, "
        "hepatotoxicity; recreational use adds bladder and renal toxicity. We advise that "
        "ketamine be restricted to therapy-resistant severe neuropathic pain."
    ),
    doi="10.1111/bcp.12094",
    pmcid="PMC4014022",
    journal_title="British journal of clinical pharmacology",
    journal_iso="Br J Clin Pharmacol",
    journal_medline_ta="Br J Clin Pharmacol",
    issns=("0306-5251", "1365-2125"),
    print_date=PubDate(2014, 2, text="2014 Feb"),
    electronic_date=PubDate(2014, 1, 22),
    volume="77",
    issue="2",
    pages="357-67",
    authors=_authors("Niesters M", "Martini C", "Dahan A"),
    publication_types=("Journal Article", "Review"),
)

LAURITSEN_2016 = Paper(
    pmid="90000106",  # stand-in: SOURCES.md A1 found no PMID
    title=(
        "Intravenous ketamine for subacute treatment of refractory chronic migraine: a case series."
    ),
    abstract=(
        "BACKGROUND: Few treatments help refractory chronic migraine. METHODS: A retrospective "
        "chart review of 6 patients with refractory migraine admitted between 2010 and 2014 for "
        "intravenous ketamine, started at 0.1 mg/kg/h and raised by 0.1 mg/kg/h every 3-4 h "
        "until pain was 3/10 or less for at least 8 h. Patients were followed up by phone "
        "3-6 months later. RESULTS: Median age was 36.5 years (range 29-54); 83% were women. "
        "Pain before treatment was 9 to 10. All 6 patients reached the target for 8 h, at a "
        "mean infusion rate of 0.34 mg/kg/h (range 0.12-0.42). One patient had a transient "
        "out-of-body hallucination that resolved when the rate was lowered. CONCLUSIONS: "
        "Ketamine gave short-term improvement in pain severity in 6 of 6 patients; "
        "placebo-controlled trials are needed."
    ),
    doi="10.1186/s10194-016-0700-3",
    journal_title="The journal of headache and pain",
    journal_iso="J Headache Pain",
    journal_medline_ta="J Headache Pain",
    issns=("1129-2369", "1129-2377"),
    print_date=PubDate(2016, 12, text="2016 Dec"),
    electronic_date=PubDate(2016, 11),
    volume="17",
    issue="1",
    pages="106",
    authors=_authors(
        "Lauritsen C", "Mazuera S", "Lipton RB", "Ashina S", affiliation=JEFFERSON_HEADACHE
    ),
    publication_types=("Case Reports", "Journal Article"),
)

AFRIDI_2013 = Paper(
    pmid="23365053",
    title="A randomized controlled trial of intranasal ketamine in migraine with prolonged aura.",
    abstract=(
        "OBJECTIVE: To test whether intranasal ketamine reduces the severity and duration of "
        "migraine aura. METHODS: Double-blind, randomized, parallel-group comparison of 25 mg "
        "intranasal ketamine with 2 mg intranasal midazolam as an active control. 30 "
        "migraineurs with prolonged aura were randomized and each recorded 3 episodes; 18 "
        "completed. RESULTS: Ketamine reduced the severity of aura (p = 0.032) but not its "
        "duration; midazolam had no effect. CLASSIFICATION OF EVIDENCE: Class III."
    ),
    doi="10.1212/WNL.0b013e3182824e66",
    journal_title="Neurology",
    journal_iso="Neurology",
    journal_medline_ta="Neurology",
    print_date=PubDate(2013, 2, 12),
    electronic_date=PubDate(2013, 1, 30),
    volume="80",
    issue="7",
    pages="642-7",
    authors=_authors(
        "Afridi SK",
        "Giffin NJ",
        "Kaube H",
        "Goadsby PJ",
        affiliation="Headache Group, Department of Neurology, University of California, San "
        "Francisco, CA, USA.",
    ),
    publication_types=("Journal Article", "Randomized Controlled Trial"),
)

KAUBE_2000 = Paper(
    pmid="10891926",
    title="Aura in some patients with familial hemiplegic migraine can be stopped by "
    "intranasal ketamine.",
    abstract=(
        "In an open-label study, 11 patients with familial hemiplegic migraine received 25 mg "
        "intranasal ketamine during aura. 5 of the 11 had a reproducible shortening and easing "
        "of their deficits; 6 did not respond."
    ),
    doi="10.1212/WNL.55.1.139",
    journal_title="Neurology",
    journal_iso="Neurology",
    journal_medline_ta="Neurology",
    print_date=PubDate(2000, 7, 12),
    volume="55",
    issue="1",
    pages="139-41",
    authors=_authors("Kaube H", "Herzog J", "Käufer T", "Dichgans M", "Diener HC"),
    publication_types=("Journal Article",),
)

ETCHISON_2018 = Paper(
    pmid="90000203",  # stand-in: SOURCES.md A6 did not retrieve the PMID
    title=(
        "Low-dose Ketamine Does Not Improve Migraine in the Emergency Department: "
        "A Randomized Placebo-controlled Trial."
    ),
    abstract=(
        "Adults with migraine in the emergency department received 0.2 mg/kg intravenous "
        "ketamine (16) or saline (18). The median pain drop at 30 minutes was 1.0 and 2.0 "
        "(p = 0.5035); ketamine caused more discomfort and fatigue."
    ),
    doi="10.5811/westjem.2018.8.37875",
    pmcid="PMC6225951",
    journal_title="The western journal of emergency medicine",
    journal_iso="West J Emerg Med",
    journal_medline_ta="West J Emerg Med",
    print_date=PubDate(2018, 10, text="2018 Oct"),
    volume="19",
    issue="6",
    pages="952",
    authors=_authors(
        "Etchison AR",
        "Bos L",
        "Ray M",
        "McAllister KB",
        "Mohammed M",
        "Park B",
        "Phan AV",
        "Heitz C",
    ),
    publication_types=("Journal Article", "Randomized Controlled Trial"),
)

# --- invented decoys (not real papers) ------------------------------------------------------

DECOY_RAPM_2018 = Paper(
    pmid="90000301",
    title="Ketamine infusions for complex regional pain syndrome: a retrospective review.",
    abstract=(
        "We reviewed 35 patients with complex regional pain syndrome given intravenous "
        "ketamine infusions over 4 years; 60% reported relief at 1 month."
    ),
    journal_title="Regional anesthesia and pain medicine",
    journal_iso="Reg Anesth Pain Med",
    journal_medline_ta="Reg Anesth Pain Med",
    print_date=PubDate(2018, 5, text="2018 May"),
    authors=_authors("Decoy A", affiliation="Department of Anesthesiology, Example University."),
)

DECOY_JHP_2016 = Paper(
    pmid="90000302",
    title="Onabotulinumtoxin A in chronic migraine: a one-year audit.",
    abstract=(
        "We audited 112 patients with chronic migraine treated with onabotulinumtoxin A; "
        "headache days fell by 42% after 12 months."
    ),
    journal_title="The journal of headache and pain",
    journal_iso="J Headache Pain",
    journal_medline_ta="J Headache Pain",
    print_date=PubDate(2016, 12, text="2016 Dec"),
    authors=_authors("Decoy B"),
)

DECOY_BJP_2015 = Paper(
    pmid="90000303",
    title="Ketamine metabolites at the NMDA receptor in rat spinal cord.",
    abstract=(
        "Ketamine and its metabolites were infused in 24 rats; analgesic potency was measured "
        "over 6 hours."
    ),
    journal_title="British journal of pharmacology",
    journal_iso="Br J Pharmacol",
    journal_medline_ta="Br J Pharmacol",
    print_date=PubDate(2015, 3, text="2015 Mar"),
    authors=_authors("Decoy C"),
)

SEED_PAPERS = (
    SCHWENK_2018,
    POMEROY_2017,
    THINK_2019,
    NIESTERS_2014,
    LAURITSEN_2016,
    AFRIDI_2013,
    KAUBE_2000,
    ETCHISON_2018,
)
DECOYS = (DECOY_RAPM_2018, DECOY_JHP_2016, DECOY_BJP_2015)
CORPUS = SEED_PAPERS + DECOYS
