"""The shipped definitions' rules that change over time: CFP® CE reporting periods (CE2, CE4),
FINRA registrations that keep a pass alive (F1, F2, F6, F12), Accelerated Path currency on
the day of the exam (E9, E14) and CFA membership per member year (C9, C11).

Each case names the fact-sheet rule or edge case it checks. Boundary dates are included: a
reporting period ending on 29 February, a course on a period's last day, a registration
ending on the day a pass would lapse.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_shipped_definitions import (
    CREDENTIALS_DIR,
    attest,
    ce,
    cfa_candidate,
    cfa_exams,
    cfa_membership,
    cfp_candidate,
    check,
    course,
    exam,
    find,
    held,
    job,
)

from tracker.requirements_engine import evaluate, load_directory

CATALOG = load_directory(CREDENTIALS_DIR)


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    return CATALOG


# --- CFP® continuing education: 2-year reporting periods ---------------------------------

# Certified 2018-02-10: the first period ends on the last day of the month holding
# 2020-02-09, i.e. on 29 February 2020; the next runs 2020-03-01 to 2022-02-28.
LEAP_CERTIFIED = [held("cfp", "2018-02-10")]
# Certified 2020-06-15: periods 2020-06-15..2022-06-30, 2022-07-01..2024-06-30,
# 2024-07-01..2026-06-30.
CERTIFIED = [held("cfp", "2020-06-15")]


def without_pathway(records: dict[str, Any]) -> dict[str, Any]:
    """CFP records for a definition without pathways (cfp-ce evaluates cfp on its default)."""
    return {key: value for key, value in records.items() if key != "pathway"}


def period(start: str, end: str) -> dict[str, Any]:
    return {"cycle": {"start": start, "end": end}, "due": end}


CE_CASES = [
    pytest.param(
        {
            "credentials": LEAP_CERTIFIED,
            "courses": [ce("ce-1", "2020-02-29", 28), ce("ce-eth", "2019-05-01", 2, ethics=True)],
        },
        "2020-02-29",
        {
            None: {"status": "met", "met_on": "2020-02-29"},
            "ce-hours": {"status": "met", **period("2018-02-10", "2020-02-29")},
            "ethics-ce": {"status": "met", **period("2018-02-10", "2020-02-29")},
        },
        id="CE2-period-ends-on-29-february-and-its-last-day-counts",
    ),
    pytest.param(
        {
            "credentials": LEAP_CERTIFIED,
            "courses": [ce("ce-1", "2020-02-29", 28), ce("ce-eth", "2019-05-01", 2, ethics=True)],
        },
        "2020-03-01",
        {
            None: {"status_not": "met"},
            "ce-hours": {
                "status": "not_started",
                "progress": 0.0,
                "excluded": {("ce-1", "outside_window"), ("ce-eth", "outside_window")},
                **period("2020-03-01", "2022-02-28"),
            },
            "ethics-ce": {"status": "not_started", "excluded": {("ce-eth", "outside_window")}},
        },
        id="CE4-the-last-day-of-a-period-does-not-count-in-the-next",
    ),
    pytest.param(
        {
            "credentials": LEAP_CERTIFIED,
            "courses": [ce("ce-1", "2020-03-01", 28), ce("ce-eth", "2021-05-01", 2, ethics=True)],
        },
        "2022-02-28",
        {
            None: {"status": "met", "met_on": "2021-05-01"},
            "ce-hours": {"status": "met", "evidence": {"ce-1", "ce-eth"}},
        },
        id="CE2-the-first-day-of-a-period-counts-in-it",
    ),
    pytest.param(
        {
            "credentials": LEAP_CERTIFIED,
            "courses": [ce("ce-1", "2020-03-01", 28), ce("ce-eth", "2021-05-01", 2, ethics=True)],
        },
        "2020-02-29",
        {"ce-hours": {"status": "not_started", "excluded": {("ce-1", "future")}}},
        id="CE2-a-course-of-the-next-period-is-not-counted-early",
    ),
    pytest.param(
        {
            "credentials": CERTIFIED,
            "courses": [
                ce("ce-before", "2022-06-30", 20),
                ce("ce-1", "2022-07-01", 14),
                ce("ce-2", "2024-06-30", 14),
                ce("ce-eth", "2023-03-01", 2, ethics=True),
            ],
        },
        "2024-06-30",
        {
            None: {"status": "met", "met_on": "2024-06-30"},
            "ce-hours": {
                "status": "met",
                "evidence": {"ce-1", "ce-2", "ce-eth"},
                "excluded": {("ce-before", "outside_window")},
                **period("2022-07-01", "2024-06-30"),
            },
        },
        id="CE2-second-period-counts-its-own-days-only",
    ),
    pytest.param(
        {
            "credentials": CERTIFIED,
            "courses": [ce("ce-1", "2021-01-10", 40), ce("ce-eth", "2021-02-01", 3, ethics=True)],
        },
        "2022-08-01",
        {
            None: {"status_not": "met"},
            "ce-hours": {
                "status": "not_started",
                "progress": 0.0,
                "excluded": {("ce-1", "outside_window")},
                **period("2022-07-01", "2024-06-30"),
            },
            "ethics-ce": {"status": "not_started"},
        },
        id="CE2-CFP-15-no-carry-over-of-extra-hours",
    ),
    pytest.param(
        {"courses": [ce("ce-1", "2025-01-01", 28), ce("ce-eth", "2025-06-01", 2, ethics=True)]},
        "2025-12-31",
        {
            None: {"status_not": "met"},
            "certified": {"status": "not_started"},
            "ce-hours": {"status": "not_started", "cycle": None},
        },
        id="CE2-no-period-before-certification",
    ),
    pytest.param(
        # Certified through the candidate's own CFP records: the period starts when cfp.yaml
        # is met (here on 2023-04-01, the last ethics attestation).
        without_pathway(
            cfp_candidate(
                courses=[
                    *cfp_candidate()["courses"],
                    ce("ce-1", "2024-01-10", 28),
                    ce("ce-eth", "2024-02-01", 2, ethics=True),
                ]
            )
        ),
        "2025-03-31",
        {
            "certified": {"status": "met", "met_on": "2023-04-01"},
            "ce-hours": {"status": "met", **period("2023-04-01", "2025-03-31")},
        },
        id="CE2-first-period-from-certification-by-records",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CE_CASES)
def test_cfp_ce_periods(catalog: dict, records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "cfp-ce", records, as_of, expected)


def periods(certified_on: date, until: date) -> list[tuple[date, date]]:
    """The reporting periods from `certified_on` to the one holding `until`, as the shipped
    definition reports them."""
    found = []
    day = certified_on
    while day <= until:
        result = evaluate(CATALOG["cfp-ce"], {"credentials": [held("cfp", str(certified_on))]}, day)
        cycle = find(result, "ce-hours")["cycle"]
        start, end = date.fromisoformat(cycle["start"]), date.fromisoformat(cycle["end"])
        found.append((start, end))
        day = end + timedelta(days=1)
    return found


@settings(max_examples=40, deadline=None)
@given(
    certified_on=st.dates(date(2015, 1, 1), date(2024, 12, 31)),
    offsets=st.lists(st.integers(0, 365 * 7), min_size=1, max_size=12),
)
def test_cfp_ce_no_day_counts_in_two_periods(certified_on: date, offsets: list[int]) -> None:
    """CE2/CE4: evaluated on the last day of each period, every course completed on or after
    the certification counts in exactly one period; periods follow each other without gaps
    or overlaps and each ends on a month's last day."""
    days = [certified_on + timedelta(days=n) for n in offsets]
    courses = [ce(f"c{i}", str(day), 1) for i, day in enumerate(days)]
    records = {"credentials": [held("cfp", str(certified_on))], "courses": courses}
    spans = periods(certified_on, max(days))
    assert spans[0][0] == certified_on
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start == end + timedelta(days=1)
    counted: dict[str, int] = {}
    for _, end in spans:
        assert (end + timedelta(days=1)).day == 1
        node = find(evaluate(CATALOG["cfp-ce"], records, end), "ce-hours")
        for record_id in node["evidence"]:
            counted[record_id] = counted.get(record_id, 0) + 1
    assert counted == {item["id"]: 1 for item in courses}


# --- FINRA: registrations keep the passes alive ------------------------------------------


def registration(id_: str, start: str, end: str | None) -> dict[str, Any]:
    return {"id": id_, "kind": "finra", "start": start, "end": end}


def rep(*registrations: dict[str, Any], exams: list | None = None) -> dict[str, Any]:
    """A representative who passed the SIE, the Series 7 and the Series 63 in 2019."""
    passes = [
        exam("e-sie", "SIE", "2019-01-15"),
        exam("e-s7", "S7", "2019-03-01"),
        exam("e-s63", "S63", "2019-04-01"),
    ]
    return {"exams": passes if exams is None else exams, "registrations": list(registrations)}


FINRA_CASES = [
    pytest.param(
        rep(registration("u4", "2019-03-01", None)),
        "2026-11-01",
        {
            None: {"status": "met", "met_on": "2019-04-01"},
            "sie": {"status": "met", "evidence": {"e-sie", "u4"}},
            "series-7": {"status": "met"},
            "series-63": {"status": "met"},
        },
        id="F1-F12-continuously-registered-rep-keeps-the-sie-past-4-years",
    ),
    pytest.param(
        rep(),
        "2022-06-01",
        {
            None: {"status_not": "met"},
            "sie": {"status": "met"},
            "series-7": {"status": "expired", "excluded": {("e-s7", "lapsed")}},
        },
        id="F6-never-registered-series-7-lapses-2-years-after-the-pass",
    ),
    pytest.param(
        rep(),
        "2023-01-15",
        {"sie": {"status": "expired", "excluded": {("e-sie", "lapsed")}}},
        id="F1-never-registered-sie-lapses-on-its-4th-anniversary",
    ),
    pytest.param(
        # FINRA-2: terminated 2023-01-10; the Series 7 is valid up to 2025-01-09.
        rep(registration("u4", "2019-03-01", "2023-01-10")),
        "2025-01-09",
        {None: {"status": "met"}, "series-7": {"status": "met"}},
        id="F6-series-7-valid-on-the-last-day-of-the-2-years",
    ),
    pytest.param(
        rep(registration("u4", "2019-03-01", "2023-01-10")),
        "2025-01-10",
        {
            None: {"status_not": "met"},
            "series-7": {"status": "expired", "excluded": {("e-s7", "lapsed")}},
            "series-63": {"status": "expired"},
            # The SIE runs 4 years from the end of the registration: to 2027-01-09.
            "sie": {"status": "met"},
        },
        id="F6-series-7-lapses-2-years-after-the-registration-ends",
    ),
    pytest.param(
        # FINRA-2: re-registering after the 2 years does not revive the qualification.
        rep(
            registration("u4", "2019-03-01", "2023-01-10"), registration("u4b", "2025-03-01", None)
        ),
        "2025-06-01",
        {"series-7": {"status": "expired"}, "sie": {"status": "met"}},
        id="FINRA-2-re-registration-after-2-years-must-requalify",
    ),
    pytest.param(
        rep(registration("u4", "2019-03-01", "2023-01-10")),
        "2027-01-10",
        {"sie": {"status": "expired", "excluded": {("e-sie", "lapsed")}}},
        id="F2-sie-lapses-4-years-after-leaving",
    ),
    pytest.param(
        # The SIE alone, passed 2021-05-01, would lapse on 2025-05-01; a registration that
        # ends on that very day still extends it, to 2029-05-01.
        {
            "exams": [exam("e-sie", "SIE", "2021-05-01")],
            "registrations": [registration("u4", "2022-01-01", "2025-05-01")],
        },
        "2029-04-30",
        {"sie": {"status": "met", "evidence": {"e-sie", "u4"}}},
        id="F12-registration-ending-the-day-the-pass-would-lapse-extends-it",
    ),
    pytest.param(
        {
            "exams": [exam("e-sie", "SIE", "2021-05-01")],
            "registrations": [registration("u4", "2025-05-01", None)],
        },
        "2026-01-01",
        {"sie": {"status": "expired", "excluded": {("e-sie", "lapsed")}}},
        id="F1-registration-starting-the-day-the-pass-lapses-is-too-late",
    ),
    pytest.param(
        {
            "exams": [exam("e-sie", "SIE", "2021-05-01")],
            "registrations": [registration("u4", "2025-04-30", None)],
        },
        "2031-01-01",
        {"sie": {"status": "met"}},
        id="F12-registration-starting-on-the-last-valid-day-keeps-the-sie",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), FINRA_CASES)
def test_finra_registrations(catalog: dict, records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "finra-rep", records, as_of, expected)


# --- CFP® Accelerated Path: current on the day of the exam ------------------------------

CAPSTONE = [course("c-capstone", "cfp-registered", ["capstone"], "2023-01-15")]  # exam 2023-03-15

ACCELERATED_CASES = [
    pytest.param(
        cfp_candidate(courses=CAPSTONE, credentials=[held("cpa", "2015-01-01", "2024-06-01")]),
        "2025-06-01",
        {
            None: {"status": "met"},
            "accelerated-cpa": {"status": "met", "evidence": {"cpa"}},
            "coursework": {"status": "met", "met_on": "2023-01-15"},
        },
        id="E14-cpa-lapsing-after-the-exam-keeps-the-coursework",
    ),
    pytest.param(
        cfp_candidate(courses=CAPSTONE, credentials=[held("cpa", "2015-01-01", "2023-03-15")]),
        "2023-06-01",
        {
            None: {"status_not": "met"},
            "accelerated-cpa": {"status": "expired", "excluded": {("cpa", "lapsed")}},
        },
        id="E9-cpa-expiring-on-the-exam-day-is-not-current",
    ),
    pytest.param(
        cfp_candidate(
            courses=CAPSTONE,
            credentials=[held("cpa", "2015-01-01", "2023-03-16")],
        ),
        "2026-01-01",
        {None: {"status": "met"}, "accelerated-cpa": {"status": "met"}},
        id="E9-cpa-current-on-the-exam-day",
    ),
    pytest.param(
        # Before the exam the licence must be current on the evaluation date.
        cfp_candidate(
            courses=CAPSTONE,
            exams=[],
            credentials=[held("attorney", "2010-01-01", "2024-01-01")],
        ),
        "2024-06-01",
        {"accelerated-attorney": {"status": "expired"}, "knowledge": {"status_not": "met"}},
        id="E9-before-the-exam-a-lapsed-licence-does-not-count",
    ),
    pytest.param(
        # A CFA charter proven by cfa.yaml: current on the exam day (conduct statement and
        # dues of 2022-10-01), no longer renewed by 2025.
        cfp_candidate(
            courses=CAPSTONE,
            exams=[exam("e-cfp", "CFP", "2023-03-15"), *cfa_exams()],
            experience=[
                job("x-planner", "2019-01-01", "2021-12-31", 6100),
                job("x-analyst", "2015-01-01", "2018-12-31", 4000, "investment-decision-making"),
            ],
            attestations=[
                attest("a-ethics", "ethics", "2023-04-01"),
                attest("a-bg", "background-check", "2023-03-25"),
                *cfa_membership(signed_on="2022-10-01"),
            ],
        ),
        "2025-06-01",
        {None: {"status": "met"}, "accelerated-cfa": {"status": "met"}},
        id="E14-cfa-charter-current-at-the-exam-counts-after-membership-lapses",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), ACCELERATED_CASES)
def test_cfp_accelerated_path(catalog: dict, records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "cfp", records, as_of, expected)


# --- CFA: membership per member year ------------------------------------------------------


def member_year(year: int) -> list[dict[str, Any]]:
    """Dues and conduct statement for the member year starting 1 July `year`."""
    return [
        attest(f"a-dues-{year}", "cfa-membership", f"{year}-07-01"),
        attest(f"a-pcs-{year}", "professional-conduct-statement", f"{year}-07-01"),
    ]


CFA_MEMBER_YEAR_CASES = [
    pytest.param(
        cfa_candidate(attestations=[*cfa_membership("2021-10-01"), *member_year(2022)]),
        "2023-06-30",
        {None: {"status": "met"}, "regular-membership": {"status": "met"}},
        id="C11-member-year-renewal-valid-to-30-june",
    ),
    pytest.param(
        cfa_candidate(attestations=[*cfa_membership("2021-10-01"), *member_year(2022)]),
        "2023-07-01",
        {
            None: {"status_not": "met"},
            "regular-membership": {"status": "expired"},
            "professional-conduct-statement": {"status": "expired"},
            "membership": {"status": "in_progress"},
        },
        id="C11-CFA-10-membership-lapses-when-the-member-year-is-not-renewed",
    ),
    pytest.param(
        cfa_candidate(
            attestations=[*cfa_membership("2021-10-01"), *member_year(2022), *member_year(2023)]
        ),
        "2024-03-01",
        {
            None: {"status": "met"},
            "regular-membership": {"status": "met", "evidence": {"a-dues-2023"}},
        },
        id="C11-renewed-member-year",
    ),
    pytest.param(
        cfa_candidate(
            attestations=[
                *cfa_membership("2021-10-01"),
                attest("a-pcs-2022", "professional-conduct-statement", "2022-07-01"),
            ]
        ),
        "2023-01-01",
        {None: {"status_not": "met"}, "regular-membership": {"status": "expired"}},
        id="C11-conduct-statement-without-dues-is-not-membership",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CFA_MEMBER_YEAR_CASES)
def test_cfa_member_year(catalog: dict, records: dict, as_of: str, expected: dict) -> None:
    check(catalog, "cfa", records, as_of, expected)
